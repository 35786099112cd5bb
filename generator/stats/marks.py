"""The two kinds of unpublished cell, carried in published tables as explicit marks.

A published table cell holds a number or one of two marks:
- HIDDEN: withheld by disclosure control, whether the cell itself is below k or it is hidden
  to protect another cell. One mark for both, so a reader cannot tell a large hidden cell
  (hidden to protect a neighbour) from a small one.
- NOT_APPLICABLE: the figure does not exist (a rate over zero cases, a per-10k figure without
  a population, the month before the first one).
A zero is a number like any other. Pages and CSV files render each mark with one token
(generator.site.format, generator.site.opendata), so the two never blur into each other or
into 0. HIDDEN always wins: a cell hidden by the rule never reveals that it is also N/A.
"""

from __future__ import annotations

import enum
import math
from typing import Any

import numpy as np
import pandas as pd


class Mark(enum.Enum):
    HIDDEN = "hidden"
    NOT_APPLICABLE = "not_applicable"

    def __bool__(self) -> bool:  # a mark is never a usable number
        return False


HIDDEN = Mark.HIDDEN
NOT_APPLICABLE = Mark.NOT_APPLICABLE


def is_mark(value: Any) -> bool:
    return isinstance(value, Mark)


def _is_nan(value: Any) -> bool:
    try:
        return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))
    except TypeError:
        return True


def published(values: pd.Series | np.ndarray, hidden: pd.Series | np.ndarray | None = None,
              *, integer: bool = False) -> pd.Series:
    """Values as an object series of Python numbers and marks.

    Cells where `hidden` is true become HIDDEN; remaining NaN / <NA> become NOT_APPLICABLE.
    `integer` turns the numbers into Python ints (counts), otherwise floats.
    """
    raw = pd.Series(values).astype(object).reset_index(drop=True)
    mask = (np.zeros(len(raw), dtype=bool) if hidden is None
            else np.asarray(hidden, dtype=bool))
    out: list[Any] = []
    for value, hide in zip(raw.tolist(), mask.tolist(), strict=True):
        if hide or value is HIDDEN:
            out.append(HIDDEN)
        elif is_mark(value) or _is_nan(value):
            out.append(NOT_APPLICABLE)
        else:
            out.append(int(value) if integer else float(value))
    return pd.Series(out, dtype=object)


def number(value: Any) -> float | None:
    """A published cell as a float, or None for either mark."""
    if is_mark(value) or _is_nan(value):
        return None
    return float(value)

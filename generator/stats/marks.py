"""The three kinds of unpublished cell, carried in published tables as explicit marks.

A published table cell holds a number or one of three marks:
- HIDDEN: withheld by disclosure control, whether the cell itself is below k or it is hidden
  to protect another cell. One mark for both, so a reader cannot tell a large hidden cell
  (hidden to protect a neighbour) from a small one.
- NOT_APPLICABLE: the figure does not exist (a rate over zero cases, a per-10k figure without
  a population, the month before the first one).
- UNRECORDED: the figure needs a field the export does not record (the package's
  `unrecordedFields`): e.g. no follow-up columns → the three rates are 未记录, never 0.
A zero is a number like any other. Pages and CSV files render each mark with one token
(generator.site.format for pages; CSV_* here for the open-data files and the release record,
which the engine reads back), so the three never blur into each other or into 0. UNRECORDED wins
over everything (nothing about the cell can be known, so nothing can be disclosed), then
HIDDEN: a cell hidden by the rule never reveals that it is also N/A.
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
    UNRECORDED = "unrecorded"

    def __bool__(self) -> bool:  # a mark is never a usable number
        return False


HIDDEN = Mark.HIDDEN
NOT_APPLICABLE = Mark.NOT_APPLICABLE
UNRECORDED = Mark.UNRECORDED


CSV_HIDDEN = "suppressed"
CSV_NOT_APPLICABLE = "NA"
CSV_UNRECORDED = "unrecorded"
MISSING_VALUES = [CSV_HIDDEN, CSV_NOT_APPLICABLE, CSV_UNRECORDED]
"""The tokens every open-data resource declares in its schema's missingValues."""


def is_mark(value: Any) -> bool:
    return isinstance(value, Mark)


def _is_nan(value: Any) -> bool:
    try:
        return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))
    except TypeError:
        return True


def published(values: pd.Series | np.ndarray, hidden: pd.Series | np.ndarray | None = None,
              *, integer: bool = False, unrecorded: bool = False) -> pd.Series:
    """Values as an object series of Python numbers and marks.

    `unrecorded` makes every cell UNRECORDED (the figure needs a field the export lacks).
    Otherwise cells where `hidden` is true become HIDDEN; remaining NaN / <NA> become
    NOT_APPLICABLE. `integer` turns the numbers into Python ints (counts), otherwise floats.
    """
    if unrecorded:
        return pd.Series([UNRECORDED] * len(values), dtype=object)
    raw = pd.Series(values).astype(object).reset_index(drop=True)
    mask = (np.zeros(len(raw), dtype=bool) if hidden is None
            else np.asarray(hidden, dtype=bool))
    out: list[Any] = []
    for value, hide in zip(raw.tolist(), mask.tolist(), strict=True):
        if value is UNRECORDED:
            out.append(UNRECORDED)
        elif hide or value is HIDDEN:
            out.append(HIDDEN)
        elif is_mark(value) or _is_nan(value):
            out.append(NOT_APPLICABLE)
        else:
            out.append(int(value) if integer else float(value))
    return pd.Series(out, dtype=object)


def number(value: Any) -> float | None:
    """A published cell as a float, or None for any mark."""
    if is_mark(value) or _is_nan(value):
        return None
    return float(value)


def csv_cell(value: Any) -> str:
    """One CSV cell: a mark as its token, a number as before (integers plain, %.10g floats)."""
    if value is HIDDEN:
        return CSV_HIDDEN
    if value is NOT_APPLICABLE:
        return CSV_NOT_APPLICABLE
    if value is UNRECORDED:
        return CSV_UNRECORDED
    if _is_nan(value):
        return CSV_HIDDEN  # an unexpected gap is never published as a value or as N/A
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)

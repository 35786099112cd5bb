"""Vectorised value and date mapping for the importer.

Values are mapped per unique value (pd.factorize + a dict lookup), never per row; dates are
parsed with fixed formats tried in order, then converted from the export's zone to the
deployment's zone (settings data.time_zone).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

ObjArray = npt.NDArray[np.object_]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Mapped:
    values: ObjArray
    """Mapped values; '' where the raw cell was empty."""
    bad: BoolArray
    """Rows whose non-empty raw value has no mapping or is not an allowed value."""
    raw: ObjArray
    """The (stripped) raw value that decided each row, for reject reports."""


def map_column(column: pd.Series, mapping: dict[str, str] | None,
               allowed: set[str] | None) -> Mapped:
    """Map one raw column through `mapping` (or keep it, checking `allowed`)."""
    codes, uniques = pd.factorize(column, use_na_sentinel=False)
    stripped = [str(u).strip() for u in np.asarray(uniques, dtype=object)]
    out: list[str | None] = []
    for value in stripped:
        if mapping is not None and value in mapping:
            out.append(mapping[value])
        elif value == "":
            out.append("")
        elif mapping is None and (allowed is None or value in allowed):
            out.append(value)
        else:
            out.append(None)
    out_u = np.array(out, dtype=object)
    mapped = out_u[codes]
    bad = np.array([v is None for v in out], dtype=bool)[codes]
    mapped[bad] = ""
    return Mapped(mapped, bad, np.array(stripped, dtype=object)[codes])


def map_columns(columns: list[pd.Series], mapping: dict[str, str] | None,
                allowed: set[str] | None) -> Mapped:
    """Map several raw columns in order; the first column giving a mapped value wins."""
    first = map_column(columns[0], mapping, allowed)
    values, raw = first.values.copy(), first.raw.copy()
    any_bad = first.bad.copy()
    for column in columns[1:]:
        nxt = map_column(column, mapping, allowed)
        take = (values == "") & (nxt.values != "")
        values[take] = nxt.values[take]
        raw[take] = nxt.raw[take]
        fill_raw = (raw == "") & (nxt.raw != "")
        raw[fill_raw] = nxt.raw[fill_raw]
        any_bad |= nxt.bad
    bad = any_bad & (values == "")
    return Mapped(values, bad, raw)


@dataclass(frozen=True)
class Dates:
    values: pd.Series
    """datetime64[ns], local time of the deployment's zone, NaT where empty or bad."""
    bad: BoolArray
    raw: ObjArray


def parse_dates(column: pd.Series, formats: tuple[str, ...], zone: str,
                target_zone: str) -> Dates:
    """Parse with each format in turn (local times of `zone`), convert them to local times of
    `target_zone`; non-empty values no format fits are `bad`."""
    text = column.astype(str).str.strip()
    empty = (text == "").to_numpy()
    result = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    todo = ~empty
    for fmt in formats:
        if not todo.any():
            break
        part = pd.to_datetime(text[todo], format=fmt, errors="coerce")
        result[todo] = part
        todo = todo & result.isna().to_numpy()
    if zone != target_zone:
        ambiguous = np.zeros(len(result), dtype=bool)  # fall-back hour: standard time
        local = result.dt.tz_localize(zone, ambiguous=ambiguous, nonexistent="shift_forward")
        result = local.dt.tz_convert(target_zone).dt.tz_localize(None)
    return Dates(result, todo, text.to_numpy(dtype=object))


def format_datetimes(values: pd.Series) -> ObjArray:
    """'%Y-%m-%dT%H:%M:%S' strings ('' for NaT), without the slow dt.strftime."""
    arr = values.to_numpy(dtype="datetime64[s]")
    out = np.datetime_as_string(arr, unit="s").astype(object)
    out[np.isnat(arr)] = ""
    return np.asarray(out, dtype=object)


def apply_unique(column: pd.Series, func: Callable[[str], str]) -> ObjArray:
    """func applied once per unique value of `column`, broadcast back to the rows."""
    codes, uniques = pd.factorize(column, use_na_sentinel=False)
    return np.array([func(u) for u in np.asarray(uniques, dtype=object)], dtype=object)[codes]

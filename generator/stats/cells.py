"""Counts of a declared table (stats.tables) over its complete grid, with canonical cell keys.

Every row of a breakdown is one cell of the cube (or of a side family): it carries the count,
the distinct complainants behind it (for the k rule) and canonical keys naming the cell
independently of the table — the same cell published by two tables (a district-month total in
kpis and by_district) has the same keys, so disclosure control hides it in both or neither.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from generator.dataset.vocabulary import CHANNELS, HANDLING_LEVELS, SOURCES, URGENCY_CLASSES
from generator.reference import Reference
from generator.stats.periods import ALL, Calendar
from generator.stats.tables import CITY_LEVEL, DISTRICT_LEVEL, STREET_LEVEL, Cut, TableSpec

CITY = "全市"
"""The scope name of the whole city."""
CITY_CODE = "city"
"""The scope_code of the whole city (districts and streets carry their statistical codes)."""
KEYS = ("time_key", "region_key", "subject_key", "side_key")
"""Canonical cell keys: period label; 'city', a district or a street code; 'all', 'e:' +
element or 'c:' + category; the side dimensions' values joined by '|' ('' for none)."""


def week_starts(months: Sequence[str]) -> list[str]:
    """Every week part's first day in the calendar months: the 1st and each later Monday."""
    out = []
    for month in months:
        day = dt.date(int(month[:4]), int(month[5:]), 1)
        while day.strftime("%Y-%m") == month:
            if day.day == 1 or day.weekday() == 0:
                out.append(day.isoformat())
            day += dt.timedelta(days=1)
    return out


@dataclass(frozen=True)
class Grid:
    """What a complete table lists: the calendar, the reference, the vocabularies."""

    calendar: Calendar
    ref: Reference

    def periods(self, level: str) -> list[str]:
        return week_starts(self.calendar.months) if level == "week" else list(
            self.calendar.level(level))

    def regions(self, level: str) -> pd.DataFrame:
        """scope, scope_code, district (and the grouping column's values) of each unit."""
        if level == CITY_LEVEL:
            return pd.DataFrame({"scope": [CITY], "scope_code": [CITY_CODE], "district": [CITY]})
        if level == DISTRICT_LEVEL:
            return pd.DataFrame([(d.name, d.code, d.name) for d in self.ref.districts],
                                columns=["scope", "scope_code", "district"])
        return pd.DataFrame([(s.name, s.code, s.district) for s in self.ref.streets],
                            columns=["scope", "scope_code", "district"])

    def members(self, dims: Sequence[str]) -> pd.DataFrame:
        """Every combination of the dimensions' values, in declaration order."""
        frame = pd.DataFrame({"_": [0]})
        remaining = list(dims)
        if "category" in remaining:
            pairs = pd.DataFrame([(c.element, c.name) for c in self.ref.categories],
                                 columns=["element", "category"]).assign(_=0)
            frame = frame.merge(pairs, on="_")
            remaining = [d for d in remaining if d not in ("element", "category")]
        values: dict[str, Sequence[object]] = {
            "element": self.ref.elements, "channel": CHANNELS, "source": SOURCES,
            "handling_level": HANDLING_LEVELS, "urgency": URGENCY_CLASSES,
            "weekday": range(1, 8), "hour": range(24)}
        for dim in remaining:
            frame = frame.merge(pd.DataFrame({dim: list(values[dim]), "_": 0}), on="_")
        return frame.drop(columns="_")


REGION_COLUMN = {CITY_LEVEL: None, DISTRICT_LEVEL: "district_code", STREET_LEVEL: "street_code"}


def table_cells(spec: TableSpec, prep: pd.DataFrame, grid: Grid, measure: str = "record"
                ) -> pd.DataFrame:
    """Rows of `spec` on its complete grid: period, scope_level, scope, scope_code, district,
    the dimensions, count, complainants and the canonical KEYS. Zero where nothing happened."""
    return grid_sums(prep, grid, spec.cuts, spec.dims, {"count": measure},
                     {"complainants": "complainant_key"}, side=spec.side)


def grid_sums(prep: pd.DataFrame, grid: Grid, cuts: Sequence[Cut], dims: Sequence[str],
              sums: Mapping[str, str], distinct: Mapping[str, str],
              side: Sequence[str] = ()) -> pd.DataFrame:
    """For every cut, time level and dimension value: output column → sum of a prep column
    (`sums`) and → number of distinct non-missing values of a prep column (`distinct`)."""
    work = prep if "district_code" in prep else prep.assign(
        district_code=prep["district"].map({d.name: d.code for d in grid.ref.districts}))
    parts = [_cut_cells(work, grid, cut.region, level, dims, sums, distinct, side)
             for cut in cuts for level in cut.periods if grid.periods(level)]
    if not parts:  # e.g. only provisional months: a fine table then lists nothing yet
        columns = ["period", "scope_level", "scope", "scope_code", "district", *dims,
                   *sums, *distinct, *KEYS]
        return pd.DataFrame({c: pd.Series(dtype="int64" if c in (*sums, *distinct) else object)
                             for c in columns})
    return pd.concat(parts, ignore_index=True)


def _cut_cells(prep: pd.DataFrame, grid: Grid, region: str, level: str, dims: Sequence[str],
               sums: Mapping[str, str], distinct: Mapping[str, str], side: Sequence[str]
               ) -> pd.DataFrame:
    region_col = REGION_COLUMN[region]
    time_col = None if level == ALL else level.removeprefix("final_")
    keys = [c for c in (time_col, region_col) if c] + list(dims)
    measures = [*sums, *distinct]
    if keys:
        grouped = prep.groupby(keys, observed=True)
        counts = grouped[list(dict.fromkeys(sums.values()))].sum()
        counts = pd.DataFrame({out: counts[col] for out, col in sums.items()})
        for out, col in distinct.items():
            counts[out] = distinct_counts(prep, keys, col).reindex(counts.index, fill_value=0)
        counts = counts.reset_index()
    else:
        counts = pd.DataFrame({**{out: [prep[col].sum()] for out, col in sums.items()},
                               **{out: [prep[col].nunique()] for out, col in distinct.items()}})
    for col in keys:
        if col not in ("weekday", "hour"):
            counts[col] = counts[col].astype(str)
    counts = counts.rename(columns={time_col or "": "period", region_col or "": "scope_code"})
    if time_col is None:
        counts["period"] = ALL
    if region_col is None:
        counts["scope_code"] = CITY_CODE
    full = (pd.DataFrame({"period": grid.periods(level), "_": 0})
            .merge(grid.regions(region).assign(_=0), on="_")
            .merge(grid.members(dims).assign(_=0), on="_").drop(columns="_"))
    on = ["period", "scope_code", *dims]
    cells = full.merge(counts[[*on, *measures]], on=on, how="left")
    cells[measures] = cells[measures].fillna(0)
    for out in [*distinct, *(o for o, c in sums.items() if prep[c].dtype.kind in "iub")]:
        cells[out] = cells[out].astype("int64")
    cells.insert(1, "scope_level", region)
    cells["time_key"] = cells["period"]
    cells["region_key"] = cells["scope_code"]
    cells["subject_key"] = subject_keys(cells)
    cells["side_key"] = side_keys(cells, side)
    return cells


def _codes(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes (−1: missing) and the values they stand for, for a grouping column."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(dtype=np.int64), np.asarray(column.cat.categories)
    codes, values = pd.factorize(column, use_na_sentinel=True)
    return codes.astype(np.int64), np.asarray(values)


def distinct_counts(prep: pd.DataFrame, keys: list[str], column: str) -> pd.Series:
    """Distinct non-missing values of `column` (integer codes, NaN for none) per group of
    `keys`, indexed like a groupby over `keys` (groups without any value are absent).

    The keys' codes are combined into one integer per row and (group, value) pairs sorted
    once: much faster than groupby.nunique or ngroup at millions of rows."""
    values = prep[column].to_numpy(dtype=float)
    keep = ~np.isnan(values)
    combined = np.zeros(len(prep), dtype=np.int64)
    decoders = []
    for key in keys:
        codes, labels = _codes(prep[key])
        keep &= codes >= 0
        combined = combined * max(len(labels), 1) + np.maximum(codes, 0)
        decoders.append((labels, max(len(labels), 1)))
    if not keep.any():
        empty = prep.groupby(keys, observed=True).size().index[:0]
        return pd.Series([], dtype=np.int64, index=empty)
    width = np.int64(np.nanmax(values[keep])) + 1
    pairs = np.sort(combined[keep] * width + values[keep].astype(np.int64))
    first = np.ones(len(pairs), dtype=bool)
    first[1:] = pairs[1:] != pairs[:-1]  # sort-based unique: numpy's hash path is slower here
    groups, counts = np.unique(pairs[first] // width, return_counts=True)
    arrays = []
    for labels, size in reversed(decoders):
        arrays.append(labels[groups % size])
        groups = groups // size
    index = pd.MultiIndex.from_arrays(arrays[::-1], names=keys) if len(keys) > 1 \
        else pd.Index(arrays[0], name=keys[0])
    return pd.Series(counts, index=index)


def subject_keys(cells: pd.DataFrame) -> pd.Series:
    """'c:' + category, else 'e:' + element, else 'all'."""
    if "category" in cells:
        return "c:" + cells["category"].astype(str)
    if "element" in cells:
        return "e:" + cells["element"].astype(str)
    return pd.Series("all", index=cells.index)


def side_keys(cells: pd.DataFrame, side: Sequence[str]) -> pd.Series:
    if not side:
        return pd.Series("", index=cells.index)
    return join_side(cells, side)


def join_side(frame: pd.DataFrame, side: Sequence[str]) -> pd.Series:
    """'dim=value|dim=value' for each row (vectorised concatenation)."""
    out: pd.Series | None = None
    for dim in side:
        part = dim + "=" + frame[dim].astype(str)
        out = part if out is None else out + "|" + part
    assert out is not None
    return out

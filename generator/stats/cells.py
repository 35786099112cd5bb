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
from generator.stats.grouping import (
    SMALL_TALLY,
    FrameCodes,
    blocks,
    combine_block,
    distinct_counts,
    group_index,
    radix,
)
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
    codes = FrameCodes(work)
    parts = [_cut_cells(codes, grid, cut.region, level, dims, sums, distinct, side)
             for cut in cuts for level in cut.periods if grid.periods(level)]
    if not parts:  # e.g. only provisional months: a fine table then lists nothing yet
        columns = ["period", "scope_level", "scope", "scope_code", "district", *dims,
                   *sums, *distinct, *KEYS]
        return pd.DataFrame({c: pd.Series(dtype="int64" if c in (*sums, *distinct) else object)
                             for c in columns})
    return pd.concat(parts, ignore_index=True)


def _cut_cells(codes: FrameCodes, grid: Grid, region: str, level: str, dims: Sequence[str],
               sums: Mapping[str, str], distinct: Mapping[str, str], side: Sequence[str]
               ) -> pd.DataFrame:
    prep = codes.frame
    region_col = REGION_COLUMN[region]
    time_col = None if level == ALL else level.removeprefix("final_")
    keys = [c for c in (time_col, region_col) if c] + list(dims)
    measures = [*sums, *distinct]
    if keys:
        counts = _group_sums(codes, keys, sums)
        for out, col in distinct.items():
            counts[out] = distinct_counts(prep, keys, col, codes).reindex(counts.index,
                                                                          fill_value=0)
        counts = counts.reset_index()
    else:
        counts = pd.DataFrame({**{out: [prep[col].sum()] for out, col in sums.items()},
                               **{out: [_distinct_total(prep[col])]
                                  for out, col in distinct.items()}})
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


def _distinct_total(column: pd.Series) -> int:
    """Distinct non-missing integer codes (NaN for none), by a count per code: a hash over
    millions of floats (Series.nunique) grows worse than linearly once it leaves the cache."""
    values = column.to_numpy(dtype=float)
    values = values[~np.isnan(values)]
    if not len(values) or values.min() < 0:
        return int(column.nunique())
    return int(np.count_nonzero(np.bincount(values.astype(np.int64))))


_MAX_BINS = 1 << 26
"""Above this many possible groups the sums fall back to a pandas groupby (memory)."""


def _group_sums(codes: FrameCodes, keys: list[str], sums: Mapping[str, str]) -> pd.DataFrame:
    """Output column → sum of a prep column per observed group of `keys`, like
    prep.groupby(keys, observed=True)[...].sum(). Integer flags are summed by bincount (exact,
    linear), block by block while the groups are few (stats.grouping.blocks); float columns
    by a groupby on the one combined code, which adds each group's values in row order as the
    multi-key groupby does, so the sums are the same."""
    prep = codes.frame
    columns = [codes.of(key) for key in keys]
    values = {out: prep[col].to_numpy() for out, col in sums.items()}
    if radix(columns)[1] <= SMALL_TALLY and all(v.dtype.kind in "iub" for v in values.values()):
        return _blocked_sums(columns, values, keys)
    combined, ok, decoders, size = codes.groups(keys)
    if size > _MAX_BINS:
        grouped = prep.groupby(keys, observed=True)[list(dict.fromkeys(sums.values()))].sum()
        return pd.DataFrame({out: grouped[col] for out, col in sums.items()})
    every = bool(ok.all())  # usually: then no row is copied out
    rows = combined if every else combined[ok]
    present = np.flatnonzero(np.bincount(rows, minlength=size))
    data: dict[str, np.ndarray] = {}
    for out, column in values.items():
        column = column if every else column[ok]
        if column.dtype.kind in "iub":
            total = np.bincount(rows, weights=column, minlength=size)
            data[out] = np.rint(total[present]).astype(np.int64)
        else:
            data[out] = pd.Series(column).groupby(rows).sum().reindex(present).to_numpy()
    return pd.DataFrame(data, index=group_index(present, decoders, keys))


def _blocked_sums(columns: list[tuple[np.ndarray, np.ndarray]], values: Mapping[str, np.ndarray],
                  keys: list[str]) -> pd.DataFrame:
    """_group_sums of integer columns over few groups, one cache-sized block at a time."""
    decoders, size = radix(columns)
    rows = np.zeros(size, dtype=np.int64)
    totals = {out: np.zeros(size, dtype=np.float64) for out in values}
    for start, stop in blocks(len(columns[0][0])):
        combined, ok = combine_block(columns, start, stop)
        every = bool(ok.all())
        groups = combined if every else combined[ok]
        rows += np.bincount(groups, minlength=size)
        for out, column in values.items():
            part = column[start:stop] if every else column[start:stop][ok]
            totals[out] += np.bincount(groups, weights=part, minlength=size)
    present = np.flatnonzero(rows)
    return pd.DataFrame({out: np.rint(total[present]).astype(np.int64)
                         for out, total in totals.items()},
                        index=group_index(present, decoders, keys))


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

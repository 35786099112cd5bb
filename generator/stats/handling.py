"""Handling times per urgency class: response and closing times (median, p90) and on-time rate.

Definitions (issue 9 part 4; shown on the methodology page):
- response time = contacted_at − received_at, over every request of the cell with a contact
  time (closed or not); closing time = closed_at − received_at over its closed requests.
  Hours; median and p90 computed on exact times, then rounded to 0.1 h.
- median: the usual median (mean of the two middle values for an even count; DuckDB
  `median`). p90: nearest rank — the ⌈0.9·n⌉-th smallest value (DuckDB `quantile_disc(x, 0.9)`),
  always an observed time.
- ontime_rate = closed within the class's deadline (data/metrics.yml deadlines_hours) / closed;
  `closed` (its n) counts the cell's closed requests.
- The classes are the keys of `deadlines_hours`, in its order; requests of any other class are
  left out (the package schema allows only those classes). Every class is listed for every
  period and scope, zeros included: no closed request → closing times and on-time rate
  NOT_APPLICABLE; no contact time → response times NOT_APPLICABLE.

Disclosure: a cell (its closed count, medians, p90s and on-time rate) is HIDDEN when its
requests — all of them, its closed ones, or those with a contact time — rest on 1..k−1
distinct complainants (proactive tasks have none, so proactive-only cells stay published).
Without caller identity each citizen request counts as its own complainant. Closed counts
add up over classes, districts and periods and to the kpis closed counts, so which further
cells to hide is decided by the LP engine over that family (stats.breakdowns.handling_mask);
this module applies the k rule only.
An unrecorded contacted_at makes the response columns UNRECORDED; an unrecorded closed_at the
closing columns and the on-time rate.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from generator.stats.disclosure import primary
from generator.stats.grouping import FrameCodes, distinct_counts, group_index
from generator.stats.marks import published

COLUMNS = ("period", "scope", "urgency", "closed", "response_median_h", "response_p90_h",
           "closing_median_h", "closing_p90_h", "ontime_rate", "deadline_h")
P90 = 90
"""The upper percentile published, by nearest rank."""
_KEYS = ["period", "scope", "urgency"]
_CITIZEN = "市民诉求"


@dataclass(frozen=True)
class Grouping:
    """One family of output rows, e.g. 全市 by quarter or every district over 'all'."""

    period: pd.Series | str
    """Period label of each record (aligned with the frame), or one label for all ('all')."""
    scope: pd.Series | str
    """Scope label of each record (e.g. the district column), or one label ('全市')."""
    periods: Sequence[str] | None = None
    """Every period to list, in order (e.g. all calendar quarters); None: the labels present."""
    scopes: Sequence[str] | None = None
    """Every scope to list, in order (e.g. the reference's districts); None: those present."""


def quarter_labels(stamps: pd.Series) -> pd.Series:
    """'YYYYQn' for each timestamp (calendar quarters)."""
    quarter = (stamps.dt.month - 1) // 3 + 1
    labels: pd.Series = (stamps.dt.year.astype("Int64").astype(str) + "Q"
                         + quarter.astype("Int64").astype(str))
    return labels


def value_order(values: np.ndarray) -> np.ndarray:
    """Each row's position in ascending value order (missing values last), computed once per
    column so every grouping can put its rows in value order by a counting pass."""
    rank = np.empty(len(values), dtype=np.int64)
    rank[np.argsort(values, kind="stable")] = np.arange(len(values), dtype=np.int64)
    return rank


def order_statistics(values: np.ndarray, rank: np.ndarray, groups: np.ndarray, size: int,
                     percent: int = P90) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Median and nearest-rank percentile of the non-missing `values` per group code
    (0 ≤ groups < size): the groups holding a value, their medians and their
    ⌈percent/100 · n⌉-th smallest values.

    `rank` is value_order over a superset of these rows (their positions in it may have
    gaps). Rows are put in value order by slots, then stably by group: a radix sort on small
    integer codes, so no grouping sorts its floats again (n log n per grouping before)."""
    slots = np.full(int(rank.max()) + 1 if len(rank) else 0, -1, dtype=np.int64)
    slots[rank] = np.arange(len(rank), dtype=np.int64)
    order = slots[slots >= 0]
    order = order[~np.isnan(values[order])]
    group_of = groups[order]
    if size < 2**15:  # int16 codes take numpy's radix sort
        group_of = group_of.astype(np.int16)
    order = order[np.argsort(group_of, kind="stable")]
    counts = np.bincount(groups[order], minlength=size)
    present = np.flatnonzero(counts)
    n = counts[present]
    first = np.concatenate([[0], np.cumsum(counts)])[present]
    ordered = values[order]
    median = (ordered[first + (n - 1) // 2] + ordered[first + n // 2]) / 2
    picked = ordered[first + (percent * n + 99) // 100 - 1]  # ⌈p·n/100⌉ without floats
    return present, median, picked


def record_columns(frame: pd.DataFrame, deadlines_hours: Mapping[str, float],
                   unrecorded: Collection[str]) -> pd.DataFrame:
    """Per-record hours, flags and complainant codes that every grouping reuses."""
    urgency = frame["urgency"].astype("category")
    closed = (frame["status"] == "已办结").to_numpy()
    hours = 3600.0
    response_h = (frame["contacted_at"] - frame["received_at"]).dt.total_seconds() / hours
    closing_h = ((frame["closed_at"] - frame["received_at"]).dt.total_seconds() / hours
                 ).where(closed)
    deadline = urgency.map(dict(deadlines_hours)).astype(float)
    ontime = closed & (closing_h <= deadline).to_numpy(dtype=bool)
    # Integer codes, NaN for no complainant: nunique on numbers is fast and skips NaN.
    if "complainant_key" in unrecorded:
        citizen = (frame["source"] == _CITIZEN).to_numpy()
        who = np.where(citizen, np.arange(len(frame), dtype=np.float64), np.nan)
    else:
        codes, _ = pd.factorize(frame["complainant_key"], use_na_sentinel=True)
        who = np.where(codes >= 0, codes, np.nan).astype(np.float64)
    # Each row's position in complainant order, so distinct counts need no full sort per
    # grouping (stats.grouping.distinct_counts reads `<column>_rank`).
    rank = np.empty(len(who), dtype=np.int64)
    rank[np.argsort(who, kind="stable")] = np.arange(len(who), dtype=np.int64)
    return pd.DataFrame({
        "urgency": urgency.array,
        "response_h": response_h.to_numpy(dtype=float),
        "closing_h": closing_h.to_numpy(dtype=float),
        "closed": closed.astype(np.int64),
        "ontime": ontime.astype(np.int64),
        "who": who,
        "who_closed": np.where(closed, who, np.nan),
        "who_responded": np.where(response_h.notna().to_numpy(), who, np.nan),
        "who_rank": rank, "who_closed_rank": rank, "who_responded_rank": rank,
        "response_h_order": value_order(response_h.to_numpy(dtype=float)),
        "closing_h_order": value_order(closing_h.to_numpy(dtype=float)),
    })


def _labels(value: pd.Series | str, size: int) -> pd.Categorical[Any]:
    """Group labels as a categorical: grouping millions of rows on strings is slow."""
    if isinstance(value, str):
        return pd.Categorical.from_codes(np.zeros(size, dtype=np.int64),
                                         dtype=pd.CategoricalDtype([value]))
    if isinstance(value.dtype, pd.CategoricalDtype):  # already coded: no pass over strings
        return pd.Categorical(value)
    return pd.Categorical(value.to_numpy())


def _present(label: pd.Series | str, column: pd.Series) -> list[str]:
    """The labels to list when none are given: a constant always, else those present."""
    return [label] if isinstance(label, str) else [str(v) for v in pd.unique(column)]


def _one_grouping(records: pd.DataFrame, grouping: Grouping, classes: Sequence[str],
                  k: int) -> pd.DataFrame:
    """Sums, complainants, medians and p90s for every (period, scope, class) of a grouping,
    with the hidden mask in `_hidden`."""
    work = records.assign(period=_labels(grouping.period, len(records)),
                          scope=_labels(grouping.scope, len(records)))
    work = work[work["urgency"].isin(classes) & work["period"].notna() & work["scope"].notna()]
    codes = FrameCodes(work)
    groups, _, decoders, size = codes.groups(_KEYS)  # the keys are never missing here
    rows = np.bincount(groups, minlength=size)
    observed = np.flatnonzero(rows)
    stats = pd.DataFrame({column: np.bincount(groups, weights=work[column].to_numpy(),
                                              minlength=size)[observed].astype(np.int64)
                          for column in ("closed", "ontime")},
                         index=group_index(observed, decoders, _KEYS))
    for column in ("who", "who_closed", "who_responded"):
        stats[column] = distinct_counts(work, _KEYS, column, codes).reindex(stats.index,
                                                                            fill_value=0)
    for column in ("response_h", "closing_h"):
        present, median, p90 = order_statistics(
            work[column].to_numpy(dtype=float), work[f"{column}_order"].to_numpy(), groups,
            size)
        index = group_index(present, decoders, _KEYS)
        stats[column.replace("_h", "_median")] = pd.Series(median, index).reindex(stats.index)
        stats[column.replace("_h", "_p90")] = pd.Series(p90, index).reindex(stats.index)
    periods = grouping.periods or _present(grouping.period, work["period"])
    scopes = grouping.scopes or _present(grouping.scope, work["scope"])
    index = pd.MultiIndex.from_product([list(periods), list(scopes), list(classes)], names=_KEYS)
    counts = ["closed", "ontime", "who", "who_closed", "who_responded"]
    cells = stats.reindex(index)
    cells[counts] = cells[counts].fillna(0).astype(np.int64)
    cells = cells.reset_index()
    small = (primary(cells["who"], k) | primary(cells["who_closed"], k)
             | primary(cells["who_responded"], k))
    cells["_hidden"] = small
    return cells


def handling_times(frame: pd.DataFrame, groupings: Sequence[Grouping], *,
                   deadlines_hours: Mapping[str, float], k: int,
                   unrecorded: Collection[str] = frozenset()) -> pd.DataFrame:
    """Handling times per urgency class (columns COLUMNS), one block of rows per grouping in
    the order given: periods, then scopes, then classes in `deadlines_hours` order. Cells
    hold numbers or marks (stats.marks); see the module docstring for every definition."""
    classes = list(deadlines_hours)
    records = record_columns(frame, deadlines_hours, unrecorded)
    cells = pd.concat([_one_grouping(records, g, classes, k) for g in groupings],
                      ignore_index=True)
    hidden = cells["_hidden"].to_numpy(dtype=bool)
    closed = cells["closed"].astype(float)
    no_response = "contacted_at" in unrecorded
    no_closing = "closed_at" in unrecorded

    def hours(column: str, missing: bool) -> np.ndarray:
        return published(cells[column].astype(float).round(1), hidden,
                         unrecorded=missing).to_numpy()

    return pd.DataFrame({
        "period": cells["period"].astype(str).to_numpy(),
        "scope": cells["scope"].astype(str).to_numpy(),
        "urgency": cells["urgency"].astype(str).to_numpy(),
        "closed": published(cells["closed"], hidden, integer=True).to_numpy(),
        "response_median_h": hours("response_median", no_response),
        "response_p90_h": hours("response_p90", no_response),
        "closing_median_h": hours("closing_median", no_closing),
        "closing_p90_h": hours("closing_p90", no_closing),
        "ontime_rate": published(cells["ontime"] / closed.where(closed > 0), hidden,
                                 unrecorded=no_closing).to_numpy(),
        "deadline_h": cells["urgency"].map(dict(deadlines_hours)).astype(float).to_numpy(),
    })

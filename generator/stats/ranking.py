"""Rankings of districts and streets (issue 9 part 3): by composite score or by volume per
10,000 residents, with n and the interval passed through.

Rules (shown on the methodology page):
- Only units with at least `min_volume` requests in the window are ranked (status 'ranked');
  the others are listed apart: 'below_minimum' (1..min_volume−1 requests, their figures as
  given), 'hidden' (count or measure HIDDEN or UNRECORDED), 'no_measure' (the measure does
  not exist, e.g. per 10,000 residents without a population) and 'no_requests' (0 requests:
  never scored, the measure and its interval NOT_APPLICABLE). Those carry rank NOT_APPLICABLE.
- Values are compared at the shown precision: rounded to `precision` decimals exactly as the
  pages print them (Python's correctly rounded formatting), so units that read the same share
  a rank and are marked `tied` (pages: 不分先后).
- Competition ranking ("1224"): a unit's rank is 1 + the number of units strictly better.
- Order: ranked units by rank, then count (descending), then their keys; then below_minimum,
  hidden, no_measure and no_requests, each by count (descending) and keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from generator.stats.marks import HIDDEN, NOT_APPLICABLE, UNRECORDED, is_mark, number

STATUSES = ("ranked", "below_minimum", "hidden", "no_measure", "no_requests")
"""Every status, in the order units are listed."""
_FIGURES = ("count", "n", "ci_low", "ci_high")


def shown(value: float, precision: int) -> float:
    """`value` as the pages show it with `precision` decimals, back as a float. Rounded to
    9 decimals first, so a score that is exactly x.x5 on paper does not round one way or the
    other depending on the order its weighted rates were added."""
    return float(f"{round(value, 9):.{precision}f}")


def _status(count: Any, measure: Any, min_volume: int) -> str:
    if count is HIDDEN or count is UNRECORDED:
        return "hidden"
    counted = number(count)
    if counted == 0:
        return "no_requests"
    if counted is None:  # a count that does not exist cannot be ranked or shown as a number
        return "hidden"
    if counted < min_volume:
        return "below_minimum"
    if measure is HIDDEN or measure is UNRECORDED:
        return "hidden"
    if is_mark(measure) or number(measure) is None:
        return "no_measure"
    return "ranked"


def rank_units(units: pd.DataFrame, *, by: str, min_volume: int, precision: int,
               descending: bool = True, keys: Sequence[str] | None = None) -> pd.DataFrame:
    """`units` (one row per district or street) with `rank`, `tied` and `status` added.

    `units` holds `count` (requests in the window), `n`, the measure `by`, `ci_low`, `ci_high`
    and key columns (`keys`; default: every other column), all passed through; cells may hold
    marks (stats.marks). `descending`: a larger value ranks first (scores, and volume per
    10,000 residents, where the most complained-about unit is listed first). See the module
    docstring for the rules.
    """
    key_columns = list(keys) if keys is not None else [
        c for c in units.columns if c not in (*_FIGURES, by)]
    out = units.reset_index(drop=True).copy()
    status = [_status(c, m, min_volume) for c, m in zip(out["count"], out[by], strict=True)]
    out["status"] = status
    no_requests = out["status"] == "no_requests"
    for column in (by, "ci_low", "ci_high"):
        if column in out.columns:
            out[column] = out[column].astype(object).mask(no_requests, NOT_APPLICABLE)
    ranked = (out["status"] == "ranked").to_numpy()
    values = np.array([shown(float(v), precision) if r else np.nan
                       for v, r in zip(out[by], ranked, strict=True)])
    ordered = -values if descending else values
    # min-rank of equal values = 1 + number strictly better: competition ranking
    rank = pd.Series(ordered).rank(method="min").to_numpy()
    tie_size = pd.Series(ordered).map(pd.Series(ordered).value_counts()).to_numpy()
    out["rank"] = pd.Series([int(r) if ok else NOT_APPLICABLE
                             for r, ok in zip(rank, ranked, strict=True)], dtype=object)
    out["tied"] = ranked & (np.nan_to_num(tie_size, nan=0.0) > 1)
    counts = np.array([number(c) if number(c) is not None else -1.0 for c in out["count"]])
    order_keys = [out[c].astype(str).to_numpy() for c in reversed(key_columns)]
    status_rank = out["status"].map({s: i for i, s in enumerate(STATUSES)}).to_numpy()
    rank_key = np.where(ranked, rank, 0.0)
    order = np.lexsort((*order_keys, -counts, rank_key, status_rank))
    return out.iloc[order].reset_index(drop=True)


def _month_index(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def ranking_window(months: Sequence[str], length: int = 12, *,
                   latest_incomplete: bool = False) -> tuple[str, ...]:
    """The latest `length` complete calendar months ('YYYY-MM') of the data, oldest first.

    `months` are the data's months (any order; gaps allowed: the window counts calendar
    months, not months with records). `latest_incomplete` drops the latest month (the data
    stops before it ends). When the data covers fewer months the window is shorter: it never
    reaches before the first month of `months`.
    """
    if length < 1:
        raise ValueError(f"ranking window length must be at least 1, got {length}")
    present = sorted({_month_index(m) for m in months})
    if not present:
        return ()
    last = present[-1] - (1 if latest_incomplete else 0)
    first = max(present[0], last - length + 1)
    return tuple(f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(first, last + 1))

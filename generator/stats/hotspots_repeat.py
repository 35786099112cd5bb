"""重复诉求率 (repeat rate, "closed is not resolved"), numerator and denominator per scope.

Definition: of the closed citizen requests that name a place, the share followed by another
citizen request about the same place (location_key) received after the closure and at most
`window_days` × 24 hours after it. A request received while the first was still open is a
duplicate of an open case, not a sign that closing it did not help, so it does not count.
Closures later than data_end − window_days are left out of numerator and denominator: their
window is not yet over, and counting them would make the latest months look better.
Periods are months of closure ('YYYY-MM') and 'all'; scopes 全市 and each district (of the
closed request). Proactive tasks are left out on both sides (stats.hotspots_places).

The table carries the distinct complainants behind each denominator so the caller applies
the k rule (a rate is published only when ≥ k complainants stand behind it).
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from generator.stats.hotspots_places import DAY_NS, period_codes, period_labels, place_requests
from generator.stats.metrics import ALL, CITY

REPEAT_COLUMNS = ["period", "scope", "repeated", "closed", "complainants"]


def repeat_rate(frame: pd.DataFrame, window_days: int, data_end: pd.Timestamp,
                unrecorded: Collection[str] = frozenset()) -> pd.DataFrame | None:
    """REPEAT_COLUMNS per (closure month or 'all', 全市 or district); None when location_key
    is unrecorded (the rate is then 未记录).

    `data_end` is the end of the data (the export's cut-off, or its last receipt). Every
    month from the first to the last closure month in the denominator has its rows, and every
    district of the column's categories its row in each, 0 / 0 where nothing closed.
    """
    data = place_requests(frame, unrecorded)
    if data is None:
        return None
    window = window_days * DAY_NS
    followed = _followed(data.place, data.received, data.closed, window)
    end = pd.Timestamp(data_end).to_datetime64().astype("datetime64[ns]").astype(np.int64)
    eligible = (data.closed >= 0) & (data.closed + window <= end)
    months = period_codes(data.closed[eligible], "month")
    cells = pd.DataFrame({
        "month": months,
        "district": data.district[eligible],
        "repeated": followed[eligible].astype(np.int64),
        "complainant": data.complainant[eligible],
    })
    calendar = np.arange(months.min(), months.max() + 1) if len(months) else months
    out = pd.concat([_tally(cells, by_month, by_district, calendar, len(data.districts))
                     for by_month in (True, False) for by_district in (False, True)],
                    ignore_index=True)
    # Months first, then 'all'; 全市 before the districts in the reference's order.
    out = out.sort_values(["_all", "month", "district"], kind="stable")
    month_names = dict(zip(calendar.tolist(), period_labels(calendar, "month"), strict=True))
    districts = np.array(data.districts, dtype=object)
    out["period"] = [ALL if m < 0 else month_names[m] for m in out["month"].tolist()]
    out["scope"] = np.where(out["district"] < 0, CITY, districts[out["district"].clip(lower=0)])
    return out[REPEAT_COLUMNS].reset_index(drop=True)


def _followed(place: np.ndarray, received: np.ndarray, closed: np.ndarray,
              window: int) -> np.ndarray:
    """True for each closed request followed within `window` ns of its closure by a receipt
    at the same place. Receipts and closures are merged into one event list sorted by
    (place, time, receipt first at equal times); the next receipt after each closure is a
    reversed running minimum of receipt positions."""
    n = len(place)
    shut = np.flatnonzero(closed >= 0)
    ev_place = np.concatenate([place, place[shut]])
    ev_time = np.concatenate([received, closed[shut]])
    ev_kind = np.concatenate([np.zeros(n, dtype=np.int8), np.ones(len(shut), dtype=np.int8)])
    order = np.lexsort((ev_kind, ev_time, ev_place))
    total = len(order)
    is_receipt = ev_kind[order] == 0
    position = np.where(is_receipt, np.arange(total), total)
    nxt = np.minimum.accumulate(position[::-1])[::-1]
    after = np.r_[nxt[1:], total]  # first receipt strictly after each event position
    rank = np.empty(total, dtype=np.int64)
    rank[order] = np.arange(total)
    at = rank[n:]  # sorted positions of the closures, in `shut` order
    j = after[at]
    found = j < total
    safe = np.where(found, j, 0)
    hit = (found & (ev_place[order][safe] == place[shut])
           & (ev_time[order][safe] - closed[shut] <= window))
    out = np.zeros(n, dtype=bool)
    out[shut] = hit
    return out


def _tally(cells: pd.DataFrame, by_month: bool, by_district: bool, calendar: np.ndarray,
           n_districts: int) -> pd.DataFrame:
    """repeated, closed, complainants for every cell of the grid (calendar months or −1 for
    'all') × (districts or −1 for 全市), zeros included.

    Counted with bincount on one integer per grid cell, and complainants by sorting
    (cell, complainant) pairs: a groupby nunique over millions of rows grows worse than
    linearly once it leaves the cache."""
    months = calendar if by_month else np.array([-1])
    districts = np.arange(n_districts) if by_district else np.array([-1])
    size = len(months) * len(districts)
    month_at = (cells["month"].to_numpy() - (calendar[0] if len(calendar) else 0)
                if by_month else np.zeros(len(cells), dtype=np.int64))
    district_at = (cells["district"].to_numpy() if by_district
                   else np.zeros(len(cells), dtype=np.int64))
    cell = month_at.astype(np.int64) * len(districts) + district_at.astype(np.int64)
    repeated = np.bincount(cell, weights=cells["repeated"].to_numpy(), minlength=size)
    closed = np.bincount(cell, minlength=size)
    who = cells["complainant"].to_numpy(dtype=float)
    named = ~np.isnan(who)
    width = int(who[named].max()) + 1 if named.any() else 1
    pairs = np.sort(cell[named] * width + who[named].astype(np.int64))
    first = np.r_[True, pairs[1:] != pairs[:-1]] if len(pairs) else pairs.astype(bool)
    # sort-based distinct pairs: numpy's unique hashes, which is slower at millions
    complainants = np.bincount(pairs[first] // width, minlength=size)
    return pd.DataFrame({
        "month": np.repeat(months, len(districts)),
        "district": np.tile(districts, len(months)),
        "repeated": np.rint(repeated).astype(np.int64),
        "closed": closed.astype(np.int64), "complainants": complainants.astype(np.int64),
        "_all": 0 if by_month else 1})

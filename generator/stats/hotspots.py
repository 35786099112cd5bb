"""重点点位: places with repeated citizen requests, published only as counts per street.

Definitions (rule in data/metrics.yml `hotspots:`, see stats.hotspots_config):
- A request *qualifies* when it and the `min_requests − 1` citizen requests before it at the
  same place (location_key) were received within `window_days` × 24 hours. A place is a
  重点点位 in a period (month, quarter, year) when at least one of its qualifying requests
  was received in that period; it may be one in several periods.
- A request is *counted* when it belongs to a qualifying window (it is the qualifying
  request or one of the `min_requests − 1` before it). It is counted once, in the period of
  the earliest qualifying request whose window holds it: the first request of a run counts
  in the period in which the place became a 重点点位 (a request on 31 January followed by one
  on 2 February makes one place with 2 requests in February, none in January). Requests at
  hotspots therefore add up over months to their quarter.
- Only citizen requests count (stats.hotspots_places says why proactive tasks do not).
- A place belongs to the street (and district) of its earliest request.
- A place-period is *persistent* when every request of its qualifying windows ending in the
  period (an earlier request that opened the window included) comes from one complainant: it
  is left out of the street table and counted per district apart, so a single persistent
  neighbour is never pointed at.
- main_category: the category with most counted requests in the row; a tie goes to the
  category listed first in the taxonomy (the column's category order; name order otherwise).
Disclosure (k = disclosure.min_complainants): a street-period row is published only when its
counted requests come from at least k distinct complainants; otherwise the row is withheld
entirely. A district's persistent places are published only when the district has at least
k of them in the period, raised by at least k distinct complainants (one person raising k
places would otherwise still be pointed at). No location_key ever leaves this module.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd

from generator.stats.hotspots_config import HotspotRule
from generator.stats.hotspots_places import (
    DAY_NS,
    PlaceRequests,
    period_codes,
    period_labels,
    place_requests,
)
from generator.stats.hotspots_protect import protect_levels

STREET_COLUMNS = ["period", "period_level", "district", "street", "street_code", "places",
                  "requests", "distinct_complainants", "main_category"]
PERSISTENT_COLUMNS = ["period", "period_level", "district", "places", "requests"]
COVERAGE_COLUMNS = ["period_level", "table", "rows", "rows_published", "places",
                    "places_published"]


@dataclass(frozen=True)
class HotspotTables:
    """The 重点点位 tables, already filtered by the k rule (rows below k are absent)."""

    by_street: pd.DataFrame
    """STREET_COLUMNS: one row per street and period with at least one (non-persistent)
    重点点位 whose requests come from ≥ k distinct complainants. hotspots.csv is this table
    without period_level (a quarter label such as 2025-Q1 tells the level)."""
    persistent_by_district: pd.DataFrame
    """PERSISTENT_COLUMNS: places raised by one complainant, per district and period, only
    where the district has ≥ k such places from ≥ k complainants."""
    coverage: pd.DataFrame
    """COVERAGE_COLUMNS: per period level and table ('by_street' / 'persistent'), rows and
    places before and after the k rule, for the data package's hidden share and the build
    log. Totals over all periods; not meant as a published table."""
    rule: HotspotRule
    k: int


def find_hotspots(frame: pd.DataFrame, rule: HotspotRule, k: int,
                  unrecorded: Collection[str] = frozenset(),
                  periods: Collection[str] | None = None) -> HotspotTables | None:
    """The 重点点位 tables of `frame` (the validated complaints frame) for rule.periods.

    `periods`, when given, limits the tables to those period labels ('2025-03', '2025-Q1'),
    e.g. to hold back provisional months; None keeps every period in the data. Returns None
    when location_key is unrecorded: every 重点点位 figure is then 未记录, not 0.
    """
    data = place_requests(frame, unrecorded)
    if data is None:
        return None
    counted = _counted(data, rule)
    streets: dict[str, pd.DataFrame] = {}
    persistent: dict[str, pd.DataFrame] = {}
    for level in rule.periods:
        rows = _request_rows(data, counted, level, rule.min_requests - 1, periods)
        streets[level] = _by_street(data, rows, level, k)
        persistent[level] = _persistent(data, rows, level, k)
    streets = protect_levels(streets, "street_code")
    persistent = protect_levels(persistent, "district")
    coverage = [row for level in rule.periods for row in (
        _coverage(streets[level], level, "by_street"),
        _coverage(persistent[level], level, "persistent"))]
    return HotspotTables(
        by_street=_stack(list(streets.values()), STREET_COLUMNS),
        persistent_by_district=_stack(list(persistent.values()), PERSISTENT_COLUMNS),
        coverage=pd.DataFrame(coverage, columns=COVERAGE_COLUMNS),
        rule=rule, k=k,
    )


def _counted(data: PlaceRequests, rule: HotspotRule) -> np.ndarray:
    """For each request, the position of the earliest qualifying request whose window holds
    it, or −1 when it belongs to no qualifying window."""
    n, lag = len(data.place), rule.min_requests - 1
    qualifies = np.zeros(n, dtype=bool)
    if n > lag:
        qualifies[lag:] = ((data.place[lag:] == data.place[:-lag])
                           & (data.received[lag:] - data.received[:-lag]
                              <= rule.window_days * DAY_NS))
    owner = np.full(n, -1, dtype=np.int64)
    # A window ending at request j holds requests j−lag … j (all at j's place, since j
    # qualifies); the smallest offset wins, so it is written last.
    for offset in range(lag, -1, -1):
        ends = np.flatnonzero(qualifies[offset:]) + offset
        owner[ends - offset] = ends
    return owner


def _request_rows(data: PlaceRequests, owner: np.ndarray, level: str, lag: int,
                  periods: Collection[str] | None) -> pd.DataFrame:
    """One row per counted request: period label, place, home street, district, category,
    complainant, and whether its place-period is persistent."""
    idx = np.flatnonzero(owner >= 0)
    home = data.home[idx]
    rows = pd.DataFrame({
        "period": period_labels(period_codes(data.received[owner[idx]], level), level),
        "place": data.place[idx],
        "street": data.street[home],
        "district": data.district[home],
        "category": data.category[idx],
        "complainant": data.complainant[idx],
        "home": home,
    })
    # Persistent: every request of every qualifying window ending in the period, including
    # those counted in an earlier period, comes from one complainant.
    ends = np.flatnonzero(owner == np.arange(len(owner)))
    members = np.concatenate([ends - offset for offset in range(lag + 1)])
    windows = pd.DataFrame({
        "period": np.tile(period_labels(period_codes(data.received[ends], level), level),
                          lag + 1),
        "place": data.place[members],
        "complainant": data.complainant[members],
    })
    who = windows.groupby(["period", "place"])["complainant"].nunique().rename("_who")
    rows = rows.join(who, on=["period", "place"])
    if periods is not None:
        rows = rows[rows["period"].isin(list(periods))]
    return rows.assign(persistent=rows["_who"].to_numpy() <= 1).drop(columns="_who")


def _by_street(data: PlaceRequests, rows: pd.DataFrame, level: str, k: int) -> pd.DataFrame:
    """Every street-period row with a non-persistent hotspot; `shown` is the k rule."""
    many = rows[~rows["persistent"]]
    keys = ["period", "street"]
    grouped = many.groupby(keys, sort=True)
    table = pd.DataFrame({
        "places": grouped["place"].nunique(),
        "requests": grouped.size(),
        "distinct_complainants": grouped["complainant"].nunique(),
        "home": grouped["home"].first(),
    })
    per_category = many.groupby([*keys, "category"]).size().rename("n").reset_index()
    main = (per_category.sort_values([*keys, "n", "category"],
                                     ascending=[True, True, False, True], kind="stable")
            .drop_duplicates(keys).set_index(keys)["category"])
    table = table.join(main).reset_index()
    home = table["home"].to_numpy(dtype=np.int64)
    return pd.DataFrame({
        "period": table["period"].to_numpy(dtype=object),
        "period_level": level,
        "district": np.array(data.districts, dtype=object)[data.district[home]],
        "street": data.street_names[home],
        "street_code": np.array(data.street_codes, dtype=object)[table["street"].to_numpy()],
        "places": table["places"].to_numpy(dtype=np.int64),
        "requests": table["requests"].to_numpy(dtype=np.int64),
        "distinct_complainants": table["distinct_complainants"].to_numpy(dtype=np.int64),
        "main_category": np.array(data.categories, dtype=object)[table["category"].to_numpy()],
        "shown": table["distinct_complainants"].to_numpy() >= k,
    }).sort_values(["period", "street_code"], kind="stable").reset_index(drop=True)


def _persistent(data: PlaceRequests, rows: pd.DataFrame, level: str, k: int) -> pd.DataFrame:
    """Every district-period row with persistent places; `shown` is the k rule."""
    alone = rows[rows["persistent"]]
    grouped = alone.groupby(["period", "district"], sort=True)
    table = pd.DataFrame({
        "places": grouped["place"].nunique(),
        "requests": grouped.size(),
        "complainants": grouped["complainant"].nunique(),
    }).reset_index()
    return pd.DataFrame({
        "period": table["period"].to_numpy(dtype=object),
        "period_level": level,
        "district": np.array(data.districts, dtype=object)[table["district"].to_numpy()],
        "places": table["places"].to_numpy(dtype=np.int64),
        "requests": table["requests"].to_numpy(dtype=np.int64),
        "shown": (table["places"].to_numpy() >= k) & (table["complainants"].to_numpy() >= k),
    })


def _coverage(table: pd.DataFrame, level: str, name: str) -> list[object]:
    shown = table["shown"].to_numpy(dtype=bool)
    return [level, name, len(table), int(shown.sum()), int(table["places"].sum()),
            int(table["places"][shown].sum())]


def _stack(tables: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    """The shown rows of every level, in rule order (finest first)."""
    if not tables:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    out = pd.concat(tables, ignore_index=True)
    return out.loc[out["shown"].to_numpy(dtype=bool), columns].reset_index(drop=True)

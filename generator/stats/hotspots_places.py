"""Citizen requests as integer arrays sorted by place and receipt time (重点点位, repeat rate).

Both measures look at one place's requests in time order, so the frame is turned once into
numpy arrays sorted by (place, received_at); every later step is a shift or a group-by on
those arrays, never a loop over rows. Only citizen requests (source 市民诉求) count: a
proactive task (主动治理) is the bureau's own inspection, not a report that a place keeps
troubling people, and it has no complainant to tell one persistent neighbour from many.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd

from generator.stats.columns import text_at

CITIZEN = "市民诉求"
CLOSED = "已办结"
DAY_NS = 86_400 * 10**9


@dataclass(frozen=True)
class PlaceRequests:
    """Citizen requests that name a place, sorted by (place, received). Arrays share length."""

    place: np.ndarray
    """int64 code of location_key (never published)."""
    received: np.ndarray
    """int64 nanoseconds of received_at (local time)."""
    closed: np.ndarray
    """int64 nanoseconds of closed_at; -1 where the request is not closed (办理中 or NaT)."""
    complainant: np.ndarray
    """float64 complainant code; NaN where the export leaves it empty (then not counted)."""
    category: np.ndarray
    """int64 code into `categories` (taxonomy order when the column is categorical)."""
    district: np.ndarray
    """int64 code into `districts`, taken from the request itself."""
    home: np.ndarray
    """int64 position (in these arrays) of the place's earliest request: a place belongs to
    the street of its earliest request, so a place never splits across streets."""
    categories: tuple[str, ...]
    districts: tuple[str, ...]
    street_codes: tuple[str, ...]
    street_names: np.ndarray
    """object array: street name of each request."""
    street: np.ndarray
    """int64 code into `street_codes`."""


def location_unrecorded(frame: pd.DataFrame, unrecorded: Collection[str]) -> bool:
    """True when no place can be told: location_key declared unrecorded, absent or all empty."""
    return ("location_key" in unrecorded or "location_key" not in frame.columns
            or not bool(frame["location_key"].notna().any()))


def codes_of(series: pd.Series) -> tuple[np.ndarray, tuple[str, ...]]:
    """Integer codes and their labels: a category's own order (the taxonomy's or the
    reference's), otherwise the sorted values, so ties can be broken deterministically."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return (series.cat.codes.to_numpy(dtype=np.int64),
                tuple(str(c) for c in series.cat.categories))
    codes, uniques = pd.factorize(series.astype(object), sort=True)
    return codes.astype(np.int64), tuple(str(u) for u in uniques)


def place_requests(frame: pd.DataFrame, unrecorded: Collection[str]) -> PlaceRequests | None:
    """The citizen requests with a location_key, sorted; None when locations are unrecorded.

    Without caller identity (complainant_key in `unrecorded`) each citizen request counts as
    its own complainant, as everywhere in the statistics (stats.prepare).
    """
    if location_unrecorded(frame, unrecorded):
        return None
    keep = ((frame["source"] == CITIZEN).to_numpy(dtype=bool)
            & frame["location_key"].notna().to_numpy(dtype=bool))
    sub = frame.loc[keep]
    place, _ = pd.factorize(sub["location_key"])
    received = sub["received_at"].to_numpy(dtype="datetime64[ns]").astype(np.int64)
    closed_at = sub["closed_at"]
    is_closed = (sub["status"] == CLOSED).to_numpy(dtype=bool) & closed_at.notna().to_numpy()
    closed = np.where(is_closed, closed_at.to_numpy(dtype="datetime64[ns]").astype(np.int64),
                      -1)
    if "complainant_key" in unrecorded:
        complainant = np.arange(len(sub), dtype=np.float64)
    else:
        who, _ = pd.factorize(sub["complainant_key"], use_na_sentinel=True)
        complainant = np.where(who >= 0, who, np.nan)
    category, categories = codes_of(sub["category"])
    district, districts = codes_of(sub["district"])
    street, street_codes = codes_of(sub["street_code"])
    order = np.lexsort((received, place))
    place = place[order].astype(np.int64)
    starts = np.flatnonzero(np.r_[True, place[1:] != place[:-1]]) if len(place) else place
    home = np.repeat(starts, np.diff(np.r_[starts, len(place)]))
    return PlaceRequests(
        place=place, received=received[order], closed=closed[order],
        complainant=complainant[order], category=category[order], district=district[order],
        home=home, categories=categories, districts=districts, street_codes=street_codes,
        street_names=text_at(sub["street"], order), street=street[order],
    )


def period_codes(nanoseconds: np.ndarray, level: str) -> np.ndarray:
    """Calendar period of each timestamp as an int: months, quarters or years since 1970."""
    months = nanoseconds.astype("datetime64[ns]").astype("datetime64[M]").astype(np.int64)
    return {"month": months, "quarter": months // 3, "year": months // 12}[level]


def period_label(code: int, level: str) -> str:
    """'2025-03' (month), '2025-Q1' (quarter) or '2025' (year) for a code of period_codes."""
    if level == "month":
        return f"{1970 + code // 12:04d}-{code % 12 + 1:02d}"
    if level == "quarter":
        return f"{1970 + code // 4:04d}-Q{code % 4 + 1}"
    return f"{1970 + code:04d}"


def period_labels(codes: np.ndarray, level: str) -> np.ndarray:
    """Labels for an array of period codes (each distinct code is formatted once)."""
    uniques, inverse = np.unique(codes, return_inverse=True)
    labels = np.array([period_label(int(c), level) for c in uniques], dtype=object)
    return labels[inverse.reshape(-1)]

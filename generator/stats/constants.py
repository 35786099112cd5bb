"""What earlier releases published, as cube cells: constants an attacker remembers.

Every earlier release's record (stats.history) lists what it published. Its count cells are
read back here as canonical cells (stats.cells KEYS): a cell an earlier release hid stays
hidden (its pattern is frozen); a cell it published is a constant of the attacker's model,
whether this release publishes the same cell (it must then keep it visible) or not (the
cumulative figures of earlier releases: 'all', a year to date, an earlier ranking window,
recorded as intervals of months). A constant the current data no longer give (a corrected
record) cannot be kept: it is dropped from the model and listed as a revision on 本次更新.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pandas as pd

from generator.reference import Reference
from generator.stats.cells import CITY, CITY_CODE, KEYS
from generator.stats.history import ReleaseHistory
from generator.stats.marks import CSV_HIDDEN

HISTORY_COLUMNS = [*KEYS, "value", "hidden"]
"""KEYS, the recorded value (NaN when hidden) and whether it was hidden."""

Keyer = Callable[[dict[str, str]], tuple[str, ...] | None]


def _region(row: dict[str, str]) -> str:
    return CITY_CODE if row.get("scope") == CITY or row.get("scope_code") == CITY_CODE \
        else row["scope_code"]


def _keyers(ref: Reference) -> dict[str, tuple[str, str, Keyer]]:
    """Per cube table: its period column, its count column and the cell of a row."""
    district = {d.name: d.code for d in ref.districts}
    return {
        "kpis": ("period", "value", lambda r: (r["period"], _region(r), "all")
                 if r.get("metric") == "total" else None),
        "counts_by_month": ("month", "count", lambda r: (
            r["month"], district.get(r["district"], r["district"]), "c:" + r["category"])),
        "district_categories": ("period", "count", lambda r: (
            r["period"], r["district_code"], "c:" + r["category"])),
        "monthly_elements": ("period", "count", lambda r: (
            r["period"], CITY_CODE, "e:" + r["element"])),
        "monthly_categories": ("period", "count", lambda r: (
            r["period"], CITY_CODE, "c:" + r["category"])),
        # Side tables (their systems in stats.breakdowns): the side values in the side key.
        "weekly": ("period", "count", lambda r: (r["period"], CITY_CODE, "e:" + r["element"])),
        "by_channel": ("period", "count", lambda r: (
            r["period"], _region(r), "all", f"channel={r['channel']}")),
        "by_source": ("period", "count", lambda r: (
            r["period"], _region(r), "all", f"source={r['source']}")),
        "by_tier": ("period", "count", lambda r: (
            r["period"], _region(r), "all", f"handling_level={r['handling_level']}")),
        "hour_weekday": ("period", "count", lambda r: (
            r["period"], CITY_CODE, "e:" + r["element"],
            f"weekday={r['weekday']}|hour={r['hour']}")),
    }


def history_cells(history: ReleaseHistory, ref: Reference) -> pd.DataFrame:
    """Every count cell earlier releases published, the latest release's token winning."""
    return _collect(history, _keyers(ref))


MEASURE_METRICS = {"valid": "responded_rate", "closed": "ontime_rate"}
"""The kpis metric whose n is a denominator family's count (有效回访 or 已办结)."""


def family_cells(history: ReleaseHistory | None, ref: Reference, family: str
                 ) -> pd.DataFrame | None:
    """The constants of a count family outside the cube: a kpis denominator ('valid',
    'closed': the n of its rates), the closed counts of handling_times by urgency class
    ('handling') or the closed denominators of repeat_rate ('repeat')."""
    if history is None:
        return None
    district = {d.name: d.code for d in ref.districts} | {CITY: CITY_CODE}
    keyers: dict[str, tuple[str, str, Keyer]]
    if family in MEASURE_METRICS:
        metric = MEASURE_METRICS[family]
        keyers = {"kpis": ("period", "n", lambda r: (r["period"], _region(r), "all")
                           if r.get("metric") == metric else None)}
    elif family == "handling":
        keyers = {"handling_times": ("period", "closed", lambda r: (
            r["period"], district.get(r["scope"], r["scope"]), "all",
            f"urgency={r['urgency']}"))}
    else:
        keyers = {"repeat_rate": ("period", "closed", lambda r: (
            r["period"], district.get(r["scope"], r["scope"]), "all"))}
    return _collect(history, keyers)


def _collect(history: ReleaseHistory, keyers: dict[str, tuple[str, str, Keyer]]
             ) -> pd.DataFrame:
    rows: dict[tuple[str, str, str, str], tuple[float, bool]] = {}
    for record in history.records:
        for name, (_, column, keyer) in keyers.items():
            table = record.tables.get(name)
            if table is None or column not in table.measures:
                continue
            at = table.measures.index(column)
            for key, values in table.rows.items():
                cell = keyer(dict(zip(table.keys, key, strict=True)))
                if cell is None:
                    continue
                token = values[at]
                number = _number(token)
                if number is None and token != CSV_HIDDEN:
                    continue  # NA or unrecorded: nothing known
                full = (*cell, "") if len(cell) == 3 else cell
                rows[(full[0], full[1], full[2], full[3])] = (
                    float("nan") if number is None else number, token == CSV_HIDDEN)
    return pd.DataFrame([(*k, v, h) for k, (v, h) in rows.items()], columns=HISTORY_COLUMNS)


def _number(token: str) -> float | None:
    try:
        return float(token)
    except ValueError:
        return None


def of_side(history: pd.DataFrame | None, side: tuple[str, ...], week: bool) -> pd.DataFrame | None:
    """The constants of one side table's system: its side values, or for the week parts
    (no side key) the rows whose period is a week part."""
    if history is None or not len(history):
        return None
    if week:
        chosen = history["time_key"].str.fullmatch(r"\d{4}-\d{2}-\d{2}")
    else:
        prefix = "|".join(f"{d}=" for d in side)
        chosen = history["side_key"].str.replace(r"=[^|]*", "=", regex=True) == prefix
    return history[chosen.to_numpy(dtype=bool)].reset_index(drop=True)


def split(history: pd.DataFrame, street_codes: set[str]) -> Iterator[pd.DataFrame]:
    """The district branch's and the street branch's constants (stats.protection)."""
    street = history["region_key"].isin(street_codes)
    yield history[~street].reset_index(drop=True)
    yield history[street].reset_index(drop=True)

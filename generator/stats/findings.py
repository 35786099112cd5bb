"""The analyses beyond counts, as published tables: 重点点位, the repeat rate, early warnings,
handling times, rankings and 每月一题.

Each comes from its own module (hotspots, early_warning, handling, ranking); here they are
put on the published calendar and made consistent with what the cube publishes: a street's
hotspot or warning row appears only where the street's total for that quarter is published,
and warning counts are cells of the cube (stats.breakdowns hides them together with it).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd

from generator.config import MetricsConfig
from generator.reference import Reference
from generator.stats.cells import CITY, CITY_CODE
from generator.stats.early_warning import detect_warnings
from generator.stats.handling import Grouping, handling_times
from generator.stats.hotspots import find_hotspots
from generator.stats.hotspots_repeat import repeat_rate
from generator.stats.marks import HIDDEN, NOT_APPLICABLE, UNRECORDED, is_mark, published
from generator.stats.metrics import wilson
from generator.stats.periods import (
    ALL,
    Calendar,
    months_of_quarter,
    period_columns,
    quarter_of,
)
from generator.stats.protection import WEIGHT, hide
from generator.stats.ranking import rank_units

HOTSPOT_COLUMNS = ["period", "district", "street", "street_code", "places", "requests",
                   "distinct_complainants", "main_category"]
WARNING_COLUMNS = ["detected_on", "district", "street", "street_code", "category", "observed",
                   "expected", "rule"]


@dataclass(frozen=True)
class Findings:
    """Published tables of the analyses (numbers or marks), by CSV name."""

    hotspots: pd.DataFrame
    """hotspots.csv: HOTSPOT_COLUMNS."""
    hotspots_persistent: pd.DataFrame
    """Places raised by one persistent complainant, per district: period, district, places,
    requests."""
    warnings: pd.DataFrame
    """warnings.csv: WARNING_COLUMNS (plus period, the month tested)."""
    warning_cells: pd.DataFrame
    """The warnings' observed counts as cube cells (KEYS, count, complainants)."""
    repeat: pd.DataFrame
    """repeat_rate.csv: period (month of closure or all), scope, repeated, closed, value,
    ci_low, ci_high."""
    handling: pd.DataFrame
    """handling_times.csv (stats.handling COLUMNS)."""


def _quarter_label(label: str) -> str:
    """hotspots label quarters 'YYYY-Qn'; the published calendar writes 'YYYYQn'."""
    return label.replace("-Q", "Q")


def find(frame: pd.DataFrame, metrics: MetricsConfig, ref: Reference, calendar: Calendar,
         unrecorded: Collection[str], repeat_history: pd.DataFrame | None = None
         ) -> Findings:
    """The analyses beyond counts; `repeat_history`: repeat_rate's denominators as earlier
    releases published them (stats.constants.family_cells 'repeat')."""
    k = metrics.min_complainants
    spots = find_hotspots(frame, metrics.hotspots, k, unrecorded)
    if spots is None:
        hotspots = pd.DataFrame(columns=HOTSPOT_COLUMNS)
        persistent = pd.DataFrame(columns=["period", "district", "places", "requests"])
    else:
        hotspots = spots.by_street.assign(period=lambda t: t["period"].map(_quarter_label))
        hotspots = hotspots[HOTSPOT_COLUMNS].reset_index(drop=True)
        persistent = spots.persistent_by_district.assign(
            period=lambda t: t["period"].map(_quarter_label))[
            ["period", "district", "places", "requests"]].reset_index(drop=True)
    raw_warnings = detect_warnings(frame, metrics.warnings, k, frozenset(unrecorded),
                                   list(calendar.months))
    subject = "category" if "category" in raw_warnings else "element"
    cells = pd.DataFrame({
        "time_key": raw_warnings["period"].astype(str),
        "region_key": raw_warnings["street_code"].astype(str),
        "subject_key": ("c:" if subject == "category" else "e:")
        + raw_warnings[subject].astype(str),
        "side_key": "",
        "count": raw_warnings["observed"].astype("int64"),
        "complainants": raw_warnings["complainants"].astype("int64"),
    })
    warnings = raw_warnings.drop(columns=["complainants"]).rename(columns={subject: "category"})
    return Findings(
        hotspots=hotspots,
        hotspots_persistent=persistent,
        warnings=warnings[[*WARNING_COLUMNS, "period"]].reset_index(drop=True),
        warning_cells=cells.reset_index(drop=True),
        repeat=_repeat(frame, metrics, ref, k, unrecorded, repeat_history),
        handling=_handling(frame, metrics, ref, calendar, unrecorded),
    )


def only_published_streets(table: pd.DataFrame, street_totals: pd.DataFrame) -> pd.DataFrame:
    """Rows of `table` whose street total is published for the quarter holding the row's
    period (street totals are published by quarter, stats.metrics KPI_CUTS)."""
    if not len(table) or not len(street_totals):
        return table.iloc[:0].reset_index(drop=True)
    shown = np.array([v is not HIDDEN for v in street_totals["value"]], dtype=bool)
    visible = street_totals[shown]
    known = set(zip(visible["period"], visible["scope_code"], strict=True))
    periods = table["period"].astype(str)
    quarters = periods.map(lambda p: p if "Q" in p else quarter_of(p[:7]))
    keep = [(q, str(c)) in known for q, c in zip(quarters, table["street_code"], strict=True)]
    return table[np.asarray(keep, dtype=bool)].reset_index(drop=True)


def only_final(table: pd.DataFrame, provisional: Collection[str]) -> pd.DataFrame:
    """Rows whose period (a month or a quarter) holds no provisional month (初步数据): fine
    figures are held back until final, so releases never revise them."""
    held = set(provisional)

    def final(period: str) -> bool:
        months = months_of_quarter(period) if "Q" in period else [period[:7]]
        return not held & set(months)

    keep = [final(str(p)) for p in table["period"]]
    return table[np.asarray(keep, dtype=bool)].reset_index(drop=True)


def _hide_repeat(table: pd.DataFrame, ref: Reference, k: int,
                 history: pd.DataFrame | None = None) -> np.ndarray:
    """The denominators (closed requests by closure month and district) add up to the city
    and to the whole period: protected as their own family, the district-months as atoms;
    `history`: the denominators earlier releases published (family_cells 'repeat')."""
    code = {d.name: d.code for d in ref.districts}
    region = table["scope"].map(lambda s: CITY_CODE if s == CITY else code.get(s, s))
    cells = pd.DataFrame({"time_key": table["period"].astype(str),
                          "region_key": region.astype(str), "subject_key": "all",
                          "side_key": "", "count": table["closed"].astype("int64"),
                          "complainants": table["complainants"].astype("int64")})
    atoms = cells[(cells["region_key"] != CITY_CODE) & (cells["time_key"] != ALL)
                  & (cells["count"] > 0)]
    units = pd.DataFrame({"month": atoms["time_key"], "district_code": atoms["region_key"],
                          WEIGHT: atoms["count"]})  # one row per district-month
    units["quarter"] = units["month"].map(quarter_of)
    units["year"] = units["month"].str[:4]
    return hide(cells, units, k, (), streets=False, history=history)


def _repeat(frame: pd.DataFrame, metrics: MetricsConfig, ref: Reference, k: int,
            unrecorded: Collection[str], history: pd.DataFrame | None = None
            ) -> pd.DataFrame:
    columns = ["period", "scope", "repeated", "closed", "value", "ci_low", "ci_high"]
    end = pd.Timestamp(frame["received_at"].max())
    table = repeat_rate(frame, metrics.hotspots.window_days, end, unrecorded)
    if table is None:  # no location recorded: 未记录, never 0
        row = {c: UNRECORDED for c in columns} | {"period": ALL, "scope": CITY}
        return pd.DataFrame([row], columns=columns)
    repeated = table["repeated"].astype(float)
    closed = table["closed"].astype(float)
    hidden = _hide_repeat(table, ref, k, history)
    low, high = wilson(repeated, closed)
    out = table[["period", "scope"]].copy()
    out["repeated"] = published(repeated, hidden, integer=True).to_numpy()
    out["closed"] = published(closed, hidden, integer=True).to_numpy()
    out["value"] = published(repeated / closed.where(closed > 0), hidden).to_numpy()
    out["ci_low"] = published(low, hidden).to_numpy()
    out["ci_high"] = published(high, hidden).to_numpy()
    return out


def _handling(frame: pd.DataFrame, metrics: MetricsConfig, ref: Reference,
              calendar: Calendar, unrecorded: Collection[str]) -> pd.DataFrame:
    quarters = period_columns(frame["received_at"])["quarter"].set_axis(frame.index)
    groupings = [Grouping(ALL, CITY),
                 Grouping(quarters, CITY, periods=list(calendar.quarters)),
                 Grouping(ALL, frame["district"], scopes=[d.name for d in ref.districts])]
    return handling_times(frame, groupings, deadlines_hours=metrics.deadlines_hours,
                          k=metrics.min_complainants, unrecorded=unrecorded)


def hide_handling(table: pd.DataFrame, mask: pd.DataFrame) -> pd.DataFrame:
    """handling_times with the cells the closed-count family hides marked as well (on top of
    the module's own k rule on all, closed and contacted requests)."""
    keys = ["period", "scope", "urgency"]
    hidden = table[keys].astype(str).merge(mask.astype({c: str for c in keys}), on=keys,
                                           how="left")["hidden"].fillna(False).to_numpy(bool)
    out = table.copy()
    for column in out.columns:
        if column in (*keys, "deadline_h"):
            continue
        out[column] = pd.Series([HIDDEN if h and v is not UNRECORDED else v
                                 for v, h in zip(out[column], hidden, strict=True)],
                                index=out.index, dtype=object)
    return out


def rankings(kpis: pd.DataFrame, ref: Reference, calendar: Calendar, metrics: MetricsConfig
             ) -> dict[str, pd.DataFrame]:
    """district_ranking.csv and street_ranking.csv over the ranking window."""
    label = calendar.window_label
    rule = metrics.ranking
    if label is None:
        return {}
    window = kpis[kpis["period"] == label]

    def units(level: str) -> pd.DataFrame:
        rows = window[window["scope_level"] == level]
        wide = rows.pivot(index="scope_code", columns="metric", values="value")
        score = rows[rows["metric"] == "composite_score"].set_index("scope_code")
        info = rows.drop_duplicates("scope_code").set_index("scope_code")
        return pd.DataFrame({
            "district": info["district"], "scope": info["scope"],
            "count": wide["total"].map(lambda v: v if is_mark(v) else int(v)).astype(object),
            "composite_score": wide["composite_score"],
            "n": score["n"], "ci_low": score["ci_low"], "ci_high": score["ci_high"],
        }).reset_index()

    districts = units("district").rename(columns={"scope_code": "district_code"}).drop(
        columns="scope")
    population = {d.code: d.population_k for d in ref.districts}
    per_10k = []
    for code, count in zip(districts["district_code"], districts["count"], strict=True):
        pop = population.get(code)
        per_10k.append(count if is_mark(count) else (
            NOT_APPLICABLE if not pop else round(float(count) / (pop / 10), 2)))
    by_score = rank_units(districts, by="composite_score", min_volume=rule.min_requests,
                          precision=rule.precision, keys=["district", "district_code"])
    marks = pd.Series([NOT_APPLICABLE] * len(districts), index=districts.index, dtype=object)
    volume = districts.assign(per_10k=pd.Series(per_10k, index=districts.index, dtype=object),
                              ci_low=marks, ci_high=marks)
    by_volume = rank_units(volume.drop(columns="composite_score"), by="per_10k",
                           min_volume=rule.min_requests, precision=2,
                           keys=["district", "district_code"])
    streets = units("street").rename(columns={"scope": "street", "scope_code": "street_code"})
    by_street = rank_units(streets, by="composite_score", min_volume=rule.min_requests,
                           precision=rule.precision, keys=["district", "street", "street_code"])
    district_table = pd.concat([
        by_score.rename(columns={"composite_score": "value"}).assign(ranking="composite_score"),
        by_volume.rename(columns={"per_10k": "value"}).assign(ranking="per_10k"),
    ], ignore_index=True)
    district_table["window"] = label
    by_street["window"] = label
    return {
        "district_ranking": district_table[
            ["ranking", "window", "rank", "tied", "status", "district", "district_code",
             "count", "value", "n", "ci_low", "ci_high"]],
        "street_ranking": by_street[
            ["window", "rank", "tied", "status", "district", "street", "street_code", "count",
             "composite_score", "n", "ci_low", "ci_high"]],
    }


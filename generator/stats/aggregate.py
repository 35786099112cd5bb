"""The aggregate stage: every published table, computed once and shared by pages and CSVs."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from generator.config import MetricsConfig
from generator.reference import Reference
from generator.stats.breakdowns import counts_by_month, share_table, suppressed_counts
from generator.stats.metrics import ALL, CITY, kpi_table
from generator.stats.prepare import prepare

RATE_METRICS = ("responded_rate", "resolved_rate", "satisfied_rate", "composite_score",
                "ontime_rate")


@dataclass(frozen=True)
class Aggregates:
    """Published tables. Every table shown on the site is one of these (and a CSV)."""

    kpis: pd.DataFrame
    """period, scope, metric, value, numerator, denominator (see stats.metrics)."""
    counts_by_month: pd.DataFrame
    """month, district, element, category, count."""
    by_element: pd.DataFrame
    """element, count, share, latest_month, previous_month."""
    by_category: pd.DataFrame
    """element, category, count, share, latest_month, previous_month."""
    by_district: pd.DataFrame
    """district, district_code, population_k, count, per_10k, the rates, latest_month."""
    monthly: pd.DataFrame
    """month, total and the rates for the whole city."""
    months: tuple[str, ...]
    records: int

    @property
    def latest_month(self) -> str:
        return self.months[-1]

    @property
    def previous_month(self) -> str | None:
        return self.months[-2] if len(self.months) > 1 else None


def aggregate(frame: pd.DataFrame, metrics: MetricsConfig, ref: Reference) -> Aggregates:
    prep = prepare(frame, metrics)
    k = metrics.min_complainants
    months = tuple(str(m) for m in prep["month"].cat.categories)
    kpis = kpi_table(prep, metrics)
    latest, previous = months[-1], (months[-2] if len(months) > 1 else None)
    by_element = _with_months(prep, ["element"], [], k, latest, previous)
    by_element = _in_order(by_element, "element", list(ref.elements))
    by_category = _with_months(prep, ["element", "category"], ["element"], k, latest, previous)
    by_category = _in_order(by_category, "category", [c.name for c in ref.categories])
    return Aggregates(
        kpis=kpis,
        counts_by_month=counts_by_month(prep, k),
        by_element=by_element,
        by_category=by_category,
        by_district=_by_district(kpis, ref, latest),
        monthly=_pivot(kpis[kpis["scope"] == CITY], "period", months).rename(
            columns={"period": "month"}),
        months=months,
        records=len(frame),
    )


def _with_months(prep: pd.DataFrame, keys: list[str], margins: list[str], k: int, latest: str,
                 previous: str | None) -> pd.DataFrame:
    table = share_table(prep, keys, k, margins)
    for label, month in (("latest_month", latest), ("previous_month", previous)):
        in_month = prep[prep["month"] == month] if month else prep.iloc[:0]
        if in_month.empty:
            table[label] = pd.array([pd.NA] * len(table), dtype="Int64")
            continue
        part = suppressed_counts(in_month, keys, k, margins).rename(columns={"count": label})
        table = table.merge(part[[*keys, label]], on=keys, how="left", indicator=True)
        # Absent from the month means zero requests, not a hidden count.
        table.loc[table["_merge"] == "left_only", label] = 0
        table = table.drop(columns=["_merge"])
    for col in keys:
        table[col] = table[col].astype(str)
    return table


def _in_order(table: pd.DataFrame, column: str, order: list[str]) -> pd.DataFrame:
    rank = {name: i for i, name in enumerate(order)}
    return table.sort_values(column, key=lambda s: s.map(rank)).reset_index(drop=True)


def _pivot(kpis: pd.DataFrame, key: str, order: tuple[str, ...] | list[str]) -> pd.DataFrame:
    wide = kpis.pivot(index=key, columns="metric", values="value")
    wide = wide.reindex([o for o in order if o in wide.index])
    wide = wide.rename(columns={"total": "count"})
    wide["count"] = wide["count"].astype("Int64")
    return wide[["count", *RATE_METRICS]].reset_index()


def _by_district(kpis: pd.DataFrame, ref: Reference, latest: str) -> pd.DataFrame:
    names = [d.name for d in ref.districts]
    table = _pivot(kpis[(kpis["period"] == ALL) & (kpis["scope"] != CITY)], "scope", names)
    table = table.rename(columns={"scope": "district"})
    info = pd.DataFrame([(d.name, d.code, d.population_k) for d in ref.districts],
                        columns=["district", "district_code", "population_k"])
    table = info.merge(table, on="district", how="inner")
    table["per_10k"] = (table["count"].astype("Float64") / (table["population_k"] / 10)).round(2)
    month = kpis[(kpis["period"] == latest) & (kpis["metric"] == "total")]
    latest_counts = month.set_index("scope")["value"]
    table["latest_month"] = table["district"].map(latest_counts).astype("Int64")
    return table[["district", "district_code", "population_k", "count", "per_10k",
                  *RATE_METRICS, "latest_month"]]

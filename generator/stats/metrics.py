"""The published measures (kpis.csv): totals, the three rates, composite score, on-time rate.

Definitions (data/metrics.yml; shown on the methodology page):
- total: records received in the period (citizen requests and proactive tasks).
- 响应率 responded_rate = contacted / 有效回访; 解决率 resolved_rate = resolved / 有效回访;
  满意率 satisfied_rate = (满意 + w·基本满意) / 有效回访, where 有效回访 counts closed citizen
  requests with a valid follow-up call.
- composite_score = Σ weight × rate × 100.
- ontime_rate = closed within the urgency class's deadline / closed.
Periods are months of receipt ('YYYY-MM') and 'all'; scopes are 全市 and each district.
A measure needing a field the export does not record (FIELDS_NEEDED) is UNRECORDED in every
cell, never 0.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
import pandas as pd

from generator.config import MetricsConfig
from generator.stats.disclosure import complementary, primary
from generator.stats.marks import NOT_APPLICABLE, Mark, published

METRICS = ("total", "responded_rate", "resolved_rate", "satisfied_rate", "composite_score",
           "ontime_rate")
RATE_PARTS = {
    "responded_rate": "contacted_ok",
    "resolved_rate": "resolved_ok",
    "satisfied_rate": "satisfied_score",
}
SUMMED = ("record", "valid", "contacted_ok", "resolved_ok", "satisfied_score", "closed", "ontime")
CITY = "全市"
ALL = "all"
_FOLLOW_UP = frozenset({"revisit_valid"})
FIELDS_NEEDED: dict[str, frozenset[str]] = {
    "total": frozenset(),
    "responded_rate": _FOLLOW_UP | {"contacted"},
    "resolved_rate": _FOLLOW_UP | {"resolved"},
    "satisfied_rate": _FOLLOW_UP | {"satisfaction"},
    "composite_score": _FOLLOW_UP | {"contacted", "resolved", "satisfaction"},
    "ontime_rate": frozenset({"closed_at"}),
}
"""Contract fields each measure is computed from, beyond those every record must have."""


def unrecorded_metrics(unrecorded: Collection[str]) -> frozenset[str]:
    """The measures that need a field in `unrecorded` (published as UNRECORDED)."""
    return frozenset(m for m, needed in FIELDS_NEEDED.items() if needed & set(unrecorded))


def group_sums(prep: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """Sums of the flags plus distinct complainants (all, and behind 有效回访) per group."""
    valid_keys = prep["complainant_key"].where(prep["valid"] == 1)
    work = prep.assign(valid_complainant=valid_keys)
    if keys:
        grouped = work.groupby(list(keys), observed=True)
        out = grouped[list(SUMMED)].sum()
        out["complainants"] = grouped["complainant_key"].nunique()
        out["valid_complainants"] = grouped["valid_complainant"].nunique()
        return out.reset_index()
    row = {c: work[c].sum() for c in SUMMED}
    row["complainants"] = work["complainant_key"].nunique()
    row["valid_complainants"] = work["valid_complainant"].nunique()
    return pd.DataFrame([row])


def kpi_table(prep: pd.DataFrame, metrics: MetricsConfig, months: Sequence[str],
              districts: Sequence[str], unrecorded: Collection[str] = frozenset()
              ) -> pd.DataFrame:
    """kpis.csv in long form: period, scope, metric, value, numerator, denominator.

    Every calendar month and every district of the reference has its rows (0 records when
    nothing was received). Cells hold numbers or marks (stats.marks); the measures needing a
    field in `unrecorded` hold UNRECORDED.
    """
    missing = unrecorded_metrics(unrecorded)
    parts = []
    for keys in (["month", "district"], ["month"], ["district"], []):
        sums = group_sums(prep, keys)
        sums["period"] = sums["month"].astype(str) if "month" in keys else ALL
        sums["scope"] = sums["district"].astype(str) if "district" in keys else CITY
        parts.append(sums.drop(columns=[k for k in keys]))
    wide = _complete(pd.concat(parts, ignore_index=True), months, districts)
    k = metrics.min_complainants
    # Totals: district cells add up to the city, months add up to 'all'.
    hide_total = complementary(wide, "record", primary(wide["complainants"], k),
                               [["period"], ["scope"]])
    hide_rates = complementary(wide, "valid", primary(wide["valid_complainants"], k),
                               [["period"], ["scope"]])
    hide_ontime = complementary(wide, "closed", primary(wide["complainants"], k),
                                [["period"], ["scope"]])
    rows = []
    rates = {}
    den = wide["valid"].astype(float)
    for metric, part in RATE_PARTS.items():
        num = wide[part].astype(float)
        rates[metric] = num / den.where(den > 0)  # NaN: no valid follow-up, not applicable
        rows.append(_long(wide, metric, rates[metric], num, den, hide_rates,
                          unrecorded=metric in missing))
    composite = pd.Series(0.0, index=wide.index)
    for metric, weight in metrics.composite_weights.items():
        composite = composite + rates[metric] * weight * 100
    nan = pd.Series(np.nan, index=wide.index)
    rows.append(_long(wide, "composite_score", composite, nan, nan, hide_rates,
                      parts=(False, False), unrecorded="composite_score" in missing))
    total = wide["record"].astype(float)
    rows.append(_long(wide, "total", total, total, nan, hide_total, parts=(True, False)))
    closed = wide["closed"].astype(float)
    ontime = wide["ontime"] / closed.where(closed > 0)
    rows.append(_long(wide, "ontime_rate", ontime, wide["ontime"].astype(float), closed,
                      hide_ontime, unrecorded="ontime_rate" in missing))
    table = pd.concat(rows, ignore_index=True)
    return _order(table)


def _complete(wide: pd.DataFrame, months: Sequence[str], districts: Sequence[str]) -> pd.DataFrame:
    """One row per (period, scope) of the calendar × reference, zeros where nothing happened."""
    periods = [*months, ALL]
    index = pd.MultiIndex.from_product([periods, [*districts, CITY]], names=["period", "scope"])
    extra = sorted(set(zip(wide["period"], wide["scope"], strict=True)) - set(index))
    if extra:  # a district outside the reference still gets published, never dropped
        index = index.append(pd.MultiIndex.from_tuples(extra, names=["period", "scope"]))
    full = wide.set_index(["period", "scope"]).reindex(index)
    return full.fillna(0).reset_index()


def _long(wide: pd.DataFrame, metric: str, value: pd.Series, num: pd.Series,
          den: pd.Series, hidden: np.ndarray, *, parts: tuple[bool, bool] = (True, True),
          unrecorded: bool = False) -> pd.DataFrame:
    """Rows of one metric; hidden cells hide their numerator and denominator too. `parts`
    says whether the metric has a numerator and a denominator (else both are N/A);
    `unrecorded` marks every cell of a metric whose inputs the export lacks."""
    has_num, has_den = parts
    return pd.DataFrame({
        "period": wide["period"].to_numpy(), "scope": wide["scope"].to_numpy(), "metric": metric,
        "value": published(value, hidden, unrecorded=unrecorded).to_numpy(),
        "numerator": published(num, hidden & has_num,
                               unrecorded=unrecorded and has_num).to_numpy(),
        "denominator": published(den, hidden & has_den,
                                 unrecorded=unrecorded and has_den).to_numpy(),
    })


def _order(table: pd.DataFrame) -> pd.DataFrame:
    period_rank = table["period"].map(lambda p: "" if p == ALL else p)
    scope_rank = table["scope"].map(lambda s: "" if s == CITY else s)
    metric_rank = table["metric"].map({m: i for i, m in enumerate(METRICS)})
    order = np.lexsort((metric_rank, scope_rank, period_rank))
    return table.iloc[order].reset_index(drop=True)


def lookup(kpis: pd.DataFrame, period: str | None, scope: str, metric: str) -> float | Mark:
    """One published value: a number, HIDDEN, or NOT_APPLICABLE (no such period or scope)."""
    hit = kpis[(kpis["period"] == period) & (kpis["scope"] == scope) & (kpis["metric"] == metric)]
    if hit.empty:
        return NOT_APPLICABLE
    value: float | Mark = hit["value"].iloc[0]
    return value

"""The published measures (kpis.csv): totals, the three rates, composite score, on-time rate.

Definitions (data/metrics.yml; shown on the methodology page):
- total: records received in the period (citizen requests and proactive tasks).
- 响应率 responded_rate = contacted / 有效回访; 解决率 resolved_rate = resolved / 有效回访;
  满意率 satisfied_rate = (满意 + w·基本满意) / 有效回访, where 有效回访 counts closed citizen
  requests with a valid follow-up call.
- composite_score = Σ weight × rate × 100.
- ontime_rate = closed within the urgency class's deadline / closed.
Periods are months of receipt ('YYYY-MM') and 'all'; scopes are 全市 and each district.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from generator.config import MetricsConfig
from generator.stats.disclosure import complementary, primary

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


def kpi_table(prep: pd.DataFrame, metrics: MetricsConfig) -> pd.DataFrame:
    """kpis.csv in long form: period, scope, metric, value, numerator, denominator."""
    parts = []
    for keys in (["month", "district"], ["month"], ["district"], []):
        sums = group_sums(prep, keys)
        sums["period"] = sums["month"].astype(str) if "month" in keys else ALL
        sums["scope"] = sums["district"].astype(str) if "district" in keys else CITY
        parts.append(sums.drop(columns=[k for k in keys]))
    wide = pd.concat(parts, ignore_index=True)
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
    for metric, part in RATE_PARTS.items():
        den = wide["valid"].astype(float)
        num = wide[part].astype(float)
        value = (num / den.where(den > 0)).where(~hide_rates)
        rates[metric] = value
        rows.append(_long(wide, metric, value, num.where(~hide_rates), den.where(~hide_rates)))
    composite = pd.Series(0.0, index=wide.index)
    for metric, weight in metrics.composite_weights.items():
        composite = composite + rates[metric] * weight * 100
    nan = pd.Series(np.nan, index=wide.index)
    rows.append(_long(wide, "composite_score", composite, nan, nan))
    total = wide["record"].astype(float).where(~hide_total)
    rows.append(_long(wide, "total", total, total, nan))
    closed = wide["closed"].astype(float)
    ontime = (wide["ontime"] / closed.where(closed > 0)).where(~hide_ontime)
    rows.append(_long(wide, "ontime_rate", ontime, wide["ontime"].astype(float).where(~hide_ontime),
                      closed.where(~hide_ontime)))
    table = pd.concat(rows, ignore_index=True)
    return _order(table)


def _long(wide: pd.DataFrame, metric: str, value: pd.Series, num: pd.Series,
          den: pd.Series) -> pd.DataFrame:
    return pd.DataFrame({"period": wide["period"], "scope": wide["scope"], "metric": metric,
                         "value": value, "numerator": num, "denominator": den})


def _order(table: pd.DataFrame) -> pd.DataFrame:
    period_rank = table["period"].map(lambda p: "" if p == ALL else p)
    scope_rank = table["scope"].map(lambda s: "" if s == CITY else s)
    metric_rank = table["metric"].map({m: i for i, m in enumerate(METRICS)})
    order = np.lexsort((metric_rank, scope_rank, period_rank))
    return table.iloc[order].reset_index(drop=True)


def lookup(kpis: pd.DataFrame, period: str, scope: str, metric: str) -> float | None:
    """One published value (None when suppressed or absent)."""
    hit = kpis[(kpis["period"] == period) & (kpis["scope"] == scope) & (kpis["metric"] == metric)]
    if hit.empty or pd.isna(hit["value"].iloc[0]):
        return None
    return float(hit["value"].iloc[0])

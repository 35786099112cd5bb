"""The published measures (kpis.csv): totals, the three rates, composite score, on-time rate,
the citizen and proactive totals and the escalation rate.

Definitions (data/metrics.yml; shown on the methodology page):
- total: records received in the period (citizen requests and proactive tasks).
- 响应率 responded_rate = contacted / 有效回访; 解决率 resolved_rate = resolved / 有效回访;
  满意率 satisfied_rate = (满意 + w·基本满意) / 有效回访, where 有效回访 counts closed citizen
  requests with a valid follow-up call.
- composite_score = Σ weight × rate × 100.
- ontime_rate = closed within the urgency class's deadline / closed.
- citizen_total / proactive_total: records from residents / tasks the bureau opened itself
  (主动治理); they add up to total.
- escalation_rate = escalated records / records.
Periods and scopes: KPI_CUTS (months 'YYYY-MM', quarters 'YYYYQn', years 'YYYY' and 'all';
全市, every district, every street by code).
A measure needing a field the export does not record (FIELDS_NEEDED) is UNRECORDED in every
cell, never 0.

Every rate row also carries n and a 95 % interval (ci_low, ci_high), issue 9:
- n: the denominator count — 有效回访 for the three rates and the composite score, closed
  requests for ontime_rate. Totals have n = NOT_APPLICABLE and no interval.
- responded_rate, resolved_rate, ontime_rate: Wilson score interval, z = 1.959963984540054.
- satisfied_rate: an approximation — the same Wilson formula applied to the weighted
  proportion (满意 + w·基本满意) / n with n follow-ups, as if it were a plain proportion.
  Per-request scores are 1 / w / 0 with w < 1, so their variance is at most that of a 0/1
  outcome with the same mean; the interval is therefore slightly conservative.
- composite_score: a conservative bound, not a statistical interval: the weighted sum of the
  three rates' lower bounds (resp. upper bounds) × 100, ignoring that the rates are correlated.
The interval of a rate over zero cases is NOT_APPLICABLE. n and the bounds follow the value's
mark: an UNRECORDED measure has them UNRECORDED, and a HIDDEN rate hides its n and interval too
(n would reveal the hidden denominator). A rate is published only when at least k distinct
complainants stand behind it (stats.disclosure), so every published interval rests on them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd

from generator.config import MetricsConfig
from generator.stats.cells import CITY as CITY
from generator.stats.cells import Grid, grid_sums
from generator.stats.marks import NOT_APPLICABLE, Mark, published
from generator.stats.periods import ALL as ALL
from generator.stats.tables import CITY_LEVEL, DISTRICT_LEVEL, STREET_LEVEL, Cut

METRICS = ("total", "responded_rate", "resolved_rate", "satisfied_rate", "composite_score",
           "ontime_rate", "citizen_total", "proactive_total", "escalation_rate")
RATE_PARTS = {
    "responded_rate": "contacted_ok",
    "resolved_rate": "resolved_ok",
    "satisfied_rate": "satisfied_score",
}
SUMMED = ("record", "citizen", "proactive", "valid", "contacted_ok", "resolved_ok",
          "satisfied_full", "satisfied_basic", "closed", "ontime", "escalated")
Z95 = 1.959963984540054
"""The two-sided 95 % normal quantile used by every interval."""
_FOLLOW_UP = frozenset({"revisit_valid"})
FIELDS_NEEDED: dict[str, frozenset[str]] = {
    "total": frozenset(),
    "responded_rate": _FOLLOW_UP | {"contacted"},
    "resolved_rate": _FOLLOW_UP | {"resolved"},
    "satisfied_rate": _FOLLOW_UP | {"satisfaction"},
    "composite_score": _FOLLOW_UP | {"contacted", "resolved", "satisfaction"},
    "ontime_rate": frozenset({"closed_at"}),
    "citizen_total": frozenset(),
    "proactive_total": frozenset(),
    "escalation_rate": frozenset({"escalated"}),
}
"""Contract fields each measure is computed from, beyond those every record must have."""


def unrecorded_metrics(unrecorded: Collection[str]) -> frozenset[str]:
    """The measures that need a field in `unrecorded` (published as UNRECORDED)."""
    return frozenset(m for m, needed in FIELDS_NEEDED.items() if needed & set(unrecorded))


def wilson(num: pd.Series, den: pd.Series, z: float = Z95) -> tuple[pd.Series, pd.Series]:
    """Wilson score interval of num / den, clipped to [0, 1]; NaN where den is 0 or NaN."""
    n = den.where(den > 0)
    p = num / n
    z2n = z * z / n
    centre = (p + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * np.sqrt(p * (1 - p) / n + z2n / (4 * n))
    return (centre - half).clip(0.0, 1.0), (centre + half).clip(0.0, 1.0)


KPI_CUTS = (Cut(CITY_LEVEL, ("all", "year", "quarter", "month", "window")),
            Cut(DISTRICT_LEVEL, ("all", "year", "quarter", "month", "window")),
            Cut(STREET_LEVEL, ("final_quarter", "window")))
"""Where kpis.csv is published: the city and every district by month, quarter, year, the
ranking window and the whole period; every street by complete, final quarter and the window
(street-months are too sparse: about a third would rest on fewer than k complainants in the
bundled sample; a street's whole-period or partial-quarter figure would change with every
release, and two releases' difference would be a street-month)."""


def kpi_sums(prep: pd.DataFrame, grid: Grid, basic_satisfied_weight: float) -> pd.DataFrame:
    """One row per (period, scope) of KPI_CUTS with the sums of the flags, the weighted
    satisfied_score (满意 + weight × 基本满意), the distinct complainants (all, and behind
    有效回访) and the canonical cell keys (stats.cells)."""
    who = prep["complainant_key"]
    # The masked complainants keep the rows' complainant order (linear distinct counts).
    order = {f"{c}_rank": prep["complainant_key_rank"] for c in
             ("valid_complainant", "closed_complainant") if "complainant_key_rank" in prep}
    work = prep.assign(valid_complainant=who.where(prep["valid"] == 1),
                       closed_complainant=who.where(prep["closed"] == 1), **order)
    sums = grid_sums(work, grid, KPI_CUTS, (), {c: c for c in SUMMED},
                     {"complainants": "complainant_key",
                      "valid_complainants": "valid_complainant",
                      "closed_complainants": "closed_complainant"})
    score = sums["satisfied_full"] + basic_satisfied_weight * sums["satisfied_basic"]
    at = sums.columns.get_loc("satisfied_full")
    sums.insert(int(at), "satisfied_score", score.astype(float))  # type: ignore[arg-type]
    return sums.drop(columns=["satisfied_full", "satisfied_basic"])


@dataclass(frozen=True)
class KpiHiding:
    """Which rows of kpi_sums disclosure control hides, per denominator."""

    total: np.ndarray
    """The count of records (total, citizen_total, proactive_total, escalation_rate)."""
    valid: np.ndarray
    """有效回访: the three rates and the composite score."""
    closed: np.ndarray
    """Closed requests: ontime_rate."""


def kpi_table(wide: pd.DataFrame, metrics: MetricsConfig, hiding: KpiHiding,
              unrecorded: Collection[str] = frozenset()) -> pd.DataFrame:
    """kpis.csv in long form: period, scope, metric, value, numerator, denominator, n, ci_low,
    ci_high, scope_level, scope_code, district (n and the 95 % interval as in the module
    docstring). `wide` is kpi_sums(); cells hold numbers or marks (stats.marks); the
    measures needing a field in `unrecorded` hold UNRECORDED.
    """
    missing = unrecorded_metrics(unrecorded)
    rows = []
    rates = {}
    bounds = {}
    den = wide["valid"].astype(float)
    for metric, part in RATE_PARTS.items():
        num = wide[part].astype(float)
        rates[metric] = num / den.where(den > 0)  # NaN: no valid follow-up, not applicable
        bounds[metric] = wilson(num, den)
        rows.append(_long(wide, metric, rates[metric], num, den, hiding.valid,
                          ci=bounds[metric], unrecorded=metric in missing))
    composite = pd.Series(0.0, index=wide.index)
    low = pd.Series(0.0, index=wide.index)
    high = pd.Series(0.0, index=wide.index)
    for metric, weight in metrics.composite_weights.items():
        composite = composite + rates[metric] * weight * 100
        low = low + bounds[metric][0] * weight * 100  # conservative: Σ w·lower, Σ w·upper
        high = high + bounds[metric][1] * weight * 100
    nan = pd.Series(np.nan, index=wide.index)
    rows.append(_long(wide, "composite_score", composite, nan, nan, hiding.valid,
                      parts=(False, False), n=den, ci=(low, high),
                      unrecorded="composite_score" in missing))
    total = wide["record"].astype(float)
    for metric, column in (("total", "record"), ("citizen_total", "citizen"),
                           ("proactive_total", "proactive")):
        count = wide[column].astype(float)
        rows.append(_long(wide, metric, count, count, nan, hiding.total, parts=(True, False)))
    closed = wide["closed"].astype(float)
    ontime_num = wide["ontime"].astype(float)
    ontime = ontime_num / closed.where(closed > 0)
    rows.append(_long(wide, "ontime_rate", ontime, ontime_num, closed, hiding.closed,
                      ci=wilson(ontime_num, closed), unrecorded="ontime_rate" in missing))
    escalated = wide["escalated"].astype(float)
    rows.append(_long(wide, "escalation_rate", escalated / total.where(total > 0), escalated,
                      total, hiding.total, ci=wilson(escalated, total),
                      unrecorded="escalation_rate" in missing))
    table = pd.concat(rows, ignore_index=True)
    return _order(table)


def _long(wide: pd.DataFrame, metric: str, value: pd.Series, num: pd.Series,
          den: pd.Series, hidden: np.ndarray, *, parts: tuple[bool, bool] = (True, True),
          n: pd.Series | None = None, ci: tuple[pd.Series, pd.Series] | None = None,
          unrecorded: bool = False) -> pd.DataFrame:
    """Rows of one metric; hidden cells hide their numerator, denominator, n and interval too.
    `parts` says whether the metric has a numerator and a denominator (else both are N/A);
    n is the denominator count (default: the denominator when there is one, else N/A) and
    `ci` the 95 % bounds (None: N/A); `unrecorded` marks every cell of a metric whose inputs
    the export lacks."""
    has_num, has_den = parts
    count = n if n is not None else (den if has_den else None)
    has_n, has_ci = count is not None, ci is not None
    nan = pd.Series(np.nan, index=wide.index)
    low, high = ci if ci is not None else (nan, nan)
    return pd.DataFrame({
        "period": wide["period"].to_numpy(), "scope": wide["scope"].to_numpy(), "metric": metric,
        "value": published(value, hidden, unrecorded=unrecorded).to_numpy(),
        "numerator": published(num, hidden & has_num,
                               unrecorded=unrecorded and has_num).to_numpy(),
        "denominator": published(den, hidden & has_den,
                                 unrecorded=unrecorded and has_den).to_numpy(),
        "n": published(count if count is not None else nan, hidden & has_n, integer=True,
                       unrecorded=unrecorded and has_n).to_numpy(),
        "ci_low": published(low, hidden & has_ci, unrecorded=unrecorded and has_ci).to_numpy(),
        "ci_high": published(high, hidden & has_ci,
                             unrecorded=unrecorded and has_ci).to_numpy(),
        "scope_level": wide["scope_level"].to_numpy(),
        "scope_code": wide["scope_code"].to_numpy(),
        "district": wide["district"].to_numpy(),
    })


def _order(table: pd.DataFrame) -> pd.DataFrame:
    """Periods (all, then labels in text order), scopes (city, districts by name, streets by
    district and code), metrics in METRICS order."""
    period_rank = table["period"].map(lambda p: "" if p == ALL else p)
    level_rank = table["scope_level"].map({CITY_LEVEL: 0, DISTRICT_LEVEL: 1, STREET_LEVEL: 2})
    scope_rank = table["district"].where(table["scope_level"] != CITY_LEVEL, "")
    code_rank = table["scope_code"].where(table["scope_level"] == STREET_LEVEL, "")
    metric_rank = table["metric"].map({m: i for i, m in enumerate(METRICS)})
    order = np.lexsort((metric_rank, code_rank, scope_rank, level_rank, period_rank))
    return table.iloc[order].reset_index(drop=True)


def lookup(kpis: pd.DataFrame, period: str | None, scope: str, metric: str) -> float | Mark:
    """One published value of the city or a district (by name; a street by code): a number,
    HIDDEN, or NOT_APPLICABLE (no such period or scope)."""
    named = (kpis["scope"] == scope) & (kpis["scope_level"] != STREET_LEVEL)
    coded = (kpis["scope_code"] == scope) & (kpis["scope_level"] == STREET_LEVEL)
    hit = kpis[(kpis["period"] == period) & (named | coded) & (kpis["metric"] == metric)]
    if hit.empty:
        return NOT_APPLICABLE
    value: float | Mark = hit["value"].iloc[0]
    return value

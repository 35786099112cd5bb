"""n and the 95 % interval of every rate in kpis.csv (issue 9): Wilson bounds worked out by
hand for 45 of 50, the composite score's conservative bound, and marks propagation."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from generator.stats.aggregate import aggregate
from generator.stats.marks import HIDDEN, NOT_APPLICABLE, UNRECORDED
from generator.stats.metrics import Z95, wilson
from tests.test_unrecorded_stats import FOLLOW_UP, METRICS, REF, frame, kpi, unrecorded_frame

# Wilson, 45 of 50, z = 1.959964: p = 0.9, z²/n = 0.07682917641,
# centre = (0.9 + 0.03841458821) / 1.07682917641 = 0.87146096,
# half = z / 1.07682917641 × √(0.0018 + 0.00038414588) = 0.08506327.
LOW_45_50, HIGH_45_50 = 0.7863977, 0.9565242
# Wilson, 0 of 50: [0, 3.841459 / 53.841459] = [0, 0.0713476].
HIGH_0_50 = 0.0713476

def fifty(satisfaction: list[str] | None = None) -> pd.DataFrame:
    """50 closed, followed-up requests from 50 callers in 甲区: 45 contacted, 45 resolved,
    45 closed on time; every one 满意 unless `satisfaction` says otherwise."""
    data = frame([("甲区", "噪声扰民", f"C{i}") for i in range(50)])
    data["contacted"] = [i < 45 for i in range(50)]
    data["resolved"] = [i >= 5 for i in range(50)]
    late = data.index < 5
    data.loc[late, "closed_at"] = data.loc[late, "received_at"] + pd.Timedelta(hours=200)
    if satisfaction is not None:
        data["satisfaction"] = satisfaction
    return data


def test_wilson_bounds_match_the_hand_computation() -> None:
    low, high = wilson(pd.Series([45.0, 0.0, 3.0]), pd.Series([50.0, 50.0, 0.0]))
    assert low[0] == pytest.approx(LOW_45_50, abs=1e-6)
    assert high[0] == pytest.approx(HIGH_45_50, abs=1e-6)
    assert low[1] == 0.0 and high[1] == pytest.approx(HIGH_0_50, abs=1e-6)
    assert math.isnan(low[2]) and math.isnan(high[2])  # no cases: no interval
    assert round(Z95, 2) == 1.96


def test_published_kpis_carry_n_and_wilson_bounds() -> None:
    agg = aggregate(fifty(), METRICS, REF)
    for scope in ("全市", "甲区"):
        for metric in ("responded_rate", "resolved_rate", "ontime_rate"):
            row = kpi(agg, metric, scope)
            assert row["value"] == pytest.approx(0.9)
            assert row["n"] == 50 and row["denominator"] == 50.0
            assert row["ci_low"] == pytest.approx(LOW_45_50, abs=1e-6), metric
            assert row["ci_high"] == pytest.approx(HIGH_45_50, abs=1e-6), metric
            assert row["ci_low"] < row["value"] < row["ci_high"]
    total = kpi(agg, "total")
    assert [total["n"], total["ci_low"], total["ci_high"]] == [NOT_APPLICABLE] * 3
    columns = ["period", "scope", "metric", "value", "numerator", "denominator", "n",
               "ci_low", "ci_high", "scope_level", "scope_code", "district"]
    assert list(agg.kpis.columns) == columns


def test_satisfied_rate_uses_wilson_on_the_weighted_proportion() -> None:
    # 40 满意 + 10 基本满意 (w = 0.9): weighted proportion (40 + 9) / 50 = 0.98.
    agg = aggregate(fifty(["满意"] * 40 + ["基本满意"] * 10), METRICS, REF)
    row = kpi(agg, "satisfied_rate")
    assert row["value"] == pytest.approx(0.98) and row["n"] == 50
    p, n, z = 0.98, 50, Z95
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert row["ci_low"] == pytest.approx(centre - half, abs=1e-9)
    assert row["ci_high"] == pytest.approx(centre + half, abs=1e-9)


def test_composite_bounds_are_the_weighted_sums_of_the_rate_bounds() -> None:
    agg = aggregate(fifty(["满意"] * 40 + ["基本满意"] * 10), METRICS, REF)
    weights = METRICS.composite_weights
    score = kpi(agg, "composite_score")
    low = 100 * sum(w * kpi(agg, m)["ci_low"] for m, w in weights.items())
    high = 100 * sum(w * kpi(agg, m)["ci_high"] for m, w in weights.items())
    assert score["ci_low"] == pytest.approx(low, abs=1e-9)
    assert score["ci_high"] == pytest.approx(high, abs=1e-9)
    # 0.1 and 0.5 of the 45/50 bounds plus 0.4 of the satisfied rate's bounds, × 100.
    sat = kpi(agg, "satisfied_rate")
    assert score["ci_low"] == pytest.approx(
        100 * (0.6 * LOW_45_50 + 0.4 * sat["ci_low"]), abs=1e-4)
    assert score["ci_low"] < score["value"] < score["ci_high"]
    assert score["n"] == 50  # the follow-ups behind the three rates
    assert score["numerator"] is NOT_APPLICABLE and score["denominator"] is NOT_APPLICABLE


def test_hidden_rate_hides_its_n_and_interval() -> None:
    # 乙区: two callers (< k = 3) → its rates are hidden, and so must n be (it is the
    # denominator); the interval would give the count away too.
    rows = [("甲区", "噪声扰民", f"C{i}") for i in range(6)] + [("乙区", "油烟", "D1")] * 2
    agg = aggregate(frame(rows), METRICS, REF)
    for metric in ("responded_rate", "resolved_rate", "satisfied_rate", "composite_score",
                   "ontime_rate"):
        row = kpi(agg, metric, "乙区")
        assert row["value"] is HIDDEN, metric
        assert [row["n"], row["ci_low"], row["ci_high"]] == [HIDDEN] * 3, metric


def test_no_cases_means_no_interval_but_n_is_zero() -> None:
    # 乙区 received nothing: 0 follow-ups and 0 closed → N/A rates, n = 0, no interval.
    agg = aggregate(frame([("甲区", "噪声扰民", f"C{i}") for i in range(6)]), METRICS, REF)
    for metric in ("responded_rate", "satisfied_rate", "composite_score", "ontime_rate"):
        row = kpi(agg, metric, "乙区", "2026-03")
        assert row["value"] is NOT_APPLICABLE and row["n"] == 0, metric
        assert row["ci_low"] is NOT_APPLICABLE and row["ci_high"] is NOT_APPLICABLE


def test_unrecorded_measure_has_unrecorded_n_and_interval() -> None:
    rows = [("甲区", "噪声扰民", f"C{i}") for i in range(6)]
    agg = aggregate(unrecorded_frame(rows, FOLLOW_UP), METRICS, REF, unrecorded=FOLLOW_UP)
    for metric in ("responded_rate", "resolved_rate", "satisfied_rate", "composite_score"):
        row = kpi(agg, metric)
        assert [row["n"], row["ci_low"], row["ci_high"]] == [UNRECORDED] * 3, metric
    assert kpi(agg, "ontime_rate")["n"] == 6

"""Figures needing a field the export does not record are 未记录, never 0; without caller
identity, disclosure control counts requests. Hand-made frames, numbers worked out by hand."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from generator.config import load_metrics
from generator.reference import Category, District, Reference, Street
from generator.stats.aggregate import aggregate
from generator.stats.marks import HIDDEN, NOT_APPLICABLE, UNRECORDED
from generator.stats.metrics import FIELDS_NEEDED, unrecorded_metrics
from tests.conftest import ROOT

METRICS = dataclasses.replace(load_metrics(ROOT / "data" / "metrics.yml"), min_complainants=3,
                              topics={})
REF = Reference(
    districts=(District("A1", "甲区", 100, 0, 0), District("B2", "乙区", None, 0, 1)),
    streets=(Street("A1001", "一街道", "A1", "甲区", "街道"),
             Street("B2001", "二街道", "B2", "乙区", "街道")),
    categories=(Category("噪声扰民", "噪声", "guides/noise.md"),
                Category("油烟", "大气", "guides/fumes.md")),
)
FOLLOW_UP = ("revisit_valid", "contacted", "resolved", "satisfaction")


def frame(rows: list[tuple[str, str, str | None]]) -> pd.DataFrame:
    """(district, category, complainant key) per closed citizen request in March 2026, each
    closed 10 hours after receipt, followed up, contacted, resolved and 满意."""
    n = len(rows)
    received = pd.Series(pd.date_range("2026-03-01 08:00", periods=n, freq="h"))
    streets = {"甲区": "一街道", "乙区": "二街道"}
    codes = {"甲区": "A1", "乙区": "B2"}
    street_codes = {"甲区": "A1001", "乙区": "B2001"}
    elements = {"噪声扰民": "噪声", "油烟": "大气"}
    return pd.DataFrame({
        "received_at": received,
        "closed_at": received + pd.Timedelta(hours=10),
        "status": ["已办结"] * n,
        "source": ["市民诉求"] * n,
        "urgency": ["一般"] * n,
        "district": [r[0] for r in rows],
        "district_code": [codes[r[0]] for r in rows],
        "street": [streets[r[0]] for r in rows],
        "street_code": [street_codes[r[0]] for r in rows],
        "channel": ["网络"] * n,
        "handling_level": ["街乡"] * n,
        "escalated": [False] * n,
        "location_key": [f"L{i}" for i in range(n)],
        "contacted_at": received + pd.Timedelta(hours=1),
        "element": [elements[r[1]] for r in rows],
        "category": [r[1] for r in rows],
        "complainant_key": pd.Series([r[2] for r in rows], dtype=object),
        "revisit_valid": [True] * n,
        "contacted": [True] * n,
        "resolved": [True] * n,
        "satisfaction": ["满意"] * n,
    })


def unrecorded_frame(rows: list[tuple[str, str, str | None]], fields: tuple[str, ...]
                     ) -> pd.DataFrame:
    """As the validated package of an export without `fields`: those cells are all empty."""
    data = frame(rows)
    for name in fields:
        data[name] = pd.Series([None] * len(data), dtype=object) if name != "closed_at" \
            else pd.Series(pd.NaT, index=data.index)
    return data


def kpi(agg: object, metric: str, scope: str = "全市", period: str = "all") -> object:
    kpis = agg.kpis  # type: ignore[attr-defined]
    hit = kpis[(kpis["period"] == period) & (kpis["scope"] == scope) & (kpis["metric"] == metric)
               & (kpis["scope_level"] != "street")]
    assert len(hit) == 1
    return hit.iloc[0]


ROWS = [("甲区", "噪声扰民", f"C{i}") for i in range(6)] + \
       [("乙区", "油烟", f"C{i}") for i in range(10, 14)]


def test_fields_needed_by_each_measure() -> None:
    assert unrecorded_metrics(FOLLOW_UP) == {
        "responded_rate", "resolved_rate", "satisfied_rate", "composite_score"}
    assert unrecorded_metrics(["closed_at"]) == {"ontime_rate"}
    assert unrecorded_metrics(["complainant_key", "contacted_at"]) == set()
    assert FIELDS_NEEDED["total"] == frozenset()


def test_recorded_export_publishes_numbers() -> None:
    agg = aggregate(frame(ROWS), METRICS, REF)
    assert kpi(agg, "responded_rate")["value"] == 1.0
    assert kpi(agg, "composite_score")["value"] == pytest.approx(100.0)
    assert kpi(agg, "ontime_rate")["value"] == 1.0
    assert agg.unrecorded == frozenset() and agg.disclosure_unit == "诉求人"


def test_no_follow_up_columns_make_the_rates_and_the_score_unrecorded() -> None:
    agg = aggregate(unrecorded_frame(ROWS, FOLLOW_UP), METRICS, REF, unrecorded=FOLLOW_UP)
    for metric in ("responded_rate", "resolved_rate", "satisfied_rate"):
        for scope in ("全市", "甲区", "乙区"):
            row = kpi(agg, metric, scope)
            assert [row["value"], row["numerator"], row["denominator"]] == [UNRECORDED] * 3
        assert kpi(agg, metric, "全市", "2026-03")["value"] is UNRECORDED
    score = kpi(agg, "composite_score")
    # The score has no numerator or denominator at all: those stay "not applicable".
    assert [score["value"], score["numerator"], score["denominator"]] == [
        UNRECORDED, NOT_APPLICABLE, NOT_APPLICABLE]
    assert kpi(agg, "ontime_rate")["value"] == 1.0  # closed_at is recorded
    assert kpi(agg, "total")["value"] == 10
    assert agg.monthly["responded_rate"].tolist() == [UNRECORDED]
    assert agg.by_district["composite_score"].tolist() == [UNRECORDED, UNRECORDED]
    assert agg.unrecorded_metrics == {
        "responded_rate", "resolved_rate", "satisfied_rate", "composite_score"}


def test_no_closing_time_makes_the_on_time_rate_unrecorded_not_zero() -> None:
    agg = aggregate(unrecorded_frame(ROWS, ("closed_at",)), METRICS, REF,
                    unrecorded=("closed_at",))
    row = kpi(agg, "ontime_rate", "甲区")
    assert [row["value"], row["numerator"], row["denominator"]] == [UNRECORDED] * 3
    assert agg.by_district["ontime_rate"].tolist() == [UNRECORDED, UNRECORDED]
    assert kpi(agg, "responded_rate")["value"] == 1.0


def test_population_left_empty_gives_a_not_applicable_rate_per_10k() -> None:
    agg = aggregate(frame(ROWS), METRICS, REF)
    table = agg.by_district.set_index("district")
    assert table.loc["甲区", "per_10k"] == pytest.approx(6 / 10)  # 6 requests, 100 thousand
    assert table.loc["乙区", "per_10k"] is NOT_APPLICABLE
    assert table.loc["乙区", "population_k"] is NOT_APPLICABLE  # "NA" in CSV, never hidden
    assert table.loc["甲区", "population_k"] == 100
    assert table.loc["乙区", "count"] == 4


def test_with_identity_one_caller_repeating_is_hidden() -> None:
    # 乙区: four requests from ONE caller → fewer than k = 3 complainants → hidden.
    rows = [("甲区", "噪声扰民", f"C{i}") for i in range(6)] + [("乙区", "油烟", "C99")] * 4
    agg = aggregate(frame(rows), METRICS, REF)
    assert kpi(agg, "total", "乙区")["value"] is HIDDEN
    assert agg.disclosure_unit == "诉求人"


def test_without_identity_k_counts_requests() -> None:
    # The same four requests, without caller identity: 4 requests ≥ k = 3 → published.
    rows = [("甲区", "噪声扰民", None)] * 6 + [("乙区", "油烟", None)] * 4
    agg = aggregate(frame(rows), METRICS, REF, unrecorded=("complainant_key",))
    assert kpi(agg, "total", "乙区")["value"] == 4
    assert kpi(agg, "responded_rate", "乙区")["value"] == 1.0
    assert agg.disclosure_unit == "件诉求"
    # Two requests (< k) are hidden, and so is a neighbour that would give them away: 甲区's
    # total or the city's (the disclosure engine picks one), never both visible.
    rows = [("甲区", "噪声扰民", None)] * 6 + [("乙区", "油烟", None)] * 2
    agg = aggregate(frame(rows), METRICS, REF, unrecorded=("complainant_key",))
    assert kpi(agg, "total", "乙区")["value"] is HIDDEN
    shown = [kpi(agg, "total", scope)["value"] for scope in ("甲区", "全市")]
    assert HIDDEN in shown and set(shown) <= {HIDDEN, 6, 8}
    # March is cut short by the export (provisional): its district × category cells are held
    # back until final, so the table lists no month yet.
    assert agg.counts_by_month.empty

"""Handling times per urgency class on hand-made frames; every expected value worked out by
hand (times in minutes after receipt, so the hours are exact)."""

from __future__ import annotations

import csv
from typing import Any

import numpy as np
import pandas as pd
import pytest

from generator.stats.handling import (
    COLUMNS,
    Grouping,
    handling_times,
    order_statistics,
    quarter_labels,
    value_order,
)
from generator.stats.marks import HIDDEN, NOT_APPLICABLE, UNRECORDED
from tests.conftest import Built

DEADLINES = {"紧急": 2.0, "一般": 168.0}
"""Two classes, in this order; a 疑难 record must be left out."""
BASE = pd.Timestamp("2026-01-05 08:00")
CITY = [Grouping("all", "全市")]

Row = tuple[str, str, str | None, str, float | None, float | None]
"""(district, urgency, complainant key or None for a proactive task, status,
contacted minutes, closed minutes)."""

CITY_ROWS: list[Row] = [
    ("甲区", "紧急", "P1", "已办结", 30, 60),    # closed 1 h: on time
    ("甲区", "紧急", "P2", "已办结", 66, 180),   # closed 3 h: late
    ("甲区", "紧急", "P3", "已办结", 15, 90),    # closed 1.5 h: on time
    ("甲区", "紧急", "P4", "办理中", 90, None),  # response only
    ("甲区", "一般", "P5", "办理中", 120, None),
    ("甲区", "一般", "P6", "办理中", 180, None),
    ("甲区", "一般", "P7", "办理中", 240, None),
    ("甲区", "疑难", "P8", "已办结", 10, 20),    # class without a deadline: left out
]

NO_TIME = pd.Series(pd.NaT, index=range(len(CITY_ROWS)), dtype="datetime64[ns]")
"""A time column the export does not record."""


def make_frame(rows: list[Row], start: pd.Timestamp = BASE) -> pd.DataFrame:
    received = pd.Series([start] * len(rows), dtype="datetime64[ns]")

    def at(minutes: list[float | None]) -> pd.Series:
        offsets = pd.to_timedelta(pd.Series(minutes, dtype=float), unit="min")
        return received + offsets

    return pd.DataFrame({
        "received_at": received,
        "contacted_at": at([r[4] for r in rows]),
        "closed_at": at([r[5] for r in rows]),
        "urgency": pd.Categorical([r[1] for r in rows]),
        "status": pd.Categorical([r[3] for r in rows]),
        "district": pd.Categorical([r[0] for r in rows]),
        "source": ["市民诉求" if r[2] else "主动治理" for r in rows],
        "complainant_key": pd.array([r[2] for r in rows], dtype="string"),
    })


def cell(table: pd.DataFrame, scope: str, urgency: str, period: str = "all") -> dict[str, Any]:
    hit = table[(table["period"] == period) & (table["scope"] == scope)
                & (table["urgency"] == urgency)]
    assert len(hit) == 1
    return {str(key): value for key, value in hit.iloc[0].items()}


def test_nearest_rank_is_the_ceil_rank_not_an_interpolation() -> None:
    # groups 0 "ten", 1 "twenty", 2 "eleven", 3 "one", 4 an empty one; one missing value
    groups = np.array([0] * 10 + [1] * 20 + [2] * 11 + [3] + [2])
    values = np.array([*range(10, 0, -1), *range(1, 21), *range(1, 12), 7, np.nan])
    present, median, p90 = order_statistics(values, value_order(values), groups, 5)
    assert present.tolist() == [0, 1, 2, 3]
    # ⌈0.9·10⌉ = 9th, ⌈0.9·20⌉ = 18th, ⌈0.9·11⌉ = 10th, ⌈0.9·1⌉ = 1st smallest
    assert p90.tolist() == [9.0, 18.0, 10.0, 7.0]
    # even counts: the mean of the two middle values; the missing value is not counted
    assert median.tolist() == [5.5, 10.5, 6.0, 7.0]


def test_order_statistics_of_a_subset_use_the_whole_columns_order() -> None:
    values = np.array([5.0, 1.0, 4.0, 2.0, 3.0, np.nan])
    order = value_order(values)
    keep = np.array([0, 2, 4, 5])  # 5, 4, 3, missing
    present, median, p90 = order_statistics(values[keep], order[keep], np.zeros(4, int), 1)
    assert (present.tolist(), median.tolist(), p90.tolist()) == ([0], [4.0], [5.0])


def test_medians_p90_and_ontime_by_hand() -> None:
    table = handling_times(make_frame(CITY_ROWS), CITY, deadlines_hours=DEADLINES, k=3)
    assert list(table.columns) == list(COLUMNS)
    assert list(table["urgency"]) == ["紧急", "一般"]  # the mapping's classes, its order
    urgent = cell(table, "全市", "紧急")
    # responses 0.25, 0.5, 1.1, 1.5 h: median (0.5 + 1.1) / 2; p90 the ⌈3.6⌉ = 4th value
    # (linear interpolation would give 1.38)
    assert urgent["response_median_h"] == 0.8
    assert urgent["response_p90_h"] == 1.5
    # closings 1, 1.5, 3 h (the open request is not counted); p90 the ⌈2.7⌉ = 3rd value
    assert urgent["closed"] == 3
    assert urgent["closing_median_h"] == 1.5
    assert urgent["closing_p90_h"] == 3.0
    assert urgent["ontime_rate"] == pytest.approx(2 / 3)
    assert urgent["deadline_h"] == 2.0


def test_class_without_closed_request_is_not_applicable() -> None:
    table = handling_times(make_frame(CITY_ROWS), CITY, deadlines_hours=DEADLINES, k=3)
    usual = cell(table, "全市", "一般")
    assert usual["closed"] == 0
    assert usual["closing_median_h"] is NOT_APPLICABLE
    assert usual["closing_p90_h"] is NOT_APPLICABLE
    assert usual["ontime_rate"] is NOT_APPLICABLE
    # open requests still have response times: 2, 3 and 4 h; p90 the ⌈2.7⌉ = 3rd value
    assert usual["response_median_h"] == 3.0
    assert usual["response_p90_h"] == 4.0
    assert usual["deadline_h"] == 168.0


def test_cell_on_one_complainant_is_hidden() -> None:
    rows = [
        *CITY_ROWS,
        ("乙区", "紧急", "P1", "已办结", 30, 60),   # one caller, twice
        ("乙区", "紧急", "P1", "已办结", 30, 150),
        ("乙区", "一般", None, "已办结", None, 600),  # proactive tasks
        ("乙区", "一般", None, "已办结", None, 1200),
    ]
    groupings = [Grouping("all", make_frame(rows)["district"], scopes=["甲区", "乙区"])]
    table = handling_times(make_frame(rows), groupings, deadlines_hours=DEADLINES, k=3)
    figures = ["closed", "response_median_h", "response_p90_h", "closing_median_h",
               "closing_p90_h", "ontime_rate"]
    small = cell(table, "乙区", "紧急")
    assert all(small[f] is HIDDEN for f in figures)
    assert small["deadline_h"] == 2.0
    # Which neighbours protect it (乙区's closed total and the 紧急 total are published
    # elsewhere) is the LP engine's choice over the closed-count family: see
    # test_handling_complements_come_from_the_closed_count_family.
    assert cell(table, "乙区", "一般")["closed"] == 2  # proactive only: no complainant
    assert cell(table, "甲区", "一般")["response_median_h"] == 3.0


def test_proactive_only_cell_is_published() -> None:
    rows: list[Row] = [("乙区", "一般", None, "已办结", None, 600),
                       ("乙区", "一般", None, "已办结", None, 1200)]
    table = handling_times(make_frame(rows), CITY, deadlines_hours=DEADLINES, k=3)
    usual = cell(table, "全市", "一般")
    assert usual["closed"] == 2
    assert usual["closing_median_h"] == 15.0
    assert usual["closing_p90_h"] == 20.0
    assert usual["ontime_rate"] == 1.0
    assert usual["response_median_h"] is NOT_APPLICABLE  # no contact time at all
    assert cell(table, "全市", "紧急")["closed"] == 0


def test_contacted_at_unrecorded_marks_response_times() -> None:
    data = make_frame(CITY_ROWS).assign(contacted_at=NO_TIME)
    table = handling_times(data, CITY, deadlines_hours=DEADLINES, k=3,
                           unrecorded=frozenset({"contacted_at"}))
    for urgency in DEADLINES:
        row = cell(table, "全市", urgency)
        assert row["response_median_h"] is UNRECORDED
        assert row["response_p90_h"] is UNRECORDED
    assert cell(table, "全市", "紧急")["closing_median_h"] == 1.5


def test_closed_at_unrecorded_marks_closing_times_and_ontime() -> None:
    data = make_frame(CITY_ROWS).assign(closed_at=NO_TIME)
    table = handling_times(data, CITY, deadlines_hours=DEADLINES, k=3,
                           unrecorded=frozenset({"closed_at"}))
    urgent = cell(table, "全市", "紧急")
    assert urgent["closed"] == 3  # the status is still recorded
    assert urgent["closing_median_h"] is UNRECORDED
    assert urgent["closing_p90_h"] is UNRECORDED
    assert urgent["ontime_rate"] is UNRECORDED
    assert urgent["response_median_h"] == 0.8


def test_without_caller_identity_each_request_is_a_complainant() -> None:
    rows: list[Row] = [("乙区", "紧急", "P1", "已办结", 30, 60),
                       ("乙区", "紧急", "P1", "已办结", 30, 150)]
    with_keys = handling_times(make_frame(rows), CITY, deadlines_hours=DEADLINES, k=2)
    assert cell(with_keys, "全市", "紧急")["closed"] is HIDDEN  # one caller
    anonymous = make_frame(rows).assign(complainant_key=pd.array([None, None], dtype="string"))
    table = handling_times(anonymous, CITY, deadlines_hours=DEADLINES, k=2,
                           unrecorded=frozenset({"complainant_key"}))
    urgent = cell(table, "全市", "紧急")
    assert urgent["closed"] == 2  # two requests count as two complainants
    assert urgent["closing_median_h"] == 1.8  # 1.75 h to 0.1 h
    assert urgent["ontime_rate"] == 0.5


def test_quarters_listed_in_full_with_empty_ones() -> None:
    data = make_frame(CITY_ROWS)
    quarters = quarter_labels(data["received_at"])
    assert set(quarters) == {"2026Q1"}
    table = handling_times(data, [Grouping(quarters, "全市", periods=["2025Q4", "2026Q1"])],
                           deadlines_hours=DEADLINES, k=3)
    assert list(zip(table["period"], table["urgency"], strict=True)) == [
        ("2025Q4", "紧急"), ("2025Q4", "一般"), ("2026Q1", "紧急"), ("2026Q1", "一般")]
    empty = cell(table, "全市", "紧急", period="2025Q4")
    assert empty["closed"] == 0
    assert empty["response_median_h"] is NOT_APPLICABLE
    assert empty["ontime_rate"] is NOT_APPLICABLE
    assert cell(table, "全市", "紧急", period="2026Q1")["closing_p90_h"] == 3.0


def test_quarter_labels() -> None:
    stamps = pd.Series(pd.to_datetime(["2025-03-31 23:59", "2025-04-01 00:00", "2025-12-31 12:00"]))
    assert list(quarter_labels(stamps)) == ["2025Q1", "2025Q2", "2025Q4"]


def test_cell_hidden_when_the_requests_behind_a_figure_are_too_few() -> None:
    # 一般 rests on 3 callers, but its response times on 2 of them (P6 never contacted)
    rows = [r if r[2] != "P6" else ("甲区", "一般", "P6", "办理中", None, None) for r in CITY_ROWS]
    table = handling_times(make_frame(rows), CITY, deadlines_hours=DEADLINES, k=3)
    assert cell(table, "全市", "一般")["response_median_h"] is HIDDEN
    assert cell(table, "全市", "一般")["closed"] is HIDDEN
    # this module applies the k rule only; complements come from the closed-count family
    assert cell(table, "全市", "紧急")["closed"] == 3


def test_no_records_still_lists_every_class() -> None:
    table = handling_times(make_frame(CITY_ROWS).iloc[:0], CITY, deadlines_hours=DEADLINES, k=3)
    assert list(zip(table["scope"], table["urgency"], table["closed"], strict=True)) == [
        ("全市", "紧急", 0), ("全市", "一般", 0)]
    assert table["closing_median_h"].tolist() == [NOT_APPLICABLE, NOT_APPLICABLE]


def test_handling_complements_come_from_the_closed_count_family(built: Built) -> None:
    """On the built sample: where kpis publishes a scope's closed total (the on-time rate's
    n), its urgency classes in handling_times never hide exactly one non-zero closed count
    (total − the shown classes would give it away), and every hidden class of a published
    total has at least one hidden partner."""
    data = built.site / "data"
    with (data / "kpis.csv").open(encoding="utf-8", newline="") as handle:
        totals = {(r["period"], r["scope"]): r["n"] for r in csv.DictReader(handle)
                  if r["metric"] == "ontime_rate" and r["scope_level"] != "street"}
    with (data / "handling_times.csv").open(encoding="utf-8", newline="") as handle:
        groups: dict[tuple[str, str], list[str]] = {}
        for r in csv.DictReader(handle):
            groups.setdefault((r["period"], r["scope"]), []).append(r["closed"])
    checked = 0
    for key, closed in groups.items():
        if totals.get(key, "suppressed") == "suppressed":
            continue
        hidden = closed.count("suppressed")
        assert hidden != 1, (key, closed, totals[key])
        if hidden == 0:
            assert sum(int(c) for c in closed) == int(totals[key]), key
        checked += 1
    assert checked >= 3


def test_the_engine_hides_a_complement_when_one_class_rests_on_one_caller() -> None:
    """20 callers' 一般 requests and one caller's two 紧急 ones in 甲区: the city's closed
    total (22, the on-time rate's n in kpis) is published, so 一般 is hidden with 紧急."""
    from generator.stats.aggregate import aggregate
    from tests.test_unrecorded_stats import METRICS, REF, frame, kpi

    data = frame([("甲区", "噪声扰民", f"C{i}") for i in range(20)]
                 + [("甲区", "噪声扰民", "P1")] * 2)
    data.loc[data.index >= 20, "urgency"] = "紧急"
    agg = aggregate(data, METRICS, REF)
    assert kpi(agg, "ontime_rate")["n"] == 22
    table = agg.analyses["handling_times"]
    assert cell(table, "全市", "紧急")["closed"] is HIDDEN
    assert cell(table, "全市", "一般")["closed"] is HIDDEN

"""重点点位 and 重复诉求率 on tiny hand-made frames, every expected value worked out by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from generator.errors import ConfigError
from generator.stats.hotspots import HotspotTables, find_hotspots
from generator.stats.hotspots_config import DEFAULT_YAML, HotspotRule, hotspot_rule_from_mapping
from generator.stats.hotspots_repeat import repeat_rate

# Taxonomy order puts 餐饮油烟 first although 社 sorts before 餐 by code point.
CATEGORIES = ["餐饮油烟", "扬尘", "社会生活噪声"]
DISTRICTS = ["甲区", "乙区", "丙区"]
STREETS = {"S1": ("甲区", "城关街道"), "S2": ("乙区", "城关街道"), "S3": ("乙区", "河西街道")}
MONTH_QUARTER = HotspotRule(window_days=30, min_requests=2, periods=("month", "quarter"))


def request(place: str | None, received: str, who: str | None, *, street: str = "S1",
            category: str = "餐饮油烟", closed: str | None = None,
            source: str = "市民诉求") -> dict[str, Any]:
    district, name = STREETS[street]
    return {"received_at": received, "closed_at": closed,
            "status": "已办结" if closed else "办理中", "district": district, "street": name,
            "street_code": street, "category": category, "location_key": place,
            "complainant_key": who, "source": source}


def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    out = pd.DataFrame(rows)
    for col in ("received_at", "closed_at"):
        out[col] = pd.to_datetime(out[col], format="ISO8601")
    out["district"] = pd.Categorical(out["district"], categories=DISTRICTS)
    out["category"] = pd.Categorical(out["category"], categories=CATEGORIES)
    for col in ("street", "street_code", "source", "status"):
        out[col] = out[col].astype("category")
    for col in ("location_key", "complainant_key"):
        out[col] = out[col].astype("string")
    return out


def hotspots(rows: list[dict[str, Any]], k: int = 1, rule: HotspotRule = MONTH_QUARTER,
             unrecorded: frozenset[str] = frozenset()) -> HotspotTables:
    found = find_hotspots(frame(rows), rule, k, unrecorded)
    assert found is not None
    return found


def street_rows(found: HotspotTables) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in found.by_street.itertuples(index=False)]


def s1(period: str, places: int, requests: int, complainants: int) -> tuple[Any, ...]:
    """A by_street row of street S1 (甲区 城关街道), main category 餐饮油烟."""
    level = "quarter" if "Q" in period else "month"
    return (period, level, "甲区", "城关街道", "S1", places, requests, complainants, "餐饮油烟")


def test_twenty_days_apart_is_a_hotspot_forty_is_not() -> None:
    found = hotspots([
        request("A", "2025-01-05 09:00", "p1"), request("A", "2025-01-25 09:00", "p2"),
        request("B", "2025-03-01 09:00", "p3"), request("B", "2025-04-10 09:00", "p4"),
        # Exactly 30 × 24 hours apart still qualifies; one second more does not.
        request("C", "2025-05-01 00:00", "p5"), request("C", "2025-05-31 00:00", "p6"),
        request("D", "2025-07-01 00:00", "p7"), request("D", "2025-07-31 00:00:01", "p8"),
    ])
    assert street_rows(found) == [
        ("2025-01", "month", "甲区", "城关街道", "S1", 1, 2, 2, "餐饮油烟"),
        ("2025-05", "month", "甲区", "城关街道", "S1", 1, 2, 2, "餐饮油烟"),
        ("2025-Q1", "quarter", "甲区", "城关街道", "S1", 1, 2, 2, "餐饮油烟"),
        ("2025-Q2", "quarter", "甲区", "城关街道", "S1", 1, 2, 2, "餐饮油烟"),
    ]


def test_a_place_belongs_to_the_period_of_its_qualifying_request() -> None:
    found = hotspots([
        # 31 Jan + 2 Feb: a hotspot of February (2 requests), none in January.
        request("A", "2025-01-31 10:00", "p1"), request("A", "2025-02-02 10:00", "p2"),
        # 10 Jan, 20 Jan, 5 Feb: January has the pair (2), February the third request (1).
        request("B", "2025-01-10 10:00", "p3", street="S3"),
        request("B", "2025-01-20 10:00", "p4", street="S3"),
        request("B", "2025-02-05 10:00", "p5", street="S3"),
        # 31 Mar + 2 Apr: the second quarter's.
        request("C", "2025-03-31 23:00", "p6"), request("C", "2025-04-02 08:00", "p7"),
    ])
    assert street_rows(found) == [
        ("2025-01", "month", "乙区", "河西街道", "S3", 1, 2, 2, "餐饮油烟"),
        ("2025-02", "month", "甲区", "城关街道", "S1", 1, 2, 2, "餐饮油烟"),
        ("2025-02", "month", "乙区", "河西街道", "S3", 1, 1, 1, "餐饮油烟"),
        ("2025-04", "month", "甲区", "城关街道", "S1", 1, 2, 2, "餐饮油烟"),
        ("2025-Q1", "quarter", "甲区", "城关街道", "S1", 1, 2, 2, "餐饮油烟"),
        ("2025-Q1", "quarter", "乙区", "河西街道", "S3", 1, 3, 3, "餐饮油烟"),
        ("2025-Q2", "quarter", "甲区", "城关街道", "S1", 1, 2, 2, "餐饮油烟"),
    ]


def test_three_requests_needed_within_the_window() -> None:
    rule = HotspotRule(window_days=30, min_requests=3, periods=("month",))
    found = hotspots([
        request("A", "2025-01-01", "p1"), request("A", "2025-01-20", "p2"),
        request("A", "2025-01-30", "p3"),  # three within 29 days
        request("B", "2025-01-01", "p4"), request("B", "2025-01-25", "p5"),
        request("B", "2025-02-20", "p6"),  # 50 days from first to third
    ], rule=rule)
    assert street_rows(found) == [s1("2025-01", 1, 3, 3)]


def test_one_persistent_complainant_is_counted_apart_by_district() -> None:
    rows = [
        request("A", "2025-01-02", "p1"), request("A", "2025-01-09", "p1"),
        request("A", "2025-01-16", "p1"),
        request("B", "2025-01-03", "p2"), request("B", "2025-01-04", "p3"),
    ]
    found = hotspots(rows, k=1, rule=HotspotRule(periods=("month",)))
    assert street_rows(found) == [s1("2025-01", 1, 2, 2)]
    assert [tuple(r) for r in found.persistent_by_district.itertuples(index=False)] == [
        ("2025-01", "month", "甲区", 1, 3)]


def test_persistent_places_need_k_places_and_k_complainants() -> None:
    one_person = [request(p, d, "p1") for p in ("A", "B") for d in ("2025-01-02", "2025-01-05")]
    two_people = [request(p, d, who, street="S2") for p, who in (("C", "p2"), ("D", "p3"))
                  for d in ("2025-01-02", "2025-01-05")]
    found = hotspots(one_person + two_people, k=2, rule=HotspotRule(periods=("month",)))
    # 甲区: 2 places but both from p1, withheld; 乙区: 2 places from 2 people.
    assert [tuple(r) for r in found.persistent_by_district.itertuples(index=False)] == [
        ("2025-01", "month", "乙区", 2, 4)]
    assert found.by_street.empty
    assert found.coverage.to_dict("records")[1] == {
        "period_level": "month", "table": "persistent", "rows": 2, "rows_published": 1,
        "places": 4, "places_published": 2}


def test_street_rows_below_k_complainants_are_withheld() -> None:
    rows = [request("A", "2025-01-02", who) for who in ("p1", "p2", "p3")]
    # Same street name in another district, keyed apart by street_code.
    rows += [request("B", "2025-01-02", who, street="S2") for who in ("p4", "p5")]
    found = hotspots(rows, k=3, rule=HotspotRule(periods=("month",)))
    assert street_rows(found) == [s1("2025-01", 1, 3, 3)]
    assert found.coverage.to_dict("records")[0] == {
        "period_level": "month", "table": "by_street", "rows": 2, "rows_published": 1,
        "places": 2, "places_published": 1}
    assert street_rows(hotspots(rows, k=4, rule=HotspotRule(periods=("month",)))) == []


def test_a_published_quarter_does_not_give_away_its_one_withheld_month() -> None:
    rows = [request("A", "2025-01-02", who) for who in ("p1", "p2", "p3")]
    rows += [request("B", "2025-02-02", who) for who in ("p4", "p5")]
    found = hotspots(rows, k=3)
    # January (3 complainants) would pass, but Q1 − January would reveal February (2).
    assert street_rows(found) == [s1("2025-Q1", 2, 5, 5)]


def test_main_category_most_requests_then_taxonomy_order() -> None:
    tie = [request("A", d, w, category="社会生活噪声") for d, w in (("2025-01-02", "p1"),
                                                                  ("2025-01-03", "p2"))]
    tie += [request("B", d, w) for d, w in (("2025-01-02", "p3"), ("2025-01-03", "p4"))]
    more = [*tie, request("C", "2025-02-20", "p5", category="社会生活噪声"),
            request("C", "2025-02-21", "p6", category="社会生活噪声")]
    month = HotspotRule(periods=("month",))
    assert hotspots(tie, rule=month).by_street["main_category"].tolist() == ["餐饮油烟"]
    quarter = HotspotRule(periods=("quarter",))
    assert street_rows(hotspots(more, rule=quarter)) == [
        ("2025-Q1", "quarter", "甲区", "城关街道", "S1", 3, 6, 6, "社会生活噪声")]


def test_proactive_tasks_do_not_make_a_hotspot() -> None:
    found = hotspots([request("A", "2025-01-02", "p1"),
                      request("A", "2025-01-05", None, source="主动治理")])
    assert found.by_street.empty and found.persistent_by_district.empty


def test_without_caller_identity_each_request_is_its_own_complainant() -> None:
    rows = [request("A", "2025-01-02", "p1"), request("A", "2025-01-05", "p1")]
    found = hotspots(rows, rule=HotspotRule(periods=("month",)),
                     unrecorded=frozenset({"complainant_key"}))
    assert street_rows(found) == [s1("2025-01", 1, 2, 2)]
    assert found.persistent_by_district.empty


def test_unrecorded_location_gives_no_figures() -> None:
    rows = [request(None, "2025-01-02", "p1", closed="2025-01-03"),
            request(None, "2025-01-05", "p2", closed="2025-01-06")]
    data = frame(rows)
    end = pd.Timestamp("2025-06-30")
    assert find_hotspots(data, MONTH_QUARTER, 5, frozenset()) is None
    assert repeat_rate(data, 30, end) is None
    declared = frame([request("A", "2025-01-02", "p1", closed="2025-01-03")])
    assert find_hotspots(declared, MONTH_QUARTER, 5, frozenset({"location_key"})) is None
    assert repeat_rate(declared, 30, end, frozenset({"location_key"})) is None


def test_repeat_rate_by_hand() -> None:
    rows = [
        # A1 closed 3 Jan, A2 received 20 Jan: repeated. A2 closed 22 Jan, A3 38 days later:
        # not. A3 closed 5 Mar, within the last 30 days before 31 Mar: left out.
        request("A", "2025-01-01", "p1", closed="2025-01-03"),
        request("A", "2025-01-20", "p2", closed="2025-01-22"),
        request("A", "2025-03-01", "p1", closed="2025-03-05"),
        # B2 arrives while B1 is open: neither is followed after its closure.
        request("B", "2025-01-10", "p3", closed="2025-02-10"),
        request("B", "2025-01-15", "p3", closed="2025-01-16"),
        # C1 (乙区): the proactive task does not count, the open request 23 days later does.
        request("C", "2025-02-01", "p4", street="S2", closed="2025-02-02"),
        request("C", "2025-02-10", None, street="S2", closed="2025-02-11", source="主动治理"),
        request("C", "2025-02-25", "p5", street="S2"),
        # E1 (乙区) followed exactly 30 × 24 hours after closure: repeated.
        request("E", "2025-01-01 08:00", "p6", street="S2", closed="2025-01-01 12:00"),
        request("E", "2025-01-31 12:00", "p6", street="S2", closed="2025-02-01"),
        # No location: never in the denominator.
        request(None, "2025-01-04", "p7", closed="2025-01-05"),
    ]
    table = repeat_rate(frame(rows), 30, pd.Timestamp("2025-03-31"))
    assert table is not None
    assert [tuple(r) for r in table.itertuples(index=False)] == [
        ("2025-01", "全市", 2, 4, 4), ("2025-01", "甲区", 1, 3, 3),
        ("2025-01", "乙区", 1, 1, 1), ("2025-01", "丙区", 0, 0, 0),
        ("2025-02", "全市", 1, 3, 3), ("2025-02", "甲区", 0, 1, 1),
        ("2025-02", "乙区", 1, 2, 2), ("2025-02", "丙区", 0, 0, 0),
        ("all", "全市", 3, 7, 5), ("all", "甲区", 1, 4, 3),
        ("all", "乙区", 2, 3, 2), ("all", "丙区", 0, 0, 0),
    ]


def test_default_yaml_gives_the_default_rule(tmp_path: Path) -> None:
    raw = yaml.safe_load(DEFAULT_YAML)
    assert hotspot_rule_from_mapping(raw["hotspots"], tmp_path / "metrics.yml") == HotspotRule(
        window_days=30, min_requests=2, periods=("month", "quarter"))
    rule = hotspot_rule_from_mapping(
        {"window_days": 14, "min_requests": 3, "periods": ["year", "month"]}, tmp_path)
    assert rule == HotspotRule(14, 3, ("month", "year"))


def test_every_config_problem_is_listed(tmp_path: Path) -> None:
    path = tmp_path / "metrics.yml"
    raw = {"window_days": 0, "min_requests": 1.5, "periods": ["month", "week", "month"],
           "window": 30}
    with pytest.raises(ConfigError) as caught:
        hotspot_rule_from_mapping(raw, path)
    assert caught.value.message == (
        f"指标配置文件 {path} 的 hotspots 部分有 5 处错误：\n"
        "  - hotspots.window_days：值 “0” 无效：应为 1 到 366 之间的整数。"
        "修正方法：请填写 1 到 366 之间的整数（数字，不加引号）。\n"
        "  - hotspots.min_requests：值 “1.5” 无效：应为 2 到 100 之间的整数。"
        "修正方法：请填写 2 到 100 之间的整数（数字，不加引号）。\n"
        "  - hotspots.periods：值 “week” 不是可用的发布周期。"
        "修正方法：请写成列表，例如 [month, quarter]，可选值为 month（月）、quarter（季度）、"
        "year（年）。\n"
        "  - hotspots.periods：值 “month” 重复出现。修正方法：每个发布周期只写一次。\n"
        "  - hotspots.window：不是可识别的设置项。"
        "修正方法：请改正拼写或删除该项（可用的设置项：window_days、min_requests、periods）。"
    )
    assert [(p.key, p.code) for p in caught.value.problems] == [
        ("hotspots.window_days", "out-of-range"), ("hotspots.min_requests", "out-of-range"),
        ("hotspots.periods", "invalid"), ("hotspots.periods", "duplicate"),
        ("hotspots.window", "unknown-key")]


def test_missing_section_keys_and_wrong_types_are_named(tmp_path: Path) -> None:
    path = tmp_path / "metrics.yml"
    with pytest.raises(ConfigError) as caught:
        hotspot_rule_from_mapping(None, path)
    assert caught.value.message == (
        f"指标配置文件 {path} 的 hotspots 部分有 1 处错误：\n"
        "  - hotspots：缺少这一部分。"
        "修正方法：请从仓库中的 data/metrics.yml 复制 hotspots 这一部分。"
    )
    with pytest.raises(ConfigError) as caught:
        hotspot_rule_from_mapping({"window_days": True, "periods": "month"}, path)
    assert caught.value.message == (
        f"指标配置文件 {path} 的 hotspots 部分有 3 处错误：\n"
        "  - hotspots.window_days：值 “true” 无效：应为 1 到 366 之间的整数。"
        "修正方法：请填写 1 到 366 之间的整数（数字，不加引号）。\n"
        "  - hotspots.min_requests：缺少这一项。"
        "修正方法：请填写 2 到 100 之间的整数（数字，不加引号）。\n"
        "  - hotspots.periods：值 “month” 应为非空列表，现为文字。"
        "修正方法：请写成列表，例如 [month, quarter]，可选值为 month（月）、quarter（季度）、"
        "year（年）。"
    )


def test_periods_limit_the_tables_to_the_labels_given() -> None:
    rows = [request("A", "2025-01-02", "p1"), request("A", "2025-01-05", "p2"),
            request("B", "2025-02-02", "p3"), request("B", "2025-02-05", "p4")]
    found = find_hotspots(frame(rows), MONTH_QUARTER, 1, frozenset(), periods={"2025-02"})
    assert found is not None
    assert street_rows(found) == [s1("2025-02", 1, 2, 2)]

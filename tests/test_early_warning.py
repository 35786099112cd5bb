"""Early warning (预警): hand-made months with a known spike, the k filter, a partial latest
month, months without a baseline, and the rule's configuration errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from generator.errors import ConfigError
from generator.stats.early_warning import detect_warnings, poisson_upper_tail
from generator.stats.early_warning_rule import WarningRule, warning_rule_from_mapping

MONTHS = [f"2025-{m:02d}" for m in range(1, 8)]  # six baseline months and 2025-07
RULE = WarningRule(level="category", baseline_months=6, adjust="none", alpha=0.0005,
                   min_ratio=1.5, min_observed=5, false_alarm_budget=5.0)
STREETS = {"A": ("朝阳区", "呼家楼街道", "110105001"), "B": ("海淀区", "学院路街道", "110108010")}


def _rows(street: str, month: str, n: int, *, who: str | None = None, day: int = 10,
          source: str = "市民诉求", category: str = "扬尘") -> list[dict[str, object]]:
    district, name, code = STREETS[street]
    return [{"received_at": pd.Timestamp(f"{month}-{day:02d} 09:00"), "district": district,
             "street": name, "street_code": code, "element": "大气", "category": category,
             "complainant_key": who or f"P{street}{month}{i}", "source": source}
            for i in range(n)]


def _frame(*parts: list[dict[str, object]], through: str | None = "2025-07-31") -> pd.DataFrame:
    """The records; a proactive task (never counted) on `through` shows the export reaches
    the end of the latest month."""
    end = [] if through is None else _rows("B", through[:7], 1, day=int(through[8:]),
                                            source="主动治理")
    frame = pd.DataFrame([row for part in (*parts, end) for row in part])
    for column in ("district", "street", "street_code", "element", "category", "source"):
        frame[column] = frame[column].astype("category")
    frame["complainant_key"] = frame["complainant_key"].astype("string")
    return frame


def _steady(street: str, per_month: int, months: list[str]) -> list[dict[str, object]]:
    return [row for m in months for row in _rows(street, m, per_month)]


def test_one_spike_gives_exactly_one_warning() -> None:
    # A: 2 a month for six months, then 10 (P(X≥10 | 2) = 4.65e-5 < 0.0005); B: steady 4.
    frame = _frame(_steady("A", 2, MONTHS[:6]), _rows("A", "2025-07", 10),
                   _steady("B", 4, MONTHS))
    table = detect_warnings(frame, RULE, 5, frozenset(), MONTHS)
    assert table.to_dict("records") == [{
        "detected_on": "2025-07-31", "period": "2025-07", "district": "朝阳区",
        "street": "呼家楼街道", "street_code": "110105001", "category": "扬尘",
        "observed": 10, "expected": 2.0, "complainants": 10,
        "rule": "泊松检验 p<0.0005，基线为前 6 个月均值；当月至少 5 件且不低于基线的 1.5 倍"}]


def test_city_adjustment_follows_the_rest_of_the_city() -> None:
    # B (the rest of the city) goes from 4 to 6 a month: A's expected is 2 × 6/4 = 3.0, and
    # P(X≥10 | 3) = 0.0011 is no longer below 0.0005; below 0.002 it is.
    frame = _frame(_steady("A", 2, MONTHS[:6]), _rows("A", "2025-07", 10),
                   _steady("B", 4, MONTHS[:6]), _rows("B", "2025-07", 6))
    city = WarningRule("category", 6, "city", 0.0005, 1.5, 5, 5.0)
    assert detect_warnings(frame, city, 5, frozenset(), MONTHS).empty
    loose = WarningRule("category", 6, "city", 0.002, 1.5, 5, 5.0)
    table = detect_warnings(frame, loose, 5, frozenset(), MONTHS)
    assert table[["street_code", "observed", "expected"]].to_dict("records") == [
        {"street_code": "110105001", "observed": 10, "expected": 3.0}]
    assert table["rule"].iloc[0] == ("泊松检验 p<0.002，基线为前 6 个月均值，按全市季节变化调整；"
                                     "当月至少 5 件且不低于基线的 1.5 倍")


def test_a_spike_raised_by_one_complainant_is_not_published() -> None:
    frame = _frame(_steady("A", 2, MONTHS[:6]), _rows("A", "2025-07", 10, who="Pone"))
    assert detect_warnings(frame, RULE, 5, frozenset(), MONTHS).empty
    # Without caller identity each request is its own complainant: 10 ≥ k.
    unrecorded = frame.assign(complainant_key=pd.array([None] * len(frame), dtype="string"))
    table = detect_warnings(unrecorded, RULE, 5, frozenset({"complainant_key"}), MONTHS)
    assert table[["observed", "complainants"]].to_dict("records") == [
        {"observed": 10, "complainants": 10}]


def test_proactive_tasks_are_not_counted() -> None:
    frame = _frame(_steady("A", 2, MONTHS[:6]), _rows("A", "2025-07", 10, source="主动治理"))
    assert detect_warnings(frame, RULE, 5, frozenset(), MONTHS).empty


def test_partial_latest_month_scales_the_baseline() -> None:
    # 2025-06 ends on the 15th of 30 days: expected = 2 × 15/30 = 1.0 and P(X≥8 | 1) = 1.0e-5;
    # compared as a whole month (expected 2.0) it would be P = 0.0011, no warning.
    months = MONTHS[:6]
    earlier = [f"2024-{m:02d}" for m in range(12, 13)] + months[:5]
    frame = _frame(_steady("A", 2, earlier), _rows("A", "2025-06", 8, day=15), through=None)
    table = detect_warnings(frame, RULE, 5, frozenset(), ["2024-12", *months])
    assert table[["detected_on", "period", "observed", "expected"]].to_dict("records") == [
        {"detected_on": "2025-06-15", "period": "2025-06", "observed": 8, "expected": 1.0}]


def test_no_full_baseline_no_warning() -> None:
    # Six months only: no month has six before it. A spike in month 3 of 7 is not tested.
    frame = _frame(_steady("A", 2, MONTHS[:5]), _rows("A", "2025-06", 12), through="2025-06-30")
    table = detect_warnings(frame, RULE, 5, frozenset(), MONTHS[:6])
    assert table.empty and list(table.columns) == [
        "detected_on", "period", "district", "street", "street_code", "category", "observed",
        "expected", "complainants", "rule"]
    early = _frame(_steady("A", 2, MONTHS[:2]), _rows("A", "2025-03", 12),
                   _steady("A", 2, MONTHS[3:]))
    assert detect_warnings(early, RULE, 5, frozenset(), MONTHS).empty


def test_element_level_sums_the_categories_of_an_element() -> None:
    # 1 扬尘 + 1 企业废气 a month → 大气 baseline 2.0; then 5 + 5 = 10 大气 requests.
    base = [row for m in MONTHS[:6] for c in ("扬尘", "企业废气")
            for row in _rows("A", m, 1, category=c)]
    spike = _rows("A", "2025-07", 5) + _rows("A", "2025-07", 5, category="企业废气", day=11)
    frame = _frame(base, [{**r, "complainant_key": f"Q{i}"} for i, r in enumerate(spike)])
    element = WarningRule("element", 6, "none", 0.0005, 1.5, 5, 5.0)
    table = detect_warnings(frame, element, 5, frozenset(), MONTHS)
    assert table[["element", "observed", "expected", "complainants"]].to_dict("records") == [
        {"element": "大气", "observed": 10, "expected": 2.0, "complainants": 10}]


def test_poisson_upper_tail_matches_hand_values() -> None:
    import numpy as np
    p = poisson_upper_tail(np.array([10, 10, 8, 3, 5]), np.array([2.0, 3.0, 1.0, 3.0, 0.0]))
    # 1 − Σ_{j<x} e^−λ λ^j / j!; no rise (3 vs 3) is 1.0; a zero baseline gives 0.
    assert p == pytest.approx([4.6498075e-05, 1.1024881e-03, 1.0249197e-05, 1.0, 0.0],
                              rel=1e-6)
    # Large counts: P(X ≥ 2100 | 2000) = Σ_{j≥2100} exp(j ln 2000 − 2000 − lgamma(j+1))
    # = 0.0135349 (math.lgamma, summed term by term); e^−2000 alone underflows.
    assert poisson_upper_tail(np.array([2100]), np.array([2000.0]))[0] == pytest.approx(
        0.0135349, rel=1e-5)


GOOD = {"level": "category", "baseline_months": 6, "adjust": "city", "alpha": 0.0005,
        "min_ratio": 1.5, "min_observed": 5, "false_alarm_budget": 5,
        "evaluation": {"hit_rate": {"+10 件": 0.98}, "false_alarms_per_1000_street_months": 4.5,
                       "measured_by": "python benchmarks/bench_warnings.py"}}


def test_good_rule_parses() -> None:
    rule = warning_rule_from_mapping(GOOD, Path("data/metrics.yml"))
    assert (rule.level, rule.baseline_months, rule.alpha, rule.min_observed) == (
        "category", 6, 0.0005, 5)
    assert rule.evaluation is not None and rule.evaluation.hit_rate == {"+10 件": 0.98}


def test_every_config_problem_is_listed() -> None:
    path = Path("data/metrics.yml")
    raw = {**GOOD, "level": "street", "baseline_months": 6.5, "alpha": 0.5, "window": 3,
           "evaluation": {"hit_rate": {"×2": 1.2}, "measured_by": ""}}
    del raw["min_ratio"]
    with pytest.raises(ConfigError) as caught:
        warning_rule_from_mapping(raw, path)
    assert caught.value.message == (
        "指标配置文件 data/metrics.yml 有 8 处错误：\n"
        "  - warnings.window：不是可识别的设置项。修正方法：请改正拼写或删除该项（可用的设置项："
        "level、baseline_months、adjust、alpha、min_ratio、min_observed、false_alarm_budget）。\n"
        "  - warnings.level：值 “street” 无效：不是可选的取值。"
        "修正方法：请填写 category（小类）、element（要素） 之一。\n"
        "  - warnings.baseline_months：值 “6.5” 无效：应为 3 到 24 之间的整数。"
        "修正方法：请填写 3 到 24 之间的整数（数字，不加引号）。\n"
        "  - warnings.alpha：值 “0.5” 无效：应为大于 0、不超过 0.2 的数。"
        "修正方法：请填写大于 0、不超过 0.2 的数（数字，不加引号）。\n"
        "  - warnings.min_ratio：缺少这一项。"
        "修正方法：请填写 1 到 100 之间的数（数字，不加引号）。\n"
        "  - warnings.evaluation.false_alarms_per_1000_street_months：缺少这一项。"
        "修正方法：请填写 0 到 1000 之间的数（数字，不加引号）。\n"
        "  - warnings.evaluation.hit_rate.×2：值 “1.2” 无效：应为 0 到 1 之间的数。"
        "修正方法：请填写 0 到 1 之间的数（数字，不加引号）。\n"
        "  - warnings.evaluation.measured_by：不能为空。"
        "修正方法：请运行 python benchmarks/bench_warnings.py，把它输出的 evaluation 部分"
        "原样粘贴到这里。")
    assert [(p.key, p.code) for p in caught.value.problems][:2] == [
        ("warnings.window", "unknown-key"), ("warnings.level", "invalid-choice")]

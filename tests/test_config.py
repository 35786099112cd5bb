"""data/metrics.yml: the shipped file loads; every problem is reported at once, in Chinese."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.config import load_metrics
from generator.errors import ConfigError
from tests.conftest import ROOT


def test_shipped_metrics_load() -> None:
    metrics = load_metrics(ROOT / "data" / "metrics.yml")
    assert metrics.basic_satisfied_weight == 0.9
    assert sum(metrics.composite_weights.values()) == pytest.approx(1)
    assert metrics.deadlines_hours["一般"] == 168
    assert metrics.min_complainants == 5


def test_every_problem_is_listed(tmp_path: Path) -> None:
    bad = tmp_path / "metrics.yml"
    text = (ROOT / "data" / "metrics.yml").read_text("utf-8")
    text = text.replace("basic_satisfied_weight: 0.9", "basic_satisfied_weight: 1.5")
    text = text.replace("  紧急: 2", "  紧急: 两小时")
    bad.write_text(text, "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_metrics(bad)
    assert caught.value.message == (
        f"指标配置文件 {bad} 有 2 处错误：\n"
        "  - rates.basic_satisfied_weight：值 “1.5” 无效：应为 0 到 1 之间的数。"
        "修正方法：请填写 0 到 1 之间的数（数字，不加引号）。\n"
        "  - deadlines_hours.紧急：值 “两小时” 无效：应为 0.1 到 8784 之间的数。"
        "修正方法：请填写 0.1 到 8784 之间的数（数字，不加引号）。"
    )
    # The same problems, structured, for JSON and the intake service.
    assert [p.as_dict() for p in caught.value.problems] == [
        {"file": str(bad), "message": "无效：应为 0 到 1 之间的数",
         "fix": "请填写 0 到 1 之间的数（数字，不加引号）", "row": None, "field": None,
         "key": "rates.basic_satisfied_weight", "value": "1.5", "code": "out-of-range"},
        {"file": str(bad), "message": "无效：应为 0.1 到 8784 之间的数",
         "fix": "请填写 0.1 到 8784 之间的数（数字，不加引号）", "row": None, "field": None,
         "key": "deadlines_hours.紧急", "value": "两小时", "code": "out-of-range"},
    ]


def test_missing_section_and_missing_key_are_named(tmp_path: Path) -> None:
    bad = tmp_path / "metrics.yml"
    text = (ROOT / "data" / "metrics.yml").read_text("utf-8")
    text = text.replace("rates:\n", "old_rates:\n").replace("  min_complainants: 5", "  k: 5")
    bad.write_text(text, "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_metrics(bad)
    assert caught.value.message == (
        f"指标配置文件 {bad} 有 2 处错误：\n"
        "  - rates：缺少这一部分。修正方法：请从仓库中的 data/metrics.yml 复制这一部分。\n"
        "  - disclosure.min_complainants：缺少这一项。"
        "修正方法：请填写 1 到 1000 之间的数（数字，不加引号）。"
    )
    assert [(p.key, p.code) for p in caught.value.problems] == [
        ("rates", "missing-key"), ("disclosure.min_complainants", "missing-key")]


def test_weights_must_sum_to_one(tmp_path: Path) -> None:
    bad = tmp_path / "metrics.yml"
    text = (ROOT / "data" / "metrics.yml").read_text("utf-8")
    bad.write_text(text.replace("resolved_rate: 0.5", "resolved_rate: 0.6"), "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_metrics(bad)
    assert caught.value.message == (
        f"指标配置文件 {bad} 有 1 处错误：\n"
        "  - composite_weights：三个权重之和应为 1，现为 1.1。"
        "修正方法：请调整这三个权重，使它们相加等于 1。")


def test_missing_file_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="找不到指标配置文件"):
        load_metrics(tmp_path / "metrics.yml")

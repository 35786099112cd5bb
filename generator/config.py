"""Typed, documented settings read from files staff can edit.

Every problem in a settings file is collected first and reported once, so staff fix them all
in one pass (the mkdocs `config/base.py` habit).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.dataset.vocabulary import URGENCY_CLASSES
from generator.errors import ConfigError
from generator.problems import ProblemList, problem, render_text
from generator.text import shown


@dataclass(frozen=True)
class MetricsConfig:
    """How the three rates, the composite score and the on-time rate are computed.

    Every value comes from data/metrics.yml (no defaults in code: the file is the definition).
    """

    basic_satisfied_weight: float
    """满意率 counts each 基本满意 answer with this weight (满意 counts 1)."""

    composite_weights: dict[str, float]
    """综合成绩 = Σ weight × rate × 100 over 响应率, 解决率 and 满意率."""

    deadlines_hours: dict[str, float]
    """Hours from receipt to closure allowed for each urgency class (on-time rate)."""

    min_complainants: int
    """Smallest number of distinct complainants behind a published count or rate."""


class _Loader(yaml.SafeLoader):
    """safe_load, except that an impossible date (2024-02-30) is a YAML error with its line.

    PyYAML builds dates with datetime.date(), which raises a bare ValueError; here it becomes
    a MarkedYAMLError like any other syntax problem.
    """

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"“{shown(node.value)}” 像日期，但不是有效的日期", node.start_mark,
            ) from exc


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """Where and what, from PyYAML's error (its wording is English; the place is what helps)."""
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        return f"第 {mark.line + 1} 行第 {mark.column + 1} 列：{exc.problem}"
    return str(exc)


def read_yaml_mapping(path: Path, label: str, missing_fix: str) -> dict[str, Any]:
    """A YAML file that must hold a mapping; Chinese ConfigError naming `label` otherwise.

    `label` names the file for staff (e.g. 指标配置文件); `missing_fix` says how to get it back.
    Every YAML file the program reads goes through here. The error also carries the problem
    as one structured Problem (whole file, no key), for callers that collect problems.
    """

    def fail(what: str, fix: str, code: str) -> ConfigError:
        return ConfigError(f"{label} {path} {what}。{fix}", [problem(path, what, fix, code=code)])

    try:
        text = path.read_text(encoding="utf-8-sig")
        raw: Any = yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
    except FileNotFoundError as exc:
        raise ConfigError(f"找不到{label} {path}。{missing_fix}", [problem(
            path, "找不到该文件", missing_fix or "请确认文件存在", code="missing-file")]) from exc
    except UnicodeDecodeError as exc:
        raise fail(f"不是 UTF-8 编码（第 {exc.start + 1:,} 个字节无法解码）",
                   "请用 UTF-8 编码另存该文件。", "encoding") from exc
    except OSError as exc:
        reason, fix = f"（{exc.strerror or exc}）", "请检查路径和文件权限。"
        raise ConfigError(f"无法读取{label} {path}{reason}。{fix}", [problem(
            path, f"无法读取{reason}", fix, code="unreadable")]) from exc
    except yaml.YAMLError as exc:
        raise fail(f"不是有效的 YAML（{_yaml_problem(exc)}）",
                   "请检查缩进、冒号和引号；日期请写成有效的 YYYY-MM-DD。", "yaml-error") from exc
    if not isinstance(raw, dict):
        raise fail(f"的顶层应为键值映射，实际是{kind_of(raw)}", "请对照仓库中的示例修改。",
                   "type-error")
    return raw


def kind_of(value: Any) -> str:
    """What a YAML value is, in words staff know (for "应为映射，现为列表" messages)."""
    if value is None:
        return "空值（null）"
    if isinstance(value, bool):
        return "是/否值（true/false）"
    if isinstance(value, int | float):
        return "数字"
    if isinstance(value, str):
        return "文字"
    if isinstance(value, list):
        return "列表"
    if isinstance(value, dict):
        return "映射（键: 值）"
    if isinstance(value, dt.date):
        return "日期"
    return type(value).__name__


def yaml_text(value: Any) -> str:
    """A value as the YAML file shows it: text as is, others in flow style ([1, 2], {a: 1})."""
    if isinstance(value, str):
        return value
    try:
        text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10**6)
    except yaml.YAMLError:
        return str(value)
    return text.strip().removesuffix("...").strip()


def load_metrics(path: Path) -> MetricsConfig:
    """Read data/metrics.yml; collect every problem (key path, value, fix), then raise one
    ConfigError carrying them."""
    raw = read_yaml_mapping(path, "指标配置文件", "请从仓库恢复 data/metrics.yml。")
    problems = ProblemList(path)

    def section(key: str) -> dict[str, Any] | None:
        value = raw.get(key)
        if isinstance(value, dict):
            return value
        if key not in raw:
            problems.add("缺少这一部分", "请从仓库中的 data/metrics.yml 复制这一部分", key=key,
                         code="missing-key")
        else:
            problems.add(f"应为映射（每行“名称: 数值”），现为{kind_of(value)}",
                         "请对照仓库中的 data/metrics.yml 改写这一部分", key=key,
                         value=None if value is None else yaml_text(value), code="type-error")
        return None  # a broken section is reported once, not once per key

    def number(sec: dict[str, Any] | None, key: str, where: str, lo: float, hi: float) -> float:
        value = None if sec is None else sec.get(key)
        if not isinstance(value, int | float) or isinstance(value, bool) or not lo <= value <= hi:
            if sec is not None:
                missing = key not in sec
                problems.add("缺少这一项" if missing else f"无效：应为 {lo} 到 {hi} 之间的数",
                             f"请填写 {lo} 到 {hi} 之间的数（数字，不加引号）",
                             key=f"{where}.{key}", value=None if missing else yaml_text(value),
                             code="missing-key" if missing else "out-of-range")
            return lo
        return float(value)

    rates = section("rates")
    weight = number(rates, "basic_satisfied_weight", "rates", 0, 1)
    cw_raw = section("composite_weights")
    weights = {
        k: number(cw_raw, k, "composite_weights", 0, 1)
        for k in ("responded_rate", "resolved_rate", "satisfied_rate")
    }
    if not problems and abs(sum(weights.values()) - 1) > 1e-9:
        problems.add(f"三个权重之和应为 1，现为 {sum(weights.values()):g}",
                     "请调整这三个权重，使它们相加等于 1", key="composite_weights",
                     code="invalid-sum")
    dl_raw = section("deadlines_hours")
    deadlines = {k: number(dl_raw, k, "deadlines_hours", 0.1, 24 * 366) for k in URGENCY_CLASSES}
    disclosure = section("disclosure")
    k_min = number(disclosure, "min_complainants", "disclosure", 1, 1000)
    if problems:
        raise ConfigError(
            render_text(problems, f"指标配置文件 {path} 有 {len(problems)} 处错误："),
            problems.items)
    return MetricsConfig(weight, weights, deadlines, int(k_min))

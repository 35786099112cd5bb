"""Typed, documented settings read from files staff can edit.

Every problem in a settings file is collected first and reported once, so staff fix them all
in one pass (the mkdocs `config/base.py` habit).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from generator.dataset.vocabulary import URGENCY_CLASSES
from generator.errors import ConfigError
from generator.problems import ProblemList, problem, render_text

if TYPE_CHECKING:  # the rule modules import this module's YAML helpers
    from generator.stats.early_warning_rule import WarningRule
    from generator.stats.hotspots_config import HotspotRule
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

    ranking: RankingRule
    """Who is ranked and over which window (section `ranking`)."""

    topics: dict[str, str]
    """每月一题: the category chosen as the topic of each month 'YYYY-MM' (section `topics`)."""

    hotspots: HotspotRule
    """重点点位: window, minimum requests and periods (section `hotspots`)."""

    warnings: WarningRule
    """预警: the rule, its threshold and measured performance (section `warnings`)."""

    definitions: dict[str, Definition]
    """What each published figure means, as the methodology page shows it (section
    `definitions`; every figure of kpis.csv needs one)."""


@dataclass(frozen=True)
class RankingRule:
    """Rankings of districts and streets (section `ranking`)."""

    window_months: int
    """Length of the ranking window in months (a multiple of 3): the latest complete quarters,
    so window figures are sums of published quarters."""
    min_requests: int
    """Units with fewer requests in the window are listed apart, never ranked."""
    precision: int
    """Decimals the score is compared at (equal at this precision: 不分先后)."""


@dataclass(frozen=True)
class Definition:
    """One published figure as the methodology page explains it (all texts in Chinese)."""

    title: str
    """The figure's name on pages, e.g. 解决率."""
    formula: str
    """How it is computed, in words and symbols."""
    numerator: str
    """What is counted above the line ('' for a count)."""
    denominator: str
    """What is counted below the line ('' for a count)."""
    exclusions: str
    """What is left out, and why ('' when nothing is)."""


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


def load_metrics(path: Path, categories: Sequence[str] | None = None) -> MetricsConfig:
    """Read data/metrics.yml; collect every problem (key path, value, fix), then raise one
    ConfigError carrying them. `categories` (the taxonomy's, in its order): each topic of
    `topics` must be one of them."""
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
    ranking_raw = section("ranking")
    window_months = int(number(ranking_raw, "window_months", "ranking", 3, 120))
    if window_months % 3:
        problems.add("应为 3 的倍数（排名窗口由完整的季度组成）", "请填写 3、6、12 等",
                     key="ranking.window_months", value=str(window_months), code="out-of-range")
    ranking = RankingRule(
        window_months,
        int(number(ranking_raw, "min_requests", "ranking", 1, 10**6)),
        int(number(ranking_raw, "precision", "ranking", 0, 3)))
    topics = _topics(section("topics"), problems, categories)
    definitions = _definitions(section("definitions"), problems)
    from generator.stats.early_warning_rule import warning_rule_from_mapping
    from generator.stats.hotspots_config import hotspot_rule_from_mapping

    rules: list[Any] = []
    for parse, key in ((hotspot_rule_from_mapping, "hotspots"),
                       (warning_rule_from_mapping, "warnings")):
        if key not in raw:
            problems.add("缺少这一部分", "请从仓库中的 data/metrics.yml 复制这一部分", key=key,
                         code="missing-key")
            rules.append(None)
            continue
        try:
            rules.append(parse(raw[key], path))
        except ConfigError as exc:  # collected with the others, reported once
            problems.extend(exc.problems)
            rules.append(None)
    if problems:
        raise ConfigError(
            render_text(problems, f"指标配置文件 {path} 有 {len(problems)} 处错误："),
            problems.items)
    return MetricsConfig(weight, weights, deadlines, int(k_min), ranking, topics, rules[0],
                         rules[1], definitions)


DEFINED_FIGURES = ("total", "citizen_total", "proactive_total", "responded_rate", "resolved_rate",
                   "satisfied_rate", "composite_score", "ontime_rate", "escalation_rate",
                   "repeat_rate")
"""Every published figure the methodology page defines (section `definitions`), in page
order; a test checks that each measure of kpis.csv is here."""
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
DEFINITION_KEYS = ("title", "formula", "numerator", "denominator", "exclusions")


def _topics(sec: dict[str, Any] | None, problems: ProblemList,
            categories: Sequence[str] | None) -> dict[str, str]:
    """Month → category, each a category of the taxonomy when `categories` are given."""
    out: dict[str, str] = {}
    for month, category in (sec or {}).items():
        text = month.isoformat()[:7] if isinstance(month, dt.date) else str(month)
        if not MONTH.match(text):
            problems.add("月份应写成 YYYY-MM", "例如 \"2026-10\": 餐饮油烟（月份加引号）",
                         key=f"topics.{text}", value=text, code="bad-month")
        elif not isinstance(category, str) or not category.strip():
            problems.add("应为一个诉求类别名称", "请写 taxonomy.yml 中的类别名称，例如 餐饮油烟",
                         key=f"topics.{text}", value=yaml_text(category), code="type-error")
        elif categories is not None and category.strip() not in categories:
            problems.add("不是分类表（taxonomy.yml）中的诉求类别",
                         f"请改为分类表中的类别名称，例如 {categories[0]}",
                         key=f"topics.{text}", value=category.strip(), code="unknown-category")
        else:
            out[text] = category.strip()
    return dict(sorted(out.items()))


def _definitions(sec: dict[str, Any] | None, problems: ProblemList) -> dict[str, Definition]:
    out: dict[str, Definition] = {}
    for name, entry in (sec or {}).items():
        if not isinstance(entry, dict):
            problems.add(f"应为映射（{'、'.join(DEFINITION_KEYS)}），现为{kind_of(entry)}",
                         "请对照仓库中的 data/metrics.yml 改写", key=f"definitions.{name}",
                         value=yaml_text(entry), code="type-error")
            continue
        texts = {}
        for key in DEFINITION_KEYS:
            value = entry.get(key, "")
            required = key in ("title", "formula")
            if not isinstance(value, str) or (required and not value):
                problems.add("应为一段文字" + ("（不能为空）" if required else ""),
                             "请填写中文说明", key=f"definitions.{name}.{key}",
                             value=yaml_text(value), code="type-error")
                value = ""
            texts[key] = value.strip()
        problems.unknown_keys(entry, DEFINITION_KEYS, prefix=f"definitions.{name}")
        out[str(name)] = Definition(**texts)
    if sec is not None:
        for name in DEFINED_FIGURES:
            if name not in out and name not in sec:
                problems.add("缺少这一项指标的口径说明", "请从仓库中的 data/metrics.yml 复制这一项",
                             key=f"definitions.{name}", code="missing-key")
        for name in sec:
            if name not in DEFINED_FIGURES:
                problems.add("不是已发布的指标", f"可用的指标为 {'、'.join(DEFINED_FIGURES)}",
                             key=f"definitions.{name}", code="unknown-key")
    return {name: out[name] for name in DEFINED_FIGURES if name in out}

"""The 重点点位 rule (data/metrics.yml `hotspots:`), typed, with every problem collected at once.

DEFAULT_YAML is the section to paste into data/metrics.yml, with a Chinese comment per key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.config import kind_of, yaml_text
from generator.errors import ConfigError
from generator.problems import ProblemList, render_text

PERIOD_LEVELS: dict[str, str] = {"month": "月", "quarter": "季度", "year": "年"}
"""Period levels a hotspot table can be published for, with their Chinese names."""

SECTION = "hotspots"
"""The key of the rule in data/metrics.yml."""

DEFAULT_YAML = """\
# 重点点位：同一点位（location_key）在时间窗内被多次投诉。只发布各街乡、各周期的点位数和诉求数。
hotspots:
  window_days: 30   # 时间窗（天，按 24 小时计）：诉求相隔不超过这么多天才算重复
  min_requests: 2   # 时间窗内至少这么多件市民诉求才算重点点位（至少为 2）
  periods: [month, quarter]   # 发布周期：month 月、quarter 季度、year 年，可多选
"""
"""The default section, as the lead pastes it into data/metrics.yml."""

_WINDOW_RANGE = (1, 366)
_MIN_REQUESTS_RANGE = (2, 100)


@dataclass(frozen=True)
class HotspotRule:
    """When a place (location_key) is a 重点点位, and for which periods the table is published.

    Defaults equal the shipped data/metrics.yml; the file stays the definition.
    """

    window_days: int = 30
    """A place qualifies when `min_requests` citizen requests fall within this many days
    (24-hour days, measured between receipt times)."""
    min_requests: int = 2
    """Citizen requests needed within the window; at least 2 (one request repeats nothing)."""
    periods: tuple[str, ...] = ("month", "quarter")
    """Period levels of the published table, finest first. Month follows the bureau's
    monthly review and hand-over of places to districts; quarter is the level at which most
    street rows rest on k complainants (a month of one street rarely does)."""


def hotspot_rule_from_mapping(raw: Any, path: Path) -> HotspotRule:
    """The rule from the value under `hotspots:` in `path` (data/metrics.yml).

    Every problem (missing section or key, wrong type, out of range, unknown key, unknown or
    repeated period) is collected and raised as one ConfigError naming the file, key path,
    value and fix.
    """
    problems = ProblemList(path)
    if not isinstance(raw, Mapping):
        if raw is None:
            problems.add("缺少这一部分", "请从仓库中的 data/metrics.yml 复制 hotspots 这一部分",
                         key=SECTION, code="missing-key")
        else:
            problems.add(f"应为映射（每行“名称: 数值”），现为{kind_of(raw)}",
                         "请对照仓库中的 data/metrics.yml 改写这一部分", key=SECTION,
                         value=yaml_text(raw), code="type-error")
        _raise(problems, path)
    section: Mapping[Any, Any] = raw

    def integer(key: str, lo: int, hi: int) -> int:
        value = section.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and lo <= value <= hi:
            return value
        missing = key not in section
        problems.add("缺少这一项" if missing else f"无效：应为 {lo} 到 {hi} 之间的整数",
                     f"请填写 {lo} 到 {hi} 之间的整数（数字，不加引号）",
                     key=f"{SECTION}.{key}", value=None if missing else yaml_text(value),
                     code="missing-key" if missing else "out-of-range")
        return lo

    window = integer("window_days", *_WINDOW_RANGE)
    minimum = integer("min_requests", *_MIN_REQUESTS_RANGE)
    periods = _periods(section, problems)
    problems.unknown_keys(section, ("window_days", "min_requests", "periods"), prefix=SECTION)
    if problems:
        _raise(problems, path)
    return HotspotRule(window, minimum, periods)


def _periods(section: Mapping[Any, Any], problems: ProblemList) -> tuple[str, ...]:
    """The `periods` list, in the order month → quarter → year whatever order staff wrote."""
    key = f"{SECTION}.periods"
    names = "、".join(f"{name}（{zh}）" for name, zh in PERIOD_LEVELS.items())
    fix = f"请写成列表，例如 [month, quarter]，可选值为 {names}"
    if "periods" not in section:
        problems.add("缺少这一项", fix, key=key, code="missing-key")
        return ()
    value = section["periods"]
    if not isinstance(value, list) or not value:
        now = "空列表" if isinstance(value, list) else kind_of(value)
        problems.add(f"应为非空列表，现为{now}", fix, key=key, value=yaml_text(value),
                     code="type-error")
        return ()
    chosen: list[str] = []
    for item in value:
        if not isinstance(item, str) or item not in PERIOD_LEVELS:
            problems.add("不是可用的发布周期", fix, key=key, value=yaml_text(item),
                         code="invalid")
        elif item in chosen:
            problems.add("重复出现", "每个发布周期只写一次", key=key, value=item,
                         code="duplicate")
        else:
            chosen.append(item)
    return tuple(name for name in PERIOD_LEVELS if name in chosen)


def _raise(problems: ProblemList, path: Path) -> None:
    raise ConfigError(
        render_text(problems, f"指标配置文件 {path} 的 hotspots 部分有 {len(problems)} 处错误："),
        problems.items)

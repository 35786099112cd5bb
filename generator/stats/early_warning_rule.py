"""The early-warning rule (预警规则) as typed configuration: the `warnings:` part of metrics.yml.

The rule is a one-sided Poisson test of each street × category (or street × element) month
against the cell's own baseline, with floors that keep warnings few and meaningful. The
measured hit rate and false-alarm rate (benchmarks/bench_warnings.py) sit beside it so the
methodology page can show what the rule achieves, not only what it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.config import kind_of, yaml_text
from generator.errors import ConfigError
from generator.problems import ProblemList, render_text

LEVELS = {"category": "小类", "element": "要素"}
"""Cell levels: street × category (fine) or street × element (the coarser fallback)."""
ADJUSTMENTS = {"city": "按全市其他街道同类诉求的变化调整", "none": "不作季节调整"}
"""How the baseline follows the season: by the rest of the city's change, or not at all."""

SECTION = "warnings"


@dataclass(frozen=True)
class WarningEvaluation:
    """What the rule achieved on generated data (printed by benchmarks/bench_warnings.py)."""

    hit_rate: dict[str, float]
    """Share of planted spikes flagged in their month, per spike kind (e.g. "+10 件": 0.97)."""
    false_alarms_per_1000_street_months: float
    """Warnings per 1,000 street-months on generated data without planted spikes."""
    measured_by: str
    """The command that measured these figures."""


@dataclass(frozen=True)
class WarningRule:
    """When a street's monthly count is a significant rise against its own baseline.

    A cell-month is flagged when its observed count is at least `min_observed`, at least
    `min_ratio` × expected, and P(X ≥ observed) < `alpha` for X ~ Poisson(expected), where
    expected is the mean of the previous `baseline_months` complete months (adjusted for the
    season when `adjust` is "city"; scaled to the days covered for a partial latest month).
    """

    level: str
    """"category" (street × category) or "element" (street × element)."""
    baseline_months: int
    """How many months before the tested month form the baseline; earlier months need them
    all, so the archive starts at the month after the first full baseline."""
    adjust: str
    """"city": expected = baseline mean × (rest of the city's count this month / its baseline
    mean) for the same category, so seasons and city-wide shifts are not warnings; "none"."""
    alpha: float
    """Significance level of the one-sided Poisson test, chosen from the false-alarm budget."""
    min_ratio: float
    """Observed must be at least this multiple of expected (a rise worth acting on)."""
    min_observed: int
    """Observed must be at least this many requests (k complainants are required as well)."""
    false_alarm_budget: float
    """Warnings per 1,000 street-months the bureau accepts on data without any real rise."""
    evaluation: WarningEvaluation | None = None
    """Measured hit and false-alarm rates of this rule, when they have been measured."""

    @property
    def unit(self) -> str:
        """The cell's subject in Chinese: 小类 or 要素."""
        return LEVELS[self.level]

    def text(self) -> str:
        """The rule in one short Chinese sentence (the `rule` column of warnings.csv)."""
        adjust = "，按全市季节变化调整" if self.adjust == "city" else ""
        return (f"泊松检验 p<{self.alpha:g}，基线为前 {self.baseline_months} 个月均值{adjust}；"
                f"当月至少 {self.min_observed} 件且不低于基线的 {self.min_ratio:g} 倍")


_KEYS = ("level", "baseline_months", "adjust", "alpha", "min_ratio", "min_observed",
         "false_alarm_budget")
_EVALUATION_KEYS = ("hit_rate", "false_alarms_per_1000_street_months", "measured_by")


def warning_rule_from_mapping(raw: Mapping[str, Any], path: Path) -> WarningRule:
    """The rule from the `warnings:` mapping of `path` (metrics.yml); every problem is
    collected (key path, bad value, fix), then one ConfigError carries them all."""
    problems = ProblemList(path)

    def key(name: str) -> str:
        return f"{SECTION}.{name}"

    def choice(name: str, options: Mapping[str, str]) -> str:
        value = raw.get(name)
        if isinstance(value, str) and value in options:
            return value
        fix = "请填写 " + "、".join(f"{o}（{zh}）" for o, zh in options.items()) + " 之一"
        if name not in raw:
            problems.add("缺少这一项", fix, key=key(name), code="missing-key")
        else:
            problems.add("无效：不是可选的取值", fix, key=key(name), value=yaml_text(value),
                         code="invalid-choice")
        return next(iter(options))

    def number(name: str, lo: float, hi: float, *, integer: bool = False,
               open_low: bool = False, mapping: Mapping[str, Any] = raw,
               where: str | None = None) -> float:
        value = mapping.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            inside = (lo < value if open_low else lo <= value) and value <= hi
            if inside and not (integer and not float(value).is_integer()):
                return float(value)
        kind = "整数" if integer else "数"
        span = f"大于 {lo:g}、不超过 {hi:g} " if open_low else f" {lo:g} 到 {hi:g} 之间"
        fix = f"请填写{span}的{kind}（数字，不加引号）"
        label = where or name
        if name not in mapping:
            problems.add("缺少这一项", fix, key=key(label), code="missing-key")
        else:
            problems.add(f"无效：应为{span}的{kind}", fix, key=key(label),
                         value=yaml_text(value), code="out-of-range")
        return lo if not open_low else hi

    problems.unknown_keys(sorted(set(map(str, raw)) - {"evaluation"}), _KEYS, prefix=SECTION)
    level = choice("level", LEVELS)
    baseline = number("baseline_months", 3, 24, integer=True)
    adjust = choice("adjust", ADJUSTMENTS)
    alpha = number("alpha", 0, 0.2, open_low=True)
    ratio = number("min_ratio", 1, 100)
    floor = number("min_observed", 1, 1000, integer=True)
    budget = number("false_alarm_budget", 0, 1000, open_low=True)
    evaluation = _evaluation(raw.get("evaluation"), problems, number) \
        if "evaluation" in raw else None
    if problems:
        raise ConfigError(
            render_text(problems, f"指标配置文件 {path} 有 {len(problems)} 处错误："),
            problems.items)
    return WarningRule(level, int(baseline), adjust, alpha, ratio, int(floor), budget,
                       evaluation)


def _evaluation(raw: Any, problems: ProblemList, number: Any) -> WarningEvaluation | None:
    """The measured figures; they are written by the benchmark, so any problem says: rerun."""
    rerun = "请运行 python benchmarks/bench_warnings.py，把它输出的 evaluation 部分原样粘贴到这里"
    where = f"{SECTION}.evaluation"
    if not isinstance(raw, dict):
        problems.add(f"应为映射（每行“名称: 数值”），现为{kind_of(raw)}", rerun, key=where,
                     value=None if raw is None else yaml_text(raw), code="type-error")
        return None
    for extra in sorted(set(map(str, raw)) - set(_EVALUATION_KEYS)):
        problems.add("不是可识别的设置项", rerun, key=f"{where}.{extra}", code="unknown-key")
    false_alarms = number("false_alarms_per_1000_street_months", 0, 1000, mapping=raw,
                          where="evaluation.false_alarms_per_1000_street_months")
    hits = raw.get("hit_rate")
    rates: dict[str, float] = {}
    if not isinstance(hits, dict) or not hits:
        problems.add("缺少这一项" if hits is None else "应为“突增类型: 命中率”的映射", rerun,
                     key=f"{where}.hit_rate", value=None if hits is None else yaml_text(hits),
                     code="missing-key" if hits is None else "type-error")
    else:
        for spike in hits:
            rates[str(spike)] = number(spike, 0, 1, mapping=hits,
                                       where=f"evaluation.hit_rate.{spike}")
    measured_by = raw.get("measured_by")
    if isinstance(measured_by, str) and not measured_by.strip():
        problems.add("不能为空", rerun, key=f"{where}.measured_by", code="empty")
    elif not isinstance(measured_by, str):
        problems.add("缺少这一项" if measured_by is None else "应为文字（测量所用的命令）",
                     rerun, key=f"{where}.measured_by",
                     value=None if measured_by is None else yaml_text(measured_by),
                     code="missing-key" if measured_by is None else "type-error")
    if not isinstance(measured_by, str):
        measured_by = ""
    return WarningEvaluation(rates, false_alarms, measured_by.strip())

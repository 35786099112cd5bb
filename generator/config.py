"""Typed, documented settings read from files staff can edit.

Every problem in a settings file is collected first and reported once, so staff fix them all
in one pass (the mkdocs `config/base.py` habit).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.errors import ConfigError

URGENCY_CLASSES = ("紧急", "民生保障", "一般", "疑难")


@dataclass(frozen=True)
class ProjectPaths:
    """Where the project's inputs and outputs live, relative to the project root."""

    root: Path
    """Project root: the folder holding mkdocs.yml."""

    @property
    def data(self) -> Path:
        """Data packages and reference data."""
        return self.root / "data"

    @property
    def complaints(self) -> Path:
        """The anonymized complaints data package that `build` publishes."""
        return self.data / "complaints"

    @property
    def reference(self) -> Path:
        """Districts, streets and the category taxonomy."""
        return self.data / "reference"

    @property
    def metrics_file(self) -> Path:
        """Definitions of the published measures (data/metrics.yml)."""
        return self.data / "metrics.yml"

    @property
    def site_src(self) -> Path:
        """Hand-written Markdown pages."""
        return self.root / "site_src"

    @property
    def mkdocs_yml(self) -> Path:
        """The mkdocs configuration."""
        return self.root / "mkdocs.yml"

    @property
    def site(self) -> Path:
        """The published static site (replaced atomically by `build`)."""
        return self.root / "site"


@dataclass(frozen=True)
class MetricsConfig:
    """How the three rates, the composite score and the on-time rate are computed."""

    basic_satisfied_weight: float = 0.9
    """满意率 counts each 基本满意 answer with this weight (满意 counts 1)."""

    composite_weights: dict[str, float] = field(
        default_factory=lambda: {"responded_rate": 0.1, "resolved_rate": 0.5, "satisfied_rate": 0.4}
    )
    """综合成绩 = Σ weight × rate × 100 over 响应率, 解决率 and 满意率."""

    deadlines_hours: dict[str, float] = field(
        default_factory=lambda: {"紧急": 2, "民生保障": 24, "一般": 168, "疑难": 360}
    )
    """Hours from receipt to closure allowed for each urgency class (on-time rate)."""

    min_complainants: int = 5
    """Smallest number of distinct complainants behind a published count or rate."""


def read_yaml_mapping(path: Path, label: str, missing_fix: str) -> dict[str, Any]:
    """A YAML file that must hold a mapping; Chinese ConfigError naming `label` otherwise.

    `label` names the file for staff (e.g. 指标配置文件); `missing_fix` says how to get it back.
    """
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"找不到{label} {path}。{missing_fix}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{label} {path} 不是有效的 YAML（{exc}）。请检查缩进和引号。") from exc
    if not isinstance(raw, dict):
        kind = type(raw).__name__
        raise ConfigError(
            f"{label} {path} 的顶层应为键值映射，实际是 {kind}。请对照仓库中的示例修改。")
    return raw


ORG_FIELDS = {
    "name": "主办单位名称",
    "address": "通信地址",
    "postcode": "邮政编码",
    "phone": "联系电话",
    "email": "电子邮箱（须为单位公共邮箱）",
    "hours": "办公时间",
}
"""Keys of mkdocs.yml `extra.org`: the 主办单位 and contact details shown on every page."""


def org_settings(extra: dict[str, Any], source: Path) -> dict[str, str]:
    """Check mkdocs.yml `extra.org`; every missing or empty key is reported at once."""
    org = extra.get("org") or {}
    if not isinstance(org, dict):
        org = {}
    missing = [f"{key}（{title}）" for key, title in ORG_FIELDS.items() if not org.get(key)]
    if missing:
        raise ConfigError(
            f"网站配置 {source} 的 extra.org 缺少：{'、'.join(missing)}。"
            "请在 mkdocs.yml 的 extra.org 下填写这些主办单位信息。"
        )
    return {key: str(org[key]) for key in ORG_FIELDS}


def load_metrics(path: Path) -> MetricsConfig:
    """Read data/metrics.yml; collect every problem, then raise one ConfigError."""
    raw = read_yaml_mapping(path, "指标配置文件", "请从仓库恢复 data/metrics.yml。")
    problems: list[str] = []

    def number(section: dict[str, Any], key: str, where: str, lo: float, hi: float) -> float:
        value = section.get(key)
        if not isinstance(value, int | float) or isinstance(value, bool) or not lo <= value <= hi:
            problems.append(f"{where}.{key} 的值 {value!r} 无效：应为 {lo} 到 {hi} 之间的数。")
            return lo
        return float(value)

    rates = raw.get("rates") or {}
    weight = number(rates, "basic_satisfied_weight", "rates", 0, 1)
    cw_raw = raw.get("composite_weights") or {}
    weights = {
        k: number(cw_raw, k, "composite_weights", 0, 1)
        for k in ("responded_rate", "resolved_rate", "satisfied_rate")
    }
    if not problems and abs(sum(weights.values()) - 1) > 1e-9:
        problems.append(f"composite_weights 三个权重之和应为 1，现为 {sum(weights.values()):g}。")
    dl_raw = raw.get("deadlines_hours") or {}
    deadlines = {k: number(dl_raw, k, "deadlines_hours", 0.1, 24 * 366) for k in URGENCY_CLASSES}
    disclosure = raw.get("disclosure") or {}
    k_min = number(disclosure, "min_complainants", "disclosure", 1, 1000)
    if problems:
        listed = "\n".join(f"  - {p}" for p in problems)
        raise ConfigError(f"指标配置文件 {path} 有 {len(problems)} 处错误：\n{listed}")
    return MetricsConfig(weight, weights, deadlines, int(k_min))

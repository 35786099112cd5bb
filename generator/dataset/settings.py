"""Deployment settings for checking data: the `data:` section of data/settings.yml.

A bureau edits data/settings.yml; every problem in it is collected and reported once. When a
project has no settings file the documented defaults below apply.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.config import read_yaml_mapping
from generator.errors import ConfigError

SETTINGS_FILE = Path("data") / "settings.yml"
"""Where a project keeps its settings, relative to the project root."""

DEFAULT_EARLIEST_YEAR = 2015
"""Used when data/settings.yml is missing or does not set data.earliest_year."""

BEIJING = dt.timezone(dt.timedelta(hours=8), "北京时间")
"""The contract's times are Beijing time, whatever the clock of the machine that builds."""


@dataclass(frozen=True)
class DataSettings:
    """How validation bounds the dates of a package."""

    earliest_year: int = DEFAULT_EARLIEST_YEAR
    """Times before 1 January of this year are row errors (a typo such as 2102 → 1202)."""

    source: Path | None = None
    """The settings file read, or None for the defaults; messages name it."""


def beijing_today() -> dt.date:
    """Today's date in Beijing: the default build date."""
    return dt.datetime.now(BEIJING).date()


def load_data_settings(path: Path) -> DataSettings:
    """Read the `data:` section of `path`; collect every problem, then raise one ConfigError."""
    raw = read_yaml_mapping(path, "设置文件", "请从仓库恢复 data/settings.yml。")
    problems: list[str] = []
    section: Any = raw.get("data", {})
    if section is None:
        section = {}
    if not isinstance(section, dict):
        problems.append(f"data 应为键值映射，实际是 {type(section).__name__}。")
        section = {}
    year: Any = section.get("earliest_year", DEFAULT_EARLIEST_YEAR)
    this_year = beijing_today().year
    if isinstance(year, bool) or not isinstance(year, int) or not 1990 <= year <= this_year:
        problems.append(
            f"data.earliest_year 的值 {year!r} 无效：应为 1990 到 {this_year} 之间的年份，"
            f"例如 {DEFAULT_EARLIEST_YEAR}。"
        )
    for key in section:
        if key != "earliest_year":
            problems.append(f"data.{key} 不是已知的设置项（已知：earliest_year）。请检查拼写。")
    if problems:
        listed = "\n".join(f"  - {p}" for p in problems)
        raise ConfigError(f"设置文件 {path} 有 {len(problems)} 处错误：\n{listed}")
    return DataSettings(earliest_year=year, source=path)


def project_data_settings(root: Path) -> DataSettings:
    """The settings of the project at `root`, or the defaults when it has no settings file."""
    path = root / SETTINGS_FILE
    return load_data_settings(path) if path.is_file() else DataSettings()

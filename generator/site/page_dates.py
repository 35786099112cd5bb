"""发布日期 / 更新日期 of every page, as government websites show them.

A hand-written page (site_src/) states its own dates in its front matter (`published:` and
`updated:`, YAML dates), checked here with every problem collected; a generated page shows the
release's: the build date and the data period. Never git history: CI clones shallow, and a
bureau's copy may not be a repository at all. The theme's partials/source-file.html shows them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path

import yaml

from generator.errors import ConfigError
from generator.problems import Problem, problem, render_text
from generator.site.format import month_zh

DATE_KEYS = {"published": "发布日期", "updated": "更新日期"}
"""Front-matter keys of a hand-written page and how the page names them."""
FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*\r?\n", re.S)
_FIX = ("在页面第一行起写 front matter，例如：---、published: 2025-06-01（发布日期）、"
        "updated: 2026-11-01（更新日期）、---，日期不加引号")


def generated_dates(day: dt.date, first_month: str, latest_month: str) -> dict[str, str]:
    """What every generated page shows: published and updated on the build day, and the
    data period (the theme reads these from config.extra.page_dates)."""
    return {"published": day.isoformat(), "updated": day.isoformat(),
            "data_period": f"{month_zh(first_month)}至{month_zh(latest_month)}"}


def check_hand_written(site_src: Path, pages: Iterable[str], today: dt.date) -> None:
    """Every hand-written page has both dates, real dates, published ≤ updated ≤ `today`;
    otherwise one ConfigError listing every problem of every page."""
    problems: list[Problem] = []
    for rel in pages:
        problems.extend(_page_problems(site_src / rel, f"site_src/{rel}", today))
    if problems:
        raise ConfigError(render_text(
            problems, f"手写页面的发布日期和更新日期有 {len(problems)} 处错误："), problems)


def _page_problems(path: Path, label: str, today: dt.date) -> list[Problem]:
    text = path.read_text("utf-8-sig")
    found = FRONT_MATTER_RE.match(text)
    if found is None:
        return [problem(label, "页面开头没有 front matter，缺少发布日期和更新日期", _FIX,
                        code="missing-key")]
    try:
        meta = yaml.safe_load(found.group(1) or "") or {}
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: an impossible date (02-30)
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else None
        return [problem(label, f"front matter 无法读取（{exc}）", _FIX, row=line,
                        code="yaml-error")]
    if not isinstance(meta, dict):
        return [problem(label, "front matter 应为“名称: 值”的映射", _FIX, code="type-error")]
    out: list[Problem] = []
    dates: dict[str, dt.date] = {}
    for key, name in DATE_KEYS.items():
        value = meta.get(key)
        if value is None:
            out.append(problem(label, f"缺少{name}", _FIX, key=key, code="missing-key"))
        elif isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            out.append(problem(label, f"{name}应为日期（YYYY-MM-DD，不加引号）", _FIX, key=key,
                               value=value, code="type-error"))
        elif value > today:
            out.append(problem(label, f"{name}晚于构建日期 {today.isoformat()}",
                               "请填写页面实际发布或更新的日期", key=key, value=value,
                               code="out-of-range"))
        else:
            dates[key] = value
    if len(dates) == len(DATE_KEYS) and dates["updated"] < dates["published"]:
        out.append(problem(label, f"更新日期早于发布日期 {dates['published'].isoformat()}",
                           "更新日期应不早于发布日期", key="updated", value=dates["updated"],
                           code="out-of-range"))
    return out

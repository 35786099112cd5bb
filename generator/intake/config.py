"""The intake service's settings (data/intake.yml): typed, documented, every problem collected.

Each key is documented in data/intake.yml itself; problems are reported with their key path
and fix, once, as generator/settings.py does.
"""

from __future__ import annotations

import calendar
import datetime as dt
import ipaddress
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from generator.errors import ConfigError
from generator.forms import read_yaml_mapping
from generator.problems import ProblemList, render_text

INTAKE_FILE = Path("data") / "intake.yml"
ORIGIN_RE = re.compile(r"^https?://[a-z0-9.-]+(:[0-9]{1,5})?$|^https?://\[[0-9a-f:]+\](:[0-9]+)?$")
_FIX = "请对照仓库中的 data/intake.yml 及其注释修改"
_KEYS = ("allowed_origins", "trusted_proxies", "rate_limit", "min_fill_seconds", "reply",
         "calendar", "retention_days", "privacy_notice_version", "pages", "phone_route")


@dataclass(frozen=True)
class Limit:
    requests: int
    seconds: int


@dataclass(frozen=True)
class Calendar:
    years: tuple[int, ...]
    """Years whose holidays and working weekends are listed."""
    holidays: frozenset[dt.date]
    working_weekends: frozenset[dt.date]

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.working_weekends:
            return True
        return day.weekday() < calendar.SATURDAY and day not in self.holidays

    def covers(self, day: dt.date) -> bool:
        return day.year in self.years


@dataclass(frozen=True)
class IntakeConfig:
    allowed_origins: tuple[str, ...]
    trusted_proxies: tuple[str, ...]
    per_ip: Limit
    global_limit: Limit
    min_fill_seconds: float
    reply_who: str
    reply_working_days: int
    calendar: Calendar
    retention_days: int
    privacy_notice_version: str
    pages_base: str
    form_page: str
    privacy_page: str
    phone_route: str
    source: Path | None = None

    def with_origins(self, origins: tuple[str, ...]) -> IntakeConfig:
        """This configuration with `origins` (intake serve --allow-origin) allowed as well."""
        return replace(self, allowed_origins=tuple(dict.fromkeys(self.allowed_origins + origins)))

    def page_url(self, page: str) -> str:
        return self.pages_base.rstrip("/") + "/" + page.lstrip("/")


def check_origin(value: str) -> str | None:
    """The origin normalised (lower case, no trailing slash), or None when it is not one."""
    text = value.strip().rstrip("/").lower()
    return text if ORIGIN_RE.match(text) else None


def load_intake_config(path: Path) -> IntakeConfig:
    raw = read_yaml_mapping(path, "受理服务设置文件", "请从仓库恢复 data/intake.yml。")
    problems = ProblemList(path)
    problems.unknown_keys(raw, _KEYS)

    def value(key: str, kind: type | tuple[type, ...], what: str, fix: str = _FIX) -> Any:
        parts = key.split(".")
        node: Any = raw
        for part in parts:
            node = node.get(part) if isinstance(node, dict) else None
        if node is None or isinstance(node, bool) or not isinstance(node, kind):
            problems.add("缺少这一项" if node is None else f"应为{what}", fix, key=key,
                         value=None if node is None else str(node),
                         code="missing-key" if node is None else "type-error")
            return None
        return node

    def integer(key: str, lo: int, hi: int) -> int:
        number = value(key, int, f"{lo} 到 {hi} 之间的整数", f"请填写 {lo} 到 {hi} 之间的整数")
        if number is not None and not lo <= number <= hi:
            problems.add(f"应为 {lo} 到 {hi} 之间的整数", f"请填写 {lo} 到 {hi} 之间的整数",
                         key=key, value=str(number), code="out-of-range")
            return lo
        return number if number is not None else lo

    def texts(key: str) -> list[str]:
        items = value(key, list, "文字列表（每行“- 值”）") or []
        return [str(v).strip() for v in items if isinstance(v, str | int)]

    origins = []
    for item in texts("allowed_origins"):
        origin = check_origin(item)
        if origin is None:
            problems.add("不是来源（协议://域名[:端口]，不带路径）",
                         "例如 https://sthjj.example.gov.cn", key="allowed_origins",
                         value=item, code="invalid-origin")
        else:
            origins.append(origin)
    proxies = []
    for item in texts("trusted_proxies"):
        try:
            proxies.append(str(ipaddress.ip_address(item)))
        except ValueError:
            problems.add("不是 IP 地址", "请填写反向代理的 IP 地址，例如 127.0.0.1",
                         key="trusted_proxies", value=item, code="invalid-address")
    limits = [Limit(integer(f"rate_limit.{k}.requests", 1, 1_000_000),
                    integer(f"rate_limit.{k}.seconds", 1, 86_400)) for k in ("per_ip", "global")]
    fill = value("min_fill_seconds", (int, float), "秒数（0 到 600 之间的数）",
                 "请填写 0 到 600 之间的秒数")
    if fill is not None and not 0 <= fill <= 600:
        problems.add("应为 0 到 600 之间的秒数", "请填写 0 到 600 之间的秒数",
                     key="min_fill_seconds", value=str(fill), code="out-of-range")
    calendar = _calendar(raw.get("calendar"), problems)
    version = raw.get("privacy_notice_version")
    text = {"privacy_notice_version": str(version)} if isinstance(version, int | float) \
        and not isinstance(version, bool) else {}  # a bare 2026 is a version too
    text |= {key: value(key, str, "一段文字") or "" for key in (
        "reply.who", "privacy_notice_version", "pages.base", "pages.form", "pages.privacy",
        "phone_route") if key not in text}
    config = IntakeConfig(
        tuple(origins), tuple(proxies), limits[0], limits[1], float(fill or 0),
        text["reply.who"].strip(), integer("reply.working_days", 1, 60), calendar,
        integer("retention_days", 1, 36_500), text["privacy_notice_version"].strip(),
        text["pages.base"].strip() or "/", text["pages.form"].strip(),
        text["pages.privacy"].strip(), text["phone_route"].strip(), path)
    if problems:
        heading = f"受理服务设置文件 {path} 有 {len(problems)} 处错误："
        raise ConfigError(render_text(problems, heading), problems.items)
    return config


def _calendar(raw: object, problems: ProblemList) -> Calendar:
    if not isinstance(raw, dict):
        problems.add("缺少工作日历或格式不对（应含 years、holidays、working_weekends）", _FIX,
                     key="calendar", code="type-error")
        return Calendar((), frozenset(), frozenset())
    years = raw.get("years")
    if not isinstance(years, list) or not all(isinstance(y, int) and not isinstance(y, bool)
                                              for y in years):
        problems.add("应为年份列表", "例如 years: [2026, 2027]", key="calendar.years",
                     code="type-error")
        years = []
    days: dict[str, frozenset[dt.date]] = {}
    for key, weekend in (("holidays", False), ("working_weekends", True)):
        items = raw.get(key, [])
        found = set()
        for item in items if isinstance(items, list) else [items]:
            if not isinstance(item, dt.date) or isinstance(item, dt.datetime):
                problems.add("应为日期（YYYY-MM-DD，不加引号）", "请改为有效的日期",
                             key=f"calendar.{key}", value=str(item), code="type-error")
                continue
            if item.year not in years:
                problems.add("所在年份不在 calendar.years 中", "请把该年份加入 years",
                             key=f"calendar.{key}", value=item.isoformat(), code="out-of-range")
            if weekend and item.weekday() < calendar.SATURDAY:
                problems.add("不是周六或周日（调休上班日应为周末）", "请核对通知中的日期",
                             key=f"calendar.{key}", value=item.isoformat(), code="invalid-day")
            found.add(item)
        days[key] = frozenset(found)
    return Calendar(tuple(sorted(years)), days["holidays"], days["working_weekends"])

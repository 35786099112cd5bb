"""The 咨询服务情况 page: the consultation service's own monthly figures.

The build reads the aggregate file `ecoportal intake stats -o FILE.json` writes (named by
data/service.yml `stats_file`), never the store. The file is checked in full, every problem
with its key path, because its figures go on a public page: a month below k must arrive
hidden (null) and stay hidden, shown with the site's mark. The file has no totals on purpose
(a total beside hidden months would give them away); the page says so.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.config import read_yaml_mapping
from generator.errors import DataError
from generator.problems import ProblemList, render_text
from generator.settings import SETTINGS_FILE, Settings
from generator.site.table_view import Column, TableView
from generator.stats.marks import HIDDEN
from generator.text import shown

if TYPE_CHECKING:
    from generator.site.pages import SiteData

SERVICE_FILE = Path("data") / "service.yml"
MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
TOP_KEYS = ("generated_at", "k", "reply_working_days", "calendar_approximate", "months")
MONTH_KEYS = ("month", "consultations", "contacted", "median_working_days_to_contact",
              "contacted_within_promise_rate", "suppressed")
REMAKE = "请用 `ecoportal intake stats --store 文件夹 -o {path}` 重新生成该文件，不要手工修改"


@dataclass(frozen=True)
class ServiceFigures:
    generated_at: dt.datetime
    k: int
    reply_working_days: int
    calendar_approximate: bool
    months: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class ServiceContext:
    """The page's names: figures is None until a stats file is configured."""

    figures: ServiceFigures | None
    service_table: TableView | None
    generated_zh: str
    service_k: int


def stats_path(root: Path) -> Path | None:
    """data/service.yml `stats_file`, resolved against the project; None when not set."""
    if not (root / SERVICE_FILE).is_file():
        return None
    raw = read_yaml_mapping(root / SERVICE_FILE, "咨询服务页面设置文件",
                            "请从仓库恢复 data/service.yml。")
    problems = ProblemList(root / SERVICE_FILE)
    problems.unknown_keys(raw, ("stats_file",))
    value = raw.get("stats_file")
    if value is not None and (not isinstance(value, str) or not value.strip()):
        problems.add("应为文件路径（文字）或留空", "请写成 intake stats 输出文件的路径，或留空",
                     key="stats_file", value=shown(value), code="type-error")
    if problems:
        raise DataError(render_text(problems, f"咨询服务页面设置文件 {root / SERVICE_FILE} 有 "
                                    f"{len(problems)} 处错误："), problems.items)
    if value is None:
        return None
    path = Path(value.strip()).expanduser()
    return path if path.is_absolute() else root / path


def load_service_stats(path: Path, site_k: int) -> ServiceFigures:
    """Read and check the stats file; every problem at once (key path, value, fix)."""
    fix = REMAKE.format(path=path)
    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DataError(f"找不到受理统计文件 {path}（data/service.yml 的 stats_file）。{fix}；"
                        "尚未发布统计的，请把 stats_file 留空。") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = (f"第 {exc.lineno} 行第 {exc.colno} 列" if isinstance(exc, json.JSONDecodeError)
                 else "编码")
        raise DataError(f"受理统计文件 {path} 不是有效的 UTF-8 JSON（{where}）。{fix}。") from exc
    problems = ProblemList(path)
    if not isinstance(raw, dict):
        problems.add("顶层应为对象", fix, code="type-error")
        raw = {}
    problems.unknown_keys(raw, TOP_KEYS)
    check = _Check(problems, fix)
    when = raw.get("generated_at")
    generated = check.timestamp("generated_at", when)
    k = check.integer("k", raw.get("k"), 1)
    if k is not None and k < site_k:
        problems.add(f"小于网站的最小公布件数 k = {site_k}（data/metrics.yml）", fix, key="k",
                     value=str(k), code="out-of-range")
    days = check.integer("reply_working_days", raw.get("reply_working_days"), 1)
    approx = raw.get("calendar_approximate", False)
    if not isinstance(approx, bool):
        problems.add("应为 true 或 false", fix, key="calendar_approximate", value=shown(approx),
                     code="type-error")
    months = raw.get("months")
    rows: list[dict[str, Any]] = []
    if not isinstance(months, list):
        problems.add("应为逐月统计的列表", fix, key="months", code="type-error")
    else:
        for i, month in enumerate(months):
            row = check.month(f"months[{i}]", month, max(k or site_k, site_k))
            if row is not None:
                if rows and row["month"] <= rows[-1]["month"]:
                    problems.add("应晚于上一个月份（按月份先后排列、不重复）", fix,
                                 key=f"months[{i}].month", value=row["month"], code="order")
                rows.append(row)
    if problems:
        raise DataError(render_text(problems, f"受理统计文件 {path} 有 {len(problems)} 处错误："),
                        problems.items)
    assert generated is not None and k is not None and days is not None
    return ServiceFigures(generated, k, days, approx is True, tuple(rows))


class _Check:
    def __init__(self, problems: ProblemList, fix: str) -> None:
        self.problems, self.fix = problems, fix

    def integer(self, key: str, value: Any, low: int) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            self.problems.add(f"应为不小于 {low} 的整数", self.fix, key=key,
                              value=None if value is None else shown(value), code="type-error")
            return None
        return value

    def timestamp(self, key: str, value: Any) -> dt.datetime | None:
        parsed = None
        if isinstance(value, str):
            try:
                parsed = dt.datetime.fromisoformat(value)
            except ValueError:
                parsed = None
        if parsed is None or parsed.tzinfo is None:
            self.problems.add("应为带时区的时间（ISO 8601）", self.fix, key=key,
                              value=None if value is None else shown(value), code="invalid")
            return None
        return parsed

    def month(self, where: str, item: Any, k: int) -> dict[str, Any] | None:
        if not isinstance(item, dict):
            self.problems.add("应为一个月的统计（对象）", self.fix, key=where, code="type-error")
            return None
        before = len(self.problems)
        self.problems.unknown_keys(item, MONTH_KEYS, prefix=where)
        month = item.get("month")
        if not isinstance(month, str) or not MONTH_RE.match(month):
            self.problems.add("应为 YYYY-MM 格式的月份", self.fix, key=f"{where}.month",
                              value=None if month is None else shown(month), code="invalid")
        n, contacted = item.get("consultations"), item.get("contacted")
        for key, value in (("consultations", n), ("contacted", contacted)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                      or value < k):
                self.problems.add(f"应为不小于 k = {k} 的整数，或 null（隐藏）", self.fix,
                                  key=f"{where}.{key}", value=shown(value), code="below-k")
        if isinstance(n, int) and isinstance(contacted, int) and contacted > n:
            self.problems.add(f"大于当月申请件数 {n}", self.fix, key=f"{where}.contacted",
                              value=str(contacted), code="out-of-range")
        median = item.get("median_working_days_to_contact")
        rate = item.get("contacted_within_promise_rate")
        for key, value, high in (("median_working_days_to_contact", median, 366.0),
                                 ("contacted_within_promise_rate", rate, 1.0)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)
                                      or not 0 <= value <= high):
                self.problems.add(f"应为 0 到 {high:g} 之间的数，或 null（隐藏）", self.fix,
                                  key=f"{where}.{key}", value=shown(value), code="out-of-range")
        if n is None and any(v is not None for v in (contacted, median, rate)):
            self.problems.add("当月申请件数已隐藏（null），由它算出的各项也应隐藏", self.fix,
                              key=where, code="below-k")
        if median is not None and contacted is None:
            self.problems.add("已联系件数已隐藏（null），中位数也应隐藏", self.fix,
                              key=f"{where}.median_working_days_to_contact", code="below-k")
        if item.get("suppressed") is not (n is None):
            self.problems.add("应与 consultations 是否为 null 一致", self.fix,
                              key=f"{where}.suppressed", value=shown(item.get("suppressed")),
                              code="invalid")
        return dict(item) if len(self.problems) == before else None


def project_root(settings: Settings) -> Path:
    """The project folder: the settings file is always at <root>/data/settings.yml."""
    return settings.source.parents[len(SETTINGS_FILE.parts) - 1]


def service_page(data: SiteData) -> Iterator[ServiceContext]:
    path = stats_path(project_root(data.settings))
    if path is None:
        yield ServiceContext(None, None, "", data.metrics.min_complainants)
        return
    figures = load_service_stats(path, data.metrics.min_complainants)
    columns = (Column("受理月份"), Column("收到的申请（件）", "count"),
               Column("已联系（件）", "count"), Column("首次联系用时中位数（工作日）", "decimal"),
               Column(f"{figures.reply_working_days} 个工作日内联系的比例", "rate"))

    def cell(value: Any) -> Any:
        return HIDDEN if value is None else value

    rows = tuple((f"{m['month'][:4]}年{int(m['month'][5:])}月", cell(m["consultations"]),
                  cell(m["contacted"]), cell(m["median_working_days_to_contact"]),
                  cell(m["contacted_within_promise_rate"])) for m in figures.months)
    at = figures.generated_at
    yield ServiceContext(figures, TableView("开业前咨询服务逐月办理情况", columns, rows),
                         f"{at.year}年{at.month}月{at.day}日", figures.k)

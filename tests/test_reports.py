"""The periodic reports, 每月一题, warnings and hotspots pages, read from the BUILT site: every
period has its report, every figure on them equals the open-data CSV, the narrative's numbers
are the CSV's, and a printed monthly report keeps every column header of its tables."""

from __future__ import annotations

import ast
import csv
import dataclasses
import re
import unicodedata
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from generator.site import narrative, reports_context
from generator.site.contexts import SiteContext
from generator.stats.marks import HIDDEN, NOT_APPLICABLE, UNRECORDED
from tests.browser_support import (  # noqa: F401 - pytest fixtures
    LocalPage,
    chromium_browser_fixture,
    describe_violations,
    local_page_fixture,
    run_axe,
    site_url_fixture,
)
from tests.conftest import ROOT

TEMPLATES = ROOT / "generator" / "templates"


# --- reading the built site ----------------------------------------------------------------

@dataclasses.dataclass
class Table:
    caption: str
    headers: list[str]
    rows: list[list[str]]


class _Tables(HTMLParser):
    """Every <table> of a page: caption, column headers and body rows as text."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[Table] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._in_caption = False
        self._in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append(Table("", [], []))
        elif tag == "caption":
            self._in_caption = True
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption":
            self._in_caption = False
        elif tag == "thead":
            self._in_head = False
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None and self.tables:
            if self._in_head:
                self.tables[-1].headers = self._row
            else:
                self.tables[-1].rows.append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._in_caption and self.tables:
            self.tables[-1].caption += data
        elif self._cell is not None:
            self._cell.append(data)


def tables_of(page: Path) -> dict[str, Table]:
    parser = _Tables()
    parser.feed(page.read_text("utf-8"))
    return {t.caption.strip(): t for t in parser.tables}


def text_of(page: Path) -> str:
    html = page.read_text("utf-8")
    body = html[html.index("<article"):html.index("</article>")]
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", body)))


def read_csv(site: Path, name: str) -> list[dict[str, str]]:
    with (site / "data" / f"{name}.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def shown(token: str, kind: str) -> str:
    """How a CSV cell reads on a page (the filters num / pct / score / decimal)."""
    if token == "suppressed":
        return "—"
    if token == "NA":
        return "／"
    if token == "unrecorded":
        return "未记录"
    value = float(token)
    return {"count": f"{int(value):,}", "rate": f"{value * 100:.2f}%",
            "change": f"{value * 100:.2f}%", "score": f"{value:.2f}",
            "decimal": f"{value:.1f}"}[kind]


def month_zh(month: str) -> str:
    return f"{month[:4]}年{int(month[5:])}月"


def zh(period: str) -> str:
    if "Q" in period:
        return f"{period[:4]}年第{period[5]}季度"
    return month_zh(period) if len(period) == 7 else f"{period}年"


# --- every period has its report -----------------------------------------------------------

def _periods(site: Path) -> dict[str, list[str]]:
    months = [r["month"] for r in read_csv(site, "monthly")]
    kpi_periods = {r["period"] for r in read_csv(site, "kpis")}
    return {
        "week": sorted({r["period"] for r in read_csv(site, "weekly")}),
        "month": months,
        "quarter": sorted(p for p in kpi_periods if re.fullmatch(r"\d{4}Q\d", p)),
        "year": sorted(p for p in kpi_periods if re.fullmatch(r"\d{4}", p)),
    }


def test_every_period_has_its_report_and_the_archive_links_it(built_site: Path) -> None:
    periods = _periods(built_site)
    assert len(periods["month"]) >= 12 and len(periods["week"]) > len(periods["month"]) * 4
    index = (built_site / "stats" / "reports" / "index.html").read_text("utf-8")
    for kind, labels in periods.items():
        assert labels, kind
        for label in labels:
            assert (built_site / "stats" / "reports" / f"{label}.html").is_file(), label
            assert f'href="{label}.html"' in index, label


def test_reports_are_not_in_the_navigation(built_site: Path) -> None:
    home = (built_site / "index.html").read_text("utf-8")
    assert "stats/reports/2026-09.html" not in home
    assert "stats/reports/2026Q3.html" not in home


# --- figures equal the CSV -----------------------------------------------------------------

def _kpi(site: Path) -> dict[tuple[str, str, str], dict[str, str]]:
    return {(r["period"], r["scope_code"], r["metric"]): r for r in read_csv(site, "kpis")}


def test_every_report_shows_the_kpis_of_its_period(built_site: Path) -> None:
    kpi = _kpi(built_site)
    districts = [(r["district"], r["district_code"]) for r in read_csv(built_site, "by_district")]
    periods = _periods(built_site)
    for label in [*periods["month"], *periods["quarter"], *periods["year"]]:
        page = built_site / "stats" / "reports" / f"{label}.html"
        tables = tables_of(page)
        head = tables[f"{zh(label)}全市办理情况"]
        for row, metric in zip(head.rows, ("responded_rate", "resolved_rate", "satisfied_rate",
                                           "ontime_rate"), strict=True):
            cell = kpi[(label, "city", metric)]
            assert row[1] == shown(cell["value"], "rate"), (label, metric)
            assert row[2] == shown(cell["n"], "count"), (label, metric)
            if cell["ci_low"] not in ("NA", "suppressed"):
                assert row[3] == (f"{shown(cell['ci_low'], 'rate')}–"
                                  f"{shown(cell['ci_high'], 'rate')}"), (label, metric)
        table = tables[f"{zh(label)}各区诉求量与办理情况"]
        assert [r[0] for r in table.rows] == [name for name, _ in districts] + ["全市"]
        for row, code in zip(table.rows, [c for _, c in districts] + ["city"], strict=True):
            assert row[1] == shown(kpi[(label, code, "total")]["value"], "count"), (label, code)
            assert row[5] == shown(kpi[(label, code, "composite_score")]["value"], "score")


def test_monthly_reports_show_elements_and_categories_of_the_csv(built_site: Path) -> None:
    elements = read_csv(built_site, "monthly_elements")
    categories = read_csv(built_site, "monthly_categories")
    for month in _periods(built_site)["month"]:
        tables = tables_of(built_site / "stats" / "reports" / f"{month}.html")
        want = {r["element"]: shown(r["count"], "count") for r in elements
                if r["period"] == month}
        if want:
            got = tables[f"{month_zh(month)}各要素诉求件数"]
            assert {r[0]: r[1] for r in got.rows} == want, month
        want = {r["category"]: shown(r["count"], "count") for r in categories
                if r["period"] == month}
        if want:
            got = tables[f"{month_zh(month)}各类别诉求件数（按件数排列）"]
            assert {r[1]: r[2] for r in got.rows} == want, month


def test_quarter_and_year_reports_list_their_months_from_monthly_csv(built_site: Path) -> None:
    monthly = {r["month"]: r for r in read_csv(built_site, "monthly")}
    periods = _periods(built_site)
    for label in [*periods["quarter"], *periods["year"]]:
        table = tables_of(built_site / "stats" / "reports" / f"{label}.html")[
            f"{zh(label)}逐月情况（全市）"]
        assert table.headers == ["月份", "诉求总量", "环比", "同比", "响应率", "解决率",
                                 "满意率", "按时办结率"]
        for row in table.rows:
            month = next(m for m in monthly if month_zh(m) == row[0])
            r = monthly[month]
            assert row[1:4] == [shown(r["count"], "count"), shown(r["count_mom"], "change"),
                                shown(r["count_yoy"], "change")], month


def test_week_reports_show_weekly_csv(built_site: Path) -> None:
    weekly: dict[str, dict[str, str]] = {}
    for r in read_csv(built_site, "weekly"):
        weekly.setdefault(r["period"], {})[r["element"]] = r["count"]
    weeks = sorted(weekly)
    for i, week in enumerate(weeks):
        table = tables_of(built_site / "stats" / "reports" / f"{week}.html")["本周段各要素诉求件数"]
        for row in table.rows:
            assert row[1] == shown(weekly[week][row[0]], "count"), (week, row)
            before = weekly[weeks[i - 1]][row[0]] if i else "NA"
            assert row[2] == shown(before, "count"), (week, row)


# --- the narrative -------------------------------------------------------------------------

def _change(text: str, label: str) -> float | None:
    found = re.search(label + r"(增加|减少) ([\d.]+)%", text)
    if found is None:
        return None
    return float(found[2]) * (1 if found[1] == "增加" else -1)


def test_monthly_narrative_numbers_are_the_csvs(built_site: Path) -> None:
    categories = read_csv(built_site, "monthly_categories")
    for r in read_csv(built_site, "monthly"):
        text = text_of(built_site / "stats" / "reports" / f"{r['month']}.html")
        found = re.search(r"本月共受理生态环境诉求 ([\d,]+) 件", text)
        if r["count"] == "suppressed":
            assert "本月受理件数不予公布" in text
        else:
            assert found is not None and found[1] == shown(r["count"], "count"), r["month"]
        for label, column in (("环比", "count_mom"), ("同比", "count_yoy")):
            said = _change(text, label)
            if r[column] in ("NA", "unrecorded"):
                assert said is None and f"{label}持平" not in text, (r["month"], label)
            elif r[column] == "suppressed":
                assert f"{label}不予公布" in text
            elif abs(float(r[column])) >= 0.0005:
                assert said == round(float(r[column]) * 100, 1), (r["month"], label)
        counts = [(c["category"], int(c["count"])) for c in categories
                  if c["period"] == r["month"] and c["count"].isdigit()]
        if counts:
            name, count = max(counts, key=lambda p: p[1])
            assert re.search(f"{name}(居首|最多)（{count:,} 件）", text), r["month"]


def test_narrative_leaves_out_what_is_not_published() -> None:
    assert narrative.change_phrase("环比", HIDDEN) == "环比不予公布"
    assert narrative.change_phrase("环比", NOT_APPLICABLE) == ""
    assert narrative.change_phrase("同比", -0.0478) == "同比减少 4.8%"
    assert narrative.volume_sentence("本月", HIDDEN, []) == "本月受理件数不予公布"
    assert narrative.ratio_of(10, HIDDEN) is HIDDEN
    assert narrative.ratio_of(10, 0) is NOT_APPLICABLE
    said = narrative.ranking_sentence([("噪声", 30), ("油烟", HIDDEN), ("扬尘", 10)], False)
    assert said.startswith("在公布件数的类别中，噪声最多（30 件）")
    rates = narrative.rates_sentence([narrative.Rate("responded_rate", UNRECORDED, UNRECORDED),
                                      narrative.Rate("resolved_rate", HIDDEN, HIDDEN),
                                      narrative.Rate("satisfied_rate", 0.99, 100)])
    assert rates == "响应率未记录、解决率不予公布、满意率 99.00%（有效回访 100 件）"


# --- 每月一题, warnings, hotspots -------------------------------------------------------------

def test_topic_pages_equal_the_topic_csvs_and_are_linked(built_site: Path) -> None:
    rows = read_csv(built_site, "monthly_topic")
    months = sorted({r["month"] for r in rows})
    assert months, "the sample configures 每月一题 topics"
    for month in months:
        page = built_site / "stats" / "topics" / f"{month}.html"
        topic = next(r["topic"] for r in rows if r["month"] == month)
        table = tables_of(page)[f"{month_zh(month)}{topic}诉求件数（按区）"]
        want = {r["district"]: shown(r["count"], "count") for r in rows if r["month"] == month}
        assert {r[0]: r[1] for r in table.rows} == want
        report = (built_site / "stats" / "reports" / f"{month}.html").read_text("utf-8")
        assert f"../topics/{month}.html" in report
        assert "guides/" in page.read_text("utf-8")


def test_warnings_page_holds_every_row_of_warnings_csv(built_site: Path) -> None:
    rows = read_csv(built_site, "warnings")
    table = tables_of(built_site / "stats" / "warnings.html")["预警档案（全部）"]
    got = sorted((r[0], r[2], r[3], r[4]) for r in table.rows)
    want = sorted((r["detected_on"], r["street"], r["category"], shown(r["observed"], "count"))
                  for r in rows)
    assert got == want
    assert "基线" in text_of(built_site / "stats" / "warnings.html")


def test_hotspots_page_holds_every_row_of_hotspots_csv(built_site: Path) -> None:
    rows = read_csv(built_site, "hotspots")
    tables = tables_of(built_site / "stats" / "hotspots.html")
    got = sorted((r[0], r[2], r[3], r[4]) for t in tables.values()
                 if t.caption.endswith("重点点位（按街乡）") for r in t.rows)
    want = sorted((zh(r["period"]), r["street"], shown(r["places"], "count"),
                   shown(r["requests"], "count")) for r in rows)
    assert got == want


# --- printing ------------------------------------------------------------------------------

RADICALS = str.maketrans("⻚⻔⻅⻛⻓⻢⻋⻜⻝⻬⻄⻘⻩⻨⻆⻓", "页门见风长马车飞食齐西青黄麦角长")
"""CJK radical-supplement forms Chromium's fonts map some ideographs to (NFKC keeps them)."""


def _fold(text: str) -> str:
    """Text as compared: Kangxi radicals folded by NFKC, supplement forms mapped, no spaces
    (pypdf puts spaces between Chinese and figures)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).translate(RADICALS))


@pytest.mark.slow
@pytest.mark.browser
def test_printed_monthly_report_keeps_every_column_header(
        built_site: Path, chromium_browser: Any, tmp_path: Path) -> None:
    """Chromium's print to PDF, read back with pypdf (no pdftotext on the machine): A4 pages
    with a running title and page numbers, and every column header of every table."""
    pypdf = pytest.importorskip("pypdf", reason="需要 Python 包 pypdf（pyproject 的 test 依赖）")
    month = _periods(built_site)["month"][-2]
    page_file = built_site / "stats" / "reports" / f"{month}.html"
    context = chromium_browser.new_context()
    try:
        page = context.new_page()
        page.goto(page_file.resolve().as_uri())
        pdf = tmp_path / "report.pdf"
        page.pdf(path=str(pdf), prefer_css_page_size=True)
    finally:
        context.close()
    reader = pypdf.PdfReader(str(pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) in ((595, 842), (842, 595))
    text = _fold("".join(p.extract_text() for p in reader.pages))
    assert f"第1页/共{len(reader.pages)}页" in text
    assert f"{month_zh(month)}生态环境诉求月讲评" in text
    tables = tables_of(page_file)
    assert len(tables) >= 4
    for table in tables.values():
        for header in table.headers:
            assert _fold(header) in text, (table.caption, header)
        assert _fold(table.caption) in text


# --- typed contexts ------------------------------------------------------------------------

def test_every_report_context_field_has_a_docstring() -> None:
    tree = ast.parse(Path(reports_context.__file__).read_text("utf-8"))
    undocumented = []
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
        assert dataclasses.is_dataclass(getattr(reports_context, cls.name))
        for i, stmt in enumerate(cls.body):
            if isinstance(stmt, ast.AnnAssign):
                after = cls.body[i + 1] if i + 1 < len(cls.body) else None
                if not (isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
                        and str(after.value.value).strip()):
                    undocumented.append(f"{cls.name}.{ast.unparse(stmt.target)}")
    assert undocumented == []


@pytest.mark.parametrize(("template", "cls"), [
    ("pages/report.md.j2", reports_context.ReportContext),
    ("pages/reports_index.md.j2", reports_context.ReportsIndexContext),
    ("pages/topic.md.j2", reports_context.TopicContext),
    ("pages/warnings.md.j2", reports_context.WarningsContext),
    ("pages/hotspots.md.j2", reports_context.HotspotsContext),
])
def test_report_templates_use_exactly_their_context(template: str, cls: type) -> None:
    import jinja2
    from jinja2 import meta

    from generator.site.format import FILTERS

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)))
    env.filters.update(FILTERS)
    names = set(meta.find_undeclared_variables(env.parse((TEMPLATES / template).read_text())))
    shared = {f.name for f in dataclasses.fields(SiteContext)}
    own = {f.name for f in dataclasses.fields(cls)}
    assert not shared & own
    assert names <= shared | own, names - shared - own
    assert own <= names, own - names

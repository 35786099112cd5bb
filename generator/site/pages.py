"""Generated pages, declared once: a template, an output path pattern and the contexts.

Each PageType yields one typed context (generator/site/contexts.py) per page it makes; the
path pattern is formatted with that context's fields, so a page type fans out by yielding
more contexts, e.g. `cases/{case.slug}.md` below makes one page per case. A per-district,
per-street or per-period page type is one more declaration of the same kind (like pelican's
period archives): a context class, a builder yielding one context per district, street or
month, and a pattern such as `stats/districts/{district.district_code}.md`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, fields
from typing import Any, Generic, TypeVar

import pandas as pd

from generator.config import MetricsConfig
from generator.errors import BuildError
from generator.reference import Reference
from generator.settings import Settings
from generator.site.business_pages import business_index, business_types
from generator.site.cases import Case, cases_matching
from generator.site.charts import bar_chart, distribution, heat_grid
from generator.site.charts_base import Chart
from generator.site.consultation import consultation
from generator.site.consultation_facts import ConsultationFacts
from generator.site.contexts import (
    CaseContext,
    CaseIndexContext,
    CasesOf,
    CategoryRow,
    DeadlineRow,
    DistrictRow,
    DistrictsContext,
    ElementCategories,
    ElementRow,
    IntervalMethod,
    Kpis,
    MethodologyContext,
    MonthRow,
    OpenDataContext,
    PublishedTable,
    SiteContext,
    StatsOverviewContext,
    template_vars,
)
from generator.site.data_dictionary import data_dictionary
from generator.site.format import (
    CSV_HIDDEN,
    CSV_NOT_APPLICABLE,
    CSV_UNRECORDED,
    HIDDEN_MARK,
    NOT_APPLICABLE_MARK,
    NOT_APPLICABLE_NOTE,
    UNRECORDED_MARK,
    UNRECORDED_NOTE,
    change,
    day_zh,
    hidden_note,
    incomplete_note,
    marks_legend,
    month_zh,
    num,
)
from generator.site.home import home
from generator.site.opendata_files import OpenDataFiles
from generator.site.opendata_levels import overview
from generator.site.places import districts_overview, districts_pages, street_pages
from generator.site.release import UpdatesContext
from generator.site.reports import hotspots_page, reports, reports_index, topics, warnings_page
from generator.site.service import service_page
from generator.site.site_map import SITE_MAP_PAGE, NavEntry, site_map_page
from generator.stats.aggregate import Aggregates
from generator.stats.disclosure import REQUESTS
from generator.stats.marks import HIDDEN, NOT_APPLICABLE
from generator.stats.metrics import ALL, CITY, lookup
from generator.text import shown

C = TypeVar("C")

MEASURE_TITLES = {"total": "诉求总量", "responded_rate": "响应率", "resolved_rate": "解决率",
                  "satisfied_rate": "满意率", "composite_score": "综合成绩",
                  "ontime_rate": "按时办结率"}
"""How pages name the measures of stats.metrics, in the order pages list them."""
WILSON = "Wilson 区间（z = 1.96）"
INTERVAL_METHODS = {
    "responded_rate": WILSON,
    "resolved_rate": WILSON,
    "satisfied_rate": ("近似区间：把加权比例（满意 + 权重 × 基本满意）÷ 有效回访当作普通比例，"
                       "按有效回访件数套用 Wilson 公式；基本满意按小于 1 的权重计分，"
                       "因此区间略偏宽"),
    "composite_score": ("保守范围：三率区间下限按权重加权求和 × 100 为下限，上限同理；"
                        "不是严格的统计区间，通常比真实区间宽"),
    "ontime_rate": WILSON,
}
"""The 95 % interval method of each rate (stats.metrics), as the methodology page names it."""


@dataclass(frozen=True)
class SiteData:
    """Everything the page contexts are built from."""

    settings: Settings
    agg: Aggregates
    ref: Reference
    metrics: MetricsConfig
    cases: tuple[Case, ...]
    limits: Mapping[str, Any]
    updated: dt.date
    hand_written: frozenset[str] = frozenset()
    """Docs-relative paths of the project's hand-written pages (site_src/), for optional links."""
    updates: UpdatesContext | None = None
    """This release against the earlier ones (the 本次更新 page), when the build knows them."""
    business: ConsultationFacts | None = None
    """The pre-opening consultation as configured (data/business.yml and the files it draws
    on); None when the project has no business section."""
    open_data: OpenDataFiles | None = None
    """The open-data files as the build writes them (the data dictionary names their rows
    and sizes); None: made from the aggregates when a page needs them."""
    menu: list[Any] | None = None
    """mkdocs.yml's nav with the business type pages added: the menu the build gives mkdocs
    (None when mkdocs.yml has no nav: mkdocs then lists every page itself)."""
    nav: tuple[NavEntry, ...] = ()
    """The same menu as entries, for the 网站地图 page (none without a nav)."""


@dataclass(frozen=True)
class PageType(Generic[C]):
    """One kind of generated page."""

    name: str
    """What the pages are, for messages and tests."""
    template: str
    """The jinja2 template under generator/templates/."""
    path: str
    """Docs-relative output path, formatted with the context's fields (str.format)."""
    contexts: Callable[[SiteData], Iterable[C]]
    """One context per page of this type."""

    def pages(self, data: SiteData) -> Iterator[tuple[str, C]]:
        """(output path, context) of every page of this type."""
        for context in self.contexts(data):
            yield self.path.format_map(template_vars(context)), context


# --- the shared context --------------------------------------------------------------------

def make_headline(agg: Aggregates) -> Callable[[str], str]:
    """headline('餐饮油烟') → '2026年10月，全市餐饮油烟诉求 1,204 件，比上月减少 3.1%。'

    Every element and category of the taxonomy is known, with 0 when it never occurs. A
    latest month the export cuts short is labelled incomplete and not compared with the
    month before.
    """
    # Dict rows: a namedtuple row would shadow the `count` column with tuple.count.
    tables: dict[str, dict[Any, Any]] = {
        str(r["category"]): r for r in agg.by_category.to_dict("records")}
    tables.update({str(r["element"]): r for r in agg.by_element.to_dict("records")})

    def headline(name: str) -> str:
        if name not in tables:
            known = "、".join(tables)
            raise BuildError(
                f"调用 headline(“{shown(name)}”)，但分类中没有这个要素或类别。可用：{known}。")
        row = tables[name]
        month = month_zh(agg.latest_month) + incomplete_note(agg.latest_cutoff)
        current, previous = row["latest_month"], row["previous_month"]
        if current is HIDDEN:
            return f"{month}，全市{name}诉求件数为保护诉求人隐私不单独公布。"
        trend = "" if agg.latest_incomplete else change(current, previous)
        return f"{month}，全市{name}诉求 {num(current)} 件" + (f"，{trend}" if trend else "") + "。"

    return headline


def site_context(data: SiteData) -> SiteContext:
    agg, k, s = data.agg, data.metrics.min_complainants, data.settings
    unit, unrecorded = agg.disclosure_unit, bool(agg.unrecorded_metrics)
    return SiteContext(
        site=s.site, org=s.organisation, hotline=s.hotline, settings=s,
        updated=data.updated.isoformat(),
        data_period=f"{month_zh(agg.months[0])}至{month_zh(agg.latest_month)}",
        latest_month=agg.latest_month, previous_month=agg.previous_month,
        latest_incomplete=agg.latest_incomplete,
        latest_note=incomplete_note(agg.latest_cutoff),
        latest_cutoff_zh=day_zh(agg.latest_cutoff) if agg.latest_cutoff else "",
        k=k, disclosure_unit=unit, metrics=data.metrics, deadlines=data.metrics.deadlines_hours,
        limits=data.limits, cases=data.cases, headline=make_headline(agg),
        hidden_mark=HIDDEN_MARK, hidden_note=hidden_note(k, unit),
        not_applicable_mark=NOT_APPLICABLE_MARK, not_applicable_note=NOT_APPLICABLE_NOTE,
        marks_legend=marks_legend(k, unit, unrecorded), csv_hidden=CSV_HIDDEN,
        csv_not_applicable=CSV_NOT_APPLICABLE, has_unrecorded=unrecorded,
        unrecorded_mark=UNRECORDED_MARK, unrecorded_note=UNRECORDED_NOTE,
        csv_unrecorded=CSV_UNRECORDED, topic_links=_topic_links(data), business=data.business,
    )


def _topic_links(data: SiteData) -> dict[str, tuple[tuple[str, str], ...]]:
    """每月一题 pages by the guide of their topic (the pages exist for months in the data)."""
    guide_of = {c.name: c.guide for c in data.ref.categories}
    links: dict[str, list[tuple[str, str]]] = {}
    for month, topic in sorted(data.metrics.topics.items(), reverse=True):
        if month in data.agg.months and topic in guide_of:
            links.setdefault(guide_of[topic], []).append(
                (f"{month_zh(month)}每月一题：{topic}", f"stats/topics/{month}.md"))
    return {guide: tuple(found) for guide, found in links.items()}


# --- builders ------------------------------------------------------------------------------

R = TypeVar("R")


def rows(frame: pd.DataFrame, cls: type[R], **extra: Callable[[dict[Any, Any]], Any]
         ) -> tuple[R, ...]:
    """One `cls` per row of `frame`: fields from the columns of that name, or from `extra`."""
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    return tuple(
        cls(**{n: extra[n](record) if n in extra else record[n] for n in names})
        for record in frame.to_dict("records"))


def kpis(agg: Aggregates, scope: str = CITY, period: str = ALL) -> Kpis:
    """The headline figures of `scope` (全市 or a district) over `period` (a month or all)."""
    return Kpis(**{f.name: lookup(agg.kpis, period, scope, f.name) for f in fields(Kpis)})


def stats_overview(data: SiteData) -> Iterator[StatsOverviewContext]:
    agg = data.agg
    guide_of = {c.name: c.guide for c in data.ref.categories}
    months = rows(agg.monthly, MonthRow, incomplete=lambda r: (
        agg.latest_incomplete and r["month"] == agg.latest_month))
    categories = rows(agg.by_category, CategoryRow, guide=lambda r: guide_of[r["category"]])
    chart = bar_chart([f"{int(m.month[5:])}月\n{m.month[:4]}年" for m in months],
                      [m.count for m in months], title="全市逐月受理诉求量", unit="件",
                      names=[month_zh(m.month) for m in months], x_title="受理月份").svg
    with_cases = tuple(CasesOf(r.category, found) for r in categories
                       if (found := tuple(cases_matching(list(data.cases),
                                                         category=r.category))))
    yield StatsOverviewContext(
        total=lookup(agg.kpis, ALL, CITY, "total"), elements=rows(agg.by_element, ElementRow),
        categories=categories, months=months, monthly_chart=chart, category_cases=with_cases,
        time_charts=_time_charts(data), handling_chart=_handling_chart(data))


WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


def _time_charts(data: SiteData) -> tuple[Chart, ...]:
    """hour_weekday as one weekday × hour grid per element."""
    table = data.agg.breakdowns.get("hour_weekday")
    if table is None or table.empty:
        return ()
    cell = {(str(r["element"]), int(r["weekday"]), int(r["hour"])): r["count"]
            for r in table.to_dict("records")}
    hours = [f"{h}时" for h in range(24)]
    return tuple(
        heat_grid(WEEKDAYS, hours, [[cell.get((e, d, h), NOT_APPLICABLE) for h in range(24)]
                                    for d in range(1, 8)],
                  title=f"{e}诉求的受理时段（全部数据期）", unit="件", row_title="星期",
                  col_title="受理时刻（小时）")
        for e in data.ref.elements)


def _handling_chart(data: SiteData) -> Chart | None:
    """Closing times per urgency class, whole city over the whole period."""
    table = data.agg.analyses.get("handling_times")
    if table is None or table.empty:
        return None
    city = [r for r in table.to_dict("records") if r["period"] == ALL and r["scope"] == CITY]
    if not city:
        return None
    return distribution([str(r["urgency"]) for r in city],
                        [r["closing_median_h"] for r in city], [r["closing_p90_h"] for r in city],
                        title="各紧急程度的办结用时（全市，全部数据期）",
                        deadlines=[r["deadline_h"] for r in city])


def districts(data: SiteData) -> Iterator[DistrictsContext]:
    agg = data.agg
    table = rows(agg.by_district, DistrictRow)
    found = tuple(c for d in table
                  for c in cases_matching(list(data.cases), district=d.district))
    yield districts_overview(data, DistrictsContext(
        population_source=data.settings.reference.population_source, districts=table,
        city=kpis(agg), city_latest_total=lookup(agg.kpis, agg.latest_month, CITY, "total"),
        district_cases=found))


def methodology(data: SiteData) -> Iterator[MethodologyContext]:
    deadlines = tuple(DeadlineRow(name, hours, hours / 24 if hours >= 24 else None)
                      for name, hours in data.metrics.deadlines_hours.items())
    taxonomy = tuple(
        ElementCategories(e, tuple(c.name for c in data.ref.categories if c.element == e))
        for e in data.ref.elements)
    site, agg = data.settings.site, data.agg
    yield MethodologyContext(
        deadline_rows=deadlines, deadlines_source=site.deadlines_source,
        weights_source=site.weights_source, taxonomy=taxonomy,
        counts_requests=agg.disclosure_unit == REQUESTS,
        unrecorded_fields=tuple(sorted(agg.unrecorded)),
        unrecorded_measures=tuple(title for metric, title in MEASURE_TITLES.items()
                                  if metric in agg.unrecorded_metrics),
        interval_methods=tuple(IntervalMethod(title, INTERVAL_METHODS[metric])
                               for metric, title in MEASURE_TITLES.items()
                               if metric in INTERVAL_METHODS),
        published_tables=tuple(PublishedTable(*row) for row in overview(
            agg, data.metrics.min_complainants, data.settings)),
        window=agg.calendar.window_label if agg.calendar else None)


def open_data(data: SiteData) -> Iterator[OpenDataContext]:
    yield OpenDataContext(latest_cutoff=data.agg.latest_cutoff)


def updates(data: SiteData) -> Iterator[UpdatesContext]:
    if data.updates is not None:
        yield data.updates


def case_index(data: SiteData) -> Iterator[CaseIndexContext]:
    elements = dict.fromkeys(c.element for c in data.cases)
    yield CaseIndexContext(by_element=tuple(
        CasesOf(e, tuple(c for c in data.cases if c.element == e)) for e in elements),
        stewards_page="stewards.md" if "stewards.md" in data.hand_written else None)


ONWARD_CASES = 3
"""How many other cases a case page links under each heading (same category, same district)."""


def case(data: SiteData) -> Iterator[CaseContext]:
    every = list(data.cases)
    for one in data.cases:
        category = tuple(c for c in cases_matching(every, category=one.category)
                         if c.slug != one.slug)[:ONWARD_CASES]
        district = tuple(c for c in cases_matching(every, district=one.district)
                         if c.slug != one.slug and c not in category)[:ONWARD_CASES]
        yield CaseContext(case=one, same_category=category, same_district=district)


PAGE_TYPES: tuple[PageType[Any], ...] = (
    PageType("首页", "pages/home.md.j2", "index.md", home),
    PageType("统计概览", "pages/stats_index.md.j2", "stats/index.md", stats_overview),
    PageType("各区统计", "pages/stats_districts.md.j2", "stats/districts.md", districts),
    PageType("统计方法", "pages/methodology.md.j2", "stats/methodology.md", methodology),
    PageType("开放数据", "pages/open_data.md.j2", "stats/open-data.md", open_data),
    PageType("数据字典", "pages/data_dictionary.md.j2", "stats/data-dictionary.md",
             data_dictionary),
    PageType("本次更新", "pages/updates.md.j2", "stats/updates.md", updates),
    PageType("典型案例列表", "cases_index.md.j2", "cases/index.md", case_index),
    PageType("典型案例", "case.md.j2", "cases/{case.slug}.md", case),
    PageType("区画像", "pages/district.md.j2", "stats/districts/{district_code}.md",
             districts_pages),
    PageType("街乡统计", "pages/street.md.j2", "stats/streets/{street_code}.md", street_pages),
    PageType("统计报告", "pages/report.md.j2", "stats/reports/{period}.md", reports),
    PageType("报告档案", "pages/reports_index.md.j2", "stats/reports/index.md", reports_index),
    PageType("每月一题", "pages/topic.md.j2", "stats/topics/{month}.md", topics),
    PageType("预警", "pages/warnings.md.j2", "stats/warnings.md", warnings_page),
    PageType("重点点位", "pages/hotspots.md.j2", "stats/hotspots.md", hotspots_page),
    PageType("开业前咨询", "pages/business_index.md.j2", "business/index.md", business_index),
    PageType("业态指引", "pages/business_type.md.j2", "business/{kind.slug}.md", business_types),
    PageType("开业前咨询申请表", "pages/consultation.md.j2", "{consultation.path}", consultation),
    PageType("咨询服务情况", "pages/service.md.j2", "business/service.md", service_page),
    PageType("网站地图", "pages/site_map.md.j2", SITE_MAP_PAGE, site_map_page),
)
"""Every generated page type; the render stage makes every page they yield."""

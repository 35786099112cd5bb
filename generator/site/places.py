"""Builders of the place pages: a portrait per district, a page per street or township.

Every cell is one the engine publishes (kpis, district_categories, counts_by_month,
street_ranking, hotspots, warnings, monthly_topic_streets): nothing is summed or counted
here, so disclosure control is never undone. The engine's frames are indexed once per build
(about 365 pages read them), not filtered per page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import fields
from typing import TYPE_CHECKING, Any

import pandas as pd

from generator.site.cases import cases_matching
from generator.site.charts import Chart, Tile, line_chart, tile_map
from generator.site.contexts import DistrictsContext, GuideLink
from generator.site.format import month_zh
from generator.site.places_context import (
    DistrictContext,
    DistrictsOverviewContext,
    ElementTable,
    PlaceLink,
    StreetContext,
)
from generator.site.places_tables import (
    STATUS,
    KpiIndex,
    hotspot_table,
    interval_tables,
    period_zh,
    persistent_table,
    ranking_tables,
    warning_table,
)
from generator.site.table_view import Column, TableView
from generator.stats.marks import NOT_APPLICABLE
from generator.stats.metrics import ALL
from generator.stats.tables import CITY_LEVEL, DISTRICT_LEVEL, STREET_LEVEL

if TYPE_CHECKING:  # pages.py declares the page types and imports these builders
    from generator.site.pages import SiteData

HEADLINE = (("total", "诉求总量", "count"), ("responded_rate", "响应率", "rate"),
            ("resolved_rate", "解决率", "rate"), ("satisfied_rate", "满意率", "rate"),
            ("composite_score", "综合成绩", "score"), ("ontime_rate", "按时办结率", "rate"))
"""The headline measures in page order: (metric, title, column kind)."""


def window_words(data: SiteData) -> str:
    """The ranking window as readers see it: 2025年10月至2026年9月 ('' without one)."""
    cal = data.agg.calendar
    if cal is None or not cal.window:
        return ""
    return f"{month_zh(cal.window[0])}至{month_zh(cal.window[-1])}"


def street_href(code: str, prefix: str = "../streets/") -> str:
    """A street page's address (HTML: the macros' links are not rewritten by mkdocs)."""
    return f"{prefix}{code}.html"


def by_key(frame: pd.DataFrame | None, key: str) -> dict[str, list[dict[str, Any]]]:
    """The rows of `frame` grouped by the string value of column `key`, order kept."""
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if frame is not None and not frame.empty:
        for record in frame.to_dict("records"):
            grouped[str(record[key])].append({str(k): v for k, v in record.items()})
    return grouped


def guide_links(data: SiteData) -> tuple[GuideLink, ...]:
    """One link per distinct guide page the project has, in taxonomy order."""
    links: dict[str, GuideLink] = {}
    for c in data.ref.categories:
        if c.guide in data.hand_written and c.guide not in links:
            links[c.guide] = GuideLink(c.name, c.guide)
    return tuple(links.values())


def districts_pages(data: SiteData) -> Iterator[DistrictContext]:
    """One portrait per district of the reference."""
    agg, ref = data.agg, data.ref
    index = KpiIndex(agg.kpis)
    categories = by_key(agg.breakdowns.get("district_categories"), "district_code")
    months_of = by_key(agg.counts_by_month, "district")
    ranking = by_key(agg.analyses.get("street_ranking"), "district")
    hotspots = by_key(agg.analyses.get("hotspots"), "district")
    persistent = by_key(agg.analyses.get("hotspots_persistent"), "district")
    warnings = by_key(agg.analyses.get("warnings"), "district")
    streets_of: dict[str, list[PlaceLink]] = defaultdict(list)
    for s in ref.streets:
        streets_of[s.district_code].append(PlaceLink(s.name, street_href(s.code)))
    final = agg.calendar.final_months if agg.calendar else agg.months
    window, cases, guides = window_words(data), list(data.cases), guide_links(data)
    for d in ref.districts:
        ranked, unranked, empty = ranking_tables(
            d.name, ranking.get(d.name, []), data.metrics.ranking.min_requests, window)
        intervals, score = interval_tables(index, DISTRICT_LEVEL, d.code, ALL,
                                           f"{d.name}全部数据期",
                                           (("全市", CITY_LEVEL, CITY_LEVEL),))
        trend, rate_trend = _trends(data, index, d.name, d.code)
        yield DistrictContext(
            district=d.name, district_code=d.code,
            key_figures=_headline(index, d.name, d.code),
            intervals=intervals, score=score,
            elements=_elements(data, d.name, categories.get(d.code, [])),
            recent=_recent(data, d.name, months_of.get(d.name, []), final),
            window=window, min_requests=data.metrics.ranking.min_requests,
            ranked=ranked, unranked=unranked, no_requests=empty,
            streets=tuple(streets_of[d.code]),
            hotspots=hotspot_table(f"{d.name}各街乡重点点位", hotspots.get(d.name, []),
                                   link_prefix="../streets/"),
            persistent=persistent_table(d.name, persistent.get(d.name, [])),
            warnings=warning_table(f"{d.name}预警", warnings.get(d.name, []),
                                   link_prefix="../streets/"),
            trend=trend, rate_trend=rate_trend,
            district_cases=tuple(cases_matching(cases, district=d.name)),
            guides=guides)


def _headline(index: KpiIndex, name: str, code: str) -> TableView:
    columns = (Column("范围"), *(Column(title, kind) for _, title, kind in HEADLINE))
    mine = (name, *(index.value(ALL, DISTRICT_LEVEL, code, m) for m, _, _ in HEADLINE))
    city = ("全市", *(index.value(ALL, CITY_LEVEL, CITY_LEVEL, m) for m, _, _ in HEADLINE))
    return TableView(caption=f"{name}主要指标与全市对比（全部数据期）", columns=columns,
                     rows=(mine,), total=city)


def _elements(data: SiteData, name: str, rows: list[dict[str, Any]]
              ) -> tuple[ElementTable, ...]:
    """Per element, its categories × periods (all, then each year) of district_categories."""
    periods = list(dict.fromkeys(str(r["period"]) for r in rows))
    periods.sort(key=lambda p: (p != ALL, p))
    cell = {(str(r["category"]), str(r["period"])): r["count"] for r in rows}
    titles = ["全部数据期" if p == ALL else f"{p}年" for p in periods]
    out = []
    for element in data.ref.elements:
        body = tuple((c.name, *(cell.get((c.name, p), NOT_APPLICABLE) for p in periods))
                     for c in data.ref.categories if c.element == element)
        out.append(ElementTable(element, TableView(
            caption=f"{name} {element}类诉求：各类别件数",
            columns=(Column("类别"), *(Column(t, "count") for t in titles)), rows=body)))
    return tuple(out)


def _recent(data: SiteData, name: str, rows: list[dict[str, Any]],
            final: tuple[str, ...]) -> TableView | None:
    months = [m for m in final if any(str(r["month"]) == m for r in rows)][-2:]
    if not months:
        return None
    cell = {(str(r["category"]), str(r["month"])): r["count"] for r in rows}
    body = tuple((c.element, c.name, *(cell.get((c.name, m), NOT_APPLICABLE) for m in months))
                 for c in data.ref.categories)
    return TableView(
        caption=f"{name}最近月份各类别诉求件数",
        columns=(Column("要素"), Column("类别"), *(Column(month_zh(m), "count") for m in months)),
        rows=body)


def _trends(data: SiteData, index: KpiIndex, name: str, code: str) -> tuple[Chart, Chart]:
    """The district's monthly 诉求总量, and its three rates, as line charts with tables."""
    agg = data.agg
    labels = [f"{int(m[5:])}月\n{m[:4]}年"
              + ("（不完整）" if agg.latest_incomplete and m == agg.latest_month else "")
              for m in agg.months]
    totals = [index.value(m, DISTRICT_LEVEL, code, "total") for m in agg.months]
    rates = {title: [index.value(m, DISTRICT_LEVEL, code, metric) for m in agg.months]
             for metric, title, _ in HEADLINE[1:4]}
    return (line_chart(labels, {"诉求总量": totals}, title=f"{name}逐月诉求量", unit="件",
                       x_title="受理月份"),
            line_chart(labels, rates, title=f"{name}逐月三率", unit="%", kind="rate",
                       x_title="受理月份", y_title="比率"))


def districts_overview(data: SiteData, base: DistrictsContext) -> DistrictsOverviewContext:
    """The overview's table context with the schematic map of the districts."""
    counts = {str(r["district_code"]): r["count"] for r in data.agg.by_district.to_dict("records")}
    tiles = [Tile(d.code, d.name, d.tile_row, d.tile_col, counts.get(d.code, NOT_APPLICABLE),
                  f"districts/{d.code}.html") for d in data.ref.districts]
    chart = tile_map(tiles, title="各区诉求总量示意图（全部数据期）", unit="件",
                     legend="诉求总量")
    return DistrictsOverviewContext(
        **{f.name: getattr(base, f.name) for f in fields(base)}, district_map=chart)


def street_pages(data: SiteData) -> Iterator[StreetContext]:
    """One page per street or township of the reference (keyed by code: names repeat)."""
    agg = data.agg
    index = KpiIndex(agg.kpis)
    ranking = by_key(agg.analyses.get("street_ranking"), "street_code")
    hotspots = by_key(agg.analyses.get("hotspots"), "street_code")
    warnings = by_key(agg.analyses.get("warnings"), "street_code")
    topics = by_key(agg.analyses.get("monthly_topic_streets"), "street_code")
    cal = agg.calendar
    label = cal.window_label if cal else None
    window, cases = window_words(data), list(data.cases)
    quarters = cal.quarters if cal else ()
    for s in data.ref.streets:
        title = f"{s.district}·{s.name}"
        periods = [q for q in quarters if index.has(q, STREET_LEVEL, s.code)]
        if label is not None and index.has(label, STREET_LEVEL, s.code):
            periods.append(label)
        intervals = score = None
        if label is not None:
            intervals, score = interval_tables(
                index, STREET_LEVEL, s.code, label, f"{title}（{window}）",
                ((s.district, DISTRICT_LEVEL, s.district_code), ("全市", CITY_LEVEL, CITY_LEVEL)))
        yield StreetContext(
            title=title, street=s.name, street_code=s.code, district=s.district,
            district_page=f"../districts/{s.district_code}.md",
            totals=_street_totals(index, title, s.code, periods, label, window),
            window=window, intervals=intervals, score=score,
            ranking=_street_ranking(title, ranking.get(s.code, []), window),
            min_requests=data.metrics.ranking.min_requests,
            hotspots=hotspot_table(f"{title}重点点位", hotspots.get(s.code, []), None),
            warnings=warning_table(f"{title}预警", warnings.get(s.code, []), None),
            topics=_topics(title, topics.get(s.code, [])),
            street_cases=tuple(cases_matching(cases, district=s.district, street=s.name)))


def _street_totals(index: KpiIndex, title: str, code: str, periods: list[str],
                   label: str | None, window: str) -> TableView:
    metrics = (("total", "诉求总量"), ("citizen_total", "市民诉求"),
               ("proactive_total", "主动治理"))
    body = tuple(
        (f"排名窗口（{window}）" if p == label else period_zh(p),
         *(index.value(p, STREET_LEVEL, code, m) for m, _ in metrics)) for p in periods)
    return TableView(caption=f"{title}诉求量（按季度及排名窗口）",
                     columns=(Column("期间"), *(Column(t, "count") for _, t in metrics)),
                     rows=body)


def _street_ranking(title: str, rows: list[dict[str, Any]], window: str) -> TableView | None:
    if not rows:
        return None
    r = rows[0]
    rank = (f"{int(r['rank'])}{'（并列）' if r['tied'] else ''}"
            if r["status"] == "ranked" else "不排名")
    return TableView(
        caption=f"{title}在全市街乡综合成绩排名中的位置（{window}）",
        columns=(Column("名次"), Column("状态"), Column("诉求量", "count"),
                 Column("综合成绩", "score"), Column("样本量 n", "count"),
                 Column("范围下限", "score"), Column("范围上限", "score")),
        rows=((rank, STATUS.get(str(r["status"]), str(r["status"])), r["count"],
               r["composite_score"], r["n"], r["ci_low"], r["ci_high"]),))


def _topics(title: str, rows: list[dict[str, Any]]) -> TableView | None:
    if not rows:
        return None
    return TableView(caption=f"{title}每月一题诉求件数",
                     columns=(Column("月份"), Column("主题"), Column("件数", "count")),
                     rows=tuple((month_zh(str(r["month"])), str(r["topic"]), r["count"])
                                for r in rows))

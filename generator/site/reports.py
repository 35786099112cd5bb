"""Builders of the report pages: one ReportContext per period (周调度 per week part, 月讲评,
季分析, 年度报告), the archive, 每月一题, warnings and hotspots (contexts in reports_context.py).

Every figure is read from a table the engine publishes (Aggregates: kpis, monthly, the
breakdowns, the analyses) for exactly the period of the report; nothing is counted from records
or summed from cells (a sum that is not published could undo disclosure control). Quarters and
years therefore show their months side by side instead of totals by category.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from generator.site.cases import Case
from generator.site.format import day_zh, month_zh, num
from generator.site.narrative import (
    Rate,
    change_phrase,
    paragraph,
    ranking_sentence,
    rates_sentence,
    ratio_of,
    share_sentence,
    volume_sentence,
    week_sentence,
)
from generator.site.report_charts import report_charts
from generator.site.reports_context import (
    HotspotsContext,
    ReportContext,
    ReportsIndexContext,
    ReportYear,
    TopicContext,
    WarningsContext,
)
from generator.site.reports_tables import (
    KIND_NAMES,
    Published,
    headline_table,
    hotspot_table,
    interval,
    warning_table,
    warnings_view,
)
from generator.site.table_view import Column, Link, TableView
from generator.stats.marks import HIDDEN, NOT_APPLICABLE
from generator.stats.periods import months_of_quarter, quarter_of

CITY = "city"
"""scope_code of the whole city in kpis.csv."""

if TYPE_CHECKING:  # pages imports this module for PAGE_TYPES
    from generator.site.pages import SiteData


def week_span(week: str) -> str:
    """'2026-10-05' → '2026年10月5日至11日': the part of a Monday–Sunday week in its month."""
    start = dt.date.fromisoformat(week)
    end = start + dt.timedelta(days=6 - start.weekday())
    while end.month != start.month:
        end -= dt.timedelta(days=1)
    return f"{start.year}年{day_zh(week)}至{end.day}日"


def period_zh(kind: str, period: str) -> str:
    """The period in words: 2026年10月, 2026年第3季度, 2026年, or a week part's days."""
    if kind == "week":
        return week_span(period)
    if kind == "month":
        return month_zh(period)
    if kind == "quarter":
        return f"{period[:4]}年第{period[5]}季度"
    return f"{period}年"


def report_link(kind: str, period: str, data: SiteData | None = None, prefix: str = "") -> Link:
    """The report of a period, linked from a page in stats/reports/ (prefix for others)."""
    text = period_zh(kind, period) + KIND_NAMES[kind]
    if data is not None and kind == "month" and period in provisional_months(data):
        text += "（初步数据）"
    return Link(text, f"{prefix}{period}.md")


def provisional_months(data: SiteData) -> frozenset[str]:
    """Months published as 初步数据: the calendar's provisional months (a latest month the
    export cuts short is one of them)."""
    cal = data.agg.calendar
    held = set(cal.provisional) if cal else set()
    if data.agg.latest_incomplete:
        held.add(data.agg.latest_month)
    return frozenset(held)


def weeks_of(data: SiteData) -> tuple[str, ...]:
    """The week parts weekly.csv publishes, in order."""
    weekly = data.agg.breakdowns.get("weekly")
    if weekly is None or weekly.empty:
        return ()
    return tuple(sorted(str(p) for p in weekly["period"].unique()))


def periods(data: SiteData) -> list[tuple[str, str, tuple[str, ...]]]:
    """(kind, period, months it covers) of every report, in archive order."""
    cal = data.agg.calendar
    months = data.agg.months
    quarters = cal.quarters if cal else tuple(dict.fromkeys(quarter_of(m) for m in months))
    years = cal.years if cal else tuple(dict.fromkeys(m[:4] for m in months))
    out: list[tuple[str, str, tuple[str, ...]]] = [
        ("week", w, (w[:7],)) for w in weeks_of(data)]
    out += [("month", m, (m,)) for m in months]
    out += [("quarter", q, tuple(m for m in months_of_quarter(q) if m in months))
            for q in quarters]
    out += [("year", y, tuple(m for m in months if m[:4] == y)) for y in years]
    return out


def _neighbours(items: list[str], period: str) -> tuple[str | None, str | None]:
    i = items.index(period)
    return (items[i - 1] if i else None, items[i + 1] if i + 1 < len(items) else None)


def _cases_in(cases: tuple[Case, ...], months: tuple[str, ...]) -> tuple[Case, ...]:
    return tuple(c for c in cases if f"{c.date.year:04d}-{c.date.month:02d}" in months)


def reports(data: SiteData) -> Iterator[ReportContext]:
    """One report per period of the data."""
    pub = Published(data)
    all_periods = periods(data)
    held = provisional_months(data)
    by_kind: dict[str, list[str]] = {}
    for kind, period, _ in all_periods:
        by_kind.setdefault(kind, []).append(period)
    for kind, period, months in all_periods:
        before, after = _neighbours(by_kind[kind], period)
        provisional = bool(set(months) & held)
        yield ReportContext(
            kind=kind, period=period, report_title=period_zh(kind, period)
            + f"生态环境诉求{KIND_NAMES[kind]}",
            period_zh=period_zh(kind, period), provisional=provisional,
            provisional_note=_provisional_note(data, months, held) if provisional else "",
            partial_note=_partial_note(kind, period, months),
            narrative=_narrative(pub, kind, period, months),
            rates_table=None if kind == "week" else headline_table(pub, period),
            charts=report_charts(pub, kind, period, months, period_zh(kind, period)),
            tables=pub.tables(kind, period, months),
            topic=(Link(f"每月一题：{data.metrics.topics[period]}", f"../topics/{period}.md")
                   if kind == "month" and period in data.metrics.topics else None),
            topic_name=data.metrics.topics.get(period, "") if kind == "month" else "",
            warnings=warning_table(pub, months) if kind != "week" else None,
            hotspots=hotspot_table(pub, (period,) if kind != "year" else tuple(
                q for q in by_kind["quarter"] if q[:4] == period)) if kind != "week" else None,
            period_cases=_cases_in(data.cases, months) if kind != "week" else (),
            parts=_parts(kind, period, by_kind, data),
            up=_up(kind, period, by_kind),
            previous=report_link(kind, before, data) if before else None,
            next=report_link(kind, after, data) if after else None)


def _provisional_note(data: SiteData, months: tuple[str, ...], held: frozenset[str]) -> str:
    names = "、".join(month_zh(m) for m in months if m in held)
    cut = ""
    if data.agg.latest_incomplete and data.agg.latest_month in months:
        day = day_zh(data.agg.latest_cutoff or "")
        cut = f"（{month_zh(data.agg.latest_month)}数据截至 {day}）"
    return (f"{names}为初步数据{cut}：数字可能在下次更新时变化；街乡、重点点位等细分表待数据"
            "确定后公布。")


def _partial_note(kind: str, period: str, months: tuple[str, ...]) -> str:
    expected = (months_of_quarter(period) if kind == "quarter"
                else [f"{period}-{m:02d}" for m in range(1, 13)] if kind == "year" else [])
    if not expected or len(months) == len(expected):
        return ""
    return (f"数据只覆盖本{'季度' if kind == 'quarter' else '年'}的 "
            f"{month_zh(months[0])}至{month_zh(months[-1])}，不与其他时期比较。")


def _parts(kind: str, period: str, by_kind: dict[str, list[str]], data: SiteData
           ) -> tuple[Link, ...]:
    if kind == "month":
        return tuple(report_link("week", w) for w in by_kind.get("week", []) if w[:7] == period)
    if kind == "quarter":
        inside = months_of_quarter(period)
        return tuple(report_link("month", m, data) for m in by_kind["month"] if m in inside)
    if kind == "year":
        return tuple(report_link("quarter", q) for q in by_kind["quarter"] if q[:4] == period)
    return ()


def _up(kind: str, period: str, by_kind: dict[str, list[str]]) -> Link | None:
    if kind == "week":
        return report_link("month", period[:7])
    if kind == "month":
        return report_link("quarter", quarter_of(period))
    if kind == "quarter":
        return report_link("year", period[:4])
    return None


# --- narrative ------------------------------------------------------------------------------

def _rates(pub: Published, period: str) -> list[Rate]:
    return [Rate(m, pub.kpi(period, CITY, m)[0], pub.kpi(period, CITY, m)[1])
            for m in ("responded_rate", "resolved_rate", "satisfied_rate")]


def _narrative(pub: Published, kind: str, period: str, months: tuple[str, ...]
               ) -> tuple[str, ...]:
    if kind == "week":
        before = pub.week_before(period)
        elements = [(e, c, ratio_of(c, pub.week_count(before, e)) if before else NOT_APPLICABLE)
                    for e, c in pub.week_elements(period)]
        return (week_sentence(f"本周段（{week_span(period)}）", elements),)
    subject = {"month": "本月", "quarter": "本季度", "year": "本年度"}[kind]
    total = pub.kpi(period, CITY, "total")[0]
    if kind == "month":
        row = pub.monthly.get(period, {})
        changes = [change_phrase("环比", row.get("count_mom", NOT_APPLICABLE)),
                   change_phrase("同比", row.get("count_yoy", NOT_APPLICABLE))]
    else:
        changes = [change_phrase(label, ratio_of(total, pub.kpi(other, CITY, "total")[0]))
                   for label, other in pub.compared(kind, period, months)]
    first = [volume_sentence(subject, total, changes)]
    if kind == "month":
        cats = pub.month_categories(period)
        first.append(ranking_sentence(cats, complete=all(c is not HIDDEN for _, c in cats)))
    texts = [paragraph(*first)]
    rates = rates_sentence(_rates(pub, period))
    if rates:
        texts.append(paragraph(f"{subject}全市{rates}"))
    tiers = pub.tiers(period) if kind == "quarter" else []
    if tiers:
        texts.append(paragraph(f"按办结层级，{share_sentence(tiers)}"))
    if kind == "month" and period in pub.topics:
        count = pub.topic_count(period)
        said = f"，全市 {num(count)} 件" if count is not NOT_APPLICABLE else ""
        texts.append(paragraph(f"本月每月一题为{pub.topics[period]}{said}，详见每月一题页面"))
    if kind == "year":
        leaders = pub.ranking_leaders()
        if leaders and pub.window_end and pub.window_end[:4] == period:
            texts.append(paragraph(f"排名窗口（{pub.window_zh}）内综合成绩{leaders}"))
    found = len(pub.warnings_in(months))
    texts.append(paragraph(f"{subject}发出预警 {found} 条（见下文）" if found
                           else f"{subject}没有发出预警"))
    return tuple(t for t in texts if t)


# --- the archive ----------------------------------------------------------------------------

def reports_index(data: SiteData) -> Iterator[ReportsIndexContext]:
    """The archive by year, newest first."""
    all_periods = periods(data)
    years = []
    for year in reversed([p for k, p, _ in all_periods if k == "year"]):
        def of(kind: str, year: str = year) -> tuple[Link, ...]:
            return tuple(report_link(kind, p, data) for k, p, _ in all_periods
                         if k == kind and p[:4] == year)
        years.append(ReportYear(year, report_link("year", year), of("quarter"), of("month"),
                                of("week")))
    yield ReportsIndexContext(years=tuple(years),
                              latest=report_link("month", data.agg.latest_month, data))



# --- 每月一题, warnings, hotspots -------------------------------------------------------------

def topics(data: SiteData) -> Iterator[TopicContext]:
    """One page per configured topic whose month is in the data."""
    pub = Published(data)
    held = provisional_months(data)
    guide_of = {c.name: c.guide for c in data.ref.categories}
    for month, topic in sorted(data.metrics.topics.items()):
        if month not in data.agg.months:
            continue
        count = pub.topic_count(month)
        rates = rates_sentence([Rate(m, *_topic_rate(pub, month, "全市", m)[:2])
                                for m in ("responded_rate", "resolved_rate", "satisfied_rate")])
        summary = paragraph(volume_sentence(f"{month_zh(month)}，{topic}类", count, [])
                            .replace("生态环境诉求 ", "诉求 "),
                            f"其全市{rates}" if rates else "")
        yield TopicContext(
            month=month, topic=topic, guide=Link(f"{topic}政策指南", f"../../{guide_of[topic]}"),
            report=report_link("month", month, data, "../reports/"), summary=summary,
            tables=topic_tables(pub, month, topic),
            topic_hotspots=hotspot_table(pub, (month,), f"{month_zh(month)}{topic}重点点位",
                                         main_category=topic),
            provisional=month in held)


def _topic_rate(pub: Published, month: str, district: str, metric: str) -> tuple[Any, ...]:
    rows = pub.rows("monthly_topic_rates", month=month, district=district, metric=metric)
    if not rows:
        return (NOT_APPLICABLE,) * 4
    r = rows[0]
    return (r["value"], r["n"], r["ci_low"], r["ci_high"])


def topic_tables(pub: Published, month: str, topic: str) -> tuple[TableView, ...]:
    """Counts by district, the rates with n and interval, streets, and the monthly trend."""
    counts = pub.rows("monthly_topic", month=month)
    city = [r for r in counts if r["district"] == "全市"]
    by_district = TableView(
        f"{month_zh(month)}{topic}诉求件数（按区）", (Column("区"), Column("件数", "count")),
        tuple((pub.district(str(r["district"]), _district_code(pub, r)), r["count"])
              for r in counts if r["district"] != "全市"),
        total=("全市", city[0]["count"]) if city else None)
    scopes = list(dict.fromkeys(str(r["district"])
                                for r in pub.rows("monthly_topic_rates", month=month)))
    metrics = ("responded_rate", "resolved_rate", "satisfied_rate")
    rate_rows = tuple(
        (scope, _topic_rate(pub, month, scope, metrics[0])[1],
         *(x for m in metrics for x in (_topic_rate(pub, month, scope, m)[0],
                                        interval(*_topic_rate(pub, month, scope, m)[2:]))))
        for scope in scopes)
    rates = TableView(
        f"{month_zh(month)}{topic}诉求三率", (
            Column("范围"), Column("有效回访（件）", "count"),
            *(c for _, t in (("", "响应率"), ("", "解决率"), ("", "满意率"))
              for c in (Column(t, "rate"), Column(f"{t} 95% 区间", "text")))),
        rate_rows, note="区间为 95% 置信区间；有效回访少于规定人数的范围不予公布。")
    streets = TableView(
        f"{month_zh(month)}{topic}诉求较多的街乡", (Column("区"), Column("街乡"),
                                              Column("件数", "count")),
        tuple((str(r["district"]), str(r["street"]), r["count"])
              for r in pub.rows("monthly_topic_streets", month=month)))
    trend = TableView(
        f"{topic}诉求逐月件数（全市）", (Column("月份"), Column("件数", "count")),
        tuple((month_zh(m), r["count"]) for m in pub.months
              for r in pub.rows("monthly_categories", period=m, category=topic)))
    return tuple(t for t in (by_district, rates, streets, trend) if t.rows or t.total)


def _district_code(pub: Published, row: dict[str, Any]) -> str:
    return next((d.code for d in pub.data.ref.districts if d.name == row["district"]), "")


def warnings_page(data: SiteData) -> Iterator[WarningsContext]:
    """Current warnings, the rule in words and the whole archive."""
    pub = Published(data, up="")
    latest = data.agg.latest_month
    archive = sorted(pub.warnings_in(data.agg.months), key=lambda r: str(r["detected_on"]),
                     reverse=True)
    current = [r for r in archive if str(r["period"]) == latest]
    yield WarningsContext(
        current_month=latest,
        current=warnings_view(f"{month_zh(latest)}预警", current, pub) if current else None,
        rule_words=rule_words(data), archive=warnings_view("预警档案（全部）", archive, pub))


def rule_words(data: SiteData) -> tuple[str, ...]:
    """The warning rule of data/metrics.yml `warnings`, in plain words."""
    rule, k = data.metrics.warnings, data.metrics.min_complainants
    adjust = ("，并按全市其余街乡同类诉求的季节变化调整（全市普遍增多不算预警）"
              if rule.adjust == "city" else "")
    return (
        f"对象：每个街乡每个月各{rule.unit}的诉求件数。",
        f"基线：该街乡该{rule.unit}前 {rule.baseline_months} 个完整月的月均件数{adjust}。",
        f"条件：当月至少 {rule.min_observed} 件（且来自至少 {k} 名诉求人），不低于基线的 "
        f"{rule.min_ratio:g} 倍，并且按泊松分布，在基线水平下出现这么多件的概率小于 "
        f"{rule.alpha:g}。",
        f"误报控制：在没有真实上升的数据上，每 1,000 个街乡月约 {rule.false_alarm_budget:g} 条"
        "预警是误报，规则按这一上限选定。",
        f"完整规则：{rule.text()}。")


def hotspots_page(data: SiteData) -> Iterator[HotspotsContext]:
    """重点点位 by district and street, and the persistent places by district."""
    pub = Published(data, up="")
    rule = data.metrics.hotspots
    levels = "、".join({"month": "月", "quarter": "季度", "year": "年"}.get(p, p)
                       for p in rule.periods)
    tables = []
    for d in data.ref.districts:
        periods_of = sorted({str(r["period"]) for r in pub.rows("hotspots", district=d.name)})
        table = hotspot_table(pub, periods_of, f"{d.name}重点点位（按街乡）", district=d.name)
        if table is not None:
            tables.append(table)
    persistent = pub.rows("hotspots_persistent")
    yield HotspotsContext(
        rule=(f"同一点位在 {rule.window_days} 天内收到至少 {rule.min_requests} 件市民诉求即为"
              f"重点点位；按{levels}发布各街乡的点位数和诉求数，不公布点位位置。"),
        by_district=tuple(tables),
        persistent=TableView("单一诉求人反复反映的点位（按区）", (
            Column("时期"), Column("区"), Column("点位数", "count"), Column("诉求件数", "count")),
            tuple((str(r["period"]), str(r["district"]), r["places"], r["requests"])
                  for r in persistent)) if persistent else None)

"""The reports' tables: published cells looked up once (Published) and laid out as TableViews.

Only cells of the report's own period are shown; a quarter or a year lists its months side by
side rather than a category total the engine does not publish. Tables stay narrow enough for
an A4 page: a year's categories by month are split into two half-year tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from generator.site.format import month_zh, pct, score
from generator.site.table_view import Column, Link, TableView
from generator.stats.marks import NOT_APPLICABLE, is_mark
from generator.stats.periods import months_of_quarter

KIND_NAMES = {"week": "周调度", "month": "月讲评", "quarter": "季分析", "year": "年度报告"}
"""What each kind of report is called."""
RATES = (("responded_rate", "响应率"), ("resolved_rate", "解决率"), ("satisfied_rate", "满意率"),
         ("ontime_rate", "按时办结率"))
MISSING = (NOT_APPLICABLE, NOT_APPLICABLE, NOT_APPLICABLE, NOT_APPLICABLE)

if TYPE_CHECKING:  # pages imports this module for PAGE_TYPES
    from generator.site.pages import SiteData


def _records(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    if frame is None or frame.empty:
        return []
    return [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]


class Published:
    """The published tables a report reads, indexed once per build."""

    def __init__(self, data: SiteData, up: str = "../") -> None:
        agg, cal = data.agg, data.agg.calendar
        self.data = data
        self.up = up
        """From the page to stats/: '../' for stats/reports/ and stats/topics/, '' for stats/."""
        k = agg.kpis
        self._kpi = {(p, c, m): (v, n, lo, hi) for p, c, m, v, n, lo, hi in zip(
            k["period"], k["scope_code"], k["metric"], k["value"], k["n"], k["ci_low"],
            k["ci_high"], strict=True)}
        self.monthly = {str(r["month"]): r for r in _records(agg.monthly)}
        self.breakdowns = agg.breakdowns
        self.analyses = agg.analyses
        self.topics = dict(data.metrics.topics)
        self.window = cal.window if cal else ()
        self.window_end = self.window[-1] if self.window else None
        self.window_zh = (f"{month_zh(self.window[0])}至{month_zh(self.window[-1])}"
                          if self.window else "")
        self.months = agg.months
        self.final = set(cal.final_months) if cal else set(agg.months)
        if agg.latest_incomplete:
            self.final.discard(agg.latest_month)
        from generator.site.pages import PAGE_TYPES  # imported late: pages imports this module

        self.district_pages = any(p.path.startswith("stats/districts/{") for p in PAGE_TYPES)
        weekly = _records(self.breakdowns.get("weekly"))
        self._weeks = sorted({str(r["period"]) for r in weekly})
        self._weekly = {(str(r["period"]), str(r["element"])): r["count"] for r in weekly}
        self.elements = list(data.ref.elements)

    # --- lookups --------------------------------------------------------------------------

    def kpi(self, period: str, code: str, metric: str) -> tuple[Any, Any, Any, Any]:
        """(value, n, ci_low, ci_high) of one kpis.csv row; N/A when it is not published."""
        return self._kpi.get((period, code, metric), MISSING)

    def rows(self, table: str, **match: Any) -> list[dict[str, Any]]:
        """Rows of a breakdown or analysis whose columns equal `match`."""
        frame = self.breakdowns.get(table)
        if frame is None:
            frame = self.analyses.get(table)
        return [r for r in _records(frame)
                if all(str(r.get(c)) == str(v) for c, v in match.items())]

    def week_elements(self, week: str) -> list[tuple[str, Any]]:
        return [(e, self._weekly.get((week, e), NOT_APPLICABLE)) for e in self.elements]

    def week_count(self, week: str, element: str) -> Any:
        return self._weekly.get((week, element), NOT_APPLICABLE)

    def week_before(self, week: str) -> str | None:
        i = self._weeks.index(week)
        return self._weeks[i - 1] if i else None

    def month_categories(self, month: str) -> list[tuple[str, Any]]:
        return [(str(r["category"]), r["count"])
                for r in self.rows("monthly_categories", period=month)]

    def complete(self, kind: str, period: str) -> bool:
        """A quarter or year every month of which is in the data and final."""
        months = (months_of_quarter(period) if kind == "quarter"
                  else [f"{period}-{m:02d}" for m in range(1, 13)])
        return all(m in self.final for m in months)

    def compared(self, kind: str, period: str, months: Sequence[str]) -> list[tuple[str, str]]:
        """(label, other period) pairs a quarter or year is compared with: complete ones only."""
        if not self.complete(kind, period):
            return []
        year = int(period[:4])
        if kind == "year":
            pairs = [("同比", str(year - 1))]
        else:
            q = int(period[5])
            pairs = [("环比", f"{year - 1}Q4" if q == 1 else f"{year}Q{q - 1}"),
                     ("同比", f"{year - 1}Q{q}")]
        return [(label, other) for label, other in pairs if self.complete(kind, other)]

    def tiers(self, period: str) -> list[tuple[str, Any, Any]]:
        return [(str(r["handling_level"]), r["count"], r["share"])
                for r in self.rows("by_tier", period=period, scope_level="city")]

    def topic_count(self, month: str) -> Any:
        rows = self.rows("monthly_topic", month=month, district="全市")
        return rows[0]["count"] if rows else NOT_APPLICABLE

    def ranking_leaders(self) -> str:
        """'密云区居首（99.83）' from district_ranking.csv's composite_score rank 1 rows."""
        top = [r for r in self.rows("district_ranking", ranking="composite_score")
               if str(r["rank"]) == "1" and r["status"] == "ranked"]
        if not top:
            return ""
        names = "、".join(str(r["district"]) for r in top)
        return f"{names}{'并列' if len(top) > 1 else ''}居首（{score(top[0]['value'])}）"

    def warnings_in(self, months: Iterable[str]) -> list[dict[str, Any]]:
        wanted = set(months)
        return [r for r in _records(self.analyses.get("warnings")) if str(r["period"]) in wanted]

    def district(self, name: str, code: str) -> Any:
        return Link(name, f"{self.up}districts/{code}.html") if self.district_pages else name

    # --- tables ----------------------------------------------------------------------------

    def tables(self, kind: str, period: str, months: tuple[str, ...]) -> tuple[TableView, ...]:
        """The report's tables, in report order."""
        if kind == "week":
            return (self._week_table(period),)
        out: list[TableView | None] = []
        if kind == "month":
            out += [self._month_elements(period), self._month_categories(period)]
        else:
            out.append(months_table(self, period, months))
            halves = ([months] if kind == "quarter"
                      else [tuple(m for m in months if m[5:] <= "06"),
                            tuple(m for m in months if m[5:] > "06")])
            out += [self._categories_by_month(period, h, len(halves) > 1) for h in halves if h]
        out.append(district_table(self, period))
        quarters = ((period,) if kind == "quarter" else
                    tuple(q for q in (self.data.agg.calendar.quarters
                                      if self.data.agg.calendar else ()) if q[:4] == period)
                    if kind == "year" else (period,))
        for table, title, column in (("by_tier", "办结层级", "handling_level"),
                                     ("by_channel", "受理渠道", "channel"),
                                     ("by_source", "诉求来源", "source")):
            out.append(self._side(table, title, column, quarters))
        if kind == "year" and self.window_end and self.window_end[:4] == period:
            out += [self._ranking("composite_score", "综合成绩", "score"),
                    self._ranking("per_10k", "每万常住人口诉求数", "decimal")]
        return tuple(t for t in out if t is not None and t.rows)

    def _week_table(self, week: str) -> TableView:
        before = self.week_before(week)
        rows = tuple((e, c, self.week_count(before, e) if before else NOT_APPLICABLE)
                     for e, c in self.week_elements(week))
        from generator.site.narrative import ratio_of

        return TableView("本周段各要素诉求件数",
                         (Column("要素"), Column("件数", "count"), Column("上一周段", "count"),
                          Column("变化", "rate")),
                         tuple((*r, ratio_of(r[1], r[2])) for r in rows),
                         note="周段为周一至周日，跨月的周按月切分；本表不公布周段合计。")

    def _month_elements(self, month: str) -> TableView:
        rows = tuple((str(r["element"]), r["count"])
                     for r in self.rows("monthly_elements", period=month))
        return TableView(f"{month_zh(month)}各要素诉求件数",
                         (Column("要素"), Column("件数", "count")), rows)

    def _month_categories(self, month: str) -> TableView:
        rows = self.rows("monthly_categories", period=month)
        rows.sort(key=lambda r: -float(r["count"]) if isinstance(r["count"], int | float) else 1)
        return TableView(f"{month_zh(month)}各类别诉求件数（按件数排列）",
                         (Column("要素"), Column("类别"), Column("件数", "count")),
                         tuple((str(r["element"]), str(r["category"]), r["count"]) for r in rows))

    def _categories_by_month(self, period: str, months: tuple[str, ...], half: bool
                             ) -> TableView:
        cells = {(str(r["period"]), str(r["category"])): r["count"]
                 for m in months for r in self.rows("monthly_categories", period=m)}
        cats = [(c.element, c.name) for c in self.data.ref.categories]
        part = "" if not half else ("（上半年）" if months[0][5:] <= "06" else "（下半年）")
        return TableView(
            f"各类别逐月诉求件数{part}",
            (Column("要素"), Column("类别"), *(Column(month_zh(m), "count") for m in months)),
            tuple((e, c, *(cells.get((m, c), NOT_APPLICABLE) for m in months))
                  for e, c in cats if any((m, c) in cells for m in months)),
            note="本表只列各月公布的件数，不计算季度或年度合计。")

    def _side(self, table: str, title: str, column: str, quarters: tuple[str, ...]
              ) -> TableView:
        rows = [(q, r) for q in quarters for r in self.rows(table, period=q, scope_level="city")]
        return TableView(f"按{title}", (Column("时期"), Column(title), Column("件数", "count"),
                                        Column("占比", "rate")),
                         tuple((_zh(q), str(r[column]), r["count"], r["share"]) for q, r in rows))

    def _ranking(self, ranking: str, title: str, kind: str) -> TableView:
        rows = self.rows("district_ranking", ranking=ranking)
        return TableView(
            f"各区{title}排名（{self.window_zh}）",
            (Column("名次"), Column("区"), Column("诉求件数", "count"), Column(title, kind)),
            tuple((("并列" if r["tied"] in (True, "True") else "") + str(r["rank"])
                   if r["status"] == "ranked" else "不参加排名",
                   self.district(str(r["district"]), str(r["district_code"])),
                   r["count"], r["value"]) for r in rows),
            note="名次按页面显示的小数位数比较，显示相同即名次相同。")


def interval(low: Any, high: Any) -> str:
    """A 95 % interval cell as text ('99.72%–99.97%'), or the sign of its mark."""
    if is_mark(low) or is_mark(high):
        return pct(high if is_mark(high) else low)
    return f"{pct(low)}–{pct(high)}"


def _zh(period: str) -> str:
    if "Q" in period:
        return f"{period[:4]}年第{period[5]}季度"
    return month_zh(period) if len(period) == 7 else f"{period}年"


def headline_table(pub: Published, period: str) -> TableView:
    """The three rates and 按时办结率 of the whole city with n and 95 % interval."""
    rows = []
    for metric, title in RATES:
        value, n, low, high = pub.kpi(period, "city", metric)
        rows.append((title, value, n, interval(low, high)))
    return TableView(f"{_zh(period)}全市办理情况",
                     (Column("指标"), Column("数值", "rate"), Column("基数（件）", "count"),
                      Column("95% 区间", "text")),
                     tuple(rows), note="基数：三率为有效回访件数，按时办结率为办结件数。")


def district_table(pub: Published, period: str) -> TableView:
    """Every district's total, rates and composite score in the period, with the city."""
    def row(name: Any, code: str) -> tuple[Any, ...]:
        return (name, pub.kpi(period, code, "total")[0],
                *(pub.kpi(period, code, m)[0] for m, _ in RATES[:3]),
                pub.kpi(period, code, "composite_score")[0],
                pub.kpi(period, code, "ontime_rate")[0])

    return TableView(
        f"{_zh(period)}各区诉求量与办理情况",
        (Column("区"), Column("诉求总量", "count"), *(Column(t, "rate") for _, t in RATES[:3]),
         Column("综合成绩", "score"), Column("按时办结率", "rate")),
        tuple(row(pub.district(d.name, d.code), d.code) for d in pub.data.ref.districts),
        total=row("全市", "city"))


def months_table(pub: Published, period: str, months: Sequence[str]) -> TableView:
    """The months of a quarter or year: count, 环比, 同比 and the rates (monthly.csv)."""
    rows = []
    for m in months:
        r = pub.monthly.get(m, {})
        label = Link(month_zh(m), f"{m}.html")
        rows.append((label, r.get("count", NOT_APPLICABLE), r.get("count_mom", NOT_APPLICABLE),
                     r.get("count_yoy", NOT_APPLICABLE),
                     *(r.get(metric, NOT_APPLICABLE) for metric, _ in RATES)))
    return TableView(f"{_zh(period)}逐月情况（全市）",
                     (Column("月份", "link"), Column("诉求总量", "count"),
                      Column("环比", "rate"), Column("同比", "rate"),
                      *(Column(t, "rate") for _, t in RATES)), tuple(rows))


def warning_table(pub: Published, months: Sequence[str]) -> TableView | None:
    """Warnings of the months (warnings.csv rows), newest first."""
    rows = sorted(pub.warnings_in(months), key=lambda r: str(r["detected_on"]), reverse=True)
    if not rows:
        return None
    return warnings_view("预警", rows, pub)


def warnings_view(caption: str, rows: list[dict[str, Any]], pub: Published) -> TableView:
    return TableView(caption, (
        Column("发现日期"), Column("区"), Column("街乡"), Column("类别"),
        Column("当月件数", "count"), Column("基线（件）", "decimal")),
        tuple((str(r["detected_on"]), pub.district(str(r["district"]), _code(pub, r)),
               str(r["street"]), str(r["category"]), r["observed"], r["expected"])
              for r in rows), note=_rule_note(rows))


def _code(pub: Published, row: dict[str, Any]) -> str:
    return next((d.code for d in pub.data.ref.districts if d.name == row["district"]), "")


def _rule_note(rows: list[dict[str, Any]]) -> str:
    rules = sorted({str(r["rule"]) for r in rows})
    return "预警规则：" + "；".join(rules) if rules else ""


def hotspot_table(pub: Published, periods: Sequence[str], caption: str = "重点点位（按街乡）",
                  **match: Any) -> TableView | None:
    """重点点位 rows of the periods (hotspots.csv), by district and street."""
    rows = [r for p in periods for r in pub.rows("hotspots", period=p, **match)]
    if not rows:
        return None
    return TableView(caption, (
        Column("时期"), Column("区"), Column("街乡"), Column("重点点位数", "count"),
        Column("诉求件数", "count"), Column("诉求人数", "count"), Column("主要类别")),
        tuple((_zh(str(r["period"])), pub.district(str(r["district"]), _code(pub, r)),
               str(r["street"]), r["places"], r["requests"], r["distinct_complainants"],
               str(r["main_category"])) for r in rows))


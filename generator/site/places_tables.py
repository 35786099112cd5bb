"""Tables shared by the district and street pages, built from the engine's published rows.

Cells are copied from the engine's frames as they are (numbers or marks); a missing row
reads as not applicable, never as 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from generator.site.format import month_zh
from generator.site.places_context import PlaceLink
from generator.site.table_view import Column, Link, TableView
from generator.stats.marks import NOT_APPLICABLE

RATES = (("responded_rate", "响应率"), ("resolved_rate", "解决率"),
         ("satisfied_rate", "满意率"), ("ontime_rate", "按时办结率"))
"""The rates shown with n and interval, in page order."""
STATUS = {"ranked": "参加排名", "below_minimum": "诉求量低于最低件数，不排名",
          "hidden": "成绩已隐去或未记录，不排名", "no_measure": "无该项指标",
          "no_requests": "窗口内没有诉求"}
"""street_ranking.csv statuses in words (the data package's field description)."""
Cell = tuple[Any, Any, Any, Any]


class KpiIndex:
    """kpis rows by (period, scope level, scope code, metric): value, n, ci_low, ci_high."""

    def __init__(self, kpis: pd.DataFrame) -> None:
        cols = ["period", "scope_level", "scope_code", "metric", "value", "n", "ci_low",
                "ci_high"]
        self._cells: dict[tuple[str, str, str, str], Cell] = {
            (str(p), str(lv), str(c), str(m)): (v, n, lo, hi)
            for p, lv, c, m, v, n, lo, hi in kpis[cols].itertuples(index=False, name=None)}

    def cell(self, period: str, level: str, code: str, metric: str) -> Cell:
        """The published cell, or not applicable throughout when the engine has no row."""
        return self._cells.get((period, level, code, metric), (NOT_APPLICABLE,) * 4)

    def value(self, period: str, level: str, code: str, metric: str) -> Any:
        return self.cell(period, level, code, metric)[0]

    def has(self, period: str, level: str, code: str) -> bool:
        return (period, level, code, "total") in self._cells


def interval_tables(index: KpiIndex, level: str, code: str, period: str, what: str,
                    against: Sequence[tuple[str, str, str]] = ()
                    ) -> tuple[TableView, TableView]:
    """The rates (with n and 95 % interval) and the composite score (with its range), with
    the same figure of each (title, level, code) in `against` (e.g. the city) alongside."""
    head = (Column("指标"),)

    def others(metric: str) -> tuple[Any, ...]:
        return tuple(index.value(period, lv, c, metric) for _, lv, c in against)

    rates = tuple((title, *index.cell(period, level, code, metric), *others(metric))
                  for metric, title in RATES)
    return (
        TableView(caption=f"{what}各项比率、样本量 n 与 95% 区间",
                  columns=(*head, Column("比率", "rate"), Column("样本量 n", "count"),
                           Column("区间下限", "rate"), Column("区间上限", "rate"),
                           *(Column(t, "rate") for t, _, _ in against)),
                  rows=rates,
                  note="n 为计算该比率的件数（响应率、解决率、满意率为有效回访件数，"
                       "按时办结率为办结件数）；区间的计算方法见统计方法。"),
        TableView(caption=f"{what}综合成绩、样本量 n 与范围",
                  columns=(*head, Column("综合成绩", "score"), Column("样本量 n", "count"),
                           Column("范围下限", "score"), Column("范围上限", "score"),
                           *(Column(t, "score") for t, _, _ in against)),
                  rows=(("综合成绩", *index.cell(period, level, code, "composite_score"),
                         *others("composite_score")),)))


def ranking_tables(name: str, rows: Sequence[dict[str, Any]], min_requests: int, window: str
                   ) -> tuple[TableView | None, TableView | None, tuple[PlaceLink, ...]]:
    """A district's streets: ranked, listed apart (with the reason), and without requests."""
    ranked = [r for r in rows if r["status"] == "ranked"]
    apart = [r for r in rows if r["status"] not in ("ranked", "no_requests")]
    empty = tuple(PlaceLink(str(r["street"]), f"../streets/{r['street_code']}.html")
                  for r in rows if r["status"] == "no_requests")
    figures = (Column("诉求量", "count"), Column("综合成绩", "score"),
               Column("样本量 n", "count"), Column("范围下限", "score"),
               Column("范围上限", "score"))

    def street(r: dict[str, Any]) -> Link:
        return Link(str(r["street"]), f"../streets/{r['street_code']}.html")

    def numbers(r: dict[str, Any]) -> tuple[Any, ...]:
        return (r["count"], r["composite_score"], r["n"], r["ci_low"], r["ci_high"])

    ranked_view = TableView(
        caption=f"{name}街乡综合成绩排名（{window}）",
        columns=(Column("名次"), Column("街乡", "link"), *figures),
        rows=tuple((f"{int(r['rank'])}{'（并列）' if r['tied'] else ''}", street(r),
                    *numbers(r)) for r in ranked)) if ranked else None
    apart_view = TableView(
        caption=f"{name}不参加排名的街乡（{window}）",
        columns=(Column("街乡", "link"), Column("原因"), *figures),
        rows=tuple((street(r), STATUS.get(str(r["status"]), str(r["status"])), *numbers(r))
                   for r in apart),
        note=f"窗口内诉求量少于 {min_requests} 件的街乡不排名次，另行列出。") if apart else None
    return ranked_view, apart_view, empty


def hotspot_table(caption: str, rows: Sequence[dict[str, Any]], link_prefix: str | None
                  ) -> TableView | None:
    """重点点位 rows (hotspots.csv): period, street, places, requests, complainants, category."""
    if not rows:
        return None
    first = (Column("期间"), *((Column("街乡", "link"),) if link_prefix is not None else ()))
    return TableView(
        caption=caption,
        columns=(*first, Column("点位数", "count"), Column("诉求量", "count"),
                 Column("诉求人数", "count"), Column("主要类别")),
        rows=tuple((period_zh(r["period"]),
                    *((Link(str(r["street"]), f"{link_prefix}{r['street_code']}.html"),)
                      if link_prefix is not None else ()),
                    r["places"], r["requests"], r["distinct_complainants"],
                    str(r["main_category"])) for r in chronological(rows)))


def persistent_table(name: str, rows: Sequence[dict[str, Any]]) -> TableView | None:
    """The district's persistent hotspots (hotspots_persistent.csv)."""
    if not rows:
        return None
    return TableView(caption=f"{name}持续重点点位", columns=(
        Column("期间"), Column("点位数", "count"), Column("诉求量", "count")),
        rows=tuple((period_zh(r["period"]), r["places"], r["requests"])
                   for r in chronological(rows)))


def warning_table(caption: str, rows: Sequence[dict[str, Any]], link_prefix: str | None
                  ) -> TableView | None:
    """Early warnings (warnings.csv): month, street, category, observed, expected, rule."""
    if not rows:
        return None
    street = (Column("街乡", "link"),) if link_prefix is not None else ()
    return TableView(
        caption=caption,
        columns=(Column("月份"), *street, Column("类别"), Column("当月件数", "count"),
                 Column("基线", "decimal"), Column("规则")),
        rows=tuple((period_zh(r["period"]),
                    *((Link(str(r["street"]), f"{link_prefix}{r['street_code']}.html"),)
                      if link_prefix is not None else ()),
                    str(r["category"]), r["observed"], r["expected"], str(r["rule"]))
                   for r in rows))


def period_zh(period: Any) -> str:
    """'2026-09' → 2026年9月, '2026Q3' → 2026年第3季度, '2026' → 2026年."""
    text = str(period)
    if len(text) == 7 and text[4] == "-":
        return month_zh(text)
    if len(text) == 6 and text[4] == "Q":
        return f"{text[:4]}年第{text[5]}季度"
    return f"{text}年" if text.isdigit() else text


def chronological(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows in time order, a quarter after its last month (periods mix months and quarters)."""
    def key(r: dict[str, Any]) -> tuple[str, int, int]:
        text = str(r["period"])
        if len(text) == 6 and text[4] == "Q":
            return text[:4], int(text[5]) * 3, 1
        return text[:4], int(text[5:7]) if len(text) == 7 else 12, 0
    return sorted(rows, key=key)

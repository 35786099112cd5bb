"""The complaint history of a request's street, read from the published open data.

Only the CSV files the build writes under site/data/ are read, cell by cell: a cell withheld
by disclosure control stays withheld (shown with the site's mark), nothing is summed or
recomputed, so the brief can never show more than the public site does. Streets are
published by total per quarter and over the ranking window, their 重点点位 and warnings by
street; counts by category only per district (site.opendata), so the brief shows those.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from generator.briefing.doc import Block, Heading, Items, Para, Table
from generator.errors import DataError
from generator.reference import Reference
from generator.site.format import (
    CSV_HIDDEN,
    CSV_NOT_APPLICABLE,
    CSV_UNRECORDED,
    HIDDEN_MARK,
    NOT_APPLICABLE_MARK,
    UNRECORDED_MARK,
)
from generator.text import shown

NEEDED = ("kpis.csv", "counts_by_month.csv", "hotspots.csv", "warnings.csv")
MARKS = {CSV_HIDDEN: HIDDEN_MARK, CSV_NOT_APPLICABLE: NOT_APPLICABLE_MARK,
         CSV_UNRECORDED: UNRECORDED_MARK}
QUARTERS_SHOWN = 4


@dataclass(frozen=True)
class Published:
    """The open-data tables the brief reads, as rows of text cells."""

    folder: Path
    tables: dict[str, list[dict[str, str]]]


def load_published(folder: Path) -> Published:
    missing = [name for name in NEEDED if not (folder / name).is_file()]
    if missing:
        raise DataError(
            f"找不到已发布的统计数据：{shown(folder)} 中没有 {'、'.join(missing)}。请先运行 "
            "`ecoportal build` 生成网站，或用 --data 指定已发布网站的 data 文件夹。")
    tables = {}
    for name in NEEDED:
        with (folder / name).open(encoding="utf-8", newline="") as fh:
            tables[name.removesuffix(".csv")] = list(csv.DictReader(fh))
    return Published(folder, tables)


def cell(text: str) -> str:
    """A published cell as the site shows it: marks for the tokens, thousands separators."""
    if text in MARKS:
        return MARKS[text]
    try:
        number = float(text)
    except ValueError:
        return text
    return f"{int(number):,}" if number.is_integer() else f"{number:,.1f}"


def history_blocks(published: Published, reference: Reference, district: str, street: str,
                   categories: tuple[str, ...], months: int) -> list[Block]:
    """The brief's section on the street's complaints (from the published tables only)."""
    blocks: list[Block] = [Heading(2, "所在街乡的诉求情况（公开数据）")]
    code = next((s.code for s in reference.streets
                 if s.district == district and s.name == street), None)
    if code is None:
        blocks.append(Para(f"参考数据中没有{district}的“{street}”，无法查到该街乡的公开数据；"
                           "请按地址在网站的街乡页面上查找。"))
        return blocks
    counts = [r for r in published.tables["counts_by_month"] if r["district"] == district]
    recent = sorted({r["month"] for r in counts})[-months:]
    first = recent[0] if recent else "9999-99"  # no published month: nothing is recent
    since = f"{first} 以来" if recent else "公开数据中"
    blocks.append(Para(
        f"数据来自已发布网站的开放数据（{published.folder}），与网站公开的数字一致；"
        f"“{HIDDEN_MARK}”是网站为保护诉求人隐私隐去的数字，这里照样隐去，没有另行计算。"
        f"街乡页面：stats/streets/{code}.html。"))
    kpis = [r for r in published.tables["kpis"] if r["scope_level"] == "street"
            and r["scope_code"] == code and r["metric"] == "total"]
    quarters = sorted((r for r in kpis if "Q" in r["period"]), key=lambda r: r["period"])
    window = [r for r in kpis if "/" in r["period"]]
    rows = [(f"{r['period'][:4]}年第{r['period'][-1]}季度", cell(r["value"]))
            for r in quarters[-QUARTERS_SHOWN:]]
    rows += [(f"排名窗口 {r['period'].replace('/', ' 至 ')}", cell(r["value"])) for r in window]
    blocks.append(Table(("统计期", "诉求总量（件）"), tuple(rows) or (("—", "没有公开数据"),),
                        caption=f"{district}{street}的诉求总量"))
    by_month = {(r["month"], r["category"]): r["count"] for r in counts}
    blocks.append(Table(
        ("受理月份", *categories),
        tuple((m, *(cell(by_month.get((m, c), CSV_HIDDEN)) for c in categories))
              for m in recent) or (("—", *("没有公开数据" for _ in categories)),),
        caption=f"{district}最近 {len(recent)} 个月的相关诉求（件）",
        note="街乡的分类件数网站不单独公布（多数街乡的件数过少，会暴露诉求人），"
             "这里列出所在区的数字。"))
    hotspots = [r for r in published.tables["hotspots"]
                if r["street_code"] == code and r["period"][:7] >= first[:7]]
    blocks.append(Heading(3, "重点点位"))
    if hotspots:
        blocks.append(Table(("统计期", "重点点位数", "诉求件数", "主要类别"), tuple(
            (r["period"], cell(r["places"]), cell(r["requests"]), r["main_category"])
            for r in sorted(hotspots, key=lambda r: r["period"])),
            note="网站从不公布点位本身；同一点位在时间窗内被投诉两次及以上计为重点点位。"))
    else:
        blocks.append(Para(f"{since}该街乡没有公布重点点位（没有，或诉求人过少未公布）。"))
    warnings = [r for r in published.tables["warnings"]
                if r["street_code"] == code and r["period"] >= first]
    blocks.append(Heading(3, "预警"))
    if warnings:
        latest = max(recent) if recent else ""
        blocks.append(Items(tuple(
            f"{r['period']} {r['category']}：当月 {cell(r['observed'])} 件，期望 "
            f"{cell(r['expected'])} 件" + ("（最近一月，当前预警）" * (r["period"] == latest))
            for r in sorted(warnings, key=lambda r: r["period"], reverse=True))))
    else:
        blocks.append(Para(f"{since}该街乡没有公布预警。"))
    return blocks

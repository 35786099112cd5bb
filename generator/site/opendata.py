"""Open data: every table the site shows, as CSV under site/data/ with a datapackage.json.

Unpublished cells are written as one of three tokens (generator.site.format), declared in
every resource's `missingValues` and explained in the descriptions: CSV_HIDDEN for a cell
withheld by disclosure control (one token whatever the reason, so hidden cells cannot be told
apart), CSV_NOT_APPLICABLE for a figure that does not exist and CSV_UNRECORDED for a figure
the export does not record. An empty cell never occurs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from generator.settings import Settings, SiteSettings
from generator.site.format import CSV_HIDDEN as CSV_HIDDEN  # re-exported for pages
from generator.site.format import CSV_NOT_APPLICABLE as CSV_NOT_APPLICABLE
from generator.site.format import CSV_UNRECORDED as CSV_UNRECORDED
from generator.site.format import MISSING_VALUES, csv_cell, csv_marks_note, day_zh
from generator.stats.aggregate import Aggregates

S, INT, N = "string", "integer", "number"
Field = tuple[str, str, str, str]
RATE_FIELDS: list[Field] = [
    ("responded_rate", N, "响应率", "已联系 / 有效回访，取值 0–1"),
    ("resolved_rate", N, "解决率", "已解决 / 有效回访，取值 0–1"),
    ("satisfied_rate", N, "满意率", "(满意 + 权重 × 基本满意) / 有效回访，取值 0–1"),
    ("composite_score", N, "综合成绩", "按 data/metrics.yml 权重加权的三率 × 100"),
    ("ontime_rate", N, "按时办结率", "在时限内办结 / 已办结，取值 0–1"),
]

CI_METHODS = ("响应率、解决率和按时办结率用 Wilson 区间（z = 1.96）；满意率为近似区间：把加权比例"
              "（满意 + 权重 × 基本满意）/ 有效回访当作普通比例套用 Wilson 公式；综合成绩为保守"
              "范围：三率区间下限（上限）按权重加权求和 × 100；总量和分母为 0 的比率为 "
              + CSV_NOT_APPLICABLE)
"""How the kpis intervals are computed (stats.metrics), named in the CSV descriptions."""


def marks_note(k: int, agg: Aggregates) -> str:
    """How the tokens read (generator.site.format); part of every description that may hold
    them, with the disclosure unit and, when some figure is unrecorded, that token too."""
    return csv_marks_note(k, agg.disclosure_unit, bool(agg.unrecorded_metrics))


def _resources(k: int, agg: Aggregates, population_source: str
               ) -> dict[str, tuple[str, str, list[Field]]]:
    note = marks_note(k, agg)
    elements = "、".join(str(e) for e in agg.by_element["element"])
    latest = f"最近一月（{agg.latest_month}）件数"
    if agg.latest_cutoff:
        latest += f"；该月数据只到 {agg.latest_cutoff}（{day_zh(agg.latest_cutoff)}），不完整"
    previous = (f"前一月（{agg.previous_month or '无'}）件数；"
                f"数据只有一个月时为 {CSV_NOT_APPLICABLE}")
    months = (f"受理月份 YYYY-MM，从 {agg.months[0]} 到 {agg.latest_month} 逐月列出"
              "（没有诉求的月份为 0）")
    if agg.latest_cutoff:
        months += f"；{agg.latest_month} 的数据只到 {agg.latest_cutoff}，该月不完整"
    return {
        "kpis": ("核心指标",
                 "全市和各区、各月及全期的诉求总量、三率、综合成绩和按时办结率（长表）。"
                 + note + "。", [
            ("period", S, "统计期", "all 表示全部数据期，其余为" + months),
            ("scope", S, "范围", "全市或区名（参考数据中的每个区都列出）"),
            ("metric", S, "指标", "total、responded_rate、resolved_rate、satisfied_rate、"
                                "composite_score、ontime_rate"),
            ("value", N, "数值", "总量为件数，比率为 0–1 的小数；" + note),
            ("numerator", N, "分子", "比率的分子（满意率分子含基本满意权重）；" + note),
            ("denominator", N, "分母", "比率的分母（有效回访件数或已办结件数）；" + note),
            ("n", INT, "分母件数", "比率背后的件数：三率和综合成绩为有效回访件数，按时办结率为"
                                 "已办结件数；总量为 " + CSV_NOT_APPLICABLE + "；" + note),
            ("ci_low", N, "95% 置信区间下限", CI_METHODS + "；" + note),
            ("ci_high", N, "95% 置信区间上限", CI_METHODS + "；" + note),
        ]),
        "counts_by_month": ("按月分类统计",
                            "受理月份 × 区 × 要素 × 类别的诉求件数，每个组合都列出。"
                            + note + "。", [
            ("month", S, "受理月份", months),
            ("district", S, "区", "被反映区"),
            ("element", S, "要素", elements),
            ("category", S, "类别", "诉求类别"),
            ("count", INT, "件数", note),
        ]),
        "monthly": ("全市逐月指标", "全市每个受理月份的诉求总量和各项比率。" + note + "。", [
            ("month", S, "受理月份", months),
            ("count", INT, "诉求总量", "件；" + note),
            *[(n, t, ti, d + "；" + note) for n, t, ti, d in RATE_FIELDS],
        ]),
        "by_element": ("按要素统计", "全期各要素件数、占比及最近两个月件数。" + note + "。", [
            ("element", S, "要素", ""),
            ("count", INT, "件数", "全部数据期；" + note),
            ("share", N, "占比", "占全部诉求的比例，取值 0–1；" + note),
            ("latest_month", INT, "最近一月件数", latest + "；" + note),
            ("previous_month", INT, "前一月件数", previous + "；" + note),
        ]),
        "by_category": ("按类别统计", "全期各诉求类别件数、占比及最近两个月件数。" + note + "。", [
            ("element", S, "要素", ""),
            ("category", S, "类别", ""),
            ("count", INT, "件数", "全部数据期；" + note),
            ("share", N, "占比", "占全部诉求的比例，取值 0–1；" + note),
            ("latest_month", INT, "最近一月件数", latest + "；" + note),
            ("previous_month", INT, "前一月件数", previous + "；" + note),
        ]),
        "by_district": ("各区统计", "各区全期诉求总量、每万常住人口诉求数、三率和最近一月件数。"
                        + note + "。", [
            ("district", S, "区", ""),
            ("district_code", S, "区代码", "统计用区划代码"),
            ("population_k", INT, "常住人口（千人）", population_source),
            ("count", INT, "诉求总量", "全部数据期；" + note),
            ("per_10k", N, "每万人诉求数", "诉求总量 / 常住人口（万人）；" + note),
            *[(n, t, ti, d + "；" + note) for n, t, ti, d in RATE_FIELDS],
            ("latest_month", INT, "最近一月件数", latest + "；" + note),
        ]),
    }


def tables(agg: Aggregates) -> dict[str, pd.DataFrame]:
    return {
        "kpis": agg.kpis,
        "counts_by_month": agg.counts_by_month,
        "monthly": agg.monthly,
        "by_element": agg.by_element,
        "by_category": agg.by_category,
        "by_district": agg.by_district,
    }


PACKAGE_NAME = "eco-complaints-statistics"
"""The open-data package's name, after the deployment's slug."""


def package_name(site: SiteSettings) -> str:
    """The open-data package's name: `<slug>-eco-complaints-statistics` (settings site.slug)."""
    return f"{site.slug}-{PACKAGE_NAME}" if site.slug else PACKAGE_NAME


def write_open_data(agg: Aggregates, folder: Path, k: int, settings: Settings) -> int:
    """Write the CSVs and datapackage.json; returns the number of files written."""
    folder.mkdir(parents=True, exist_ok=True)
    resources: list[dict[str, Any]] = []
    population = settings.reference.population_source
    for name, (title, description, fields) in _resources(k, agg, population).items():
        frame = tables(agg)[name]
        columns = [f[0] for f in fields]
        text = frame[columns].map(csv_cell)
        text.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")
        resources.append({
            "name": name.replace("_", "-"),
            "path": f"{name}.csv",
            "title": title,
            "description": description,
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "profile": "tabular-data-resource",
            "schema": {
                "fields": [{"name": n, "type": t, "title": ti, "description": d}
                           for n, t, ti, d in fields],
                "missingValues": list(MISSING_VALUES),
            },
        })
    incomplete = (f"最近一月 {agg.latest_month} 的数据只到 {agg.latest_cutoff}，该月不完整。"
                  if agg.latest_cutoff else "")
    package = {
        "name": package_name(settings.site),
        "title": f"{settings.site.city}生态环境接诉即办统计数据",
        "description": (
            f"由匿名化工单汇总的统计表（{agg.months[0]} 至 {agg.latest_month}）；"
            f"不含任何个人信息。单元格取值：{marks_note(k, agg)}。" + incomplete),
        "licenses": [{"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
                      "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "resources": resources,
    }
    (folder / "datapackage.json").write_text(
        json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return len(resources) + 1

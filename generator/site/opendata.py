"""Open data: every table the site shows, as CSV under site/data/ with a datapackage.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from generator.stats.aggregate import Aggregates

S, INT, N = "string", "integer", "number"
RATE_FIELDS = [
    ("responded_rate", N, "响应率", "已联系 / 有效回访，取值 0–1"),
    ("resolved_rate", N, "解决率", "已解决 / 有效回访，取值 0–1"),
    ("satisfied_rate", N, "满意率", "(满意 + 权重 × 基本满意) / 有效回访，取值 0–1"),
    ("composite_score", N, "综合成绩", "按 data/metrics.yml 权重加权的三率 × 100"),
    ("ontime_rate", N, "按时办结率", "在时限内办结 / 已办结，取值 0–1"),
]
SUPPRESSION_NOTE = "空值表示不足 5 名不同诉求人而不予公布（或为保护其他单元格而一并隐藏）"

RESOURCES: dict[str, tuple[str, str, list[tuple[str, str, str, str]]]] = {
    "kpis": ("核心指标", "全市和各区、各月及全期的诉求总量、三率、综合成绩和按时办结率（长表）。", [
        ("period", S, "统计期", "all 表示全部数据期，YYYY-MM 表示受理月份"),
        ("scope", S, "范围", "全市或区名"),
        ("metric", S, "指标", "total、responded_rate、resolved_rate、satisfied_rate、"
                            "composite_score、ontime_rate"),
        ("value", N, "数值", "总量为件数，比率为 0–1 的小数；" + SUPPRESSION_NOTE),
        ("numerator", N, "分子", "比率的分子（满意率分子含基本满意权重）"),
        ("denominator", N, "分母", "比率的分母（有效回访件数或已办结件数）"),
    ]),
    "counts_by_month": ("按月分类统计", "受理月份 × 区 × 要素 × 类别的诉求件数。", [
        ("month", S, "受理月份", "YYYY-MM"),
        ("district", S, "区", "被反映区"),
        ("element", S, "要素", "大气、噪声、水、固废、辐射及其他"),
        ("category", S, "类别", "诉求类别"),
        ("count", INT, "件数", SUPPRESSION_NOTE),
    ]),
    "monthly": ("全市逐月指标", "全市每个受理月份的诉求总量和各项比率。", [
        ("month", S, "受理月份", "YYYY-MM"),
        ("count", INT, "诉求总量", "件"),
        *RATE_FIELDS,
    ]),
    "by_element": ("按要素统计", "全期各要素件数、占比及最近两个月件数。", [
        ("element", S, "要素", ""),
        ("count", INT, "件数", "全部数据期"),
        ("share", N, "占比", "占全部诉求的比例，取值 0–1"),
        ("latest_month", INT, "最近一月件数", SUPPRESSION_NOTE),
        ("previous_month", INT, "前一月件数", SUPPRESSION_NOTE),
    ]),
    "by_category": ("按类别统计", "全期各诉求类别件数、占比及最近两个月件数。", [
        ("element", S, "要素", ""),
        ("category", S, "类别", ""),
        ("count", INT, "件数", "全部数据期；" + SUPPRESSION_NOTE),
        ("share", N, "占比", "占全部诉求的比例，取值 0–1"),
        ("latest_month", INT, "最近一月件数", SUPPRESSION_NOTE),
        ("previous_month", INT, "前一月件数", SUPPRESSION_NOTE),
    ]),
    "by_district": ("各区统计", "各区全期诉求总量、每万常住人口诉求数、三率和最近一月件数。", [
        ("district", S, "区", ""),
        ("district_code", S, "区代码", "统计用区划代码"),
        ("population_k", INT, "常住人口（千人）", "2020 年第七次全国人口普查，约数"),
        ("count", INT, "诉求总量", "全部数据期"),
        ("per_10k", N, "每万人诉求数", "诉求总量 / 常住人口（万人）"),
        *RATE_FIELDS,
        ("latest_month", INT, "最近一月件数", SUPPRESSION_NOTE),
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


def write_open_data(agg: Aggregates, folder: Path) -> int:
    """Write the CSVs and datapackage.json; returns the number of files written."""
    folder.mkdir(parents=True, exist_ok=True)
    resources: list[dict[str, Any]] = []
    for name, frame in tables(agg).items():
        title, description, fields = RESOURCES[name]
        columns = [f[0] for f in fields]
        frame[columns].to_csv(folder / f"{name}.csv", index=False, float_format="%.10g",
                              lineterminator="\n")
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
                "missingValues": [""],
            },
        })
    package = {
        "name": "beijing-eco-complaints-statistics",
        "title": "北京市生态环境接诉即办统计数据",
        "description": (
            "由匿名化工单汇总的统计表；不含任何个人信息，少于 5 名诉求人的单元格不予公布。"),
        "licenses": [{"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
                      "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "resources": resources,
    }
    (folder / "datapackage.json").write_text(
        json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return len(resources) + 1

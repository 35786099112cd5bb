"""Open data: every table the site shows, as CSV under site/data/ with a datapackage.json.

Unpublished cells are written as one of three tokens (generator.site.format), declared in
every resource's `missingValues` and explained in the descriptions: CSV_HIDDEN for a cell
withheld by disclosure control (one token whatever the reason, so hidden cells cannot be told
apart), CSV_NOT_APPLICABLE for a figure that does not exist and CSV_UNRECORDED for a figure
the export does not record. An empty cell never occurs.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from generator.settings import Settings, SiteSettings
from generator.site.format import CSV_HIDDEN as CSV_HIDDEN  # re-exported for pages
from generator.site.format import CSV_NOT_APPLICABLE as CSV_NOT_APPLICABLE
from generator.site.format import CSV_UNRECORDED as CSV_UNRECORDED
from generator.site.format import MISSING_VALUES as MISSING_VALUES
from generator.site.format import csv_cell as csv_cell
from generator.site.format import csv_marks_note, day_zh, month_zh
from generator.stats.aggregate import Aggregates
from generator.stats.metrics import METRICS
from generator.stats.tables import DIMENSIONS, MEASURE_OF, TABLES, TableSpec

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
    # Column names are a contract; their titles name the months they hold.
    latest_title = (f"{month_zh(agg.latest_month)}件数"
                    + ("（不完整）" if agg.latest_cutoff else ""))
    previous_title = (f"{month_zh(agg.previous_month)}件数" if agg.previous_month
                      else "前一月件数（无）")
    months = (f"受理月份 YYYY-MM，从 {agg.months[0]} 到 {agg.latest_month} 逐月列出"
              "（没有诉求的月份为 0）")
    if agg.latest_cutoff:
        months += f"；{agg.latest_month} 的数据只到 {agg.latest_cutoff}，该月不完整"
    return {
        "kpis": ("核心指标",
                 "全市和各区、各月及全期的诉求总量、三率、综合成绩和按时办结率（长表）。"
                 + note + "。", [
            ("period", S, "统计期", PERIODS + "；全市和各区按月、季、年和全期，街乡按季和全期"),
            ("scope", S, "范围", "全市、区名或街乡名（参考数据中的每个区和街乡都列出）"),
            ("metric", S, "指标", "、".join(METRICS) + "（citizen_total 市民诉求件数，"
                                "proactive_total 主动治理件数，escalation_rate 升级率）"),
            ("value", N, "数值", "总量为件数，比率为 0–1 的小数；" + note),
            ("numerator", N, "分子", "比率的分子（满意率分子含基本满意权重）；" + note),
            ("denominator", N, "分母", "比率的分母（有效回访件数或已办结件数）；" + note),
            ("n", INT, "分母件数", "比率背后的件数：三率和综合成绩为有效回访件数，按时办结率为"
                                 "已办结件数；总量为 " + CSV_NOT_APPLICABLE + "；" + note),
            ("ci_low", N, "95% 置信区间下限", CI_METHODS + "；" + note),
            ("ci_high", N, "95% 置信区间上限", CI_METHODS + "；" + note),
            ("scope_level", S, "范围层级", "city（全市）、district（区）或 street（街道乡镇）"),
            ("scope_code", S, "范围代码", "全市为 city，区和街乡为统计用区划代码"
                                       "（街乡名称在不同区会重复，请用代码区分）"),
            ("district", S, "所属区", "区和街乡所属的区；全市为“全市”"),
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
            ("count_mom", N, "环比", "（本月 − 上一个日历月）/ 上一个日历月；上月没有诉求、"
                                  "不在数据期内或本月数据不完整时为 " + CSV_NOT_APPLICABLE
                                  + "；" + note),
            ("count_yoy", N, "同比", "（本月 − 上年同月）/ 上年同月；上年同月不在数据期内、没有诉求"
                                  "或本月数据不完整时为 " + CSV_NOT_APPLICABLE + "；" + note),
        ]),
        "by_element": ("按要素统计", "全期各要素件数、占比及最近两个月件数。" + note + "。", [
            ("element", S, "要素", ""),
            ("count", INT, "件数", "全部数据期；" + note),
            ("share", N, "占比", "占全部诉求的比例，取值 0–1；" + note),
            ("latest_month", INT, latest_title, latest + "；" + note),
            ("previous_month", INT, previous_title, previous + "；" + note),
        ]),
        "by_category": ("按类别统计", "全期各诉求类别件数、占比及最近两个月件数。" + note + "。", [
            ("element", S, "要素", ""),
            ("category", S, "类别", ""),
            ("count", INT, "件数", "全部数据期；" + note),
            ("share", N, "占比", "占全部诉求的比例，取值 0–1；" + note),
            ("latest_month", INT, latest_title, latest + "；" + note),
            ("previous_month", INT, previous_title, previous + "；" + note),
        ]),
        "by_district": ("各区统计", "各区全期诉求总量、每万常住人口诉求数、三率和最近一月件数。"
                        + note + "。", [
            ("district", S, "区", ""),
            ("district_code", S, "区代码", "统计用区划代码"),
            ("population_k", INT, "常住人口（千人）", population_source),
            ("count", INT, "诉求总量", "全部数据期；" + note),
            ("per_10k", N, "每万人诉求数", "诉求总量 / 常住人口（万人）；" + note),
            *[(n, t, ti, d + "；" + note) for n, t, ti, d in RATE_FIELDS],
            ("latest_month", INT, latest_title, latest + "；" + note),
        ]),
    }


PERIODS = ("all 为全部数据期；YYYY 为年，YYYYQn 为季度（Q1 为 1–3 月），YYYY-MM 为受理月份；"
           "逐周表为周段第一天 YYYY-MM-DD（周一至周日，在月界处截断）")
REGION_FIELDS: dict[str, Field] = {
    "scope_level": ("scope_level", S, "范围层级", "city（全市）、district（区）或 street（街乡）"),
    "scope": ("scope", S, "范围", "全市、区名或街乡名"),
    "scope_code": ("scope_code", S, "范围代码", "全市为 city，区和街乡为统计用区划代码"),
    "district": ("district", S, "区", "被反映区"),
    "district_code": ("district_code", S, "区代码", "统计用区划代码"),
    "street": ("street", S, "街道乡镇", "名称在不同区会重复，请用代码区分"),
    "street_code": ("street_code", S, "街乡代码", "统计用区划代码"),
}


def _breakdown(spec: TableSpec, frame: pd.DataFrame, note: str
               ) -> tuple[str, str, list[Field]]:
    """A declared breakdown's resource: its fields follow from the declaration."""
    levels = "；".join(
        f"{LEVEL_NAMES[cut.region]}按" + "、".join(PERIOD_NAMES[p] for p in cut.periods)
        for cut in spec.cuts)
    fields: list[Field] = [("period", S, "统计期", PERIODS)]
    for column in frame.columns:
        if column in REGION_FIELDS:
            fields.append(REGION_FIELDS[column])
        elif column in DIMENSIONS:
            dim = DIMENSIONS[column]
            kind = INT if column in ("weekday", "hour") else S
            fields.append((column, kind, dim.title, dim.description))
    unit = "已办结件数" if MEASURE_OF.get(spec.name) == "closed" else "件数"
    fields.append(("count", INT, unit, note))
    if spec.share:
        fields.append(("share", N, "占比", "占同一统计期、同一范围合计的比例，取值 0–1；" + note))
    return spec.title, f"{spec.description}。发布层级：{levels}。{note}。", fields


def _analyses(note: str, agg: Aggregates) -> dict[str, tuple[str, str, list[Field]]]:
    """The analyses' resources (stats.findings): 重点点位, warnings, repeat rate, handling
    times, rankings, 每月一题."""
    street = [REGION_FIELDS["district"], REGION_FIELDS["street"], REGION_FIELDS["street_code"]]
    window = agg.calendar.window_label if agg.calendar else None
    rank_fields: list[Field] = [
        ("window", S, "排名窗口", f"最近 12 个完整自然月，写作 首月/末月（本期 {window}）"),
        ("rank", INT, "名次", "竞争排名（1、2、2、4）；不参加排名的单位为 " + CSV_NOT_APPLICABLE),
        ("tied", "boolean", "不分先后", "true 表示与其他单位按显示精度并列"),
        ("status", S, "排名状态", "ranked 参加排名；below_minimum 诉求量低于最低件数；hidden 成绩"
                               "已隐去或未记录；no_measure 无该项指标；no_requests 窗口内没有诉求"),
    ]
    score: list[Field] = [
        ("n", INT, "有效回访件数", "综合成绩背后的有效回访件数；" + note),
        ("ci_low", N, "95% 区间下限", CI_METHODS + "；" + note),
        ("ci_high", N, "95% 区间上限", CI_METHODS + "；" + note),
    ]
    hours = "小时，保留一位小数；" + note
    return {
        "hotspots": ("重点点位", "各街乡各月、各季度的重点点位数和诉求数：同一点位在时间窗内"
                     "至少被投诉两次（data/metrics.yml 的 hotspots）。只列出有重点点位、且诉求来自"
                     "至少 k 位诉求人、街乡当季总量公开的街乡；从不公布点位本身", [
            ("period", S, "统计期", "YYYY-MM 为月，YYYYQn 为季度；点位归入其达标诉求所在的周期"),
            *street,
            ("places", INT, "重点点位数", "处"),
            ("requests", INT, "诉求件数", "这些点位在本期计入的市民诉求件数"),
            ("distinct_complainants", INT, "诉求人数", "不同诉求人的人数（至少 k）"),
            ("main_category", S, "主要类别", "件数最多的诉求类别"),
        ]),
        "hotspots_persistent": ("单一诉求人反复反映的点位", "同一周期内诉求全部来自同一位诉求人"
                                "的点位，只按区统计；一个区至少有 k 处这样的点位才公布", [
            ("period", S, "统计期", "YYYY-MM 为月，YYYYQn 为季度"),
            REGION_FIELDS["district"],
            ("places", INT, "点位数", "处"),
            ("requests", INT, "诉求件数", "件"),
        ]),
        "warnings": ("预警", "街乡 × 类别当月件数相对自身基线显著上升的预警（全部历史）。只在"
                     "观测值来自至少 k 位诉求人、且街乡当季总量公开时发布", [
            ("detected_on", S, "发现日期", "被检验月份的最后一天；数据未到月底时为数据截止日"),
            *street,
            ("category", S, "类别", "诉求类别（按要素预警时为要素）"),
            ("observed", INT, "观测件数", "当月市民诉求件数"),
            ("expected", N, "期望件数", "按基线和季节调整的期望值，保留一位小数"),
            ("rule", S, "规则", "判定规则（data/metrics.yml 的 warnings）"),
            ("period", S, "被检验月份", "YYYY-MM"),
        ]),
        "repeat_rate": ("重复诉求率", "已办结、有点位的市民诉求中，办结后时间窗内同一点位又收到"
                        "诉求的比例（“办结不等于解决”），按办结月份和全期，分全市和各区。" + note, [
            ("period", S, "统计期", "办结月份 YYYY-MM，all 为全期"),
            ("scope", S, "范围", "全市或区名"),
            ("repeated", INT, "重复件数", "分子；" + note),
            ("closed", INT, "已办结件数", "分母：不含数据截止前时间窗内办结的诉求；" + note),
            ("value", N, "重复诉求率", "取值 0–1；" + note),
            ("ci_low", N, "95% 区间下限", "Wilson 区间；" + note),
            ("ci_high", N, "95% 区间上限", "Wilson 区间；" + note),
        ]),
        "handling_times": ("办理时长", "按紧急程度的响应时长、办结时长（中位数和第 90 百分位数，"
                           "最近秩法）和按时办结率：全市按全期和季度，各区按全期。" + note, [
            ("period", S, "统计期", "all 为全期，YYYYQn 为季度"),
            ("scope", S, "范围", "全市或区名"),
            ("urgency", S, "紧急程度", DIMENSIONS["urgency"].description),
            ("closed", INT, "已办结件数", note),
            ("response_median_h", N, "响应时长中位数", "联系时间 − 受理时间，" + hours),
            ("response_p90_h", N, "响应时长 P90", "最近秩法第 90 百分位数，" + hours),
            ("closing_median_h", N, "办结时长中位数", "办结时间 − 受理时间，" + hours),
            ("closing_p90_h", N, "办结时长 P90", "最近秩法第 90 百分位数，" + hours),
            ("ontime_rate", N, "按时办结率", "取值 0–1；" + note),
            ("deadline_h", N, "办理时限", "小时（data/metrics.yml 的 deadlines_hours）"),
        ]),
        "district_ranking": ("各区排名", "各区按综合成绩、按每万常住人口诉求数的排名。" + note, [
            ("ranking", S, "排名依据", "composite_score 综合成绩；per_10k 每万常住人口诉求数"),
            *rank_fields[:1], *rank_fields[1:],
            REGION_FIELDS["district"], REGION_FIELDS["district_code"],
            ("count", INT, "诉求量", "排名窗口内件数；" + note),
            ("value", N, "成绩或每万人诉求数", note),
            *score,
        ]),
        "street_ranking": ("街乡排名", "各街乡按最近 12 个月综合成绩的排名；诉求量低于最低件数的"
                           "街乡另行列出，不排名次。" + note, [
            *rank_fields, *street,
            ("count", INT, "诉求量", "排名窗口内件数；" + note),
            ("composite_score", N, "综合成绩", note),
            *score,
        ]),
        "monthly_topic": ("每月一题", "每月确定的重点类别（data/metrics.yml 的 topics）当月全市"
                          "件数，以及该月转为正式数据后的各区件数；三率见 monthly_topic_rates，"
                          "街乡分布见 monthly_topic_streets，走势见 monthly_categories 中该类别的"
                          "行，重点点位见 hotspots 中主要类别为该类别的行。" + note, [
            ("month", S, "月份", "YYYY-MM"),
            ("topic", S, "每月一题", "当月重点类别"),
            ("guide", S, "办事指南", "介绍该类别法规和办理方式的指南页面（站内路径）"),
            ("district", S, "范围", "全市或区名"),
            ("count", INT, "件数", note),
        ]),
        "monthly_topic_rates": ("每月一题的三率", "每月一题类别当月诉求的响应率、解决率和满意率"
                                "（定义同 kpis），全市以及该月转为正式数据后的各区，附 n 和 95% "
                                "区间；n 背后的诉求人少于 k 位时隐去。由比率推算的件数（如 n − "
                                "已联系件数）不另行保护。" + note, [
            ("month", S, "月份", "YYYY-MM"),
            ("topic", S, "每月一题", "当月重点类别"),
            ("district", S, "范围", "全市或区名"),
            ("metric", S, "指标", "responded_rate 响应率；resolved_rate 解决率；satisfied_rate "
                                "满意率"),
            ("value", N, "比率", "取值 0–1；没有有效回访时为 " + CSV_NOT_APPLICABLE + "；" + note),
            ("n", INT, "有效回访件数", "比率的分母：该类别当月已办结、回访有效的市民诉求；" + note),
            ("ci_low", N, "95% 区间下限", CI_METHODS + "；" + note),
            ("ci_high", N, "95% 区间上限", CI_METHODS + "；" + note),
        ]),
        "monthly_topic_streets": ("每月一题的街乡分布", "每月一题类别在正式数据月份各街乡的件数。"
                                  "只列出件数来自至少 k 位诉求人、街乡当季总量公开且所在区该月"
                                  "该类别件数公开的街乡；未列出的街乡件数不公开（不等于 0）", [
            ("month", S, "月份", "YYYY-MM（只含正式数据月份）"),
            ("topic", S, "每月一题", "当月重点类别"),
            REGION_FIELDS["district"], REGION_FIELDS["street"], REGION_FIELDS["street_code"],
            ("count", INT, "件数", "该街乡当月该类别的件数（全部诉求和主动治理任务）"),
        ]),
    }


LEVEL_NAMES = {"city": "全市", "district": "各区", "street": "各街乡"}
PERIOD_NAMES = {"all": "全期", "year": "年", "quarter": "季", "month": "月", "week": "周"}


def tables(agg: Aggregates) -> dict[str, pd.DataFrame]:
    return {
        "kpis": agg.kpis,
        "counts_by_month": agg.counts_by_month,
        "monthly": agg.monthly,
        "by_element": agg.by_element,
        "by_category": agg.by_category,
        "by_district": agg.by_district,
        **agg.breakdowns,
        **agg.analyses,
    }


PACKAGE_NAME = "eco-complaints-statistics"
"""The open-data package's name, after the deployment's slug."""


def package_name(site: SiteSettings) -> str:
    """The open-data package's name: `<slug>-eco-complaints-statistics` (settings site.slug)."""
    return f"{site.slug}-{PACKAGE_NAME}" if site.slug else PACKAGE_NAME


def resources(agg: Aggregates, k: int, settings: Settings
              ) -> dict[str, tuple[str, str, list[Field]]]:
    """Every open-data table's title, description and fields, in publishing order."""
    published = tables(agg)
    entries = _resources(k, agg, settings.reference.population_source)
    for spec in TABLES:
        entries[spec.name] = _breakdown(spec, published[spec.name], marks_note(k, agg))
    entries.update({name: entry for name, entry in _analyses(marks_note(k, agg), agg).items()
                    if name in published})
    return {name: _noted(entry, marks_note(k, agg)) for name, entry in entries.items()}


NUMERIC_KEYS = frozenset({"weekday", "hour", "population_k", "deadline_h"})
"""Numeric columns that never hold a mark (keys and configuration), so need no note."""


def _noted(entry: tuple[str, str, list[Field]], note: str) -> tuple[str, str, list[Field]]:
    """Every description says how the tokens read: the resource's and each figure's."""
    title, description, fields = entry
    if note not in description:
        description = description.rstrip("。") + "。" + note + "。"
    noted = [(n, t, ti, d if t == S or n in NUMERIC_KEYS or note in d
              else (d + "；" if d else "") + note) for n, t, ti, d in fields]
    return title, description, noted


def published_frames(agg: Aggregates, k: int, settings: Settings) -> dict[str, pd.DataFrame]:
    """Exactly what each CSV holds (its declared columns, in order), by table name."""
    published = tables(agg)
    return {name: published[name][[f[0] for f in fields]].reset_index(drop=True)
            for name, (_, _, fields) in resources(agg, k, settings).items()}


MEASURES = frozenset({
    "value", "numerator", "denominator", "n", "ci_low", "ci_high", "count", "share",
    "latest_month", "previous_month", "population_k", "per_10k", "responded_rate",
    "resolved_rate", "satisfied_rate", "composite_score", "ontime_rate", "places", "requests",
    "distinct_complainants", "main_category", "observed", "expected", "rule", "repeated",
    "closed", "response_median_h", "response_p90_h", "closing_median_h", "closing_p90_h",
    "deadline_h", "rank", "tied", "status", "detected_on"})
"""Columns that are figures (or describe one), not part of a row's key."""


def record_keys(frames: dict[str, pd.DataFrame]) -> dict[str, list[str]]:
    """Each table's key columns, for the release record (stats.history)."""
    return {name: [c for c in frame.columns if c not in MEASURES]
            for name, frame in frames.items()}


def write_open_data(agg: Aggregates, folder: Path, k: int, settings: Settings) -> int:
    """Write every table's CSV and workbook and datapackage.json into `folder`; returns the
    number of files written (generator.site.opendata_files builds them)."""
    from generator.site.opendata_files import open_data_files  # it builds on this module

    return open_data_files(agg, k, settings).write(folder)

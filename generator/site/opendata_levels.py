"""Where each open-data table is published and how much of it is hidden.

The methodology page lists every table with its level and period (`overview`), and the data
package states each file's hidden share (`hidden_share`). Declared tables (generator/stats/
tables.py) say where they are published through their cuts; the others are listed in
FIXED_LEVELS.
"""

from __future__ import annotations

import pandas as pd

from generator.settings import Settings
from generator.site.opendata import LEVEL_NAMES, PERIOD_NAMES, resources, tables
from generator.stats.aggregate import Aggregates
from generator.stats.marks import HIDDEN
from generator.stats.tables import DIMENSIONS, TABLES


def hidden_share(frame: pd.DataFrame) -> float:
    """Share of the table's figures (count or value cells) withheld by disclosure control."""
    column = next((c for c in ("value", "count", "closed") if c in frame), None)
    if column is None or not len(frame):  # e.g. hotspots: withheld rows are absent, not marked
        return 0.0
    return float(frame[column].map(lambda v: v is HIDDEN).mean())


FIXED_LEVELS = {
    "kpis": "全市和各区按月、季、年、排名窗口和全期；各街乡按完整季度和排名窗口",
    "counts_by_month": "各区按正式数据的月份 × 类别",
    "monthly": "全市按月",
    "by_element": "全市全期及最近两个月 × 要素",
    "by_category": "全市全期及最近两个月 × 类别",
    "by_district": "各区全期及最近一月",
    "hotspots": "各街乡按月、季",
    "hotspots_persistent": "各区按月、季",
    "warnings": "各街乡 × 类别按月",
    "repeat_rate": "全市和各区按办结月份和全期",
    "handling_times": "全市按全期和季、各区按全期 × 紧急程度",
    "district_ranking": "各区，排名窗口",
    "street_ranking": "各街乡，排名窗口",
    "monthly_topic": "全市和各区（正式数据），每月一题所在月份",
    "monthly_topic_rates": "全市和各区（正式数据），每月一题所在月份 × 三率",
    "monthly_topic_streets": "各街乡（至少 k 位诉求人），每月一题所在的正式数据月份",
}
"""Where each table not declared in stats.tables is published (the methodology page)."""


def levels_of(name: str) -> str:
    """Where a table is published, in words (declared tables: from their cuts)."""
    spec = next((s for s in TABLES if s.name == name), None)
    if spec is None:
        return FIXED_LEVELS[name]
    return "；".join(
        f"{LEVEL_NAMES[cut.region]}按" + "、".join(PERIOD_NAMES[p] for p in cut.periods)
        for cut in spec.cuts) + ("" if not spec.dims else " × " + " × ".join(
            DIMENSIONS[d].title for d in spec.dims if d != "element" or "category" not in
            spec.dims))


def overview(agg: Aggregates, k: int, settings: Settings) -> list[tuple[str, str, str, float]]:
    """(file, title, where it is published, hidden share) of every open-data table."""
    published = tables(agg)
    return [(f"{name}.csv", title, levels_of(name), hidden_share(published[name]))
            for name, (title, _, _) in resources(agg, k, settings).items()]

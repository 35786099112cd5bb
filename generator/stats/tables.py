"""The breakdown tables, declared once over dimensions with hierarchies.

Three hierarchies order the cube every count is a cut of:
- region: 全市 ⊃ district ⊃ street/township (streets keyed by code: names repeat);
- time: all ⊃ year ⊃ quarter ⊃ month ⊃ week part (stats.periods);
- subject: all ⊃ element ⊃ category (the taxonomy);
and the side dimensions channel, source, handling_level (the steward tier that closed the
request), urgency, weekday and hour. A declaration names the cuts it publishes (a region level
with the time levels it is published for) and its dimensions; the grid, the margins
disclosure control must respect, the CSV columns with their Chinese titles and the
open-data entry all follow from it (stats.cells, stats.protection, site.opendata).

Levels are chosen so that a table informs: no table should hide more than about a fifth of
its cells on the bundled sample (the methodology page lists each table's level and the data
package states each file's hidden share). Streets, for example, are published by total per
complete quarter and over the ranking window (kpis), not by category per month: in the bundled
sample even street × element over the whole period would rest on fewer than k complainants
in about a quarter of its cells. Fine tables publish
fixed, final periods only ('final_month', 'final_quarter', the window of whole final
quarters): a cumulative or provisional figure changes from release to release, and the
difference of two releases would be a finer cell than any table publishes.
"""

from __future__ import annotations

from dataclasses import dataclass

CITY_LEVEL, DISTRICT_LEVEL, STREET_LEVEL = "city", "district", "street"
REGION_LEVELS = (CITY_LEVEL, DISTRICT_LEVEL, STREET_LEVEL)
TIME_LEVELS = ("all", "year", "quarter", "month", "week", "window", "final_quarter",
               "final_month")
SUBJECT_DIMS = ("element", "category")


@dataclass(frozen=True)
class Dimension:
    """A column a table may break down by (the prep column of the same name)."""

    name: str
    """The prep and CSV column."""
    title: str
    """Chinese field title in the data package."""
    description: str
    """Chinese field description (what the values are)."""


DIMENSIONS: dict[str, Dimension] = {d.name: d for d in (
    Dimension("element", "要素", "环境要素（参考数据 taxonomy.yml）"),
    Dimension("category", "类别", "诉求类别（参考数据 taxonomy.yml），每个类别属于一个要素"),
    Dimension("channel", "受理渠道", "诉求进入的渠道"),
    Dimension("source", "来源", "市民诉求或主动治理（未诉先办：部门自己发现并立案的任务）"),
    Dimension("handling_level", "办结层级", "办结诉求的管家层级：街乡、区或市"),
    Dimension("urgency", "紧急程度", "工单的紧急程度分类，各有办理时限（data/metrics.yml）"),
    Dimension("weekday", "星期", "受理日是星期几：1 为星期一，7 为星期日"),
    Dimension("hour", "小时", "受理时刻所在的小时，0–23（本地时间）"),
)}


@dataclass(frozen=True)
class Cut:
    """One region level of a table with the time levels it is published for."""

    region: str
    """city, district or street."""
    periods: tuple[str, ...]
    """Time levels, e.g. ("all", "quarter")."""


@dataclass(frozen=True)
class TableSpec:
    """A published breakdown: counts over the cuts × its dimensions, zeros included."""

    name: str
    """CSV file stem under site/data/ (a contract: never renamed)."""
    title: str
    """Chinese title of the open-data resource."""
    description: str
    """Chinese description of one row."""
    cuts: tuple[Cut, ...]
    """The region levels and periods the table lists."""
    dims: tuple[str, ...]
    """Dimensions beyond region and time (DIMENSIONS), in column order."""
    share: bool = False
    """Whether rows carry their share of the (period, scope) total."""

    @property
    def side(self) -> tuple[str, ...]:
        """The dimensions outside region × time × subject: the table's own protection family
        (it joins the cube only through its margins)."""
        return tuple(d for d in self.dims if d not in SUBJECT_DIMS)

    @property
    def family(self) -> str:
        if "week" in {p for cut in self.cuts for p in cut.periods}:
            return "week"
        return "+".join(self.side) or "cube"


CITY_ALL = Cut(CITY_LEVEL, ("all",))
TABLES: tuple[TableSpec, ...] = (
    TableSpec("monthly_elements", "全市逐月分要素统计", "全市每个受理月份、每个要素的诉求件数",
              (Cut(CITY_LEVEL, ("month",)),), ("element",)),
    TableSpec("monthly_categories", "全市逐月分类别统计", "全市每个受理月份、每个类别的诉求件数",
              (Cut(CITY_LEVEL, ("month",)),), ("element", "category")),
    TableSpec("district_categories", "各区分类别统计",
              "各区每年和全期、每个诉求类别的件数（逐月数据见 counts_by_month）",
              (Cut(DISTRICT_LEVEL, ("all", "year")),), ("element", "category")),
    TableSpec("weekly", "全市逐周分要素统计",
              "全市每个周段、每个要素的诉求件数；周段为星期一至星期日，在月界处截断",
              (Cut(CITY_LEVEL, ("week",)),), ("element",)),
    TableSpec("by_channel", "按受理渠道统计", "各受理渠道的诉求件数和占比",
              (Cut(CITY_LEVEL, ("all", "quarter", "month")), Cut(DISTRICT_LEVEL, ("all",))),
              ("channel",), share=True),
    TableSpec("by_source", "按来源统计（主动治理占比）",
              "市民诉求和主动治理（未诉先办）的件数和占比",
              (Cut(CITY_LEVEL, ("all", "quarter", "month")),
               Cut(DISTRICT_LEVEL, ("all", "quarter"))), ("source",), share=True),
    TableSpec("by_tier", "按办结层级统计",
              "各管家层级（街乡、区、市）办结的诉求件数和占比（只计已办结）",
              (Cut(CITY_LEVEL, ("all", "quarter")), Cut(DISTRICT_LEVEL, ("all",))),
              ("handling_level",), share=True),
    TableSpec("hour_weekday", "按受理时段统计", "全期各要素按星期和小时的诉求件数",
              (CITY_ALL,), ("element", "weekday", "hour")),
)
"""Every breakdown CSV; the tables of today's files (kpis, counts_by_month, by_element,
by_category, by_district, monthly) keep their own shapes (stats.aggregate)."""

MEASURE_OF = {"by_tier": "closed"}
"""The prep flag a table sums (default: every record)."""

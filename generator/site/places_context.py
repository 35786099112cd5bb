"""Contexts of the place pages: one portrait (画像) per district, one page per street.

Like generator/site/contexts.py, every class is a frozen dataclass with a docstring per field,
and a page context never repeats a SiteContext name. Tables are TableViews
(generator/site/table_view.py) holding published cells only; the macro `table` of
generator/templates/macros/figures.md.j2 formats them, so marks show as their signs.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.site.cases import Case
from generator.site.charts import Chart
from generator.site.contexts import DistrictsContext, GuideLink
from generator.site.table_view import TableView


@dataclass(frozen=True)
class PlaceLink:
    """A link to a district or street page."""

    name: str
    """The link text, e.g. 朝阳区 or 三间房地区."""
    href: str
    """The page's address relative to the linking page, e.g. ../streets/<street code>.html."""


@dataclass(frozen=True)
class DistrictsOverviewContext(DistrictsContext):
    """The districts overview (stats/districts.md): the table of contexts.DistrictsContext
    plus the schematic map whose tiles lead to the district portraits."""

    district_map: Chart
    """示意图: one tile per district at its reference position, shaded by 诉求总量 over the
    whole period (by_district.csv), each a link to the district's portrait."""


@dataclass(frozen=True)
class ElementTable:
    """The categories of one element in one district."""

    element: str
    """The element's name (要素), e.g. 噪声."""
    table: TableView
    """Its categories' counts by period (district_categories.csv)."""


@dataclass(frozen=True)
class DistrictContext:
    """One district's portrait (stats/districts/{district_code}.md)."""

    district: str
    """The district's name."""
    district_code: str
    """Its statistical division code (the page's file name)."""
    key_figures: TableView
    """诉求总量 and the rates of the district and of the whole city (kpis, whole period)."""
    intervals: TableView
    """The district's rates with n and the 95 % interval (kpis, whole period)."""
    score: TableView
    """The district's 综合成绩 with n and its range (kpis, whole period)."""
    elements: tuple[ElementTable, ...]
    """Every element of the taxonomy with its categories' counts (district_categories.csv)."""
    recent: TableView | None
    """Categories in the last two final months (counts_by_month.csv); None without them."""
    window: str
    """The ranking window in words, e.g. 2025年10月至2026年9月; empty without one."""
    min_requests: int
    """Streets with fewer requests in the window are listed apart, not ranked (metrics.yml)."""
    ranked: TableView | None
    """The district's ranked streets (street_ranking.csv); None when none is ranked."""
    unranked: TableView | None
    """Streets below the minimum volume or with a hidden score, listed apart; None if none."""
    no_requests: tuple[PlaceLink, ...]
    """Streets without requests in the window."""
    streets: tuple[PlaceLink, ...]
    """Every street and township of the district (reference order), linked to its page."""
    hotspots: TableView | None
    """重点点位 of the district's streets (hotspots.csv); None when there are none."""
    persistent: TableView | None
    """The district's persistent hotspots by period (hotspots_persistent.csv); None if none."""
    warnings: TableView | None
    """Early warnings in the district's streets (warnings.csv); None when there are none."""
    trend: Chart
    """诉求总量 of the district by month (kpis), as a line chart with its table."""
    rate_trend: Chart
    """响应率, 解决率 and 满意率 of the district by month (kpis), with its table."""
    district_cases: tuple[Case, ...]
    """Typical cases of the district, newest first."""
    guides: tuple[GuideLink, ...]
    """The guides of the taxonomy's categories (distinct pages, taxonomy order)."""


@dataclass(frozen=True)
class StreetContext:
    """One street's or township's page (stats/streets/{street_code}.md)."""

    title: str
    """「区名·街道名」: street names repeat across districts."""
    street: str
    """The street's name."""
    street_code: str
    """Its code (the page's file name)."""
    district: str
    """Its district's name."""
    district_page: str
    """Address of the district's portrait relative to this page."""
    totals: TableView
    """诉求总量 (citizen requests and proactive tasks) by final quarter and over the
    ranking window (kpis street rows)."""
    window: str
    """The ranking window in words; empty without one."""
    intervals: TableView | None
    """The rates over the window with n and the 95 % interval; None without a window."""
    score: TableView | None
    """综合成绩 over the window with n and its range; None without a window."""
    ranking: TableView | None
    """The street's row of street_ranking.csv; None without a window."""
    min_requests: int
    """The ranking's minimum volume (metrics.yml)."""
    hotspots: TableView | None
    """The street's 重点点位 by period (hotspots.csv); None when there are none."""
    warnings: TableView | None
    """The street's early warnings (warnings.csv); None when there are none."""
    topics: TableView | None
    """The street's 每月一题 counts (monthly_topic_streets.csv); None when there are none."""
    street_cases: tuple[Case, ...]
    """Typical cases of the street, newest first."""

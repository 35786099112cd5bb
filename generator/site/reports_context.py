"""What the report pages receive: 周调度 / 月讲评 / 季分析 / 年度报告 (one template fanned out
over periods), their archive, the 每月一题 pages, the warnings and the hotspots pages.

Tables are the components' `TableView`s (generator/site/table_view.py) holding published cells
only (numbers or marks), drawn by the `table` macro of macros/figures.md.j2, so a report shows
exactly the figures of the open-data CSVs.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.site.cases import Case
from generator.site.charts_base import Chart
from generator.site.table_view import Link, TableView


@dataclass(frozen=True)
class ReportContext:
    """One periodic report (stats/reports/<period>.md): 周调度, 月讲评, 季分析 or 年度报告.

    Sections a period does not have are empty (the template leaves them out)."""

    kind: str
    """week | month | quarter | year."""
    period: str
    """The period label of the CSVs: 2026-10-05 (week part), 2026-10, 2026Q3 or 2026."""
    report_title: str
    """The report's title, e.g. 2026年10月生态环境诉求月讲评."""
    period_zh: str
    """The period in words, e.g. 2026年10月 or 2026年10月5日至11日."""
    provisional: bool
    """True when the period holds 初步数据 (a provisional month, or a latest month the export
    cuts short): its figures may still change."""
    provisional_note: str
    """What that means for this report; empty when the figures are final."""
    partial_note: str
    """For a quarter or year the data cover only in part: which months it holds; else empty."""
    narrative: tuple[str, ...]
    """The generated Chinese narrative, one paragraph each (generator/site/narrative.py)."""
    rates_table: TableView | None
    """诉求总量 and the three rates with n and 95 % interval (whole city); None for a week part,
    whose rates are not published."""
    charts: tuple[Chart, ...]
    """The period's charts (generator/site/report_charts.py), each with its table."""
    tables: tuple[TableView, ...]
    """The period's published tables in report order (elements, categories, districts,
    channels, tiers, months, rankings…)."""
    topic: Link | None
    """The month's 每月一题 page, when a topic is configured for the month."""
    topic_name: str
    """The 每月一题 category; empty without a topic."""
    warnings: TableView | None
    """The period's warnings (预警); None when the engine published none for it."""
    hotspots: TableView | None
    """The period's 重点点位 by street; None when none was published for it."""
    period_cases: tuple[Case, ...]
    """Typical cases dated in the period, newest first."""
    parts: tuple[Link, ...]
    """The reports of the periods inside this one (months of a quarter, week parts of a month)."""
    up: Link | None
    """The report of the period containing this one (a week part's month, a month's quarter)."""
    previous: Link | None
    """The report of the period before, of the same kind."""
    next: Link | None
    """The report of the period after, of the same kind."""


@dataclass(frozen=True)
class ReportYear:
    """One year of the report archive."""

    year: str
    """YYYY."""
    annual: Link
    """The 年度报告."""
    quarters: tuple[Link, ...]
    """Its 季分析, in order."""
    months: tuple[Link, ...]
    """Its 月讲评, in order (provisional months say so in the link text)."""
    weeks: tuple[Link, ...]
    """Its 周调度 (week parts), in order."""


@dataclass(frozen=True)
class ReportsIndexContext:
    """The report archive (stats/reports/index.md)."""

    years: tuple[ReportYear, ...]
    """Every year of the data, newest first."""
    latest: Link
    """The latest 月讲评."""


@dataclass(frozen=True)
class TopicContext:
    """One 每月一题 page (stats/topics/<month>.md)."""

    month: str
    """YYYY-MM."""
    topic: str
    """The month's topic category (data/metrics.yml topics)."""
    guide: Link
    """The topic's guide page."""
    report: Link
    """The month's 月讲评."""
    summary: str
    """One generated sentence with the topic's published count for the city."""
    tables: tuple[TableView, ...]
    """Counts by district, the three rates with n and interval, streets, the monthly trend."""
    topic_hotspots: TableView | None
    """重点点位 of the month whose main category is the topic; None when there is none."""
    provisional: bool
    """True when the month is 初步数据 (district and street rows follow once it is final)."""


@dataclass(frozen=True)
class WarningsContext:
    """The warnings page (stats/warnings.md)."""

    current_month: str
    """The latest month of the data, YYYY-MM."""
    current: TableView | None
    """Warnings of that month; None when there are none."""
    rule_words: tuple[str, ...]
    """The warning rule in plain words, from data/metrics.yml `warnings`."""
    archive: TableView
    """Every row of warnings.csv, newest first."""


@dataclass(frozen=True)
class HotspotsContext:
    """The hotspots page (stats/hotspots.md)."""

    rule: str
    """What counts as a 重点点位, from data/metrics.yml `hotspots`."""
    by_district: tuple[TableView, ...]
    """One table per district that has 重点点位 rows: its streets by period."""
    persistent: TableView | None
    """Persistent hotspots by district and period (hotspots_persistent.csv); None when empty."""

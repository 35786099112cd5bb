"""What every page template receives: one typed, documented context per page type.

A template sees the fields of SiteContext (shared by every page, hand-written pages in
site_src/ included) and, for a generated page, the fields of its own page context; a page
context never repeats a SiteContext name (tests check it, and that every field below has a
docstring). Builders (generator/site/pages.py) compute everything here from the aggregates;
templates only format it with the filters num, pct, score, decimal and month_zh.

A figure is a number or one of the marks of generator.stats.marks (HIDDEN, NOT_APPLICABLE);
the filters show a mark as its sign, so templates never test for one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from generator.config import MetricsConfig
from generator.settings import HotlineSettings, OrgSettings, Settings, SiteSettings
from generator.site.cases import Case
from generator.site.charts_base import Chart
from generator.site.consultation_facts import ConsultationFacts
from generator.stats.marks import Mark

Figure = float | int | Mark
"""A published cell: a number, or a mark the filters show as its sign."""


def template_vars(context: object) -> dict[str, Any]:
    """The context's fields as template names (shallow: values keep their types)."""
    return {f.name: getattr(context, f.name) for f in fields(context)}  # type: ignore[arg-type]


# --- shared by every page ------------------------------------------------------------------

@dataclass(frozen=True)
class SiteContext:
    """Names every page may use, hand-written pages in site_src/ included."""

    site: SiteSettings
    """The site's name, description and city (settings `site`)."""
    org: OrgSettings
    """The 主办单位 and its contact details (settings `organisation`)."""
    hotline: HotlineSettings
    """The citizen hotline: `hotline.number` and `hotline.name` (settings `hotline`)."""
    settings: Settings
    """The whole of data/settings.yml, for anything not offered above."""
    updated: str
    """The build date, ISO (2026-11-28): the pages' update date."""
    data_period: str
    """The months published, e.g. 2024年11月至2026年10月."""
    latest_month: str
    """The latest month of the data, YYYY-MM."""
    previous_month: str | None
    """The calendar month before it, YYYY-MM; None when the data hold one month only."""
    latest_incomplete: bool
    """True when the export cuts the latest month short (it is not compared then)."""
    latest_note: str
    """（截至 10月20日，数据不完整） for an incomplete latest month, else empty."""
    latest_cutoff_zh: str
    """The day the incomplete latest month ends, e.g. 10月20日; empty when complete."""
    k: int
    """Minimum number of distinct complainants behind a published cell (data/metrics.yml)."""
    disclosure_unit: str
    """What k counts: 诉求人, or 件诉求 when the export records no caller identity."""
    metrics: MetricsConfig
    """The measures' definitions: weights, deadlines, k (data/metrics.yml)."""
    deadlines: Mapping[str, float]
    """Hours allowed per urgency class, in the order of data/metrics.yml."""
    limits: Mapping[str, Any]
    """The legal limits tables of data/limits.yml (shown with macros/limits.md.j2)."""
    cases: tuple[Case, ...]
    """Every typical case, newest first."""
    headline: Callable[[str], str]
    """headline('餐饮油烟'): one sentence with the latest month's count of an element or
    category and its change from the month before."""
    hidden_mark: str
    """The sign of a cell withheld by disclosure control (—)."""
    hidden_note: str
    """What that sign means, with k."""
    not_applicable_mark: str
    """The sign of a figure that does not exist (／)."""
    not_applicable_note: str
    """What that sign means."""
    marks_legend: str
    """One sentence explaining both signs and 0."""
    csv_hidden: str
    """The open-data token of a withheld cell."""
    csv_not_applicable: str
    """The open-data token of a figure that does not exist."""
    has_unrecorded: bool
    """True when some figure needs a field the export does not record (shown as 未记录)."""
    unrecorded_mark: str
    """The sign of such a figure (未记录)."""
    unrecorded_note: str
    """What that sign means."""
    csv_unrecorded: str
    """The open-data token of such a figure."""
    topic_links: Mapping[str, tuple[tuple[str, str], ...]]
    """Per guide page (docs-relative path, e.g. guides/noise.md): (title, docs-relative path)
    of each 每月一题 page whose topic that guide covers, newest first."""
    business: ConsultationFacts | None
    """The pre-opening consultation as configured: guidance by type, district contacts, the
    reply promise, retention, privacy-notice version and what the form collects
    (generator/site/consultation_facts.py); None when the project has no data/business.yml."""


# --- rows shared by page contexts ----------------------------------------------------------

@dataclass(frozen=True)
class Kpis:
    """The headline figures of one scope (全市 or a district) over one period."""

    total: Figure
    """诉求总量 (件)."""
    responded_rate: Figure
    """响应率, 0–1."""
    resolved_rate: Figure
    """解决率, 0–1."""
    satisfied_rate: Figure
    """满意率, 0–1."""
    composite_score: Figure
    """综合成绩, 0–100."""
    ontime_rate: Figure
    """按时办结率, 0–1."""


@dataclass(frozen=True)
class ElementRow:
    """One element (要素) over the whole data period."""

    element: str
    """The element's name."""
    count: Figure
    """Requests over the whole period."""
    share: Figure
    """Share of all requests, 0–1."""
    latest_month: Figure
    """Requests in the latest month."""
    previous_month: Figure
    """Requests in the month before it."""


@dataclass(frozen=True)
class CategoryRow:
    """One category (类别) over the whole data period."""

    element: str
    """The element it belongs to."""
    category: str
    """The category's name."""
    count: Figure
    """Requests over the whole period."""
    share: Figure
    """Share of all requests, 0–1."""
    latest_month: Figure
    """Requests in the latest month."""
    previous_month: Figure
    """Requests in the month before it."""
    guide: str
    """Its guide page under site_src/, e.g. guides/noise.md."""


@dataclass(frozen=True)
class MonthRow:
    """One calendar month for the whole city."""

    month: str
    """YYYY-MM."""
    count: Figure
    """Requests received."""
    responded_rate: Figure
    """响应率, 0–1."""
    resolved_rate: Figure
    """解决率, 0–1."""
    satisfied_rate: Figure
    """满意率, 0–1."""
    ontime_rate: Figure
    """按时办结率, 0–1."""
    incomplete: bool
    """True for a latest month the export cuts short."""


@dataclass(frozen=True)
class DistrictRow:
    """One district of the reference over the whole data period."""

    district: str
    """The district's name."""
    district_code: str
    """Its statistical division code."""
    population_k: Figure
    """Resident population in thousands (reference), or not applicable."""
    count: Figure
    """Requests over the whole period."""
    per_10k: Figure
    """Requests per 10,000 residents."""
    responded_rate: Figure
    """响应率, 0–1."""
    resolved_rate: Figure
    """解决率, 0–1."""
    satisfied_rate: Figure
    """满意率, 0–1."""
    composite_score: Figure
    """综合成绩, 0–100."""
    ontime_rate: Figure
    """按时办结率, 0–1."""
    latest_month: Figure
    """Requests in the latest month."""


@dataclass(frozen=True)
class CasesOf:
    """The typical cases of one element or category."""

    name: str
    """The element or category."""
    cases: tuple[Case, ...]
    """Its cases, newest first (never empty)."""


@dataclass(frozen=True)
class ElementCategories:
    """One element of the taxonomy and its categories."""

    element: str
    """The element's name."""
    categories: tuple[str, ...]
    """Its categories, in taxonomy order."""


@dataclass(frozen=True)
class IntervalMethod:
    """How the 95 % interval of one measure in kpis.csv is computed (stats.metrics)."""

    measure: str
    """The measure as pages name it, e.g. 响应率."""
    method: str
    """The method, in page text, e.g. Wilson 区间."""


@dataclass(frozen=True)
class DeadlineRow:
    """One urgency class and the time allowed to close it."""

    name: str
    """The urgency class, e.g. 紧急."""
    hours: float
    """Hours allowed."""
    days: float | None
    """The same in days when it is a day or more, else None (shown in hours only)."""


# --- one context per generated page type ---------------------------------------------------

@dataclass(frozen=True)
class GuideLink:
    """A link to one guide page."""

    category: str
    """The category the guide is linked for (the link text)."""
    guide: str
    """The guide's docs-relative path, e.g. guides/noise.md."""


@dataclass(frozen=True)
class StatsOverviewContext:
    """The statistics overview (stats/index.md)."""

    total: Figure
    """Requests over the whole period, whole city."""
    elements: tuple[ElementRow, ...]
    """Every element, in taxonomy order."""
    categories: tuple[CategoryRow, ...]
    """Every category, in taxonomy order."""
    months: tuple[MonthRow, ...]
    """Every calendar month of the data, oldest first."""
    monthly_chart: str
    """The monthly requests as an accessible inline SVG bar chart (one line of HTML)."""
    category_cases: tuple[CasesOf, ...]
    """Categories having typical cases, in taxonomy order."""
    time_charts: tuple[Chart, ...]
    """Per element, requests by weekday × hour of receipt over the whole period (hour_weekday)."""
    handling_chart: Chart | None
    """Closing times (median and p90) per urgency class against its deadline, whole city and
    period (handling_times); None when the table has no such rows."""


@dataclass(frozen=True)
class DistrictsContext:
    """The district table (stats/districts.md)."""

    population_source: str
    """Where the populations come from (settings reference.population_source)."""
    districts: tuple[DistrictRow, ...]
    """Every district of the reference, in reference order."""
    city: Kpis
    """The whole city over the whole period (the table's last row)."""
    city_latest_total: Figure
    """Requests in the latest month, whole city."""
    district_cases: tuple[Case, ...]
    """Typical cases, grouped by district in reference order."""


@dataclass(frozen=True)
class MethodologyContext:
    """How the figures are computed (stats/methodology.md)."""

    deadline_rows: tuple[DeadlineRow, ...]
    """The time allowed per urgency class."""
    deadlines_source: str
    """Where the deadlines come from (settings site.deadlines_source); may be empty."""
    weights_source: str
    """Where the weights come from (settings site.weights_source); may be empty."""
    taxonomy: tuple[ElementCategories, ...]
    """The elements and their categories."""
    counts_requests: bool
    """True when the export records no caller identity: k counts requests, not people."""
    unrecorded_fields: tuple[str, ...]
    """Contract fields the export does not record (the package's unrecordedFields)."""
    unrecorded_measures: tuple[str, ...]
    """The measures shown as 未记录 because they need such a field, e.g. 响应率."""
    interval_methods: tuple[IntervalMethod, ...]
    """The 95 % interval method of each rate and of the composite score, in page order."""
    published_tables: tuple[PublishedTable, ...]
    """Every open-data table: where it is published and the share of its cells hidden."""
    window: str | None
    """The ranking window 'YYYY-MM/YYYY-MM' (None: the data are too short for one)."""


@dataclass(frozen=True)
class PublishedTable:
    """One open-data table as the methodology page lists it."""

    file: str
    """The CSV file name under data/."""
    title: str
    """Its Chinese title."""
    levels: str
    """Where it is published (region levels, periods, dimensions), in words."""
    hidden_share: float
    """Share of its figures withheld by disclosure control (0–1)."""


@dataclass(frozen=True)
class OpenDataContext:
    """The open-data page (stats/open-data.md)."""

    latest_cutoff: str | None
    """ISO date the incomplete latest month ends, else None."""


@dataclass(frozen=True)
class CaseIndexContext:
    """The list of typical cases (cases/index.md)."""

    by_element: tuple[CasesOf, ...]
    """Cases grouped by element, elements in the order of their newest case."""
    stewards_page: str | None
    """The hand-written page on stewards and 未诉先办, when the project has one."""


@dataclass(frozen=True)
class CaseContext:
    """One typical case (cases/<slug>.md)."""

    case: Case
    """The case, as loaded from data/cases/<slug>.yml."""
    same_category: tuple[Case, ...]
    """Other cases of its category, newest first (at most ONWARD_CASES; may be empty)."""
    same_district: tuple[Case, ...]
    """Other cases of its district not already in same_category, newest first (at most
    ONWARD_CASES; may be empty)."""

"""The aggregate stage: every published table, computed once and shared by pages and CSVs.

Tables are complete: every calendar month from the first to the last month of the data,
every district of the reference and every category of the taxonomy has its row, with 0
where nothing was received. Cells hold numbers or the marks of stats.marks.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from generator.config import MetricsConfig
from generator.reference import Reference
from generator.stats.breakdowns import (
    CLOSED_SIDE,
    CubeCells,
    CubeHiding,
    handling_mask,
    hide_measure,
    published_counts,
    side_tables,
)
from generator.stats.cells import Grid
from generator.stats.constants import family_cells, history_cells
from generator.stats.disclosure import COMPLAINANTS, REQUESTS
from generator.stats.findings import (
    find,
    hide_handling,
    only_final,
    only_published_streets,
    rankings,
)
from generator.stats.history import ReleaseHistory
from generator.stats.marks import HIDDEN, NOT_APPLICABLE, is_mark, published
from generator.stats.metrics import ALL, KpiHiding, kpi_table, unrecorded_metrics
from generator.stats.periods import Calendar, quarter_window
from generator.stats.prepare import prepare
from generator.stats.tables import CITY_LEVEL, DISTRICT_LEVEL, STREET_LEVEL
from generator.stats.topics import topic_analyses, topic_street_cells

RATE_METRICS = ("responded_rate", "resolved_rate", "satisfied_rate", "composite_score",
                "ontime_rate")


@dataclass(frozen=True)
class Aggregates:
    """Published tables. Every table shown on the site is one of these (and a CSV)."""

    kpis: pd.DataFrame
    """period, scope, metric, value, numerator, denominator, n, ci_low, ci_high (see
    stats.metrics)."""
    counts_by_month: pd.DataFrame
    """month, district, element, category, count."""
    by_element: pd.DataFrame
    """element, count, share, latest_month, previous_month."""
    by_category: pd.DataFrame
    """element, category, count, share, latest_month, previous_month."""
    by_district: pd.DataFrame
    """district, district_code, population_k, count, per_10k, the rates, latest_month."""
    monthly: pd.DataFrame
    """month, total and the rates for the whole city."""
    months: tuple[str, ...]
    """Calendar months from the first to the last month of the data, gaps included."""
    records: int
    latest_cutoff: str | None = None
    """ISO date of the last receipt when the export cuts the latest month short, else None."""
    unrecorded: frozenset[str] = field(default_factory=frozenset)
    """Contract fields the export does not record (the package's unrecordedFields)."""
    breakdowns: dict[str, pd.DataFrame] = field(default_factory=dict)
    """The declared breakdowns (stats.tables TABLES) by CSV name, ready to publish."""
    analyses: dict[str, pd.DataFrame] = field(default_factory=dict)
    """重点点位, warnings, repeat rate, handling times, rankings and 每月一题 (stats.findings),
    by CSV name."""
    calendar: Calendar | None = None
    """The published periods (months, quarters, years, the ranking window)."""

    @property
    def unrecorded_metrics(self) -> frozenset[str]:
        """Measures published as UNRECORDED (未记录) because they need an unrecorded field."""
        return unrecorded_metrics(self.unrecorded)

    @property
    def disclosure_unit(self) -> str:
        """What k counts: 诉求人 (distinct complainants) or 件诉求 (requests, when the export
        records no caller identity). The methodology page and the marks notes say which."""
        return REQUESTS if "complainant_key" in self.unrecorded else COMPLAINANTS

    @property
    def latest_month(self) -> str:
        return self.months[-1]

    @property
    def previous_month(self) -> str | None:
        """The calendar month before the latest (None when the data hold only one month)."""
        return self.months[-2] if len(self.months) > 1 else None

    @property
    def latest_incomplete(self) -> bool:
        return self.latest_cutoff is not None


def cutoff(last_received: dt.datetime | pd.Timestamp) -> str | None:
    """The date of the last receipt when it falls before the last day of its month.

    An export taken on the 20th holds only part of that month: the month is published as
    incomplete and not compared with the month before.
    """
    day = last_received.date() if isinstance(last_received, dt.datetime) else last_received
    last_day = calendar.monthrange(day.year, day.month)[1]
    return None if day.day == last_day else day.isoformat()


def aggregate(frame: pd.DataFrame, metrics: MetricsConfig, ref: Reference,
              unrecorded: Collection[str] = frozenset(),
              provisional: Collection[str] = (),
              history: ReleaseHistory | None = None) -> Aggregates:
    """Every published table. `unrecorded` lists the contract fields the export does not
    record (ValidationReport.unrecorded): measures needing them are UNRECORDED, and without
    complainant_key disclosure control counts requests instead of complainants.
    `provisional` months (初步数据) are held back from fine tables; `history` is what earlier
    releases published (their hiding stays, their figures are the attacker's constants)."""
    missing = frozenset(unrecorded)
    # The pseudonyms are coded once: every analysis groups or counts by them, and coding a
    # few million strings again in each one costs more than all the counting.
    frame = frame.assign(**{c: pseudonym_codes(frame[c])
                            for c in ("complainant_key", "location_key") if c in frame})
    prep = prepare(frame, metrics, missing)
    k = metrics.min_complainants
    months = tuple(str(m) for m in prep["month"].cat.categories)
    last_cut = cutoff(frame["received_at"].max())
    window = quarter_window(months, metrics.ranking.window_months,
                            latest_incomplete=last_cut is not None,
                            provisional=tuple(provisional))
    held_set = set(provisional) | ({months[-1]} if last_cut else set())
    held = tuple(m for m in months if m in held_set)
    calendar = Calendar.spanning(months, window, held)
    prep["window"] = calendar.window_of(prep["month"]).set_axis(prep.index)
    grid = Grid(calendar, ref)
    latest, previous = months[-1], (months[-2] if len(months) > 1 else None)
    found = find(frame, metrics, ref, calendar, missing, family_cells(history, ref, "repeat"))
    cube = CubeCells.compute(prep, grid, metrics.basic_satisfied_weight)
    past = history_cells(history, ref) if history is not None else None
    closed_past = family_cells(history, ref, "closed")  # the closed counts: a cube flag
    cube_past = None if past is None or closed_past is None else pd.concat([
        past[(past["side_key"] == "") & ~past["time_key"].str.fullmatch(r"\d{4}-\d{2}-\d{2}")],
        closed_past.assign(side_key=CLOSED_SIDE)], ignore_index=True)
    topic_cells = topic_street_cells(prep, metrics, months, held)  # published: known cells
    hidden = cube.hide(prep, k, extra=pd.concat([found.warning_cells, topic_cells],
                                                ignore_index=True), history=cube_past)
    wide = cube.kpis
    # A denominator is at most its total: a published n beside a hidden total would bound the
    # total from below (and through the city total its neighbours from above), so where the
    # total is hidden its n is too. Hiding more never narrows what the other cells allow.
    total_hidden = hidden.of(wide)
    hiding = KpiHiding(
        total=total_hidden,
        valid=hide_measure(wide, prep, k, "valid", family_cells(history, ref, "valid"))
        | total_hidden,
        closed=hidden.of(wide.assign(side_key=CLOSED_SIDE)) | total_hidden)
    kpis = kpi_table(wide, metrics, hiding, missing)
    breakdowns = side_tables(cube, hidden, hiding, prep, k, history=past)
    streets = kpis[(kpis["scope_level"] == STREET_LEVEL) & (kpis["metric"] == "total")]
    # A warning's count lies inside its district × month × category cell: published only where
    # that cell is not hidden, so it never bounds a hidden cell from below.
    district_of = {st.code: st.district_code for st in ref.streets}
    containers = found.warning_cells.assign(
        region_key=found.warning_cells["region_key"].map(district_of))
    warnings = found.warnings[~hidden.of(found.warning_cells) & ~hidden.of(containers)]
    counts = published_counts(cube.counts_by_month, hidden,
                              ["month", "district", "element", "category"])
    analyses = {
        "hotspots": only_final(only_published_streets(found.hotspots, streets), held),
        "hotspots_persistent": found.hotspots_persistent,
        "warnings": only_published_streets(warnings, streets),
        "repeat_rate": found.repeat,
        "handling_times": hide_handling(found.handling,
                                        handling_mask(cube, hidden, hiding, prep, grid, k,
                                                      family_cells(history, ref, "handling"))),
        **rankings(kpis, ref, calendar, metrics),
        **topic_analyses(counts, breakdowns["monthly_categories"], metrics, ref, months, held,
                         prep, wide, hiding.valid, streets, topic_cells, missing, history),
    }
    return Aggregates(
        kpis=kpis,
        counts_by_month=counts,
        by_element=_with_months(cube.elements, cube.month_elements, hidden, ["element"],
                                latest, previous),
        by_category=_with_months(cube.categories, cube.month_categories, hidden,
                                 ["element", "category"], latest, previous),
        by_district=_by_district(kpis, ref, latest),
        monthly=_with_changes(_pivot(
            kpis[(kpis["scope_level"] == CITY_LEVEL) & kpis["period"].isin(months)],
            "period", months).rename(columns={"period": "month"}), last_cut is not None),
        breakdowns=breakdowns,
        analyses=analyses,
        calendar=calendar,
        months=months,
        records=len(frame),
        latest_cutoff=last_cut,
        unrecorded=missing,
    )


def pseudonym_codes(column: pd.Series) -> pd.Series:
    """A pseudonym column as a categorical of integer codes, in order of first appearance.

    Pseudonyms are only ever counted or compared, never shown, so their text is dropped:
    Arrow's dictionary encoding codes them in one hash pass, where astype("category") sorts
    millions of strings (the largest single cost of aggregation at 5M records)."""
    values = column.array
    if not isinstance(values, pd.arrays.ArrowExtensionArray):
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
        size = len(uniques)
    else:
        arrow = pa.chunked_array(values.__arrow_array__())  # the Arrow data, not copied
        chunks = pc.dictionary_encode(arrow).chunks  # one shared dictionary
        size = len(chunks[0].dictionary) if chunks else 0
        codes = (np.concatenate([pc.fill_null(c.indices, -1).to_numpy() for c in chunks])
                 if chunks else np.empty(0, dtype=np.int64))
    return pd.Series(pd.Categorical.from_codes(codes.astype(np.int64),
                                               categories=pd.RangeIndex(size)),
                     index=column.index, name=column.name)


def _with_months(whole: pd.DataFrame, monthly: pd.DataFrame, hidden: CubeHiding,
                 keys: list[str], latest: str, previous: str | None) -> pd.DataFrame:
    """Counts and shares over the whole period, with the latest two months' counts."""
    table = whole[keys].copy()
    mask = hidden.of(whole)
    total = float(whole["count"].sum())
    share = whole["count"] / total if total else pd.Series(np.nan, index=whole.index)
    table["count"] = published(whole["count"], mask, integer=True).to_numpy()
    table["share"] = published(share, mask).to_numpy()
    for label, month in (("latest_month", latest), ("previous_month", previous)):
        if month is None:  # the month before the first month of the data
            table[label] = pd.Series([NOT_APPLICABLE] * len(table), dtype=object).to_numpy()
            continue
        part = monthly[monthly["period"] == month]
        values = published(part["count"], hidden.of(part), integer=True)
        table[label] = table[keys].merge(part[keys].assign(_v=values.to_numpy()), on=keys,
                                         how="left")["_v"].to_numpy()
    return table


def _with_changes(monthly: pd.DataFrame, latest_incomplete: bool) -> pd.DataFrame:
    """monthly.csv's 环比 (count_mom: against the calendar month before) and 同比 (count_yoy:
    against the same month a year before), as ratios of change. N/A without that month or
    when it had no request, and for a latest month the export cuts short (not comparable);
    hidden when either count is hidden."""
    count = dict(zip(monthly["month"], monthly["count"], strict=True))
    last = monthly["month"].iloc[-1] if len(monthly) else None

    def change(month: str, back: int) -> object:
        year, number = int(month[:4]), int(month[5:]) - back
        while number < 1:
            year, number = year - 1, number + 12
        before, now = count.get(f"{year:04d}-{number:02d}"), count[month]
        if latest_incomplete and month == last:
            return NOT_APPLICABLE
        if now is HIDDEN or before is HIDDEN:
            return HIDDEN
        if before is None or is_mark(before) or is_mark(now) or not before:
            return NOT_APPLICABLE
        return (float(now) - float(before)) / float(before)

    out = monthly.copy()
    out["count_mom"] = pd.Series([change(m, 1) for m in out["month"]], dtype=object).to_numpy()
    out["count_yoy"] = pd.Series([change(m, 12) for m in out["month"]], dtype=object).to_numpy()
    return out


def _pivot(kpis: pd.DataFrame, key: str, order: tuple[str, ...] | list[str]) -> pd.DataFrame:
    wide = kpis[kpis["metric"].isin(["total", *RATE_METRICS])].pivot(
        index=key, columns="metric", values="value")
    wide = wide.reindex(list(order)).rename(columns={"total": "count"})
    wide["count"] = _as_int(wide["count"])
    wide = wide[["count", *RATE_METRICS]].reset_index()
    wide.columns.name = None
    return wide


def _as_int(values: pd.Series) -> pd.Series:
    return values.map(lambda v: v if is_mark(v) else int(v)).astype(object)


def _by_district(kpis: pd.DataFrame, ref: Reference, latest: str) -> pd.DataFrame:
    names = [d.name for d in ref.districts]
    districts = kpis[kpis["scope_level"] == DISTRICT_LEVEL]
    table = _pivot(districts[districts["period"] == ALL], "scope", names)
    table = table.rename(columns={"scope": "district"})
    # An unknown population (left empty in districts.csv) is published as N/A, never hidden.
    info = pd.DataFrame([(d.name, d.code, NOT_APPLICABLE if d.population_k is None
                          else d.population_k) for d in ref.districts],
                        columns=["district", "district_code", "population_k"])
    table = info.merge(table, on="district", how="left")
    table["per_10k"] = pd.Series(
        [_per_10k(c, p) for c, p in zip(table["count"], table["population_k"], strict=True)],
        dtype=object).to_numpy()
    month = districts[(districts["period"] == latest) & (districts["metric"] == "total")]
    table["latest_month"] = _as_int(table["district"].map(month.set_index("scope")["value"]))
    return table[["district", "district_code", "population_k", "count", "per_10k",
                  *RATE_METRICS, "latest_month"]]


def _per_10k(count: object, population_k: object) -> object:
    """Requests per 10,000 residents; hidden with its count, N/A without a population."""
    if count is HIDDEN:
        return HIDDEN
    if is_mark(count) or not isinstance(population_k, int | float | np.integer) \
            or not population_k > 0:
        return NOT_APPLICABLE
    return float(np.round(float(count) / (float(population_k) / 10), 2))  # type: ignore[arg-type]

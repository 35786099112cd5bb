"""每月一题: the table set of each month's configured topic (data/metrics.yml `topics`).

- monthly_topic.csv: the topic's count in the whole city (a monthly_categories cell, so the
  current month shows while provisional) and, once the month is final, by district
  (counts_by_month cells), with the topic's guide page.
- monthly_topic_rates.csv: 响应率, 解决率, 满意率 of the topic's requests that month, for the
  city and (final months) every district, with n (有效回访) and a 95 % interval as in kpis
  (stats.metrics: Wilson; the weighted 满意率 treated as a plain proportion).
- monthly_topic_streets.csv: the streets whose topic count that month rests on at least k
  complainants, in final months, where the street's total for the quarter and the district's
  topic count are both published.
- The trend is the topic's row of monthly_categories and the hotspots are the hotspots rows
  whose main_category is the topic: references, not copies.

Disclosure: the n counts are a family (districts add up to the city) refining the kpis
有效回访 district-months by topic / not topic; they are protected by the LP engine with the
kpis cells as the margins (constants where kpis publishes them, hidden where it hides them,
and a topic n under a hidden margin is hidden too). Counts implied by rates (n − contacted)
are not protected beyond the n ≥ k rule (documented policy). A topic street count is a
street × month × category cell the cube's disclosure control treats as known (like a
warning's observed count): topic_street_cells() goes to CubeCells.hide(extra=...).
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from generator.config import MetricsConfig
from generator.errors import ConfigError
from generator.reference import Reference
from generator.stats.cells import CITY, CITY_CODE, KEYS
from generator.stats.columns import isin, matches
from generator.stats.constants import HISTORY_COLUMNS
from generator.stats.findings import only_published_streets
from generator.stats.history import ReleaseHistory
from generator.stats.marks import CSV_HIDDEN, HIDDEN, published
from generator.stats.metrics import RATE_PARTS, unrecorded_metrics, wilson
from generator.stats.protection import hide

RATE_COLUMNS = ["month", "topic", "district", "metric", "value", "n", "ci_low", "ci_high"]
STREET_COLUMNS = ["month", "topic", "district", "street", "street_code", "count"]
_SIDE = "topic"
"""The side dimension of the n family: 1 for the topic's follow-ups, 0 for the others."""


def check_topics(metrics: MetricsConfig, ref: Reference) -> None:
    """Refuse a topic that is not a category of the taxonomy (one Chinese message). The build
    has checked this already when reading the file (config.load_metrics names its path); this
    guards callers that pass a MetricsConfig made otherwise."""
    known = {c.name for c in ref.categories}
    bad = {m: c for m, c in metrics.topics.items() if c not in known}
    if bad:
        month, category = next(iter(bad.items()))
        raise ConfigError(
            f"指标配置（metrics.yml）的 topics.{month} 写的类别“{category}”不在分类表"
            f"（taxonomy.yml）中。请改为分类表中的类别名称，例如 {next(iter(sorted(known)))}。")


def _topics_in(metrics: MetricsConfig, months: Collection[str]) -> dict[str, str]:
    return {m: c for m, c in metrics.topics.items() if m in set(months)}


def topic_tables(counts_by_month: pd.DataFrame, city_categories: pd.DataFrame,
                 metrics: MetricsConfig, ref: Reference, months: tuple[str, ...]
                 ) -> pd.DataFrame:
    """monthly_topic.csv: for each configured month in the data, the topic's count in the
    whole city and by district once the month is final, hiding included, with the guide."""
    check_topics(metrics, ref)
    guide = {c.name: c.guide for c in ref.categories}
    columns = ["month", "topic", "guide", "district", "count"]
    rows = []
    for month, category in _topics_in(metrics, months).items():
        city = city_categories[(city_categories["period"] == month)
                               & (city_categories["category"] == category)]
        rows.append(city.assign(month=month, district=CITY)[["month", "district", "count"]])
        part = counts_by_month[(counts_by_month["month"] == month)
                               & (counts_by_month["category"] == category)]
        rows.append(part[["month", "district", "count"]])
        rows[-2:] = [r.assign(topic=category, guide=guide[category]) for r in rows[-2:]]
    if not rows:
        return pd.DataFrame(columns=columns)
    return pd.concat(rows, ignore_index=True)[columns]


def _scopes(ref: Reference, month: str, held: Collection[str]) -> list[tuple[str, str]]:
    """(name, code) of the city and, once the month is final, every district."""
    city = [(CITY, CITY_CODE)]
    return city if month in set(held) else city + [(d.name, d.code) for d in ref.districts]


def _rate_sums(prep: pd.DataFrame, topics: dict[str, str], ref: Reference,
               held: Collection[str], basic_satisfied_weight: float) -> pd.DataFrame:
    """One row per (month, scope) published: the topic's follow-up sums and complainants."""
    topic = matches(prep["category"], prep["month"], topics)
    part = prep[topic & (prep["valid"] == 1).to_numpy()]
    part = part.assign(month=part["month"].astype(str),
                       district_code=part["district_code"].astype(str))
    sums = ["valid", *RATE_PARTS.values()]
    summed = ["valid", "contacted_ok", "resolved_ok", "satisfied_full", "satisfied_basic"]
    rows = []
    for m, category in topics.items():
        inside = part[part["month"] == m]
        for name, code in _scopes(ref, m, held):
            scope = inside if code == CITY_CODE else inside[inside["district_code"] == code]
            row: dict[str, float] = {s: int(scope[s].sum()) for s in summed}
            row["satisfied_score"] = (row.pop("satisfied_full")
                                      + basic_satisfied_weight * row.pop("satisfied_basic"))
            rows.append({"month": m, "topic": category, "district": name, "region_key": code,
                         **{s: float(row[s]) for s in sums},
                         "complainants": int(scope["complainant_key"].nunique())})
    return pd.DataFrame(rows, columns=["month", "topic", "district", "region_key", *sums,
                                       "complainants"])


def topic_history(history: ReleaseHistory | None, ref: Reference, topics: dict[str, str]
                  ) -> pd.DataFrame | None:
    """The topic n cells earlier releases published for final months (HISTORY_COLUMNS): a
    hidden one stays hidden, a shown one is a constant. Rows of another topic than the one
    now configured for the month belong to another family and are left out."""
    if history is None:
        return None
    region = {d.name: d.code for d in ref.districts} | {CITY: CITY_CODE}
    cells: dict[tuple[str, str], tuple[float, bool]] = {}
    for record in history.records:
        table = record.tables.get("monthly_topic_rates")
        if table is None or "n" not in table.measures:
            continue
        at = table.measures.index("n")
        for key, values in table.rows.items():
            row = dict(zip(table.keys, key, strict=True))
            month = row.get("month", "")
            if (row.get("metric") != "responded_rate" or topics.get(month) != row.get("topic")
                    or not record.is_final(month) or row.get("district") not in region):
                continue
            token = values[at]
            try:
                cells[(month, region[row["district"]])] = (float(token), False)
            except ValueError:
                if token == CSV_HIDDEN:
                    cells[(month, region[row["district"]])] = (float("nan"), True)
    return pd.DataFrame([(m, r, "all", f"{_SIDE}=1", v, h) for (m, r), (v, h) in cells.items()],
                        columns=HISTORY_COLUMNS)


def _hide_n(sums: pd.DataFrame, prep: pd.DataFrame, topics: dict[str, str],
            kpi_wide: pd.DataFrame, kpi_valid_hidden: np.ndarray, k: int,
            history: pd.DataFrame | None = None) -> np.ndarray:
    """The hidden mask over the topic n cells: the LP engine over atoms month × district ×
    topic/not, with the kpis 有效回访 cells of those months as margins."""
    cells = pd.DataFrame({"time_key": sums["month"], "region_key": sums["region_key"],
                          "subject_key": "all", "side_key": f"{_SIDE}=1",
                          "count": sums["valid"].astype("int64"),
                          "complainants": sums["complainants"].astype("int64")})
    level = kpi_wide["scope_level"].isin(["city", "district"]).to_numpy()
    chosen = (kpi_wide["period"].astype(str).isin(set(topics)).to_numpy() & level)
    margins = kpi_wide[chosen]
    margin_hidden = np.asarray(kpi_valid_hidden, dtype=bool)[chosen]
    margin_cells = pd.DataFrame({
        "time_key": margins["time_key"].astype(str).to_numpy(),
        "region_key": margins["region_key"].astype(str).to_numpy(),
        "subject_key": "all", "side_key": "*",
        "count": margins["valid"].astype("int64").to_numpy(),
        # A hidden margin keeps its own k rule here, a published one is a constant.
        "complainants": np.where(margin_hidden, margins["valid_complainants"], 0)})
    # A topic n under a hidden margin is hidden too (it would bound the hidden kpis cell).
    hidden_pairs = set(zip(margin_cells["time_key"][margin_hidden],
                           margin_cells["region_key"][margin_hidden], strict=True))
    under = np.array([(t, r) in hidden_pairs for t, r in
                      zip(cells["time_key"], cells["region_key"], strict=True)], dtype=bool)
    under &= cells["count"].to_numpy() > 0
    everything = pd.concat([cells, margin_cells], ignore_index=True)
    n = len(cells)
    records = prep[isin(prep["month"], topics) & (prep["valid"] == 1).to_numpy()]
    records = pd.DataFrame({
        "month": records["month"].astype(str), "quarter": records["quarter"].astype(str),
        "year": records["year"].astype(str),
        "district_code": records["district_code"].astype(str),
        _SIDE: matches(records["category"], records["month"], topics).astype(int)})
    frozen_hidden = np.concatenate([under, margin_hidden])
    frozen_visible = np.concatenate([np.zeros(n, bool), ~margin_hidden])
    mask = hide(everything[[*KEYS, "count", "complainants"]], records, k, (_SIDE,),
                streets=False, frozen_hidden=frozen_hidden, frozen_visible=frozen_visible,
                history=history)
    return np.asarray(mask[:n], dtype=bool)


def topic_rates(prep: pd.DataFrame, metrics: MetricsConfig, ref: Reference,
                months: tuple[str, ...], held: Collection[str], kpi_wide: pd.DataFrame,
                kpi_valid_hidden: np.ndarray, unrecorded: Collection[str] = frozenset(),
                history: ReleaseHistory | None = None) -> pd.DataFrame:
    """monthly_topic_rates.csv (RATE_COLUMNS), long form: one row per month, scope and rate.
    `kpi_wide` is CubeCells.kpis (stats.metrics kpi_sums) and `kpi_valid_hidden` the kpis
    有效回访 hiding (KpiHiding.valid); `history`: earlier releases (topic_history)."""
    topics = _topics_in(metrics, months)
    if not topics:
        return pd.DataFrame(columns=RATE_COLUMNS)
    sums = _rate_sums(prep, topics, ref, held, metrics.basic_satisfied_weight)
    hidden = _hide_n(sums, prep, topics, kpi_wide, kpi_valid_hidden, metrics.min_complainants,
                     topic_history(history, ref, topics))
    missing = unrecorded_metrics(unrecorded)
    den = sums["valid"]
    parts = []
    for metric, column in RATE_PARTS.items():
        num = sums[column]
        low, high = wilson(num, den)
        gone = metric in missing
        parts.append(pd.DataFrame({
            "month": sums["month"], "topic": sums["topic"], "district": sums["district"],
            "metric": metric,
            "value": published(num / den.where(den > 0), hidden, unrecorded=gone).to_numpy(),
            "n": published(den, hidden, integer=True, unrecorded=gone).to_numpy(),
            "ci_low": published(low, hidden, unrecorded=gone).to_numpy(),
            "ci_high": published(high, hidden, unrecorded=gone).to_numpy(),
            "_order": np.arange(len(sums))}))
    table = pd.concat(parts, ignore_index=True).sort_values("_order", kind="stable")
    return table[RATE_COLUMNS].reset_index(drop=True)


def topic_street_cells(prep: pd.DataFrame, metrics: MetricsConfig, months: tuple[str, ...],
                       held: Collection[str]) -> pd.DataFrame:
    """The topic's street × month counts on at least k complainants in final months, as cube
    cells (KEYS, count, complainants) for CubeCells.hide(extra=...)."""
    topics = {m: c for m, c in _topics_in(metrics, months).items() if m not in set(held)}
    columns = [*KEYS, "count", "complainants"]
    if not topics:  # typed, so concatenating it with the warnings' cells keeps their dtypes
        return pd.DataFrame({c: pd.Series(dtype="int64" if c in columns[4:] else object)
                             for c in columns})
    part = prep[matches(prep["category"], prep["month"], topics)]
    part = part.assign(month=part["month"].astype(str),
                       street_code=part["street_code"].astype(str),
                       category=part["category"].astype(str))
    grouped = part.groupby(["month", "street_code", "category"], observed=True)
    counts = grouped.agg(count=("record", "sum"),
                         complainants=("complainant_key", "nunique")).reset_index()
    counts = counts[counts["complainants"] >= metrics.min_complainants]
    return pd.DataFrame({"time_key": counts["month"], "region_key": counts["street_code"],
                         "subject_key": "c:" + counts["category"], "side_key": "",
                         "count": counts["count"].astype("int64"),
                         "complainants": counts["complainants"].astype("int64")}
                        )[columns].reset_index(drop=True)


def topic_streets(cells: pd.DataFrame, ref: Reference, street_totals: pd.DataFrame,
                  topic_counts: pd.DataFrame) -> pd.DataFrame:
    """monthly_topic_streets.csv (STREET_COLUMNS): the cells of topic_street_cells() whose
    street total for the quarter (kpis, `street_totals`) and whose district's topic count
    (monthly_topic, `topic_counts`) are published."""
    if not len(cells):
        return pd.DataFrame(columns=STREET_COLUMNS)
    info = {s.code: (s.district, s.name) for s in ref.streets}
    table = pd.DataFrame({
        "period": cells["time_key"].astype(str), "month": cells["time_key"].astype(str),
        "topic": cells["subject_key"].astype(str).str[2:],
        "district": [info.get(str(c), ("", ""))[0] for c in cells["region_key"]],
        "street": [info.get(str(c), ("", ""))[1] for c in cells["region_key"]],
        "street_code": cells["region_key"].astype(str),
        "count": cells["count"].astype("int64")})
    table = only_published_streets(table, street_totals)
    shown = topic_counts[np.array([v is not HIDDEN for v in topic_counts["count"]], dtype=bool)]
    known = set(zip(shown["month"].astype(str), shown["district"].astype(str), strict=True))
    keep = [(m, d) in known for m, d in zip(table["month"], table["district"], strict=True)]
    table = table[np.asarray(keep, dtype=bool)]
    order = {s.code: i for i, s in enumerate(ref.streets)}  # the reference's order
    table = table.assign(_o=table["street_code"].map(order)).sort_values(
        ["month", "_o"], kind="stable")
    return table[STREET_COLUMNS].reset_index(drop=True)


def topic_analyses(counts_by_month: pd.DataFrame, city_categories: pd.DataFrame,
                   metrics: MetricsConfig, ref: Reference, months: tuple[str, ...],
                   held: Collection[str], prep: pd.DataFrame, kpi_wide: pd.DataFrame,
                   kpi_valid_hidden: np.ndarray, street_totals: pd.DataFrame,
                   street_cells: pd.DataFrame, unrecorded: Collection[str] = frozenset(),
                   history: ReleaseHistory | None = None) -> dict[str, pd.DataFrame]:
    """The 每月一题 CSVs by name (the analyses of stats.aggregate)."""
    counts = topic_tables(counts_by_month, city_categories, metrics, ref, months)
    return {
        "monthly_topic": counts,
        "monthly_topic_rates": topic_rates(prep, metrics, ref, months, held, kpi_wide,
                                           kpi_valid_hidden, unrecorded, history),
        "monthly_topic_streets": topic_streets(street_cells, ref, street_totals, counts),
    }

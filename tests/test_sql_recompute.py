"""Every numeric cell of every CSV in the sample build's site/data/, recomputed by DuckDB SQL.

The SQL in tests/sql/ is written from the definitions (data/metrics.yml `definitions`, the
methodology page, the stats docstrings) and reads the package's complaints.csv directly; no
generator function is called here. For each file: the key set equals the complete grid
(zeros included), every visible cell equals its recomputation, a visible cell never rests on
1..k−1 distinct complainants and a cell that would is `suppressed`, and a zero count is
published as 0. Which other cells are hidden is disclosure control's choice (its own tests):
hidden cells are only checked to be marked.
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, Built
from tests.sql import load, sql

duckdb = pytest.importorskip("duckdb")
scipy_stats = pytest.importorskip("scipy.stats")

pytestmark = pytest.mark.slow

HIDDEN, NA = "suppressed", "NA"
MARKS = (HIDDEN, NA, "unrecorded")


@pytest.fixture(scope="module")
def db(built: Built) -> Iterator[tuple[Any, dict[str, Any]]]:
    con = duckdb.connect()
    metrics = load(con, built.package, ROOT)
    units = []  # the published rankings: ranks are recomputed over the published scores
    for name, code, value in (("district_ranking", "district_code", "value"),
                              ("street_ranking", "street_code", "composite_score")):
        for r in published(built, name):
            shown = None if r[value] in MARKS else float(r[value])
            units.append((r.get("ranking", "composite_score"), r[code],
                          r["status"] == "hidden", shown))
    con.executemany("INSERT INTO published_units VALUES (?, ?, ?, ?)", units)
    con.execute(sql("prep"))
    con.execute(sql("kpis"))
    yield con, metrics
    con.close()


def rows(con: Any, name: str) -> list[dict[str, Any]]:
    """The result of tests/sql/<name>.sql (for kpis: its `kpis` view)."""
    cur = con.execute("SELECT * FROM kpis" if name == "kpis" else sql(name))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def published(built: Built, name: str) -> list[dict[str, str]]:
    with (built.site / "data" / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


class Tally:
    """Checks cells and counts them per table: compared, hidden, not applicable."""

    def __init__(self, k: int) -> None:
        self.k = k
        self.compared: Counter[str] = Counter()
        self.marked: Counter[tuple[str, str]] = Counter()

    def cell(self, table: str, where: object, shown: str, true: Any, who: Sequence[int],
             *, tolerance: float | None = None, count: bool = False) -> None:
        """`who`: the distinct complainants the k rule counts for this cell (any of them in
        1..k−1 → the cell must be hidden). `tolerance`: absolute (a rounded figure)."""
        small = any(0 < w < self.k for w in who)
        if shown in MARKS:
            self.marked[(table, shown)] += 1
            if shown == NA:  # a figure that does not exist: a rate over zero cases
                assert _missing(true), (table, where, true)
                assert not small, (table, where, who)
            if count:
                assert true != 0, (table, where, "a zero is never hidden")
            return
        assert not small, (table, where, who, "visible cell on 1..k-1 complainants")
        assert not _missing(true), (table, where, shown)
        if tolerance is not None:
            assert abs(float(shown) - float(true)) <= tolerance + 1e-9, (table, where, shown,
                                                                          true)
        else:
            assert float(shown) == pytest.approx(float(true), rel=1e-9, abs=1e-12), \
                (table, where, shown, true)
        self.compared[table] += 1


@pytest.fixture(scope="module")
def tally(db: tuple[Any, dict[str, Any]]) -> Iterator[Tally]:
    t = Tally(int(db[1]["disclosure"]["min_complainants"]))
    yield t
    print(f"\nSQL recomputation: {sum(t.compared.values())} cells compared",
          dict(t.compared), "marked", dict(t.marked))


def grid(table: str, pub: list[dict[str, str]], true: list[dict[str, Any]],
         keys: Sequence[str]) -> dict[tuple[str, ...], dict[str, Any]]:
    """The published key set equals the recomputed complete grid; recomputed rows by key."""
    by_key = {tuple(str(r[k]) for k in keys): r for r in true}
    shown = [tuple(r[k] for k in keys) for r in pub]
    assert len(set(shown)) == len(shown), (table, "duplicate rows")
    assert set(shown) == set(by_key), (table, set(shown) ^ set(by_key))
    return by_key


def compare(built: Built, db: tuple[Any, dict[str, Any]], tally: Tally, name: str,
            keys: Sequence[str], columns: Mapping[str, tuple[str, Sequence[str]]],
            counts: Sequence[str] = ("count",)) -> None:
    """`columns`: CSV column → (SQL column, SQL columns of complainants for the k rule)."""
    pub = published(built, name)
    true = grid(name, pub, rows(db[0], name), keys)
    for row in pub:
        key = tuple(row[k] for k in keys)
        t = true[key]
        for column, (source, who) in columns.items():
            tally.cell(name, (key, column), row[column], t[source], [t[w] for w in who],
                       count=column in counts)


COUNT = {"count": ("count", ("complainants",))}
SHARE = {**COUNT, "share": ("share", ("complainants",))}
BREAKDOWNS = {
    "counts_by_month": (("month", "district", "element", "category"), COUNT),
    "monthly_elements": (("period", "element"), COUNT),
    "monthly_categories": (("period", "element", "category"), COUNT),
    "district_categories": (("period", "district_code", "category"), COUNT),
    "weekly": (("period", "element"), COUNT),
    "hour_weekday": (("period", "element", "weekday", "hour"), COUNT),
    "by_channel": (("period", "scope_code", "channel"), SHARE),
    "by_source": (("period", "scope_code", "source"), SHARE),
    "by_tier": (("period", "scope_code", "handling_level"), SHARE),
    "monthly_topic": (("month", "topic", "district"), COUNT),
}


@pytest.mark.parametrize("name", sorted(BREAKDOWNS))
def test_breakdown(name: str, built: Built, db: tuple[Any, dict[str, Any]],
                   tally: Tally) -> None:
    keys, columns = BREAKDOWNS[name]
    compare(built, db, tally, name, keys, columns)


def test_by_element_and_category(built: Built, db: tuple[Any, dict[str, Any]],
                                 tally: Tally) -> None:
    columns = {"count": ("count", ("complainants",)), "share": ("share", ("complainants",)),
               "latest_month": ("latest_month", ("latest_complainants",)),
               "previous_month": ("previous_month", ("previous_complainants",))}
    compare(built, db, tally, "by_element", ("element",), columns,
            ("count", "latest_month", "previous_month"))
    compare(built, db, tally, "by_category", ("element", "category"), columns,
            ("count", "latest_month", "previous_month"))


RATES = ("responded_rate", "resolved_rate", "satisfied_rate", "composite_score")


def test_monthly_and_by_district(built: Built, db: tuple[Any, dict[str, Any]],
                                 tally: Tally) -> None:
    rates = {m: (m, ("valid_complainants",)) for m in RATES}
    rates["ontime_rate"] = ("ontime_rate", ("closed_complainants",))
    changes = {"count_mom": ("count_mom", ("complainants", "mom_complainants")),
               "count_yoy": ("count_yoy", ("complainants", "yoy_complainants"))}
    compare(built, db, tally, "monthly", ("month",), {**COUNT, **rates, **changes})
    district = {**COUNT, **rates, "population_k": ("population_k", ()),
                "per_10k": ("per_10k", ("complainants",)),
                "latest_month": ("latest_month", ("latest_complainants",))}
    compare(built, db, tally, "by_district", ("district", "district_code"), district,
            ("count", "latest_month"))


def test_kpis(built: Built, db: tuple[Any, dict[str, Any]], tally: Tally) -> None:
    pub = published(built, "kpis")
    keys = ("period", "scope_level", "scope_code", "metric")
    true = grid("kpis", pub, rows(db[0], "kpis"), keys)
    for row in pub:
        key = tuple(row[k] for k in keys)
        t = true[key]
        assert (row["scope"], row["district"]) == (t["scope"], t["district"]), key
        for column in ("value", "numerator", "denominator", "n", "ci_low", "ci_high"):
            if _missing(t[column]) and row[column] == NA and column != "value":
                tally.marked[("kpis", NA)] += 1  # no such part (a total's denominator)
                continue
            tally.cell("kpis", (key, column), row[column], t[column], [t["who"]],
                       count=row["metric"] == "total" and column == "value")
        if row["value"] == HIDDEN:  # a hidden figure hides its parts (they would reveal it)
            assert all(row[c] in (HIDDEN, NA) for c in ("numerator", "denominator", "n",
                                                         "ci_low", "ci_high")), key


def test_handling_times(built: Built, db: tuple[Any, dict[str, Any]], tally: Tally) -> None:
    who = ("who", "who_closed", "who_responded")
    hours = {c: (c.removesuffix("_h") + "_exact", who) for c in (
        "response_median_h", "response_p90_h", "closing_median_h", "closing_p90_h")}
    pub = published(built, "handling_times")
    keys = ("period", "scope", "urgency")
    true = grid("handling_times", pub, rows(db[0], "handling_times"), keys)
    for row in pub:
        key = tuple(row[k] for k in keys)
        t = true[key]
        tally.cell("handling_times", key, row["deadline_h"], t["deadline_h"], ())
        tally.cell("handling_times", key, row["closed"], t["closed"], [t[w] for w in who],
                   count=True)
        tally.cell("handling_times", key, row["ontime_rate"], t["ontime_rate"],
                   [t[w] for w in who])
        for column, (source, _) in hours.items():  # rounded to 0.1 h: within 0.05 h
            tally.cell("handling_times", (key, column), row[column], t[source],
                       [t[w] for w in who], tolerance=0.05)


def test_repeat_rate(built: Built, db: tuple[Any, dict[str, Any]], tally: Tally) -> None:
    columns = {c: (c, ("complainants",)) for c in ("repeated", "closed", "value", "ci_low",
                                                   "ci_high")}
    compare(built, db, tally, "repeat_rate", ("period", "scope"), columns, ("closed",))


def _hotspot_rows(con: Any, name: str) -> dict[tuple[str, str], dict[str, Any]]:
    out = {}
    for r in rows(con, name):
        out[(r["period"], r["street_code"] if "street_code" in r else r["district"])] = r
    return out


def _quarter(period: str) -> str:
    """The quarter label 'YYYYQn' holding a month 'YYYY-MM' (a quarter label stays)."""
    return period if "Q" in period else f"{period[:4]}Q{(int(period[5:]) - 1) // 3 + 1}"


def _street_totals(built: Built) -> dict[tuple[str, str], str]:
    """Published street totals by (period, street_code): final quarters and the window."""
    return {(r["period"], r["scope_code"]): r["value"] for r in published(built, "kpis")
            if r["scope_level"] == "street" and r["metric"] == "total"}


def test_hotspots(built: Built, db: tuple[Any, dict[str, Any]], tally: Tally) -> None:
    """Published rows equal their recomputation (which leaves out periods holding a
    provisional month), rest on ≥ k complainants and sit where the street's total for the
    quarter is visible in kpis; every recomputed row on ≥ k complainants that is absent is a
    month row that complementary hiding took (its quarter withholds another month row) or
    its street's quarter total is not visible (hidden, or not a final quarter). Coarsest rows
    (quarters) are always published when the k rule allows."""
    con, metrics = db
    k = int(metrics["disclosure"]["min_complainants"])
    true = _hotspot_rows(con, "hotspots")
    pub = published(built, "hotspots")
    shown = {(r["period"], r["street_code"]): r for r in pub}
    assert len(shown) == len(pub)
    street_totals = _street_totals(built)
    for key, row in shown.items():
        assert key in true, ("a published row for a provisional period or no hotspot", key)
        t = true[key]
        assert (row["district"], row["street"], row["main_category"]) == (
            t["district"], t["street"], t["main_category"]), key
        assert int(row["distinct_complainants"]) >= k, key
        assert street_totals.get((_quarter(key[0]), key[1]), HIDDEN) != HIDDEN, key
        for column in ("places", "requests", "distinct_complainants"):
            tally.cell("hotspots", (key, column), row[column], t[column], ())
    withheld = {key for key in true if key not in shown}
    for period, code in withheld:
        t = true[(period, code)]
        quarter = _quarter(period)
        if t["distinct_complainants"] < k or street_totals.get((quarter, code),
                                                               HIDDEN) == HIDDEN:
            tally.marked[("hotspots", "street quarter not visible or < k")] += 1
            continue
        assert "Q" not in period, ("a quarter row on >= k complainants withheld", period)
        siblings = [key for key in withheld if key[1] == code and key != (period, code)
                    and "Q" not in key[0] and _quarter(key[0]) == quarter]
        assert siblings, ("month row withheld without a reason", period)
        tally.marked[("hotspots", "complementary")] += 1


def test_hotspots_persistent(built: Built, db: tuple[Any, dict[str, Any]],
                             tally: Tally) -> None:
    con, metrics = db
    k = int(metrics["disclosure"]["min_complainants"])
    con.execute(sql("hotspots"))
    true = _hotspot_rows(con, "hotspots_persistent")
    for row in published(built, "hotspots_persistent"):
        key = (row["period"], row["district"])
        t = true[key]
        assert t["places"] >= k and t["complainants"] >= k, key
        for column in ("places", "requests"):
            tally.cell("hotspots_persistent", (key, column), row[column], t[column], ())
    # Quarters are never taken by complementary hiding: every one allowed is published.
    allowed = {key for key, t in true.items() if "Q" in key[0]
               and t["places"] >= k and t["complainants"] >= k}
    shown = {(r["period"], r["district"]) for r in published(built, "hotspots_persistent")}
    assert allowed <= shown


def test_warnings(built: Built, db: tuple[Any, dict[str, Any]], tally: Tally) -> None:
    """Every published warning: observed and expected recomputed, the Poisson rule holds;
    every recomputed warning on ≥ k complainants, in any tested month (provisional ones
    included), whose street's total for the quarter holding the month is visible in kpis and
    whose district × month × category count is not hidden in counts_by_month is published,
    and no other."""
    con, metrics = db
    rule = metrics["warnings"]
    assert (rule["level"], rule["adjust"]) == ("category", "city")  # what warnings.sql does
    k = int(metrics["disclosure"]["min_complainants"])
    candidates = {(r["period"], r["street_code"], r["category"]): r
                  for r in rows(con, "warnings")}
    flagged = {key: r for key, r in candidates.items()
               if scipy_stats.poisson.sf(r["observed"] - 1, r["expected"]) < rule["alpha"]}
    pub = published(built, "warnings")
    shown = {(r["period"], r["street_code"], r["category"]): r for r in pub}
    assert len(shown) == len(pub)
    for key, row in shown.items():
        t = flagged[key]
        assert (row["district"], row["street"]) == (t["district"], t["street"]), key
        assert row["detected_on"][:7] == row["period"], key
        assert t["complainants"] >= k, key
        tally.cell("warnings", (key, "observed"), row["observed"], t["observed"], ())
        tally.cell("warnings", (key, "expected"), row["expected"], t["expected"], (),
                   tolerance=0.05)
    street_totals = _street_totals(built)
    district_cells = {(r["month"], r["district"], r["category"]): r["count"]
                      for r in published(built, "counts_by_month")}
    expected = {key for key, t in flagged.items() if t["complainants"] >= k
                and street_totals.get((_quarter(key[0]), key[1]), HIDDEN) != HIDDEN
                and district_cells.get((key[0], t["district"], key[2])) != HIDDEN}
    assert expected == set(shown), (expected ^ set(shown))
    tally.marked[("warnings", "flagged, street quarter not visible")] += len(
        {key for key, t in flagged.items() if t["complainants"] >= k} - expected)


def test_rankings(built: Built, db: tuple[Any, dict[str, Any]], tally: Tally) -> None:
    con, _ = db
    for name, code, value in (("district_ranking", "district_code", "value"),
                              ("street_ranking", "street_code", "composite_score")):
        true = {(r["ranking"], r["scope_code"]): r for r in rows(con, name)}
        pub = published(built, name)
        keys = [(r.get("ranking", "composite_score"), r[code]) for r in pub]
        assert set(keys) == set(true) and len(keys) == len(true), name
        order = []
        for key, row in zip(keys, pub, strict=True):
            t = true[key]
            assert row["status"] == t["status"], (name, key, row["status"], t["status"])
            if t["rank_min"] is None:
                assert row["rank"] == NA, (name, key)
            else:
                assert t["rank_min"] <= int(row["rank"]) <= t["rank_max"], (name, key)
                tally.marked[(name, "rank in [min, max]")] += 1
            if not t["tie_uncertain"]:
                assert row["tied"] == str(bool(t["tied"])), (name, key)
            assert row["window"] == con.execute("SELECT label FROM window_label").fetchone()[0]
            who = [t["complainants"]]
            tally.cell(name, key, row["count"], t["count"], who, count=True)
            if t["status"] == "no_requests":
                assert row[value] == row["ci_low"] == row["ci_high"] == NA, key
                continue
            valid = who if key[0] == "per_10k" else [t["valid_complainants"]]
            tally.cell(name, key, row[value], t["value"], valid,
                       tolerance=0.005 if key[0] == "per_10k" else None)
            for column in ("n", "ci_low", "ci_high"):
                # per_10k rows carry the composite's n (follow-ups) and no interval.
                truth = t[column] if key[0] == "composite_score" or column == "n" else None
                tally.cell(name, (key, column), row[column], truth, [t["valid_complainants"]])
            order.append((row.get("ranking", ""), t["status"]))
        # Units are listed ranked first, then apart (below minimum, hidden, ...).
        statuses = ["ranked", "below_minimum", "hidden", "no_measure", "no_requests"]
        for ranking in {o[0] for o in order}:
            seq = [statuses.index(s) for r, s in order if r == ranking]
            assert seq == sorted(seq), (name, ranking)


def test_every_csv_is_checked(built: Built) -> None:
    """No published CSV escapes recomputation."""
    names = {p.stem for p in (built.site / "data").glob("*.csv")}
    covered = set(BREAKDOWNS) | {"by_element", "by_category", "monthly", "by_district",
                                 "kpis", "handling_times", "repeat_rate", "hotspots",
                                 "hotspots_persistent", "warnings", "district_ranking",
                                 "street_ranking", "monthly_topic_rates",
                                 "monthly_topic_streets"}  # recomputed in tests/test_topics.py
    assert names == covered, names ^ covered
    assert {p.stem for p in Path(__file__).parent.joinpath("sql").glob("*.sql")} >= covered

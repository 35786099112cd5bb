"""Every published figure of the sample build, recomputed by independent DuckDB SQL.

The SQL in tests/sql/ is written from the definitions (README.md "Open data", data/metrics.yml,
the stats docstrings) and reads the package's complaints.csv directly; no generator function
is called here. Parameters (rate weights, composite weights, deadlines) come from
data/metrics.yml, the grid (districts, categories) from data/reference/.
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT, Built

duckdb = pytest.importorskip("duckdb")

pytestmark = pytest.mark.slow

SQL = Path(__file__).resolve().parent / "sql"
MARKS = ("suppressed", "NA", "unrecorded")
METRICS = yaml.safe_load((ROOT / "data" / "metrics.yml").read_text(encoding="utf-8"))
K = int(METRICS["disclosure"]["min_complainants"])


def _sql(name: str) -> str:
    return (SQL / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def db(built: Built) -> Iterator[Any]:
    con = duckdb.connect()
    con.execute("CREATE TABLE complaints AS SELECT * FROM read_csv(?, all_varchar = true, "
                "header = true)", [str(built.package / "complaints.csv")])
    con.execute("CREATE TABLE params (name VARCHAR, value DOUBLE)")
    params = [("basic_satisfied_weight", float(METRICS["rates"]["basic_satisfied_weight"]))]
    params += [(f"w_{m}", float(w)) for m, w in METRICS["composite_weights"].items()]
    con.executemany("INSERT INTO params VALUES (?, ?)", params)
    con.execute("CREATE TABLE deadlines (urgency VARCHAR, hours DOUBLE)")
    con.executemany("INSERT INTO deadlines VALUES (?, ?)",
                    [(u, float(h)) for u, h in METRICS["deadlines_hours"].items()])
    with (ROOT / "data" / "reference" / "districts.csv").open(encoding="utf-8") as f:
        districts = [(r["district"], r["district_code"], float(r["population_k"]))
                     for r in csv.DictReader(f)]
    con.execute("CREATE TABLE districts (district VARCHAR, district_code VARCHAR, "
                "population_k DOUBLE)")
    con.executemany("INSERT INTO districts VALUES (?, ?, ?)", districts)
    taxonomy = yaml.safe_load((ROOT / "data" / "reference" / "taxonomy.yml")
                              .read_text(encoding="utf-8"))
    con.execute("CREATE TABLE categories (element VARCHAR, category VARCHAR)")
    con.executemany("INSERT INTO categories VALUES (?, ?)",
                    [(e["name"], c["name"]) for e in taxonomy["elements"]
                     for c in e["categories"]])
    con.execute(_sql("prep.sql"))
    con.execute(_sql("kpis.sql"))
    yield con
    con.close()


def _rows(con: Any, query: str) -> list[dict[str, Any]]:
    cur = con.execute(query)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _published(built: Built, name: str) -> list[dict[str, str]]:
    with (built.site / "data" / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


class Tally:
    """Counts checked and skipped cells; checks each visible or marked cell."""

    def __init__(self) -> None:
        self.checked: Counter[str] = Counter()
        self.skipped: Counter[tuple[str, str]] = Counter()
        self.lonely = 0
        self.complementary = 0

    def cell(self, table: str, where: object, published: str, true: Any,
             complainants: int | None, *, digits: int | None = None) -> None:
        if published in MARKS:
            self.skipped[(table, published)] += 1
            if published == "suppressed":
                assert true is not None and true >= 0, (table, where, true)
            if published == "NA":  # a figure that does not exist: a rate over zero cases
                assert true is None or (isinstance(true, float) and math.isnan(true)), \
                    (table, where, true)
            return
        assert true is not None, (table, where, published)
        if digits is not None:
            assert float(published) == pytest.approx(round(true, digits), abs=1e-9), \
                (table, where)
        else:
            assert float(published) == pytest.approx(float(true), rel=1e-9, abs=1e-12), \
                (table, where, published, true)
        if complainants is not None:  # a visible cell never rests on 1..k-1 complainants
            assert not 0 < complainants < K, (table, where, complainants)
        self.checked[table] += 1


@pytest.fixture(scope="module")
def tally() -> Iterator[Tally]:
    t = Tally()
    yield t
    print("\nSQL recomputation: checked", dict(t.checked), "skipped", dict(t.skipped),
          "complementary hidden cells:", t.complementary,
          "single hidden cells in a margin of zeros:", t.lonely)


def test_counts_by_month(built: Built, db: Any, tally: Tally) -> None:
    true = _rows(db, _sql("counts_by_month.sql"))
    pub = _published(built, "counts_by_month.csv")
    keys = ("month", "district", "element", "category")
    grid = {tuple(r[k] for k in keys): r for r in true}
    published = {tuple(r[k] for k in keys): r for r in pub}
    assert len(published) == len(pub), "duplicate rows"
    # The full grid: every month × district × category, and nothing else.
    n_months = db.execute("SELECT count(*) FROM months").fetchone()[0]
    n_districts = db.execute("SELECT count(*) FROM districts").fetchone()[0]
    n_categories = db.execute("SELECT count(*) FROM categories").fetchone()[0]
    assert len(grid) == n_months * n_districts * n_categories
    assert set(published) == set(grid)
    for key, row in published.items():
        t = grid[key]
        tally.cell("counts_by_month", key, row["count"], t["count"], t["complainants"])
    # Suppressed cells: below k, or hidden so that no published margin
    # (month × district, month × category, district × category) hides a single cell.
    # A group may hide a single cell only when every other cell of it is a true 0: zero
    # cells are never chosen to protect another (stats.breakdowns), so nothing can be hidden.
    hidden = {key for key, row in published.items() if row["count"] == "suppressed"}
    for group in ((0, 1), (0, 3), (1, 3)):
        per: Counter[tuple[str, ...]] = Counter(tuple(k[i] for i in group) for k in hidden)
        for margin in (m for m, n in per.items() if n == 1):
            others = [t["count"] for key, t in grid.items()
                      if tuple(key[i] for i in group) == margin and key not in hidden]
            tally.lonely += 1
            assert all(c == 0 for c in others), f"margin {margin} hides a single cell"
    for key in hidden:
        assert grid[key]["count"] > 0, key  # zero cells are never hidden
        if not 0 < grid[key]["complainants"] < K:  # hidden to protect another cell
            tally.complementary += 1


def _share_table(built: Built, db: Any, tally: Tally, name: str, keys: tuple[str, ...]) -> None:
    true = {tuple(r[k] for k in keys): r for r in _rows(db, _sql(name.replace(".csv", ".sql")))}
    pub = _published(built, name)
    assert {tuple(r[k] for k in keys) for r in pub} == set(true)
    assert len(pub) == len(true)
    for row in pub:
        key = tuple(row[k] for k in keys)
        t = true[key]
        tally.cell(name, key, row["count"], t["count"], t["complainants"])
        tally.cell(name, key, row["share"], t["share"], t["complainants"])
        tally.cell(name, key, row["latest_month"], t["latest_month"], t["latest_complainants"])
        tally.cell(name, key, row["previous_month"], t["previous_month"],
                   t["previous_complainants"])


def test_by_element(built: Built, db: Any, tally: Tally) -> None:
    _share_table(built, db, tally, "by_element.csv", ("element",))


def test_by_category(built: Built, db: Any, tally: Tally) -> None:
    _share_table(built, db, tally, "by_category.csv", ("element", "category"))


RATES = ("responded_rate", "resolved_rate", "satisfied_rate", "composite_score", "ontime_rate")


def test_monthly(built: Built, db: Any, tally: Tally) -> None:
    true = {r["month"]: r for r in _rows(db, _sql("monthly.sql"))}
    pub = _published(built, "monthly.csv")
    assert [r["month"] for r in pub] == sorted(true)
    for row in pub:
        t = true[row["month"]]
        tally.cell("monthly.csv", row["month"], row["count"], t["count"], t["complainants"])
        for m in RATES:
            who = t["complainants"] if m == "ontime_rate" else t["valid_complainants"]
            tally.cell("monthly.csv", (row["month"], m), row[m], t[m], who)


def test_by_district(built: Built, db: Any, tally: Tally) -> None:
    true = {r["district"]: r for r in _rows(db, _sql("by_district.sql"))}
    pub = _published(built, "by_district.csv")
    assert sorted(r["district"] for r in pub) == sorted(true)
    for row in pub:
        d, t = row["district"], true[row["district"]]
        assert row["district_code"] == t["district_code"]
        tally.cell("by_district.csv", d, row["population_k"], t["population_k"], None)
        tally.cell("by_district.csv", d, row["count"], t["count"], t["complainants"])
        tally.cell("by_district.csv", d, row["per_10k"], t["per_10k"], t["complainants"],
                   digits=2)
        for m in RATES:
            who = t["complainants"] if m == "ontime_rate" else t["valid_complainants"]
            tally.cell("by_district.csv", (d, m), row[m], t[m], who)
        tally.cell("by_district.csv", d, row["latest_month"], t["latest_month"],
                   t["latest_complainants"])


# metric → (value, numerator, denominator) columns of the kpis view (None: published NA).
KPI_COLUMNS: dict[str, tuple[str, str | None, str | None]] = {
    "total": ("record", "record", None),
    "responded_rate": ("responded_rate", "contacted_ok", "valid"),
    "resolved_rate": ("resolved_rate", "resolved_ok", "valid"),
    "satisfied_rate": ("satisfied_rate", "satisfied_score", "valid"),
    "composite_score": ("composite_score", None, None),
    "ontime_rate": ("ontime_rate", "ontime", "closed"),
}


def test_kpis(built: Built, db: Any, tally: Tally) -> None:
    true = {(r["period"], r["scope"]): r for r in _rows(db, "SELECT * FROM kpis")}
    pub = _published(built, "kpis.csv")
    assert {(r["period"], r["scope"], r["metric"]) for r in pub} == {
        (p, s, m) for p, s in true for m in KPI_COLUMNS}
    assert len(pub) == len(true) * len(KPI_COLUMNS)
    for row in pub:
        key = (row["period"], row["scope"], row["metric"])
        t = true[key[:2]]
        value, num, den = KPI_COLUMNS[row["metric"]]
        who = (t["complainants"] if row["metric"] in ("total", "ontime_rate")
               else t["valid_complainants"])
        tally.cell("kpis.csv", key, row["value"], t[value], who)
        for column, part in (("numerator", num), ("denominator", den)):
            if part is None:
                assert row[column] in MARKS, (key, column)
                tally.skipped[("kpis.csv", row[column])] += 1
            else:
                tally.cell("kpis.csv", (*key, column), row[column], t[part], who)

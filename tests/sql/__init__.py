"""Load a data package and the project's configuration into DuckDB for the SQL in this folder.

Shared by tests/test_sql_recompute.py and benchmarks/bench_engine.py. Reads only the files
(complaints.csv, datapackage.json, data/metrics.yml, data/reference/); nothing from the
generator is imported, so the SQL stays an independent recomputation.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import yaml

SQL = Path(__file__).resolve().parent
ORDER = ("prep", "kpis", "counts_by_month", "by_element", "by_category", "by_district",
         "monthly", "monthly_elements", "monthly_categories", "district_categories",
         "weekly", "by_channel", "by_source", "by_tier", "hour_weekday",
         "handling_times", "repeat_rate", "hotspots", "hotspots_persistent", "warnings",
         "district_ranking", "street_ranking", "monthly_topic", "monthly_topic_rates",
         "monthly_topic_streets")
"""Every SQL file, in an order that respects their dependencies (prep and kpis first)."""


def sql(name: str) -> str:
    return (SQL / f"{name}.sql").read_text(encoding="utf-8")


def load(con: Any, package: Path, root: Path) -> dict[str, Any]:
    """Create the input tables prep.sql names; returns data/metrics.yml as parsed."""
    metrics: dict[str, Any] = yaml.safe_load(
        (root / "data" / "metrics.yml").read_text(encoding="utf-8"))
    con.execute("CREATE OR REPLACE TABLE complaints AS SELECT row_number() OVER () AS rn, * "
                "FROM read_csv(?, all_varchar = true, header = true)",
                [str(package / "complaints.csv")])
    hot, warn, rank = metrics["hotspots"], metrics["warnings"], metrics["ranking"]
    params = {
        "basic_satisfied_weight": metrics["rates"]["basic_satisfied_weight"],
        **{f"w_{m}": w for m, w in metrics["composite_weights"].items()},
        "window_months": rank["window_months"], "min_requests": rank["min_requests"],
        "precision": rank["precision"], "hotspot_window_days": hot["window_days"],
        "hotspot_min_requests": hot["min_requests"],
        "baseline_months": warn["baseline_months"], "warning_min_observed":
            warn["min_observed"], "warning_min_ratio": warn["min_ratio"],
        "k": metrics["disclosure"]["min_complainants"],
    }
    con.execute("CREATE OR REPLACE TABLE params (name VARCHAR, value DOUBLE)")
    con.executemany("INSERT INTO params VALUES (?, ?)",
                    [(n, float(v)) for n, v in params.items()])
    con.execute("CREATE OR REPLACE TABLE deadlines (urgency VARCHAR, hours DOUBLE, ord INT)")
    con.executemany("INSERT INTO deadlines VALUES (?, ?, ?)",
                    [(u, float(h), i) for i, (u, h) in
                     enumerate(metrics["deadlines_hours"].items())])
    reference = root / "data" / "reference"
    with (reference / "districts.csv").open(encoding="utf-8") as f:
        districts = [(r["district"], r["district_code"], float(r["population_k"]))
                     for r in csv.DictReader(f)]
    con.execute("CREATE OR REPLACE TABLE districts (district VARCHAR, district_code VARCHAR, "
                "population_k DOUBLE)")
    con.executemany("INSERT INTO districts VALUES (?, ?, ?)", districts)
    with (reference / "streets.csv").open(encoding="utf-8") as f:
        streets = [(r["street_code"], r["street"], r["district_code"], r["district"])
                   for r in csv.DictReader(f)]
    con.execute("CREATE OR REPLACE TABLE streets (street_code VARCHAR, street VARCHAR, "
                "district_code VARCHAR, district VARCHAR)")
    con.executemany("INSERT INTO streets VALUES (?, ?, ?, ?)", streets)
    taxonomy = yaml.safe_load((reference / "taxonomy.yml").read_text(encoding="utf-8"))
    pairs = [(e["name"], c["name"]) for e in taxonomy["elements"] for c in e["categories"]]
    con.execute("CREATE OR REPLACE TABLE categories (element VARCHAR, category VARCHAR, "
                "ord INT)")
    con.executemany("INSERT INTO categories VALUES (?, ?, ?)",
                    [(e, c, i) for i, (e, c) in enumerate(pairs)])
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    fields = {f["name"]: f for f in descriptor["resources"][0]["schema"]["fields"]}
    vocab = [(dim, v) for dim in ("channel", "source", "handling_level")
             for v in fields[dim]["constraints"]["enum"]]
    vocab += [("hotspot_period", p) for p in hot["periods"]]
    con.execute("CREATE OR REPLACE TABLE vocab (dim VARCHAR, value VARCHAR)")
    con.executemany("INSERT INTO vocab VALUES (?, ?)", vocab)
    con.execute("CREATE OR REPLACE TABLE topics (month VARCHAR, category VARCHAR)")
    con.executemany("INSERT INTO topics VALUES (?, ?)",
                    [(str(m), c) for m, c in (metrics.get("topics") or {}).items()])
    con.execute("CREATE OR REPLACE TABLE published_units (ranking VARCHAR, scope_code VARCHAR, "
                "hidden BOOLEAN, value DOUBLE)")
    return metrics

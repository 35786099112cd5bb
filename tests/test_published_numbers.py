"""Every published number, recomputed from the package CSV with plain Python (no pandas).

This code shares nothing with generator/stats: it re-reads the CSV with the csv module and
applies the documented definitions (methodology page, data/metrics.yml).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, Built

pytestmark = pytest.mark.slow

METRICS = yaml.safe_load((ROOT / "data" / "metrics.yml").read_text(encoding="utf-8"))
K = METRICS["disclosure"]["min_complainants"]


class Cell:
    def __init__(self) -> None:
        self.total = 0
        self.valid = 0
        self.contacted = 0
        self.resolved = 0
        self.satisfied = 0.0
        self.closed = 0
        self.ontime = 0
        self.people: set[str] = set()
        self.valid_people: set[str] = set()


def recompute(package: Path) -> dict[tuple[str, str], Cell]:
    cells: dict[tuple[str, str], Cell] = defaultdict(Cell)
    weight = METRICS["rates"]["basic_satisfied_weight"]
    deadlines = METRICS["deadlines_hours"]
    with (package / "complaints.csv").open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            received = dt.datetime.fromisoformat(row["received_at"])
            month = received.strftime("%Y-%m")
            for key in ((month, row["district"]), (month, "全市"), ("all", row["district"]),
                        ("all", "全市")):
                c = cells[key]
                c.total += 1
                if row["complainant_key"]:
                    c.people.add(row["complainant_key"])
                if row["status"] == "已办结":
                    c.closed += 1
                    hours = (dt.datetime.fromisoformat(row["closed_at"]) - received)
                    if hours.total_seconds() / 3600 <= deadlines[row["urgency"]]:
                        c.ontime += 1
                    if row["source"] == "市民诉求" and row["revisit_valid"] == "是":
                        c.valid += 1
                        c.valid_people.add(row["complainant_key"])
                        c.contacted += row["contacted"] == "是"
                        c.resolved += row["resolved"] == "是"
                        c.satisfied += {"满意": 1.0, "基本满意": weight}.get(
                            row["satisfaction"], 0.0)
    return cells


def published(site: Path) -> dict[tuple[str, str, str], dict[str, str]]:
    with (site / "data" / "kpis.csv").open(encoding="utf-8", newline="") as fh:
        return {(r["period"], r["scope"], r["metric"]): r for r in csv.DictReader(fh)}


def test_kpis_match_independent_recomputation(built: Built) -> None:
    cells = recompute(built.package)
    kpis = published(built.site)
    assert {(p, s) for p, s, _ in kpis} == set(cells)
    checked = 0
    for (period, scope), c in cells.items():
        rates = {
            "responded_rate": (c.contacted, c.valid),
            "resolved_rate": (c.resolved, c.valid),
            "satisfied_rate": (c.satisfied, c.valid),
        }
        row = kpis[(period, scope, "total")]
        if 0 < len(c.people) < K:
            assert row["value"] == "", (period, scope)
        elif row["value"]:
            assert int(row["value"]) == c.total
            checked += 1
        for metric, (num, den) in rates.items():
            row = kpis[(period, scope, metric)]
            if len(c.valid_people) < K:
                assert row["value"] == ""
                continue
            if row["value"]:
                assert float(row["value"]) == pytest.approx(num / den, abs=1e-9)
                assert float(row["denominator"]) == den
                checked += 1
        row = kpis[(period, scope, "ontime_rate")]
        if row["value"]:
            assert float(row["value"]) == pytest.approx(c.ontime / c.closed, abs=1e-9)
        w = METRICS["composite_weights"]
        comp = kpis[(period, scope, "composite_score")]["value"]
        if comp and c.valid:
            expected = 100 * sum(w[m] * rates[m][0] / rates[m][1] for m in rates)
            assert float(comp) == pytest.approx(expected, abs=1e-6)
    assert checked > 500  # the small sample leaves almost every cell published


def test_no_group_hides_exactly_one_total(built: Built) -> None:
    kpis = published(built.site)
    for axis in (0, 1):
        hidden: dict[str, int] = defaultdict(int)
        for (period, scope, metric), row in kpis.items():
            if metric == "total" and row["value"] == "":
                hidden[(period, scope)[axis]] += 1
        assert all(n != 1 for n in hidden.values()), hidden


def test_home_page_shows_recomputed_figures(built: Built) -> None:
    cells = recompute(built.package)
    city = cells[("all", "全市")]
    html = (built.site / "index.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", html)
    assert f"{city.total:,} 件" in text
    assert f"{city.contacted / city.valid * 100:.2f}%" in text
    assert f"{city.resolved / city.valid * 100:.2f}%" in text
    assert f"{city.satisfied / city.valid * 100:.2f}%" in text
    assert f"{city.ontime / city.closed * 100:.2f}%" in text
    months = sorted(p for p, s in cells if p != "all" and s == "全市")
    latest, previous = cells[(months[-1], "全市")], cells[(months[-2], "全市")]
    assert f"{latest.total:,}" in text and f"{previous.total:,}" in text


def test_counts_by_month_match(built: Built) -> None:
    counts: dict[tuple[str, ...], int] = defaultdict(int)
    people: dict[tuple[str, ...], set[str]] = defaultdict(set)
    with (built.package / "complaints.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            key = (row["received_at"][:7], row["district"], row["element"], row["category"])
            counts[key] += 1
            if row["complainant_key"]:
                people[key].add(row["complainant_key"])
    with (built.site / "data" / "counts_by_month.csv").open(encoding="utf-8") as fh:
        rows = {(r["month"], r["district"], r["element"], r["category"]): r["count"]
                for r in csv.DictReader(fh)}
    assert set(rows) == set(counts)
    for key, value in rows.items():
        if 0 < len(people[key]) < K:
            assert value == "", key
        elif value:
            assert int(value) == counts[key]

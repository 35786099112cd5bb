"""The independent auditor (tests/auditor.py) on a reduced release: from the published CSVs
alone (and the data, to know which hidden cells are small), the tightest bounds an LP attacker
derives for every small hidden count must still include 1 and k−1. It also catches a planted
leak, and a second release leaks nothing together with the first.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import pytest

from tests.auditor import Cell, Universe, audit, published_cells, shares_beside_hidden_counts
from tests.conftest import BUILD_DAY, ROOT
from tests.project_copy import copy_project

pytestmark = pytest.mark.slow

REFERENCE = ROOT / "data" / "reference"


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Universe]:
    """Two districts over six months (a few hundred records), built like any release."""
    from generator.pipeline import build_site
    from generator.sample import write_sample
    from tests.test_data_shapes import derive

    root = tmp_path_factory.mktemp("audit")
    full = root / "full"
    write_sample(full, end_month=dt.date(2026, 10, 1), months=6, records=6_000, seed=3)
    package = derive(full, root / "two", lambda r: r["district"] in ("东城区", "门头沟区"))
    site = root / "site"
    build_site(ROOT, package=package, site_dir=site, echo=lambda _: None, today=BUILD_DAY)
    return site, Universe(package, REFERENCE)


def test_no_small_hidden_count_can_be_narrowed(release: tuple[Path, Universe]) -> None:
    site, universe = release
    cells = published_cells(site, universe)
    report = audit(cells, universe)
    assert report.checked >= 10  # the reduced release does hide small cells
    assert {c.name for c in cells if c.hidden} >= {"counts_by_month", "kpis", "kpis.n"}
    assert [(f.cell.name, f.cell.key, f.low, f.high) for f in report.findings] == []
    assert shares_beside_hidden_counts(site) == []


def test_the_auditor_catches_a_planted_leak(release: tuple[Path, Universe]) -> None:
    site, universe = release
    cells = published_cells(site, universe)
    # Pick a small hidden district-month-category cell and publish every other hidden cell of
    # its district and month (their true values): the district-month total then gives it away.
    target = next(c for c in cells if c.name == "counts_by_month" and c.hidden
                  and 0 < universe.complainants(c.cols) < 5)
    month, district, _ = target.key
    planted = []
    for c in cells:
        same_row = c.name == "counts_by_month" and c.key[:2] == (month, district)
        total = c.name == "kpis" and c.key == (month, district, "total")
        if (same_row and c is not target) or total:
            c = Cell(c.name, c.key, c.cols, str(int(universe.value(c.cols))))
        planted.append(c)
    findings = audit(planted, universe).findings
    value = universe.value(target.cols)
    caught = [f for f in findings if f.cell.name == "counts_by_month" and f.cell.key ==
              target.key]
    assert caught and caught[0].low == pytest.approx(value)
    assert caught[0].high == pytest.approx(value)
    assert caught[0].pins  # and it names the published cells that pin it


def _project(root: Path, package: Path) -> Path:
    """A project holding `package` as its own data package (a build of it is a release)."""
    return copy_project(root / "project", complaints=package)


def test_a_second_release_keeps_the_first_and_leaks_nothing_with_it(
        tmp_path: Path) -> None:
    """Release 1 (May–September) is recorded; release 2 adds October. Release 2 keeps every
    final figure and hiding of release 1, and the auditor, knowing both releases' figures
    (release 1's cumulative ones over its own months), finds no small count narrowed."""
    from generator.pipeline import build_site
    from generator.sample import write_sample
    from tests.test_data_shapes import derive

    full = tmp_path / "full"
    write_sample(full, end_month=dt.date(2026, 10, 1), months=6, records=6_000, seed=3)
    two = derive(full, tmp_path / "two", lambda r: r["district"] in ("东城区", "门头沟区"))
    first = derive(two, tmp_path / "first", lambda r: r["received_at"][:7] <= "2026-09")
    project = _project(tmp_path, first)
    build_site(project, package=project / "data" / "complaints", site_dir=project / "site",
               echo=lambda _: None, today=BUILD_DAY)
    assert (project / "data" / "releases" / "2026-09.jsonl").exists()
    one = {name: _csv(project / "site" / "data" / f"{name}.csv")
           for name in ("counts_by_month", "kpis", "by_channel", "weekly")}
    shutil.rmtree(project / "data" / "complaints")
    shutil.copytree(two, project / "data" / "complaints")
    build_site(project, package=project / "data" / "complaints", site_dir=project / "site",
               echo=lambda _: None, today=BUILD_DAY)
    assert (project / "data" / "releases" / "2026-10.jsonl").exists()
    later = {(r["month"], r["district"], r["category"]): r["count"]
             for r in _csv(project / "site" / "data" / "counts_by_month.csv")}
    for r in one["counts_by_month"]:  # final months of release 1: the same tokens
        assert later[(r["month"], r["district"], r["category"])] == r["count"], r
    final = {r["month"] for r in one["counts_by_month"]}  # release 1's final months
    for name, key in (("by_channel", ("period", "scope_code", "channel")),
                      ("weekly", ("period", "element"))):
        now = {tuple(r[c] for c in key): r["count"]
               for r in _csv(project / "site" / "data" / f"{name}.csv")}
        for r in one[name]:  # side tables keep their final months' tokens too
            if r["period"][:7] in final and len(r["period"]) in (7, 10):
                assert now[tuple(r[c] for c in key)] == r["count"], (name, r)
    universe = Universe(project / "data" / "complaints", REFERENCE)
    span = sorted({r["month"] for r in _csv(project / "site" / "data" / "monthly.csv")})
    earlier_months = sorted({r["period"] for r in one["kpis"] if len(r["period"]) == 7})
    cells = published_cells(project / "site", universe)
    alone = {(f.cell.name, f.cell.key) for f in audit(list(cells), universe).findings}
    for r in one["kpis"]:  # release 1's totals, cumulative ones over release 1's months
        if r["metric"] == "total":
            period = r["period"]
            if period == "all" or (len(period) == 4 and period == earlier_months[-1][:4]):
                period = f"{max(earlier_months[0], period + '-01' if len(period) == 4 else '')}" \
                    f"/{earlier_months[-1]}" if period != "all" else \
                    f"{earlier_months[0]}/{earlier_months[-1]}"
            cells.append(Cell("kpis@1", (period, r["scope_code"]),
                              universe.select("base", period, r["scope_code"]), r["value"]))
    assert span[-1] == "2026-10"
    # Neither release 2 alone nor the two together narrow any small count.
    both = {(f.cell.name, f.cell.key) for f in audit(cells, universe).findings}
    assert alone == set()
    assert both == set()

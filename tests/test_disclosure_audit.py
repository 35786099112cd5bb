"""An independent auditor of a reduced release: from the published CSVs alone (and the data,
to know which hidden cells are small), the tightest bounds an LP attacker derives for every
small hidden count must still include 1 and k−1. It also catches a planted leak.

The auditor models the real attacker, not the engine's decomposition: its variables are the
street × month × category atoms of the data, every published count of the cube (kpis totals of
the city, districts and streets; counts_by_month; monthly_elements; monthly_categories;
district_categories; by_element, by_category and by_district with their latest months;
monthly; warnings' observed counts) is an equality when shown and "≥ 1" when hidden.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import yaml
from scipy.optimize import linprog

from tests.conftest import BUILD_DAY, ROOT

pytestmark = pytest.mark.slow

K = 5
Atom = tuple[str, str, str]  # street code, month, category


@dataclass
class Cell:
    name: str
    atoms: frozenset[Atom]
    token: str


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


class Universe:
    """The data's atoms and how a published key selects them (written from the definitions)."""

    def __init__(self, package: Path) -> None:
        self.records = _csv(package / "complaints.csv")
        reference = ROOT / "data" / "reference"
        self.district_code = {r["district"]: r["district_code"]
                              for r in _csv(reference / "districts.csv")}
        self.street_district = {r["street_code"]: r["district_code"]
                                for r in _csv(reference / "streets.csv")}
        taxonomy = yaml.safe_load((reference / "taxonomy.yml").read_text("utf-8"))
        self.element = {c["name"]: e["name"] for e in taxonomy["elements"]
                        for c in e["categories"]}
        self.size: dict[Atom, int] = defaultdict(int)
        self.people: dict[Atom, set[str]] = defaultdict(set)
        for r in self.records:
            atom = (r["street_code"], r["received_at"][:7], r["category"])
            self.size[atom] += 1
            if r["complainant_key"]:
                self.people[atom].add(r["complainant_key"])
        self.atoms = sorted(self.size)

    def months(self, period: str) -> set[str]:
        every = {a[1] for a in self.atoms}
        if period == "all":
            return every
        if m := re.fullmatch(r"(\d{4}-\d{2})/(\d{4}-\d{2})", period):
            return {x for x in every if m.group(1) <= x <= m.group(2)}
        if m := re.fullmatch(r"(\d{4})Q([1-4])", period):
            first = 3 * int(m.group(2)) - 2
            return {f"{m.group(1)}-{x:02d}" for x in range(first, first + 3)}
        if re.fullmatch(r"\d{4}", period):
            return {x for x in every if x.startswith(period)}
        return {period}

    def select(self, period: str, region: str, subject: str | None,
               element: bool = False) -> frozenset[Atom]:
        months = self.months(period)

        def inside(a: Atom) -> bool:
            street, month, category = a
            if month not in months:
                return False
            if region not in ("city", street, self.street_district.get(street)):
                return False
            if subject is None:
                return True
            return (self.element[category] if element else category) == subject

        return frozenset(a for a in self.atoms if inside(a))

    def complainants(self, cell: Cell) -> int:
        return len(set().union(*(self.people[a] for a in cell.atoms))) if cell.atoms else 0

    def value(self, cell: Cell) -> int:
        return sum(self.size[a] for a in cell.atoms)


def published_cells(site: Path, u: Universe) -> list[Cell]:
    data, cells = site / "data", []

    def add(name: str, atoms: frozenset[Atom], token: str) -> None:
        cells.append(Cell(name, atoms, token))

    latest = max(r["month"] for r in _csv(data / "monthly.csv"))
    months = sorted({r["month"] for r in _csv(data / "monthly.csv")})
    previous = months[-2] if len(months) > 1 else None
    for r in _csv(data / "kpis.csv"):
        if r["metric"] == "total":
            add("kpis", u.select(r["period"], r["scope_code"], None), r["value"])
    for r in _csv(data / "counts_by_month.csv"):
        add("counts_by_month", u.select(r["month"], u.district_code[r["district"]],
                                        r["category"]), r["count"])
    for r in _csv(data / "monthly_elements.csv"):
        add("monthly_elements", u.select(r["period"], "city", r["element"], True), r["count"])
    for r in _csv(data / "monthly_categories.csv"):
        add("monthly_categories", u.select(r["period"], "city", r["category"]), r["count"])
    for r in _csv(data / "district_categories.csv"):
        add("district_categories", u.select(r["period"], r["district_code"], r["category"]),
            r["count"])
    for name, key, element in (("by_element", "element", True),
                               ("by_category", "category", False)):
        for r in _csv(data / f"{name}.csv"):
            add(name, u.select("all", "city", r[key], element), r["count"])
            add(name, u.select(latest, "city", r[key], element), r["latest_month"])
            if previous:
                add(name, u.select(previous, "city", r[key], element), r["previous_month"])
    for r in _csv(data / "by_district.csv"):
        add("by_district", u.select("all", r["district_code"], None), r["count"])
        add("by_district", u.select(latest, r["district_code"], None), r["latest_month"])
    for r in _csv(data / "warnings.csv"):
        add("warnings", u.select(r["period"], r["street_code"], r["category"]), r["observed"])
    return cells


def audit(cells: list[Cell], u: Universe) -> list[tuple[Cell, float, float]]:
    """Every hidden cell on 1..k−1 complainants whose LP bounds miss 1 (or the least value that
    "every non-zero cell is ≥ 1" alone forces) or k−1 (when its own value does not already
    reach it)."""
    index = {a: i for i, a in enumerate(u.atoms)}

    def row(cell: Cell) -> np.ndarray:
        out = np.zeros(len(u.atoms))
        out[[index[a] for a in cell.atoms]] = 1.0
        return out

    shown = [c for c in cells if c.token != "suppressed" and c.atoms]
    hidden = [c for c in cells if c.token == "suppressed"]
    a_eq = np.array([row(c) for c in shown]) if shown else None
    b_eq = np.array([float(c.token) for c in shown]) if shown else None
    a_ub = -np.array([row(c) for c in hidden]) if hidden else None
    b_ub = -np.ones(len(hidden)) if hidden else None
    # What no hiding could avoid: every non-zero cell, shown or hidden, is known to be ≥ 1
    # (zeros are always published), so a small cell made of several non-zero cells can never
    # look smaller than their number.
    nonzero = [c for c in cells if c.atoms and c.token != "0"]
    a_floor = -np.array([row(c) for c in nonzero]) if nonzero else None
    b_floor = -np.ones(len(nonzero)) if nonzero else None
    leaks = []
    for cell in hidden:
        people = u.complainants(cell)
        if not 0 < people < K:
            continue
        objective = row(cell)
        bounds = [(0, None)] * len(u.atoms)
        lo = linprog(objective, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds)
        hi = linprog(-objective, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds)
        assert lo.status == 0 and hi.status == 0, "the published tables contradict the data"
        floor = linprog(objective, A_ub=a_floor, b_ub=b_floor, bounds=bounds).fun
        low, high = lo.fun, -hi.fun
        if low > max(1.0, floor) + 1e-6 or high < min(K - 1, max(K - 1, u.value(cell))) - 1e-6:
            leaks.append((cell, low, high))
    return leaks


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
    return site, Universe(package)


def test_no_small_hidden_count_can_be_narrowed(release: tuple[Path, Universe]) -> None:
    site, universe = release
    cells = published_cells(site, universe)
    small = [c for c in cells if c.token == "suppressed" and 0 < universe.complainants(c) < K]
    assert len(small) >= 10  # the reduced release does hide small cells
    assert audit(cells, universe) == []


def test_the_auditor_catches_a_planted_leak(release: tuple[Path, Universe]) -> None:
    site, universe = release
    cells = published_cells(site, universe)
    # Pick a small hidden district-month-category cell and publish every other hidden cell of
    # its district and month (their true values): the district-month total then gives it away.
    target = next(c for c in cells if c.name == "counts_by_month" and c.token == "suppressed"
                  and 0 < universe.complainants(c) < K)
    (_, month, _), district = next(iter(target.atoms)), None
    district = universe.street_district[next(iter(target.atoms))[0]]
    planted = []
    for c in cells:
        same_row = c.name == "counts_by_month" and c is not target and c.atoms and all(
            a[1] == month and universe.street_district[a[0]] == district for a in c.atoms)
        if same_row and c.token == "suppressed":
            c = Cell(c.name, c.atoms, str(universe.value(c)))
        planted.append(c)
    total = next(c for c in planted if c.name == "kpis" and c.atoms == universe.select(
        month, district, None))
    planted = [Cell(c.name, c.atoms, str(universe.value(c))) if c is total else c
               for c in planted]
    leaks = audit(planted, universe)
    assert any(cell.atoms == target.atoms and low == pytest.approx(high)
               == universe.value(target) for cell, low, high in leaks)


def _project(root: Path, package: Path) -> Path:
    """A project holding `package` as its own data package (a build of it is a release)."""
    project = root / "project"
    for name in ("site_src", "data"):
        shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("complaints"))
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(package, project / "data" / "complaints")
    return project


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
    universe = Universe(project / "data" / "complaints")
    span = sorted({r["month"] for r in _csv(project / "site" / "data" / "monthly.csv")})
    earlier_months = sorted({r["period"] for r in one["kpis"] if len(r["period"]) == 7})
    cells = published_cells(project / "site", universe)
    for r in one["kpis"]:  # release 1's totals, cumulative ones over release 1's months
        if r["metric"] == "total":
            period = r["period"]
            if period == "all" or (len(period) == 4 and period == earlier_months[-1][:4]):
                period = f"{max(earlier_months[0], period + '-01' if len(period) == 4 else '')}" \
                    f"/{earlier_months[-1]}" if period != "all" else \
                    f"{earlier_months[0]}/{earlier_months[-1]}"
            cells.append(Cell("kpis@1", universe.select(period, r["scope_code"], None),
                              r["value"]))
    assert span[-1] == "2026-10"
    assert audit(cells, universe) == []

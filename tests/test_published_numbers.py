"""Every published number, recomputed from the package CSV with plain Python (no pandas).

This code shares nothing with generator/stats: it re-reads the CSV with the csv module and
applies the documented definitions (methodology page, data/metrics.yml).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
import shutil
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, Built

pytestmark = pytest.mark.slow

METRICS = yaml.safe_load((ROOT / "data" / "metrics.yml").read_text(encoding="utf-8"))
K = METRICS["disclosure"]["min_complainants"]
HIDDEN, NA = "suppressed", "NA"  # the two tokens declared in site/data/datapackage.json
with (ROOT / "data" / "reference" / "districts.csv").open(encoding="utf-8") as _fh:
    _DISTRICT_ROWS = list(csv.DictReader(_fh))
DISTRICTS = [r["district"] for r in _DISTRICT_ROWS]
DISTRICT_CODES = [r["district_code"] for r in _DISTRICT_ROWS]
with (ROOT / "data" / "reference" / "streets.csv").open(encoding="utf-8") as _fh:
    STREET_CODES = [r["street_code"] for r in csv.DictReader(_fh)]
TAXONOMY = [(e["name"], c["name"]) for e in yaml.safe_load(
    (ROOT / "data" / "reference" / "taxonomy.yml").read_text(encoding="utf-8"))["elements"]
    for c in e["categories"]]


def calendar(months: set[str]) -> list[str]:
    """Every month from the first to the last, by counting (not from the generator)."""
    first, last = min(months), max(months)
    y, m = int(first[:4]), int(first[5:])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


@pytest.fixture(scope="module")
def gappy(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The sample without one month in the middle, without 怀柔区 and without 危险废物."""
    from generator.pipeline import build_site
    from tests.conftest import BUILD_DAY

    folder = tmp_path_factory.mktemp("gappy")
    package = folder / "complaints"
    package.mkdir()
    shutil.copy(built.package / "datapackage.json", package / "datapackage.json")
    lines = (built.package / "complaints.csv").read_text("utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    at = {name: i for i, name in enumerate(header)}
    kept = [lines[0]] + [
        line for line in lines[1:]
        if (cells := line.split(","))[at["received_at"]][:7] != "2026-03"
        and cells[at["district"]] != "怀柔区" and cells[at["category"]] != "危险废物"]
    (package / "complaints.csv").write_text("".join(kept), "utf-8")
    site = folder / "site"
    build_site(ROOT, package=package, site_dir=site, echo=lambda _: None, today=BUILD_DAY)
    return Built(package, site, "")


@pytest.fixture(params=["sample", "gappy"])
def any_built(request: pytest.FixtureRequest) -> Built:
    """Each check runs on the sample and on the sample with a gap month, district, category."""
    name = "built" if request.param == "sample" else "gappy"
    value: Built = request.getfixturevalue(name)
    return value




class Cell:
    def __init__(self) -> None:
        self.total = 0
        self.citizen = 0
        self.escalated = 0
        self.valid = 0
        self.contacted = 0
        self.resolved = 0
        self.satisfied = 0.0
        self.closed = 0
        self.ontime = 0
        self.people: set[str] = set()
        self.valid_people: set[str] = set()
        self.closed_people: set[str] = set()


def quarter(month: str) -> str:
    return f"{month[:4]}Q{(int(month[5:]) - 1) // 3 + 1}"


def months_of(q: str) -> list[str]:
    """'2026Q3' → ['2026-07', '2026-08', '2026-09']."""
    first = 3 * int(q[5]) - 2
    return [f"{q[:4]}-{m:02d}" for m in range(first, first + 3)]


@dataclass(frozen=True)
class Periods:
    """The published calendar, from the publishing rules (初步数据 held back)."""

    months: list[str]
    """Every calendar month of the data, gaps included."""
    provisional: set[str]
    """Months with a request not 已办结, and the latest month when the export cuts it short."""
    final_quarters: list[str]
    """Quarters whose three months are in the data and none provisional."""
    window: list[str]
    """The ranking window's months (empty: none)."""

    @property
    def label(self) -> str | None:
        return f"{self.window[0]}/{self.window[-1]}" if self.window else None


def periods_of(records: list[dict[str, str]]) -> Periods:
    stamps = [dt.datetime.fromisoformat(r["received_at"]) for r in records]
    months = calendar({t.strftime("%Y-%m") for t in stamps})
    provisional = {t.strftime("%Y-%m") for t, r in zip(stamps, records, strict=True)
                   if r["status"] != "已办结"}
    last = max(stamps)
    if (last.date() + dt.timedelta(days=1)).month == last.month:  # cut before the month's end
        provisional.add(months[-1])
    quarters = list(dict.fromkeys(quarter(m) for m in months))
    final = [q for q in quarters
             if all(m in months and m not in provisional for m in months_of(q))]
    window: list[str] = []
    if final:
        end = months.index(months_of(final[-1])[-1])
        window = months[max(0, end + 1 - METRICS["ranking"]["window_months"]):end + 1]
        while window and int(window[0][5:]) % 3 != 1:  # start on a quarter's first month
            window.pop(0)
    return Periods(months, provisional, final, window)


def read_records(package: Path) -> list[dict[str, str]]:
    with (package / "complaints.csv").open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def recompute(package: Path) -> dict[tuple[str, str], Cell]:
    """Sums per (period, scope_code) at the published cuts: 全市 ('city') and every district
    by month, quarter, year, the ranking window and 'all' (provisional months included);
    every street by final quarter and the window."""
    weight = METRICS["rates"]["basic_satisfied_weight"]
    deadlines = METRICS["deadlines_hours"]
    records = read_records(package)
    cal = periods_of(records)
    window, label, final = set(cal.window), cal.label, set(cal.final_quarters)
    cells: dict[tuple[str, str], Cell] = defaultdict(Cell)
    for row in records:
        received = dt.datetime.fromisoformat(row["received_at"])
        month = received.strftime("%Y-%m")
        wide = [month, quarter(month), month[:4], "all"]
        narrow = [quarter(month)] if quarter(month) in final else []
        if label is not None and month in window:
            wide.append(label)
            narrow.append(label)
        keys = [(p, s) for p in wide for s in ("city", row["district_code"])]
        keys += [(p, row["street_code"]) for p in narrow]
        who = row["complainant_key"]
        closed = row["status"] == "已办结"
        valid = closed and row["source"] == "市民诉求" and row["revisit_valid"] == "是"
        for key in keys:
            c = cells[key]
            c.total += 1
            c.citizen += row["source"] == "市民诉求"
            c.escalated += row["escalated"] == "是"
            if who:
                c.people.add(who)
            if closed:
                c.closed += 1
                if who:
                    c.closed_people.add(who)
                hours = (dt.datetime.fromisoformat(row["closed_at"]) - received)
                if hours.total_seconds() / 3600 <= deadlines[row["urgency"]]:
                    c.ontime += 1
                if valid:
                    c.valid += 1
                    c.valid_people.add(who)
                    c.contacted += row["contacted"] == "是"
                    c.resolved += row["resolved"] == "是"
                    c.satisfied += {"满意": 1.0, "基本满意": weight}.get(
                        row["satisfaction"], 0.0)
    return cells


def wilson(num: float, den: float, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson score interval, written out independently of generator.stats.metrics."""
    p = num / den
    centre = p + z * z / (2 * den)
    spread = z * math.sqrt(p * (1 - p) / den + z * z / (4 * den * den))
    scale = 1 + z * z / den
    return max(0.0, (centre - spread) / scale), min(1.0, (centre + spread) / scale)


def published(site: Path) -> dict[tuple[str, str, str], dict[str, str]]:
    """kpis.csv by (period, scope_code, metric): scope names repeat across districts."""
    with (site / "data" / "kpis.csv").open(encoding="utf-8", newline="") as fh:
        return {(r["period"], r["scope_code"], r["metric"]): r for r in csv.DictReader(fh)}


def expected_keys(cal: Periods) -> set[tuple[str, str]]:
    window = [cal.label] if cal.label else []
    wide = [*cal.months, *dict.fromkeys(quarter(m) for m in cal.months),
            *dict.fromkeys(m[:4] for m in cal.months), "all", *window]
    narrow = [*cal.final_quarters, *window]
    return ({(p, s) for p in wide for s in ["city", *DISTRICT_CODES]}
            | {(p, s) for p in narrow for s in STREET_CODES})


def who_of(c: Cell, metric: str) -> int:
    """Distinct complainants the k rule counts for a metric's cell."""
    if metric in RATE_METRICS:
        return len(c.valid_people)
    return len(c.closed_people) if metric == "ontime_rate" else len(c.people)


RATE_METRICS = ("responded_rate", "resolved_rate", "satisfied_rate", "composite_score")


def test_periods_rule_on_hand_made_records() -> None:
    """The calendar rule itself: an open request makes its month provisional, an export
    cut short makes the latest month provisional, the window ends with the last final
    quarter and starts on a quarter's first month."""
    def record(day: str, status: str = "已办结") -> dict[str, str]:
        return {"received_at": f"{day}T10:00:00", "status": status}

    records = [record(f"{y}-{m:02d}-15") for y, m in
               [(2025, m) for m in range(2, 13)] + [(2026, m) for m in range(1, 5)]]
    records += [record("2025-08-03", "办理中"), record("2026-05-20")]
    cal = periods_of(records)
    assert cal.provisional == {"2025-08", "2026-05"}
    # 2025Q1 lacks January, 2025Q3 holds August, 2026Q2 is cut short.
    assert cal.final_quarters == ["2025Q2", "2025Q4", "2026Q1"]
    assert cal.label == "2025-04/2026-03"
    records[-1] = record("2026-05-31")  # the export now ends on the month's last day
    assert periods_of(records).provisional == {"2025-08"}


def test_sample_calendar_holds_back_provisional_months(built: Built) -> None:
    """The sample (2025-11 … 2026-10, ending 31 October) has open requests in October 2026
    only: October is 初步数据, 2025Q4 lacks October 2025, so streets are published for
    2026Q1–Q3 and the window is 2026-01/2026-09 (12 months back, from January)."""
    cal = periods_of(read_records(built.package))
    assert cal.provisional == {"2026-10"}
    assert cal.final_quarters == ["2026Q1", "2026Q2", "2026Q3"]
    assert cal.label == "2026-01/2026-09"
    kpis = published(built.site)
    streets = {p for p, s, _ in kpis if s in STREET_CODES}
    assert streets == {"2026Q1", "2026Q2", "2026Q3", "2026-01/2026-09"}
    with (built.site / "data" / "counts_by_month.csv").open(encoding="utf-8") as fh:
        assert {r["month"] for r in csv.DictReader(fh)} == set(calendar({"2025-11",
                                                                         "2026-09"}))
    with (built.site / "data" / "street_ranking.csv").open(encoding="utf-8") as fh:
        assert {r["window"] for r in csv.DictReader(fh)} == {"2026-01/2026-09"}


def test_kpis_match_independent_recomputation(any_built: Built) -> None:
    cells = recompute(any_built.package)
    kpis = published(any_built.site)
    expected = expected_keys(periods_of(read_records(any_built.package)))
    assert {(p, s) for p, s, _ in kpis} == expected
    assert {m for _, _, m in kpis} == {"total", "citizen_total", "proactive_total",
                                       "escalation_rate", "ontime_rate", *RATE_METRICS}
    checked = 0
    for period, scope in expected:
        c = cells.get((period, scope), Cell())
        rates = {
            "responded_rate": (c.contacted, c.valid),
            "resolved_rate": (c.resolved, c.valid),
            "satisfied_rate": (c.satisfied, c.valid),
        }
        for metric, count in (("total", c.total), ("citizen_total", c.citizen),
                              ("proactive_total", c.total - c.citizen)):
            row = kpis[(period, scope, metric)]
            assert row["denominator"] == row["n"] == row["ci_low"] == row["ci_high"] == NA
            if 0 < len(c.people) < K:
                assert row["value"] == row["numerator"] == HIDDEN, (period, scope)
            elif row["value"] != HIDDEN:
                assert int(row["value"]) == int(row["numerator"]) == count
                checked += 1
        for metric, (num, den) in rates.items():
            row = kpis[(period, scope, metric)]
            if 0 < len(c.valid_people) < K:
                assert row["value"] == row["numerator"] == row["denominator"] == HIDDEN
                assert row["n"] == row["ci_low"] == row["ci_high"] == HIDDEN
            elif den == 0:
                assert row["value"] in (NA, HIDDEN), (period, scope)
                if row["value"] == NA:
                    assert float(row["denominator"]) == 0 and row["n"] == "0"
                    assert row["ci_low"] == row["ci_high"] == NA
            elif row["value"] != HIDDEN:
                assert float(row["value"]) == pytest.approx(num / den, abs=1e-9)
                assert float(row["denominator"]) == den
                assert int(row["n"]) == den
                low, high = wilson(num, den)
                assert float(row["ci_low"]) == pytest.approx(low, abs=1e-9)
                assert float(row["ci_high"]) == pytest.approx(high, abs=1e-9)
                checked += 1
            else:
                assert row["n"] == row["ci_low"] == row["ci_high"] == HIDDEN
        for metric, (num, den) in (("ontime_rate", (c.ontime, c.closed)),
                                   ("escalation_rate", (c.escalated, c.total))):
            row = kpis[(period, scope, metric)]
            if row["value"] not in (HIDDEN, NA):
                assert float(row["value"]) == pytest.approx(num / den, abs=1e-9)
                assert int(row["n"]) == den
                assert float(row["ci_low"]) == pytest.approx(wilson(num, den)[0], abs=1e-9)
                assert float(row["ci_high"]) == pytest.approx(wilson(num, den)[1], abs=1e-9)
                checked += 1
            elif row["value"] == NA:
                assert den == 0
        w = METRICS["composite_weights"]
        comp = kpis[(period, scope, "composite_score")]
        assert comp["numerator"] == comp["denominator"] == NA
        if comp["value"] not in (HIDDEN, NA):
            expected_score = 100 * sum(w[m] * rates[m][0] / rates[m][1] for m in rates)
            assert float(comp["value"]) == pytest.approx(expected_score, abs=1e-6)
            low = 100 * sum(w[m] * wilson(*rates[m])[0] for m in rates)
            high = 100 * sum(w[m] * wilson(*rates[m])[1] for m in rates)
            assert float(comp["ci_low"]) == pytest.approx(low, abs=1e-6)
            assert float(comp["ci_high"]) == pytest.approx(high, abs=1e-6)
            assert int(comp["n"]) == c.valid
        elif comp["value"] == NA:
            assert c.valid == 0
    assert checked > 500  # the small sample leaves most cells published


def test_no_visible_kpi_rests_on_few_complainants(any_built: Built) -> None:
    """k rule: a visible figure never rests on 1..k−1 distinct complainants (those behind
    the records for totals and the escalation rate, behind 有效回访 for the three rates and
    the composite score, behind closed requests for the on-time rate). Whether complementary
    hiding leaves an attacker nothing to narrow is the disclosure auditor's test."""
    cells = recompute(any_built.package)
    visible = 0
    for (period, scope, metric), row in published(any_built.site).items():
        if row["value"] in (HIDDEN, NA):
            continue
        assert not 0 < who_of(cells.get((period, scope), Cell()), metric) < K, (
            period, scope, metric)
        visible += 1
    assert visible > 1000


def test_no_published_cell_is_empty(any_built: Built) -> None:
    for path in (any_built.site / "data").glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                assert "" not in row.values(), (path.name, row)


def test_home_page_shows_recomputed_figures(built: Built) -> None:
    cells = recompute(built.package)
    city = cells[("all", "city")]
    html = (built.site / "index.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", html)
    assert f"{city.total:,} 件" in text
    assert f"{city.contacted / city.valid * 100:.2f}%" in text
    assert f"{city.resolved / city.valid * 100:.2f}%" in text
    assert f"{city.satisfied / city.valid * 100:.2f}%" in text
    assert f"{city.ontime / city.closed * 100:.2f}%" in text
    months = sorted(p for p, s in cells if len(p) == 7 and p[4] == "-" and s == "city")
    latest, previous = cells[(months[-1], "city")], cells[(months[-2], "city")]
    assert f"{latest.total:,}" in text and f"{previous.total:,}" in text


def raw_counts(package: Path) -> tuple[dict[tuple[str, ...], int], dict[tuple[str, ...], set[str]]]:
    counts: dict[tuple[str, ...], int] = defaultdict(int)
    people: dict[tuple[str, ...], set[str]] = defaultdict(set)
    with (package / "complaints.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            key = (row["received_at"][:7], row["district"], row["element"], row["category"])
            counts[key] += 1
            if row["complainant_key"]:
                people[key].add(row["complainant_key"])
    return counts, people


def test_counts_by_month_match(any_built: Built) -> None:
    counts, people = raw_counts(any_built.package)
    with (any_built.site / "data" / "counts_by_month.csv").open(encoding="utf-8") as fh:
        rows = {(r["month"], r["district"], r["element"], r["category"]): r["count"]
                for r in csv.DictReader(fh)}
    cal = periods_of(read_records(any_built.package))
    months = [m for m in cal.months if m not in cal.provisional]
    # The whole cube over final months: every month not 初步数据 × district × category, zeros
    # included.
    assert set(rows) == {(m, d, e, c) for m in months for d in DISTRICTS for e, c in TAXONOMY}
    zeros = 0
    for key, value in rows.items():
        if 0 < len(people[key]) < K:
            assert value == HIDDEN, key
        elif counts[key] == 0:
            assert value == "0", key  # nothing received: 0, never hidden
            zeros += 1
        elif value != HIDDEN:
            assert int(value) == counts[key]
    assert zeros > 0


def test_breakdowns_list_every_category_district_and_month(any_built: Built) -> None:
    counts, people = raw_counts(any_built.package)
    months = calendar({k[0] for k in counts})
    latest, previous = months[-1], months[-2]

    def total(pred: object) -> tuple[int, int]:
        keys = [k for k in counts if pred(k)]  # type: ignore[operator]
        return sum(counts[k] for k in keys), len(set().union(*(people[k] for k in keys)))

    def check(value: str, count: int, complainants: int) -> None:
        if 0 < complainants < K:
            assert value == HIDDEN
        elif value != HIDDEN:
            assert int(value) == count

    data = any_built.site / "data"
    with (data / "by_category.csv").open(encoding="utf-8") as fh:
        by_category = list(csv.DictReader(fh))
    assert [(r["element"], r["category"]) for r in by_category] == TAXONOMY
    for r in by_category:
        check(r["count"], *total(lambda k, c=r["category"]: k[3] == c))
        check(r["latest_month"], *total(lambda k, c=r["category"]: k[3] == c and k[0] == latest))
        check(r["previous_month"],
              *total(lambda k, c=r["category"]: k[3] == c and k[0] == previous))
    with (data / "by_district.csv").open(encoding="utf-8") as fh:
        by_district = list(csv.DictReader(fh))
    assert [r["district"] for r in by_district] == DISTRICTS
    for r in by_district:
        check(r["count"], *total(lambda k, d=r["district"]: k[1] == d))
        check(r["latest_month"], *total(lambda k, d=r["district"]: k[1] == d and k[0] == latest))
        if r["count"] == "0":
            assert r["per_10k"] == "0" and r["responded_rate"] == NA
    with (data / "monthly.csv").open(encoding="utf-8") as fh:
        monthly = list(csv.DictReader(fh))
    assert [r["month"] for r in monthly] == months
    for r in monthly:
        check(r["count"], *total(lambda k, m=r["month"]: k[0] == m))


def test_gap_month_district_and_category_publish_zero(gappy: Built) -> None:
    data = gappy.site / "data"
    with (data / "monthly.csv").open(encoding="utf-8") as fh:
        monthly = {r["month"]: r for r in csv.DictReader(fh)}
    assert monthly["2026-03"]["count"] == "0"
    assert monthly["2026-03"]["responded_rate"] == NA
    with (data / "by_district.csv").open(encoding="utf-8") as fh:
        huairou = next(r for r in csv.DictReader(fh) if r["district"] == "怀柔区")
    assert huairou["count"] == huairou["latest_month"] == "0"
    with (data / "by_category.csv").open(encoding="utf-8") as fh:
        waste = next(r for r in csv.DictReader(fh) if r["category"] == "危险废物")
    assert (waste["count"], waste["share"], waste["latest_month"]) == ("0", "0", "0")
    text = re.sub(r"<[^>]+>", "", (gappy.site / "stats" / "index.html").read_text("utf-8"))
    assert re.search(r"2026年3月\s*0\s", text)

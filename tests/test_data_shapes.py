"""Real data shapes build: one month, one record, a category or district that never occurs, a
gap month, and an export cut short all give a complete site (zeros, calendar months, the
latest month marked incomplete and not compared with the month before)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.stats.metrics import METRICS
from tests.conftest import BUILD_DAY, ROOT

pytestmark = pytest.mark.slow

END = dt.date(2026, 10, 1)


def build(package: Path, site: Path) -> Path:
    from generator.pipeline import build_site

    build_site(ROOT, package=package, site_dir=site, echo=lambda _: None, today=BUILD_DAY)
    return site


def text(site: Path, page: str) -> str:
    """A page's visible text, tags removed and whitespace collapsed."""
    html = (site / page).read_text("utf-8")
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def rows(site: Path, name: str) -> list[dict[str, str]]:
    with (site / "data" / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def derive(base: Path, out: Path, keep: Callable[[dict[str, str]], bool]) -> Path:
    """A copy of package `base` with only the rows `keep` accepts."""
    out.mkdir(parents=True)
    shutil.copy(base / "datapackage.json", out / "datapackage.json")
    with (base / "complaints.csv").open(encoding="utf-8", newline="") as src, \
            (out / "complaints.csv").open("w", encoding="utf-8", newline="") as dst:
        reader = csv.DictReader(src)
        writer = csv.DictWriter(dst, reader.fieldnames or [], lineterminator="\n")
        writer.writeheader()
        writer.writerows(r for r in reader if keep(r))
    return out


def assert_valid_open_data(site: Path) -> None:
    from frictionless import validate

    report = validate(str(site / "data" / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three months (2026-08 to 2026-10), 3,000 records."""
    from generator.sample import write_sample

    out = tmp_path_factory.mktemp("shapes") / "base"
    write_sample(out, end_month=END, months=3, records=3_000, seed=11)
    return out


def test_one_month_builds_without_a_previous_month(tmp_path: Path) -> None:
    from generator.sample import write_sample

    package = tmp_path / "one-month"
    write_sample(package, end_month=END, months=1, records=400, seed=5)
    site = build(package, tmp_path / "site")
    assert [r["month"] for r in rows(site, "monthly")] == ["2026-10"]
    assert {r["previous_month"] for r in rows(site, "by_category")} == {"NA"}
    stats = text(site, "stats/index.html")
    assert "数据期：2026年10月至2026年10月" in stats
    assert "| 2026年10月 | ／ |" not in stats and " ／ " in stats  # previous month: not applicable
    assert "上月" not in text(site, "index.html")
    assert "比上月" not in text(site, "guides/noise.html")
    assert_valid_open_data(site)


def test_one_citizen_record_builds_and_hides_it(base: Path, tmp_path: Path) -> None:
    taken: list[str] = []

    def first_citizen(row: dict[str, str]) -> bool:
        if taken or row["source"] != "市民诉求":
            return False
        taken.append(row["case_id"])
        return True

    site = build(derive(base, tmp_path / "one-record", first_citizen), tmp_path / "site")
    home = text(site, "index.html")
    assert "诉求总量 — 件" in home  # one complainant: hidden, never "<5"
    assert "<5" not in home and "&lt;5" not in (site / "index.html").read_text("utf-8")
    by_category = rows(site, "by_category")
    assert len(by_category) == 16 and {r["count"] for r in by_category} == {"0", "suppressed"}
    assert_valid_open_data(site)


def test_one_sampled_record_builds(tmp_path: Path) -> None:
    from generator.sample import write_sample

    package = tmp_path / "one-record"
    write_sample(package, end_month=END, months=1, records=1, seed=5)
    site = build(package, tmp_path / "site")
    assert [r["month"] for r in rows(site, "monthly")] == ["2026-10"]
    assert "数据期：2026年10月至2026年10月" in text(site, "stats/index.html")


def test_a_category_that_never_occurs_publishes_zero(base: Path, tmp_path: Path) -> None:
    package = derive(base, tmp_path / "no-waste", lambda r: r["category"] != "危险废物")
    site = build(package, tmp_path / "site")
    waste = next(r for r in rows(site, "by_category") if r["category"] == "危险废物")
    assert (waste["count"], waste["share"], waste["latest_month"], waste["previous_month"]) \
        == ("0", "0", "0", "0")
    assert "2026年10月，全市危险废物诉求 0 件。" in text(site, "guides/solid-waste.html")
    assert re.search(r"固废 危险废物 0 0\.0% 0 0 ", text(site, "stats/index.html"))


def test_a_district_with_no_records_publishes_zero(base: Path, tmp_path: Path) -> None:
    package = derive(base, tmp_path / "no-yanqing", lambda r: r["district"] != "延庆区")
    site = build(package, tmp_path / "site")
    yanqing = next(r for r in rows(site, "by_district") if r["district"] == "延庆区")
    assert (yanqing["count"], yanqing["per_10k"], yanqing["latest_month"]) == ("0", "0", "0")
    assert yanqing["responded_rate"] == yanqing["composite_score"] == "NA"
    assert re.search(r"延庆区 0 0\.00 ／ ／ ／ ／ ／ 0 ", text(site, "stats/districts.html"))
    yanqing_rows = [r for r in rows(site, "kpis") if r["scope"] == "延庆区"]
    periods = {r["period"] for r in yanqing_rows}
    months = {r["month"] for r in rows(site, "monthly")}
    quarters = {f"{m[:4]}Q{(int(m[5:]) - 1) // 3 + 1}" for m in months}
    assert periods - {"all"} - months - quarters - {m[:4] for m in months} <= {
        p for p in periods if "/" in p}  # the ranking window, when the data hold one
    assert len(yanqing_rows) == len(periods) * len(METRICS)
    assert {r["value"] for r in yanqing_rows if r["metric"] == "total"} == {"0"}


def test_a_gap_month_is_listed_and_last_month_means_the_calendar_month(
        base: Path, tmp_path: Path) -> None:
    package = derive(base, tmp_path / "gap", lambda r: r["received_at"][:7] != "2026-09")
    site = build(package, tmp_path / "site")
    monthly = {r["month"]: r for r in rows(site, "monthly")}
    assert list(monthly) == ["2026-08", "2026-09", "2026-10"]
    assert monthly["2026-09"]["count"] == "0" and monthly["2026-09"]["responded_rate"] == "NA"
    home = text(site, "index.html")
    # 上月 is September (0 requests), not August, the previous month present in the data.
    assert "2026年10月，全市受理生态环境诉求" in home and "（上月 0 件" in home
    assert "比上月" not in home
    assert re.search(r"2026年9月 0 ／ ／ ／ ／", text(site, "stats/index.html"))
    assert {r["previous_month"] for r in rows(site, "by_category")} == {"0"}


def test_an_export_cut_short_marks_the_latest_month_incomplete(
        base: Path, tmp_path: Path) -> None:
    package = derive(base, tmp_path / "cut", lambda r: r["received_at"][:10] <= "2026-10-20")
    site = build(package, tmp_path / "site")
    note = "（截至 10月20日，数据不完整）"
    home = text(site, "index.html")
    assert f"2026年10月{note}，全市受理生态环境诉求" in home
    assert "本月数据不完整，暂不比较" in home and "比上月" not in home
    for guide in ("guides/index.html", "guides/noise.html", "guides/cooking-fumes.html"):
        page = text(site, guide)
        assert f"2026年10月{note}，全市" in page and "比上月" not in page
        assert "与上月持平" not in page
    assert f"2026年10月{note}" in text(site, "stats/index.html")
    assert "2026年10月（不完整）" in text(site, "stats/districts.html")
    descriptor = json.loads((site / "data" / "datapackage.json").read_text("utf-8"))
    assert "最近一月 2026-10 的数据只到 2026-10-20，该月不完整。" in descriptor["description"]
    monthly = next(r for r in descriptor["resources"] if r["name"] == "monthly")
    assert "2026-10 的数据只到 2026-10-20，该月不完整" in monthly["schema"]["fields"][0][
        "description"]
    assert_valid_open_data(site)


def test_a_complete_latest_month_is_compared(base: Path, tmp_path: Path) -> None:
    site = build(base, tmp_path / "site")
    home = text(site, "index.html")
    assert "数据不完整" not in home and re.search(r"比上月(增加|减少) \d+\.\d%", home)


def test_the_mini_package_builds_with_marks(tmp_path: Path) -> None:
    site = build(ROOT / "tests" / "fixtures" / "mini_package", tmp_path / "site")
    assert "（截至 4月1日，数据不完整）" in text(site, "index.html")
    assert_valid_open_data(site)

"""Suppression marks tell the truth without helping an attacker.

Every hidden cell (below k, or hidden to protect another) carries one mark, "—" on pages and
`suppressed` in CSV; a figure that does not exist carries another ("／", `NA`); a zero is 0.
k comes from data/metrics.yml: nothing in the generator spells it out.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest
import yaml

from generator.site.format import csv_marks_note, decimal, marks_legend, num, pct, score
from generator.site.opendata import MISSING_VALUES, csv_cell
from generator.stats.marks import HIDDEN, NOT_APPLICABLE, UNRECORDED, published
from tests.conftest import BUILD_DAY, ROOT
from tests.project_copy import copy_project

K = yaml.safe_load((ROOT / "data" / "metrics.yml").read_text("utf-8"))["disclosure"][
    "min_complainants"]


# --- the marks themselves (fast) ---------------------------------------------------------

def test_page_marks_distinguish_hidden_not_applicable_unrecorded_and_zero() -> None:
    assert [num(HIDDEN), num(NOT_APPLICABLE), num(0), num(290)] == ["—", "／", "0", "290"]
    assert [pct(HIDDEN), pct(NOT_APPLICABLE), pct(0.0)] == ["—", "／", "0.00%"]
    assert [score(HIDDEN), decimal(NOT_APPLICABLE)] == ["—", "／"]
    assert [num(UNRECORDED), pct(UNRECORDED), score(UNRECORDED), decimal(UNRECORDED)] == [
        "未记录"] * 4
    # An unexpected gap is shown as hidden, never as "not applicable" nor as a number.
    assert [num(None), pct(float("nan")), num(pd.NA)] == ["—", "—", "—"]


def test_csv_tokens_distinguish_hidden_not_applicable_unrecorded_and_zero() -> None:
    assert [csv_cell(HIDDEN), csv_cell(NOT_APPLICABLE), csv_cell(UNRECORDED), csv_cell(0),
            csv_cell(0.25), csv_cell(float("nan"))] == [
        "suppressed", "NA", "unrecorded", "0", "0.25", "suppressed"]
    assert MISSING_VALUES == ["suppressed", "NA", "unrecorded"]


def test_published_marks_hidden_before_not_applicable() -> None:
    values = published(pd.Series([3.0, float("nan"), float("nan"), 0.0]),
                       [True, True, False, False], integer=True)
    assert values.tolist() == [HIDDEN, HIDDEN, NOT_APPLICABLE, 0]


def test_unrecorded_wins_over_every_other_mark_and_over_numbers() -> None:
    values = published(pd.Series([3.0, float("nan"), 0.0]), [True, False, False],
                       unrecorded=True)
    assert values.tolist() == [UNRECORDED] * 3
    assert published(pd.Series([UNRECORDED, 1.0]), [True, False]).tolist() == [UNRECORDED, 1.0]


def test_legend_uses_the_configured_k() -> None:
    assert marks_legend(7) == ("“—”表示不予公布：少于 7 名诉求人，或为防止推算而隐藏；“／”表示"
                               "不适用：没有可计算的基数（如没有有效回访、没有常住人口数据或没有"
                               "上月数据）；0 表示确实没有诉求")


def test_legend_without_caller_identity_counts_requests_and_explains_unrecorded() -> None:
    assert marks_legend(7, "件诉求", unrecorded=True) == (
        "“—”表示不予公布：少于 7 件诉求，或为防止推算而隐藏；“／”表示不适用：没有可计算的基数"
        "（如没有有效回访、没有常住人口数据或没有上月数据）；“未记录”表示未记录：数据来源没有记录"
        "计算该项所需的字段（如没有回访记录），不是 0；0 表示确实没有诉求")
    assert csv_marks_note(3, "件诉求", unrecorded=True) == (
        "suppressed 表示不予公布：少于 3 件诉求，或为防止推算而隐藏；NA 表示不适用：没有可计算的"
        "基数（如没有有效回访、没有常住人口数据或没有上月数据）；unrecorded 表示未记录：数据来源"
        "没有记录计算该项所需的字段（如没有回访记录），不是 0；0 表示确实没有诉求")


LITERAL_K = re.compile(r"<\s*5|&lt;\s*5|5\s*名|5\s*人|少于\s*5|不足\s*5|低于\s*5|小于\s*5")


def test_no_literal_k_in_generator_code_templates_or_pages() -> None:
    sources = [p for p in (ROOT / "generator").rglob("*") if p.suffix in {".py", ".j2", ".html"}]
    sources += list((ROOT / "site_src").rglob("*.md"))
    found = [f"{p.relative_to(ROOT)}:{n}: {line.strip()}"
             for p in sources
             for n, line in enumerate(p.read_text("utf-8").splitlines(), 1)
             if LITERAL_K.search(line)]
    assert found == []


# --- on a built site ---------------------------------------------------------------------

def _derive(base: Path, out: Path) -> Path:
    """`base` with 危险废物 cut to two complainants and 延庆区 removed."""
    out.mkdir(parents=True)
    shutil.copy(base / "datapackage.json", out / "datapackage.json")
    keep: set[str] = set()
    with (base / "complaints.csv").open(encoding="utf-8", newline="") as src, \
            (out / "complaints.csv").open("w", encoding="utf-8", newline="") as dst:
        reader = csv.DictReader(src)
        writer = csv.DictWriter(dst, reader.fieldnames or [], lineterminator="\n")
        writer.writeheader()
        for row in reader:
            if row["district"] == "延庆区":
                continue
            if row["category"] == "危险废物":
                who = row["complainant_key"]
                if not who or (who not in keep and len(keep) >= 2):
                    continue
                keep.add(who)
            writer.writerow(row)
    return out


@pytest.fixture(scope="module")
def crafted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from generator.pipeline import build_site
    from generator.sample import write_sample

    folder = tmp_path_factory.mktemp("marks")
    base = folder / "base"
    write_sample(base, end_month=dt.date(2026, 10, 1), months=3, records=3_000, seed=11)
    package = _derive(base, folder / "package")
    site = folder / "site"
    build_site(ROOT, package=package, site_dir=site, echo=lambda _: None, today=BUILD_DAY)
    return package, site


def _text(site: Path, page: str) -> str:
    html = (site / page).read_text("utf-8")
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.slow
def test_a_cell_hidden_to_protect_another_shows_the_same_mark(
        crafted: tuple[Path, Path]) -> None:
    package, site = crafted
    counts: dict[str, int] = defaultdict(int)
    with (package / "complaints.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            counts[row["category"]] += 1
    with (site / "data" / "by_category.csv").open(encoding="utf-8") as fh:
        by_category = {r["category"]: r for r in csv.DictReader(fh)}
    # 危险废物 has 2 complainants (below k); 一般固废 is hidden so that 固废 − 一般固废 does not
    # give it away, although it holds far more than k requests. Both carry the same token.
    assert by_category["危险废物"]["count"] == by_category["一般固废"]["count"] == "suppressed"
    assert by_category["一般固废"]["share"] == "suppressed"
    assert counts["一般固废"] > 3 * K
    stats = _text(site, "stats/index.html")
    assert re.search(r"固废 一般固废 — — ", stats) and re.search(r"固废 危险废物 — — ", stats)
    assert "不予公布：少于 5 名诉求人，或为防止推算而隐藏".replace("5", str(K)) in stats


@pytest.mark.slow
def test_not_applicable_and_zero_have_their_own_marks(crafted: tuple[Path, Path]) -> None:
    _, site = crafted
    districts = _text(site, "stats/districts.html")
    assert re.search(r"延庆区 0 0\.00 ／ ／ ／ ／ ／ 0 ", districts)
    assert "“／”表示不适用" in districts
    with (site / "data" / "by_district.csv").open(encoding="utf-8") as fh:
        yanqing = next(r for r in csv.DictReader(fh) if r["district"] == "延庆区")
    assert (yanqing["count"], yanqing["responded_rate"], yanqing["ontime_rate"]) \
        == ("0", "NA", "NA")


@pytest.mark.slow
def test_no_less_than_k_mark_anywhere_in_the_site(crafted: tuple[Path, Path]) -> None:
    _, site = crafted
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".csv", ".json", ".js", ".xml"}:
            content = path.read_text("utf-8", errors="replace")
            assert not re.search(r"&lt;\s*5|(?<!<)<\s*5\b|\\u003c5", content), path


@pytest.mark.slow
def test_open_data_declares_and_documents_both_tokens(crafted: tuple[Path, Path]) -> None:
    from frictionless import validate

    _, site = crafted
    report = validate(str(site / "data" / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    descriptor = json.loads((site / "data" / "datapackage.json").read_text("utf-8"))
    note = (f"suppressed 表示不予公布：少于 {K} 名诉求人，或为防止推算而隐藏；NA 表示不适用：没有"
            "可计算的基数（如没有有效回访、没有常住人口数据或没有上月数据）；0 表示确实没有诉求")
    assert note in descriptor["description"]
    for resource in descriptor["resources"]:
        # unrecorded is declared everywhere, explained only where a figure is unrecorded.
        assert resource["schema"]["missingValues"] == ["suppressed", "NA", "unrecorded"]
        assert note in resource["description"]
        assert "unrecorded 表示" not in resource["description"]
        numeric = [f for f in resource["schema"]["fields"] if f["type"] != "string"
                   and f["name"] not in {"population_k", "weekday", "hour", "deadline_h"}]
        assert all(note in f["description"] for f in numeric), resource["name"]
    page = _text(site, "stats/open-data.html")
    assert "suppressed 不予公布" in page and "NA 不适用" in page


@pytest.mark.slow
def test_k_comes_from_the_configuration(tmp_path: Path) -> None:
    from generator.pipeline import build_site

    project = copy_project(tmp_path / "project")
    metrics = project / "data" / "metrics.yml"
    metrics.write_text(metrics.read_text("utf-8").replace(
        f"min_complainants: {K}", "min_complainants: 2"), "utf-8")
    site = tmp_path / "site"
    build_site(project, package=ROOT / "tests" / "fixtures" / "mini_package", site_dir=site,
               echo=lambda _: None, today=BUILD_DAY)
    for page in ("stats/index.html", "stats/methodology.html", "stats/open-data.html",
                 "privacy.html", "index.html"):
        content = _text(site, page)
        assert "少于 2 名" in content or "少于 2 人" in content, page
        assert f"少于 {K} " not in content, page
    descriptor = (site / "data" / "datapackage.json").read_text("utf-8")
    assert "少于 2 名诉求人" in descriptor and f"少于 {K} 名" not in descriptor

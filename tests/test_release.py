"""The release manifest (site/data/release.json) and the 本次更新 page."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import jinja2
import pandas as pd
import pytest

from generator.paths import ProjectPaths
from generator.site.format import FILTERS
from generator.site.release import (
    git_commit,
    release_manifest,
    updates_context,
    write_manifest,
)
from generator.stats.history import RevisedCell, Revisions
from generator.stats.marks import HIDDEN

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "generator" / "templates"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def project(tmp_path: Path) -> ProjectPaths:
    root = tmp_path / "项目"
    (root / "data").mkdir(parents=True)
    for name in ("mkdocs.yml", "data/settings.yml", "data/metrics.yml", "data/limits.yml"):
        shutil.copy(ROOT / name, root / name)
    for folder in ("data/reference", "data/cases"):
        shutil.copytree(ROOT / folder, root / folder)
    (root / "data/releases").mkdir()
    (root / "data/releases/2026-09.jsonl").write_text("{}\n", "utf-8")
    (root / "data/releases/2026-10.jsonl").write_text("{}\n", "utf-8")  # this release's own
    return ProjectPaths(root)


TABLES = {
    "counts_by_month": pd.DataFrame({"month": ["2026-09", "2026-10"],
                                     "count": pd.Series([7, HIDDEN], dtype=object)}),
    "monthly": pd.DataFrame({"month": ["2026-10"], "rate": pd.Series([0.25], dtype=object)}),
}


def test_manifest_hashes_every_input_without_absolute_paths(project: ProjectPaths,
                                                            tmp_path: Path) -> None:
    package = tmp_path / "elsewhere" / "complaints"  # a package outside the project
    package.mkdir(parents=True)
    (package / "complaints.csv").write_text("case_id\nA\n", "utf-8")
    (package / "datapackage.json").write_text("{}\n", "utf-8")
    built = dt.datetime(2026, 11, 28, 2, 30, tzinfo=dt.UTC)
    manifest = release_manifest(
        project, package_csv=package / "complaints.csv",
        descriptor=package / "datapackage.json", data_period=("2024-11", "2026-10"),
        provisional_months=["2026-10"], built_at=built, tables=TABLES)
    root = project.root
    reference = {f"data/reference/{p.name}": sha(p) for p in (root / "data/reference").iterdir()}
    assert manifest["inputs"] == {
        "<package>/complaints.csv": sha(package / "complaints.csv"),
        "<package>/datapackage.json": sha(package / "datapackage.json"),
        "data/releases/2026-09.jsonl": sha(root / "data/releases/2026-09.jsonl"),
        **reference}
    cases = {f"data/cases/{p.name}": sha(p) for p in (root / "data/cases").iterdir()}
    assert manifest["configuration"] == {
        "data/metrics.yml": sha(root / "data/metrics.yml"),
        "data/settings.yml": sha(root / "data/settings.yml"),
        "data/limits.yml": sha(root / "data/limits.yml"),
        "mkdocs.yml": sha(root / "mkdocs.yml"), **cases}
    assert manifest["published"] == {
        "counts_by_month.csv": hashlib.sha256(
            b"month,count\n2026-09,7\n2026-10,suppressed\n").hexdigest(),
        "monthly.csv": hashlib.sha256(b"month,rate\n2026-10,0.25\n").hexdigest()}
    assert manifest["built_at"] == "2026-11-28T10:30:00+08:00"  # settings: Asia/Shanghai
    assert manifest["data_period"] == {"first_month": "2024-11", "last_month": "2026-10",
                                       "provisional_months": ["2026-10"]}
    assert manifest["release"] == "2026-10" and manifest["revisions"] == []
    assert manifest["generator"]["version"] == "0.1.0"
    text = json.dumps(manifest, ensure_ascii=False)
    assert str(tmp_path) not in text and "/tmp" not in text and "项目" not in text


def test_naive_build_time_is_local_time(project: ProjectPaths, tmp_path: Path) -> None:
    csv = tmp_path / "c.csv"
    csv.write_text("x\n", "utf-8")
    manifest = release_manifest(project, package_csv=csv, descriptor=csv,
                                data_period=("2026-10", "2026-10"), provisional_months=[],
                                built_at=dt.datetime(2026, 11, 28, 9, 0), tables={})
    assert manifest["built_at"] == "2026-11-28T09:00:00+08:00"


def test_write_manifest_sorted_utf8(tmp_path: Path) -> None:
    cell = RevisedCell("kpis", ("period", "scope", "metric"), ("2026-09", "全市", "total"),
                       "value", "4100", "4105", "2026-09", "provisional")
    manifest = {"release": "2026-10", "format": "x",
                "revisions": [{"key": dict(zip(cell.key_columns, cell.key, strict=True))}]}
    path = write_manifest(tmp_path / "data", manifest)
    assert path == tmp_path / "data" / "release.json"
    assert path.read_text("utf-8") == (
        '{\n  "format": "x",\n  "release": "2026-10",\n  "revisions": [\n    {\n'
        '      "key": {\n        "metric": "total",\n        "period": "2026-09",\n'
        '        "scope": "全市"\n      }\n    }\n  ]\n}\n')


def test_git_commit_outside_a_checkout_is_none(tmp_path: Path) -> None:
    assert git_commit(tmp_path) is None
    assert git_commit(tmp_path / "missing") is None


@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(),
                    reason="needs git and this checkout")
def test_git_commit_of_this_checkout() -> None:
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True,
                          text=True, check=True).stdout.strip()
    assert git_commit(ROOT / "generator") == head


SHARED = {"data_period": "2024年11月至2026年10月", "latest_incomplete": False,
          "latest_month": "2026-10", "latest_note": "", "updated": "2026-11-28",
          "hidden_mark": "—", "hidden_note": "不予公布", "not_applicable_mark": "／",
          "has_unrecorded": False, "unrecorded_mark": "未记录", "unrecorded_note": ""}


def render(context: object) -> str:
    from generator.site.contexts import template_vars

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.filters.update(FILTERS)
    return env.get_template("pages/updates.md.j2").render(SHARED | template_vars(context))


def test_updates_page_lists_months_and_revisions() -> None:
    items = (
        RevisedCell("kpis", ("period", "scope", "metric"), ("2026-09", "全市", "total"),
                    "value", "4100", "4105", "2026-09", "provisional"),
        RevisedCell("kpis", ("period", "scope", "metric"), ("2026-08", "东城区",
                    "resolved_rate"), "value", "0.9", "0.875", "2026-09", "correction"),
        RevisedCell("counts_by_month", ("month", "district", "category"),
                    ("2026-08", "西城区", "噪声"), "count", "12", "suppressed", "2026-09",
                    "correction"),
    )
    context = updates_context(
        Revisions(items, ("2026-10",), ("2026-09",)), release_id="2026-10",
        first_month="2024-11", provisional_months=["2026-10"], previous_release="2026-09",
        built_at="2026-11-28T10:30:00+08:00", table_titles={"kpis": "核心指标"},
        column_titles={"kpis": {"value": "数值"}, "counts_by_month": {"count": "件数"}},
        value_titles={"total": "诉求总量", "resolved_rate": "解决率"}, revised_limit=2)
    assert [r.cell for r in context.revised] == ["2026年9月 · 全市 · 诉求总量",
                                                 "2026年8月 · 东城区 · 解决率"]
    assert context.revised_more == 1
    page = render(context)
    assert "本次发布的数据期为 **2024年11月至2026年10月**" in page
    assert "上一次发布的数据截至2026年9月。" in page
    assert "本次新增 2026年10月的统计。" in page
    assert "2026年9月的诉求已全部办结" in page
    assert "2026年10月的统计为**初步数据**" in page
    assert ("| 核心指标（kpis.csv） | 2026年9月 · 全市 · 诉求总量 | 数值 | 4,100 | 4,105 | "
            "2026年9月 | 此前为初步数据 |") in page
    assert ("| 核心指标（kpis.csv） | 2026年8月 · 东城区 · 解决率 | 数值 | 90.00% | 87.50% | "
            "2026年9月 | 数据更正 |") in page
    assert "另有 1 个修订的数字未在此列出，完整清单见 [release.json](../data/release.json)" in page


def test_updates_page_of_a_first_release() -> None:
    context = updates_context(Revisions((), ("2026-09", "2026-10"), ("2026-09",)),
                              release_id="2026-10", first_month="2026-09",
                              provisional_months=[], previous_release=None,
                              built_at="2026-11-28T10:30:00+08:00")
    page = render(context)
    assert "这是本站的第一次发布。" in page
    assert "本次新增 2026年9月、2026年10月的统计。" in page
    assert "本次发布没有初步数据" in page
    assert "本次发布没有修订此前公布的数字。" in page

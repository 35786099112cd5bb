"""The build command: summary, open data, and atomicity (a failed build changes nothing)."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from tests.conftest import ROOT, Built
from tests.project_copy import copy_project

pytestmark = pytest.mark.slow


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*")) if p.is_file()
    }


def build_cli(package: Path, site: Path) -> tuple[int, str]:
    runner = CliRunner()
    result = runner.invoke(main, ["build", "--package", str(package), "--site-dir", str(site)])
    return result.exit_code, result.output


def test_build_reports_each_stage_and_a_summary(built: Built) -> None:
    lines = built.log.splitlines()
    assert lines[0].startswith("[1/6] 读取并校验数据包")
    assert any(line.startswith("[6/6] 隐私检查：生成的网站") for line in lines)
    assert "构建完成" in lines[-1] and "30,000 条记录" in lines[-1]
    assert (built.site / "index.html").is_file()
    assert (built.site / "search" / "search_index.js").exists() or (
        built.site / "search" / "search_index.json").exists()


def test_built_site_carries_the_marker_and_no_temp_folder_is_left(built: Built) -> None:
    import os

    from generator.site.publish import MARKER, is_previous_build

    marker = json.loads((built.site / MARKER).read_text("utf-8"))
    assert marker["generator"] == "ecoportal" and is_previous_build(built.site)
    assert [p.name for p in built.site.parent.iterdir()] == ["site"]
    assert not list((ROOT / ".build").glob(f"docs-{os.getpid()}-*"))


def test_open_data_is_a_valid_frictionless_package(built: Built) -> None:
    from frictionless import validate

    report = validate(str(built.site / "data" / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    descriptor = json.loads((built.site / "data" / "datapackage.json").read_text("utf-8"))
    names = {r["path"] for r in descriptor["resources"]}
    assert {"kpis.csv", "counts_by_month.csv"} <= names
    header = (built.site / "data" / "kpis.csv").read_text("utf-8").splitlines()[0]
    assert header == ("period,scope,metric,value,numerator,denominator,n,ci_low,ci_high,"
                      "scope_level,scope_code,district")


@pytest.fixture()
def old_site(built: Built, tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(built.site, site)
    return site


def test_broken_data_fails_and_leaves_the_old_site_untouched(
        built: Built, old_site: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(built.package, broken)
    csv_path = broken / "complaints.csv"
    lines = csv_path.read_text("utf-8").splitlines(keepends=True)
    first = lines[1].split(",")
    first[3] = "2026-13-01T08:00:00"  # received_at
    lines[1] = ",".join(first)
    csv_path.write_text("".join(lines), "utf-8")
    before = tree_digest(old_site)
    code, output = build_cli(broken, old_site)
    assert code == 1
    assert "第 2 行，字段 received_at（受理时间）" in output
    assert "构建已停止，原网站保持不变" in output
    assert tree_digest(old_site) == before
    assert not list(tmp_path.glob(".site-new-*"))


def test_broken_page_template_fails_the_build_cleanly(
        built: Built, old_site: Path, tmp_path: Path) -> None:
    from generator.errors import BuildError
    from generator.pipeline import build_site

    project = copy_project(tmp_path / "project")
    (project / "site_src" / "broken.md").write_text("# 坏页面\n\n{{ no_such_value }}\n", "utf-8")
    before = tree_digest(old_site)
    with pytest.raises(BuildError, match=r"渲染页面 broken\.md"):
        build_site(project, package=built.package, site_dir=old_site, echo=lambda _: None)
    assert tree_digest(old_site) == before

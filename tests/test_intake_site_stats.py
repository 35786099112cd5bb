"""The 咨询服务情况 page: the figures `ecoportal intake stats` writes, on the site.

The stats file is made by the real command from a real store; the page is rendered from the
project's data/service.yml; its cells are compared with figures recomputed here from the
JSON. A bad file stops the build with its key path and the previous site stays in place.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from generator.errors import DataError
from generator.intake.store import Store
from generator.intake.workdays import add_working_days
from generator.site.contexts import template_vars
from generator.site.pages import PAGE_TYPES, site_context
from generator.site.publish import MARKER
from generator.site.render import make_env
from generator.site.service import SERVICE_FILE
from tests.broken_inputs import run_cli
from tests.conftest import ROOT
from tests.project_copy import copy_project
from tests.site_data import MINI, PATHS, mini_site_data
from tests.test_intake_cli import CALENDAR, add, at
from tests.test_intake_support import ZONE, make_project


def stats_file(tmp: Path) -> Path:
    """`intake stats` over 6 requests in October (5 contacted) and 3 in November (< k)."""
    root = make_project(tmp)
    store_dir = tmp / "store"
    with Store(store_dir, ZONE) as store:
        october = [add(store, at(f"2026-10-{day:02d}")) for day in (12, 12, 13, 13, 14, 14)]
        for ref, gap in zip(october, (1, 1, 2, 3, 5), strict=False):
            record = store.get(ref)
            assert record is not None
            contact = add_working_days(CALENDAR, record.received_at.date(), gap).day
            store.set_status(ref, "已联系", at(contact.isoformat(), 15))
        for day in (2, 3, 4):
            add(store, at(f"2026-11-{day:02d}"))
    out = tmp / "intake-stats.json"
    result = run_cli(["--project", str(root), "intake", "stats", "--store", str(store_dir),
                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def page_project(tmp: Path, stats: Path | None) -> Path:
    """A folder holding data/settings.yml and data/service.yml naming `stats`."""
    root = tmp / "pages"
    (root / "data").mkdir(parents=True)
    shutil.copy(ROOT / "data" / "settings.yml", root / "data" / "settings.yml")
    value = "" if stats is None else str(stats)
    (root / SERVICE_FILE).write_text(f"stats_file: {value}\n", encoding="utf-8")
    return root


def render(root: Path) -> str:
    """The page as the build renders it, with the project's settings file at `root`."""
    data = mini_site_data()
    data = dataclasses.replace(data, settings=dataclasses.replace(
        data.settings, source=root / "data" / "settings.yml"))
    page_type = next(p for p in PAGE_TYPES if p.name == "咨询服务情况")
    ((path, context),) = list(page_type.pages(data))
    assert path == "business/service.md"
    env = make_env(PATHS)
    return env.get_template(page_type.template).render(
        template_vars(site_context(data)) | template_vars(context))


def table_rows(page: str) -> list[list[str]]:
    body = page[page.index("<tbody>"):page.index("</tbody>")]
    return [[html.unescape(re.sub(r"<[^>]+>", "", c)) for c in
             re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", body)]


def expected(month: dict[str, Any]) -> list[str]:
    """One month as the page must show it, recomputed from the JSON: — when hidden."""
    def count(v: Any) -> str:
        return "—" if v is None else f"{v:,}"

    median, rate = month["median_working_days_to_contact"], month["contacted_within_promise_rate"]
    return [f"{month['month'][:4]}年{int(month['month'][5:])}月", count(month["consultations"]),
            count(month["contacted"]), "—" if median is None else f"{median:.2f}",
            "—" if rate is None else f"{rate * 100:.2f}%"]


def test_the_page_shows_the_json_and_hides_the_month_below_k(tmp_path: Path) -> None:
    stats = stats_file(tmp_path)
    figures = json.loads(stats.read_text(encoding="utf-8"))
    page = render(page_project(tmp_path, stats))
    rows = table_rows(page)
    assert rows == [expected(m) for m in figures["months"]]
    assert rows[0] == ["2026年10月", "6", "5", "2.00", "66.67%"]  # 4 of 6 within 3 days
    assert rows[1] == ["2026年11月", "—", "—", "—", "—"]  # 3 requests < k = 5
    assert "3 个工作日内联系的比例" in page
    assert "当月收到的申请少于 5 件" in page and "本页不列合计" in page


def test_without_a_stats_file_the_page_says_no_figures_yet(tmp_path: Path) -> None:
    page = render(page_project(tmp_path, None))
    assert "暂无统计数据：咨询服务的办理情况尚未发布。" in page and "<table" not in page
    # The bundled project publishes no figures yet.
    assert (ROOT / SERVICE_FILE).read_text(encoding="utf-8").rstrip().endswith("stats_file:")


def test_a_bad_stats_file_is_refused_with_every_key_path(tmp_path: Path) -> None:
    stats = stats_file(tmp_path)
    figures = json.loads(stats.read_text(encoding="utf-8"))
    figures["k"] = 2
    figures["months"][1]["consultations"] = 3
    figures["months"][0]["contacted_within_promise_rate"] = 1.5
    stats.write_text(json.dumps(figures), encoding="utf-8")
    fix = (f"请用 `ecoportal intake stats --store 文件夹 -o {stats}` 重新生成该文件，不要手工修改")
    with pytest.raises(DataError) as caught:
        render(page_project(tmp_path, stats))
    assert caught.value.message == (
        f"受理统计文件 {stats} 有 4 处错误：\n"
        f"  - k：值 “2” 小于网站的最小公布件数 k = 5（data/metrics.yml）。修正方法：{fix}。\n"
        f"  - months[0].contacted_within_promise_rate：值 “1.5” 应为 0 到 1 之间的数，或 null"
        f"（隐藏）。修正方法：{fix}。\n"
        f"  - months[1].consultations：值 “3” 应为不小于 k = 5 的整数，或 null（隐藏）。"
        f"修正方法：{fix}。\n"
        f"  - months[1].suppressed：值 “True” 应与 consultations 是否为 null 一致。修正方法："
        f"{fix}。")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project (the mini package as its data) with a previous site in site/."""
    root = copy_project(tmp_path / "proj", complaints=MINI, link_site_src=True)
    (root / "site").mkdir()
    (root / "site" / MARKER).write_text("{}\n", encoding="utf-8")
    (root / "site" / "index.html").write_text("previous site\n", encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def test_a_broken_stats_file_stops_the_build_and_keeps_the_site(project: Path) -> None:
    stats = project / "intake-stats.json"
    stats.write_text('{"k": 5, "months": [', encoding="utf-8")
    (project / SERVICE_FILE).write_text("stats_file: intake-stats.json\n", encoding="utf-8")
    result = run_cli(["build"], untouched=[project / "site"])
    assert result.exit_code == 1, result.output
    message = result.output[result.output.index("错误："):].strip()
    assert message == (
        f"错误：受理统计文件 {stats} 不是有效的 UTF-8 JSON（第 1 行第 21 列）。请用 "
        f"`ecoportal intake stats --store 文件夹 -o {stats}` 重新生成该文件，不要手工修改。")
    assert (project / "site" / "index.html").read_text(encoding="utf-8") == "previous site\n"

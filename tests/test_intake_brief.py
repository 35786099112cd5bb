"""`ecoportal intake brief`: the pre-visit brief of one request, from a store filled through
the real Store and the open data written by the real build's writer."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.config import load_metrics
from generator.dataset.validate import validate_package
from generator.forms import validate_submission
from generator.intake.store import Store
from generator.paths import ProjectPaths
from generator.reference import load_reference
from generator.site.opendata import write_open_data
from generator.stats.aggregate import aggregate
from tests.broken_inputs import assert_refused, run_cli
from tests.conftest import BUILD_DAY, ROOT
from tests.test_intake_support import ZONE, make_project, service, shifted, today

ART_81 = "禁止在住宅楼、商住楼居住层相邻楼层新建产生油烟的餐饮项目（《大气污染防治法》第八十一条）"


@pytest.fixture(scope="module")
def published(sample_package: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The open-data folder the build writes, from the session's 12-month sample package."""
    paths = ProjectPaths(ROOT)
    report = validate_package(sample_package, paths.reference, today=BUILD_DAY,
                              settings=paths.settings.data)
    assert report.ok and report.frame is not None
    metrics, ref = load_metrics(paths.metrics_file), load_reference(paths.reference)
    folder = tmp_path_factory.mktemp("published") / "data"
    write_open_data(aggregate(report.frame, metrics, ref), folder, metrics.min_complainants,
                    paths.settings)
    return folder


def project(tmp: Path) -> Path:
    root = make_project(tmp)
    for name in ("limits.yml", "brief.yml"):
        shutil.copy(ROOT / "data" / name, root / "data" / name)
    return root


def add(store_dir: Path, **changes: Any) -> str:
    """forms/examples/valid.json with `changes`, checked by the form and stored for real."""
    raw = shifted(today()) | changes
    result = validate_submission(service().form, raw, today=today())
    assert not result.problems, result.problems
    with Store(store_dir, ZONE) as store:
        return store.add(result.values, form_version=1, privacy_version="2026-12",
                         warnings="", now=dt.datetime.now(ZONE)).reference


def brief(root: Path, store: Path, published: Path, ref: str, *extra: str) -> tuple[int, str]:
    result = run_cli(["--project", str(root), "intake", "brief", ref, "--store", str(store),
                      "--data", str(published), *extra])
    return result.exit_code, result.output


def limits_table(source: str, table: str) -> dict[str, Any]:
    """data/limits.yml read here on its own, not through the generator's loader."""
    data = yaml.safe_load((ROOT / "data" / "limits.yml").read_text(encoding="utf-8"))
    return data[source][table]  # type: ignore[no-any-return]


def md_row(cells: list[Any]) -> str:
    def text(c: Any) -> str:
        return f"{c:,}" if isinstance(c, int) else str(c)

    return "| " + " | ".join(text(c) for c in cells) + " |"


def test_residential_floor_is_flagged_first_and_a_large_kitchen_gets_its_limits(
        tmp_path: Path, published: Path) -> None:
    root, store = project(tmp_path), tmp_path / "store"
    ref = add(store, stoves=8, building_type="商住楼", adjacent_residential="有")
    code, output = brief(root, store, published, ref)
    out = store / "briefs" / f"{ref}.md"
    assert (code, output) == (0, f"已写出 {ref} 的预访简报：{out}（仅本账户可读写；"
                                 "含申请人联系方式，请勿转发）。\n")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert stat.S_IMODE(out.parent.stat().st_mode) == 0o700
    text = out.read_text(encoding="utf-8")
    first = text.index("## 需要首先注意")
    assert text[first:].split("\n\n")[1] == f"- 禁止情形：{ART_81}"
    rules = text[text.index("## 适用的规定"):]
    headings = [line for line in rules.splitlines() if line.startswith("### ")]
    assert headings[0] == f"### 1. 【禁止情形】{ART_81}"
    assert headings[1] == "### 2. 餐饮规模、油烟净化效率和排放限值"
    # The large-kitchen row: the first row of GB 18483's table whose bounds hold 8.
    size = limits_table("gb18483", "size")
    large = next(r for r in size["rows"]
                 if r[1] <= 8 and (not isinstance(r[2], int) or r[2] > 8))
    assert large[0] == "大型"
    assert f"**基准灶头数 8 → 大型（按{size['cite']}）。**" in rules
    assert md_row(large) in rules
    for row in limits_table("db11_1488", "limits")["rows"]:
        assert md_row(row) in rules
    # The request itself, with the form's labels (contact data belongs in a staff brief).
    assert "| 联系电话 | 13800138000 |" in text and "| 基准灶头数 | 8 |" in text
    assert "| 上下相邻楼层是否有住宅 | 有 |" in text
    # Nothing personal reaches the terminal.
    assert "13800138000" not in output and "王示例" not in output


def test_no_prohibition_and_unsure_answers(tmp_path: Path, published: Path) -> None:
    root, store = project(tmp_path), tmp_path / "store"
    clear = add(store)  # valid.json: 都不是, 没有 adjacent homes
    unsure = add(store, building_type="不清楚")
    assert brief(root, store, published, clear)[0] == 0
    text = (store / "briefs" / f"{clear}.md").read_text(encoding="utf-8")
    assert "按申请所填，没有发现禁止情形。" in text and "【禁止情形】" not in text
    assert brief(root, store, published, unsure)[0] == 0
    text = (store / "briefs" / f"{unsure}.md").read_text(encoding="utf-8")
    assert f"- 待现场核实，可能属于禁止情形：{ART_81}" in text
    assert f"### 1. 【待现场核实】{ART_81}" in text


def published_cell(token: str) -> str:
    """How the site shows an open-data cell (recomputed here: — for a withheld cell)."""
    if token == "suppressed":
        return "—"
    return f"{int(float(token)):,}"


def test_street_history_equals_the_published_tables(tmp_path: Path, published: Path) -> None:
    root, store = project(tmp_path), tmp_path / "store"
    ref = add(store, district="东城区", street="建国门街道")  # some cells hidden there
    assert brief(root, store, published, ref)[0] == 0
    text = (store / "briefs" / f"{ref}.md").read_text(encoding="utf-8")
    with (published / "counts_by_month.csv").open(encoding="utf-8") as fh:
        counts = [r for r in csv.DictReader(fh) if r["district"] == "东城区"]
    categories = ["餐饮油烟", "社会生活噪声", "建筑施工噪声"]
    months = sorted({r["month"] for r in counts})[-12:]
    cells = {(r["month"], r["category"]): r["count"] for r in counts}
    hidden = 0
    for month in months:
        row = [published_cell(cells[(month, c)]) for c in categories]
        hidden += row.count("—")
        assert f"| {month} | {' | '.join(row)} |" in text
    assert hidden, "the sample should hide some of these cells"
    with (published / "kpis.csv").open(encoding="utf-8") as fh:
        quarters = [r for r in csv.DictReader(fh) if r["scope_code"] == "110101008"
                    and r["metric"] == "total" and "Q" in r["period"]]
    assert quarters and any(r["value"] == "suppressed" for r in quarters)
    for r in quarters[-4:]:
        label = f"{r['period'][:4]}年第{r['period'][-1]}季度"
        assert f"| {label} | {published_cell(r['value'])} |" in text
    assert "2025-11 以来该街乡没有公布预警。" in text


def test_warnings_of_the_street_are_listed(tmp_path: Path, published: Path) -> None:
    root, store = project(tmp_path), tmp_path / "store"
    with (published / "warnings.csv").open(encoding="utf-8") as fh:
        found = list(csv.DictReader(fh))
    first = found[0]
    ref = add(store, district=first["district"], street=first["street"])
    assert brief(root, store, published, ref)[0] == 0
    text = (store / "briefs" / f"{ref}.md").read_text(encoding="utf-8")
    mine = sorted((r for r in found if r["street_code"] == first["street_code"]),
                  key=lambda r: r["period"], reverse=True)
    lines = [f"- {r['period']} {r['category']}：当月 {r['observed']} 件，期望 "
             f"{float(r['expected']):.1f} 件" for r in mine]
    assert text.split("### 预警\n\n")[1].splitlines() == lines


def test_html_brief_escapes_what_the_business_typed(tmp_path: Path, published: Path) -> None:
    root, store = project(tmp_path), tmp_path / "store"
    ref = add(store, question="油烟<script>alert(1)</script> | 怎么办？")
    out = tmp_path / "brief.html"
    assert brief(root, store, published, ref, "-o", str(out))[0] == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    page = out.read_text(encoding="utf-8")
    assert "<script>" not in page and "油烟&lt;script&gt;alert(1)&lt;/script&gt; | 怎么办？" in page
    assert brief(root, store, published, ref, "-o", str(tmp_path / "b.md"))[0] == 0
    assert "油烟\\<script\\>alert(1)\\</script\\> \\| 怎么办？" in (
        tmp_path / "b.md").read_text(encoding="utf-8")
    # A brief replaces a brief (run again), never another file.
    assert brief(root, store, published, ref, "-o", str(out))[0] == 0
    mine = root / "data" / "limits.yml"
    text = mine.read_text(encoding="utf-8")
    assert_refused(run_cli(["--project", str(root), "intake", "brief", ref, "--store", str(store),
                            "--data", str(published), "-o", str(mine), "--format", "md"]),
                   f"错误：{mine} 已存在，且不是本命令写出的预访简报，不会覆盖它。"
                   "修正方法：请换一个文件名，或先把这个文件移走。")
    assert mine.read_text(encoding="utf-8") == text


def test_unknown_reference_missing_store_and_missing_data(tmp_path: Path,
                                                          published: Path) -> None:
    root, store = project(tmp_path), tmp_path / "store"
    add(store)
    assert_refused(run_cli(["--project", str(root), "intake", "brief", "YQ-20260101-0099",
                            "--store", str(store), "--data", str(published)]),
                   f"错误：受理数据库 {store} 中没有编号为 “YQ-20260101-0099” 的申请。请核对编号"
                   "（形如 YQ-年月日-序号，见 `ecoportal intake overdue` 或导出的表格）；"
                   "该申请也可能已按本人要求删除或已过保存期限被清理。")
    nowhere = tmp_path / "nowhere"
    assert_refused(run_cli(["--project", str(root), "intake", "brief", "YQ-20260101-0001",
                            "--store", str(nowhere)]),
                   f"错误：找不到受理数据库 {nowhere / 'consultations.sqlite3'}。请用 --store 指定 "
                   "`ecoportal intake serve` 使用的文件夹。")
    ref = add(store)
    assert_refused(run_cli(["--project", str(root), "intake", "brief", ref, "--store",
                            str(store)], untouched=[store / "briefs"]),
                   f"错误：找不到已发布的统计数据：{root / 'site' / 'data'} 中没有 kpis.csv、"
                   "counts_by_month.csv、hotspots.csv、warnings.csv。请先运行 `ecoportal build` "
                   "生成网站，或用 --data 指定已发布网站的 data 文件夹。")


def test_broken_rules_are_reported_together(tmp_path: Path, published: Path) -> None:
    root, store = project(tmp_path), tmp_path / "store"
    ref = add(store)
    rules = root / "data" / "brief.yml"
    text = rules.read_text(encoding="utf-8")
    text = text.replace("tables: [air_law.fines, hj554.siting]", "tables: [air_law.fine]")
    text = text.replace("{adjacent_residential: [有]}", "{adjacent_residental: [是]}", 1)
    text = text.replace("categories: [餐饮油烟,", "categories: [油烟,")
    rules.write_text(text, encoding="utf-8")
    names = "、".join(service().form.names)
    assert_refused(
        run_cli(["--project", str(root), "intake", "brief", ref, "--store", str(store),
                 "--data", str(published)]),
        f"错误：预访简报规则文件 {rules} 有 3 处错误：\n"
        f"  - rules[0].tables[0]：值 “air_law.fine” 不是 data/limits.yml 中的表格。修正方法："
        "请写成 标准键.表格键，例如 gb22337.boundary（见 data/limits.yml）。\n"
        f"  - rules[0].any[2].adjacent_residental：不是表单字段。修正方法：请改为表单字段名之一："
        f"{names}。\n"
        "  - history.categories[0]：值 “油烟” 不是参考数据中的诉求类别。修正方法：请改为 "
        "餐饮油烟、扬尘、异味恶臭、企业废气、机动车尾气、社会生活噪声、建筑施工噪声、工业噪声、"
        "交通运输噪声、地表水、污水排放、一般固废、危险废物、电磁辐射、生态破坏、其他 之一。")

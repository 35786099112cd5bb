"""Broken-input corpus: settings and reference files (metrics, limits, cases, taxonomy, CSVs).

Each case breaks one file of a throw-away copy of the project, runs the real command, and
asserts the exit code, the exact Chinese message, no traceback, and untouched inputs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.broken_inputs import CliResult, assert_refused, run_cli
from tests.conftest import ROOT
from tests.project_copy import copy_project

MINI = ROOT / "tests" / "fixtures" / "mini_package"
YAML_FIX = "请检查缩进、冒号和引号；日期请写成有效的 YYYY-MM-DD。"
REF_FIX = "请改正后重试（行号从表头算起，表头为第 1 行）。"
TAXONOMY_FORMAT = ("格式：elements 列表，每个要素含 name 和 categories"
                   "（每个类别含 name 和 guide）；[n] 表示列表的第 n 项，从 0 起数。")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project root with copies of data/ (the mini package as data/complaints)."""
    from generator.reference import load_reference

    root = copy_project(tmp_path / "proj", complaints=MINI, link_site_src=True)
    monkeypatch.chdir(root)
    load_reference.cache_clear()
    return root


def _edit(path: Path, old: str | None, new: str) -> Path:
    text = path.read_text(encoding="utf-8")
    if old is None:
        text = new
    else:
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return path


def _assert_build_refused(result: CliResult, message: str) -> None:
    """Build echoes its stages first; the output must end with exactly 错误：<message>."""
    assert result.exit_code == 1, result.output
    assert "错误：" in result.output, result.output
    assert result.output[result.output.index("错误："):].strip() == f"错误：{message}"


def _build(project: Path) -> CliResult:
    return run_cli(["build"], untouched=[project / "data"])


def _validate(project: Path) -> CliResult:
    return run_cli(["validate", "data/complaints"], untouched=[project / "data"])


# --- data/metrics.yml ----------------------------------------------------------------------

def test_metrics_impossible_date(project: Path) -> None:
    path = _edit(project / "data/metrics.yml", "disclosure:\n",
                 "checked: 2024-02-30\ndisclosure:\n")
    _assert_build_refused(_build(project), (
        f"指标配置文件 {path} 不是有效的 YAML（第 18 行第 10 列：“2024-02-30” 像日期，"
        f"但不是有效的日期）。{YAML_FIX}"))


def test_metrics_list_where_a_mapping_is_expected(project: Path) -> None:
    path = _edit(project / "data/metrics.yml", "composite_weights: ",
                 "composite_weights: [0.1, 0.5, 0.4]\nold_weights: ")
    _assert_build_refused(_build(project), (
        f"指标配置文件 {path} 有 1 处错误：\n"
        "  - composite_weights：值 “[0.1, 0.5, 0.4]” 应为映射（每行“名称: 数值”），现为列表。"
        "修正方法：请对照仓库中的 data/metrics.yml 改写这一部分。"))


def test_metrics_string_where_a_number_is_expected(project: Path) -> None:
    path = _edit(project / "data/metrics.yml", "resolved_rate: 0.5", "resolved_rate: 一半")
    _assert_build_refused(_build(project), (
        f"指标配置文件 {path} 有 1 处错误：\n"
        "  - composite_weights.resolved_rate：值 “一半” 无效：应为 0 到 1 之间的数。"
        "修正方法：请填写 0 到 1 之间的数（数字，不加引号）。"))


def test_metrics_null_section_and_bad_value_are_listed_together(project: Path) -> None:
    path = _edit(project / "data/metrics.yml", "deadlines_hours:\n", "deadlines_hours:\nold:\n")
    _edit(path, "min_complainants: 5", "min_complainants: [5]")
    _assert_build_refused(_build(project), (
        f"指标配置文件 {path} 有 2 处错误：\n"
        "  - deadlines_hours：应为映射（每行“名称: 数值”），现为空值（null）。"
        "修正方法：请对照仓库中的 data/metrics.yml 改写这一部分。\n"
        "  - disclosure.min_complainants：值 “[5]” 无效：应为 1 到 1000 之间的数。"
        "修正方法：请填写 1 到 1000 之间的数（数字，不加引号）。"))


# --- data/limits.yml and data/cases/ -------------------------------------------------------

def test_limits_impossible_date(project: Path) -> None:
    path = _edit(project / "data/limits.yml", "gb3096:\n", "checked: 2024-02-30\ngb3096:\n")
    message = _build(project)
    line = path.read_text(encoding="utf-8").splitlines().index("checked: 2024-02-30") + 1
    _assert_build_refused(message, (
        f"限值文件 {path} 不是有效的 YAML（第 {line} 行第 10 列：“2024-02-30” 像日期，"
        f"但不是有效的日期）。{YAML_FIX}"))


def test_limits_wrong_shapes(project: Path) -> None:
    path = _edit(project / "data/limits.yml", "    title: 声环境功能区环境噪声限值（等效声级 Leq）",
                 "    title: [声环境功能区]")
    _edit(path, "    columns: [功能区类别, 适用区域, 昼间, 夜间]", "    columns: {a: 1}")
    _assert_build_refused(_build(project), (
        f"限值文件 {path} 有 2 处错误：\n"
        "  - gb3096.zones.title：值 “[声环境功能区]” 应为非空的文字，现为列表。"
        "修正方法：请写成一段文字。\n"
        "  - gb3096.zones.columns：值 “{a: 1}” 应为非空的文字列表。"
        "修正方法：请写成列标题的列表，例如 [功能区类别, 昼间, 夜间]。"))


def test_case_impossible_date(project: Path) -> None:
    path = _edit(project / "data/cases/2025-03-fengtai-ktv.yml", "date:", "date: 2025-02-30\nold:")
    _assert_build_refused(_build(project), (
        f"案例文件 {path} 不是有效的 YAML（第 2 行第 7 列：“2025-02-30” 像日期，"
        f"但不是有效的日期）。{YAML_FIX}"))


def test_case_list_where_text_is_expected(project: Path) -> None:
    path = project / "data/cases/2025-03-fengtai-ktv.yml"
    text = path.read_text(encoding="utf-8")
    district = next(line for line in text.splitlines() if line.startswith("district:"))
    _edit(path, district, "district: [丰台区, 朝阳区]")
    _assert_build_refused(_build(project), (
        f"案例文件 {path} 有 1 处错误：\n"
        "  - district：值 “[丰台区, 朝阳区]” 是列表，不是文字。修正方法：请写成一段文字。"))


# --- data/reference/taxonomy.yml -----------------------------------------------------------

def test_taxonomy_impossible_date(project: Path) -> None:
    path = _edit(project / "data/reference/taxonomy.yml", "  - name: 大气", "  - name: 2024-02-30")
    assert_refused(_validate(project), (
        f"错误：分类文件 {path} 不是有效的 YAML（第 4 行第 11 列：“2024-02-30” 像日期，"
        f"但不是有效的日期）。{YAML_FIX}"))


def test_taxonomy_wrong_shapes_name_the_key_path(project: Path) -> None:
    path = _edit(project / "data/reference/taxonomy.yml",
                 "{name: 扬尘, guide: guides/dust.md}", "{name: 扬尘, guide: [guides/dust.md]}")
    _edit(path, "      - {name: 地表水, guide: guides/water.md}", "      - 地表水")
    assert_refused(_validate(project), (
        f"错误：分类文件 {path} 有 2 处错误：\n"
        "  - elements[0].categories[1].guide：值 “[guides/dust.md]” 应为指南页面路径（文字，"
        "如 guides/dust.md），现为列表。修正方法：请填写 site_src/ 下指南页面的路径。\n"
        "  - elements[2].categories[0]：值 “地表水” 应为映射（如 {name: 扬尘, guide: "
        "guides/dust.md}），现为文字。修正方法：写成 {name: 类别名, guide: guides/页面.md}。\n"
        + TAXONOMY_FORMAT))


def test_taxonomy_elements_mapping_instead_of_list(project: Path) -> None:
    path = _edit(project / "data/reference/taxonomy.yml", None, "elements: {大气: 扬尘}\n")
    assert_refused(_validate(project), (
        f"错误：分类文件 {path} 有 1 处错误：\n"
        "  - elements：值 “{大气: 扬尘}” 应为非空列表（每项一个要素），现为映射（键: 值）。"
        "修正方法：每个要素写成一项：- name: 要素名 与 categories。\n" + TAXONOMY_FORMAT))


# --- data/reference/districts.csv and streets.csv ------------------------------------------

def test_district_population_not_an_integer(project: Path) -> None:
    path = _edit(project / "data/reference/districts.csv", "110101,东城区,709",
                 "110101,东城区,七百")
    assert_refused(_validate(project), (
        f"错误：参考数据文件 {path} 有 1 处错误：\n"
        "  - 第 2 行，字段 population_k：值 “七百” 不是非负整数（常住人口，单位：千人）。"
        "修正方法：请填写非负整数，不知道时留空（每万人诉求数将显示为“／”）。\n" + REF_FIX))


def test_district_tile_positions_are_checked(project: Path) -> None:
    path = _edit(project / "data/reference/districts.csv", "110101,东城区,709,2,3",
                 "110101,东城区,709,2,-1")
    _edit(path, "110105,朝阳区,3452,2,4", "110105,朝阳区,3452,2,2")
    assert_refused(_validate(project), (
        f"错误：参考数据文件 {path} 有 2 处错误：\n"
        "  - 第 2 行，字段 tile_col：值 “-1” 不是非负整数（示意图中的行号或列号，从 0 起）。"
        "修正方法：请填写 0 或正整数。\n"
        "  - 字段 tile_row,tile_col：值 “2,2” 重复出现在第 3 行、第 4 行。"
        "修正方法：示意图上每个位置只能放一个区，请改正其中一行的 tile_row 或 tile_col。\n"
        + REF_FIX))


def test_duplicate_district_codes_name_both_rows(project: Path) -> None:
    path = _edit(project / "data/reference/districts.csv", "110102,西城区", "110101,西城区")
    assert_refused(_validate(project), (
        f"错误：参考数据文件 {path} 有 1 处错误：\n"
        "  - 字段 district_code：值 “110101” 重复出现在第 2 行、第 3 行。"
        "修正方法：每个区划代码只能有一行，请删除或改正重复的行。\n" + REF_FIX))


def test_district_missing_column_and_empty_code(project: Path) -> None:
    path = _edit(project / "data/reference/districts.csv", "district_code,district,population_k",
                 "district_code,district")
    assert_refused(_validate(project), (
        f"错误：参考数据文件 {path} 有 1 处错误：\n"
        "  - 表头：缺少列 population_k。"
        "修正方法：表头应为 district_code,district,population_k,tile_row,tile_col。\n"
        + REF_FIX))


def test_street_problems_are_all_listed(project: Path) -> None:
    path = _edit(project / "data/reference/streets.csv", "110101002,景山街道,110101,",
                 "110101002,景山街道,999999,")
    _edit(path, "110101003,", ",")
    _edit(path, "110101004,", "110101001,")
    lines = path.read_text(encoding="utf-8").splitlines()
    row_4 = lines[3]
    assert row_4.startswith(","), row_4
    assert_refused(_validate(project), (
        f"错误：参考数据文件 {path} 有 3 处错误：\n"
        "  - 第 3 行，字段 district_code：值 “999999” 不在 districts.csv 中。"
        "修正方法：请填写 districts.csv 中已有的区划代码。\n"
        "  - 第 4 行，字段 street_code：为空。修正方法：请填写这一格。\n"
        "  - 字段 street_code：值 “110101001” 重复出现在第 2 行、第 5 行。"
        "修正方法：每个街乡镇代码只能有一行，请删除或改正重复的行。\n"
        + REF_FIX))


def test_street_row_with_missing_cells(project: Path) -> None:
    path = _edit(project / "data/reference/streets.csv", "110101002,景山街道,110101,东城区,街道",
                 "110101002,景山街道,110101")
    assert_refused(_validate(project), (
        f"错误：参考数据文件 {path} 有 1 处错误：\n"
        "  - 第 3 行：有 3 个单元格，表头有 5 列。修正方法：检查这一行多出或缺少的逗号。\n"
        + REF_FIX))


def test_metrics_new_sections_collect_every_problem(project: Path) -> None:
    path = project / "data/metrics.yml"
    _edit(path, "window_months: 12", "window_months: 10")
    _edit(path, '"2026-09": 餐饮油烟', '"2026-13": 餐饮油烟')
    _edit(path, "  escalation_rate:\n    title: 升级率\n", "  escalation_rat:\n    title: 升级率\n")
    _assert_build_refused(_build(project), (
        f"指标配置文件 {path} 有 4 处错误：\n"
        "  - ranking.window_months：值 “10” 应为 3 的倍数（排名窗口由完整的季度组成）。"
        "修正方法：请填写 3、6、12 等。\n"
        "  - topics.2026-13：值 “2026-13” 月份应写成 YYYY-MM。"
        "修正方法：例如 \"2026-10\": 餐饮油烟（月份加引号）。\n"
        "  - definitions.escalation_rate：缺少这一项指标的口径说明。"
        "修正方法：请从仓库中的 data/metrics.yml 复制这一项。\n"
        "  - definitions.escalation_rat：不是已发布的指标。修正方法：可用的指标为 total、"
        "citizen_total、proactive_total、responded_rate、resolved_rate、satisfied_rate、"
        "composite_score、ontime_rate、escalation_rate、repeat_rate。"))


def test_a_topic_outside_the_taxonomy_is_refused(project: Path) -> None:
    path = project / "data/metrics.yml"
    _edit(path, '"2026-09": 餐饮油烟', '"2026-09": 噪音扰民')
    _assert_build_refused(_build(project), (
        f"指标配置文件 {path} 有 1 处错误：\n"
        "  - topics.2026-09：值 “噪音扰民” 不是分类表（taxonomy.yml）中的诉求类别。"
        "修正方法：请改为分类表中的类别名称，例如 餐饮油烟。"))
    assert not (project / "site").exists()

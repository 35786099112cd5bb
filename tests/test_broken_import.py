"""Broken-input corpus: `ecoportal import` (raw exports, profiles), `keygen` and `sample`.

Every case runs the real command and asserts the exit code, the exact Chinese message, no
traceback, and that the raw export, the profile and an earlier --out package are unchanged.
The last test checks that no identifying value of the raw fixture reaches any output.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.broken_inputs import CliResult, assert_refused, run_cli
from tests.conftest import ROOT

RAW = ROOT / "tests" / "fixtures" / "raw" / "beijing_12345_export.csv"
PROFILE = ROOT / "data" / "profiles" / "beijing-12345.yml"
ENV = {"ECOPORTAL_PSEUDONYM_KEY": "5a" * 32, "ECOPORTAL_KEY_FILE": ""}
IDENTIFIER_COLUMNS = ("工单编号", "来电人姓名", "来电号码", "详细地址", "诉求内容")
ROW_FIX = "请检查这些行的引号和分隔符（逗号），或从源系统重新导出。"
FORMAT_FIX = ('格式写法见 data/profiles/README.md，例如 "%Y-%m-%d %H:%M:%S"；字面的 % 写成 %%')
XLSX_FIX = "文件可能在下载或复制时被截断；请从源系统重新导出，或在 Excel 中打开后另存为 .xlsx。"


def _rows() -> list[list[str]]:
    return list(csv.reader(io.StringIO(RAW.read_bytes().decode("gb18030"), newline="")))


def _write_rows(path: Path, rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_bytes(buffer.getvalue().encode("gb18030"))
    return path


def _profile(tmp_path: Path, old: str = "", new: str = "") -> Path:
    text = PROFILE.read_text(encoding="utf-8")
    assert old in text, old
    text = text.replace(old, new, 1)
    path = tmp_path / "profile.yml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def previous(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A package written by an earlier, successful import."""
    out = tmp_path_factory.mktemp("previous") / "pkg"
    result = run_cli(["import", str(RAW), "--profile", str(PROFILE), "--out", str(out)], env=ENV)
    assert result.exit_code == 0, result.output
    return out


def _import(tmp_path: Path, previous: Path, raw: Path = RAW, profile: Path = PROFILE,
            env: dict[str, str] | None = None) -> CliResult:
    out = tmp_path / "out"
    if not out.exists():
        shutil.copytree(previous, out)
    return run_cli(["import", str(raw), "--profile", str(profile), "--out", str(out)],
                   untouched=[RAW, PROFILE, raw, profile, out], env=env or ENV)


# --- profiles -------------------------------------------------------------------------------

def test_profile_impossible_date(tmp_path: Path, previous: Path) -> None:
    bad = _profile(tmp_path, "name:", "checked: 2024-02-30\nname:")
    assert_refused(_import(tmp_path, previous, profile=bad), (
        f"错误：导入映射档案 {bad} 不是有效的 YAML（第 4 行第 10 列：“2024-02-30” 像日期，"
        "但不是有效的日期）。请检查缩进、冒号和引号；日期请写成有效的 YYYY-MM-DD。"))


@pytest.mark.parametrize("fmt", ["%Y-%m-%d %Q", "%Y-%m-%d %"])
def test_profile_bad_strftime_directive(tmp_path: Path, previous: Path, fmt: str) -> None:
    bad = _profile(tmp_path, '  - "%Y/%m/%d %H:%M"', f'  - "{fmt}"')
    assert_refused(_import(tmp_path, previous, profile=bad), (
        "错误：导入映射档案有误：\n"
        f"  - {bad}：date_formats[2]：“{fmt}” 含无效的格式代码（如 %Q，或末尾单独的 %）。"
        + FORMAT_FIX))


def test_profile_wrong_shapes_are_listed_together(tmp_path: Path, previous: Path) -> None:
    bad = _profile(tmp_path, "  channel: {column: 受理渠道, values: channel}",
                   "  channel: {column: [受理渠道, 来源], values: channel}")
    text = bad.read_text(encoding="utf-8").replace("place_by_address: true",
                                                    "place_by_address: 是")
    bad.write_text(text.replace("time_zone: Asia/Shanghai", "time_zone: [Asia/Shanghai]"),
                   encoding="utf-8")
    assert_refused(_import(tmp_path, previous, profile=bad), (
        "错误：导入映射档案有误：\n"
        f"  - {bad}：time_zone：未知的时区[Asia/Shanghai]。请填写 IANA 时区名，如 Asia/Shanghai\n"
        f"  - {bad}：region.place_by_address：应为 true 或 false，现为文字 “是”。"
        "请写成 `place_by_address: true`\n"
        f"  - {bad}：columns.channel.column：应为一个列名，现为列表 [受理渠道, 来源]。"
        "多个来源列请写成 `columns: [列名1, 列名2]`"))


def test_profile_unknown_encoding_name(tmp_path: Path, previous: Path) -> None:
    bad = _profile(tmp_path, "# encoding: gb18030", "encoding: gb-18030x")
    assert_refused(_import(tmp_path, previous, profile=bad), (
        f"错误：{RAW}：档案指定的编码 gb-18030x 不是已知的编码名称。"
        "请删除档案中的 encoding 项以自动识别，或改成 utf-8、gb18030 等。"))


def test_profile_wrong_encoding_names_row_and_byte(tmp_path: Path, previous: Path) -> None:
    bad = _profile(tmp_path, "# encoding: gb18030", "encoding: utf-8")
    assert_refused(_import(tmp_path, previous, profile=bad), (
        f"错误：{RAW}：无法按档案指定的编码 utf-8 解码：第 1 行（第 1 个字节）起不是有效的 utf-8。"
        "请删除档案中的 encoding 项以自动识别，或改成正确的编码。"))


def _project_copy(tmp_path: Path) -> Path:
    """A project of its own: mkdocs.yml, settings and reference data copied from the checkout."""
    project = tmp_path / "project"
    (project / "data").mkdir(parents=True)
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copy(ROOT / "data" / "settings.yml", project / "data" / "settings.yml")
    shutil.copytree(ROOT / "data" / "reference", project / "data" / "reference")
    return project


def test_project_reference_with_duplicate_codes(tmp_path: Path, previous: Path) -> None:
    project = _project_copy(tmp_path)
    districts = project / "data" / "reference" / "districts.csv"
    districts.write_text(districts.read_text(encoding="utf-8").replace("110102,", "110101,"),
                         encoding="utf-8")
    out = tmp_path / "out"
    shutil.copytree(previous, out)
    result = run_cli(["--project", str(project), "import", str(RAW), "--profile", str(PROFILE),
                      "--out", str(out)], untouched=[RAW, PROFILE, out], env=ENV)
    assert_refused(result, (
        f"错误：参考数据文件 {districts} 有 1 处错误：\n"
        "  - 字段 district_code：值 “110101” 重复出现在第 2 行、第 3 行。"
        "修正方法：每个区划代码只能有一行，请删除或改正重复的行。\n"
        "请改正后重试（行号从表头算起，表头为第 1 行）。"))


def test_profile_naming_another_reference_folder(tmp_path: Path, previous: Path) -> None:
    other = tmp_path / "reference"
    shutil.copytree(ROOT / "data" / "reference", other)
    bad = _profile(tmp_path, "  district_column:", f"  reference: {other}\n  district_column:")
    assert_refused(_import(tmp_path, previous, profile=bad), (
        "错误：导入映射档案有误：\n"
        f"  - {bad}：region.reference：参考数据文件夹 “{other}”（{other}）不是项目的参考数据文件夹"
        f"（{ROOT / 'data' / 'reference'}）。参考数据由 data/settings.yml 的 reference.folder "
        "决定；请删除 region.reference，或修改设置中的 reference.folder"))


def test_profile_naming_the_project_reference_is_accepted(tmp_path: Path,
                                                           previous: Path) -> None:
    same = _profile(tmp_path, "  district_column:",
                    f"  reference: {ROOT / 'data' / 'reference'}\n  district_column:")
    result = _import(tmp_path, previous, profile=same)
    assert result.exit_code == 0, result.output


# --- raw exports ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def xlsx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("xlsx") / "export.xlsx"
    pd.read_csv(RAW, encoding="gb18030", dtype=str, keep_default_na=False).to_excel(
        path, index=False, sheet_name="工单")
    return path


def test_truncated_xlsx(tmp_path: Path, previous: Path, xlsx: Path) -> None:
    raw = tmp_path / "truncated.xlsx"
    raw.write_bytes(xlsx.read_bytes()[: xlsx.stat().st_size // 2])
    assert_refused(_import(tmp_path, previous, raw=raw), (
        f"错误：{raw}：XLSX 文件不完整或已损坏，无法打开（zipfile.BadZipFile）。" + XLSX_FIX))


def test_xlsx_with_a_damaged_sheet(tmp_path: Path, previous: Path, xlsx: Path) -> None:
    import zipfile

    raw = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(xlsx) as src, zipfile.ZipFile(raw, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            dst.writestr(name, data[: len(data) // 2] if name.endswith("sheet1.xml") else data)
    assert_refused(_import(tmp_path, previous, raw=raw), (
        f"错误：{raw}：XLSX 文件不完整或已损坏，无法打开（xml.etree.ElementTree.ParseError）。"
        + XLSX_FIX))


def test_xlsx_missing_sheet(tmp_path: Path, previous: Path, xlsx: Path) -> None:
    bad = _profile(tmp_path, "# sheet: Sheet1", "sheet: Sheet1")
    assert_refused(_import(tmp_path, previous, raw=xlsx, profile=bad), (
        f"错误：{xlsx}：没有名为“Sheet1”的工作表（文件中的工作表：工单）。"
        "请修改档案中的 sheet 项。"))


def test_duplicated_column_in_csv_header(tmp_path: Path, previous: Path) -> None:
    rows = _rows()
    rows[0][rows[0].index("受理渠道")] = "来电号码"
    raw = _write_rows(tmp_path / "dup.csv", rows)
    assert_refused(_import(tmp_path, previous, raw=raw), (
        f"错误：{raw}：表头中有重复的列名：“来电号码”（第 7、8 列）。同名的列无法区分；"
        "请在源系统或表格软件中把重复的列改名或删除后重新导出。"))


def test_duplicated_column_in_xlsx_header(tmp_path: Path, previous: Path) -> None:
    frame = pd.read_csv(RAW, encoding="gb18030", dtype=str, keep_default_na=False)
    raw = tmp_path / "dup.xlsx"
    frame.rename(columns={"二级分类": "三级分类 "}).to_excel(raw, index=False)
    assert_refused(_import(tmp_path, previous, raw=raw), (
        f"错误：{raw}：表头中有重复的列名：“三级分类”（第 10、11 列）。同名的列无法区分；"
        "请在源系统或表格软件中把重复的列改名或删除后重新导出。"))


def test_ragged_row_with_too_many_cells(tmp_path: Path, previous: Path) -> None:
    rows = _rows()
    rows[6].append("多出的一格")
    raw = _write_rows(tmp_path / "ragged.csv", rows)
    assert_refused(_import(tmp_path, previous, raw=raw),
                   f"错误：{raw}：第 7 行有 25 个单元格，表头有 24 列。{ROW_FIX}")


def test_ragged_rows_with_too_few_and_too_many_cells(tmp_path: Path, previous: Path) -> None:
    rows = _rows()
    rows[9] = rows[9][:20]
    rows[200] = [*rows[200], ""]
    raw = _write_rows(tmp_path / "ragged.csv", rows)
    assert_refused(_import(tmp_path, previous, raw=raw), (
        f"错误：{raw}：CSV 格式错误，以下各行的单元格数与表头（24 列）不符"
        "（行号从表头算起，表头为第 1 行）：\n"
        "  - 第 10 行有 20 个单元格\n"
        f"  - 第 201 行有 25 个单元格\n{ROW_FIX}"))


def test_cr_only_line_ends_are_accepted(tmp_path: Path, previous: Path) -> None:
    raw = tmp_path / "mac.csv"
    raw.write_bytes(RAW.read_bytes().replace(b"\r\n", b"\r"))
    out = tmp_path / "mac"
    result = run_cli(["import", str(raw), "--profile", str(PROFILE), "--out", str(out)],
                     untouched=[raw, PROFILE], env=ENV)
    assert result.exit_code == 0, result.output
    for name in ("complaints.csv", "rejects.csv", "unplaced.csv"):
        assert (out / name).read_bytes() == (previous / name).read_bytes(), name


def test_out_folder_holding_the_raw_export_as_complaints_csv(tmp_path: Path,
                                                            previous: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    raw = shutil.copy(RAW, folder / "complaints.csv")
    result = run_cli(["import", str(raw), "--profile", str(PROFILE), "--out", str(folder)],
                     untouched=[folder], env=ENV)
    assert_refused(result, (
        f"错误：--out {folder} 会覆盖输入文件 {raw}（导入写出 complaints.csv、datapackage.json、"
        "rejects.csv、unplaced.csv、out_of_scope.csv）。请用 --out 指定另一个文件夹。"))


# --- keygen and sample ------------------------------------------------------------------------

def test_keygen_below_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "keys"
    blocker.write_text("not a folder", encoding="utf-8")
    result = run_cli(["keygen", "--out", str(blocker / "p.key")], untouched=[blocker])
    assert_refused(result, (f"错误：无法创建密钥文件 {blocker / 'p.key'}：路径中的 {blocker} "
                            "是文件而不是文件夹。请换一个路径。"))


def test_sample_month_out_of_range(tmp_path: Path) -> None:
    out = tmp_path / "sample"
    result = run_cli(["sample", "--out", str(out), "--end", "0001-06", "--months", "12"])
    assert_refused(result, ("错误：--end 0001-06 与 --months 12 无效：样例数据的月份应在 "
                            "2000 年到 2099 年之间。请修改 --end 或 --months。"))
    assert not out.exists()


# --- nothing identifying in any output of a failing import -----------------------------------

def _identifiers() -> set[str]:
    frame = pd.read_csv(RAW, encoding="gb18030", dtype=str, keep_default_na=False)
    values = {v for column in IDENTIFIER_COLUMNS for v in frame[column] if v}
    values |= {re.sub(r"\D", "", v) for v in frame["来电号码"] if "*" not in v and v}
    return values


def test_no_identifier_reaches_any_output(tmp_path: Path, previous: Path, xlsx: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _rows()
    ragged = [r[:] for r in rows]
    ragged[5].append("x")
    ragged[17] = ragged[17][:3]
    dup = [r[:] for r in rows]
    dup[0][dup[0].index("详细地址")] = "来电人姓名"
    truncated = tmp_path / "t.xlsx"
    truncated.write_bytes(xlsx.read_bytes()[:5000])
    logs = tmp_path / "logs"
    runs = [
        (_write_rows(tmp_path / "ragged.csv", ragged), PROFILE),
        (_write_rows(tmp_path / "dup.csv", dup), PROFILE),
        (truncated, PROFILE),
        (RAW, _profile(tmp_path, '  - "%Y/%m/%d %H:%M"', '  - "%Q"')),
        (RAW, PROFILE),  # succeeds, with bad dates and unknown values in rejects.csv
    ]
    texts: list[str] = []
    for i, (raw, profile) in enumerate(runs):
        out = tmp_path / f"out{i}"
        result = run_cli(["import", str(raw), "--profile", str(profile), "--out", str(out)],
                         env={**ENV, "ECOPORTAL_LOG_DIR": str(logs)})
        texts.append(result.output)
        texts += [p.read_text(encoding="utf-8-sig") for p in out.glob("*.csv")
                  if p.name != "complaints.csv"]
    phone = rows[3][rows[0].index("来电号码")]

    def fail(*_: object, **__: object) -> None:
        raise ValueError(f"invalid literal for int() with base 10: '{phone}'")

    monkeypatch.setattr("generator.ingest.importer.check_rules", fail)
    result = run_cli(["import", str(RAW), "--profile", str(PROFILE), "--out",
                      str(tmp_path / "crash")], env={**ENV, "ECOPORTAL_LOG_DIR": str(logs)})
    assert "程序内部出错（ValueError）" in result.output
    texts.append(result.output)
    texts += [p.read_text(encoding="utf-8") for p in logs.iterdir()]
    assert len(texts) >= 9 and any("crash-" in t for t in texts)
    values = _identifiers()
    assert len(values) > 900
    leaked = [v for v in values for t in texts if v in t]
    assert not leaked, leaked[:5]

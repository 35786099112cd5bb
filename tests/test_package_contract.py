"""The package is checked, not trusted: descriptor contract, settings, time window, encodings,
line ends and how reports show values (unit level; the CLI corpus is test_broken_package)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from generator.dataset.descriptor import check_schema, first_resource
from generator.dataset.encoding import GB18030, decode_csv_bytes
from generator.dataset.report import format_json, format_text
from generator.dataset.schema import package_descriptor
from generator.dataset.validate import validate_package
from generator.errors import DataError
from generator.reference import load_reference
from generator.settings import DataSettings

ROOT = Path(__file__).resolve().parent.parent
MINI = Path(__file__).parent / "fixtures" / "mini_package"
REFERENCE = ROOT / "data" / "reference"
TODAY = dt.date(2026, 11, 28)


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "pkg"
    shutil.copytree(MINI, folder)
    return folder


def _set_cells(folder: Path, cells: dict[tuple[int, int], str], newline: str = "\n") -> None:
    lines = (folder / "complaints.csv").read_text("utf-8").splitlines()
    for (row, col), value in cells.items():
        parts = lines[row - 1].split(",")
        parts[col] = value
        lines[row - 1] = ",".join(parts)
    (folder / "complaints.csv").write_bytes((newline.join(lines) + newline).encode("utf-8"))


def _issue_lines(folder: Path, settings: DataSettings | None = None) -> list[str]:
    report = validate_package(folder, reference=REFERENCE, today=TODAY, settings=settings)
    return format_text(report).splitlines()[1:-1]


def _beijing() -> dict[str, Any]:
    return package_descriptor(load_reference(REFERENCE), DataSettings())


def _check(descriptor: dict[str, Any], path: Path) -> None:
    expected = _beijing()["resources"][0]["schema"]
    check_schema(first_resource(descriptor, path), path, expected, "data/reference")


def test_the_contract_passes_its_own_check() -> None:
    _check(_beijing(), Path("x.json"))


def test_a_field_missing_type_means_string_and_default_format_is_no_format() -> None:
    descriptor = _beijing()
    fields = descriptor["resources"][0]["schema"]["fields"]
    fields[0].pop("type")
    fields[1]["format"] = "default"
    descriptor["resources"][0]["schema"]["primaryKey"] = "case_id"
    _check(descriptor, Path("x.json"))


def test_every_difference_is_listed_at_once() -> None:
    descriptor = _beijing()
    schema = descriptor["resources"][0]["schema"]
    fields = schema["fields"]
    fields[0]["constraints"] = {"required": "yes", "pattern": "^[A-Z]{2}[0-9A-F]{12}$",
                                "unique": True}
    fields[2]["constraints"]["enum"] = list(reversed(fields[2]["constraints"]["enum"]))
    fields[9]["name"] = 9
    del fields[10]["name"]
    schema["missingValues"] = ["", "NA"]
    with pytest.raises(DataError) as info:
        _check(descriptor, Path("d.json"))
    assert info.value.message == "\n".join([
        "d.json 的表结构（resources[0].schema）与数据契约不一致，共 7 处：",
        "  - 第 10 个字段的 name 应为文本，实际是数字。",
        "  - 第 11 个字段缺少 name。",
        "  - 缺少字段 street_code（契约中的第 10 个字段）。",
        "  - 缺少字段 location_key（契约中的第 11 个字段）。",
        "  - 字段 case_id（第 1 个字段）的 constraints.required：契约为 “true”，数据包为 “yes”。",
        "  - 字段 channel（第 3 个字段）的 constraints.enum 取值顺序与契约不同："
        "应为 “[\"热线电话\", \"网络\", \"来信\", \"来访\", \"微信\", \"其他\"]”。",
        '  - schema.missingValues：契约为 “[""]”，数据包为 “["", "NA"]”。',
        "请用 ecoportal sample / import 重新生成数据包。",
    ])


def test_descriptive_titles_of_any_shape_do_not_break_the_report(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "datapackage.json"
    descriptor = json.loads(path.read_text("utf-8"))
    descriptor["resources"][0]["schema"]["fields"][17]["title"] = {"zh": "升级"}
    path.write_text(json.dumps(descriptor, ensure_ascii=False), "utf-8")
    _set_cells(folder, {(2, 17): "Y"})
    assert _issue_lines(folder) == [
        "第 2 行，字段 escalated（escalated）：值 “Y” 不是有效的是/否值。"
        "修正方法：只能填写“是”或“否”，或留空。",
    ]


def test_a_missing_data_file_is_named_after_the_path_check(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "complaints.csv").unlink()
    with pytest.raises(DataError) as info:
        validate_package(folder)
    assert info.value.message == (
        f"找不到数据文件 {folder / 'complaints.csv'}"
        "（datapackage.json 的 resources[0].path 指向它）。"
        "请把 CSV 放到该位置，或修改 path。"
    )


def test_a_symlink_inside_the_package_is_fine(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "data").mkdir()
    (folder / "complaints.csv").rename(folder / "data" / "real.csv")
    (folder / "complaints.csv").symlink_to(folder / "data" / "real.csv")
    assert validate_package(folder, reference=REFERENCE, today=TODAY).ok


# Time window ---------------------------------------------------------------------------

def test_time_window_edges(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _set_cells(folder, {
        (2, 3): "2015-01-01T00:00:00", (2, 13): "2015-01-01T01:00:00",
        (2, 14): "2015-01-01T02:00:00", (2, 15): "2015-01-02T00:00:00",
        (3, 3): "2014-12-31T23:59:59",
        (6, 3): "2026-11-28T23:59:59", (6, 13): "2026-11-29T00:00:00",
    })
    assert _issue_lines(folder) == [
        "第 3 行，字段 received_at（受理时间）：值 “2014-12-31T23:59:59” 早于 2015 年 1 月 1 日。"
        "修正方法：核对年份；若确有 2015 年以前的记录，"
        f"请把 {ROOT / 'data' / 'settings.yml'} 中的 data.earliest_year 改小。",
        "第 6 行，字段 dispatched_at（派单时间）：值 “2026-11-29T00:00:00” 晚于今天"
        "（2026-11-28，北京时间）。修正方法：核对日期，时间不能晚于校验或构建的当天；"
        "若本机日期有误，请先校正。",
    ]


def test_earliest_year_comes_from_settings() -> None:
    lines = _issue_lines(MINI, settings=DataSettings(earliest_year=2025))
    assert lines and all("早于 2025 年 1 月 1 日" in line for line in lines)
    assert lines[0] == (
        "第 2 行，字段 received_at（受理时间）：值 “2024-03-01T08:00:00” 早于 2025 年 1 月 1 日。"
        "修正方法：核对年份；若确有 2025 年以前的记录，"
        "请把 data/settings.yml 中的 data.earliest_year 改小。"
    )


# Line ends and encodings ---------------------------------------------------------------

@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"], ids=["cr", "crlf", "lf"])
def test_row_numbers_with_every_line_end(tmp_path: Path, newline: str) -> None:
    folder = _copy(tmp_path)
    _set_cells(folder, {(5, 17): "Y"}, newline=newline)
    assert _issue_lines(folder) == [
        "第 5 行，字段 escalated（是否升级）：值 “Y” 不是有效的是/否值。"
        "修正方法：只能填写“是”或“否”，或留空。",
    ]


def test_cr_only_file_with_a_quoted_line_break(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _set_cells(folder, {(3, 8): '"东华\r门"', (5, 17): "Y"}, newline="\r")
    lines = _issue_lines(folder)
    assert [line.split("，")[0] for line in lines] == ["第 3 行", "第 5 行"]


def test_gb18030_text_that_starts_like_utf8_is_still_gb18030() -> None:
    # 模 is C4 A3 in GB18030, which is also valid UTF-8 (ģ); 中 (D6 D0) is not.
    data = "模中,1\n".encode("gb18030")
    assert decode_csv_bytes(data, Path("x.csv")) == (GB18030, "模中,1\n".encode())


def test_utf8_bom_file_reports_the_byte_in_the_whole_file() -> None:
    with pytest.raises(DataError) as info:
        decode_csv_bytes(b"\xef\xbb\xbfab\n\xff", Path("x.csv"))
    assert "但第 2 行（第 7 个字节）起不是有效的 UTF-8" in info.value.message


# Values in reports -----------------------------------------------------------------------

def test_json_report_shows_values_masked_escaped_and_cut(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _set_cells(folder, {(2, 17): "Y\u200b", (3, 22): "13812345678", (4, 22): "满" * 200})
    report = validate_package(folder, reference=REFERENCE, today=TODAY)
    values = [e["value"] for e in json.loads(format_json(report))["errors"]]
    assert values == ["Y\\u200b", "138****5678", "满" * 80 + "…（共 200 个字符，已截断）"]
    assert [(i.value, i.escaped) for i in report.issues] == [
        ("Y\\u200b", True), ("138****5678", False), (values[2], False)
    ]  # the structured problem holds the value as shown, never the raw cell

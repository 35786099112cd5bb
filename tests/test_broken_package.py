"""Broken-package corpus: each case runs `ecoportal validate` (or `build`) on a damaged copy
of the mini package and asserts the exit code, the whole Chinese output, no traceback, and
that the package is byte-identical afterwards."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.broken_inputs import assert_refused, run_cli

ROOT = Path(__file__).resolve().parent.parent
MINI = Path(__file__).parent / "fixtures" / "mini_package"
TODAY = dt.date(2026, 11, 28)
SETTINGS = ROOT / "data" / "settings.yml"

SCHEMA_FIX = "请用 ecoportal sample / import 重新生成数据包。"
RECOPY = SCHEMA_FIX
PATH_FIX = (
    "数据文件必须放在数据包文件夹 {p} 之内，path 写相对于该文件夹的路径，例如 complaints.csv。"
    "请把 CSV 复制到数据包文件夹，并把 resources[0].path 改为它的文件名。"
)
ENCODING_TAIL = (
    "本工具只接受 UTF-8（可带 BOM）或 GB18030/GBK 编码的 CSV。请用 Excel 或 WPS 打开该文件，"
    "选择“另存为”，文件类型选“CSV UTF-8（逗号分隔）”后重新保存；"
    "或在记事本中“另存为”，编码选“UTF-8”。"
)
DAMAGED = "，可能是文件损坏，或拼接了不同编码的内容"
ESCAPED = "（\\u 转义表示不可见字符或控制字符）"


def schema_error(*lines: str, note: str = "") -> str:
    listed = "\n".join(f"  - {line}" for line in lines)
    return (
        f"错误：{{d}} 的表结构（resources[0].schema）与数据契约不一致，共 {len(lines)} 处：\n"
        f"{listed}\n{SCHEMA_FIX}{note}"
    )


def report(*lines: str, rows: int = 32, encoding: str = "UTF-8") -> str:
    verdict = "校验通过" if not lines else f"发现 {len(lines)} 处错误"
    return "\n".join([f"文件 {{c}}（编码：{encoding}，共 {rows} 行）", *lines, verdict])


# Package editors -----------------------------------------------------------------------

def _descriptor(folder: Path, change: Callable[[dict[str, Any]], object]) -> None:
    path = folder / "datapackage.json"
    data = json.loads(path.read_text("utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")


def _resource(**values: object) -> Callable[[Path], None]:
    return lambda folder: _descriptor(folder, lambda d: d["resources"][0].update(values))


def _fields(change: Callable[[list[Any]], object]) -> Callable[[Path], None]:
    return lambda folder: _descriptor(
        folder, lambda d: change(d["resources"][0]["schema"]["fields"])
    )


def _swap(fields: list[Any]) -> None:
    fields[1], fields[2] = fields[2], fields[1]


def _not_mappings(fields: list[Any]) -> None:
    fields[4] = "element"
    fields[5]["constraints"] = ["required"]


def _lines(folder: Path) -> list[str]:
    return (folder / "complaints.csv").read_text("utf-8").splitlines()


def _bytes(make: Callable[[list[str]], bytes]) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        data = make(_lines(folder))
        (folder / "complaints.csv").write_bytes(data)
    return edit


def _cell(row: int, col: int, value: str) -> Callable[[Path], None]:
    """Set the cell of frictionless row `row` (header = 1), column `col`."""
    def change(lines: list[str]) -> bytes:
        cells = lines[row - 1].split(",")
        cells[col] = value
        lines[row - 1] = ",".join(cells)
        return ("\n".join(lines) + "\n").encode("utf-8")
    return _bytes(change)


def _symlink_out(folder: Path) -> None:
    (folder / "link.csv").symlink_to("/etc/passwd")
    _resource(path="link.csv")(folder)


def _utf8_then_bad(lines: list[str]) -> bytes:
    return ("\n".join(lines[:12]) + "\n").encode() + b"GD\xff" + "\n".join(lines[12:]).encode()


def _gb18030_then_bad(lines: list[str]) -> bytes:
    return ("\n".join(lines[:5]) + "\n").encode("gb18030") + b"\x80abc\n"


def _bom_then_bad(lines: list[str]) -> bytes:
    return b"\xef\xbb\xbf" + ("\n".join(lines[:2]) + "\n").encode() + b"\xc3(\n"


CASES: dict[str, tuple[Callable[[Path], None], int, str]] = {
    "path_dotdot": (
        _resource(path="../../etc/passwd"), 1,
        "错误：{d} 中 resources[0].path 的值 “../../etc/passwd” 含有 ..（上一级文件夹），"
        "指向数据包文件夹之外。" + PATH_FIX,
    ),
    "path_absolute": (
        _resource(path="/etc/passwd"), 1,
        "错误：{d} 中 resources[0].path 的值 “/etc/passwd” 是绝对路径。" + PATH_FIX,
    ),
    "path_url": (
        _resource(path="https://example.com/complaints.csv"), 1,
        "错误：{d} 中 resources[0].path 的值 “https://example.com/complaints.csv” 是网址；"
        "本工具只读取数据包文件夹中的本地文件。" + PATH_FIX,
    ),
    "path_windows": (
        _resource(path="C:\\data\\complaints.csv"), 1,
        "错误：{d} 中 resources[0].path 的值 “C:\\data\\complaints.csv” 是 Windows 路径"
        "（含反斜杠或盘符）；文件夹之间请用 / 分隔。" + PATH_FIX,
    ),
    "path_symlink_out": (
        _symlink_out, 1,
        "错误：{d} 中 resources[0].path 的值 “link.csv” 经符号链接指向数据包文件夹之外的 "
        "/etc/passwd。" + PATH_FIX,
    ),
    "path_control_char": (
        _resource(path="complaints.csv\n"), 1,
        "错误：{d} 中 resources[0].path 的值 “complaints.csv\\u000a” 含有控制字符。"
        + PATH_FIX + ESCAPED,
    ),
    "path_not_text": (
        _resource(path=["a.csv", "b.csv"]), 1,
        "错误：{d} 中 resources[0].path 应为一个相对文件路径，例如 complaints.csv，实际是列表。"
        "请把 path 改为数据文件的文件名。",
    ),
    "missing_resources": (
        lambda folder: _descriptor(folder, lambda d: d.pop("resources")), 1,
        "错误：{d} 缺少 resources（它的第一项描述 CSV 数据文件）。" + RECOPY,
    ),
    "descriptor_is_a_list": (
        lambda folder: (folder / "datapackage.json").write_text("[1, 2]", "utf-8"), 1,
        "错误：{d} 的顶层应为 JSON 对象（{{…}}），实际是列表。" + RECOPY,
    ),
    "missing_schema": (
        lambda folder: _descriptor(folder, lambda d: d["resources"][0].pop("schema")), 1,
        schema_error("缺少 resources[0].schema。"),
    ),
    "fields_not_a_list": (
        lambda folder: _descriptor(
            folder, lambda d: d["resources"][0]["schema"].update(fields={"case_id": "string"})
        ), 1,
        schema_error("resources[0].schema.fields 应为字段列表，实际是对象。"),
    ),
    "field_not_a_mapping": (
        _fields(_not_mappings), 1,
        schema_error(
            "第 5 个字段应为 JSON 对象，实际是文本。",
            "缺少字段 element（契约中的第 5 个字段）。",
            "字段 category（第 6 个字段）的 constraints 应为 JSON 对象，实际是列表。",
        ),
    ),
    "changed_type": (
        _fields(lambda f: f[3].update(type="string")), 1,
        schema_error(
            "字段 received_at（第 4 个字段）的 type：契约为 “datetime”，数据包为 “string”。"
        ),
    ),
    "changed_enum": (
        _fields(lambda f: f[1]["constraints"].update(enum=["市民诉求", "其他来源"])), 1,
        schema_error("字段 source（第 2 个字段）的 constraints.enum 与契约不同："
                     "缺少 “主动治理”，多了 “其他来源”。"),
    ),
    "invalid_pattern": (
        _fields(lambda f: f[0]["constraints"].update(pattern="[A-Z")), 1,
        schema_error(
            "字段 case_id（第 1 个字段）的 constraints.pattern："
            "契约为 “^[A-Z]{{2}}[0-9A-F]{{12}}$”，"
            "数据包为 “[A-Z”（不是有效的正则表达式：unterminated character set at position 0）。"
        ),
    ),
    "missing_field": (
        _fields(lambda f: f.pop()), 1,
        schema_error("缺少字段 satisfaction（契约中的第 23 个字段）。"),
    ),
    "extra_field_in_descriptor": (
        _fields(lambda f: f.append({"name": "caller\u200bphone", "type": "string"})), 1,
        schema_error("多了字段 “caller\\u200bphone”（第 24 个字段），契约中没有这个字段。",
                     note="\n" + ESCAPED),
    ),
    "reordered_fields": (
        _fields(_swap), 1,
        schema_error("字段顺序不同：第 2 个字段应为 source，数据包为 channel。",
                     "字段顺序不同：第 3 个字段应为 channel，数据包为 source。"),
    ),
    "changed_primary_key": (
        lambda folder: _descriptor(
            folder, lambda d: d["resources"][0]["schema"].update(primaryKey=["case_id", "source"])
        ), 1,
        schema_error('schema.primaryKey：契约为 “["case_id"]”，数据包为 “["case_id", "source"]”。'),
    ),
    "loosened_constraints": (
        _fields(lambda f: (
            f[0]["constraints"].update(unique=False),
            f[6]["constraints"].pop("required"),
            f[7]["constraints"].update(maxLength=6),
            f[17].update(trueValues=["是", "Y"]),
            f[3].update(format="%Y/%m/%d"),
        )), 1,
        schema_error(
            "字段 case_id（第 1 个字段）的 constraints.unique：契约为 “true”，数据包为 “false”。",
            "字段 received_at（第 4 个字段）的 format：契约为 “%Y-%m-%dT%H:%M:%S”，"
            "数据包为 “%Y/%m/%d”。",
            "字段 district（第 7 个字段）的 constraints.required："
            "契约为 “true”，数据包为 “false”。",
            "字段 district_code（第 8 个字段）的 constraints.maxLength：契约中没有这个约束，"
            "数据包为 “6”。",
            '字段 escalated（第 18 个字段）的 trueValues：'
            '契约为 “["是"]”，数据包为 “["是", "Y"]”。',
        ),
    ),
    "descriptive_properties_only": (
        lambda folder: _descriptor(folder, lambda d: (
            d.update(title="另一个标题", homepage="https://example.org"),
            d["resources"][0]["schema"]["fields"][0].update(title="编号", note="说明"),
        )), 0,
        report(),
    ),
    "cr_only_line_ends": (_bytes(lambda L: ("\r".join(L) + "\r").encode()), 0, report()),
    "crlf_line_ends": (_bytes(lambda L: ("\r\n".join(L) + "\r\n").encode()), 0, report()),
    "one_record": (_bytes(lambda L: (L[0] + "\n" + L[1] + "\n").encode()), 0, report(rows=1)),
    "header_only": (
        _bytes(lambda L: (L[0] + "\n").encode()), 1,
        "错误：数据包没有记录：文件 {c} 只有表头，没有工单记录。"
        "请导出含有记录的数据后用 `ecoportal import` 重新生成数据包，"
        "或用 `ecoportal sample` 生成样例数据包。",
    ),
    "invalid_utf8_after_chinese": (
        _bytes(_utf8_then_bad), 1,
        "错误：文件 {c} 的编码无法识别：第 13 行（第 3,016 个字节）起不是有效的 UTF-8"
        "（此前的内容是 UTF-8 编码）" + DAMAGED + "。" + ENCODING_TAIL,
    ),
    "invalid_utf8_after_bom": (
        _bytes(_bom_then_bad), 1,
        "错误：文件 {c} 的编码无法识别：文件以 UTF-8 BOM 开头，但第 3 行（第 517 个字节）起"
        "不是有效的 UTF-8" + DAMAGED + "。" + ENCODING_TAIL,
    ),
    "invalid_gb18030": (
        _bytes(_gb18030_then_bad), 1,
        "错误：文件 {c} 的编码无法识别：第 6 行（第 1,157 个字节）起不是有效的 GB18030"
        "（文件也不是有效的 UTF-8）。" + ENCODING_TAIL,
    ),
    "before_earliest_year": (
        _cell(3, 3, "2009-05-01T08:00:00"), 1,
        report(
            "第 3 行，字段 received_at（受理时间）：值 “2009-05-01T08:00:00” "
            "早于 2015 年 1 月 1 日。"
            "修正方法：核对年份；若确有 2015 年以前的记录，"
            f"请把 {SETTINGS} 中的 data.earliest_year 改小。"
        ),
    ),
    "after_build_date": (
        _cell(3, 3, "2026-11-29T00:00:00"), 1,
        report(
            "第 3 行，字段 received_at（受理时间）：值 “2026-11-29T00:00:00” 晚于今天"
            "（2026-11-28，北京时间）。修正方法：核对日期，时间不能晚于校验或构建的当天；"
            "若本机日期有误，请先校正。"
        ),
    ),
    "year_9999": (
        _cell(3, 15, "9999-05-01T08:00:00"), 1,
        report(
            "第 3 行，字段 closed_at（办结时间）：值 “9999-05-01T08:00:00” 晚于今天"
            "（2026-11-28，北京时间）。修正方法：核对日期，时间不能晚于校验或构建的当天；"
            "若本机日期有误，请先校正。"
        ),
    ),
    "invisible_characters_escaped": (
        _cell(3, 1, "市民\u200b诉求\u202e"), 1,
        report(
            "第 3 行，字段 source（来源）：值 “市民\\u200b诉求\\u202e” 不在允许的取值范围内。"
            "修正方法：只能填写以下之一：市民诉求、主动治理。" + ESCAPED
        ),
    ),
    "megabyte_value_cut": (
        _cell(3, 8, "街" * 1_000_000), 1,
        report(
            "第 3 行，字段 street（被反映街乡镇）：值 “" + "街" * 80 + "…（共 1,000,000 个字符，"
            "已截断）” 不在参考数据 data/reference/streets.csv 中。"
            "修正方法：按 data/reference/streets.csv 填写被反映街乡镇。"
        ),
    ),
    "phone_number_masked": (
        _cell(4, 22, "找13812345678"), 1,
        report(
            "第 4 行，字段 satisfaction（是否满意）：值 “找138****5678” 不在允许的取值范围内。"
            "修正方法：只能填写以下之一：满意、基本满意、不满意、未评价。"
        ),
    ),
}


@pytest.fixture
def in_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from the project root (reference data, settings) with a fixed build date."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr("generator.settings.DataSettings.today", lambda self: TODAY)


@pytest.mark.parametrize("name", list(CASES))
def test_broken_package(name: str, tmp_path: Path, in_root: None) -> None:
    edit, code, expected = CASES[name]
    folder = tmp_path / "pkg"
    shutil.copytree(MINI, folder)
    edit(folder)
    result = run_cli(["validate", str(folder)], untouched=[folder])
    message = expected.format(
        p=folder, d=folder / "datapackage.json", c=folder / "complaints.csv"
    )
    assert result.exit_code == code, result.output
    assert result.output.strip() == message


def test_corpus_size() -> None:
    assert len(CASES) >= 18


def test_extra_column_is_refused_by_the_contract_check(tmp_path: Path, in_root: None) -> None:
    """An extra (personal-data) column declared in the descriptor stops the build at once,
    before the CSV is read and before any site folder is written."""
    leaky = tmp_path / "leaky"
    leaky.mkdir()
    rows = (MINI / "complaints.csv").read_text("utf-8").splitlines()
    rows = [rows[0] + ",caller_phone"] + [r + ",13812345678" for r in rows[1:]]
    (leaky / "complaints.csv").write_text("\n".join(rows) + "\n", "utf-8")
    descriptor = json.loads((MINI / "datapackage.json").read_text("utf-8"))
    descriptor["resources"][0]["schema"]["fields"].append(
        {"name": "caller_phone", "type": "string"})
    (leaky / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), "utf-8")
    site = tmp_path / "out" / "site"
    result = run_cli(["build", "--package", str(leaky), "--site-dir", str(site)],
                     untouched=[leaky])
    assert_refused(result, "\n".join([
        f"[1/6] 读取并校验数据包 {leaky}……",
        f"错误：{leaky / 'datapackage.json'} 的表结构（resources[0].schema）与数据契约不一致，"
        "共 1 处：",
        "  - 多了字段 “caller_phone”（第 24 个字段），契约中没有这个字段。",
        SCHEMA_FIX,
    ]))
    assert not site.exists()
    assert "13812345678" not in result.output

"""The personal-data scanner: golden list, file types, positions, reports and the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main
from generator.privacy.scan import (
    Finding,
    ScanReport,
    format_report,
    scan_paths,
    scan_text,
    scan_values,
)

GOLDEN: dict[str, Any] = yaml.safe_load(
    (Path(__file__).parent / "fixtures" / "pii_golden.yml").read_text(encoding="utf-8")
)


def test_golden_list_is_big_enough() -> None:
    assert len(GOLDEN["must_catch"]) >= 40
    assert len(GOLDEN["must_not_flag"]) >= 40


@pytest.mark.parametrize("case", GOLDEN["must_catch"], ids=lambda c: c["text"])
def test_golden_must_catch(case: dict[str, str]) -> None:
    matches = scan_text(case["text"])
    assert [m.kind for m in matches] == [case["kind"]]
    match = matches[0]
    assert case["text"][match.start:match.end] == match.raw
    if "raw" in case:
        assert match.raw == case["raw"]


@pytest.mark.parametrize("text", GOLDEN["must_not_flag"])
def test_golden_must_not_flag(text: str) -> None:
    assert scan_text(text) == []


def test_masks_keep_only_the_ends() -> None:
    text = "投诉人：张三，电话138-1234-5678，身份证110105199003071239，邮箱zhang.san@example.com"
    masked = {m.kind: m.masked for m in scan_text(text)}
    assert masked == {
        "姓名": "张*",
        "手机号码": "138****5678",
        "身份证号": "110************239",
        "电子邮箱": "zha***************com",
    }


def test_positions_refer_to_the_original_text() -> None:
    text = "前文\u200b\u200b１３８－１２３４\u200b－５６７８后文，王先生"
    kinds = [(m.kind, text[m.start:m.end]) for m in scan_text(text)]
    assert kinds == [("手机号码", "１３８－１２３４\u200b－５６７８"), ("姓名", "王先生")]


def test_id_number_is_not_also_a_phone_number() -> None:
    matches = scan_text("证件 110105 1990 0307 1239 号")
    assert [m.kind for m in matches] == ["身份证号"]


def test_scan_values_reports_row_field_and_offset() -> None:
    cells = [(2, "note", "无"), (3, "note", "请回电13812345678"), (4, "street", "东华门街道")]
    assert scan_values(cells, "complaints.csv") == [
        Finding("complaints.csv", 3, 4, "note", "手机号码", "138****5678")
    ]


def test_scan_values_never_joins_neighbouring_cells() -> None:
    cells = [(2, "a", "138"), (2, "b", "12345678"), (3, "a", "王"), (3, "b", "先生"),
             (4, "a", "联系人："), (4, "b", "张三")]
    assert scan_values(cells, "t.csv") == []


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_rows_count_the_header_and_name_the_field(tmp_path: Path) -> None:
    csv_path = _write(
        tmp_path / "t.csv",
        'id,note,count\n1,"多行\n备注",3\n2,联系电话13912345678,5\n3,"a,b",7\n',
    )
    report = scan_paths([csv_path])
    # record 3 (header = 1) starts on physical line 4; "2," is 2 characters, so column 3
    assert report.findings == [
        Finding(str(csv_path), 3, 7, "note", "手机号码", "139****5678")
    ]


def test_html_text_attributes_and_entities(tmp_path: Path) -> None:
    page = _write(
        tmp_path / "site" / "p.html",
        "<html><head><style>.a{color:#138123}</style>"
        '<script>var x = "13812345678";</script>'
        '<link href="assets/bundle.13812345678.css"></head><body>\n'
        '<svg><path d="M138 1234 5678 L1 2"/></svg>\n'
        '<p title="联系人：李四">电话&#49;&#x33;8<b>1234</b>5678</p>\n'
        "<p>55 dB(A)，12369</p></body></html>\n",
    )
    found = [(f.line, f.kind, f.masked) for f in scan_paths([page.parent]).findings]
    assert found == [(3, "姓名", "李*"), (3, "手机号码", "138****5678")]


def test_json_escapes_are_decoded(tmp_path: Path) -> None:
    data = {"docs": [{"text": "反映人：赵敏，电话13912345678"}]}
    path = _write(tmp_path / "search_index.json", json.dumps(data))
    findings = scan_paths([path]).findings
    assert [(f.kind, f.masked) for f in findings] == [("姓名", "赵*"), ("手机号码", "139****5678")]
    text = path.read_text(encoding="utf-8")
    assert findings[1].column == text.index("13912345678") + 1


def test_other_file_types_are_skipped(tmp_path: Path) -> None:
    _write(tmp_path / "a.js", "13812345678")
    _write(tmp_path / "b.css", "13812345678")
    _write(tmp_path / "c.md", "无个人信息")
    report = scan_paths([tmp_path])
    assert report.files_scanned == 1
    assert report.ok


def test_format_report_lines() -> None:
    report = ScanReport(
        files_scanned=3,
        findings=[
            Finding("a.csv", 5, 12, "note", "手机号码", "138****5678"),
            Finding("b.md", 2, 1, None, "姓名", "王*生"),
        ],
    )
    assert format_report(report).splitlines() == [
        "a.csv 第 5 行第 12 列（字段“note”）：疑似手机号码 138****5678",
        "b.md 第 2 行第 1 列：疑似姓名 王*生",
        "共扫描 3 个文件，发现 2 处疑似个人信息",
    ]
    assert format_report(ScanReport(files_scanned=7)) == "共扫描 7 个文件，未发现个人信息"


def test_cli_reports_a_phone_number_and_exits_1(tmp_path: Path) -> None:
    path = _write(tmp_path / "notes.txt", "第一行\n投诉电话：13812345678\n")
    result = CliRunner().invoke(main, ["scan", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{path} 第 2 行第 6 列：疑似手机号码 138****5678",
        "共扫描 1 个文件，发现 1 处疑似个人信息",
    ]
    assert "13812345678" not in result.output


def test_cli_clean_folder_exits_0(tmp_path: Path) -> None:
    _write(tmp_path / "a.md", "# 噪声\n执行 GB 22337-2008，夜间 45 dB(A)，热线 12369。\n")
    _write(tmp_path / "b.csv", "street_code,count\n110105001,1204\n")
    result = CliRunner().invoke(main, ["scan", str(tmp_path)])
    assert result.exit_code == 0
    assert result.output == "共扫描 2 个文件，未发现个人信息\n"


def test_cli_json_format(tmp_path: Path) -> None:
    _write(tmp_path / "a.txt", "邮箱 li.si@example.com")
    result = CliRunner().invoke(main, ["scan", "--format", "json", str(tmp_path)])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["files_scanned"] == 1
    assert data["findings"] == [
        {"file": str(tmp_path / "a.txt"), "line": 1, "column": 4, "field": None,
         "kind": "电子邮箱", "masked": "li.***********com"}
    ]


def test_cli_missing_path(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["scan", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert "找不到要扫描的路径" in result.output


def test_committed_data_and_pages_hold_no_personal_data() -> None:
    """data/ (package, reference, limits, cases, profiles) and site_src/ pass the scanner."""
    root = Path(__file__).resolve().parents[1]
    report = scan_paths([root / "data", root / "site_src"])
    assert report.files_scanned >= 30
    assert not report.findings, format_report(report)

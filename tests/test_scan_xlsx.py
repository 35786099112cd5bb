"""The personal-data scanner reads Excel workbooks (.xlsx): every cell's value on every
sheet, sheet names, document properties, comments and page headers, whatever size the
workbook claims; a workbook it cannot read stops the scan instead of passing unscanned.
Workbooks here are written with openpyxl (the site's own are written with XlsxWriter)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.comments import Comment

from generator.errors import DataError, PrivacyError
from generator.privacy.detectors import MOBILE
from generator.privacy.gate import gate_site
from generator.privacy.scan import SCANNED_SUFFIXES, format_report, scan_paths

PHONE = "13912345678"


def workbook(path: Path, rows: list[list[object]], title: str = "数据") -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_a_phone_number_in_a_cell_is_found_with_its_sheet_and_cell(tmp_path: Path) -> None:
    path = workbook(tmp_path / "by_district.xlsx",
                    [["区", "件数"], ["东城区", 12], ["西城区", f"联系 {PHONE}"]])
    report = scan_paths([tmp_path])
    assert report.files_scanned == 1
    (finding,) = report.findings
    assert (finding.file, finding.line, finding.field, finding.kind) == (
        str(path), 3, "数据!B3", MOBILE)
    assert finding.column == 4  # character offset inside the cell
    text = format_report(report)
    assert PHONE not in text and "数据!B3" in text and "第 3 行" in text


def test_numbers_stored_as_numbers_are_read_as_the_spreadsheet_shows_them(
        tmp_path: Path) -> None:
    workbook(tmp_path / "a.xlsx", [["件数"], [int(PHONE)]])
    workbook(tmp_path / "b.xlsx", [["件数"], [float(PHONE)]])
    found = scan_paths([tmp_path]).findings
    assert sorted((Path(f.file).name, f.field, f.kind) for f in found) == [
        ("a.xlsx", "数据!A2", MOBILE), ("b.xlsx", "数据!A2", MOBILE)]


def test_every_sheet_and_formula_text_is_read(tmp_path: Path) -> None:
    path = tmp_path / "two.xlsx"
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.append(["说明"])
    second = book.create_sheet("字段说明")
    second["C7"] = f'="电话"&"{PHONE}"'
    book.save(path)
    (finding,) = scan_paths([path]).findings
    assert finding.field == "字段说明!C7" and finding.line == 7


def test_a_workbook_claiming_to_be_smaller_cannot_hide_cells(tmp_path: Path) -> None:
    path = workbook(tmp_path / "x.xlsx", [["区"], ["东城区"], ["东城区"], [PHONE]])
    lying = tmp_path / "lying.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(lying, "w") as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data, count = re.subn(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:A1"', data)
                assert count == 1
            out.writestr(item, data)
    path.unlink()
    (finding,) = scan_paths([lying]).findings
    assert finding.field == "数据!A4"


def test_cells_that_do_not_name_their_place_are_placed_in_order(tmp_path: Path) -> None:
    path = workbook(tmp_path / "x.xlsx", [["区", "件数"], ["东城区", 3], ["西城区", PHONE]])
    bare = tmp_path / "bare.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(bare, "w") as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data, count = re.subn(rb'(<(?:c|row)\b[^>]*?) r="[A-Z]*[0-9]+"', rb"\1", data)
                assert count == 9  # three rows, six cells
            out.writestr(item, data)
    path.unlink()
    (finding,) = scan_paths([bare]).findings
    assert (finding.line, finding.field) == (3, "数据!B3")


def test_sheet_names_properties_comments_and_headers_are_read(tmp_path: Path) -> None:
    path = tmp_path / "meta.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"回访{PHONE}"
    sheet["A1"] = "区"
    sheet["A1"].comment = Comment("联系人电话 13812345678", "值班员")
    sheet.oddFooter.center.text = "投诉人电话 13712345678"
    book.properties.creator = "zhang.san@example.com"
    book.save(path)
    found = scan_paths([path]).findings
    places = sorted(f.field or "" for f in found)
    assert len(found) == 4, places
    assert "工作表名称" in places
    assert "docProps/core.xml" in places
    assert any(p.startswith("xl/comments") for p in places)
    assert any(p.endswith("页眉页脚") for p in places)


def test_a_clean_workbook_has_no_finding(tmp_path: Path) -> None:
    workbook(tmp_path / "ok.xlsx", [["区", "区代码", "件数", "受理月份"],
                                    ["东城区", "110101", 1204, "2026-10"],
                                    ["西城区", "110102", "suppressed", "2026-10"]])
    report = scan_paths([tmp_path])
    assert report.ok and report.files_scanned == 1
    assert ".xlsx" in SCANNED_SUFFIXES


def test_a_damaged_workbook_stops_the_scan_in_chinese(tmp_path: Path) -> None:
    path = workbook(tmp_path / "cut.xlsx", [["区"], ["东城区"]])
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(DataError, match=r"无法读取 Excel 文件.*修正方法"):
        scan_paths([tmp_path])


def test_the_gate_on_the_finished_site_finds_a_phone_in_an_open_data_workbook(
        tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "data").mkdir(parents=True)
    (site / "index.html").write_text("<p>生态环境</p>", "utf-8")
    workbook(site / "data" / "kpis.xlsx", [["范围", "数值"], ["全市", 3], [PHONE, 1]])
    with pytest.raises(PrivacyError, match=r"kpis\.xlsx 第 3 行.*疑似手机号码"):
        gate_site(site)

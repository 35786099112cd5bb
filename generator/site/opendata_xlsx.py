"""The open-data tables as Excel workbooks (.xlsx) beside the CSVs, for spreadsheet users.

Excel on Chinese Windows reads a UTF-8 CSV without BOM as GB18030 and shows mojibake; the
CSVs stay standard UTF-8 for machine readers and each table is also written as a workbook,
from the same declaration (generator.site.opendata.resources) and the same cell text:

- sheet 数据: one header row of the columns' Chinese titles (frozen, with a filter), then the
  CSV's rows in the CSV's order. Integer and number columns hold numbers (the value the CSV
  writes, so both read the same), boolean columns Excel's TRUE/FALSE; the marks (suppressed,
  NA, unrecorded) are the CSV's own tokens as text. Text cells are always text: region codes
  and months such as 2026-10 never turn into numbers or dates, and a cell starting with
  "=" is never a formula.
- sheet 字段说明: the table's title and description, then each column's name (as in the CSV
  header, the contract), Chinese title, type and meaning, then source and licence.

Written with XlsxWriter: its zip members carry a fixed time (1980-01-01) and the document's
creation time is set from the data (`created`), so the same tables give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator, Sequence

import pandas as pd
import xlsxwriter

from generator.errors import BuildError
from generator.stats.marks import MISSING_VALUES

DATA_SHEET = "数据"
FIELDS_SHEET = "字段说明"
MEDIATYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TYPE_NAMES = {"string": "文本", "integer": "整数", "number": "数值",
              "boolean": "是否（TRUE/FALSE）"}
"""How the field types of the data package read for staff."""
NUMERIC = frozenset({"integer", "number"})
BOOLEANS = {**dict.fromkeys(("true", "True", "TRUE", "1"), True),
            **dict.fromkeys(("false", "False", "FALSE", "0"), False)}
"""Table Schema's default true and false values (the CSVs write Python's True / False)."""
EXCEL_ROWS = 1_048_576
"""Rows of one Excel worksheet, its header row included (XlsxWriter drops any beyond)."""
MAX_WIDTH = 40
"""Widest column, in Excel's character units (a Chinese character counts two)."""

Cell = str | int | float | bool
Field = tuple[str, str, str, str]


def cells(text: pd.Series, kind: str) -> list[Cell]:
    """The workbook cells of one CSV column (its text, as written): numbers for integer and
    number fields, booleans for boolean fields, the marks and everything else as text."""
    values = text.tolist()
    if kind in NUMERIC:
        numbers = pd.to_numeric(text.where(~text.isin(MISSING_VALUES)), errors="coerce")
        out: list[Cell] = []
        for value, number in zip(values, numbers.tolist(), strict=True):
            if number != number:  # NaN: a mark (or text a numeric column should never hold)
                out.append(value)
            elif kind == "integer" and float(number).is_integer():
                out.append(int(number))
            else:
                out.append(float(number))
        return out
    if kind == "boolean":
        return [BOOLEANS.get(v, v) for v in values]
    return list(values)


def _width(texts: Sequence[str]) -> float:
    """A column width that shows the longest text (Chinese characters count two)."""
    widest = max((len(t) + sum(1 for c in t if ord(c) > 0x2E7F) for t in texts), default=0)
    return float(min(MAX_WIDTH, max(6, widest + 2)))


def _rows(columns: list[list[Cell]]) -> Iterator[tuple[Cell, ...]]:
    return zip(*columns, strict=True)


def xlsx_bytes(text: pd.DataFrame, fields: Sequence[Field], title: str, description: str,
               *, csv_name: str, source: str, created: dt.datetime) -> bytes:
    """The workbook of one table. `text` is the table as the CSV writes it (tokens for the
    marks), its columns those of `fields` (name, type, title, meaning)."""
    if len(text) + 1 > EXCEL_ROWS:
        raise BuildError(
            f"开放数据表 {csv_name} 有 {len(text):,} 行，超过 Excel 工作表最多 "
            f"{EXCEL_ROWS - 1:,} 行数据的上限，无法写出内容相同的 .xlsx 文件。"
            "修正方法：请把这一情况报告给维护人员（需要把该表分成多个工作表）；"
            "CSV 文件不受此限制。")
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                        "strings_to_formulas": False, "strings_to_urls": False})
    book.set_properties({"title": title, "subject": description, "author": source,
                         "company": source, "created": created,
                         "comments": f"与 {csv_name} 内容相同"})
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    sheet = book.add_worksheet(DATA_SHEET)
    columns = [cells(text[name], kind) for name, kind, _, _ in fields]
    for col, (name, _, heading, _) in enumerate(fields):
        sheet.write_string(0, col, heading, bold)
        sample = [heading, *(str(v) for v in text[name].head(200))]
        sheet.set_column(col, col, _width(sample))
    for row, values in enumerate(_rows(columns), start=1):
        for col, value in enumerate(values):
            if isinstance(value, bool):
                sheet.write_boolean(row, col, value)
            elif isinstance(value, int | float):
                sheet.write_number(row, col, value)
            else:
                sheet.write_string(row, col, value)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(text), len(fields) - 1)
    notes = book.add_worksheet(FIELDS_SHEET)
    notes.set_column(0, 0, 22)
    notes.set_column(1, 1, 24)
    notes.set_column(2, 2, 14)
    notes.set_column(3, 3, 80)
    notes.write_string(0, 0, title, bold)
    notes.merge_range(1, 0, 1, 3, description, wrap)
    notes.set_row(1, 15 * (1 + len(description) // 60))
    notes.merge_range(2, 0, 2, 3, f"本工作簿与 {csv_name} 内容相同：“{DATA_SHEET}”表第一行为"
                      "各列中文标题，以下各行与 CSV 的数据行一一对应；CSV 的列名（字段名）见下表。",
                      wrap)
    for col, heading in enumerate(("字段名", "中文标题", "类型", "含义")):
        notes.write_string(4, col, heading, bold)
    for row, (name, kind, heading, meaning) in enumerate(fields, start=5):
        notes.write_string(row, 0, name)
        notes.write_string(row, 1, heading, wrap)
        notes.write_string(row, 2, TYPE_NAMES.get(kind, kind))
        notes.write_string(row, 3, meaning, wrap)
    notes.write_string(len(fields) + 6, 0, f"来源：{source}；许可：CC BY 4.0")
    book.close()
    return buffer.getvalue()

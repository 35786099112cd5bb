"""What a person opening an Excel workbook (.xlsx) can read, for the personal-data scanner.

A workbook is a zip of XML parts, so the scanner cannot read it as text. This module yields
its readable texts as ``(row, place, text)``, the form generator.privacy.scan.scan_values
takes: every cell's value on every sheet (numbers as the spreadsheet shows them, a formula
as its text, so literals inside it are read too), each sheet's name and page header/footer,
the document properties, and the text of comments and drawings (text boxes). Cells are read
with openpyxl in read-only mode with the sheet's declared size ignored: a workbook claiming
to be smaller than it is cannot hide cells. A workbook that cannot be read raises DataError:
a file the scan cannot read must not be published unscanned.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from generator.errors import DataError

XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
_READ_ERRORS = (OSError, ValueError, KeyError, IndexError, EOFError, TypeError,
                zipfile.BadZipFile, zlib.error, ET.ParseError, InvalidFileException)
"""What openpyxl and zipfile raise on a damaged or foreign file (zip, deflate, XML)."""
_TEXT_PARTS: tuple[tuple[re.Pattern[str], frozenset[str] | None, tuple[str, ...]], ...] = (
    (re.compile(r"^docProps/[^/]+\.xml$"), None, ()),  # every property
    (re.compile(r"^xl/(comments/)?comments?[^/]*\.xml$"), frozenset({"author", "t"}), ()),
    (re.compile(r"^xl/threadedComments/[^/]+\.xml$"), frozenset({"text"}), ()),
    (re.compile(r"^xl/persons/[^/]+\.xml$"), frozenset(), ("displayName", "userId")),
    (re.compile(r"^xl/drawings/[^/]+\.xml$"), frozenset({"t"}), ()),  # text boxes, shapes
)
"""Parts a reader sees text of: (part name, elements whose text is read (None: all),
attributes read)."""
_HEADER_FOOTER = re.compile(
    rb"<(?:\w+:)?(?:odd|even|first)(?:Header|Footer)>([^<]*)</", re.IGNORECASE)
_SHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$")

Cell = tuple[int, str, str]


def _shown(value: object) -> str | None:
    """A cell value as text, as a spreadsheet shows it; None for an empty or boolean cell."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        return f"{value:.15g}"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _cells(path: Path) -> Iterator[Cell]:
    book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        for sheet in book.worksheets:
            yield 1, "工作表名称", sheet.title
            sheet.reset_dimensions()  # read-only: ignore the declared size
            rows = sheet.iter_rows(min_row=1, min_col=1, values_only=True)
            for row, values in enumerate(rows, start=1):
                for column, value in enumerate(values, start=1):
                    text = _shown(value)
                    if text:
                        yield row, f"{sheet.title}!{get_column_letter(column)}{row}", text
    finally:
        book.close()


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _element_texts(data: bytes, elements: frozenset[str] | None,
                   attributes: tuple[str, ...]) -> Iterator[str]:
    for element in ET.fromstring(data).iter():
        if element.text and element.text.strip() and (
                elements is None or _local(element.tag) in elements):
            yield element.text
        for name, value in element.attrib.items():
            if _local(name) in attributes and value.strip():
                yield value


def _parts(path: Path) -> Iterator[Cell]:
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if _SHEET_PART.match(member):
                for found in _HEADER_FOOTER.finditer(archive.read(member)):
                    text = html.unescape(found.group(1).decode("utf-8", errors="replace"))
                    yield 1, f"{member} 页眉页脚", text
                continue
            for pattern, elements, attributes in _TEXT_PARTS:
                if pattern.match(member):
                    for text in _element_texts(archive.read(member), elements, attributes):
                        yield 1, member, text


def xlsx_texts(path: Path) -> list[Cell]:
    """Every text of the workbook a reader can see, as (row, place, text): the row is the
    cell's row (1 for texts outside the cells), the place "sheet!A1" or the part's name."""
    try:
        return [*_cells(path), *_parts(path)]
    except _READ_ERRORS as exc:
        raise DataError(
            f"无法读取 Excel 文件 {path}（{type(exc).__name__}），无法检查其中是否含有个人信息。"
            "修正方法：确认它是完整的 .xlsx 文件（可在 Excel 中打开后另存为 .xlsx），"
            "或把它移出要扫描的文件夹。") from exc

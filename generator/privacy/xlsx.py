"""What a person opening an Excel workbook (.xlsx) can read, for the personal-data scanner.

A workbook is a zip of XML parts, so the scanner cannot read it as text. This module yields
its readable texts as ``(row, place, text)``, the form generator.privacy.scan.scan_values
takes: every cell's value on every worksheet (shared and inline strings, numbers as a
spreadsheet shows them, a formula's text and its cached result), every sheet's name (hidden
ones too), page headers and footers, the document properties, and the text of comments and
drawings (text boxes). The parts are read with ElementTree's incremental parser, one
lookup per element (a little faster than openpyxl's read-only mode, which matters for the
finished site's scan): a sheet's declared size is never used, so a workbook claiming to be
smaller than it is cannot hide cells, and a cell without its place (r="B3") is placed after
the one before it. A workbook that cannot be read raises DataError: a file the scan cannot
read must not be published unscanned.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from generator.errors import DataError

XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
_READ_ERRORS = (OSError, ValueError, KeyError, IndexError, EOFError, zipfile.BadZipFile,
                zlib.error, ET.ParseError)
"""What zipfile and ElementTree raise on a damaged or foreign file (zip, deflate, XML)."""
_TEXT_PARTS: tuple[tuple[re.Pattern[str], frozenset[str] | None, tuple[str, ...]], ...] = (
    (re.compile(r"^docProps/[^/]+\.xml$"), None, ()),  # every property
    (re.compile(r"^xl/(comments/)?comments?[^/]*\.xml$"), frozenset({"author", "t"}), ()),
    (re.compile(r"^xl/threadedComments/[^/]+\.xml$"), frozenset({"text"}), ()),
    (re.compile(r"^xl/persons/[^/]+\.xml$"), frozenset(), ("displayName", "userId")),
    (re.compile(r"^xl/drawings/[^/]+\.xml$"), frozenset({"t"}), ()),  # text boxes, shapes
)
"""Parts a reader sees text of: (part name, elements whose text is read (None: all),
attributes read)."""
_HEADER_FOOTER = frozenset({"oddHeader", "oddFooter", "evenHeader", "evenFooter",
                            "firstHeader", "firstFooter"})
_SHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$")
_REF = re.compile(r"^([A-Za-z]{1,3})(\d+)$")

Cell = tuple[int, str, str]


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _letters(column: int) -> str:
    out = ""
    while column:
        column, rest = divmod(column - 1, 26)
        out = chr(65 + rest) + out
    return out


def _column(letters: str) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
    return number


def _text_of(element: ET.Element) -> str:
    """All text runs of a string item (<si> or <is>), joined as a spreadsheet shows them."""
    return "".join(t.text or "" for t in element.iter() if _local(t.tag) == "t")


def _number(text: str) -> str:
    """A stored number as a spreadsheet shows it (13812345678, not 1.3812345678E10)."""
    try:
        value = float(text)
    except ValueError:
        return text
    return f"{value:.15g}" if value == value and abs(value) != float("inf") else text


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    name = next((n for n in archive.namelist() if n.lower() == "xl/sharedstrings.xml"), None)
    if name is None:
        return []
    strings: list[str] = []
    with archive.open(name) as part:
        for _, element in ET.iterparse(part):
            if _local(element.tag) == "si":
                strings.append(_text_of(element))
                element.clear()
    return strings


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Part name → sheet name, from the workbook and its relationships."""
    names = {n.lower(): n for n in archive.namelist()}
    book = ET.fromstring(archive.read(names["xl/workbook.xml"]))
    rels_name = names.get("xl/_rels/workbook.xml.rels")
    targets: dict[str, str] = {}
    if rels_name:
        for rel in ET.fromstring(archive.read(rels_name)):
            target = rel.get("Target", "").lstrip("/")
            targets[rel.get("Id", "")] = target if target.startswith("xl/") else f"xl/{target}"
    found: dict[str, str] = {}
    for sheet in book.iter():
        if _local(sheet.tag) == "sheet":
            rid = next((v for k, v in sheet.attrib.items() if _local(k) == "id"), "")
            found[targets.get(rid, f"?{rid}")] = sheet.get("name", "")
    return found


def _tags(*names: str) -> dict[str, str]:
    """Each element name with each namespace SpreadsheetML uses (and none), for one lookup
    per element."""
    spaces = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main",
              "http://purl.oclc.org/ooxml/spreadsheetml/main")
    return {tag: name for name in names for tag in (name, *(f"{{{ns}}}{name}" for ns in spaces))}


_SHEET_TAGS = _tags("c", "row", *_HEADER_FOOTER)
_CELL_TAGS = _tags("v", "f", "is")


def _cell_texts(cell: ET.Element, shared: list[str]) -> list[str]:
    kind = cell.get("t", "n")
    texts = []
    for child in cell:
        tag = _CELL_TAGS.get(child.tag)
        text = child.text
        if tag == "v" and text is not None:
            if kind == "s":
                texts.append(shared[int(text)])
            elif kind == "n":
                texts.append(_number(text))
            elif kind != "b":
                texts.append(text)
        elif tag == "f" and text:
            texts.append("=" + text)
        elif tag == "is":
            texts.append(_text_of(child))
    return texts


def _sheet_cells(archive: zipfile.ZipFile, part: str, title: str,
                 shared: list[str]) -> Iterator[Cell]:
    """The cells of one worksheet. A cell names its place (r="B3"); one that does not is
    placed after the cell before it, in its row's number (known at the row's end)."""
    row = 0
    unplaced: list[tuple[int, list[str]]] = []
    column = 0
    with archive.open(part) as stream:
        for _, element in ET.iterparse(stream):
            tag = _SHEET_TAGS.get(element.tag)
            if tag == "c":
                ref = element.get("r")
                texts = _cell_texts(element, shared)
                found = _REF.match(ref) if ref else None
                if found:
                    column = _column(found[1])
                    place, number = f"{title}!{ref}", int(found[2])
                    for text in texts:
                        if text:
                            yield number, place, text
                else:
                    column += 1
                    unplaced.append((column, texts))
                element.clear()
            elif tag == "row":
                row_ref = element.get("r", "")
                row = int(row_ref) if row_ref.isdigit() else row + 1
                for at, texts in unplaced:
                    for text in texts:
                        if text:
                            yield row, f"{title}!{_letters(at)}{row}", text
                unplaced, column = [], 0
                element.clear()
            elif tag is not None and tag != "c" and element.text:  # a header or footer
                yield 1, f"{title} 页眉页脚", element.text


def _cells(archive: zipfile.ZipFile) -> Iterator[Cell]:
    shared = _shared_strings(archive)
    titles = _sheet_names(archive)
    for title in titles.values():
        yield 1, "工作表名称", title
    for part in archive.namelist():
        if _SHEET_PART.match(part):
            yield from _sheet_cells(archive, part, titles.get(part, part), shared)


def _element_texts(data: bytes, elements: frozenset[str] | None,
                   attributes: tuple[str, ...]) -> Iterator[str]:
    for element in ET.fromstring(data).iter():
        if element.text and element.text.strip() and (
                elements is None or _local(element.tag) in elements):
            yield element.text
        for name, value in element.attrib.items():
            if _local(name) in attributes and value.strip():
                yield value


def _parts(archive: zipfile.ZipFile) -> Iterator[Cell]:
    for member in archive.namelist():
        for pattern, elements, attributes in _TEXT_PARTS:
            if pattern.match(member):
                for text in _element_texts(archive.read(member), elements, attributes):
                    yield 1, member, text


def xlsx_texts(path: Path) -> list[Cell]:
    """Every text of the workbook a reader can see, as (row, place, text): the row is the
    cell's row (1 for texts outside the cells), the place "sheet!A1" or the part's name."""
    try:
        with zipfile.ZipFile(path) as archive:
            return [*_cells(archive), *_parts(archive)]
    except _READ_ERRORS as exc:
        raise DataError(
            f"无法读取 Excel 文件 {path}（{type(exc).__name__}），无法检查其中是否含有个人信息。"
            "修正方法：确认它是完整的 .xlsx 文件（可在 Excel 中打开后另存为 .xlsx），"
            "或把它移出要扫描的文件夹。") from exc

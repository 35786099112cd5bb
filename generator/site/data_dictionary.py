"""The 数据字典 page (stats/data-dictionary.md): every open-data file and every column.

Everything on it comes from the data package the build publishes (site/data/datapackage.json,
made by generator.site.opendata_files): each table's title and description, its CSV and
workbook with their sizes, its rows, and each column's name, Chinese title, type and meaning.
The note on the marks, which the package repeats in every figure's description, is said once
at the top of the page and each column only says whether it may hold a mark.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from generator.site.opendata import marks_note
from generator.site.opendata_files import OpenDataFiles, TableFile, open_data_files
from generator.site.opendata_xlsx import DATA_SHEET, FIELDS_SHEET, TYPE_NAMES

if TYPE_CHECKING:
    from generator.site.pages import SiteData


@dataclass(frozen=True)
class DictionaryColumn:
    """One column of an open-data table, as the data package describes it."""

    name: str
    """The column's name in the CSV header (a contract: it never changes)."""
    title: str
    """Its Chinese title (the workbook's header), naming the actual month where it has one."""
    kind: str
    """Its type in words (文本, 整数, 数值, 是否)."""
    meaning: str
    """Its description without the marks note (said once on the page)."""
    marked: bool
    """True when the column may hold a mark (suppressed, NA, unrecorded)."""


@dataclass(frozen=True)
class DictionaryFile:
    """One open-data table: its two files and its columns."""

    anchor: str
    """The section's id on the page (the table's name)."""
    title: str
    """The resource's title."""
    description: str
    """What the table holds, without the marks note."""
    csv_name: str
    """The CSV's file name under data/."""
    csv_size: str
    """The CSV's size in words (e.g. 2.8 MB)."""
    xlsx_name: str
    """The workbook's file name under data/."""
    xlsx_size: str
    """The workbook's size in words."""
    rows: int
    """Data rows (without the header), the same in both files."""
    columns: tuple[DictionaryColumn, ...]
    """The table's columns in file order."""


@dataclass(frozen=True)
class DataDictionaryContext:
    """The data dictionary page."""

    dictionary_files: tuple[DictionaryFile, ...]
    """Every table of the data package, in publishing order."""
    dictionary_marks: str
    """How the marks read (the note every figure's description carries)."""
    data_sheet: str
    """The name of the workbooks' data sheet."""
    fields_sheet: str
    """The name of the workbooks' column sheet."""


def size_zh(size: int) -> str:
    """1234 → '1.2 KB'; 2_948_523 → '2.8 MB' (binary units, one decimal)."""
    if size < 1024:
        return f"{size} 字节"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "｜").replace("\n", " ")


def _without(text: str, note: str) -> tuple[str, bool]:
    """`text` without the marks note (and the separator before it); whether it had it."""
    if note not in text:
        return text, False
    cut = text.replace(note, "").replace("；；", "；").replace("。。", "。")
    return cut.strip("；。 ") + ("。" if text.rstrip().endswith("。") else ""), True


def _file(resource: dict[str, Any], table: TableFile, note: str) -> DictionaryFile:
    schema = resource["schema"]["fields"]
    columns = []
    for field in schema:
        meaning, marked = _without(str(field["description"]), note)
        columns.append(DictionaryColumn(field["name"], _cell(field["title"]),
                                        TYPE_NAMES.get(field["type"], field["type"]),
                                        _cell(meaning) or "见中文标题", marked))
    description, _ = _without(str(resource["description"]), note)
    spreadsheet = resource["spreadsheet"]
    return DictionaryFile(
        anchor=table.name.replace("_", "-"), title=str(resource["title"]),
        description=description, csv_name=str(resource["path"]),
        csv_size=size_zh(int(resource["bytes"])), xlsx_name=str(spreadsheet["path"]),
        xlsx_size=size_zh(int(spreadsheet["bytes"])), rows=table.rows,
        columns=tuple(columns))


def dictionary(files: OpenDataFiles, note: str) -> tuple[DictionaryFile, ...]:
    """Each table of the data package, for the page."""
    by_path = {r["path"]: r for r in files.package["resources"]}
    return tuple(_file(by_path[t.csv_name], t, note) for t in files.tables)


def data_dictionary(data: SiteData) -> Iterator[DataDictionaryContext]:
    k, agg = data.metrics.min_complainants, data.agg
    files = data.open_data or open_data_files(agg, k, data.settings)
    note = marks_note(k, agg)
    yield DataDictionaryContext(dictionary_files=dictionary(files, note), dictionary_marks=note,
                                data_sheet=DATA_SHEET, fields_sheet=FIELDS_SHEET)

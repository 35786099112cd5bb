"""Reading raw exports (CSV in UTF-8 / UTF-8 with BOM / GB18030, or XLSX) as text columns.

The encoding is never guessed silently: generator.dataset.encoding decodes the whole file
strictly (UTF-8, UTF-8 with BOM, then GB18030) and names what it found. A profile may instead
name the codec (`encoding:`), which is then used strictly.

A raw export holds names, phone numbers and addresses: no message built here ever quotes a
cell or a parser's error text (which quotes the row); messages give row numbers, column
counts and column names only.
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv
from openpyxl.utils.exceptions import InvalidFileException

from generator.dataset.encoding import read_csv_bytes
from generator.errors import DataError
from generator.text import ESCAPED_NOTE, has_escapes, shown

MAX_LISTED_ROWS = 10
_XLSX_ERRORS = (OSError, ValueError, KeyError, IndexError, EOFError, zipfile.BadZipFile,
                zlib.error, ET.ParseError, InvalidFileException)
"""What openpyxl raises on a truncated or damaged workbook (zip, deflate, XML layers)."""


@dataclass(frozen=True)
class RawTable:
    frame: pd.DataFrame
    """All columns as str; empty cells are ''."""
    encoding: str
    """What was found, for the summary: the labels of generator.dataset.encoding, or 'XLSX…'."""


def _decode_as(data: bytes, path: Path, encoding: str) -> tuple[str, bytes]:
    try:
        return encoding.upper(), data.decode(encoding).encode("utf-8")
    except LookupError as exc:
        raise DataError(
            f"{path}：档案指定的编码 {shown(encoding)} 不是已知的编码名称。"
            "请删除档案中的 encoding 项以自动识别，或改成 utf-8、gb18030 等。"
        ) from exc
    except UnicodeDecodeError as exc:
        row = data[:exc.start].count(b"\n") + 1
        raise DataError(
            f"{path}：无法按档案指定的编码 {shown(encoding)} 解码：第 {row:,} 行"
            f"（第 {exc.start + 1:,} 个字节）起不是有效的 {shown(encoding)}。"
            "请删除档案中的 encoding 项以自动识别，或改成正确的编码。"
        ) from exc


def _read_csv(path: Path, encoding: str | None) -> RawTable:
    if encoding:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise DataError(f"无法读取原始导出 {path}（{exc.strerror or exc}）。"
                            "请检查路径和权限。") from exc
        label, utf8 = _decode_as(data, path, encoding)
    else:
        label, utf8 = read_csv_bytes(path)
    if b"\r" in utf8 and b"\n" not in utf8:
        utf8 = utf8.replace(b"\r", b"\n")  # classic Mac (CR-only) line ends
    return RawTable(_parse_utf8_csv(utf8, path), label)


def column_names(cells: list[str], path: Path) -> list[str]:
    """Header cells stripped; unnamed columns get a placeholder; duplicates are refused.

    Two columns of one name cannot be told apart (pandas and Arrow would rename or drop one).
    """
    names = [c.strip() or f"（第 {i} 列，无列名）" for i, c in enumerate(cells, start=1)]
    where: dict[str, list[int]] = {}
    for i, name in enumerate(names, start=1):
        where.setdefault(name, []).append(i)
    dups = {name: cols for name, cols in where.items() if len(cols) > 1}
    if dups:
        listed = "；".join(f"“{shown(name)}”（第 {'、'.join(map(str, cols))} 列）"
                          for name, cols in dups.items())
        note = ESCAPED_NOTE if any(has_escapes(n) for n in dups) else ""
        raise DataError(f"{path}：表头中有重复的列名：{listed}。同名的列无法区分；"
                        f"请在源系统或表格软件中把重复的列改名或删除后重新导出。{note}")
    return names


def _ragged(utf8: bytes, width: int) -> tuple[list[tuple[int, int]], int, str]:
    """(row number, cell count) of rows whose cell count differs from the header's, the
    number of such rows, and the csv module's complaint if it could not read to the end."""
    reader = csv.reader(io.TextIOWrapper(io.BytesIO(utf8), encoding="utf-8", newline=""),
                        strict=True)
    found: list[tuple[int, int]] = []
    count, number = 0, 1
    try:
        next(reader, None)
        for cells in reader:
            if not cells:
                continue  # blank line: skipped by the reader, as by Arrow
            number += 1
            if len(cells) != width:
                count += 1
                if len(found) < MAX_LISTED_ROWS:
                    found.append((number, len(cells)))
    except csv.Error:
        return found, count, f"第 {reader.line_num:,} 行附近的引号不成对"
    return found, count, ""


def _format_error(path: Path, utf8: bytes, width: int) -> DataError:
    """Where the CSV breaks, without quoting it (Arrow's message quotes the whole row)."""
    found, count, broken = _ragged(utf8, width)
    fix = "请检查这些行的引号和分隔符（逗号），或从源系统重新导出。"
    if not found:
        where = broken or "无法确定出错的行，多为引号不成对"
        return DataError(f"{path}：CSV 格式错误：{where}。请检查引号（每个 \" 都要成对），"
                         "或从源系统重新导出。")
    if len(found) == 1 and count == 1 and not broken:
        row, cells = found[0]
        return DataError(f"{path}：第 {row:,} 行有 {cells} 个单元格，表头有 {width} 列。{fix}")
    lines = [f"  - 第 {row:,} 行有 {cells} 个单元格" for row, cells in found]
    if count > len(found):
        lines.append(f"  - ……共 {count:,} 行")
    if broken:
        lines.append(f"  - {broken}")
    return DataError(f"{path}：CSV 格式错误，以下各行的单元格数与表头（{width} 列）不符"
                     f"（行号从表头算起，表头为第 1 行）：\n" + "\n".join(lines) + f"\n{fix}")


def _parse_utf8_csv(utf8: bytes, path: Path) -> pd.DataFrame:
    """Every column as text ('' for empty cells), parsed by Arrow (quoted newlines allowed)."""
    try:
        cells = next(csv.reader(io.TextIOWrapper(io.BytesIO(utf8), encoding="utf-8",
                                                 newline="")), None)
    except csv.Error:
        cells = None
    if not cells:
        raise DataError(f"{path}：文件是空的，或第 1 行不是表头。请从源系统重新导出。")
    names = column_names(cells, path)
    try:
        table = pcsv.read_csv(
            io.BytesIO(utf8),
            read_options=pcsv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pcsv.ParseOptions(newlines_in_values=True),
            convert_options=pcsv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, ValueError):
        # `from None`: Arrow's message quotes the row; it must not reach even a log.
        raise _format_error(path, utf8, len(names)) from None
    frame: pd.DataFrame = table.to_pandas()
    return frame


def _kind(exc: BaseException) -> str:
    kind = type(exc)
    return kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"


def _damaged(path: Path, exc: BaseException) -> DataError:
    return DataError(
        f"{path}：XLSX 文件不完整或已损坏，无法打开（{_kind(exc)}）。"
        "文件可能在下载或复制时被截断；请从源系统重新导出，或在 Excel 中打开后另存为 .xlsx。"
    )


def _read_xlsx(path: Path, sheet: str | None) -> RawTable:
    try:
        book = pd.ExcelFile(path, engine="openpyxl")
    except _XLSX_ERRORS as exc:
        raise _damaged(path, exc) from None
    with book:
        sheets = [str(s) for s in book.sheet_names]
        if not sheets:
            raise DataError(f"{path}：XLSX 文件中没有工作表。请从源系统重新导出。")
        if sheet is not None and sheet not in sheets:
            raise DataError(
                f"{path}：没有名为“{shown(sheet)}”的工作表（文件中的工作表："
                f"{'、'.join(shown(s) for s in sheets)}）。请修改档案中的 sheet 项。")
        try:
            grid = pd.read_excel(book, sheet_name=sheet or 0, header=None, dtype=str,
                                 keep_default_na=False, na_filter=False)
        except _XLSX_ERRORS as exc:
            raise _damaged(path, exc) from None
    grid = grid.fillna("").astype(str)
    if grid.empty:
        raise DataError(f"{path}：工作表 {sheet or sheets[0]} 是空的，没有表头。"
                        "请从源系统重新导出。")
    names = column_names(list(grid.iloc[0]), path)
    frame = grid.iloc[1:].reset_index(drop=True)
    frame.columns = names
    return RawTable(frame, f"XLSX（工作表 {sheet or '第一个'}）")


def read_raw(path: Path, *, encoding: str | None = None, sheet: str | None = None) -> RawTable:
    """Read a raw export; columns are str with '' for empty cells, headers stripped."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet)
    return _read_csv(path, encoding)

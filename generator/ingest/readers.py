"""Reading raw exports (CSV in UTF-8 / UTF-8 with BOM / GB18030, or XLSX) as text columns.

The encoding is never guessed silently: generator.dataset.encoding decodes the whole file
strictly (UTF-8, UTF-8 with BOM, then GB18030) and names what it found. A profile may instead
name the codec (`encoding:`), which is then used strictly.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv

from generator.dataset.encoding import read_csv_bytes
from generator.errors import DataError


@dataclass(frozen=True)
class RawTable:
    frame: pd.DataFrame
    """All columns as str; empty cells are ''."""
    encoding: str
    """What was found, for the summary: the labels of generator.dataset.encoding, or 'XLSX…'."""


def _decode_as(data: bytes, path: Path, encoding: str) -> tuple[str, bytes]:
    try:
        return encoding.upper(), data.decode(encoding).encode("utf-8")
    except (UnicodeDecodeError, LookupError) as exc:
        raise DataError(
            f"{path}：无法按档案指定的编码 {encoding} 解码（{exc}）。"
            "请删除档案中的 encoding 项以自动识别，或改成正确的编码。"
        ) from exc


def _read_csv(path: Path, encoding: str | None) -> RawTable:
    if encoding:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise DataError(f"无法读取原始导出 {path}（{exc}）。请检查路径和权限。") from exc
        label, utf8 = _decode_as(data, path, encoding)
    else:
        label, utf8 = read_csv_bytes(path)
    return RawTable(_parse_utf8_csv(utf8, path), label)


def _parse_utf8_csv(utf8: bytes, path: Path) -> pd.DataFrame:
    """Every column as text ('' for empty cells), parsed by Arrow (quoted newlines allowed)."""
    names = next(csv.reader(io.TextIOWrapper(io.BytesIO(utf8), encoding="utf-8")), None)
    if not names:
        raise DataError(f"{path}：文件是空的，没有表头。请从源系统重新导出。")
    try:
        table = pcsv.read_csv(
            io.BytesIO(utf8),
            parse_options=pcsv.ParseOptions(newlines_in_values=True),
            convert_options=pcsv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, ValueError) as exc:
        raise DataError(f"{path}：CSV 格式错误（{exc}）。"
                        "请检查引号、分隔符和每行的列数后重新导出。") from exc
    frame: pd.DataFrame = table.to_pandas()
    return frame


def _read_xlsx(path: Path, sheet: str | None) -> RawTable:
    try:
        frame = pd.read_excel(path, sheet_name=sheet or 0, dtype=str, keep_default_na=False,
                              na_filter=False, engine="openpyxl")
    except (OSError, ValueError, KeyError) as exc:
        raise DataError(f"{path}：无法读取 XLSX 工作表 {sheet or '（第一个）'}（{exc}）。"
                        "请检查档案中的 sheet 项或文件是否损坏。") from exc
    frame = frame.fillna("").astype(str)
    return RawTable(frame, f"XLSX（工作表 {sheet or '第一个'}）")


def read_raw(path: Path, *, encoding: str | None = None, sheet: str | None = None) -> RawTable:
    """Read a raw export; columns are str with '' for empty cells, headers stripped."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        table = _read_xlsx(path, sheet)
    else:
        table = _read_csv(path, encoding)
    table.frame.columns = [str(c).strip() for c in table.frame.columns]
    return table

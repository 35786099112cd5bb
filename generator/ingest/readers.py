"""Reading raw exports (CSV in UTF-8 / UTF-8 with BOM / GB18030, or XLSX) as text columns.

The encoding is never guessed silently: the whole file must decode strictly in the encoding
that is reported. (A local reader: generator/dataset/encoding.py did not exist when this was
written; switch to it once it does.)
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from generator.errors import DataError

CSV_ENCODINGS = ("utf-8", "gb18030")
BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class RawTable:
    frame: pd.DataFrame
    """All columns as str; empty cells are ''."""
    encoding: str
    """What was found, for the summary: 'UTF-8', 'UTF-8（带 BOM）', 'GB18030' or 'XLSX…'."""


def decode_bytes(data: bytes, path: Path, encoding: str | None = None) -> tuple[str, str]:
    """Decode strictly; return (text, label). Tries UTF-8 (with or without BOM), then GB18030."""
    if encoding:
        try:
            return data.decode(encoding), encoding.upper()
        except (UnicodeDecodeError, LookupError) as exc:
            raise DataError(
                f"{path}：无法按档案指定的编码 {encoding} 解码（{exc}）。"
                "请删除档案中的 encoding 项以自动识别，或改成正确的编码。"
            ) from exc
    if data.startswith(BOM):
        try:
            return data[len(BOM):].decode("utf-8"), "UTF-8（带 BOM）"
        except UnicodeDecodeError as exc:
            raise DataError(f"{path}：文件以 UTF-8 BOM 开头，但内容不是有效的 UTF-8（{exc}）。"
                            "请从源系统重新导出。") from exc
    for name in CSV_ENCODINGS:
        try:
            return data.decode(name), name.upper()
        except UnicodeDecodeError:
            continue
    raise DataError(
        f"{path}：既不是 UTF-8 也不是 GB18030 编码，无法可靠读取。"
        "请从源系统重新导出为 UTF-8 或 GB18030 的 CSV，或 XLSX。"
    )


def _read_csv(path: Path, encoding: str | None) -> RawTable:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(f"无法读取原始导出 {path}（{exc}）。请检查路径和权限。") from exc
    text, label = decode_bytes(data, path, encoding)
    del data
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                            na_filter=False, quoting=csv.QUOTE_MINIMAL)
    except (pd.errors.ParserError, ValueError) as exc:
        raise DataError(f"{path}：CSV 格式错误（{exc}）。请检查引号和分隔符后重新导出。") from exc
    return RawTable(frame, label)


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

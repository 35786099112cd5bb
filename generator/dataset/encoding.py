"""Detect a CSV file's text encoding: UTF-8, UTF-8 with BOM or GB18030, and say which.

Exports from Chinese government systems often arrive as GB18030/GBK. We never guess
silently: strict UTF-8 is tried first, then GB18030; anything else is refused with a message
that names the file and explains how to re-save it as UTF-8.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from generator.errors import DataError

UTF8 = "UTF-8"
UTF8_BOM = "UTF-8 (带 BOM)"
GB18030 = "GB18030"

_RESAVE = (
    "请用 Excel 或 WPS 打开该文件，选择“另存为”，文件类型选“CSV UTF-8（逗号分隔）”后重新保存；"
    "或在记事本中“另存为”，编码选“UTF-8”。"
)


def _refuse(path: Path, what: str) -> DataError:
    return DataError(
        f"文件 {path} 的编码无法识别：{what}。"
        f"本工具只接受 UTF-8（可带 BOM）或 GB18030/GBK 编码的 CSV。{_RESAVE}"
    )


def decode_csv_bytes(data: bytes, path: Path) -> tuple[str, bytes]:
    """Return (encoding label, the content as UTF-8 bytes without BOM).

    Raises DataError for UTF-16/UTF-32 files, files containing NUL bytes and bytes that are
    neither valid UTF-8 nor valid GB18030.
    """
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise _refuse(path, "文件是 UTF-32 编码")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _refuse(path, "文件是 UTF-16（Unicode）编码")
    if b"\x00" in data:
        raise _refuse(path, "文件含有空字节（NUL），可能是 UTF-16 编码或二进制文件（如 XLSX）")
    if data.startswith(codecs.BOM_UTF8):
        body = data[len(codecs.BOM_UTF8) :]
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _refuse(
                path, f"文件以 UTF-8 BOM 开头，但第 {exc.start + 3} 个字节起不是有效的 UTF-8"
            ) from exc
        return UTF8_BOM, body
    try:
        data.decode("utf-8")
        return UTF8, data
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise _refuse(
            path, f"第 {exc.start + 1} 个字节起既不是有效的 UTF-8，也不是有效的 GB18030"
        ) from exc
    return GB18030, text.encode("utf-8")


def read_csv_bytes(path: Path) -> tuple[str, bytes]:
    """Read `path` and decode it with decode_csv_bytes."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(
            f"无法读取文件 {path}（{exc.strerror}）。请检查文件是否存在、是否有读取权限。"
        ) from exc
    return decode_csv_bytes(data, path)

"""Detect a CSV file's text encoding: UTF-8, UTF-8 with BOM or GB18030, and say which.

Exports from Chinese government systems often arrive as GB18030/GBK. We never guess
silently: strict UTF-8 is tried first, then GB18030; anything else is refused with a message
that names the file and explains how to re-save it as UTF-8.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import numpy as np

from generator.errors import DataError

UTF8 = "UTF-8"
UTF8_BOM = "UTF-8 (带 BOM)"
GB18030 = "GB18030"

_RESAVE = (
    "请用 Excel 或 WPS 打开该文件，选择“另存为”，文件类型选“CSV UTF-8（逗号分隔）”后重新保存；"
    "或在记事本中“另存为”，编码选“UTF-8”。"
)
_DAMAGED = "，可能是文件损坏，或拼接了不同编码的内容"


def _refuse(path: Path, what: str) -> DataError:
    return DataError(
        f"文件 {path} 的编码无法识别：{what}。"
        f"本工具只接受 UTF-8（可带 BOM）或 GB18030/GBK 编码的 CSV。{_RESAVE}"
    )


def _where(data: bytes, offset: int) -> str:
    """"第 L 行（第 B 个字节）" for the 0-based byte `offset` of `data` (both 1-based)."""
    before = data[:offset]
    breaks = before.count(b"\n")
    if not breaks and b"\n" not in data:  # CR-only line ends
        breaks = before.count(b"\r")
    return f"第 {breaks + 1:,} 行（第 {offset + 1:,} 个字节）"


_STRONG_UTF8 = 8
"""Valid multi-byte UTF-8 characters before the first invalid byte that settle the question:
GB18030 text that happens to look like UTF-8 rarely manages more than one or two."""


def _non_ascii_chars(prefix: bytes) -> int:
    """Characters beyond ASCII in `prefix`, which is valid UTF-8 (count the lead bytes)."""
    return int(np.count_nonzero(np.frombuffer(prefix, dtype=np.uint8) >= 0xC0))


_CHUNK = 1 << 24


def _check_utf8(data: bytes) -> None:
    """Raise the UnicodeDecodeError of data.decode("utf-8"), without holding the decoded text.

    A multi-gigabyte export decoded at once costs twice its size again in memory (a str of
    CJK text); checking it in 16 MB slices keeps the peak flat. On an error the whole decode
    is repeated, so the exception (its offset) is exactly the one-shot one."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for start in range(0, len(data), _CHUNK):
            decoder.decode(view[start : start + _CHUNK], final=False)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        data.decode("utf-8")  # raises the same error with the file's own offset
        raise


def decode_csv_bytes(data: bytes, path: Path) -> tuple[str, bytes]:
    """Return (encoding label, the content as UTF-8 bytes without BOM).

    Raises DataError for UTF-16/UTF-32 files, files containing NUL bytes and bytes that are
    not valid in the encoding the file claims, naming the line and byte where it stops being
    valid. A UTF-8 BOM claims UTF-8; so does valid multi-byte UTF-8 before the first invalid
    byte (unless the whole file is valid GB18030 and the evidence is only a few characters);
    otherwise the file claims GB18030.
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
            _check_utf8(body)
        except UnicodeDecodeError as exc:
            where = _where(data, exc.start + len(codecs.BOM_UTF8))
            raise _refuse(
                path, f"文件以 UTF-8 BOM 开头，但{where}起不是有效的 UTF-8{_DAMAGED}"
            ) from exc
        return UTF8_BOM, body
    try:
        _check_utf8(data)
        return UTF8, data
    except UnicodeDecodeError as exc:
        utf8_stop = exc.start
    evidence = _non_ascii_chars(data[:utf8_stop])
    utf8_claim = _refuse(
        path, f"{_where(data, utf8_stop)}起不是有效的 UTF-8（此前的内容是 UTF-8 编码）{_DAMAGED}"
    )
    if evidence >= _STRONG_UTF8:
        raise utf8_claim
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        if evidence:
            raise utf8_claim from exc
        raise _refuse(
            path, f"{_where(data, exc.start)}起不是有效的 GB18030（文件也不是有效的 UTF-8）"
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

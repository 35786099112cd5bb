"""File helpers shared by every writer (sample, import, build, and the intake service).

A file is written to a temporary sibling, flushed and fsynced, then moved into place with
os.replace, so a reader (or a crash) sees either the old file or the complete new one, never
half of either. Temporary names start with "." and end with ".tmp" so that a stale one left by
a killed process is recognisable as ours.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

TMP_SUFFIX = ".tmp"


def write_atomic(path: Path, data: bytes | Callable[[BinaryIO], None], *,
                 mode: int = 0o644) -> Path:
    """Write `data` (bytes, or a function writing to a binary file) to `path` atomically.

    The file gets permissions `mode`. On any failure the temporary file is removed and the
    previous content of `path`, if any, is untouched.
    """
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            if isinstance(data, bytes):
                fh.write(data)
            else:
                data(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return path


def write_text_atomic(path: Path, text: str, *, encoding: str = "utf-8",
                      mode: int = 0o644) -> Path:
    """write_atomic for text (utf-8 by default; "utf-8-sig" for files staff open in Excel)."""
    return write_atomic(path, text.encode(encoding), mode=mode)


def check_replaceable(path: Path, ours: Callable[[bytes], bool], what: str) -> None:
    """Refuse to replace `path` unless it is missing or `ours` recognises its content (at most
    its first mebibyte) as a file of this kind: `-o` pointed by mistake at the store, a
    setting or a staff member's own spreadsheet must never overwrite it."""
    from generator.errors import DataError

    if not os.path.lexists(path):
        return
    fix = "请换一个文件名，或先把这个文件移走"
    if not path.is_file():
        raise DataError(f"{path} 已存在，且不是普通文件，不会覆盖它。修正方法：{fix}。")
    with path.open("rb") as fh:
        head = fh.read(1 << 20)
    if not ours(head):
        raise DataError(f"{path} 已存在，且不是本命令写出的{what}，不会覆盖它。修正方法：{fix}。")

"""Assemble the sample as an Arrow table in the contract's column order.

Every column is built from integer codes or epoch seconds with Arrow kernels and raw buffers,
never with a Python loop over rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from generator.sample.draw import Bools, Ints

_PAIRS = np.frombuffer("".join(f"{i:02d}" for i in range(100)).encode("ascii"),
                       dtype=np.uint8).reshape(100, 2)
"""Two ASCII digits of 0..99."""


def coded(values: Sequence[str], codes: Ints, null: Bools | None = None) -> pa.Array:
    """`values[codes[i]]` as a string array; null where `null` is True."""
    indices = pa.array(codes.astype(np.int32), mask=null)
    return pc.take(pa.array(list(values), type=pa.string()), indices)


def yes_no(flags: Bools, null: Bools | None = None) -> pa.Array:
    return coded(("否", "是"), flags.astype(np.int64), null)


def datetimes(seconds: Ints, null: Bools | None = None) -> pa.Array:
    """`YYYY-MM-DDTHH:MM:SS` text of epoch seconds (naive local time); null where `null`."""
    n = len(seconds)
    safe = np.where(null, 0, seconds) if null is not None else seconds
    days = safe // 86400
    secs = safe - days * 86400
    dates = days.astype("datetime64[D]")
    years = dates.astype("datetime64[Y]")
    months = dates.astype("datetime64[M]")
    year = years.astype(np.int64) + 1970
    month = (months - years).astype(np.int64) + 1
    day = (dates - months).astype(np.int64) + 1
    hour, rest = np.divmod(secs, 3600)
    minute, second = np.divmod(rest, 60)
    out = np.empty((n, 19), dtype=np.uint8)
    for col, value in ((0, year // 100), (2, year % 100), (5, month), (8, day), (11, hour),
                       (14, minute), (17, second)):
        out[:, col : col + 2] = _PAIRS[value]
    out[:, 4] = out[:, 7] = ord("-")
    out[:, 10] = ord("T")
    out[:, 13] = out[:, 16] = ord(":")
    offsets = np.arange(n + 1, dtype=np.int32) * np.int32(19)
    arr = pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(out.ravel()))
    if null is not None and null.any():
        arr = pc.if_else(pa.array(null), pa.scalar(None, type=pa.string()), arr)
    return arr

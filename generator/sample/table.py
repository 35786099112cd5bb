"""Assemble the sample as an Arrow table in the contract's column order.

Every column is built from integer codes or epoch seconds with Arrow kernels and raw buffers,
never with a Python loop over rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from generator.dataset.vocabulary import FALSE_WORD, TRUE_WORD
from generator.sample.draw import Array, Bools, Ints

_PAIRS = np.frombuffer("".join(f"{i:02d}" for i in range(100)).encode("ascii"),
                       dtype=np.uint8).reshape(100, 2)
"""Two ASCII digits of 0..99."""


def coded(values: Sequence[str], codes: Array, null: Bools | None = None) -> pa.Array:
    """`values[codes[i]]` as a string array; null where `null` is True."""
    indices = pa.array(codes.astype(np.int32), mask=null)
    return pc.take(pa.array(list(values), type=pa.string()), indices)


def yes_no(flags: Bools, null: Bools | None = None) -> pa.Array:
    return coded((FALSE_WORD, TRUE_WORD), flags, null)


def _date_table(first_day: int, n_days: int) -> npt.NDArray[np.uint8]:
    """`YYYY-MM-DD` of each day from `first_day` (days since the epoch), as (n_days, 10) bytes."""
    dates = np.arange(first_day, first_day + n_days).astype("datetime64[D]")
    text = np.datetime_as_string(dates, unit="D").astype("S10")
    return np.frombuffer(text.tobytes(), dtype=np.uint8).reshape(n_days, 10)


def _clock_table() -> npt.NDArray[np.uint8]:
    """`HH:MM:SS` of every second of a day, as (86400, 8) bytes."""
    second = np.arange(86400)
    clock = np.empty((86400, 8), dtype=np.uint8)
    for col, value in ((0, second // 3600), (3, second // 60 % 60), (6, second % 60)):
        clock[:, col : col + 2] = _PAIRS[value]
    clock[:, 2] = clock[:, 5] = ord(":")
    return clock


_CLOCK = _clock_table()


def datetimes(seconds: Ints, null: Bools | None = None) -> pa.Array:
    """`YYYY-MM-DDTHH:MM:SS` text of epoch seconds (naive local time); null where `null`.

    Two table look-ups per row: one for the date, one for the time of day.
    """
    n = len(seconds)
    safe = np.where(null, seconds.max(initial=0), seconds) if null is not None else seconds
    days, secs = np.divmod(safe, 86400)
    first = int(days.min(initial=0))
    dates = _date_table(first, int(days.max(initial=first)) - first + 1)
    out = np.empty((n, 19), dtype=np.uint8)
    out[:, :10] = dates[days - first]
    out[:, 10] = ord("T")
    out[:, 11:] = _CLOCK[secs]
    offsets = np.arange(n + 1, dtype=np.int32) * np.int32(19)
    arr = pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(out.ravel()))
    if null is not None and null.any():
        arr = pc.if_else(pa.array(null), pa.scalar(None, type=pa.string()), arr)
    return arr

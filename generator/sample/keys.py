"""Pseudonymous keys and case ids for the sample: bijective integer mixing, hex text.

Every key comes from a distinct integer pushed through a bijection (xor with a salt, then the
splitmix64 finaliser), so distinct integers always give distinct keys while looking random.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

U64 = npt.NDArray[np.uint64]

_HEX_LOWER = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_HEX_UPPER = np.frombuffer(b"0123456789ABCDEF", dtype=np.uint8)
_MASK48 = np.uint64((1 << 48) - 1)


def mix64(values: U64, salt: int) -> U64:
    """splitmix64's finaliser applied to values ^ salt: a bijection on 64-bit integers."""
    with np.errstate(over="ignore"):
        z = values ^ np.uint64(salt & 0xFFFFFFFFFFFFFFFF)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def permute48(values: U64, salt: int) -> U64:
    """A bijection on 48-bit integers (odd multipliers and xor-shifts modulo 2**48)."""
    with np.errstate(over="ignore"):
        z = (values ^ np.uint64(salt)) & _MASK48
        z = (z * np.uint64(0x9E3779B97F4B)) & _MASK48
        z = z ^ (z >> np.uint64(23))
        z = (z * np.uint64(0xD6E8FEB86659)) & _MASK48
        z = z ^ (z >> np.uint64(19))
        z = (z * np.uint64(0xA0761D6478BD)) & _MASK48
        return z ^ (z >> np.uint64(25))


def hex_strings(
    values: U64, prefix: str, digits: int, *, upper: bool = False,
    mask: npt.NDArray[np.bool_] | None = None,
) -> pa.Array:
    """`prefix` + the low `digits` hex digits of each value, as an Arrow string array.

    Rows where `mask` is True become null. Built from raw buffers: no Python loop over rows.
    """
    n = len(values)
    pre = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    width = len(pre) + digits
    table = _HEX_UPPER if upper else _HEX_LOWER
    out = np.empty((n, width), dtype=np.uint8)
    out[:, : len(pre)] = pre
    shifts = np.arange(digits - 1, -1, -1, dtype=np.uint64) * np.uint64(4)
    nibbles = (values[:, None] >> shifts[None, :]) & np.uint64(0xF)
    out[:, len(pre):] = table[nibbles.astype(np.intp)]
    offsets = np.arange(n + 1, dtype=np.int32) * np.int32(width)
    arr = pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(out.ravel()))
    if mask is not None and mask.any():
        arr = pc.if_else(pa.array(mask), pa.scalar(None, type=pa.string()), arr)
    return arr

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



def _hex_pairs(digits: bytes) -> npt.NDArray[np.uint8]:
    """The two hex digits of each byte value 0..255, as a (256, 2) table."""
    table = np.frombuffer(digits, dtype=np.uint8)
    byte = np.arange(256)
    return np.stack([table[byte >> 4], table[byte & 15]], axis=1)


_PAIRS_LOWER = _hex_pairs(b"0123456789abcdef")
_PAIRS_UPPER = _hex_pairs(b"0123456789ABCDEF")
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
    if digits % 2 or not 0 < digits <= 16:
        raise ValueError("digits must be an even number from 2 to 16")
    n = len(values)
    pre = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    width = len(pre) + digits
    pairs = _PAIRS_UPPER if upper else _PAIRS_LOWER
    raw = values.astype(">u8").view(np.uint8).reshape(n, 8)[:, 8 - digits // 2 :]
    out = np.empty((n, width), dtype=np.uint8)
    out[:, : len(pre)] = pre
    out[:, len(pre):] = pairs[raw].reshape(n, digits)
    offsets = np.arange(n + 1, dtype=np.int32) * np.int32(width)
    arr = pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(out.ravel()))
    if mask is not None and mask.any():
        arr = pc.if_else(pa.array(mask), pa.scalar(None, type=pa.string()), arr)
    return arr

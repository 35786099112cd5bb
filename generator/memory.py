"""Keep freed memory in the process for the next array instead of returning it to the system.

glibc's malloc serves every block above its mmap threshold (at most 32 MB) with fresh pages
from the kernel and returns them on free, and trims the top of the heap above 128 KB. A
column-sized temporary of the statistics engine is 40 MB at 5M records: each of the
hundreds made while aggregating was then page-faulted and zeroed afresh, a cost that
appears only once arrays pass the threshold and made aggregation grow faster than the
records (44.8 s at 5M against 7.6 s at 1M; 32.5 s with this setting, benchmarks/
bench_engine.py). Raising both thresholds lets malloc reuse what numpy frees. The price is
that the process keeps its high-water mark until it exits, which a batch command (build,
validate, import) does soon; the peak is measured by the same benchmark at 10M records.

On a C library without mallopt (musl, macOS, Windows) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
"""mallopt parameters (glibc malloc.h)."""
KEEP_UP_TO = 2**31 - 1
"""Blocks up to this size (the largest value mallopt takes) come from and return to the heap."""


def keep_freed_memory() -> bool:
    """Raise glibc's trim and mmap thresholds; True when both were set."""
    if not sys.platform.startswith("linux"):
        return False
    name = ctypes.util.find_library("c") or "libc.so.6"
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):  # not glibc: nothing to tune
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    trimmed = mallopt(M_TRIM_THRESHOLD, KEEP_UP_TO)
    mapped = mallopt(M_MMAP_THRESHOLD, KEEP_UP_TO)
    return bool(trimmed and mapped)

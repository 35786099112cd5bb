"""Group numbers, sums and distinct counts over integer codes: the engine's groupby.

At millions of rows pandas' multi-key groupby and nunique hash and sort far more than these
tables need. A row's group is one integer (the keys' codes in mixed radix), sums are bincounts
and distinct counts a sort of (value, group) pairs. `FrameCodes` keeps one frame's codes so
that the many groupings of the same rows (grid_sums groups them by every cut and period) each
cost streaming passes only: the random gathers that put rows in value order are done once per
column, not once per grouping, and random access is what grows worse than linearly once the
arrays no longer fit in the processor's cache.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

GroupCodes = tuple[np.ndarray, np.ndarray, list[tuple[np.ndarray, int]], int]
"""Per row its combined group number, whether all its keys are present, each key's labels
and code count, and the number of possible groups."""


def column_codes(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes (−1: missing) and the values they stand for, for a grouping column."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(), np.asarray(column.cat.categories)
    codes, values = pd.factorize(column, use_na_sentinel=True)
    return codes, np.asarray(values)


def combine(codes: Sequence[tuple[np.ndarray, np.ndarray]], rows: int) -> GroupCodes:
    """Mixed-radix group numbers from each key's (codes, labels)."""
    ok = np.ones(rows, dtype=bool)
    combined = np.zeros(rows, dtype=np.int64)
    decoders = []
    for key_codes, labels in codes:
        ok &= key_codes >= 0
        combined = combined * max(len(labels), 1) + np.maximum(key_codes, 0)
        decoders.append((labels, max(len(labels), 1)))
    size = int(np.prod([n for _, n in decoders], dtype=np.int64)) if decoders else 1
    return combined, ok, decoders, size


class ValueOrder:
    """The rows of a frame that have a value in one column, in value order (ties in row
    order), with each key column's codes gathered once into that order."""

    def __init__(self, codes: FrameCodes, column: str) -> None:
        frame = codes.frame
        values = frame[column].to_numpy(dtype=float)
        present = np.flatnonzero(~np.isnan(values))
        rank = f"{column}_rank"
        if rank in frame:  # stats.prepare: each row's position in value order, sorted once
            ranks = frame[rank].to_numpy(dtype=np.int64)[present]
            slots = np.full(int(ranks.max()) + 1 if len(ranks) else 0, -1, dtype=np.int64)
            slots[ranks] = present
            self.rows = slots[slots >= 0]
        else:
            self.rows = present[np.argsort(values[present], kind="stable")]
        self.values = values[self.rows].astype(np.int64)
        self._source = codes
        self._codes: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def key_codes(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        if key not in self._codes:
            codes, labels = self._source.of(key)
            self._codes[key] = (codes[self.rows], labels)
        return self._codes[key]


class FrameCodes:
    """Codes of one frame's columns, each computed once (the frame must not change)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self._codes: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._orders: dict[str, ValueOrder] = {}

    def of(self, column: str) -> tuple[np.ndarray, np.ndarray]:
        if column not in self._codes:
            self._codes[column] = column_codes(self.frame[column])
        return self._codes[column]

    def groups(self, keys: Sequence[str]) -> GroupCodes:
        return combine([self.of(key) for key in keys], len(self.frame))

    def in_value_order(self, column: str) -> ValueOrder:
        if column not in self._orders:
            self._orders[column] = ValueOrder(self, column)
        return self._orders[column]


def group_codes(prep: pd.DataFrame, keys: Sequence[str]) -> GroupCodes:
    """One integer per row for its group of `keys` (see GroupCodes)."""
    return FrameCodes(prep).groups(keys)


def group_index(groups: np.ndarray, decoders: list[tuple[np.ndarray, int]],
                keys: Sequence[str]) -> pd.Index:
    """The groupby-like index of combined group numbers (group_codes)."""
    arrays = []
    for labels, label_count in reversed(decoders):
        arrays.append(labels[groups % label_count])
        groups = groups // label_count
    index: pd.Index = (pd.MultiIndex.from_arrays(arrays[::-1], names=list(keys))
                       if len(keys) > 1 else pd.Index(arrays[0], name=keys[0]))
    return index


def distinct_counts(prep: pd.DataFrame, keys: list[str], column: str,
                    codes: FrameCodes | None = None) -> pd.Series:
    """Distinct non-missing values of `column` (integer codes, NaN for none) per group of
    `keys`, indexed like a groupby over `keys` (groups without any value are absent).

    The rows, in value order already (ValueOrder), give (value, group) pairs sorted by value,
    which need only a stable (run-merging) sort by group within each value: the cost stays
    linear in the rows instead of n log n. Pass the frame's `codes` when it is grouped
    several times."""
    codes = codes or FrameCodes(prep)
    order = codes.in_value_order(column)
    if not len(order.rows):
        return _empty(prep, keys)
    combined, ok, decoders, size = combine([order.key_codes(k) for k in keys], len(order.rows))
    if not ok.any():
        return _empty(prep, keys)
    values = order.values[ok]
    if (int(values.max()) + 1) * size < 2**62:
        pairs = np.sort(values * size + combined[ok], kind="stable")
        first = np.ones(len(pairs), dtype=bool)
        first[1:] = pairs[1:] != pairs[:-1]
        groups = pairs[first] % size
    else:  # too many groups to pack with the value: one (group, value) unique instead
        frame = pd.DataFrame({"g": combined[ok], "v": values}).drop_duplicates()
        groups = frame["g"].to_numpy()
    if size <= max(4 * len(groups), 1 << 20):  # a count per possible group: linear
        tally = np.bincount(groups, minlength=size)
        groups = np.flatnonzero(tally)
        counts = tally[groups]
    else:
        groups, counts = np.unique(groups, return_counts=True)
    return pd.Series(counts, index=group_index(groups, decoders, keys))


def _empty(prep: pd.DataFrame, keys: list[str]) -> pd.Series:
    empty = prep.groupby(keys, observed=True).size().index[:0]
    return pd.Series([], dtype=np.int64, index=empty)

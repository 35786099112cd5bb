"""Row tests on the record frame's categorical columns, done on the few categories.

The record frame holds millions of rows but each text column only a few dozen values
(months, districts, categories). Turning a column into strings (astype(str)) builds one
Python object per row; these helpers test the categories once and index by the codes.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np
import pandas as pd


def _codes(column: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Integer codes (−1: missing) and the text of each code."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return (column.cat.codes.to_numpy(dtype=np.int64),
                [str(c) for c in column.cat.categories])
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    return codes.astype(np.int64), [str(u) for u in uniques]


def isin(column: pd.Series, values: Collection[str]) -> np.ndarray:
    """True for each row whose value (as text) is one of `values`; False where missing."""
    codes, labels = _codes(column)
    wanted = set(values)
    table = np.array([label in wanted for label in labels] + [False], dtype=bool)
    found: np.ndarray = table[codes]  # code −1 reads the trailing False
    return found


def matches(column: pd.Series, key: pd.Series, expected: Mapping[str, str]) -> np.ndarray:
    """True for each row whose `column` value equals expected[its `key` value] (as text);
    False where either is missing or the key has no expected value (e.g. each month's
    topic category: rows of the month's topic)."""
    codes, labels = _codes(column)
    key_codes, key_labels = _codes(key)
    position = {label: i for i, label in enumerate(labels)}
    # For each key code, the column code it expects (−2: none, never equal to a code).
    want = np.array([position.get(expected.get(k, "\0"), -2) for k in key_labels] + [-2],
                    dtype=np.int64)
    equal: np.ndarray = (want[key_codes] == codes) & (codes >= 0)
    return equal


def text_at(column: pd.Series, rows: np.ndarray) -> np.ndarray:
    """The text of `column` at the row positions `rows`, as an object array ("" where
    missing)."""
    codes, labels = _codes(column)
    table = np.array([*labels, ""], dtype=object)
    text: np.ndarray = table[codes[rows]]
    return text

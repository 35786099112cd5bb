"""The engine's groupby (stats.grouping, cells._group_sums) against pandas' own groupby, with
blocks of a few rows so that every block boundary, the per-block tally and the collected
groups are all exercised (at the default block size the test data would be one block)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import generator.stats.grouping as grouping
from generator.stats.cells import _group_sums
from generator.stats.grouping import FrameCodes, distinct_counts, value_blocks


def _frame(rows: int = 2_000, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    who = rng.integers(0, 300, rows).astype(float)
    who[rng.random(rows) < 0.2] = np.nan  # proactive tasks: no complainant
    return pd.DataFrame({
        "district": pd.Categorical(rng.choice(["甲区", "乙区", "丙区"], rows),
                                   categories=["甲区", "乙区", "丙区", "丁区"]),
        "month": pd.Categorical(rng.choice(["2026-01", "2026-02"], rows)),
        "channel": pd.Series(rng.choice(["热线", "网络", None], rows), dtype=object),
        "who": who,
        "record": np.ones(rows, dtype=np.int64),
        "closed": rng.integers(0, 2, rows),
    })


def _as_dict(series: pd.Series) -> dict[tuple[str, ...], int]:
    """Group labels (as text) → value: the engine's index is plain, pandas' categorical."""
    labels = [key if isinstance(key, tuple) else (key,) for key in series.index]
    return {tuple(map(str, key)): int(v) for key, v in zip(labels, series, strict=True)}


@pytest.mark.parametrize("block", [7, 64, 1 << 17])
@pytest.mark.parametrize("small_tally", [0, 1 << 16])
def test_distinct_counts_match_pandas_nunique(monkeypatch: pytest.MonkeyPatch, block: int,
                                              small_tally: int) -> None:
    monkeypatch.setattr(grouping, "BLOCK_ROWS", block)
    monkeypatch.setattr(grouping, "SMALL_TALLY", small_tally)
    frame = _frame()
    codes = FrameCodes(frame)
    for keys in (["district"], ["month", "district"], ["district", "channel"]):
        got = distinct_counts(frame, keys, "who", codes)
        expected = frame.dropna(subset=["who"]).groupby(keys, observed=True)["who"].nunique()
        assert _as_dict(got) == _as_dict(expected[expected > 0])


def test_distinct_counts_with_no_value_at_all() -> None:
    frame = _frame(50).assign(who=np.nan)
    assert distinct_counts(frame, ["district"], "who").empty


@pytest.mark.parametrize("block", [5, 1 << 17])
def test_group_sums_match_pandas_sum(monkeypatch: pytest.MonkeyPatch, block: int) -> None:
    monkeypatch.setattr(grouping, "BLOCK_ROWS", block)
    frame = _frame()
    for keys in (["district"], ["month", "district"], ["district", "channel"]):
        got = _group_sums(FrameCodes(frame), keys, {"count": "record", "done": "closed"})
        expected = frame.groupby(keys, observed=True)[["record", "closed"]].sum()
        assert _as_dict(got["count"]) == _as_dict(expected["record"])
        assert _as_dict(got["done"]) == _as_dict(expected["closed"])


def test_value_blocks_never_split_a_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(grouping, "BLOCK_ROWS", 3)
    values = np.array([0, 0, 0, 0, 1, 2, 2, 5, 5, 5, 6])
    assert value_blocks(values) == [(0, 5), (5, 7), (7, 11)]  # cut where a value starts
    assert value_blocks(np.array([], dtype=np.int64)) == []

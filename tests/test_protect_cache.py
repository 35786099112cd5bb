"""The engine's results kept between builds are used only when their witnesses still check."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import generator.stats.protect_cache as cache
from generator.stats.protect_cache import protect_cached, system_key
from tests.test_protect import TABLE, K, system


def test_a_stored_result_is_reused_without_solving(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    s = system(TABLE, [1, 9, 7, 6], [0])
    first = protect_cached(s, K, tmp_path)
    assert first.tolist() == [True] * 4 + [False] * 5
    assert (tmp_path / f"{system_key(s, K)}.npz").exists()

    def no_solving(*args: object, **kwargs: object) -> None:
        raise AssertionError("the stored result should have been used")

    monkeypatch.setattr(cache, "protect", no_solving)
    assert protect_cached(s, K, tmp_path).tolist() == first.tolist()


def test_a_damaged_or_weakened_store_is_recomputed(tmp_path: Path) -> None:
    s = system(TABLE, [1, 9, 7, 6], [0])
    protect_cached(s, K, tmp_path)
    path = tmp_path / f"{system_key(s, K)}.npz"
    with np.load(path) as data:
        stored = {name: data[name] for name in data.files}
    # Someone un-hides the rectangle's partner cells: the witnesses no longer prove anything.
    stored["hidden"] = np.array([True] + [False] * 8)
    np.savez(path, **stored)
    assert protect_cached(s, K, tmp_path).tolist() == [True] * 4 + [False] * 5
    path.write_bytes(b"not an npz file")
    assert protect_cached(s, K, tmp_path).tolist() == [True] * 4 + [False] * 5


def test_different_data_never_share_a_result() -> None:
    assert system_key(system(TABLE, [1, 9, 7, 6], [0]), K) != system_key(
        system(TABLE, [1, 9, 7, 5], [0]), K)

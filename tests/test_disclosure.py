"""Small-cell suppression: primary rule and complementary suppression, on hand-made tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from generator.stats.disclosure import complementary, primary


def test_primary_hides_one_to_k_minus_one_complainants() -> None:
    assert primary([0, 1, 4, 5, 12], 5).tolist() == [False, True, True, False, False]


def test_a_lonely_hidden_cell_takes_the_smallest_visible_neighbour() -> None:
    # One month, three districts; district totals and the city total are published.
    cells = pd.DataFrame({"month": ["m1"] * 3, "district": ["甲", "乙", "丙"],
                          "count": [3, 40, 9], "complainants": [3, 30, 8]})
    hidden = complementary(cells, "count", primary(cells["complainants"], 5), [["month"]])
    # 甲 is hidden by the rule; without a second hidden cell, 甲 = total − 40 − 9.
    assert hidden.tolist() == [True, False, True]


def test_complementary_suppression_settles_across_rows_and_columns() -> None:
    cells = pd.DataFrame({
        "month": ["m1", "m1", "m2", "m2"],
        "district": ["甲", "乙", "甲", "乙"],
        "count": [2, 50, 60, 70],
        "complainants": [2, 40, 50, 60],
    })
    hidden = complementary(cells, "count", primary(cells["complainants"], 5),
                           [["month"], ["district"]])
    # Every month and every district that hides a cell hides at least two.
    for key in ("month", "district"):
        per_group = pd.Series(hidden).groupby(cells[key].to_numpy()).sum()
        assert set(per_group.tolist()) <= {0, 2, 3, 4}
    assert hidden.sum() == 4  # the 2×2 table can only be protected by hiding all of it


def test_nothing_hidden_means_nothing_changes() -> None:
    cells = pd.DataFrame({"g": ["a", "a"], "count": [10, 20], "complainants": [9, 18]})
    hidden = complementary(cells, "count", np.zeros(2, dtype=bool), [["g"]])
    assert not hidden.any()

"""Rankings: ties at the shown precision, competition numbering, units listed apart, and the
12-month window. Expected orders and ranks worked out by hand."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from generator.stats.marks import HIDDEN, NOT_APPLICABLE, UNRECORDED
from generator.stats.ranking import rank_units, ranking_window


def units(rows: list[tuple[str, Any, Any]], by: str = "composite_score") -> pd.DataFrame:
    """(district, count, measure) per unit; n, ci_low and ci_high made up around them."""
    return pd.DataFrame({
        "district": [r[0] for r in rows],
        "district_code": [f"D{i}" for i in range(len(rows))],
        "count": pd.Series([r[1] for r in rows], dtype=object),
        "n": pd.Series([r[1] for r in rows], dtype=object),
        by: pd.Series([r[2] for r in rows], dtype=object),
        "ci_low": pd.Series([0.5] * len(rows), dtype=object),
        "ci_high": pd.Series([0.9] * len(rows), dtype=object),
    })


def test_equal_at_the_shown_precision_share_a_rank() -> None:
    table = rank_units(units([("甲区", 100, 99.95), ("乙区", 150, 99.954), ("丙区", 90, 99.9)]),
                       by="composite_score", min_volume=30, precision=1)
    # 99.95 and 99.954 both read 100.0: rank 1, tied, the larger count listed first
    assert list(table["district"]) == ["乙区", "甲区", "丙区"]
    assert list(table["rank"]) == [1, 1, 3]
    assert list(table["tied"]) == [True, True, False]
    assert list(table["status"]) == ["ranked"] * 3
    assert table["composite_score"].iloc[0] == 99.954  # the value itself is passed through
    assert list(table["district_code"]) == ["D1", "D0", "D2"]


def test_competition_numbering_1224() -> None:
    rows = [("甲区", 40, 9.0), ("乙区", 50, 12.34), ("丙区", 60, 10.049), ("丁区", 70, 10.05)]
    table = rank_units(units(rows, by="per_10k"), by="per_10k", min_volume=30, precision=2)
    assert list(table["district"]) == ["乙区", "丁区", "丙区", "甲区"]
    assert list(table["rank"]) == [1, 2, 2, 4]
    assert list(table["tied"]) == [False, True, True, False]


def test_ascending_ranks_the_smallest_first() -> None:
    rows = [("甲区", 40, 9.0), ("乙区", 50, 12.34), ("丙区", 60, 10.0)]
    table = rank_units(units(rows, by="per_10k"), by="per_10k", min_volume=30, precision=2,
                       descending=False)
    assert list(table["district"]) == ["甲区", "丙区", "乙区"]
    assert list(table["rank"]) == [1, 2, 3]


def test_units_listed_apart_never_ranked() -> None:
    rows = [
        ("甲区", 0, 0.0),           # no requests: never scored
        ("乙区", 10, 100.0),        # below the minimum, however good
        ("丙区", 45, HIDDEN),       # score withheld
        ("丁区", 80, 91.25),
        ("戊区", 12, 50.0),         # below the minimum
        ("己区", 35, UNRECORDED),   # the export lacks the follow-up fields
        ("庚区", 60, 88.0),
    ]
    table = rank_units(units(rows), by="composite_score", min_volume=30, precision=2)
    assert list(table["district"]) == ["丁区", "庚区", "戊区", "乙区", "丙区", "己区", "甲区"]
    assert list(table["status"]) == ["ranked", "ranked", "below_minimum", "below_minimum",
                                     "hidden", "hidden", "no_requests"]
    assert list(table["rank"]) == [1, 2, *[NOT_APPLICABLE] * 5]
    assert not table["tied"].any()
    apart = {str(row["district"]): {str(c): v for c, v in row.items()}
             for row in table.to_dict("records")}
    assert apart["乙区"]["composite_score"] == 100.0  # shown, not ranked
    assert apart["甲区"]["composite_score"] is NOT_APPLICABLE  # 0.0 given, never scored
    assert apart["甲区"]["ci_low"] is NOT_APPLICABLE
    assert apart["甲区"]["count"] == 0


def test_minimum_volume_itself_is_ranked() -> None:
    table = rank_units(units([("甲区", 30, 80.0), ("乙区", 29, 90.0)]),
                       by="composite_score", min_volume=30, precision=2)
    assert list(zip(table["district"], table["status"], strict=True)) == [
        ("甲区", "ranked"), ("乙区", "below_minimum")]


def test_measure_without_a_value_is_listed_as_no_measure() -> None:
    rows = [("甲区", 40, NOT_APPLICABLE), ("乙区", 50, 3.2), ("丙区", HIDDEN, 1.0)]
    table = rank_units(units(rows, by="per_10k"), by="per_10k", min_volume=30, precision=2)
    assert list(zip(table["district"], table["status"], strict=True)) == [
        ("乙区", "ranked"), ("丙区", "hidden"), ("甲区", "no_measure")]


MONTHS = [f"{y}-{m:02d}" for y in (2025, 2026) for m in range(1, 13)][:22]  # 2025-01..2026-10


def test_window_is_the_latest_twelve_calendar_months() -> None:
    window = ranking_window(MONTHS)
    assert window[0] == "2025-11" and window[-1] == "2026-10" and len(window) == 12


def test_window_skips_an_incomplete_latest_month() -> None:
    window = ranking_window(list(reversed(MONTHS)), latest_incomplete=True)
    assert window[0] == "2025-10" and window[-1] == "2026-09" and len(window) == 12


def test_window_counts_calendar_months_across_gaps_and_short_data() -> None:
    gappy = [m for m in MONTHS if m != "2026-03"]
    assert "2026-03" in ranking_window(gappy)
    assert ranking_window(["2026-01", "2025-11"], length=12) == ("2025-11", "2025-12", "2026-01")
    assert ranking_window([]) == ()
    with pytest.raises(ValueError):
        ranking_window(MONTHS, length=0)

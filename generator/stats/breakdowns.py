"""Counts by month, district, element and category, ready to publish (suppressed)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from generator.stats.disclosure import complementary, primary


def counts(prep: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """Records and distinct complainants per non-empty group of `keys`."""
    grouped = prep.groupby(list(keys), observed=True)
    out = grouped["record"].sum().to_frame("count")
    out["complainants"] = grouped["complainant_key"].nunique()
    return out.reset_index()


def counts_by_month(prep: pd.DataFrame, k: int) -> pd.DataFrame:
    """counts_by_month.csv: month, district, element, category, count (<NA> when suppressed).

    Margins published elsewhere: district-month totals (kpis), city month × category and
    district × category over the whole period (statistics pages).
    """
    cells = counts(prep, ["month", "district", "element", "category"])
    for col in ("month", "district", "element", "category"):
        cells[col] = cells[col].astype(str)
    hidden = complementary(
        cells, "count", primary(cells["complainants"], k),
        [["month", "district"], ["month", "category"], ["district", "category"]],
    )
    cells["count"] = cells["count"].astype("Int64").mask(hidden)
    cells = cells.sort_values(["month", "district", "element", "category"], kind="stable")
    return cells[["month", "district", "element", "category", "count"]].reset_index(drop=True)


def suppressed_counts(prep: pd.DataFrame, keys: Sequence[str], k: int,
                      margins: Sequence[str]) -> pd.DataFrame:
    """counts() with hidden cells set to <NA>; `margins` are the columns whose subtotals are
    published (empty: only the grand total is), so one hidden cell is never recoverable."""
    table = counts(prep, keys).assign(_whole=0)
    hidden = complementary(table, "count", primary(table["complainants"], k),
                           [[*margins] or ["_whole"]])
    table["count"] = table["count"].astype("Int64").mask(hidden)
    return table.drop(columns=["_whole"])


def share_table(prep: pd.DataFrame, keys: Sequence[str], k: int,
                margins: Sequence[str]) -> pd.DataFrame:
    """Counts and shares of the whole for `keys` (e.g. element, category), suppressed."""
    table = suppressed_counts(prep, keys, k, margins)
    total = int(prep["record"].sum())
    table["share"] = table["count"].astype("Float64") / total if total else pd.NA
    return table.drop(columns=["complainants"])

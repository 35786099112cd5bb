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


def share_table(prep: pd.DataFrame, keys: Sequence[str], k: int) -> pd.DataFrame:
    """Counts and shares of the whole for `keys` (e.g. element, category), suppressed."""
    table = counts(prep, keys)
    table["count"] = table["count"].astype("Int64").mask(primary(table["complainants"], k))
    total = int(prep["record"].sum())
    table["share"] = table["count"].astype("Float64") / total if total else pd.NA
    return table.drop(columns=["complainants"])

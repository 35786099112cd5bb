"""Counts by month, district, element and category, ready to publish (suppressed).

Every table lists every key combination it is about (calendar months, the reference's
districts, the taxonomy's categories), so a combination without records publishes 0 instead
of vanishing. Zero cells are never hidden and never chosen to protect another cell.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from generator.stats.disclosure import complementary, primary
from generator.stats.marks import published


def counts(prep: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """Records and distinct complainants per non-empty group of `keys`."""
    grouped = prep.groupby(list(keys), observed=True)
    out = grouped["record"].sum().to_frame("count")
    out["complainants"] = grouped["complainant_key"].nunique()
    out = out.reset_index()
    for col in keys:
        out[col] = out[col].astype(str)
    return out


def complete(table: pd.DataFrame, full: pd.DataFrame) -> pd.DataFrame:
    """`table` (counts per key) on every row of `full` (the key combinations to publish);
    combinations without records get 0 and keep `full`'s order. Keys present in `table`
    but not in `full` are kept at the end rather than dropped."""
    keys = list(full.columns)
    merged = full.astype(str).merge(table, on=keys, how="outer", indicator=True, sort=False)
    order = {tuple(r): i for i, r in enumerate(full.astype(str).itertuples(index=False))}
    rank = [order.get(tuple(r), len(order)) for r in merged[keys].itertuples(index=False)]
    merged = merged.assign(_rank=rank).sort_values("_rank", kind="stable")
    merged[["count", "complainants"]] = merged[["count", "complainants"]].fillna(0)
    return merged.drop(columns=["_rank", "_merge"]).reset_index(drop=True)


def counts_by_month(prep: pd.DataFrame, k: int, full: pd.DataFrame) -> pd.DataFrame:
    """counts_by_month.csv: month, district, element, category, count (marks when hidden).

    `full` holds every (month, district, element, category) to publish. Margins published
    elsewhere: district-month totals (kpis), city month × category and district × category
    over the whole period (statistics pages).
    """
    cells = complete(counts(prep, ["month", "district", "element", "category"]), full)
    hidden = complementary(
        cells, "count", primary(cells["complainants"], k),
        [["month", "district"], ["month", "category"], ["district", "category"]],
    )
    cells["count"] = published(cells["count"], hidden, integer=True).to_numpy()
    cells = cells.sort_values(["month", "district", "element", "category"], kind="stable")
    return cells[["month", "district", "element", "category", "count"]].reset_index(drop=True)


def suppressed_counts(prep: pd.DataFrame, full: pd.DataFrame, k: int,
                      margins: Sequence[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """Counts for every row of `full` and the mask of hidden cells; `margins` are the columns
    whose subtotals are published (empty: only the grand total is), so one hidden cell is
    never recoverable."""
    table = complete(counts(prep, list(full.columns)), full).assign(_whole=0)
    hidden = complementary(table, "count", primary(table["complainants"], k),
                           [[*margins] or ["_whole"]])
    return table.drop(columns=["_whole", "complainants"]), hidden


def share_table(prep: pd.DataFrame, full: pd.DataFrame, k: int,
                margins: Sequence[str]) -> pd.DataFrame:
    """Counts and shares of the whole for every row of `full` (e.g. each category), with
    hidden cells marked; a hidden count hides its share too."""
    table, hidden = suppressed_counts(prep, full, k, margins)
    total = int(prep["record"].sum())
    share = table["count"].astype(float) / total if total else pd.Series(np.nan, index=table.index)
    table["share"] = published(share, hidden).to_numpy()
    table["count"] = published(table["count"], hidden, integer=True).to_numpy()
    return table

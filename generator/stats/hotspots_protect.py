"""Complementary hiding between the period levels of a 重点点位 table.

Counted requests nearly add up from months to their quarter and year (stats.hotspots), so
a published quarter row minus its published month rows would give away, closely, the requests
of a month row withheld by the k rule when it is the only one withheld in that quarter. They
do not add up exactly (a place raised by one complainant in a month but by several in the
quarter is persistent in the month and counted only in the quarter), so the LP engine's
equality model does not apply and the group rule does. Wherever
a coarser row is published, its finer rows form a group whose margin is published, and
stats.disclosure.complementary hides one more finer row (the smallest) in every group that
withholds exactly one. Coarser levels are settled first, since a coarser row hidden here no
longer acts as a margin for the levels below it.

This closes the one-cell difference within a table. The bounds an attacker can derive from
every published table together are the release auditor's job (issue 9 part 8).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from generator.stats.disclosure import complementary
from generator.stats.hotspots_config import PERIOD_LEVELS

_FINEST_FIRST = tuple(PERIOD_LEVELS)


def parent_label(label: str, level: str, parent: str) -> str:
    """The `parent` period holding `label` of `level`: 2025-05 → 2025-Q2 or 2025."""
    year = label[:4]
    if parent == "year":
        return year
    month = int(label[5:7])  # only a month has a quarter above it
    return f"{year}-Q{(month - 1) // 3 + 1}"


def protect_levels(tables: dict[str, pd.DataFrame], key: str) -> dict[str, pd.DataFrame]:
    """`tables` (one per period level, each with period, `key`, requests and a `shown`
    column) with `shown` extended so no published coarser row reveals a finer one."""
    out = {level: table.copy() for level, table in tables.items()}
    levels = [level for level in _FINEST_FIRST if level in out]
    for i in range(len(levels) - 1, 0, -1):  # coarsest margin first
        coarse = out[levels[i]]
        published = set(zip(coarse.loc[coarse["shown"], key],
                            coarse.loc[coarse["shown"], "period"], strict=True))
        for fine_level in levels[:i]:
            fine = out[fine_level]
            if fine.empty:
                continue
            parents = [parent_label(p, fine_level, levels[i]) for p in fine["period"]]
            groups = [f"{k}|{p}" if (k, p) in published else f"_row{n}"
                      for n, (k, p) in enumerate(zip(fine[key], parents, strict=True))]
            cells = fine.assign(_group=groups)
            hidden = complementary(cells, "requests", ~fine["shown"].to_numpy(dtype=bool),
                                   [["_group"]])
            fine["shown"] = np.logical_not(hidden)
    return out

"""Small-cell suppression for published tables (statistical disclosure control).

Rule (data/metrics.yml `disclosure.min_complainants`, k): a count or rate whose cell holds
between 1 and k−1 distinct complainants is not published. Cells made only of proactive tasks
hold no complainant and stay visible. An export without caller identity (complainant_key
unrecorded) cannot tell complainants apart: k then counts citizen requests (the disclosure
unit REQUESTS). One caller's repeated requests then count several times, a weaker
protection the methodology page states.

Which further cells to hide so that no hidden small cell can be worked out from what is
published is decided by the LP engine (stats.protection, stats.protect) for every
family of published counts that add up exactly. `complementary` below is the per-group rule
("no group hides exactly one cell"): it serves only the 重点点位 rows of different periods,
whose counts do not add up exactly (stats.hotspots_protect), and is the baseline the engine is
measured against (benchmarks/bench_protect.py) and shown to leak on additive tables
(tests/test_protect.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

COMPLAINANTS = "诉求人"
"""Disclosure unit when the export records who complained: distinct complainant keys."""
REQUESTS = "件诉求"
"""Disclosure unit without caller identity: each citizen request counts once."""


def primary(complainants: pd.Series | np.ndarray, k: int) -> np.ndarray:
    """True where a cell must be hidden because of too few distinct complainants."""
    c = np.asarray(complainants, dtype=np.int64)
    return (c > 0) & (c < k)


def complementary(
    cells: pd.DataFrame,
    size_column: str,
    hidden: np.ndarray,
    groups: Sequence[Sequence[str]],
) -> np.ndarray:
    """Extend `hidden` so no group (a row or column with a published margin) hides one cell.

    `cells` has one row per published cell; `groups` lists the key sets whose sums are
    published elsewhere (e.g. ["month", "district"] when district-month totals are shown).
    """
    hidden = hidden.copy()
    sizes = cells[size_column].to_numpy()
    changed = True
    while changed:
        changed = False
        for keys in groups:
            counts = pd.Series(hidden).groupby([cells[k].to_numpy() for k in keys]).transform("sum")
            lonely = np.flatnonzero(hidden & (counts.to_numpy() == 1))
            if not len(lonely):
                continue
            grouping: dict[Any, Any] = dict(cells.groupby(
                list(keys), observed=True, sort=False).indices)
            key_of = cells[list(keys)].iloc[lonely].itertuples(index=False, name=None)
            for key in set(key_of):
                members = grouping[key if len(keys) > 1 else key[0]]
                visible = members[~hidden[members] & (sizes[members] > 0)]
                if hidden[members].sum() == 1 and len(visible):
                    hidden[visible[np.argmin(sizes[visible])]] = True
                    changed = True
    return hidden

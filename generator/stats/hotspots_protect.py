"""Disclosure control between the period levels of a 重点点位 table.

Counted requests add up from months to their quarter and year (stats.hotspots), so a
published quarter row minus its published month rows would give away the requests of a
month row withheld by the k rule. The rows of every level form one family for the LP engine
(stats.protection.hide, the method every other family uses): its atoms are the rows of the
finest level, each coarser row the sum of its finer rows, and a withheld row is sensitive.
The engine hides further rows until no withheld row's requests can be narrowed from the rows
still shown. A withheld row is absent from the CSV (an absent row reads as "no hotspot or
withheld"), which tells an attacker less than the model assumes, so the model is safe.

Places do not add up (a place can qualify in several months), so only requests are modelled.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from generator.stats.hotspots_config import PERIOD_LEVELS
from generator.stats.protection import WEIGHT, hide

_FINEST_FIRST = tuple(PERIOD_LEVELS)


def parent_label(label: str, level: str, parent: str) -> str:
    """The `parent` period holding `label` of `level`: 2025-05 → 2025-Q2 or 2025."""
    year = label[:4]
    if parent == "year":
        return year
    month = int(label[5:7])  # only a month has a quarter above it
    return f"{year}-Q{(month - 1) // 3 + 1}"


def protect_levels(tables: dict[str, pd.DataFrame], key: str, k: int
                   ) -> dict[str, pd.DataFrame]:
    """`tables` (one per period level, each with period, `key`, requests and a `shown`
    column holding the k rule) with `shown` cleared wherever the engine hides a row."""
    out = {level: table.copy() for level, table in tables.items()}
    levels = [level for level in _FINEST_FIRST if level in out and len(out[level])]
    if not levels:
        return out
    rows = pd.concat([out[level].assign(_level=level) for level in levels], ignore_index=True)
    finest = rows[rows["_level"] == levels[0]]
    units = pd.DataFrame({"district_code": finest[key].astype(str).to_numpy(),
                          WEIGHT: finest["requests"].to_numpy(dtype=np.int64)})
    for level in ("month", "quarter", "year"):  # every label an atom belongs to
        units[level] = [_label_at(p, levels[0], level) for p in finest["period"].astype(str)]
    # hide() reads sensitivity from complainants (1..k−1); the k rule has decided it already.
    withheld = ~rows["shown"].to_numpy(dtype=bool)
    cells = pd.DataFrame({"time_key": rows["period"].astype(str).to_numpy(),
                          "region_key": rows[key].astype(str).to_numpy(),
                          "subject_key": "all", "side_key": "",
                          "count": rows["requests"].to_numpy(dtype=np.int64),
                          "complainants": np.where(withheld, 1, k)})
    hidden = hide(cells, units, k, (), streets=False)
    at = 0
    for level in levels:
        size = len(out[level])
        out[level]["shown"] = ~hidden[at:at + size]
        at += size
    return out


def _label_at(label: str, level: str, wanted: str) -> str:
    """The label of the `wanted` level holding `label` (itself at its own level, '-' for a
    finer level than the atoms have: no cell of that level exists)."""
    order = list(_FINEST_FIRST)
    if order.index(wanted) < order.index(level):
        return "-"
    return label if wanted == level else parent_label(label, level, wanted)

"""Vectorised sampling helpers shared by the sample generator's stages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
Array = npt.NDArray[Any]


def grouped_choice(
    weights: Floats, group: Ints, u: Floats, counts: Ints | None = None
) -> Ints:
    """For each row, an index into row `group[i]` of `weights`, drawn with those weights.

    `weights` is (groups × options); `u` holds uniforms in [0, 1). All rows are drawn at once
    by a binary search in the stacked cumulative distributions. `counts` caps the index for
    groups padded with zero weights.
    """
    n_groups, n_opts = weights.shape
    cdf = np.cumsum(weights, axis=1)
    cdf = cdf / cdf[:, -1:]
    cdf[:, -1] = 1.0
    flat = (cdf + np.arange(n_groups)[:, None]).ravel()
    pos = np.searchsorted(flat, group + u, side="right").astype(np.int64)
    idx = pos - group * n_opts
    upper = (counts[group] - 1) if counts is not None else n_opts - 1
    chosen: Ints = np.clip(idx, 0, upper)
    return chosen


def month_starts(end_month: dt.date, months: int) -> list[dt.date]:
    """First days of the `months` months ending with `end_month`, oldest first."""
    index = end_month.year * 12 + end_month.month - 1
    return [
        dt.date((index - k) // 12, (index - k) % 12 + 1, 1) for k in range(months - 1, -1, -1)
    ]


def next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def epoch_seconds(day: dt.date) -> int:
    """Seconds from 1970-01-01T00:00:00 to midnight of `day` (naive Beijing time)."""
    return (day - dt.date(1970, 1, 1)).days * 86400


def clipped_lognormal(
    rng: np.random.Generator, median: float, sigma: float, lo: float, hi: float, n: int
) -> Floats:
    values: Floats = np.clip(median * np.exp(sigma * rng.standard_normal(n)), lo, hi)
    return values

"""Per-record helper columns shared by every measure, computed once per build."""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from generator.config import MetricsConfig


def calendar_months(first: str, last: str) -> list[str]:
    """Every 'YYYY-MM' from `first` to `last` inclusive, gaps included."""
    year, month = int(first[:4]), int(first[5:])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def month_labels(stamps: pd.Series) -> pd.Series:
    """'YYYY-MM' for each timestamp, as a category whose categories run as a calendar from
    the first to the last month (a month without records is still a category)."""
    codes = stamps.dt.year * 100 + stamps.dt.month
    uniques = np.sort(codes.dropna().unique())
    labels = {int(c): f"{int(c) // 100:04d}-{int(c) % 100:02d}" for c in uniques}
    calendar = calendar_months(labels[int(uniques[0])], labels[int(uniques[-1])]) if labels else []
    months: pd.Series = codes.map(labels).astype(pd.CategoricalDtype(calendar, ordered=True))
    return months


def prepare(frame: pd.DataFrame, metrics: MetricsConfig,
            unrecorded: Collection[str] = frozenset()) -> pd.DataFrame:
    """A narrow frame with the flags every measure counts.

    Columns: month, district, street, element, category, complainant_key, and the 0/1 (or
    weighted) flags record, citizen, valid (有效回访), contacted_ok, resolved_ok, satisfied_score,
    closed, ontime.

    When the export records no caller identity (complainant_key in `unrecorded`), each
    citizen request stands for its own complainant, so disclosure control counts requests.
    """
    closed = (frame["status"] == "已办结").to_numpy()
    citizen = (frame["source"] == "市民诉求").to_numpy()
    valid = frame["revisit_valid"].fillna(False).to_numpy(dtype=bool) & closed & citizen
    contacted_ok = valid & frame["contacted"].fillna(False).to_numpy(dtype=bool)
    resolved_ok = valid & frame["resolved"].fillna(False).to_numpy(dtype=bool)
    satisfaction = frame["satisfaction"].astype(object)
    score = np.where(satisfaction == "满意", 1.0, 0.0) + np.where(
        satisfaction == "基本满意", metrics.basic_satisfied_weight, 0.0
    )
    # Complainants as integer codes (NaN for none): distinct counts per group are much
    # faster on numbers than on a million distinct strings.
    if "complainant_key" in unrecorded:
        complainant = np.where(citizen, np.arange(len(frame), dtype=np.float64), np.nan)
    else:
        codes, _ = pd.factorize(frame["complainant_key"], use_na_sentinel=True)
        complainant = np.where(codes >= 0, codes, np.nan)
    deadline_h = frame["urgency"].astype(object).map(metrics.deadlines_hours).astype(float)
    elapsed_h = (frame["closed_at"] - frame["received_at"]).dt.total_seconds() / 3600.0
    ontime = closed & (elapsed_h <= deadline_h).to_numpy(dtype=bool)
    return pd.DataFrame(
        {
            "month": month_labels(frame["received_at"]),
            "district": frame["district"],
            "street": frame["street"],
            "element": frame["element"],
            "category": frame["category"],
            "complainant_key": complainant,
            "record": np.ones(len(frame), dtype=np.int64),
            "citizen": citizen.astype(np.int64),
            "valid": valid.astype(np.int64),
            "contacted_ok": contacted_ok.astype(np.int64),
            "resolved_ok": resolved_ok.astype(np.int64),
            "satisfied_score": np.where(valid, score, 0.0),
            "closed": closed.astype(np.int64),
            "ontime": ontime.astype(np.int64),
        }
    )

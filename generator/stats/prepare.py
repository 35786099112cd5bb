"""Per-record helper columns shared by every measure, computed once per build."""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from generator.config import MetricsConfig
from generator.stats.periods import period_columns, week_parts


def prepare(frame: pd.DataFrame, metrics: MetricsConfig,
            unrecorded: Collection[str] = frozenset()) -> pd.DataFrame:
    """A narrow frame with the flags every measure counts.

    Columns: the periods month, quarter, year (ordered categoricals over the calendar) and
    week (first day of the week part, stats.periods); district, street, street_code, element,
    category, channel, source, handling_level (the tier that closed it), urgency; hour (0–23)
    and weekday (1 = Monday … 7) of receipt; complainant_key (integer codes) and
    complainant_key_rank (the row's position in complainant order); and the 0/1 flags
    record, citizen, proactive, valid (有效回访), contacted_ok, resolved_ok, satisfied_full
    and satisfied_basic (满意 and 基本满意 behind 有效回访), closed, ontime, escalated.

    When the export records no caller identity (complainant_key in `unrecorded`), each
    citizen request stands for its own complainant, so disclosure control counts requests.
    """
    closed = (frame["status"] == "已办结").to_numpy()
    citizen = (frame["source"] == "市民诉求").to_numpy()
    valid = frame["revisit_valid"].fillna(False).to_numpy(dtype=bool) & closed & citizen
    contacted_ok = valid & frame["contacted"].fillna(False).to_numpy(dtype=bool)
    resolved_ok = valid & frame["resolved"].fillna(False).to_numpy(dtype=bool)
    # Categorical comparisons and maps work on the few categories, not on every row.
    # 满意 and 基本满意 are counted apart (integers sum exactly and by bincount, in linear time);
    # the weighted score is formed from the two sums (stats.metrics.kpi_sums).
    satisfaction = frame["satisfaction"]
    satisfied_full = valid & (satisfaction == "满意").to_numpy(dtype=bool)
    satisfied_basic = valid & (satisfaction == "基本满意").to_numpy(dtype=bool)
    # Complainants as integer codes (NaN for none): distinct counts per group are much
    # faster on numbers than on a million distinct strings.
    if "complainant_key" in unrecorded:
        complainant = np.where(citizen, np.arange(len(frame), dtype=np.float64), np.nan)
    else:
        codes, _ = pd.factorize(frame["complainant_key"], use_na_sentinel=True)
        complainant = np.where(codes >= 0, codes, np.nan)
    # Each row's position in complainant order, sorted once here: distinct counts then put
    # any subset of the rows in that order by a linear pass (stats.grouping.distinct_counts).
    rank = np.empty(len(frame), dtype=np.int64)
    rank[np.argsort(complainant, kind="stable")] = np.arange(len(frame), dtype=np.int64)
    deadline_h = frame["urgency"].map(metrics.deadlines_hours).astype(float)
    elapsed_h = (frame["closed_at"] - frame["received_at"]).dt.total_seconds() / 3600.0
    ontime = closed & (elapsed_h <= deadline_h).to_numpy(dtype=bool)
    received = frame["received_at"]
    periods = {name: values.set_axis(frame.index)
               for name, values in period_columns(received).items()}
    escalated = frame["escalated"].fillna(False).to_numpy(dtype=bool)
    return pd.DataFrame(
        {
            **periods,
            "week": week_parts(received).astype("category"),
            "district": frame["district"],
            "district_code": frame["district_code"],
            "street": frame["street"],
            "street_code": frame["street_code"],
            "element": frame["element"],
            "category": frame["category"],
            "channel": frame["channel"],
            "source": frame["source"],
            "handling_level": frame["handling_level"],
            "urgency": frame["urgency"],
            "hour": received.dt.hour.astype(np.int64),
            "weekday": (received.dt.day_of_week + 1).astype(np.int64),
            "complainant_key": complainant,
            "complainant_key_rank": rank,
            "record": np.ones(len(frame), dtype=np.int64),
            "citizen": citizen.astype(np.int64),
            "proactive": (~citizen).astype(np.int64),
            "valid": valid.astype(np.int64),
            "contacted_ok": contacted_ok.astype(np.int64),
            "resolved_ok": resolved_ok.astype(np.int64),
            "satisfied_full": satisfied_full.astype(np.int64),
            "satisfied_basic": satisfied_basic.astype(np.int64),
            "closed": closed.astype(np.int64),
            "ontime": ontime.astype(np.int64),
            "escalated": escalated.astype(np.int64),
        }
    )

"""The contract's cross-field rules, checked on the mapped columns before writing.

A row that breaks one is rejected with a Chinese reason; nothing is silently repaired.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from generator.dataset.schema import FOLLOW_UP_FIELDS, contract_fields
from generator.ingest.mapping import BoolArray, ObjArray, format_datetimes
from generator.ingest.output import Rejects

ORDER = (
    ("received_at", "dispatched_at"),
    ("received_at", "contacted_at"),
    ("received_at", "closed_at"),
    ("dispatched_at", "contacted_at"),
    ("dispatched_at", "closed_at"),
    ("contacted_at", "closed_at"),
)
CLOSED = "已办结"
PROACTIVE = "主动治理"


def _text(out: dict[str, ObjArray | pd.Series], name: str, n: int) -> ObjArray:
    value = out.get(name)
    if value is None:
        return np.full(n, "", dtype=object)
    if isinstance(value, pd.Series):
        return format_datetimes(value)
    return np.asarray(value, dtype=object)


def check_rules(out: dict[str, ObjArray | pd.Series], rejects: Rejects) -> None:
    """Add a reject for every row breaking a cross-field rule; blanks complainant_key of
    proactive tasks (they have no complainant)."""
    titles = {f.name: f.title for f in contract_fields()}
    n = rejects.n
    dates = {k: v for k, v in out.items() if isinstance(v, pd.Series)}
    reported = np.zeros(n, dtype=bool)  # one time-order problem per row is enough
    for early, late in ORDER:
        if early in dates and late in dates:
            bad: BoolArray = (dates[early] > dates[late]).to_numpy() & ~reported
            if not bad.any():
                continue
            reported |= bad
            rejects.add(bad, late, _text(out, late, n),
                        f"{titles[late]}早于{titles[early]}，"
                        "时间顺序应为受理 ≤ 派单 ≤ 首次联系 ≤ 办结")
    status = _text(out, "status", n)
    closed = status == CLOSED
    closed_at = out.get("closed_at")
    has_closed = (closed_at.notna().to_numpy() if isinstance(closed_at, pd.Series)
                  else _text(out, "closed_at", n) != "")
    rejects.add(closed & ~has_closed, "closed_at", None, "办理状态为已办结，但办结时间为空")
    rejects.add(~closed & has_closed & (status != ""), "closed_at", status,
                "办理状态不是已办结，却有办结时间")
    follow = {f: _text(out, f, n) != "" for f in FOLLOW_UP_FIELDS}  # strings, never dates
    any_follow = np.logical_or.reduce(list(follow.values()))
    rejects.add(any_follow & ~closed & (status != ""), "status", status,
                "未办结的工单不应有回访结果（是否有效回访/联系/解决/满意）")
    valid = _text(out, "revisit_valid", n) == "是"
    for f in ("contacted", "resolved", "satisfaction"):
        rejects.add(follow[f] & ~valid & closed, f, _text(out, f, n),
                    f"{titles[f]}只能在有效回访（是否有效回访为“是”）时填写")
    source = _text(out, "source", n)
    proactive = source == PROACTIVE
    key = np.asarray(out["complainant_key"], dtype=object).copy()
    key[proactive] = ""
    out["complainant_key"] = key
    rejects.add(~proactive & (source != "") & (key == ""), "complainant_key", None,
                "市民诉求缺少来电号码和来电人姓名，无法生成诉求人化名")
    channel = _text(out, "channel", n)
    rejects.add(proactive & (channel != "其他") & (channel != ""), "channel", channel,
                "主动治理任务的受理渠道应为“其他”")
    rejects.add(proactive & any_follow, "source", source, "主动治理任务不应有回访结果")

"""The contract's cross-field rules, checked on the mapped columns before writing.

The rules are generator.dataset.rules (the ones validation checks); this module words them
as reject reasons. A row that breaks one is rejected with a Chinese reason; nothing is
silently repaired.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from generator.dataset.rules import AFTER_VALID_REVISIT, FOLLOW_UP, TIME_ORDER, RuleInput
from generator.dataset.schema import contract_fields
from generator.dataset.vocabulary import CITIZEN, CLOSED, OTHER_CHANNEL, PROACTIVE, TRUE_WORD
from generator.ingest.mapping import ObjArray, format_datetimes
from generator.ingest.output import Rejects

ORDER = tuple((early, late) for i, early in enumerate(TIME_ORDER) for late in TIME_ORDER[i + 1:])
"""Every pair of times that must be in order, earliest pairs first."""


def _text(out: dict[str, ObjArray | pd.Series], name: str, n: int) -> ObjArray:
    value = out.get(name)
    if value is None:
        return np.full(n, "", dtype=object)
    if isinstance(value, pd.Series):
        return format_datetimes(value)
    return np.asarray(value, dtype=object)


def rule_input(out: dict[str, ObjArray | pd.Series], n: int,
               unrecorded: Collection[str] = ()) -> RuleInput:
    """The shared rules' view of the mapped columns ("" for empty text, NaT for no time)."""
    closed_at = out.get("closed_at")
    filled = {f: _text(out, f, n) != "" for f in FOLLOW_UP}  # strings, never dates
    filled["closed_at"] = (closed_at.notna().to_numpy() if isinstance(closed_at, pd.Series)
                           else _text(out, "closed_at", n) != "")
    filled["complainant_key"] = _text(out, "complainant_key", n) != ""
    return RuleInput(
        status=_text(out, "status", n),
        source=_text(out, "source", n),
        channel=_text(out, "channel", n),
        filled=filled,
        valid_revisit=_text(out, "revisit_valid", n) == TRUE_WORD,
        times={k: v.to_numpy(dtype="datetime64[ns]") for k, v in out.items()
               if isinstance(v, pd.Series)},
        unrecorded=frozenset(unrecorded),
    )


def check_rules(out: dict[str, ObjArray | pd.Series], rejects: Rejects,
                unrecorded: Collection[str] = ()) -> None:
    """Add a reject for every row breaking a cross-field rule; blanks complainant_key of
    proactive tasks (they have no complainant). Rules needing a field in `unrecorded` (the
    export does not record it) are not checked."""
    titles = {f.name: f.title for f in contract_fields()}
    n = rejects.n
    rules = rule_input(out, n, unrecorded)
    reported = np.zeros(n, dtype=bool)  # one time-order problem per row is enough
    for early, late in ORDER:
        bad = rules.out_of_order(early, late) & ~reported
        if not bad.any():
            continue
        reported |= bad
        rejects.add(bad, late, _text(out, late, n),
                    f"{titles[late]}早于{titles[early]}，"
                    "时间顺序应为受理 ≤ 派单 ≤ 首次联系 ≤ 办结")
    status = rules.status
    rejects.add(rules.closed_without_time(), "closed_at", None,
                f"办理状态为{CLOSED}，但办结时间为空")
    rejects.add(rules.in_progress_with_time(), "closed_at", status,
                f"办理状态不是{CLOSED}，却有办结时间")
    in_progress = np.logical_or.reduce([rules.follow_up_in_progress(f) for f in FOLLOW_UP])
    rejects.add(in_progress, "status", status,
                "未办结的工单不应有回访结果（是否有效回访/联系/解决/满意）")
    closed = rules.closed()
    for f in AFTER_VALID_REVISIT:
        rejects.add(rules.follow_up_without_valid_revisit(f) & closed, f, _text(out, f, n),
                    f"{titles[f]}只能在有效回访（是否有效回访为“{TRUE_WORD}”）时填写")
    proactive = rules.proactive()
    key = _text(out, "complainant_key", n).copy()
    key[proactive] = ""
    out["complainant_key"] = key
    rejects.add(rules.citizen_without_complainant() & (key == ""), "complainant_key", None,
                f"{CITIZEN}缺少来电号码和来电人姓名，无法生成诉求人化名")
    rejects.add(rules.proactive_channel_wrong(), "channel", rules.channel,
                f"{PROACTIVE}任务的受理渠道应为“{OTHER_CHANNEL}”")
    on_proactive = np.logical_or.reduce([rules.follow_up_on_proactive(f) for f in FOLLOW_UP])
    rejects.add(on_proactive, "source", rules.source, f"{PROACTIVE}任务不应有回访结果")

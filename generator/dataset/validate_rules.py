"""The contract's cross-field rules on the typed frame, worded for validation reports.

The rules themselves are generator.dataset.rules (shared with import); the place and
category rules read the project's reference data. Checked only on rows without schema errors
(a bad cell would otherwise cause follow-on noise). Each rule blames one field; a follow-up
field gets at most one error (the first rule that applies).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from generator.dataset.report import IssueSink
from generator.dataset.rules import FOLLOW_UP, TIME_ORDER, RuleInput
from generator.dataset.vocabulary import (
    CITIZEN,
    CLOSED,
    DATETIME_FORMAT,
    FALSE_WORD,
    IN_PROGRESS,
    OTHER_CHANNEL,
    PROACTIVE,
    TRUE_WORD,
)
from generator.reference import Reference


class Reporter(Protocol):
    def __call__(
        self, mask: npt.ArrayLike, field: str, message: str, fix: str, other: str | None = None
    ) -> None: ...


_TITLES = {
    "received_at": "受理时间",
    "dispatched_at": "派单时间",
    "contacted_at": "首次联系时间",
    "closed_at": "办结时间",
    "revisit_valid": "是否有效回访",
}


def _text(series: pd.Series, idx: npt.NDArray[np.intp]) -> list[str | None]:
    sub = series.iloc[idx[:10_000]]
    if pd.api.types.is_datetime64_any_dtype(sub):
        return [None if pd.isna(v) else v.strftime(DATETIME_FORMAT) for v in sub]
    if isinstance(sub.dtype, pd.BooleanDtype):
        return [None if pd.isna(v) else (TRUE_WORD if v else FALSE_WORD) for v in sub]
    return [None if pd.isna(v) else str(v) for v in sub]


def rule_input(frame: pd.DataFrame, unrecorded: frozenset[str]) -> RuleInput:
    """The shared rules' view of the typed frame."""

    def texts(name: str) -> npt.NDArray[np.object_]:
        return np.asarray(frame[name].astype(object).fillna(""), dtype=object)

    return RuleInput(
        status=texts("status"),
        source=texts("source"),
        channel=texts("channel"),
        filled={n: frame[n].notna().to_numpy() for n in ("complainant_key", "closed_at",
                                                         *FOLLOW_UP)},
        valid_revisit=(frame["revisit_valid"] == True).fillna(False).to_numpy(dtype=bool),  # noqa: E712
        times={n: frame[n].to_numpy() for n in TIME_ORDER},
        unrecorded=unrecorded,
    )


def check_cross_fields(
    frame: pd.DataFrame,
    clean: npt.NDArray[np.bool_],
    rows: npt.NDArray[np.int64],
    ref: Reference,
    sink: IssueSink,
    unrecorded: frozenset[str] = frozenset(),
    reference_label: str = "data/reference",
) -> None:
    """Report every rule broken on a clean row; rules needing an unrecorded field are skipped."""

    def report(
        mask: npt.ArrayLike, field: str, message: str, fix: str, other: str | None = None
    ) -> None:
        idx = np.flatnonzero(np.asarray(mask, dtype=bool) & clean)
        if not len(idx):
            return
        if other is not None:
            others = _text(frame[other], idx)
            sink.add(
                "cross-field-error",
                field,
                rows[idx],
                _text(frame[field], idx),
                lambda k: message.format(other=others[k]),
                fix,
            )
        else:
            sink.add("cross-field-error", field, rows[idx], _text(frame[field], idx), message, fix)

    rules = rule_input(frame, unrecorded)
    _times(rules, report)
    report(
        rules.closed_without_time(),
        "closed_at",
        f"为空，但办理状态为“{CLOSED}”",
        f"{CLOSED}的工单必须填写办结时间；若尚未办结，把办理状态改为“{IN_PROGRESS}”",
    )
    report(
        rules.in_progress_with_time(),
        "closed_at",
        f"已填写，但办理状态为“{IN_PROGRESS}”",
        f"{IN_PROGRESS}的工单不填办结时间；若已办结，把办理状态改为“{CLOSED}”",
    )
    _places(frame, ref, report, reference_label)
    element_of = _map(frame["category"], {c.name: c.element for c in ref.categories})
    wrong = (element_of != None) & (element_of != _obj(frame["element"]))  # noqa: E711
    report(
        wrong,
        "category",
        "不属于该行的要素“{other}”",
        f"按 {reference_label}/taxonomy.yml 选择该要素下的类别，或更正要素",
        other="element",
    )
    report(
        rules.proactive_with_complainant(),
        "complainant_key",
        f"已填写，但来源为“{PROACTIVE}”",
        f"{PROACTIVE}任务没有诉求人，诉求人标识留空",
    )
    report(
        rules.citizen_without_complainant(),
        "complainant_key",
        f"为空，但来源为“{CITIZEN}”",
        f"{CITIZEN}必须填写诉求人标识（化名）",
    )
    report(
        rules.proactive_channel_wrong(),
        "channel",
        f"与来源“{PROACTIVE}”不符",
        f"{PROACTIVE}任务的受理渠道填“{OTHER_CHANNEL}”",
    )
    closed, proactive = rules.closed(), rules.proactive()
    for name in FOLLOW_UP:
        report(
            rules.follow_up_in_progress(name),
            name,
            "已填写，但工单未办结",
            f"回访字段只在办理状态为“{CLOSED}”时填写；未办结请留空",
        )
        report(
            rules.follow_up_on_proactive(name) & closed,
            name,
            f"已填写，但来源为“{PROACTIVE}”",
            f"{PROACTIVE}任务没有回访，回访字段留空",
        )
        report(
            rules.follow_up_without_valid_revisit(name) & closed & ~proactive,
            name,
            f"已填写，但“是否有效回访”不是“{TRUE_WORD}”",
            f"只有有效回访（是否有效回访为“{TRUE_WORD}”）才填写是否联系、是否解决、是否满意；"
            "否则留空",
        )


def _times(rules: RuleInput, report: Reporter) -> None:
    """Each time against the nearest earlier time the row holds."""
    for late in TIME_ORDER[1:]:
        for early, nearest in rules.previous_times(late):
            report(
                rules.out_of_order(early, late) & nearest,
                late,
                f"早于{_TITLES[early]} {{other}}",
                f"{_TITLES[late]}不能早于{_TITLES[early]}，请核对两个时间",
                early,
            )


def _map(series: pd.Series, mapping: dict[str, str]) -> npt.NDArray[np.object_]:
    """Map a categorical column through `mapping` per category (None where unmapped/empty)."""
    cats = series.cat.categories
    table = np.array([mapping.get(c) for c in cats] + [None], dtype=object)
    codes = series.cat.codes.to_numpy()
    out: npt.NDArray[np.object_] = table[np.where(codes < 0, len(cats), codes)]
    return out


def _obj(series: pd.Series) -> npt.NDArray[np.object_]:
    return _map(series, {str(c): str(c) for c in series.cat.categories})


def _places(frame: pd.DataFrame, ref: Reference, report: Reporter, label: str) -> None:
    street_name = {s.code: s.name for s in ref.streets}
    street_district = {s.code: s.district_code for s in ref.streets}
    districts = {d.code: d.name for d in ref.districts}
    code = frame["street_code"]
    s_name = _map(code, street_name)
    known = s_name != None  # noqa: E711 - elementwise on an object array
    report(
        ~known,
        "street_code",
        f"不在参考数据 {label}/streets.csv 中",
        f"按 {label}/streets.csv 填写街乡镇代码",
    )
    d_code = _obj(frame["district_code"])
    report(
        known & (_map(code, street_district) != d_code),
        "street_code",
        "不属于区代码 {other}",
        f"核对街乡镇代码和区代码：街乡镇所属的区代码见 {label}/streets.csv 的 district_code 列",
        other="district_code",
    )
    report(
        known & (s_name != _obj(frame["street"])),
        "street",
        "与街乡镇代码 {other} 不一致",
        f"按 {label}/streets.csv 填写与代码对应的街乡镇名称",
        other="street_code",
    )
    d_name = _map(frame["district_code"], districts)
    d_known = d_name != None  # noqa: E711
    report(
        ~d_known,
        "district_code",
        f"不在参考数据 {label}/districts.csv 中",
        f"按 {label}/districts.csv 填写区代码",
    )
    report(
        d_known & (d_name != _obj(frame["district"])),
        "district",
        "与区代码 {other} 不一致",
        f"按 {label}/districts.csv 填写与区代码对应的区名",
        other="district_code",
    )

"""The contract's cross-field rules, vectorised over the typed frame.

Checked only on rows without schema errors (a bad cell would otherwise cause follow-on noise).
Each rule blames one field; a follow-up field gets at most one error (the first rule that applies).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from generator.dataset.report import IssueSink
from generator.reference import Reference

CLOSED = "已办结"
PROACTIVE = "主动治理"
FOLLOW_UP = ("revisit_valid", "contacted", "resolved", "satisfaction")


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
        return [None if pd.isna(v) else v.strftime("%Y-%m-%dT%H:%M:%S") for v in sub]
    if isinstance(sub.dtype, pd.BooleanDtype):
        return [None if pd.isna(v) else ("是" if v else "否") for v in sub]
    return [None if pd.isna(v) else str(v) for v in sub]


def check_cross_fields(
    frame: pd.DataFrame,
    clean: npt.NDArray[np.bool_],
    rows: npt.NDArray[np.int64],
    ref: Reference,
    sink: IssueSink,
) -> None:
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

    _times(frame, report)
    status = frame["status"].astype(object)
    closed = (status == CLOSED).to_numpy()
    has_closed = frame["closed_at"].notna().to_numpy()
    report(
        closed & ~has_closed,
        "closed_at",
        "为空，但办理状态为“已办结”",
        "已办结的工单必须填写办结时间；若尚未办结，把办理状态改为“办理中”",
    )
    report(
        ~closed & has_closed,
        "closed_at",
        "已填写，但办理状态为“办理中”",
        "办理中的工单不填办结时间；若已办结，把办理状态改为“已办结”",
    )
    _places(frame, ref, report)
    element_of = _map(frame["category"], {c.name: c.element for c in ref.categories})
    wrong = (element_of != None) & (element_of != _obj(frame["element"]))  # noqa: E711
    report(
        wrong,
        "category",
        "不属于该行的要素“{other}”",
        "按 data/reference/taxonomy.yml 选择该要素下的类别，或更正要素",
        other="element",
    )
    proactive = (frame["source"].astype(object) == PROACTIVE).to_numpy()
    has_person = frame["complainant_key"].notna().to_numpy()
    report(
        proactive & has_person,
        "complainant_key",
        "已填写，但来源为“主动治理”",
        "主动治理任务没有诉求人，诉求人标识留空",
    )
    report(
        ~proactive & ~has_person,
        "complainant_key",
        "为空，但来源为“市民诉求”",
        "市民诉求必须填写诉求人标识（化名）",
    )
    report(
        proactive & (frame["channel"].astype(object) != "其他").to_numpy(),
        "channel",
        "与来源“主动治理”不符",
        "主动治理任务的受理渠道填“其他”",
    )
    valid_revisit = (frame["revisit_valid"] == True).fillna(False).to_numpy(dtype=bool)  # noqa: E712
    for name in FOLLOW_UP:
        present = frame[name].notna().to_numpy()
        report(
            present & ~closed,
            name,
            "已填写，但工单未办结",
            "回访字段只在办理状态为“已办结”时填写；未办结请留空",
        )
        report(
            present & closed & proactive,
            name,
            "已填写，但来源为“主动治理”",
            "主动治理任务没有回访，回访字段留空",
        )
        if name != "revisit_valid":
            report(
                present & closed & ~proactive & ~valid_revisit,
                name,
                "已填写，但“是否有效回访”不是“是”",
                "只有有效回访（是否有效回访为“是”）才填写是否联系、是否解决、是否满意；否则留空",
            )


def _times(frame: pd.DataFrame, report: Reporter) -> None:
    rec, disp = frame["received_at"], frame["dispatched_at"]
    cont, closed = frame["contacted_at"], frame["closed_at"]
    for field, other, mask in (
        ("dispatched_at", "received_at", disp < rec),
        ("contacted_at", "dispatched_at", cont < disp),
    ):
        report(
            mask.to_numpy(),
            field,
            f"早于{_TITLES[other]} {{other}}",
            f"{_TITLES[field]}不能早于{_TITLES[other]}，请核对两个时间",
            other,
        )
    # closed_at follows contacted_at when there is one, else dispatched_at.
    contacted = cont.notna().to_numpy()
    report(
        (closed < cont).to_numpy() & contacted,
        "closed_at",
        "早于首次联系时间 {other}",
        "办结时间不能早于首次联系时间，请核对两个时间",
        "contacted_at",
    )
    report(
        (closed < disp).to_numpy() & ~contacted,
        "closed_at",
        "早于派单时间 {other}",
        "办结时间不能早于派单时间，请核对两个时间",
        "dispatched_at",
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


def _places(frame: pd.DataFrame, ref: Reference, report: Reporter) -> None:
    street_name = {s.code: s.name for s in ref.streets}
    street_district = {s.code: s.district_code for s in ref.streets}
    districts = {d.code: d.name for d in ref.districts}
    code = frame["street_code"]
    s_name = _map(code, street_name)
    known = s_name != None  # noqa: E711 - elementwise on an object array
    report(
        ~known,
        "street_code",
        "不在参考数据 data/reference/streets.csv 中",
        "按 data/reference/streets.csv 填写 9 位街乡镇代码",
    )
    d_code = _obj(frame["district_code"])
    report(
        known & (_map(code, street_district) != d_code),
        "street_code",
        "不属于区代码 {other}",
        "核对街乡镇代码和区代码：街乡镇代码的前 6 位就是它所属的区代码",
        other="district_code",
    )
    report(
        known & (s_name != _obj(frame["street"])),
        "street",
        "与街乡镇代码 {other} 不一致",
        "按 data/reference/streets.csv 填写与代码对应的街乡镇名称",
        other="street_code",
    )
    d_name = _map(frame["district_code"], districts)
    d_known = d_name != None  # noqa: E711
    report(
        ~d_known,
        "district_code",
        "不在参考数据 data/reference/districts.csv 中",
        "按 data/reference/districts.csv 填写 6 位区代码",
    )
    report(
        d_known & (d_name != _obj(frame["district"])),
        "district",
        "与区代码 {other} 不一致",
        "按 data/reference/districts.csv 填写与区代码对应的区名",
        other="district_code",
    )

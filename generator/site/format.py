"""How published cells read: Chinese number formatting for pages (jinja2 filters) and the
tokens of the open-data CSV files.

A published cell is a number or a mark (generator.stats.marks). Pages show a hidden cell as
HIDDEN_MARK, a figure that does not exist as NOT_APPLICABLE_MARK and a figure the export does
not record as UNRECORDED_MARK; CSV files write CSV_HIDDEN, CSV_NOT_APPLICABLE and
CSV_UNRECORDED. The notes explaining them are built here from the configured k and the
disclosure unit (诉求人, or 件诉求 when the export records no caller identity) so no page
carries its own wording.
"""

from __future__ import annotations

import math
from typing import Any

from generator.stats.disclosure import COMPLAINANTS, REQUESTS
from generator.stats.marks import CSV_HIDDEN as CSV_HIDDEN  # the CSV tokens, re-exported
from generator.stats.marks import CSV_NOT_APPLICABLE as CSV_NOT_APPLICABLE
from generator.stats.marks import CSV_UNRECORDED as CSV_UNRECORDED
from generator.stats.marks import MISSING_VALUES as MISSING_VALUES
from generator.stats.marks import NOT_APPLICABLE, UNRECORDED, is_mark
from generator.stats.marks import csv_cell as csv_cell

HIDDEN_MARK = "—"
"""A cell withheld by disclosure control (below k, or hidden to protect another cell)."""
NOT_APPLICABLE_MARK = "／"
"""A figure that does not exist: a rate over zero cases, the month before the first."""
UNRECORDED_MARK = "未记录"
"""A figure needing a field the export does not record (e.g. no follow-up calls)."""


def _fewer_than(k: int, unit: str) -> str:
    return f"少于 {k} 件诉求" if unit == REQUESTS else f"少于 {k} 名{unit}"


def hidden_note(k: int, unit: str = COMPLAINANTS) -> str:
    """The footnote for HIDDEN_MARK, with the configured k and what k counts
    (Aggregates.disclosure_unit: 诉求人, or 件诉求 without caller identity)."""
    return f"不予公布：{_fewer_than(k, unit)}，或为防止推算而隐藏"


NOT_APPLICABLE_NOTE = "不适用：没有可计算的基数（如没有有效回访、没有常住人口数据或没有上月数据）"
UNRECORDED_NOTE = "未记录：数据来源没有记录计算该项所需的字段（如没有回访记录），不是 0"


def marks_legend(k: int, unit: str = COMPLAINANTS, unrecorded: bool = False) -> str:
    """One line explaining the marks, for the data notes on every statistics page;
    UNRECORDED_MARK is explained only when some figure is unrecorded."""
    extra = f"“{UNRECORDED_MARK}”表示{UNRECORDED_NOTE}；" if unrecorded else ""
    return (f"“{HIDDEN_MARK}”表示{hidden_note(k, unit)}；“{NOT_APPLICABLE_MARK}”表示"
            f"{NOT_APPLICABLE_NOTE}；{extra}0 表示确实没有诉求")


def csv_marks_note(k: int, unit: str = COMPLAINANTS, unrecorded: bool = False) -> str:
    """How the CSV tokens read; part of every open-data description that may hold them."""
    extra = f"{CSV_UNRECORDED} 表示{UNRECORDED_NOTE}；" if unrecorded else ""
    return (f"{CSV_HIDDEN} 表示{hidden_note(k, unit)}；{CSV_NOT_APPLICABLE} 表示"
            f"{NOT_APPLICABLE_NOTE}；{extra}0 表示确实没有诉求")


def missing(value: Any) -> bool:
    """True for a mark and for an absent value (None, NaN, <NA>)."""
    if is_mark(value):
        return True
    try:
        return value is None or bool(value != value) or value is math.nan  # NaN, pd.NA
    except TypeError:  # pd.NA in a boolean context
        return True


def mark_of(value: Any) -> str:
    """The page mark of a missing value. Anything but an explicit N/A or unrecorded mark
    counts as hidden: an unexpected gap must never be shown as "not applicable"."""
    if value is UNRECORDED:
        return UNRECORDED_MARK
    return NOT_APPLICABLE_MARK if value is NOT_APPLICABLE else HIDDEN_MARK


def num(value: Any) -> str:
    """1204 → '1,204'; a hidden cell → '—'; not applicable → '／'; unrecorded → '未记录'."""
    if missing(value):
        return mark_of(value)
    return f"{int(value):,}"


def pct(value: Any, digits: int = 2) -> str:
    """0.99537 → '99.54%'; marks as in num()."""
    if missing(value):
        return mark_of(value)
    return f"{float(value) * 100:.{digits}f}%"


def score(value: Any) -> str:
    """Composite score, 2 decimals; marks as in num()."""
    if missing(value):
        return mark_of(value)
    return f"{float(value):.2f}"


def decimal(value: Any, digits: int = 2) -> str:
    """12.3456 → '12.35'; marks as in num()."""
    if missing(value):
        return mark_of(value)
    return f"{float(value):.{digits}f}"


def month_zh(month: str | None) -> str:
    """'2026-10' → '2026年10月'; no month → '／'."""
    if not month:
        return NOT_APPLICABLE_MARK
    year, mon = month.split("-")
    return f"{year}年{int(mon)}月"


def day_zh(day: str) -> str:
    """'2026-10-20' → '10月20日'."""
    return f"{int(day[5:7])}月{int(day[8:10])}日"


def incomplete_note(cutoff: str | None) -> str:
    """'（截至 10月20日，数据不完整）' for a month the export cuts short, else ''."""
    return f"（截至 {day_zh(cutoff)}，数据不完整）" if cutoff else ""


def change(current: Any, previous: Any) -> str:
    """'比上月增加 3.2%' style phrase; empty when either side is missing or zero."""
    if missing(current) or missing(previous) or int(previous) == 0:
        return ""
    ratio = (int(current) - int(previous)) / int(previous)
    if abs(ratio) < 0.0005:
        return "与上月持平"
    word = "增加" if ratio > 0 else "减少"
    return f"比上月{word} {abs(ratio) * 100:.1f}%"


FILTERS = {"num": num, "pct": pct, "score": score, "decimal": decimal, "month_zh": month_zh}

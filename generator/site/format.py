"""Chinese number formatting shared by every page (jinja2 filters).

A published cell is a number or a mark (generator.stats.marks). Pages show a hidden cell as
HIDDEN_MARK and a figure that does not exist as NOT_APPLICABLE_MARK; the notes explaining
both are built here from the configured k so no page carries its own wording.
"""

from __future__ import annotations

import math
from typing import Any

from generator.stats.marks import NOT_APPLICABLE, is_mark

HIDDEN_MARK = "—"
"""A cell withheld by disclosure control (below k, or hidden to protect another cell)."""
NOT_APPLICABLE_MARK = "／"
"""A figure that does not exist: a rate over zero cases, the month before the first."""


def hidden_note(k: int) -> str:
    """The footnote for HIDDEN_MARK, with the configured minimum number of complainants."""
    return f"不予公布：少于 {k} 名诉求人，或为防止推算而隐藏"


NOT_APPLICABLE_NOTE = "不适用：没有可计算的基数（如没有有效回访、没有常住人口数据或没有上月数据）"


def marks_legend(k: int) -> str:
    """One line explaining both marks, for the data notes on every statistics page."""
    return (f"“{HIDDEN_MARK}”表示{hidden_note(k)}；“{NOT_APPLICABLE_MARK}”表示"
            f"{NOT_APPLICABLE_NOTE}；0 表示确实没有诉求")


def missing(value: Any) -> bool:
    """True for a mark and for an absent value (None, NaN, <NA>)."""
    if is_mark(value):
        return True
    try:
        return value is None or bool(value != value) or value is math.nan  # NaN, pd.NA
    except TypeError:  # pd.NA in a boolean context
        return True


def mark_of(value: Any) -> str:
    """The page mark of a missing value. Anything but an explicit N/A counts as hidden: an
    unexpected gap must never be shown as "not applicable"."""
    return NOT_APPLICABLE_MARK if value is NOT_APPLICABLE else HIDDEN_MARK


def num(value: Any) -> str:
    """1204 → '1,204'; a hidden cell → '—'; not applicable → '／'."""
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

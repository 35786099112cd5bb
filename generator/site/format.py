"""Chinese number formatting shared by every page (jinja2 filters)."""

from __future__ import annotations

import math
from typing import Any

SUPPRESSED = "<5"
"""What a suppressed cell shows (fewer than k distinct complainants)."""


def missing(value: Any) -> bool:
    try:
        return value is None or bool(value != value) or value is math.nan  # NaN, pd.NA
    except TypeError:  # pd.NA in a boolean context
        return True


def num(value: Any) -> str:
    """1204 → '1,204'; a suppressed or absent value → '<5' (counts) ."""
    if missing(value):
        return SUPPRESSED
    return f"{int(value):,}"


def pct(value: Any, digits: int = 2) -> str:
    """0.99537 → '99.54%'; missing → '—'."""
    if missing(value):
        return "—"
    return f"{float(value) * 100:.{digits}f}%"


def score(value: Any) -> str:
    """Composite score, 1 decimal; missing → '—'."""
    if missing(value):
        return "—"
    return f"{float(value):.2f}"


def decimal(value: Any, digits: int = 2) -> str:
    """12.3456 → '12.35'; missing (e.g. derived from a hidden count) → '—'."""
    if missing(value):
        return "—"
    return f"{float(value):.{digits}f}"


def month_zh(month: str | None) -> str:
    """'2026-10' → '2026年10月'."""
    if not month:
        return "—"
    year, mon = month.split("-")
    return f"{year}年{int(mon)}月"


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

"""The time hierarchy every table is published over: year ⊃ quarter ⊃ month ⊃ week part.

Labels (also the `period` values of the CSVs):
- month 'YYYY-MM'; quarter 'YYYYQn' (Q1 = January–March); year 'YYYY'; 'all' for the whole
  data period;
- a week part is a Monday–Sunday week cut at month boundaries, labelled by its first day
  'YYYY-MM-DD' (the 1st of a month or a Monday). Cutting at the month keeps weeks inside
  months, so weekly figures add up to the monthly ones and no week straddles two reports.
Months, quarters and years run as a calendar from the first to the last month of the data,
gaps included; a quarter or year only partly covered by the data is still listed (and named as
partial where it matters).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

ALL = "all"
"""The period label of the whole data period."""


def calendar_months(first: str, last: str) -> list[str]:
    """Every 'YYYY-MM' from `first` to `last` inclusive, gaps included."""
    year, month = int(first[:4]), int(first[5:])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def quarter_of(month: str) -> str:
    """'2025-05' → '2025Q2'."""
    return f"{month[:4]}Q{(int(month[5:]) - 1) // 3 + 1}"


def year_of(month: str) -> str:
    return month[:4]


def months_of_quarter(quarter: str) -> list[str]:
    q = int(quarter[5])
    return [f"{quarter[:4]}-{m:02d}" for m in range(3 * q - 2, 3 * q + 1)]


def quarter_window(months: Sequence[str], length: int, *, latest_incomplete: bool = False,
                   provisional: Sequence[str] = ()) -> tuple[str, ...]:
    """The latest `length` months (a multiple of 3) ending with the last complete, final
    quarter: whole quarters, so the window's figures are sums of published quarters. Empty
    when the data hold no such quarter."""
    usable = list(months[:-1] if latest_incomplete else months)
    while usable and usable[-1] in provisional:
        usable.pop()
    while usable and int(usable[-1][5:]) % 3:
        usable.pop()
    window = usable[-length:]
    while window and int(window[0][5:]) % 3 != 1:  # start on a quarter's first month
        window.pop(0)
    return tuple(window)


def week_parts(stamps: pd.Series) -> pd.Series:
    """The first day ('YYYY-MM-DD') of each timestamp's week part: the later of its week's
    Monday and its month's first day."""
    day = stamps.dt.normalize()
    monday = day - pd.to_timedelta(day.dt.day_of_week, unit="D")
    first = day - pd.to_timedelta(day.dt.day - 1, unit="D")
    start = monday.where(monday >= first, first)
    # Format the few distinct days only (strftime on every row is slow at millions).
    codes, days = pd.factorize(start)
    labels = pd.DatetimeIndex(days).strftime("%Y-%m-%d")
    text = pd.Series(np.asarray(labels, dtype=object)[codes], index=stamps.index)
    text[codes < 0] = None
    return text


@dataclass(frozen=True)
class Calendar:
    """The periods of the data, each level in calendar order."""

    months: tuple[str, ...]
    quarters: tuple[str, ...]
    years: tuple[str, ...]
    window: tuple[str, ...] = ()
    """The months of the ranking window (the latest complete months; empty: none)."""
    provisional: tuple[str, ...] = ()
    """Months published as 初步数据 (stats.history.provisional_months): fine tables hold
    them back until they are final."""

    @classmethod
    def spanning(cls, months: Sequence[str], window: Sequence[str] = (),
                 provisional: Sequence[str] = ()) -> Calendar:
        quarters = tuple(dict.fromkeys(quarter_of(m) for m in months))
        years = tuple(dict.fromkeys(year_of(m) for m in months))
        return cls(tuple(months), quarters, years, tuple(window), tuple(provisional))

    @property
    def final_months(self) -> tuple[str, ...]:
        """Months that are not provisional."""
        return tuple(m for m in self.months if m not in self.provisional)

    @property
    def final_quarters(self) -> tuple[str, ...]:
        """Quarters whose three months are all in the data and final."""
        final = set(self.final_months)
        return tuple(q for q in self.quarters if set(months_of_quarter(q)) <= final)

    @property
    def window_label(self) -> str | None:
        """The window as a period label 'YYYY-MM/YYYY-MM' (first and last month)."""
        return f"{self.window[0]}/{self.window[-1]}" if self.window else None

    def level(self, name: str) -> tuple[str, ...]:
        """The labels of one level: 'month', 'quarter', 'year', 'window', 'all', or the final
        ones only: 'final_month', 'final_quarter' (what fine tables publish)."""
        window = (self.window_label,) if self.window_label else ()
        return {"month": self.months, "quarter": self.quarters, "year": self.years,
                "window": window, "all": (ALL,), "final_month": self.final_months,
                "final_quarter": self.final_quarters}[name]

    def window_of(self, months: pd.Series) -> pd.Series:
        """The window label for months inside the window, missing elsewhere."""
        label = self.window_label
        if label is not None and isinstance(months.dtype, pd.CategoricalDtype):
            # On the codes: a label string per record is slow at millions of records.
            inside = np.isin(np.asarray(months.cat.categories, dtype=object), self.window)
            lookup = np.array([*np.where(inside, 0, -1), -1], dtype=np.int64)
            return pd.Series(pd.Categorical.from_codes(
                lookup[months.cat.codes.to_numpy()], dtype=pd.CategoricalDtype([label])),
                index=months.index)
        return months.astype(str).map({m: label for m in self.window}).astype("category")


def period_columns(stamps: pd.Series) -> dict[str, pd.Series]:
    """month, quarter and year of each timestamp as ordered categoricals over the calendar
    from the first to the last month of the data (a level without records is still there).

    Built from integer codes: no label string is made per record (at millions of records
    that costs more time and memory than all the counting that follows)."""
    codes = (stamps.dt.year * 100 + stamps.dt.month).to_numpy(dtype=float, na_value=np.nan)
    valid = ~np.isnan(codes)
    present = np.unique(codes[valid]).astype(np.int64) if len(codes) else np.array([], int)
    if not len(present):
        empty = pd.CategoricalDtype([], ordered=True)
        return {name: pd.Series(pd.Categorical.from_codes(np.full(len(codes), -1), dtype=empty))
                for name in ("month", "quarter", "year")}
    months = calendar_months(f"{present[0] // 100:04d}-{present[0] % 100:02d}",
                             f"{present[-1] // 100:04d}-{present[-1] % 100:02d}")
    cal = Calendar.spanning(months)
    month_numbers = np.array([int(m[:4]) * 100 + int(m[5:]) for m in months], dtype=np.int64)
    month_code = np.full(len(codes), -1, dtype=np.int64)
    month_code[valid] = np.searchsorted(month_numbers, codes[valid].astype(np.int64))

    def level(labels: tuple[str, ...], of_month: dict[str, str]) -> pd.Series:
        position = {label: i for i, label in enumerate(labels)}
        lookup = np.array([*(position[of_month[m]] for m in months), -1], dtype=np.int64)
        return pd.Series(pd.Categorical.from_codes(
            lookup[month_code], dtype=pd.CategoricalDtype(list(labels), ordered=True)))

    return {"month": level(tuple(months), {m: m for m in months}),
            "quarter": level(cal.quarters, {m: quarter_of(m) for m in months}),
            "year": level(cal.years, {m: year_of(m) for m in months})}

"""Working days by the configured calendar (holidays and 调休 working weekends).

The reply promise counts working days from the day after a request arrives: a request of a
Friday promised "within 3 working days" is due by Wednesday. A day outside the calendar's
years is counted as Monday to Friday and the answer says so (`approximate`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from generator.intake.config import Calendar

MAX_SCAN_DAYS = 3660
"""A promise or a gap longer than ten years is an error in the data, not a calendar walk."""


@dataclass(frozen=True)
class Count:
    value: int
    approximate: bool
    """True when a day outside calendar.years was counted (weekends only known there)."""


@dataclass(frozen=True)
class Due:
    day: dt.date
    approximate: bool


def add_working_days(calendar: Calendar, start: dt.date, days: int) -> Due:
    """The `days`-th working day after `start` (start itself not counted)."""
    day, left, approximate = start, days, False
    for _ in range(MAX_SCAN_DAYS):
        if left == 0:
            break
        day += dt.timedelta(days=1)
        approximate |= not calendar.covers(day)
        if calendar.is_working_day(day):
            left -= 1
    return Due(day, approximate)


def working_days_between(calendar: Calendar, start: dt.date, end: dt.date) -> Count:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    count, approximate, day = 0, False, start
    if (end - start).days > MAX_SCAN_DAYS:
        end = start + dt.timedelta(days=MAX_SCAN_DAYS)
    while day < end:
        day += dt.timedelta(days=1)
        approximate |= not calendar.covers(day)
        count += calendar.is_working_day(day)
    return Count(count, approximate)

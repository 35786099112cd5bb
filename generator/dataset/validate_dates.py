"""Times must fall in the window a package can hold: from 1 January of the configured
earliest year to the end of the build date (in the city's time zone).

A time outside it is almost always a typo (2062 for 2026) that would otherwise publish a
month that never happened; it is a row error like a bad value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np

from generator.dataset.load import CANONICAL_DATETIME, RawTable
from generator.dataset.report import IssueSink
from generator.dataset.schema import Field
from generator.dataset.validate_fields import FieldResult, take_values
from generator.settings import SETTINGS_FILE, DataSettings


def check_time_window(
    raw: RawTable,
    fields: Sequence[Field],
    parsed: FieldResult,
    sink: IssueSink,
    settings: DataSettings,
    today: dt.date,
) -> None:
    """Report every valid time before the earliest year or after `today`; mark those rows."""
    year = settings.earliest_year
    first = np.datetime64(f"{year:04d}-01-01T00:00:00", "ns")
    after = np.datetime64(today + dt.timedelta(days=1), "ns")
    source = settings.source or SETTINGS_FILE
    for j, f in enumerate(fields):
        valid = parsed.valid_times.get(f.name)
        if valid is None:
            continue
        values = parsed.datetimes[f.name]
        col = raw.columns[j]
        early = valid & (values < first)
        late = valid & (values >= after)
        # NaT on a valid cell: a year beyond numpy's range (before 1678 or after 2261).
        for i in np.flatnonzero(valid & np.isnat(values)):
            cell = col[int(i)].as_py()
            parsed_year = dt.datetime.strptime(cell, f.format or CANONICAL_DATETIME).year
            (early if parsed_year < year else late)[i] = True
        for mask, message, fix in (
            (
                early,
                f"早于 {year} 年 1 月 1 日",
                f"核对年份；若确有 {year} 年以前的记录，请把 {source} 中的 data.earliest_year 改小",
            ),
            (
                late,
                f"晚于今天（{today.isoformat()}，{settings.time_zone_label}）",
                "核对日期，时间不能晚于校验或构建的当天；若本机日期有误，请先校正",
            ),
        ):
            idx = np.flatnonzero(mask)
            parsed.row_has_error[idx] = True
            sink.add("time-window-error", f.name, raw.row_numbers[idx],
                     take_values(col, idx), message, fix)

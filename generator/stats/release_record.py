"""The release record file: what one release published, written once and read back checked.

One file per release in data/releases/, named by the release's last data month
(`2026-10.jsonl`). Line 1 is a JSON header (format, release id, provisional months, per
table its period column, key columns and measure columns, and a checksum of everything
else); every further line is one published table row as a JSON array of strings: table
name, key values, then one CSV token per measure (the tokens of site/data/*.csv: numbers as
written there, `suppressed`, `NA`, `unrecorded`). Rows are sorted, so the file is
deterministic and `git diff` between two releases shows exactly what changed. Plain text on
purpose: git delta-compresses successive records, gzip would defeat that.

Only rows of calendar periods are recorded (a month, a `YYYY-Qn` quarter or a `YYYY` year
lying wholly inside the data): whole-period and latest-month figures are relative to each
release's window and mean something else in the next one. Rows of provisional months are
recorded too, so the next release can say a figure changed because it was 初步数据; only
final rows become constants and frozen hiding patterns (ReleaseHistory.frozen).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from generator.errors import BuildError, ConfigError
from generator.fileio import write_atomic
from generator.problems import ProblemList, render_text
from generator.stats.marks import (
    CSV_HIDDEN,
    CSV_NOT_APPLICABLE,
    CSV_UNRECORDED,
    HIDDEN,
    NOT_APPLICABLE,
    UNRECORDED,
    Mark,
    csv_cell,
)

FORMAT = "ecoportal-release-record/1"
SUFFIX = ".jsonl"
PERIOD_NAMES = ("period", "month", "quarter", "year")
"""Key columns taken as a table's period, in this order, unless the caller names one."""
MARK_TOKENS = (CSV_HIDDEN, CSV_NOT_APPLICABLE, CSV_UNRECORDED)
MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_QUARTER = re.compile(r"(\d{4})-?Q([1-4])")
_RESTORE = "发布记录由程序写入，不能手工修改：请用 git restore 恢复该文件（或从备份恢复）"

Key = tuple[str, ...]
Cell = tuple[str, bool]
"""A recorded cell: its CSV token and whether its period was final in that release."""


@dataclass(frozen=True)
class TableRecord:
    """The recorded rows of one published table."""

    period: str
    """The key column holding the period (kpis: period; counts_by_month: month)."""
    keys: tuple[str, ...]
    """Key columns, in the table's order (the period column among them)."""
    measures: tuple[str, ...]
    """Measure columns, in the table's order."""
    rows: Mapping[Key, tuple[str, ...]]
    """Key values → one CSV token per measure."""


@dataclass(frozen=True)
class ReleaseRecord:
    """What one release published (its calendar-period rows)."""

    release_id: str
    """The release's last data month, YYYY-MM; also the file name."""
    provisional_months: tuple[str, ...]
    """Months published as 初步数据 in this release."""
    tables: Mapping[str, TableRecord]
    """Table name (as in site/data/<name>.csv) → its recorded rows."""

    def is_final(self, period: str) -> bool:
        """True when no month of `period` was provisional in this release."""
        months = period_months(period) or ()
        return not set(months) & set(self.provisional_months)


def period_months(period: str) -> tuple[str, ...] | None:
    """The months of a calendar period ('2026-10', '2026Q3' or '2026-Q3', '2026', or a week
    part '2026-10-05', stats.periods), or None for any other period ('all'), which is never
    recorded."""
    if MONTH.fullmatch(period):
        return (period,)
    if interval := INTERVAL.fullmatch(period):
        first, last = interval.groups()
        number, month, out = int(first[:4]), int(first[5:]), []
        while f"{number:04d}-{month:02d}" <= last:
            out.append(f"{number:04d}-{month:02d}")
            number, month = (number + 1, 1) if month == 12 else (number, month + 1)
        return tuple(out)
    if quarter := _QUARTER.fullmatch(period):
        year, first = quarter.group(1), 3 * int(quarter.group(2)) - 2
        return tuple(f"{year}-{m:02d}" for m in range(first, first + 3))
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", period):  # a week part lies inside its month
        return period_months(period[:7])
    if re.fullmatch(r"\d{4}", period):
        return tuple(f"{period}-{m:02d}" for m in range(1, 13))
    return None


INTERVAL = re.compile(r"(\d{4}-\d{2})/(\d{4}-\d{2})")
"""A period given by its first and last month (stats.periods: the ranking window)."""


def as_interval(period: str, first_month: str | None, release_id: str) -> str:
    """The period as recorded: 'all', and a year or quarter the data only partly cover, as
    the interval of months they held in this release ('2024-11/2026-10'), so a later
    release, whose 'all' covers more, reads them as the constants they are."""
    if first_month is None:
        return period
    if period == "all":
        return f"{first_month}/{release_id}"
    months = period_months(period)
    if months and len(months) > 1 and (months[0] < first_month or months[-1] > release_id):
        return f"{max(months[0], first_month)}/{min(months[-1], release_id)}"
    return period


def key_columns_of(frame: pd.DataFrame) -> list[str]:
    """A table's key columns: those holding only text, or nothing, in every row (measures
    hold numbers and marks)."""
    return [c for c in frame.columns
            if any(isinstance(v, str) for v in frame[c].tolist())
            and all(isinstance(v, str) or _absent(v) for v in frame[c].tolist())]


def _absent(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def key_text(value: object) -> str:
    """A key cell as recorded: its text, '' when absent (e.g. no district for 全市)."""
    return "" if _absent(value) else str(value)


def period_column(name: str, keys: Sequence[str], given: Mapping[str, str] | None
                   ) -> str | None:
    """The period column of table `name`: as `given`, else the first of PERIOD_NAMES."""
    if given and name in given:
        return given[name]
    return next((c for c in PERIOD_NAMES if c in keys), None)


def record_release(tables: Mapping[str, pd.DataFrame], provisional_months: Sequence[str],
                   release_id: str, *, first_month: str | None = None,
                   key_columns: Mapping[str, Sequence[str]] | None = None,
                   period_columns: Mapping[str, str] | None = None) -> ReleaseRecord:
    """The record of a release: every row of a calendar period lying within `first_month`
    .. `release_id` (a quarter the data only partly cover is relative to the window, so not
    recorded). Tables without a period column are not recorded. Key columns default to
    key_columns_of(), the period column to the first of PERIOD_NAMES among them."""
    recorded: dict[str, TableRecord] = {}
    for name, frame in sorted(tables.items()):
        keys = list(key_columns[name]) if key_columns and name in key_columns \
            else key_columns_of(frame)
        period = period_column(name, keys, period_columns)
        if period is None:
            continue
        measures = [c for c in frame.columns if c not in keys]
        rows: dict[Key, tuple[str, ...]] = {}
        at = keys.index(period)
        for record in frame[keys + measures].itertuples(index=False, name=None):
            key = tuple(key_text(v) for v in record[:len(keys)])
            label = as_interval(key[at], first_month, release_id)
            key = (*key[:at], label, *key[at + 1:])
            months = period_months(label)
            if months and months[-1] <= release_id and (first_month is None
                                                        or months[0] >= first_month):
                values = tuple(csv_cell(v) for v in record[len(keys):])
                if key in rows and rows[key] == values:
                    continue  # 'all' and a partial year can be the same interval of months
                if key in rows:
                    raise BuildError(
                        f"表 {name} 的键列 {'、'.join(keys)} 不能唯一确定一行"
                        f"（{' · '.join(key)} 重复），无法写入发布记录。"
                        "修正方法：这是程序的问题，请把此消息发给维护人员。")
                rows[key] = values
        recorded[name] = TableRecord(period, tuple(keys), tuple(measures), rows)
    return ReleaseRecord(release_id, tuple(sorted(provisional_months)), recorded)


# --- the file ------------------------------------------------------------------------------

def _header(record: ReleaseRecord) -> dict[str, Any]:
    return {"format": FORMAT, "release": record.release_id,
            "provisional_months": list(record.provisional_months),
            "tables": {name: {"period": t.period, "keys": list(t.keys),
                              "measures": list(t.measures)}
                       for name, t in sorted(record.tables.items())}}


def _line(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _checksum(header: Mapping[str, Any], body: str) -> str:
    return hashlib.sha256((_line(header) + "\n" + body).encode("utf-8")).hexdigest()


def serialize(record: ReleaseRecord) -> bytes:
    """The record's file content: header line with checksum, then the sorted rows."""
    body = "".join(_line([name, *key, *values]) + "\n"
                   for name, table in sorted(record.tables.items())
                   for key, values in sorted(table.rows.items()))
    header = _header(record)
    return (_line(header | {"checksum": _checksum(header, body)}) + "\n" + body).encode()


@dataclass(frozen=True)
class RecordWrite:
    """What write_record did."""

    path: Path
    """The record file."""
    outcome: Literal["created", "unchanged", "replaced"]
    """created: new file; unchanged: same content already there (nothing written);
    replaced: the program's own record of this release rebuilt with changed data."""


def write_record(folder: Path, record: ReleaseRecord) -> RecordWrite:
    """Write `record` as folder/<release_id>.jsonl, creating a new file only.

    The same release rebuilt from the same data is a no-op (file untouched). A record of the
    same release written by the program (its checksum holds) is replaced when the data
    changed, but only while no later release exists; earlier releases are never touched. A
    hand-edited or foreign file, or a release older than the latest record, is refused.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{record.release_id}{SUFFIX}"
    data = serialize(record)
    if path.is_file() and path.read_bytes() == data:
        return RecordWrite(path, "unchanged")
    later = sorted(p.name for p in record_files(folder) if p.stem > record.release_id)
    if later:
        raise ConfigError(
            f"发布记录文件夹 {folder} 中已有更晚的发布记录 {later[-1]}，本次发布"
            f"（数据截至 {record.release_id}）不能写入或改写更早的发布记录。"
            "修正方法：请用最新的数据包构建；已发布的历史记录不能改写。")
    if not path.exists():
        write_atomic(path, data)
        return RecordWrite(path, "created")
    if not _written_by_program(path.read_bytes(), record.release_id):
        raise ConfigError(
            f"发布记录 {path} 已存在，内容与本次不同，且不是本程序为发布 {record.release_id} "
            f"写入的原样文件（校验和不符，可能被手工修改），拒绝覆盖。修正方法：{_RESTORE}"
            "；确认要重新发布时，先把该文件移出 data/releases/ 再构建。")
    write_atomic(path, data)
    return RecordWrite(path, "replaced")


def _written_by_program(data: bytes, release_id: str) -> bool:
    try:
        head, _, body = data.decode("utf-8").partition("\n")
        header = json.loads(head)
        checksum = header.pop("checksum")
        return bool(header.get("release") == release_id
                    and checksum == _checksum(header, body))
    except (UnicodeDecodeError, ValueError, AttributeError, KeyError):
        return False


def record_files(folder: Path) -> list[Path]:
    """Record files (temporary files of write_atomic start with '.' and are skipped)."""
    return sorted(p for p in folder.glob(f"*{SUFFIX}") if not p.name.startswith("."))


def read_record(path: Path) -> ReleaseRecord:
    """One record file, checked in full: any problem → ConfigError naming file, row, value."""
    problems = ProblemList(path)
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except UnicodeDecodeError as exc:
        problems.add(f"不是 UTF-8 编码（第 {exc.start + 1:,} 个字节无法解码）", _RESTORE)
        raise _error(path, problems) from exc
    if lines and lines[-1] == "":
        lines.pop()
    record = _parse(path, lines, problems)
    if problems or record is None:
        raise _error(path, problems)
    return record


def _error(path: Path, problems: ProblemList) -> ConfigError:
    return ConfigError(render_text(problems, f"发布记录 {path} 有 {len(problems)} 处错误："),
                       problems.items)


def _parse(path: Path, lines: list[str], problems: ProblemList) -> ReleaseRecord | None:
    try:
        header = json.loads(lines[0]) if lines else None
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        problems.add(f"不是发布记录的表头（应为 format 为 {FORMAT} 的 JSON 对象）", _RESTORE,
                     row=1, value=lines[0] if lines else "")
        return None
    checksum = header.pop("checksum", None)
    release = header.get("release")
    if release != path.stem or not MONTH.fullmatch(str(release)):
        problems.add(f"release 与文件名 {path.name} 不符（应为 YYYY-MM，与文件名相同）",
                     _RESTORE, row=1, key="release", value=release)
        return None
    provisional = header.get("provisional_months")
    if not isinstance(provisional, list) or not all(
            isinstance(m, str) and MONTH.fullmatch(m) for m in provisional):
        problems.add("应为 YYYY-MM 月份的列表", _RESTORE, row=1, key="provisional_months",
                     value=provisional)
        return None
    specs: dict[str, tuple[str, list[str], list[str]]] = {}
    for name, spec in (header.get("tables") or {}).items():
        try:
            specs[name] = (str(spec["period"]), [str(k) for k in spec["keys"]],
                           [str(m) for m in spec["measures"]])
        except (TypeError, KeyError):
            problems.add("表的说明应有 period、keys 和 measures", _RESTORE, row=1,
                         key=f"tables.{name}", value=spec)
    rows: dict[str, dict[Key, tuple[str, ...]]] = {name: {} for name in specs}
    for number, line in enumerate(lines[1:], start=2):
        _parse_row(line, number, specs, rows, problems)
        if len(problems) >= 20:  # enough to act on; the file is clearly damaged
            break
    if not problems and checksum != _checksum(header, "".join(f"{x}\n" for x in lines[1:])):
        problems.add("校验和与内容不符：文件在程序写入后被改动过", _RESTORE, row=1,
                     key="checksum")
    return ReleaseRecord(str(release), tuple(provisional), {
        name: TableRecord(p, tuple(k), tuple(m), rows[name])
        for name, (p, k, m) in specs.items()})


def _parse_row(line: str, number: int, specs: Mapping[str, tuple[str, list[str], list[str]]],
               rows: dict[str, dict[Key, tuple[str, ...]]], problems: ProblemList) -> None:
    try:
        cells = json.loads(line)
    except ValueError:
        cells = None
    if not isinstance(cells, list) or not cells or not all(isinstance(c, str) for c in cells):
        problems.add("不是由字符串组成的 JSON 数组", _RESTORE, row=number, value=line)
        return
    spec = specs.get(cells[0])
    if spec is None:
        problems.add("表头中没有这个表", _RESTORE, row=number, value=cells[0])
        return
    _, keys, measures = spec
    if len(cells) != 1 + len(keys) + len(measures):
        problems.add(f"应有 {1 + len(keys) + len(measures)} 个值（表名、{len(keys)} 个键、"
                     f"{len(measures)} 个数值），实有 {len(cells)} 个", _RESTORE,
                     row=number, value=line)
        return
    key, values = tuple(cells[1:1 + len(keys)]), tuple(cells[1 + len(keys):])
    for column, token in zip(measures, values, strict=True):
        if token not in MARK_TOKENS and not _is_number(token):
            problems.add(f"不是数字，也不是标记 {'、'.join(MARK_TOKENS)} 之一", _RESTORE,
                         row=number, field=column, value=token)
    if key in rows[cells[0]]:
        problems.add("同一表中这一行重复", _RESTORE, row=number, value=" · ".join(key))
    rows[cells[0]][key] = values


def _is_number(token: str) -> bool:
    try:
        return bool(np.isfinite(float(token)))
    except ValueError:
        return False


MARKS: dict[str, Mark] = {CSV_HIDDEN: HIDDEN, CSV_NOT_APPLICABLE: NOT_APPLICABLE,
                          CSV_UNRECORDED: UNRECORDED}


def figure(token: str) -> float | Mark:
    """A recorded token as a published cell: a float or a mark."""
    return MARKS[token] if token in MARKS else float(token)

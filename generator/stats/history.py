"""Earlier releases as a build input: constants, frozen hiding patterns, revisions.

Each release's record (generator/stats/release_record.py, one file per release in
data/releases/) holds what it published. Before computing a release, the build reads every
earlier record (read_history): final figures of earlier releases are constants, cells they
hid stay hidden (ReleaseHistory.frozen), and what differs is listed with why (revisions) for
the 本次更新 page.

Provisional months (初步数据): a month is provisional while any request received in it is
still open (status not 已办结), and the latest month is provisional when the export cuts it
short. A month an earlier release published as final stays final, whatever the new data say:
its figures are constants from then on (provisional_months(already_final=...)).
"""

from __future__ import annotations

import calendar
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd

from generator.errors import ConfigError
from generator.stats.marks import CSV_HIDDEN, csv_cell
from generator.stats.release_record import (
    MARKS,
    MONTH,
    SUFFIX,
    Cell,
    Key,
    RecordWrite,
    ReleaseRecord,
    TableRecord,
    figure,
    key_columns_of,
    key_text,
    period_column,
    period_months,
    read_record,
    record_files,
    record_release,
    write_record,
)

__all__ = [
    "FrozenCells",
    "RecordWrite",
    "ReleaseHistory",
    "ReleaseRecord",
    "RevisedCell",
    "Revisions",
    "TableRecord",
    "figure",
    "key_columns_of",
    "period_months",
    "provisional_months",
    "read_history",
    "read_record",
    "record_release",
    "revisions",
    "write_record",
]


# --- what earlier releases published ------------------------------------------------------

@dataclass(frozen=True)
class FrozenCells:
    """For each row of a current table: what earlier releases published as final."""

    constant_values: pd.Series
    """The latest earlier published number (float), NaN where no earlier release published
    one; aligned with the table's rows."""
    was_hidden: np.ndarray
    """True where earlier releases hid the cell and none published a number."""
    was_visible: np.ndarray
    """True where an earlier release published a number. A cell recorded only as N/A or
    未记录, or never recorded, is neither hidden nor visible."""


@dataclass(frozen=True)
class ReleaseHistory:
    """Every release record earlier than the current release, oldest first."""

    records: tuple[ReleaseRecord, ...]
    """The earlier records, by release id."""

    @property
    def previous(self) -> ReleaseRecord | None:
        """The latest earlier release, if any."""
        return self.records[-1] if self.records else None

    def final_months(self) -> set[str]:
        """Months some earlier release published as final (they stay final)."""
        return {m for r in self.records for t in r.tables.values() for key in t.rows
                for m in period_months(key[t.keys.index(t.period)]) or ()
                if m not in r.provisional_months}

    def table_cells(self, table: str, key_columns: Sequence[str], column: str,
                    final_only: bool = True
                    ) -> Iterator[tuple[ReleaseRecord, tuple[str, ...], dict[Key, Cell]]]:
        """Per earlier record holding `column` of `table`, oldest first: the key columns it
        shares with `key_columns` and, keyed by their values, (token, final) per row.

        A key column added since (e.g. scope_code) is matched on the columns both share; a
        record whose rows are not unique on those is refused."""
        for record in self.records:
            rec = record.tables.get(table)
            if rec is None or column not in rec.measures:
                continue
            common = tuple(c for c in key_columns if c in rec.keys)
            if rec.period not in common:
                raise ConfigError(
                    f"发布记录 {record.release_id}{SUFFIX} 中表 {table} 的期间列 {rec.period} "
                    f"不在本次的键列 {'、'.join(key_columns)} 中。修正方法：保留表的期间列和"
                    "原有键列。")
            at, pick = rec.measures.index(column), [rec.keys.index(c) for c in common]
            out: dict[Key, Cell] = {}
            for key, values in rec.rows.items():
                final = record.is_final(key[rec.keys.index(rec.period)])
                if final_only and not final:
                    continue
                short = tuple(key[i] for i in pick)
                if short in out:
                    raise ConfigError(
                        f"发布记录 {record.release_id}{SUFFIX} 中表 {table} 的键列为 "
                        f"{'、'.join(rec.keys)}，与本次的键列 {'、'.join(key_columns)} "
                        "对不上（按共同的键列有重复行）。修正方法：表的键列只能增加由原有键列"
                        "确定的列（如 scope_code），不能删除原有键列。")
                out[short] = (values[at], final)
            yield record, common, out

    def frozen(self, table_name: str, frame: pd.DataFrame, key_columns: Sequence[str],
               value_column: str) -> FrozenCells:
        """Earlier final values of `value_column` per row of `frame` (constants) and whether
        earlier releases hid or showed them (frozen hiding pattern)."""
        tokens: list[list[str]] = [[] for _ in range(len(frame))]
        for _, common, cells in self.table_cells(table_name, key_columns, value_column):
            keys = _keys(frame, common)
            for found, key in zip(tokens, keys, strict=True):
                if key in cells:
                    found.append(cells[key][0])
        constants = np.full(len(frame), np.nan)
        hidden, visible = np.zeros(len(frame), bool), np.zeros(len(frame), bool)
        for i, found in enumerate(tokens):
            numbers = [t for t in found if t not in MARKS]
            if numbers:
                constants[i], visible[i] = float(numbers[-1]), True
            elif CSV_HIDDEN in found:
                hidden[i] = True
        return FrozenCells(pd.Series(constants, index=frame.index), hidden, visible)


def _keys(frame: pd.DataFrame, columns: Sequence[str]) -> list[Key]:
    return [tuple(key_text(v) for v in k)
            for k in frame[list(columns)].itertuples(index=False, name=None)]


def read_history(folder: Path, before: str) -> ReleaseHistory:
    """Every record in `folder` whose release id is earlier than `before` (YYYY-MM), oldest
    first; none when the folder does not exist. Files not named YYYY-MM.jsonl are refused."""
    if not folder.is_dir():
        return ReleaseHistory(())
    records = []
    for path in record_files(folder):
        if not MONTH.fullmatch(path.stem):
            raise ConfigError(
                f"发布记录文件夹 {folder} 中的文件 {path.name} 不是发布记录的名称。"
                f"修正方法：发布记录名为 YYYY-MM{SUFFIX}（数据的最后一个月），"
                "其他文件请移出该文件夹。")
        if path.stem < before:
            records.append(read_record(path))
    return ReleaseHistory(tuple(records))


# --- what changed since ---------------------------------------------------------------------

@dataclass(frozen=True)
class RevisedCell:
    """One published cell whose value differs from the last earlier release holding it."""

    table: str
    """The table (site/data/<table>.csv)."""
    key_columns: tuple[str, ...]
    """The table's key columns."""
    key: tuple[str, ...]
    """The row's key values."""
    column: str
    """The measure column."""
    old: str
    """The CSV token published before."""
    new: str
    """The CSV token published now."""
    release: str
    """The release (YYYY-MM) that last published `old`."""
    reason: str
    """provisional (that release marked it 初步数据) or correction (a final figure changed)."""


@dataclass(frozen=True)
class Revisions:
    """How this release differs from the earlier ones."""

    items: tuple[RevisedCell, ...]
    """Every revised cell, by table, column and key."""
    new_months: tuple[str, ...]
    """Months this release adds after the previous release's last month."""
    newly_final: tuple[str, ...]
    """Months final in this release that the previous release had not published as final."""

    @property
    def cells(self) -> pd.DataFrame:
        """The revised cells as a frame with the columns of RevisedCell."""
        return pd.DataFrame([asdict(r) for r in self.items],
                            columns=[f.name for f in fields(RevisedCell)])


def revisions(history: ReleaseHistory, tables: Mapping[str, pd.DataFrame], *,
              months: Sequence[str], provisional_months: Collection[str],
              key_columns: Mapping[str, Sequence[str]] | None = None,
              period_columns: Mapping[str, str] | None = None) -> Revisions:
    """Cells of `tables` whose token differs from the last earlier release that published
    them, and the months new and newly final since the previous release. `months` are the
    current data's calendar months."""
    found: list[RevisedCell] = []
    for name, frame in sorted(tables.items()):
        keys = list(key_columns[name]) if key_columns and name in key_columns \
            else key_columns_of(frame)
        if period_column(name, keys, period_columns) is None:
            continue
        for column in (c for c in frame.columns if c not in keys):
            last: dict[Key, tuple[str, str, bool]] = {}
            current = [csv_cell(v) for v in frame[column].tolist()]
            full = _keys(frame, keys)
            for record, common, cells in history.table_cells(name, keys, column, False):
                pick = [keys.index(c) for c in common]
                for key in full:
                    hit = cells.get(tuple(key[i] for i in pick))
                    if hit is not None:
                        last[key] = (record.release_id, *hit)
            for key, token in zip(full, current, strict=True):
                if key in last and last[key][1] != token:
                    release, old, final = last[key]
                    found.append(RevisedCell(name, tuple(keys), key, column, old, token,
                                             release, "correction" if final else "provisional"))
    previous = history.previous
    final_now = [m for m in months if m not in provisional_months]
    if previous is None:
        new, newly = tuple(months), tuple(final_now)
    else:
        new = tuple(m for m in months if m > previous.release_id)
        newly = tuple(m for m in final_now if m > previous.release_id
                      or m in previous.provisional_months)
    return Revisions(tuple(found), new, newly)


def provisional_months(frame: pd.DataFrame, months: Sequence[str], *,
                       already_final: Collection[str] = ()) -> list[str]:
    """Months of `months` published as 初步数据: any request received in them still open
    (status not 已办结), or the latest month when the export cuts it short (last receipt
    before its last day). Months in `already_final` (ReleaseHistory.final_months()) stay
    final. `frame` needs received_at (datetime) and status."""
    received = frame["received_at"]
    label = received.dt.strftime("%Y-%m")
    open_months = set(label[(frame["status"] != "已办结").to_numpy()].dropna().unique())
    if len(received.dropna()):
        last = received.max()
        if last.day != calendar.monthrange(last.year, last.month)[1]:
            open_months.add(f"{last.year:04d}-{last.month:02d}")
    return [m for m in months if m in open_months and m not in set(already_final)]

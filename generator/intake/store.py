"""The SQLite store of consultation requests: the source of truth, losing nothing.

WAL with synchronous=FULL, one transaction per submission with its reference number
allocated inside it, so a request is answered 201 only once it is on disk; submissions are
committed by one writer process (generator/intake/writer.py). The folder is
owner-only (0700) and the database is created 0600 (SQLite gives its -wal and -shm files the
database's permissions). Each thread uses its own connection (waitress serves from a pool).
Erasures keep a line in `erasures` (reference, time, reason), never the data; secure_delete
overwrites the freed pages.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any
from zoneinfo import ZoneInfo

from generator.errors import DataError
from generator.forms.schema import STATUSES
from generator.intake.commit_process import connect
from generator.intake.writer import Writer

DB_NAME = "consultations.sqlite3"
CSV_NAME = "consultations.csv"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS consultations (
  reference TEXT PRIMARY KEY,
  day TEXT NOT NULL,
  received_at TEXT NOT NULL,
  form_version INTEGER NOT NULL,
  privacy_version TEXT NOT NULL,
  data TEXT NOT NULL,
  warnings TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT '待联系',
  contacted_at TEXT,
  closed_at TEXT
);
CREATE TABLE IF NOT EXISTS day_counters (day TEXT PRIMARY KEY, last INTEGER NOT NULL);
CREATE TRIGGER IF NOT EXISTS count_day AFTER INSERT ON consultations BEGIN
  INSERT INTO day_counters (day, last)
  VALUES (NEW.day, CAST(substr(NEW.reference, 13) AS INTEGER))
  ON CONFLICT(day) DO UPDATE SET last = excluded.last;
END;
CREATE TABLE IF NOT EXISTS erasures (
  reference TEXT NOT NULL, erased_at TEXT NOT NULL, reason TEXT NOT NULL
);
"""
_COLUMNS = ("reference, received_at, form_version, privacy_version, data, warnings, status, "
            "contacted_at, closed_at")


@dataclass(frozen=True)
class Record:
    reference: str
    received_at: dt.datetime
    form_version: int
    privacy_version: str
    values: dict[str, Any]
    """The validated values by field name (str, int, list[str], bool or None)."""
    warnings: str
    status: str
    contacted_at: dt.datetime | None
    closed_at: dt.datetime | None

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> Record:
        def when(text: str | None) -> dt.datetime | None:
            return None if text is None else dt.datetime.fromisoformat(text)

        received = dt.datetime.fromisoformat(row[1])
        return cls(row[0], received, row[2], row[3], json.loads(row[4]), row[5], row[6],
                   when(row[7]), when(row[8]))


class Store:
    """The store in `folder` (created 0700 when missing with `create=True`)."""

    def __init__(self, folder: Path, zone: ZoneInfo, *, create: bool = True) -> None:
        self.folder, self.zone = folder, zone
        self.path = folder / DB_NAME
        if not self.path.exists():
            if not create:
                raise DataError(f"找不到受理数据库 {self.path}。请用 --store 指定 "
                                "`ecoportal intake serve` 使用的文件夹。")
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        os.chmod(folder, 0o700)
        os.chmod(self.path, 0o600)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._write = threading.Lock()
        """Staff writes of this process queue here rather than in SQLite's busy handler, which
        sleeps in steps of up to 100 ms and made the p99 latency ten times the median."""
        self._writer = Writer(self.path)
        """Submissions are committed by one child process (see generator/intake/writer.py)."""
        self.connection().executescript(_SCHEMA)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (autocommit mode: transactions are explicit)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def _connect(self) -> sqlite3.Connection:
        return connect(self.path)

    def close(self) -> None:
        self._writer.close()
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE … COMMIT), rolled back on any error."""
        conn = self.connection()
        with self._write:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def add(self, values: dict[str, Any], *, form_version: int, privacy_version: str,
            warnings: str, now: dt.datetime) -> Record:
        """Store one request in one transaction; its reference is allocated inside it."""
        local = now.astimezone(self.zone).replace(microsecond=0)
        day, received = local.date().isoformat(), local.isoformat()
        data = json.dumps(values, ensure_ascii=False)  # before the queue, not on its path
        # One statement, so one implicit transaction: the number is read from day_counters
        # and bumped by the trigger inside it, and the commit (with its fsync) happens in the
        # same sqlite3_step. No RETURNING: that would be a second step, and a second wait for
        # the GIL, on the writer's path; the reference is read back here instead.
        rowid = self._writer.execute(
            "INSERT INTO consultations (reference, day, received_at, form_version, "
            "privacy_version, data, warnings) SELECT printf('YQ-%s-%04d', ?, coalesce("
            "(SELECT last FROM day_counters WHERE day = ?), 0) + 1), ?, ?, ?, ?, ?, ?",
            (f"{local:%Y%m%d}", day, day, received, form_version, privacy_version, data,
             warnings))
        row = self.connection().execute(
            "SELECT reference FROM consultations WHERE rowid = ? AND received_at = ? "
            "AND data = ?", (rowid, received, data)).fetchone()
        if row is None:  # erased in the instant since its commit (and its rowid reused)
            raise sqlite3.DatabaseError("the committed request is gone")
        return Record(row[0], local, form_version, privacy_version, values, warnings,
                      STATUSES[0], None, None)

    def get(self, reference: str) -> Record | None:
        row = self.connection().execute(
            f"SELECT {_COLUMNS} FROM consultations WHERE reference = ?", (reference,)).fetchone()
        return None if row is None else Record.from_row(row)

    def records(self, since: dt.date | None = None) -> Iterator[Record]:
        """Every request in arrival order (those from `since` on), from one snapshot."""
        conn = self.connection()
        conn.execute("BEGIN")  # one read snapshot: a concurrent insert is wholly in or out
        try:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM consultations WHERE day >= ? ORDER BY rowid",
                ((since or dt.date.min).isoformat(),)).fetchall()
        finally:
            conn.execute("COMMIT")
        return (Record.from_row(r) for r in rows)

    def changed_records(self, known: dict[str, tuple[Any, ...]]
                        ) -> tuple[list[tuple[Any, ...]], list[Record]]:
        """From one snapshot: (reference, status, contacted_at, closed_at) of every request in
        arrival order, and the records whose tuple differs from `known`'s."""
        conn = self.connection()
        conn.execute("BEGIN")
        try:
            keys = [tuple(k) for k in conn.execute(
                "SELECT reference, status, contacted_at, closed_at FROM consultations "
                "ORDER BY rowid")]
            need = [k[0] for k in keys if known.get(k[0]) != k]
            rows: list[Any] = []
            for i in range(0, len(need), 500):
                chunk = need[i:i + 500]
                rows += conn.execute(f"SELECT {_COLUMNS} FROM consultations WHERE reference "
                                     f"IN ({','.join('?' * len(chunk))})", chunk).fetchall()
        finally:
            conn.execute("COMMIT")
        return keys, [Record.from_row(r) for r in rows]

    def count(self) -> int:
        return int(self.connection().execute("SELECT count(*) FROM consultations").fetchone()[0])

    def set_status(self, reference: str, status: str, now: dt.datetime) -> Record | None:
        """Mark a request 已联系 or 已办结 (closing also records the contact if missing)."""
        at = now.astimezone(self.zone).replace(microsecond=0).isoformat()
        with self._transaction() as conn:
            if status == STATUSES[1]:
                conn.execute("UPDATE consultations SET status = ?, contacted_at = "
                             "coalesce(contacted_at, ?) WHERE reference = ?",
                             (status, at, reference))
            else:
                conn.execute("UPDATE consultations SET status = ?, closed_at = ?, contacted_at "
                             "= coalesce(contacted_at, ?) WHERE reference = ?",
                             (status, at, at, reference))
        return self.get(reference)

    def delete(self, references: list[str], reason: str, now: dt.datetime) -> int:
        """Erase requests; log each reference (no data) in `erasures`. Returns how many."""
        at = now.astimezone(self.zone).replace(microsecond=0).isoformat()
        deleted = 0
        with self._transaction() as conn:
            for ref in references:
                gone = conn.execute("DELETE FROM consultations WHERE reference = ?",
                                    (ref,)).rowcount
                if gone:
                    conn.execute("INSERT INTO erasures VALUES (?, ?, ?)", (ref, at, reason))
                deleted += gone
        # Old page images stay in the WAL until a checkpoint: copy back and truncate it.
        self.connection().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return deleted

    def references_before(self, day: dt.date) -> list[str]:
        rows = self.connection().execute(
            "SELECT reference FROM consultations WHERE day < ? ORDER BY rowid",
            (day.isoformat(),)).fetchall()
        return [r[0] for r in rows]

"""The one thread of a process that commits submissions, so commits follow each other closely.

Each submission is still its own statement and its own transaction (SQLite commits and fsyncs
inside the one `sqlite3_step` call, with the GIL released). What this thread saves is the
hand-over: with a lock shared by the request threads, every commit cost two waits for the GIL
on the writers' critical path (the committer's after its fsync, then the next writer's after it
took the lock), and a busy interpreter makes each such wait up to a switch interval long. Here
the next job is already queued when a commit returns, so one wait remains, and the requester
is woken by a bare lock release. The WAL checkpoint is moved off that path too: the writer's
connection does not checkpoint on commit; a second thread copies the WAL back when it grows.
"""

from __future__ import annotations

import logging
import os
import queue
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

LOG = logging.getLogger("ecoportal.intake")
CHECKPOINT_POLL_S = 0.2
CHECKPOINT_WAL_BYTES = 4 * 1024 * 1024
"""About SQLite's own autocheckpoint threshold (1,000 pages of 4 KiB)."""


class _Job:
    __slots__ = ("done", "error", "params", "rowid", "sql")

    def __init__(self, sql: str, params: tuple[Any, ...]) -> None:
        self.sql, self.params = sql, params
        self.done = threading.Lock()
        self.done.acquire()  # released by the writer: the cheapest wake-up CPython has
        self.rowid: int | None = None
        self.error: BaseException | None = None


class Writer:
    """Runs single-statement write transactions on its own connection, in arrival order."""

    def __init__(self, connect: Callable[[], sqlite3.Connection], wal: Path) -> None:
        self._connect, self._wal = connect, wal
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._start = threading.Lock()
        self._stop = threading.Event()

    def execute(self, sql: str, params: tuple[Any, ...]) -> int:
        """Run `sql` (one statement, committed when it returns); the new row's rowid."""
        self._ensure_running()
        job = _Job(sql, params)
        self._queue.put(job)
        job.done.acquire()
        if job.error is not None:
            raise job.error
        assert job.rowid is not None
        return job.rowid

    def close(self) -> None:
        """Finish the queued jobs and stop both threads (a later execute starts them again)."""
        with self._start:
            if not self._threads:
                return
            self._stop.set()
            self._queue.put(None)
            for thread in self._threads:
                thread.join(timeout=60)
            while True:  # a job queued behind the stop fails instead of waiting forever
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is not None:
                    job.error = sqlite3.OperationalError("store closed")
                    job.done.release()
            self._threads = []
            self._stop = threading.Event()

    def _ensure_running(self) -> None:
        if self._threads:
            return
        with self._start:
            if self._threads:
                return
            ready = threading.Event()
            self._threads = [
                threading.Thread(target=self._run, args=(ready,), name="intake-writer",
                                 daemon=True),
                threading.Thread(target=self._checkpoints, args=(self._stop,),
                                 name="intake-checkpoint", daemon=True)]
            for thread in self._threads:
                thread.start()
            ready.wait()

    def _run(self, ready: threading.Event) -> None:
        conn = self._connect()
        conn.execute("PRAGMA wal_autocheckpoint=0")  # see _checkpoints
        ready.set()
        try:
            while (job := self._queue.get()) is not None:
                try:
                    job.rowid = conn.execute(job.sql, job.params).lastrowid
                except BaseException as exc:  # handed to the requester, which answers 503
                    job.error = exc
                job.done.release()
        finally:
            conn.close()

    def _checkpoints(self, stop: threading.Event) -> None:
        """Copy the WAL back into the database when it has grown (PASSIVE: never waits for
        the writer, which keeps committing meanwhile)."""
        conn = self._connect()
        try:
            while not stop.wait(CHECKPOINT_POLL_S):
                try:
                    if os.path.getsize(self._wal) >= CHECKPOINT_WAL_BYTES:
                        conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except FileNotFoundError:
                    continue
                except sqlite3.Error as exc:  # try again later; the WAL keeps every commit
                    LOG.error("检查点失败（%s）", type(exc).__name__)
        finally:
            conn.close()

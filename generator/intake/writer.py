"""Submissions are committed by one child process (generator/intake/commit_process.py).

Each submission is still its own statement and its own transaction, committed in arrival
order. Why a process: with a writer thread, every commit needed this interpreter's lock twice
(to take the next statement, then to return from the fsync), and under load the request threads
hold it, so the commits waited for the validation of other submissions. The child has its own
lock: it commits back to back at the speed of the disk while the requests it answers wait on
a plain lock, woken by a thread that reads its replies. The WAL checkpoint runs in the child,
off the commit path.

A request is answered only after the child said its statement is committed. If the child
dies, the statements it had not answered fail (the service answers 503: "not submitted") and
the next statement starts a new child.
"""

from __future__ import annotations

import itertools
import os
import pickle
import sqlite3
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

CHECKPOINT_POLL_S = 0.2
CHECKPOINT_WAL_BYTES = 4 * 1024 * 1024
"""About SQLite's own autocheckpoint threshold (1,000 pages of 4 KiB)."""
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
"""Where `generator` is imported from, so the child imports the same code."""


class _Job:
    __slots__ = ("done", "error", "rowid")

    def __init__(self) -> None:
        self.done = threading.Lock()
        self.done.acquire()  # released by the reply reader: the cheapest wake-up CPython has
        self.rowid: int | None = None
        self.error: BaseException | None = None


@dataclass
class _Child:
    """One commit process, the pipe to it and the statements it has not answered yet."""

    proc: subprocess.Popen[bytes]
    jobs_out: Connection
    replies_in: Connection
    waiting: dict[int, _Job] = field(default_factory=dict)
    ended: bool = False
    """Set (under `lock`) when the replies stop: nothing may wait on this child any more."""
    lock: threading.Lock = field(default_factory=threading.Lock)
    reader: threading.Thread | None = None

    def send(self, job_id: int, job: _Job, message: bytes) -> None:
        with self.lock:
            if self.ended:
                raise sqlite3.OperationalError("the commit process ended")
            self.waiting[job_id] = job
        try:
            self.jobs_out.send_bytes(message)
        except OSError as exc:  # the child is gone; its reader fails the job unless we do
            with self.lock:
                if self.waiting.pop(job_id, None) is None:
                    return
            raise sqlite3.OperationalError("the commit process ended") from exc

    def read_replies(self) -> None:
        try:
            while True:
                job_id, rowid, error = pickle.loads(self.replies_in.recv_bytes())
                with self.lock:
                    job = self.waiting.pop(job_id)
                job.rowid, job.error = rowid, error
                job.done.release()
        except (EOFError, OSError):
            pass
        finally:
            self.replies_in.close()
            with self.lock:
                self.ended = True
                unanswered, self.waiting = list(self.waiting.values()), {}
            for job in unanswered:  # never answered: not committed
                job.error = sqlite3.OperationalError("the commit process ended")
                job.done.release()


class Writer:
    """Runs single-statement write transactions on the database at `path`, in arrival order."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._ids = itertools.count()
        self._send = threading.Lock()
        self._child: _Child | None = None

    def execute(self, sql: str, params: tuple[Any, ...]) -> int:
        """Run `sql` (one statement, committed when it returns); the new row's rowid."""
        job, job_id = _Job(), next(self._ids)
        message = pickle.dumps((job_id, sql, params))
        with self._send:  # one message at a time into the pipe, in arrival order
            self._running().send(job_id, job, message)
        job.done.acquire()
        if job.error is not None:
            raise job.error
        assert job.rowid is not None
        return job.rowid

    def close(self) -> None:
        """Let the child finish what it was sent, then stop it (a later execute starts a new
        one)."""
        with self._send:
            child, self._child = self._child, None
        if child is None:
            return
        child.jobs_out.close()  # the child's EOF: it answers what is queued, then exits
        if child.reader is not None:
            child.reader.join(timeout=60)
        try:
            child.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            child.proc.kill()
            child.proc.wait()

    def _running(self) -> _Child:
        """The live child (started when there is none or it died); called under _send."""
        child = self._child
        if child is not None and not child.ended and child.proc.poll() is None:
            return child
        if child is not None:
            child.jobs_out.close()
        env = {**os.environ,
               "PYTHONPATH": os.pathsep.join(filter(None, (_PACKAGE_ROOT,
                                                           os.environ.get("PYTHONPATH"))))}
        proc = subprocess.Popen(
            [sys.executable, "-m", "generator.intake.commit_process", str(self._path),
             str(CHECKPOINT_WAL_BYTES), str(CHECKPOINT_POLL_S)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        assert proc.stdin is not None and proc.stdout is not None
        # Own duplicates (not inherited by later children), so the pipe closes when we say.
        jobs_out = Connection(os.dup(proc.stdin.fileno()), readable=False)
        replies_in = Connection(os.dup(proc.stdout.fileno()), writable=False)
        proc.stdin.close()
        proc.stdout.close()
        child = _Child(proc, jobs_out, replies_in)
        child.reader = threading.Thread(target=child.read_replies, name="intake-replies",
                                        daemon=True)
        child.reader.start()
        self._child = child
        return child

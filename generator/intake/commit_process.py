"""The process that commits submissions: `python -m generator.intake.commit_process DB`.

It runs the statements its parent sends (generator/intake/writer.py), one at a time and in
arrival order, each its own transaction on its own connection, and answers each with the new
row's id or the error. Being a process, it has its own interpreter lock: between one commit's
fsync and the next statement it never waits for the request threads of the service, which
hold the parent's lock most of the time under load.

A thread copies the WAL back into the database when it has grown (PASSIVE: it never waits
for the commits). The process ends when its parent closes the pipe or dies: a statement in
flight is either committed whole or not at all (SQLite), and its parent answers a submission
only after this process has said it is committed.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sqlite3
import sys
import threading
from multiprocessing.connection import Connection
from pathlib import Path

BUSY_TIMEOUT_MS = 30_000


def connect(path: Path) -> sqlite3.Connection:
    """A connection with the store's settings (WAL, synchronous=FULL, secure_delete)."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000,
                           check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA secure_delete=ON")
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return conn


def _checkpoints(path: Path, wal_bytes: int, poll_s: float, stop: threading.Event) -> None:
    conn = connect(path)
    wal = path.with_name(path.name + "-wal")
    try:
        while not stop.wait(poll_s):
            try:
                if os.path.getsize(wal) >= wal_bytes:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except FileNotFoundError:
                continue
            except sqlite3.Error as exc:  # try again later; the WAL keeps every commit
                print(f"检查点失败（{type(exc).__name__}）", file=sys.stderr, flush=True)
    finally:
        conn.close()


def _portable(exc: BaseException) -> BaseException:
    """`exc` as it can cross the pipe: sqlite3's errors keep their class and message."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return sqlite3.OperationalError(f"{type(exc).__name__}: {exc}")


def serve(jobs: Connection, replies: Connection, path: Path, wal_bytes: int,
          poll_s: float) -> None:
    """Answer each (job id, sql, params) from `jobs` with (job id, rowid, error) until EOF."""
    conn = connect(path)
    conn.execute("PRAGMA wal_autocheckpoint=0")  # the thread below checkpoints instead
    stop = threading.Event()
    checkpointer = threading.Thread(target=_checkpoints, args=(path, wal_bytes, poll_s, stop),
                                    daemon=True)
    checkpointer.start()
    try:
        while True:
            try:
                job_id, sql, params = pickle.loads(jobs.recv_bytes())
            except EOFError:
                return
            reply: tuple[int, int | None, BaseException | None]
            try:
                reply = (job_id, conn.execute(sql, params).lastrowid, None)
            except Exception as exc:  # handed to the requester, which answers 503
                reply = (job_id, None, _portable(exc))
            replies.send_bytes(pickle.dumps(reply))
    finally:
        stop.set()
        checkpointer.join(timeout=10)
        conn.close()


def main(argv: list[str]) -> None:
    path, wal_bytes, poll_s = Path(argv[0]), int(argv[1]), float(argv[2])
    jobs = Connection(os.dup(sys.stdin.fileno()), writable=False)
    replies = Connection(os.dup(sys.stdout.fileno()), readable=False)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print cannot corrupt a reply
    with contextlib.suppress(BrokenPipeError, KeyboardInterrupt):  # the parent is gone
        serve(jobs, replies, path, wal_bytes, poll_s)


if __name__ == "__main__":
    main(sys.argv[1:])

"""The store's commit process: concurrent submissions each get their own transaction and a
distinct number, a failed statement reaches its caller without stopping the writer, a dead
commit process fails what it had not answered and is replaced, the store reopens after close,
and the WAL is checkpointed off the commit path."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from generator.intake import writer
from generator.intake.store import DB_NAME, Store
from tests.test_intake_support import ZONE, shifted, wait_for

NOON = dt.datetime(2026, 12, 1, 12, 0, tzinfo=ZONE)


def add(store: Store, **values: object) -> str:
    data = shifted(NOON.date()) | values
    data.pop("website")
    return store.add(data, form_version=1, privacy_version="2026-12", warnings="",
                     now=NOON).reference


def test_concurrent_submissions_get_distinct_consecutive_numbers(tmp_path: Path) -> None:
    refs: list[str] = []
    with Store(tmp_path / "s", ZONE) as store:
        def client() -> None:
            for _ in range(25):
                refs.append(add(store))

        threads = [threading.Thread(target=client) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(refs) == [f"YQ-20261201-{n:04d}" for n in range(1, 201)]
        for ref in refs[:5]:  # each reference names its own stored request
            record = store.get(ref)
            assert record is not None and record.reference == ref
        assert store.count() == 200


def test_a_failed_statement_reaches_its_caller_and_the_writer_goes_on(tmp_path: Path) -> None:
    with Store(tmp_path / "s", ZONE) as store:
        store.connection().execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON consultations "
            "WHEN NEW.data LIKE '%refuse-me%' BEGIN SELECT RAISE(ABORT, 'refused'); END")
        with pytest.raises(sqlite3.IntegrityError, match="refused"):
            add(store, question="refuse-me")
        assert add(store) == "YQ-20261201-0001"  # the failed one allocated nothing
        assert store.count() == 1


def test_a_dead_commit_process_fails_what_it_had_not_answered_and_is_replaced(
        tmp_path: Path) -> None:
    with Store(tmp_path / "s", ZONE) as store:
        assert add(store) == "YQ-20261201-0001"
        child = store._writer._child
        assert child is not None
        os.kill(child.proc.pid, signal.SIGSTOP)  # the next statement waits in the pipe
        outcome: list[BaseException | str] = []

        def submit() -> None:
            try:
                outcome.append(add(store))
            except sqlite3.Error as exc:
                outcome.append(exc)

        waiting = threading.Thread(target=submit)
        waiting.start()
        time.sleep(0.3)
        os.kill(child.proc.pid, signal.SIGKILL)
        waiting.join(timeout=30)
        assert len(outcome) == 1 and isinstance(outcome[0], sqlite3.OperationalError)
        assert store.count() == 1  # not stored, and the caller was told so (503)
        assert add(store) == "YQ-20261201-0002"  # a new commit process took over


def test_the_store_writes_again_after_close(tmp_path: Path) -> None:
    store = Store(tmp_path / "s", ZONE)
    assert add(store) == "YQ-20261201-0001"
    store.close()
    assert add(store) == "YQ-20261201-0002"
    store.close()
    with Store(tmp_path / "s", ZONE, create=False) as again:
        assert again.count() == 2


def test_the_wal_is_checkpointed_in_the_background(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writer, "CHECKPOINT_WAL_BYTES", 1)
    monkeypatch.setattr(writer, "CHECKPOINT_POLL_S", 0.01)
    database = tmp_path / "s" / DB_NAME
    with Store(tmp_path / "s", ZONE) as store:
        before = database.stat().st_size  # the schema is still in the WAL
        for _ in range(20):
            add(store)
        # Only a checkpoint copies pages into the database file, and no connection of this
        # test runs one: the writer's checkpoint thread does.
        wait_for(lambda: database.stat().st_size > before)
        assert store.count() == 20

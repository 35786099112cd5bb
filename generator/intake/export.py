"""The staff CSV (consultations.csv): derived from the store, replaced atomically, Excel-ready.

UTF-8 with BOM so spreadsheet software reads the Chinese; written to a temporary file and
moved into place (generator.fileio), so a spreadsheet holding the old file open never blocks
intake and a reader never sees half a file. Text cells are guarded against formula injection
(a line starting with = + - @, after spaces, gets a leading '). The service regenerates the
file in a background thread, never on a request's path.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from generator.fileio import write_atomic
from generator.forms.definition import FormDefinition
from generator.forms.schema import CONSENT_TRUE, MULTI_SEPARATOR, stored_columns, table_schema
from generator.intake.store import CSV_NAME, Record, Store
from generator.problems import Problem, problem

LOG = logging.getLogger("ecoportal.intake")
FORMULA_STARTS = ("=", "+", "-", "@")
_LEAD = " \u00a0\t\r\n\u3000"
REFRESH_DELAY_S = 0.3
"""A burst of submissions is written once: the refresh waits this long after a request."""
POLL_S = 2.0
"""How often the refresh looks for changes made outside the service (intake mark, delete)."""
MIN_INTERVAL_S = 1.0
"""Under a stream of submissions the file is rewritten at most this often."""
_RISKY = re.compile("(?:^|\n)[" + _LEAD.replace("\n", "") + "]*[=+\\-@]|^[\t\r]|\x00")


def guard_cell(text: str) -> str:
    """`text` safe to open in a spreadsheet: NUL dropped; each line that would start a formula
    (= + - @ after leading spaces, or a cell starting with a tab or CR) gets a leading '."""
    if not _RISKY.search(text):
        return text  # the common case, without splitting into lines
    text = text.replace("\x00", "")
    lines = text.split("\n")
    out = []
    for i, line in enumerate(lines):
        stripped = line.lstrip(_LEAD)
        risky = stripped.startswith(FORMULA_STARTS) or (i == 0 and line[:1] in ("\t", "\r"))
        out.append("'" + line if risky else line)
    return "\n".join(out)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return CONSENT_TRUE if value else "否"
    if isinstance(value, list):
        return guard_cell(MULTI_SEPARATOR.join(str(v) for v in value))
    if isinstance(value, int):
        return str(value)
    return guard_cell(str(value))


class _Lines:
    """CSV lines (header, one per record) in the schema's columns over `definitions`."""

    def __init__(self, definitions: Sequence[FormDefinition]) -> None:
        self.fields = stored_columns(definitions)
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\r\n")
        self.header = self._line([c["name"] for c in table_schema(definitions)["fields"]])

    def _line(self, cells: list[str]) -> str:
        self.buffer.seek(0)
        self.buffer.truncate()
        self.writer.writerow(cells)
        return self.buffer.getvalue()

    def record(self, r: Record) -> str:
        when = [t.isoformat() if t else "" for t in (r.contacted_at, r.closed_at)]
        return self._line([r.reference, r.received_at.isoformat(), str(r.form_version),
                           r.status, *when, guard_cell(r.privacy_version),
                           guard_cell(r.warnings),
                           *(_cell(r.values.get(name)) for name in self.fields)])


def csv_bytes(records: Iterable[Record], definitions: Sequence[FormDefinition]) -> bytes:
    """The CSV of `records` with the columns of the schema over `definitions`."""
    lines = _Lines(definitions)
    return (lines.header + "".join(lines.record(r) for r in records)).encode("utf-8-sig")


def export_csv(store: Store, definitions: Sequence[FormDefinition], out: Path, *,
               since: dt.date | None = None) -> int:
    """Write the requests (from `since` on) to `out` atomically, owner-only; returns the count."""
    records = list(store.records(since))
    write_atomic(out, csv_bytes(records, definitions), mode=0o600)
    return len(records)


def validate_csv(path: Path, definitions: Sequence[FormDefinition]) -> list[Problem]:
    """Frictionless's verdict on `path` against the generated schema, as problems."""
    from frictionless import Resource, Schema, validate

    resource = Resource(path=path.name, basepath=str(path.parent), encoding="utf-8-sig",
                        format="csv", schema=Schema.from_descriptor(table_schema(definitions)))
    report = validate(resource)
    out = []
    for task in report.tasks:
        for error in task.errors:
            row = getattr(error, "row_number", None)
            name = getattr(error, "field_name", None)
            out.append(problem(path, error.message, "请用 `ecoportal intake export` 重新生成",
                               row=row, field=name, code=error.type))
    return out


class CsvRefresher:
    """Regenerates the staff CSV beside the store in a thread: at start, then after requests."""

    def __init__(self, store: Store, definitions: Sequence[FormDefinition]) -> None:
        self.store, self.definitions = store, definitions
        self.path = store.folder / CSV_NAME
        self._wanted = threading.Event()
        self._stopping = False
        self.written = threading.Event()
        """Set after each successful write (tests wait on it)."""
        self.failures = 0
        self.writes = 0
        """How many times the CSV was written (the benchmark reports it)."""
        self._lines = _Lines(definitions)
        self._cache: dict[str, tuple[tuple[Any, ...], str]] = {}
        self._version = -1
        self._thread = threading.Thread(target=self._run, name="csv-refresh", daemon=True)

    def start(self) -> None:
        self._wanted.set()  # the start-up write
        self._thread.start()

    def request(self) -> None:
        self._wanted.set()

    def stop(self) -> None:
        self._stopping = True
        self._wanted.set()
        self._thread.join(timeout=30)

    def _changed(self) -> bool:
        """True when another connection (a staff command, another thread) has committed
        since this thread last looked: PRAGMA data_version counts exactly that."""
        version = self.store.connection().execute("PRAGMA data_version").fetchone()[0]
        changed, self._version = version != self._version, version
        return bool(changed)

    def _export(self) -> None:
        """Rewrite the file; only new or changed requests are formatted again (a store of
        years of requests then costs one short query, not a re-format, per refresh)."""
        keys, records = self.store.changed_records(
            {ref: key for ref, (key, _) in self._cache.items()})
        index = {k[0]: k for k in keys}
        for r in records:
            self._cache[r.reference] = (index[r.reference], self._lines.record(r))
        for ref in set(self._cache) - set(index):
            del self._cache[ref]
        text = self._lines.header + "".join(self._cache[k[0]][1] for k in keys)
        write_atomic(self.path, text.encode("utf-8-sig"), mode=0o600)

    def _run(self) -> None:
        self._version = -1
        last = 0.0
        while True:
            if not self._wanted.wait(timeout=POLL_S) and not self._changed():
                continue
            if not self._stopping:
                time.sleep(max(REFRESH_DELAY_S, last + MIN_INTERVAL_S - time.monotonic()))
            self._wanted.clear()
            last = time.monotonic()
            try:
                self._changed()  # what this export sees is no longer news
                self._export()
                self.writes += 1
                self.written.set()
            except Exception as exc:  # keep serving: the store holds every request
                self.failures += 1
                LOG.error("更新 %s 失败（%s）；将在下一次提交后重试", self.path,
                          type(exc).__name__)
            if self._stopping:
                return

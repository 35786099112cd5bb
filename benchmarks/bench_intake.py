"""Measure the intake service: sustained accepted submissions/s and latency on loopback.

Three measurements on the same disk, taking turns (--rounds) so that the machine's other load
falls on all three alike:
  real   `generator.intake` as `ecoportal intake serve` runs it: waitress, the WSGI app,
         SQLite (WAL, synchronous=FULL, one transaction per submission) and the CSV refresh;
  noop   the same server with a store that writes nothing: what durability costs;
  sqlite a bare loop of the store's transaction (counter upsert + insert, synchronous=FULL):
         the floor the disk sets.
It prints each rate, the real server's p50/p99 latency, both ratios and how many times the
CSV was rewritten during the run (off the request path). A measurement, not a test.

    python benchmarks/bench_intake.py [--seconds 12] [--rounds 3] [--clients 8]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_intake_support import SITE, js_body, make_project, service  # noqa: E402


def _serve(mode: str, root: Path, store_dir: Path) -> None:
    """Child process: the service as `intake serve` builds it, with a no-op store for noop."""
    import logging

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth" lines

    from generator.intake.export import CsvRefresher
    from generator.intake.server import create_server
    from generator.intake.store import Record, Store

    class NoopStore(Store):
        counter = 0
        lock = threading.Lock()

        def add(self, values: dict[str, Any], *, form_version: int, privacy_version: str,
                warnings: str, now: dt.datetime) -> Record:
            with self.lock:
                NoopStore.counter += 1
                number = NoopStore.counter
            local = now.astimezone(self.zone).replace(microsecond=0)
            return Record(f"YQ-{local:%Y%m%d}-{number:04d}", local, form_version,
                          privacy_version, values, warnings, "待联系", None, None)

    svc = service(root)
    store = (NoopStore if mode == "noop" else Store)(store_dir, svc.zone)
    refresher = CsvRefresher(store, svc.versions)
    refresher.start()
    server = create_server(svc, store, refresher, host="127.0.0.1", port=0)
    print(f"port {server.effective_port}", flush=True)  # type: ignore[union-attr]

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        refresher.stop()
        print(f"csv_writes {refresher.writes}", flush=True)


async def _client(port: int, request: bytes, deadline: float, latencies: list[float]) -> int:
    """One keep-alive connection posting `request` until `deadline`; how many were refused."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    failures = 0
    while time.perf_counter() < deadline:
        t0 = time.perf_counter()
        writer.write(request)
        status = (await reader.readline()).split()[1]
        length = None
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        assert length is not None, "the service answers with a Content-Length"
        await reader.readexactly(length)
        if status == b"201":
            latencies.append(time.perf_counter() - t0)
        else:
            failures += 1
    writer.close()
    return failures


def _load(port: int, seconds: float, clients: int) -> tuple[int, list[float], int]:
    """`clients` keep-alive connections posting for `seconds`: (accepted, latencies, errors).
    The clients share one asyncio loop: threads with http.client cost the server a good part
    of the second core, and their own wait for the GIL would count as the server's latency."""
    body = json.dumps(js_body(), ensure_ascii=False).encode()
    request = (f"POST /api/consultations HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
               f"Content-Type: application/json\r\nOrigin: {SITE}\r\n"
               f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    latencies: list[float] = []

    async def run() -> list[int]:
        deadline = time.perf_counter() + seconds
        return await asyncio.gather(*(_client(port, request, deadline, latencies)
                                      for _ in range(clients)))

    failures = asyncio.run(run())
    return len(latencies), latencies, sum(failures)


class _Child:
    """A server child process of `mode` (`--serve`), idle until load is sent to it."""

    def __init__(self, mode: str, root: Path, folder: Path) -> None:
        self.proc = subprocess.Popen([sys.executable, __file__, "--serve", mode, str(root),
                                      str(folder / mode)], cwd=ROOT, stdout=subprocess.PIPE,
                                     text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        assert self.proc.stdout is not None
        match = re.match(r"port (\d+)", self.proc.stdout.readline())
        assert match
        self.port = int(match.group(1))
        self.accepted, self.elapsed, self.errors = 0, 0.0, 0
        self.latencies: list[float] = []

    def run(self, seconds: float, clients: int) -> None:
        start = time.perf_counter()
        accepted, latencies, errors = _load(self.port, seconds, clients)
        self.elapsed += time.perf_counter() - start
        self.accepted += accepted
        self.latencies += latencies
        self.errors += errors

    @property
    def rate(self) -> float:
        return self.accepted / self.elapsed

    def stop(self) -> str:
        """Stop the child; how many times it rewrote the CSV."""
        self.proc.terminate()
        rest = self.proc.communicate(timeout=60)[0]
        writes = re.search(r"csv_writes (\d+)", rest)
        return writes.group(1) if writes else "?"


def _sqlite_loop(folder: Path, seconds: float, turn: int) -> float:
    """The store's own transaction in a bare loop, synchronous=FULL, on the same disk."""
    path = folder / f"bare{turn}.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE c (reference TEXT PRIMARY KEY, day TEXT, data TEXT)")
    conn.execute("CREATE TABLE n (day TEXT PRIMARY KEY, last INTEGER)")
    data = json.dumps(js_body(), ensure_ascii=False)
    count, deadline = 0, time.perf_counter() + seconds
    start = time.perf_counter()
    while time.perf_counter() < deadline:
        conn.execute("BEGIN IMMEDIATE")
        (number,) = conn.execute("INSERT INTO n VALUES ('d', 1) ON CONFLICT(day) DO UPDATE "
                                 "SET last = last + 1 RETURNING last").fetchone()
        conn.execute("INSERT INTO c VALUES (?, 'd', ?)", (f"YQ-{number}", data))
        conn.execute("COMMIT")
        count += 1
    rate = count / (time.perf_counter() - start)
    conn.close()
    return rate


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000 if len(values) > 1 else 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=12.0,
                        help="load time per server, split into --rounds turns")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--serve", nargs=3, metavar=("MODE", "ROOT", "STORE"))
    args = parser.parse_args()
    if args.serve:
        _serve(args.serve[0], Path(args.serve[1]), Path(args.serve[2]))
        return
    with tempfile.TemporaryDirectory(dir=os.environ.get("TMPDIR")) as tmp:
        folder = Path(tmp)
        root = make_project(folder)
        # Both servers run side by side and take the load in turns, so a change in the
        # machine's other load during the run falls on both alike.
        noop_child, real_child = _Child("noop", root, folder), _Child("real", root, folder)
        try:
            rates = []
            for i in range(args.rounds):
                rates.append(_sqlite_loop(folder, args.seconds / args.rounds, i))
                noop_child.run(args.seconds / args.rounds, args.clients)
                real_child.run(args.seconds / args.rounds, args.clients)
        finally:
            noop_child.stop()
            writes = real_child.stop()
        bare = statistics.fmean(rates)
        print(f"bare SQLite loop (synchronous=FULL): {bare:,.0f} commits/s "
              f"(turns: {', '.join(f'{r:,.0f}' for r in rates)})", flush=True)
        noop, real, lat = noop_child.rate, real_child.rate, real_child.latencies
        nl = noop_child.latencies
        print(f"server, no-op store: {noop:,.0f} accepted/s, p50 {_p(nl, 50):.1f} ms, "
              f"p99 {_p(nl, 99):.1f} ms, {noop_child.errors} errors", flush=True)
        print(f"server, SQLite store: {real:,.0f} accepted/s, p50 {_p(lat, 50):.1f} ms, "
              f"p99 {_p(lat, 99):.1f} ms, {real_child.errors} errors, "
              f"CSV rewritten {writes} times", flush=True)
        lower = min(noop, bare)
        print(f"real / no-op = {real / noop:.0%}; real / bare SQLite = {real / bare:.0%}; "
              f"real / lower of the two = {real / lower:.0%} (target >= 50 %), "
              f"p99 {_p(lat, 99):.1f} ms (target < 50 ms)")


if __name__ == "__main__":
    main()

"""Benchmark (issue 9 part 12): the generator's load + validate + aggregate against DuckDB
running the repository's independent SQL (tests/sql) on the same CSV.

    python benchmarks/bench_engine.py [--records 1000000 5000000 10000000] [--profile]
                                      [--duckdb-up-to 5000000]

For each size a package is generated once under benchmarks/out/ (git-ignored, reused while
the contract is unchanged). Each measurement runs in its own subprocess, so its peak RSS
(resource.getrusage maxrss) is that stage's alone:
- generator: validate_package (load + validate) then stats.aggregate.aggregate, in a process
  whose allocator keeps freed memory as the ecoportal command's does (generator.memory), with the
  disclosure engine (stats.protection.protect) replaced by the identity "hide exactly the
  cells below k" — disclosure control is timed separately (benchmarks/bench_protect.py);
- duckdb: every file of tests/sql in dependency order, fully materialised.
Prints times, the generator / DuckDB ratio (target <= 2x at 1M), the aggregation time
ratio of every larger size to the smallest (target <= 5.5 for 5M / 1M, i.e. linear within
10 %; 10M / 1M is held to the same 1.1 x the record ratio) and the generator's peak RSS
against the 8 GB target at 10M. `--profile` prints the generator's cProfile hot spots at
the smallest size.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import pstats
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
PEAK_TARGET_GB = 8.0
"""Issue 9 part 12: 10M records aggregate with a peak RSS of at most 8 GB (GiB as measured)."""
sys.path.insert(0, str(ROOT))


def make_sample(records: int) -> Path:
    """The package of `records` records (24 months ending 2026-10, seed 1), generated once."""
    from benchmarks.bench_validate import make_sample as cached

    return cached(records)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _identity_protection() -> None:
    """Replace the LP engine by "hide exactly the cells below k (and the frozen ones)"."""
    from dataclasses import dataclass

    import generator.stats.protect_cache as protection  # where the engine is called

    @dataclass(frozen=True)
    class Hidden:
        hidden: Any

    def protect(system: Any, k: int, previous: Any = None) -> Hidden:
        return Hidden(system.sensitive | system.frozen_hidden)

    setattr(protection, "protect", protect)  # noqa: B010 (a module attribute, patched)


def child_generator(package: Path, profile: bool) -> dict[str, Any]:
    from generator.config import load_metrics
    from generator.dataset.validate import validate_package
    from generator.memory import keep_freed_memory
    from generator.reference import load_reference
    from generator.stats.aggregate import aggregate

    keep_freed_memory()  # as the ecoportal command does (generator.cli)
    _identity_protection()
    metrics = load_metrics(ROOT / "data" / "metrics.yml")
    ref = load_reference(ROOT / "data" / "reference")
    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    start = time.perf_counter()
    report = validate_package(package, ROOT / "data" / "reference", today=dt.date(2026, 11, 28))
    loaded = time.perf_counter()
    validate_peak = _peak_mb()
    assert report.frame is not None, "the generated package must validate"
    aggregate(report.frame, metrics, ref, unrecorded=report.unrecorded)
    done = time.perf_counter()
    result: dict[str, Any] = {"validate_s": loaded - start, "aggregate_s": done - loaded,
                              "total_s": done - start, "peak_mb": _peak_mb(),
                              "validate_peak_mb": validate_peak}
    if profiler:
        profiler.disable()
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(25)
        result["profile"] = text.getvalue()
    return result


def child_duckdb(package: Path) -> dict[str, Any]:
    import duckdb

    from tests.sql import ORDER, load, sql

    con = duckdb.connect()
    start = time.perf_counter()
    load(con, package, ROOT)
    loaded = time.perf_counter()
    for name in ORDER:
        cur = con.execute(sql(name))
        if cur.description:
            cur.fetchall()
    done = time.perf_counter()
    return {"load_s": loaded - start, "queries_s": done - loaded, "total_s": done - start,
            "peak_mb": _peak_mb()}


def run_child(kind: str, package: Path, profile: bool = False) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", kind, str(package)]
    if profile:
        cmd.append("--profile")
    out = subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True, text=True).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--profile", action="store_true")
    # DuckDB running tests/sql peaked at 17.8 GB at 5M records: at 10M it would exhaust the
    # machine, and the 2x target is at 1M only.
    parser.add_argument("--duckdb-up-to", type=int, default=5_000_000, metavar="RECORDS",
                        help="run the DuckDB comparison only up to this size")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PACKAGE"))
    args = parser.parse_args()
    if args.child:
        kind, package = args.child[0], Path(args.child[1])
        result = (child_generator(package, args.profile) if kind == "generator"
                  else child_duckdb(package))
        print(json.dumps(result))
        return
    sizes = sorted(args.records)
    results: dict[int, tuple[dict[str, Any], dict[str, Any] | None]] = {}
    for records in sizes:
        package = make_sample(records)
        gen = run_child("generator", package, args.profile and records == sizes[0])
        duck = run_child("duckdb", package) if records <= args.duckdb_up_to else None
        results[records] = (gen, duck)
        line = (f"{records:>10,} records  generator: validate {gen['validate_s']:6.1f} s + "
                f"aggregate {gen['aggregate_s']:6.1f} s = {gen['total_s']:6.1f} s, peak "
                f"{gen['peak_mb'] / 1024:4.1f} GB")
        if duck is None:
            line += " | duckdb: not run (--duckdb-up-to)"
        else:
            line += (f" | duckdb tests/sql: load {duck['load_s']:5.1f} s + queries "
                     f"{duck['queries_s']:5.1f} s = {duck['total_s']:5.1f} s, peak "
                     f"{duck['peak_mb'] / 1024:4.1f} GB | ratio "
                     f"{gen['total_s'] / duck['total_s']:4.1f}x"
                     + (" (target <= 2x at 1M)" if records == 1_000_000 else ""))
        print(line, flush=True)
        if "profile" in gen:
            print(gen["profile"])
    small = results[sizes[0]][0]
    for records in sizes[1:]:
        large, scale = results[records][0], records / sizes[0]
        ratio = large["aggregate_s"] / small["aggregate_s"]
        print(f"aggregate {records:,} / {sizes[0]:,}: {ratio:.2f}x for {scale:.0f}x the "
              f"records (target <= {1.1 * scale:.1f}x: {'ok' if ratio <= 1.1 * scale else 'OVER'})")
    for records in sizes:
        if records >= 10_000_000:
            peak_gb = results[records][0]["peak_mb"] / 1024
            after = results[records][0]["validate_peak_mb"] / 1024
            print(f"peak RSS at {records:,} records: {peak_gb:.2f} GB (after validation "
                  f"{after:.2f} GB; target <= {PEAK_TARGET_GB:.0f} GB: "
                  f"{'ok' if peak_gb <= PEAK_TARGET_GB else 'OVER'})")
    print("disclosure control is not included (identity); see benchmarks/bench_protect.py")


if __name__ == "__main__":
    main()

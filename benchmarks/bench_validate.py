"""Benchmark: our validate_package vs frictionless.validate on a 1M-record package.

    python benchmarks/bench_validate.py [--records 1000000] [--errors 300]

Writes under benchmarks/out/ (git-ignored). The sample is generated in a subprocess so this
process's peak RSS reflects validation only. Prints timings, the speed ratio (target ≥ 10×),
peak RSS, and whether both validators find the same errors on a file with injected errors.
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import frictionless

from generator.dataset.schema import descriptor_bytes
from generator.dataset.validate import validate_package
from generator.reference import load_reference
from generator.settings import DataSettings

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_sample(records: int) -> Path:
    folder = OUT / f"sample_{records}"
    current = descriptor_bytes(load_reference((ROOT / "data" / "reference").resolve()),
                               DataSettings())
    descriptor = folder / "datapackage.json"
    # A sample cached before the contract (or the reference) changed is drawn again.
    if not (folder / "complaints.csv").is_file() or not descriptor.is_file() \
            or descriptor.read_bytes() != current:
        code = (
            "import datetime as dt; from pathlib import Path; "
            "from generator.sample import write_sample; "
            f"print(write_sample(Path({str(folder)!r}), end_month=dt.date(2026, 10, 1), "
            f"months=24, records={records}, seed=1))"
        )
        subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    return folder


def make_broken(good: Path, n_errors: int) -> Path:
    """Copy `good` and inject about n_errors schema errors of several kinds (fixed seed)."""
    folder = OUT / f"{good.name}_broken"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(good / "datapackage.json", folder / "datapackage.json")
    lines = (good / "complaints.csv").read_text(encoding="utf-8").split("\n")
    rng = random.Random(7)
    edits = [
        (3, "2024-13-01T08:00:00"), (13, "2024-02-30T25:00:00"), (17, "真"), (1, "市民"),
        (12, "特急"), (0, "gd0000000000zz"), (9, "1101"), (6, ""), (10, "X"),
    ]
    picked = rng.sample(range(1, len(lines) - 1), n_errors)
    for k, line_index in enumerate(picked):
        cells = lines[line_index].split(",")
        kind = k % (len(edits) + 3)
        if kind < len(edits):
            col, value = edits[kind]
            cells[col] = value
        elif kind == len(edits):
            cells = cells[:-2]  # short row
        elif kind == len(edits) + 1:
            cells = [*cells, "多余"]  # long row
        else:
            cells[0] = lines[1].split(",")[0]  # duplicate id
        lines[line_index] = ",".join(cells)
    lines.insert(len(lines) // 2, "")  # a blank row
    (folder / "complaints.csv").write_text("\n".join(lines), encoding="utf-8")
    return folder


def ours(folder: Path) -> tuple[float, set[tuple[int | None, str | None, str]], int]:
    start = time.perf_counter()
    report = validate_package(folder, reference=ROOT / "data" / "reference")
    elapsed = time.perf_counter() - start
    keys = {(i.row, i.field, i.code) for i in report.issues if i.code != "cross-field-error"}
    return elapsed, keys, report.rows


def theirs(folder: Path) -> tuple[float, set[tuple[int | None, str | None, str]]]:
    start = time.perf_counter()
    report = frictionless.validate(str(folder / "datapackage.json"), limit_errors=100_000)
    elapsed = time.perf_counter() - start
    keys = {
        (getattr(e, "row_number", None), getattr(e, "field_name", None) or None, e.type)
        for task in report.tasks for e in task.errors
    }
    return elapsed, keys


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--errors", type=int, default=300)
    args = parser.parse_args()
    good = make_sample(args.records)
    broken = make_broken(good, args.errors)
    size_mb = (good / "complaints.csv").stat().st_size / 1e6
    rss0 = _rss_mb()
    t_ours, keys_ours, rows = ours(good)
    rss_ours = _rss_mb()
    t_ours2, _, _ = ours(good)
    print(f"file: {good / 'complaints.csv'} ({rows:,} rows, {size_mb:.0f} MB)")
    print(f"ours:        {min(t_ours, t_ours2):7.2f} s (runs {t_ours:.2f}, {t_ours2:.2f}), "
          f"issues {len(keys_ours)}; peak RSS {rss_ours:.0f} MB (before: {rss0:.0f} MB)")
    t_theirs, keys_theirs = theirs(good)
    print(f"frictionless:{t_theirs:7.2f} s, errors {len(keys_theirs)}; "
          f"peak RSS now {_rss_mb():.0f} MB")
    print(f"ratio: {t_theirs / min(t_ours, t_ours2):.1f}x faster (target >= 10x)")
    tb_ours, kb_ours, _ = ours(broken)
    tb_theirs, kb_theirs = theirs(broken)
    same = kb_ours == kb_theirs
    print(f"broken file: ours {tb_ours:.2f} s / {len(kb_ours)} errors; frictionless "
          f"{tb_theirs:.2f} s / {len(kb_theirs)} errors; same set: {same}")
    if not same:
        print("only ours:", sorted(kb_ours - kb_theirs, key=str)[:10])
        print("only frictionless:", sorted(kb_theirs - kb_ours, key=str)[:10])
        sys.exit(1)


if __name__ == "__main__":
    main()

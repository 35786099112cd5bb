"""Benchmark the generator stage and the full build.

Targets (issue 2): on a 1M-record sample, load + validate + aggregate + render ≤ 30 s and
≤ 3 GB peak RSS; the full build of the bundled sample site ≤ 60 s. Each time is also given as a
ratio to a baseline measured in the same run (a plain pandas read of the same CSV), because
these machines are noisy.

    python benchmarks/bench_build.py [--records 1000000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd

from generator.config import load_metrics
from generator.dataset.validate import validate_package
from generator.paths import ProjectPaths
from generator.pipeline import build_site
from generator.reference import load_reference
from generator.sample import write_sample
from generator.site.render import render_docs
from generator.stats.aggregate import aggregate

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def timed(label: str, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    seconds = time.perf_counter() - start
    print(f"{label:<34} {seconds:7.2f} s   peak RSS {peak_rss_gb():.2f} GB")
    return value, seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    args = parser.parse_args()
    package = OUT / f"sample-{args.records}"
    if not (package / "complaints.csv").exists():
        timed("generate sample", write_sample, package, end_month=dt.date(2026, 10, 1),
              months=24, records=args.records, seed=1)
    csv_path = package / "complaints.csv"
    size_mb = csv_path.stat().st_size / 1e6
    print(f"package: {args.records:,} records, {size_mb:.0f} MB")

    _, baseline = timed("baseline: pandas.read_csv", pd.read_csv, csv_path, dtype=str)
    paths = ProjectPaths(ROOT)
    metrics = load_metrics(paths.metrics_file)
    ref = load_reference(paths.reference)
    report, t_validate = timed("load + validate", validate_package, package,
                               paths.reference, settings=paths.settings.data)
    assert report.ok and report.frame is not None
    agg, t_aggregate = timed("aggregate", aggregate, report.frame, metrics, ref)
    docs = Path(tempfile.mkdtemp(prefix="bench-docs-"))
    try:
        _, t_render = timed("render", render_docs, paths, agg, ref, metrics, docs,
                            dt.date(2026, 11, 28))
    finally:
        shutil.rmtree(docs, ignore_errors=True)
    stage = t_validate + t_aggregate + t_render
    print(f"generator stage (load+validate+aggregate+render): {stage:.2f} s "
          f"(target ≤ 30 s), {stage / baseline:.1f}× the baseline read; "
          f"peak RSS {peak_rss_gb():.2f} GB (target ≤ 3 GB)")

    site = OUT / "site-bundled"
    _, t_full = timed("full build of the bundled sample", build_site, paths,
                      package=paths.complaints, site_dir=site, echo=lambda _: None)
    print(f"full build: {t_full:.2f} s (target ≤ 60 s), {t_full / baseline:.1f}× the baseline read")


if __name__ == "__main__":
    main()

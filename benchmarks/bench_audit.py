"""Measure the independent disclosure auditor (tests/auditor.py) on the bundled sample.

Builds the bundled data package's site into a temporary folder (as tests do, on BUILD_DAY), then
bounds every small hidden count by LP and prints: small hidden cells checked (and distinct),
LPs solved, narrowed cells found with their bounds and the published cells pinning them, and
the time of each stage. A measurement, not a test: it exits 0 whatever it finds.

    python benchmarks/bench_audit.py [--site DIR]   # --site: audit an already built site
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.auditor import Universe, audit, published_cells  # noqa: E402
from tests.conftest import BUILD_DAY  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--site", type=Path, help="an already built site of the bundled data")
    args = parser.parse_args()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        site = args.site
        if site is None:
            from generator.pipeline import build_site

            site = Path(tmp) / "site"
            build_site(ROOT, package=ROOT / "data" / "complaints", site_dir=site,
                       echo=lambda _: None, today=BUILD_DAY)
            print(f"build: {time.perf_counter() - start:.1f} s", flush=True)
        t = time.perf_counter()
        universe = Universe(ROOT / "data" / "complaints", ROOT / "data" / "reference")
        cells = published_cells(site, universe)
        print(f"model: {universe.n:,} atoms, {len(cells):,} published cells, "
              f"{sum(c.hidden for c in cells):,} hidden, {time.perf_counter() - t:.1f} s",
              flush=True)
        t = time.perf_counter()
        report = audit(cells, universe, echo=lambda line: print(
            f"  {line} ({time.perf_counter() - t:.0f} s)", flush=True))
        print(f"hidden small cells checked: {report.checked:,} ({report.distinct:,} distinct)")
        print(f"LPs solved: {report.lps:,}; audit time {time.perf_counter() - t:.1f} s")
        print(f"narrowed cells found: {len(report.findings)}")
        for f in report.findings:
            print(f"  {f.cell.name} {f.cell.key}: bounds [{f.low:g}, {f.high:g}], "
                  f"true {universe.value(f.cell.cols):g}, "
                  f"{universe.complainants(f.cell.cols)} complainants")
            for p in f.pins:
                print(f"      pinned by {p.name} {p.key} = {p.token}"
                      + (" (lower bound)" if p.lower else ""))
    print(f"total: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()

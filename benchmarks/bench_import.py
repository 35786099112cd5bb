"""Time `ecoportal import` (read + map + place + anonymize + write) on a large raw export.

    python benchmarks/bench_import.py            # 1,000,000 rows (target: import ≤ 60 s)
    python benchmarks/bench_import.py --rows 100000

The raw export (GB18030, like real exports) is generated once under benchmarks/out/
(git-ignored) by benchmarks/raw_export.py and reused. The baseline is a plain pandas read of
the same CSV (all columns as text); the ratio import / baseline is what to compare across
machines.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from raw_export import generate, write_csv  # noqa: E402

from generator.ingest.importer import import_export  # noqa: E402
from generator.paths import ProjectPaths  # noqa: E402

PROFILE = ROOT / "data" / "profiles" / "beijing-12345.yml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    out = HERE / "out"
    raw = out / f"raw_{args.rows}_{args.seed}.csv"
    if not raw.exists():
        t0 = time.perf_counter()
        write_csv(generate(args.rows, args.seed), raw)
        print(f"generated {raw} ({raw.stat().st_size / 1e6:.0f} MB) "
              f"in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    frame = pd.read_csv(raw, encoding="gb18030", dtype=str, keep_default_na=False)
    baseline = time.perf_counter() - t0
    del frame
    key = {"ECOPORTAL_PSEUDONYM_KEY": secrets.token_hex(32)}
    t0 = time.perf_counter()
    result = import_export(raw, PROFILE, out / "package", ProjectPaths(ROOT), environ=key)
    elapsed = time.perf_counter() - t0
    print(f"rows read {result.rows_read:,}, written {result.rows_written:,}, "
          f"rejected {result.rows_rejected:,}, unplaced {result.rows_unplaced:,}, "
          f"out of scope {result.rows_out_of_scope:,}")
    print(f"baseline pandas read_csv (GB18030, dtype=str): {baseline:.2f} s")
    print(f"import + anonymize:                           {elapsed:.2f} s")
    print(f"ratio import / baseline:                      {elapsed / baseline:.1f}")


if __name__ == "__main__":
    main()

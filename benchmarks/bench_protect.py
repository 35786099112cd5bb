"""Benchmark the disclosure engine on a synthetic system shaped like the bundled sample.

Atoms are the (street, month, category) combinations that occur in Poisson counts (streets
within districts, categories within elements, skewed intensities). Published cells: street ×
quarter × element, district × month × category, and their margins street × quarter,
street × element, district × month, district × category, month × category, month, district.
Cells of 1..k−1 are sensitive. Times `protect` and `check`, then compares with the naive
complementary rule (generator.stats.disclosure.complementary, per table and margin) in the
same run: how many sensitive cells the attacker narrows under each pattern.

    python benchmarks/bench_protect.py [--streets 21] [--months 24] [--records 95000]
    python benchmarks/bench_protect.py --systems /tmp/systems   # the sample's real systems

With --systems (a folder of pickled CellSystem objects, system_*.pkl, as the build makes
them), times `protect` and `check` on each instead and prints LPs and hidden shares.
"""

from __future__ import annotations

import argparse
import pickle
import time
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from generator.stats.disclosure import complementary
from generator.stats.protect import CellSystem, audit, check, protect

LEVELS = {  # table: its keys, and the key sets of the margins published beside it
    "street×quarter×element": (("s", "q", "e"), (("s", "q"), ("s", "e"))),
    "district×month×category": (("d", "m", "c"), (("d", "m"), ("d", "c"), ("m", "c"))),
    "street×quarter": (("s", "q"), ()), "street×element": (("s", "e"), ()),
    "district×month": (("d", "m"), (("m",),)), "district×category": (("d", "c"), (("d",),)),
    "month×category": (("m", "c"), (("m",),)), "month": (("m",), ()),
    "district": (("d",), ()),
}


def synthetic(seed: int, districts: int, streets: int, months: int,
              records: int) -> tuple[CellSystem, list[pd.DataFrame]]:
    rng = np.random.default_rng(seed)
    n_streets, n_cats = districts * streets, 20
    lam = (rng.gamma(0.8, 1.0, n_streets)[:, None, None]
           * rng.uniform(0.7, 1.3, months)[None, :, None]
           * rng.gamma(0.6, 1.0, n_cats)[None, None, :])
    counts = rng.poisson(lam * records / lam.sum())
    s, m, c = np.nonzero(counts)
    atoms = pd.DataFrame({"s": s, "m": m, "c": c, "d": s // streets, "q": m // 3, "e": c // 4,
                          "n": counts[s, m, c]})
    rows, cols, tables, start = [], [], [], 0
    for keys, _ in LEVELS.values():
        codes = atoms.groupby(list(keys), sort=True).ngroup().to_numpy()
        table = atoms.groupby(list(keys), sort=True, as_index=False)["n"].sum()
        table["cell"] = np.arange(len(table)) + start
        rows.append(codes + start)
        cols.append(np.arange(len(atoms)))
        tables.append(table)
        start += len(table)
    r, cc = np.concatenate(rows), np.concatenate(cols)
    a = sp.csr_matrix((np.ones(len(r)), (r, cc)), shape=(start, len(atoms)))
    x = atoms["n"].to_numpy()
    values = (a @ x).astype(np.int64)
    none = np.zeros(start, bool)
    sensitive = (values > 0) & (values < 5)
    return CellSystem(a, values, sensitive, none, none.copy(), atoms=x.astype(float)), tables


def naive(system: CellSystem, tables: list[pd.DataFrame]) -> np.ndarray:
    hidden = system.sensitive.copy()
    for table, (_, groups) in zip(tables, LEVELS.values(), strict=True):
        if groups:
            cells = table["cell"].to_numpy()
            hidden[cells] = complementary(table, "n", hidden[cells], [list(g) for g in groups])
    return hidden


def real(folder: Path, k: int) -> None:
    """Protect every pickled system in `folder`; per-system and total seconds."""
    total = 0.0
    for path in sorted(folder.glob("system_*.pkl")):
        with path.open("rb") as fh:
            system: CellSystem = pickle.load(fh)
        t = time.perf_counter()
        result = protect(system, k)
        elapsed = time.perf_counter() - t
        total += elapsed
        flagged = check(system, result.hidden, k, result.certificates)
        n_cells, n_atoms = system.incidence.shape
        print(f"{path.stem}: {n_cells} × {n_atoms}, {elapsed:.1f} s, {result.lps_solved} LPs, "
              f"hidden {result.hidden.mean():.1%} (sensitive {system.sensitive.mean():.1%}), "
              f"check flagged {len(flagged)}")
    print(f"total protect: {total:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--districts", type=int, default=16)
    parser.add_argument("--streets", type=int, default=21, help="streets per district")
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--records", type=int, default=95_000)
    parser.add_argument("--exact", type=int, default=3,
                        help="naive-rule leaks confirmed by whole-system LPs")
    parser.add_argument("--systems", type=Path, default=None,
                        help="folder of pickled systems (system_*.pkl) to protect instead")
    args = parser.parse_args()
    if args.systems is not None:
        real(args.systems, 5)
        return
    system, tables = synthetic(0, args.districts, args.streets, args.months, args.records)
    k = 5
    n_cells, n_atoms = system.incidence.shape
    print(f"system: {n_cells} cells, {n_atoms} atoms, {int(system.sensitive.sum())} sensitive")
    t = time.perf_counter()
    result = protect(system, k)
    elapsed = time.perf_counter() - t
    print(f"protect: {elapsed:.1f} s, {result.lps_solved} LPs, {result.rounds} repairs, "
          f"hidden {result.hidden.mean():.1%} of cells "
          f"({int(result.hidden.sum() - system.sensitive.sum())} complementary), "
          f"{result.certificates.deltas.shape[0]} witnesses")
    t = time.perf_counter()
    flagged = check(system, result.hidden, k, result.certificates)
    print(f"check: {1000 * (time.perf_counter() - t):.0f} ms, {len(flagged)} flagged")
    t = time.perf_counter()
    again = protect(system, k, previous=result.certificates)
    print(f"protect with previous: {time.perf_counter() - t:.1f} s, {again.lps_solved} LPs")
    base = naive(system, tables)
    t = time.perf_counter()
    suspects = audit(system, base, k, exact=False)
    print(f"naive rule: hidden {base.mean():.1%} of cells; neighbourhood audit "
          f"({time.perf_counter() - t:.1f} s): {len(suspects)} sensitive cells narrowed")
    for leak in suspects[:args.exact]:
        t = time.perf_counter()
        exact = audit(system, base, k, cells=np.array([leak.cell]))
        print(f"  cell {leak.cell}: whole-system bounds {[(e.lo, e.hi) for e in exact]} "
              f"({time.perf_counter() - t:.1f} s)")
    t = time.perf_counter()
    left = audit(system, result.hidden, k, exact=False)
    print(f"engine pattern: neighbourhood audit ({time.perf_counter() - t:.1f} s): "
          f"{len(left)} narrowed")


if __name__ == "__main__":
    main()

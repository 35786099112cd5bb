"""Checking disclosure protection: fast witness checks and a full LP audit.

`check` verifies stored witnesses with sparse products only (no LP). `audit` recomputes the
attacker's bounds of every sensitive cell from scratch: a cell is cleared by a restricted LP
reaching both 1 and k−1 (its feasible set lies inside the attacker's), otherwise its bounds
come from the min and max LP over the whole system.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from generator.stats.protect_base import (
    CellSystem,
    Certificates,
    Leak,
    feasible_point,
    goals,
    pattern_of,
)
from generator.stats.protect_lp import TOL, Pattern, local, neighbourhood

Sums = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""Cell sums under witnesses: sums(cells, witnesses) for pairs of equal-length arrays."""


def witness_valid(a: sp.csr_matrix, pattern: Pattern,
                  certs: Certificates) -> tuple[np.ndarray, Sums]:
    """Which witnesses are feasible for `pattern`, and a lookup of cell sums under them.

    A witness differs from the base on few atoms, so only the cells touching those atoms
    change: each witness counts the base's violations it does not touch plus the
    violations among the cells it touches.
    """
    base, d = certs.base, certs.deltas.tocsr()
    m = d.shape[0]
    r0 = a @ base
    bad0 = (r0 < pattern.lower - TOL) | (r0 > pattern.upper + TOL)
    neg0 = base < -TOL
    change = (a @ d.T).tocoo()
    touch = (abs(a) @ abs(d).T).tocoo()  # no cancellation: every touched pair is stored
    keys = change.row.astype(np.int64) * m + change.col
    order = np.argsort(keys)
    keys, delta = keys[order], change.data[order]

    def lookup(cells: np.ndarray, wit: np.ndarray) -> np.ndarray:
        want = cells.astype(np.int64) * m + wit
        pos = np.minimum(np.searchsorted(keys, want), max(len(keys) - 1, 0))
        hit = (keys[pos] == want) if len(keys) else np.zeros(len(want), bool)
        return np.where(hit, delta[pos] if len(keys) else 0.0, 0.0)

    value = r0[touch.row] + lookup(touch.row, touch.col)
    viol = (value < pattern.lower[touch.row] - TOL) | (value > pattern.upper[touch.row] + TOL)
    bad = (bad0.sum() - np.bincount(touch.col, bad0[touch.row], m)
           + np.bincount(touch.col, viol, m))
    rows = np.repeat(np.arange(m), np.diff(d.indptr))
    atom = base[d.indices] + d.data
    neg = (neg0.sum() - np.bincount(rows, neg0[d.indices], m)
           + np.bincount(rows, atom < -TOL, m))
    valid = (np.abs(bad) < 0.5) & (np.abs(neg) < 0.5)

    def sums(cells: np.ndarray, wit: np.ndarray) -> np.ndarray:
        return np.asarray(r0[cells] + lookup(cells, wit))

    return valid, sums


def check(system: CellSystem, hidden: np.ndarray, k: int, certificates: Certificates) -> list[int]:
    """Sensitive cells whose certificate no longer proves protection under `hidden`.

    Sound: a cell not listed holds two witnesses feasible for this system and pattern, one
    with its sum at most its lower goal, one at least its upper goal (protect_base.goals).
    A listed cell may still be protected (its witness was spoilt by a change elsewhere);
    `protect` with these certificates as `previous` repairs only those.
    """
    sens = np.flatnonzero(system.sensitive)
    certs = certificates
    a = system.incidence.tocsr()
    if (certs.low.shape != system.values.shape or len(certs.base) != a.shape[1]
            or certs.deltas.shape[1] != a.shape[1]):
        return [int(s) for s in sens]
    valid, sums = witness_valid(a, pattern_of(system, hidden), certs)
    ok = hidden[sens].copy()
    floor, ceiling = (g[sens] for g in goals(system, k, only=sens))
    for table, upward in ((certs.high, True), (certs.low, False)):
        j = table[sens]
        has = (j >= 0) & (j < len(valid))
        jj = np.where(has, j, 0)
        value = sums(sens, jj)
        good = value >= ceiling - TOL if upward else value <= floor + TOL
        ok &= has & valid[jj] & good
    return [int(s) for s in sens[~ok]]


def _bounds(a: sp.csr_matrix, pattern: Pattern, x0: np.ndarray, cols: np.ndarray,
            cell: int) -> tuple[float, float]:
    """Min and max of the cell's sum when only atoms `cols` move (the rest stay at x0)."""
    lp = local(a, a.tocsc(), x0, a @ x0, cols)
    lo = pattern.lower[lp.rows] - lp.offset
    hi = pattern.upper[lp.rows] - lp.offset
    eq = lo == hi
    a_ub = sp.vstack([-lp.matrix[~eq & np.isfinite(lo)], lp.matrix[~eq & np.isfinite(hi)]])
    b_ub = np.concatenate([-lo[~eq & np.isfinite(lo)], hi[~eq & np.isfinite(hi)]])
    target = int(np.searchsorted(lp.rows, cell))
    c = lp.matrix[target].toarray().ravel()
    method = "highs-ipm" if len(cols) > 5000 else "highs"
    out = []
    for sign in (1.0, -1.0):
        res = linprog(sign * c, A_ub=a_ub, b_ub=b_ub, A_eq=lp.matrix[eq], b_eq=lo[eq],
                      bounds=(0, None), method=method)
        if res.status != 0:
            raise ValueError(f"attacker LP for cell {cell} failed: {res.message}")
        out.append(sign * float(res.fun) + float(lp.offset[target]))
    return out[0], out[1]


def audit(system: CellSystem, hidden: np.ndarray, k: int, cells: np.ndarray | None = None,
          exact: bool = True) -> list[Leak]:
    """Every sensitive cell (or those in `cells`) the attacker narrows, with its bounds.

    Narrowed means lo above the lower goal or hi below the upper goal (1 and k−1 unless the
    ≥ 1 facts and the constants force otherwise: protect_base.goals). A hidden cell is first
    bounded over a neighbourhood of atoms; one not cleared there is bounded over the whole system
    (exact; seconds per cell on 40k atoms). exact=False reports the neighbourhood bounds
    instead: possibly too narrow, so a superset of the leaks. A sensitive cell left
    visible is a leak with lo = hi = its value.
    """
    a = system.incidence.tocsr()
    a_csc = a.tocsc()
    pattern = pattern_of(system, hidden)
    x0, _ = feasible_point(system, hidden, None)
    todo = np.flatnonzero(system.sensitive) if cells is None else np.asarray(cells)
    floor, ceiling = goals(system, k, only=todo)
    leaks = []
    for s in todo:
        if not hidden[s]:
            v = float(system.values[s])
            leaks.append(Leak(int(s), v, v))
            continue
        cols = neighbourhood(a, a_csc, hidden, np.array([s]), 3, 64, 3000)
        lo, hi = _bounds(a, pattern, x0, cols, int(s))
        narrowed = lo > floor[s] + TOL or hi < ceiling[s] - TOL
        if narrowed and exact and len(cols) < a.shape[1]:
            lo, hi = _bounds(a, pattern, x0, np.arange(a.shape[1]), int(s))
        if lo > floor[s] + TOL or hi < ceiling[s] - TOL:
            leaks.append(Leak(int(s), round(lo, 6), round(hi, 6)))
    return leaks

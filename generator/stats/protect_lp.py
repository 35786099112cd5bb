"""Local attacker LPs for generator.stats.protect: neighbourhoods, bounds and repairs.

Every LP here frees only the atoms of a neighbourhood N and keeps all other atoms at a known
feasible point x0. Its feasible set is a subset of the attacker's, so a witness it finds is a
valid witness of the whole system (x0 outside N, the LP's values inside), while a cell it
finds narrowed may only be narrowed by the restriction: the engine then hides more than the
minimum, never less.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

TOL = 1e-6
"""Slack allowed on a row or bound when a witness is checked (HiGHS solves to 1e-7)."""


@dataclass(frozen=True)
class Pattern:
    """The attacker's constraints on every cell under one hiding pattern.

    lower/upper: the bounds on each cell's sum (equal for a visible cell, [1, inf) for a
    hidden one). hideable: cells a repair may hide (visible, non-zero, not frozen visible).
    """

    lower: np.ndarray
    upper: np.ndarray
    hideable: np.ndarray


@dataclass(frozen=True)
class Local:
    """One restricted LP: atoms `cols` free, rows `rows` (every cell touching them).

    matrix: rows × cols block of the incidence; offset: each row's sum over the atoms kept
    at x0, so a row's constraint on the free atoms is lower − offset ≤ M x ≤ upper − offset.
    """

    cols: np.ndarray
    rows: np.ndarray
    matrix: sp.csr_matrix
    offset: np.ndarray


def neighbourhood(a_csr: sp.csr_matrix, a_csc: sp.csc_matrix, hidden: np.ndarray,
                  seeds: np.ndarray, hops: int, small: int, cap: int) -> np.ndarray:
    """Atoms reachable from the seed cells' atoms through hidden cells and small visible cells.

    A step crosses a cell when it is hidden (hidden cells are where mass can move) or when it
    has at most `small` atoms (fine visible cells link atoms the attacker can trade between;
    the large margins are kept as rows but not crossed). Stops after `hops` steps or once
    `cap` atoms are reached.
    """
    sizes = np.diff(a_csr.indptr)
    crossable = hidden | (sizes <= small)
    atoms = np.unique(np.concatenate([a_csr.indices[a_csr.indptr[s]:a_csr.indptr[s + 1]]
                                      for s in seeds]))
    for _ in range(hops):
        if len(atoms) >= cap:
            break
        cells = np.unique(a_csc[:, atoms].indices)
        cells = cells[crossable[cells]]
        grown = np.union1d(atoms, a_csr[cells].indices)
        if len(grown) == len(atoms):
            break
        atoms = grown
    return atoms


def local(a_csr: sp.csr_matrix, a_csc: sp.csc_matrix, x0: np.ndarray, sums0: np.ndarray,
          cols: np.ndarray) -> Local:
    """The restricted LP over atoms `cols`, every other atom held at x0 (sums0 = A @ x0)."""
    rows = np.unique(a_csc[:, cols].indices)
    matrix = a_csr[rows][:, cols].tocsr()
    offset = sums0[rows] - matrix @ x0[cols]
    return Local(cols, rows, matrix, offset)


def _solve(c: np.ndarray, a_ub: sp.spmatrix | None, b_ub: np.ndarray | None,
           a_eq: sp.spmatrix | None, b_eq: np.ndarray | None,
           bounds: list[tuple[float, float | None]] | tuple[float, None]) -> np.ndarray | None:
    res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds,
                  method="highs")
    return np.asarray(res.x) if res.status == 0 else None


def _split(lp: Local, pattern: Pattern) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row masks of the local LP: equality rows, rows with a finite lower, finite upper."""
    lo = pattern.lower[lp.rows]
    hi = pattern.upper[lp.rows]
    eq = lo == hi
    return eq, ~eq & np.isfinite(lo), ~eq & np.isfinite(hi)


def batch(lp: Local, pattern: Pattern, targets: np.ndarray, goal: np.ndarray,
          upward: bool) -> np.ndarray | None:
    """Free-atom values bringing as many target cells as possible to the goal at once.

    Upward: maximise Σ min(sum_t, goal); downward: minimise Σ max(sum_t − goal, 0). One LP
    thus yields one witness for many cells. `targets` are positions in lp.rows, `goal`
    their goals.
    """
    n, t = len(lp.cols), len(targets)
    eq, has_lo, has_hi = _split(lp, pattern)
    base_lo = pattern.lower[lp.rows] - lp.offset
    base_hi = pattern.upper[lp.rows] - lp.offset
    m = lp.matrix
    aux = sp.identity(t, format="csr")
    zeros = sp.csr_matrix((m.shape[0], t))
    if upward:  # t_s ≤ a_s x + offset_s, 0 ≤ t_s ≤ goal, maximise Σ t
        tie, tie_b = sp.hstack([-m[targets], aux]), lp.offset[targets]
        cost = np.concatenate([np.zeros(n), -np.ones(t)])
        bounds: list[tuple[float, float | None]] = (
            [(0.0, None)] * n + [(0.0, float(g)) for g in goal])
    else:  # u_s ≥ a_s x + offset_s − goal, u_s ≥ 0, minimise Σ u
        tie, tie_b = sp.hstack([m[targets], -aux]), goal - lp.offset[targets]
        cost = np.concatenate([np.zeros(n), np.ones(t)])
        bounds = [(0.0, None)] * (n + t)
    a_ub = sp.vstack([sp.hstack([-m[has_lo], zeros[has_lo]]),
                      sp.hstack([m[has_hi], zeros[has_hi]]), tie]).tocsr()
    b_ub = np.concatenate([-base_lo[has_lo], base_hi[has_hi], tie_b])
    a_eq = sp.hstack([m[eq], zeros[eq]]).tocsr()
    x = _solve(cost, a_ub, b_ub, a_eq, base_lo[eq], bounds)
    return None if x is None else x[:n]


def repair(lp: Local, pattern: Pattern, target: int, goal: float, upward: bool,
           weight: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Cheapest cells to hide so that the target cell can reach the goal, and the witness.

    Every hideable row gets slacks p (down, at most value − 1: a hidden cell stays ≥ 1) and
    q (up), priced by `weight`; the target row must reach the goal. The rows with non-zero
    slack, hidden, make the returned free-atom values feasible. None: no hiding among these
    rows can do it.
    """
    n = len(lp.cols)
    eq, has_lo, has_hi = _split(lp, pattern)
    lo = pattern.lower[lp.rows] - lp.offset
    hi = pattern.upper[lp.rows] - lp.offset
    if upward:
        lo[target], has_lo[target] = goal - lp.offset[target], True
    else:
        hi[target], has_hi[target] = goal - lp.offset[target], True
    soft = eq & pattern.hideable[lp.rows]
    soft[target] = False
    eq &= ~soft
    eq[target] = False
    k = int(soft.sum())
    pos = np.flatnonzero(soft)
    slack = sp.csr_matrix((np.concatenate([np.ones(k), -np.ones(k)]),
                           (np.concatenate([pos, pos]), np.arange(2 * k))),
                          shape=(len(lp.rows), 2 * k))
    full = sp.hstack([lp.matrix, slack]).tocsr()
    soft_eq = eq | soft
    a_ub = sp.vstack([-full[has_lo & ~soft_eq], full[has_hi & ~soft_eq]]).tocsr()
    b_ub = np.concatenate([-lo[has_lo & ~soft_eq], hi[has_hi & ~soft_eq]])
    values = pattern.lower[lp.rows][pos]
    w = weight[lp.rows][pos]
    cost = np.concatenate([np.zeros(n), w, w])
    free: list[tuple[float, float | None]] = [(0.0, None)]
    capped: list[tuple[float, float | None]] = [(0.0, float(v) - 1.0) for v in values]
    bounds = free * n + capped + free * k
    x = _solve(cost, a_ub, b_ub, full[soft_eq], lo[soft_eq], bounds)
    if x is None:
        return None
    moved = (x[n:n + k] + x[n + k:]) > TOL
    return x[:n], lp.rows[pos[moved]]

"""Attacker LPs for generator.stats.protect: the elastic repair LP and restricted LPs.

`elastic` is the engine's one LP: over the whole system it looks for a single atom vector
that brings a group of sensitive cells to their goals while changing as little as possible
of what is published. Visible cells may move (each move, priced by the cell's weight, means
the cell gets hidden) but a moved cell stays ≥ 1, as the attacker assumes of hidden cells;
zeros and frozen-visible constants never move. Goals a target cannot reach are paid for by
an elastic slack, so the LP is always feasible and its result says which targets it reached.

`neighbourhood` and `local` restrict an LP to the atoms around a cell (the audit's fast
path): its feasible set is a subset of the attacker's, so a witness it finds is valid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

TOL = 1e-6
"""Slack allowed on a row or bound when a witness is checked (HiGHS solves to 1e-7)."""
MOVED = 1e-7
"""A visible cell whose elastic slack exceeds this has moved and must be hidden."""


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


def elastic(a: sp.csr_matrix, pattern: Pattern, targets: np.ndarray, goal: np.ndarray,
            upward: bool, weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """An attacker vector bringing `targets` to `goal` (≥ upward, ≤ downward) together.

    Minimises Σ weight × |move| over the hideable visible cells plus a large price per unit a
    target misses its goal. Returns the atom vector (feasible for `pattern` once the moved
    cells are hidden) and the moved cells. Raises ValueError if HiGHS fails (a bug: the LP
    is feasible whenever the published values are consistent).
    """
    n_cells, n_atoms = a.shape
    soft = np.flatnonzero(pattern.hideable)
    n_soft, n_t = len(soft), len(targets)
    width = n_atoms + 2 * n_soft + n_t
    slack = sp.csr_matrix((np.concatenate([np.ones(n_soft), -np.ones(n_soft)]),
                           (np.concatenate([soft, soft]), n_atoms + np.arange(2 * n_soft))),
                          shape=(n_cells, width))
    full = (sp.hstack([a, sp.csr_matrix((n_cells, width - n_atoms))]) + slack).tocsr()
    eq = pattern.lower == pattern.upper
    ge = ~eq & np.isfinite(pattern.lower)
    sign = -1.0 if upward else 1.0  # upward: −(sum) − t ≤ −goal; downward: sum − t ≤ goal
    miss = sp.csr_matrix((-np.ones(n_t), (np.arange(n_t), n_atoms + 2 * n_soft + np.arange(n_t))),
                         shape=(n_t, width))
    a_ub = sp.vstack([-full[ge], sign * full[targets] + miss]).tocsr()
    b_ub = np.concatenate([-pattern.lower[ge], sign * goal])
    w = weight[soft]
    big = 100.0 * max(float(weight.max(initial=1.0)), 1.0)
    cost = np.concatenate([np.zeros(n_atoms), w, w, np.full(n_t, big)])
    upper = np.full(width, np.inf)
    upper[n_atoms:n_atoms + n_soft] = pattern.lower[soft] - 1.0  # a moved cell stays ≥ 1
    res = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=full[eq], b_eq=pattern.lower[eq],
                  bounds=np.column_stack([np.zeros(width), upper]), method="highs")
    if res.status != 0:
        raise ValueError(f"elastic attacker LP failed: {res.message}")
    x = np.asarray(res.x)
    moved = (x[n_atoms:n_atoms + n_soft] + x[n_atoms + n_soft:n_atoms + 2 * n_soft]) > MOVED
    return np.maximum(x[:n_atoms], 0.0), soft[moved]


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

"""Data types of the disclosure engine and the attacker's starting point.

Shared by generator.stats.protect (which hides), protect_check (which verifies) and
protect_lp (the local LPs). Messages name cell indices only, never atoms: the caller maps
indices to table names, and atoms are record-level combinations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from generator.errors import BuildError
from generator.stats.protect_lp import TOL, Pattern


@dataclass(frozen=True)
class CellSystem:
    """Published count cells as sums of atoms, and what earlier releases fixed.

    incidence: cells × atoms 0/1 matrix (row = the atoms a cell adds up).
    values: int64 true value of each cell (for a frozen visible cell, its published value).
    sensitive: cells on 1..k−1 complainants: must be hidden and protected.
    frozen_hidden: hidden by an earlier release: stays hidden.
    frozen_visible: published by an earlier release (a constant): may never be hidden.
    cost: preference when choosing complementary cells, lower hides first (default: value).
    atoms: true value of each atom when the caller has it: a known feasible point, which
    spares a global LP over the whole system (seconds on 40k atoms).
    """

    incidence: sp.csr_matrix
    values: np.ndarray
    sensitive: np.ndarray
    frozen_hidden: np.ndarray
    frozen_visible: np.ndarray
    cost: np.ndarray | None = None
    atoms: np.ndarray | None = None


@dataclass(frozen=True)
class Certificates:
    """Witnesses that each sensitive cell is protected under `hidden`.

    Witness j is the atom vector base + deltas[j] (row 0 of deltas is empty: the base point
    itself). low[c] / high[c]: the witness giving cell c a sum ≤ 1 / ≥ k−1, −1 when none
    (cells that are not sensitive).
    """

    base: np.ndarray
    hidden: np.ndarray
    deltas: sp.csr_matrix
    low: np.ndarray
    high: np.ndarray


@dataclass(frozen=True)
class Leak:
    """A sensitive cell the attacker narrows: its tightest bounds [lo, hi]."""

    cell: int
    lo: float
    hi: float


def pattern_of(system: CellSystem, hidden: np.ndarray) -> Pattern:
    """The attacker's bounds on each cell under `hidden` (a hidden zero stays ≥ 0)."""
    values = system.values.astype(float)
    lower = np.where(hidden, np.minimum(values, 1.0), values)
    upper = np.where(hidden, np.inf, values)
    hideable = ~hidden & (system.values > 0) & ~system.frozen_visible
    return Pattern(lower=lower, upper=upper, hideable=hideable)


def feasible(a: sp.csr_matrix, pattern: Pattern, x: np.ndarray) -> bool:
    """True when x ≥ 0 meets every cell's bounds (within TOL)."""
    sums = a @ x
    return bool((x >= -TOL).all() and (sums >= pattern.lower - TOL).all()
                and (sums <= pattern.upper + TOL).all())


def feasible_point(system: CellSystem, hidden: np.ndarray,
                   previous: Certificates | None) -> tuple[np.ndarray, int]:
    """A point of the attacker's feasible set, and the number of LPs it took.

    The caller's true atoms or the previous base when they still fit; else atoms that add up
    to every cell's true value, hidden or not (one LP; witnesses are then changes to the
    truth, which keeps them small); else an elastic LP over the whole system, whose non-zero
    slacks name the earlier constants that contradict the data (BuildError).
    """
    a = system.incidence.tocsr()
    pattern = pattern_of(system, hidden)
    for x in (system.atoms, None if previous is None else previous.base):
        if x is not None and len(x) == a.shape[1] and feasible(a, pattern, x.astype(float)):
            return x.astype(float), 0
    n_cells, n_atoms = a.shape
    values = system.values.astype(float)
    res = linprog(np.zeros(n_atoms), A_eq=a, b_eq=values, bounds=(0, None), method="highs")
    if res.status == 0 and feasible(a, pattern, np.asarray(res.x)):
        return np.asarray(res.x), 1
    soft = np.flatnonzero(system.frozen_visible & ~hidden)
    k = len(soft)
    slack = sp.csr_matrix((np.concatenate([np.ones(k), -np.ones(k)]),
                           (np.concatenate([soft, soft]), np.arange(2 * k))),
                          shape=(n_cells, 2 * k))
    full = sp.hstack([a, slack]).tocsr()
    eq = pattern.lower == pattern.upper
    cost = np.concatenate([np.zeros(n_atoms), np.ones(2 * k)])
    res = linprog(cost, A_ub=-full[~eq], b_ub=-pattern.lower[~eq], A_eq=full[eq],
                  b_eq=pattern.lower[eq], bounds=(0, None), method="highs")
    if res.status != 0:
        raise ValueError("cell values contradict each other outside the frozen cells")
    x = np.asarray(res.x)
    moved = soft[(x[n_atoms:n_atoms + k] + x[n_atoms + k:]) > TOL]
    if len(moved):
        cells = "、".join(str(int(c)) for c in moved)
        raise BuildError(
            f"早前发布的数值与本次数据矛盾：单元格 {cells} 的已公布数值与本次要发布的其余数值"
            "不能同时成立。请核对发布记录中这些单元格的数值和本次数据；若数据确有修订，"
            "请在发布记录中登记修订并说明原因，再重新生成。")
    return x[:n_atoms], 2


def goals(system: CellSystem, k: int,
          only: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The lower and upper goal of each sensitive cell: 1 and k−1 unless the data forbid.

    Whatever is hidden, the attacker knows every non-zero cell is ≥ 1 and every constant
    (frozen-visible cell, zero) is at its value. A cell of value 2 made of two sub-cells of 1
    can never look like 1; a cell inside a constant of 3 whose other atoms sit in non-zero
    cells can never look like 3. The goals are then the LP min and max of the cell over a
    region (its atoms and those of the constants overlapping it) under those facts alone,
    with cells partly outside the region left out: the region's bounds are at least as wide
    as the whole system's, so a goal is never easier than the truth. An LP runs only where a
    crude bound says the goals could differ from 1 and k−1. `only`: for these cells only.
    """
    a = system.incidence.tocsr()
    n_cells = a.shape[0]
    low, high = np.ones(n_cells), np.full(n_cells, float(k - 1))
    sens = np.flatnonzero(system.sensitive) if only is None else np.asarray(only)
    if not len(sens):
        return low, high
    size = np.diff(a.indptr)
    values = system.values.astype(float)
    fixed = system.frozen_visible | (system.values <= 0)
    frozen = np.flatnonzero(fixed & (size > 0))
    nonzero = np.flatnonzero((size > 0) & ~fixed)
    # a sub-cell (every atom inside) other than the cell itself forces the floor above 1
    within = (a[nonzero] @ a[sens].T).tocoo()
    sub = (within.data == size[nonzero[within.row]]) & (nonzero[within.row] != sens[within.col])
    count = np.bincount(within.col[sub], minlength=len(sens))
    todo = count >= 2
    overlap = (a[frozen] @ a[sens].T).tocoo()
    # a constant overlapping the cell caps it only if its other atoms leave too little room
    room = values[frozen[overlap.row]] - (size[frozen[overlap.row]] - overlap.data)
    todo[overlap.col[room < k - 1]] = True
    todo[overlap.col[overlap.data == size[frozen[overlap.row]]]] = True  # constant inside
    a_csc = a.tocsc()
    for j in np.flatnonzero(todo):
        s = int(sens[j])
        touching = np.unique(a_csc[:, a[s].indices].indices)
        cols = np.union1d(a[s].indices, a[touching[fixed[touching]]].indices)
        rows = np.unique(a_csc[:, cols].indices)
        inside = rows[size[rows] == np.asarray(a[rows][:, cols].sum(axis=1)).ravel()]
        inside = inside[inside != s]
        block = a[inside][:, cols]
        eq = fixed[inside]
        c = a[s][:, cols].toarray().ravel()
        bounds = []
        for sign in (1.0, -1.0):
            res = linprog(sign * c, A_ub=-block[~eq], b_ub=-np.minimum(values[inside][~eq], 1.0),
                          A_eq=block[eq] if eq.any() else None,
                          b_eq=values[inside][eq] if eq.any() else None,
                          bounds=(0, None), method="highs")
            bounds.append(sign * float(res.fun) if res.status == 0 else float(values[s]))
        low[s] = max(1.0, bounds[0])
        high[s] = min(float(k - 1), bounds[1])
    return low, high

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

    The caller's true atoms or the previous base when they still fit; else an elastic LP
    over the whole system, whose non-zero slacks name the earlier constants that contradict
    the data (BuildError).
    """
    a = system.incidence.tocsr()
    pattern = pattern_of(system, hidden)
    for x in (system.atoms, None if previous is None else previous.base):
        if x is not None and len(x) == a.shape[1] and feasible(a, pattern, x.astype(float)):
            return x.astype(float), 0
    n_cells, n_atoms = a.shape
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
    return x[:n_atoms], 1


def floors(system: CellSystem, only: np.ndarray | None = None) -> np.ndarray:
    """The least sum the "hidden ≥ 1" facts alone force on each cell (at least 1).

    A sensitive cell of value 2 made of two hidden sub-cells of value 1 can never look like 1:
    the attacker knows each sub-cell is at least 1, whatever else is hidden. Its lower goal
    is then 2 (the value "k−1 stays possible" is unaffected). The floor is the set-cover LP
    min Σ x over the cell's atoms with every required-hidden cell inside it at least 1.
    `only`: compute it for these sensitive cells only (the rest get 1).
    """
    a = system.incidence.tocsr()
    out = np.ones(a.shape[0])
    req = np.flatnonzero(system.sensitive | system.frozen_hidden)
    sens = np.flatnonzero(system.sensitive) if only is None else np.asarray(only)
    if not len(req) or not len(sens):
        return out
    size = np.diff(a.indptr)[req]
    inside = (a[req] @ a[sens].T).tocoo()  # overlap of required cell i with sensitive cell j
    sub = (inside.data == size[inside.row]) & (req[inside.row] != sens[inside.col])
    pairs_h, pairs_s = req[inside.row[sub]], sens[inside.col[sub]]
    for s in np.unique(pairs_s):
        subs = pairs_h[pairs_s == s]
        if len(subs) < 2:
            continue
        cols = a[s].indices
        block = a[subs][:, cols]
        lower = np.minimum(system.values[subs], 1).astype(float)
        res = linprog(np.ones(len(cols)), A_ub=-block, b_ub=-lower, bounds=(0, None),
                      method="highs")
        if res.status == 0:
            out[s] = max(1.0, float(res.fun))
    return out

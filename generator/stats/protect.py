"""Disclosure control that survives an attacker (issue 9 part 8), generic over cell systems.

Every published count cell is a sum of atoms. The attacker knows every visible cell's value
(an equality), that every hidden cell is at least 1 (zeros are always published) and the
constants of earlier releases; atoms are real and ≥ 0 (the LP relaxation). A sensitive cell
(1..k−1 complainants) is protected when the attacker's tightest bounds on it include both 1
and k−1.

`protect` hides complementary cells until every sensitive cell holds two witnesses: atom
vectors feasible for the attacker, one giving the cell ≤ 1, one ≥ k−1. Hiding a cell only
relaxes the attacker's constraints (its equality becomes ≥ 1, which its value satisfies), so a
witness stays valid while hiding grows: each cell is settled once. Witnesses are a shared
feasible point plus sparse changes (generator.stats.protect_check verifies them in
milliseconds, `check`; `audit` recomputes bounds independently).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from generator.errors import BuildError
from generator.stats.protect_base import (
    CellSystem,
    Certificates,
    Leak,
    feasible_point,
    floors,
    pattern_of,
)
from generator.stats.protect_check import audit, check, witness_valid
from generator.stats.protect_lp import TOL, Local, Pattern, batch, local, neighbourhood, repair

__all__ = ["CellSystem", "Certificates", "Leak", "Protection", "audit", "check", "protect"]

HOPS = 2
"""Steps of a cell's neighbourhood (through hidden and small cells) in its own LP."""
SMALL = 64
"""Visible cells with at most this many atoms are crossed when growing a neighbourhood."""
CAP = 1500
"""Atoms at which a neighbourhood stops growing (LP time grows faster than its size)."""


@dataclass(frozen=True)
class Protection:
    """The result of `protect`.

    hidden: final hiding pattern (⊇ sensitive | frozen_hidden); certificates: the witnesses
    proving each sensitive cell protected under it; rounds: repairs made (each hid one set of
    complementary cells); lps_solved: LPs solved in all.
    """

    hidden: np.ndarray
    certificates: Certificates
    rounds: int
    lps_solved: int


class _Witnesses:
    """Witnesses collected during one `protect` run (sparse changes to the base point)."""

    def __init__(self, n_atoms: int) -> None:
        self.n = n_atoms
        self.cols: list[np.ndarray] = [np.zeros(0, np.int64)]
        self.vals: list[np.ndarray] = [np.zeros(0)]

    def add(self, cols: np.ndarray, delta: np.ndarray) -> int:
        keep = np.abs(delta) > 1e-12
        self.cols.append(cols[keep].astype(np.int64))
        self.vals.append(delta[keep])
        return len(self.cols) - 1

    def matrix(self) -> sp.csr_matrix:
        indptr = np.concatenate([[0], np.cumsum([len(c) for c in self.cols])])
        return sp.csr_matrix((np.concatenate(self.vals), np.concatenate(self.cols), indptr),
                             shape=(len(self.cols), self.n))


def protect(system: CellSystem, k: int, previous: Certificates | None = None) -> Protection:
    """Hide complementary cells until every sensitive cell is protected; see the module doc.

    `previous`: certificates of an earlier run on the same cells and atoms; its hiding
    pattern is the starting point and its still-valid witnesses are kept, so an unchanged
    system solves no LP.
    """
    a = system.incidence.tocsr()
    hidden = system.sensitive | system.frozen_hidden
    _refuse_contradictions(system, hidden)
    if previous is not None and previous.hidden.shape == hidden.shape:
        hidden = hidden | (previous.hidden & (system.values > 0) & ~system.frozen_visible)
    x0, lps = feasible_point(system, hidden, previous)
    sums0 = a @ x0
    weight = (system.cost if system.cost is not None else system.values).astype(float)
    n_cells = a.shape[0]
    run = _Run(system, k, a, a.tocsc(), x0, sums0, hidden.copy(), pattern_of(system, hidden),
               np.maximum(weight, 1e-3), _Witnesses(a.shape[1]),
               np.full(n_cells, -1, np.int64), np.full(n_cells, -1, np.int64), floors(system),
               lps)
    sens = np.flatnonzero(system.sensitive)
    run.low[sens[sums0[sens] <= run.goal_low[sens] + TOL]] = 0
    run.high[sens[sums0[sens] >= k - 1 - TOL]] = 0
    if previous is not None:
        _reuse(previous, run)
    for table in (run.high, run.low):
        _batches(run, table)
    for s in sens:
        for table in (run.high, run.low):
            if table[s] < 0:
                _settle(run, int(s), table is run.high)
    certs = Certificates(base=x0, hidden=run.hidden.copy(), deltas=run.store.matrix(),
                         low=run.low, high=run.high)
    return Protection(hidden=run.hidden, certificates=certs, rounds=run.rounds,
                      lps_solved=run.lps)


@dataclass
class _Run:
    """State of one `protect` run: the system's matrices, pattern and witnesses."""

    system: CellSystem
    k: int
    a: sp.csr_matrix
    a_csc: sp.csc_matrix
    x0: np.ndarray
    sums0: np.ndarray
    hidden: np.ndarray
    pattern: Pattern
    weight: np.ndarray
    store: _Witnesses
    low: np.ndarray
    high: np.ndarray
    goal_low: np.ndarray
    lps: int = 0
    rounds: int = 0

    def goal(self, cells: np.ndarray, upward: bool) -> np.ndarray:
        """What each cell's sum must reach: k−1 upward, its floor (usually 1) downward."""
        return np.full(len(cells), self.k - 1.0) if upward else self.goal_low[cells]

    def lp_around(self, seeds: np.ndarray, wide: bool = False) -> Local:
        hops, cap = (HOPS + 4, self.a.shape[1]) if wide else (HOPS, CAP)
        cols = neighbourhood(self.a, self.a_csc, self.hidden, seeds, hops, SMALL, cap)
        return local(self.a, self.a_csc, self.x0, self.sums0, cols)

    def record(self, lp: Local, x: np.ndarray) -> None:
        """Store x as a witness and give it to every sensitive row of lp it settles."""
        sums = lp.matrix @ x + lp.offset
        rows = lp.rows
        sens = self.system.sensitive[rows]
        up = sens & (self.high[rows] < 0) & (sums >= self.k - 1 - TOL)
        down = sens & (self.low[rows] < 0) & (sums <= self.goal_low[rows] + TOL)
        if up.any() or down.any():
            w = self.store.add(lp.cols, x - self.x0[lp.cols])
            self.high[rows[up]] = w
            self.low[rows[down]] = w

    def hide(self, cells: np.ndarray) -> None:
        self.hidden[cells] = True
        self.pattern.lower[cells] = np.minimum(self.system.values[cells], 1.0)
        self.pattern.upper[cells] = np.inf
        self.pattern.hideable[cells] = False


def _refuse_contradictions(system: CellSystem, hidden: np.ndarray) -> None:
    """A sensitive cell an earlier release published cannot be protected any more."""
    if (system.frozen_hidden & system.frozen_visible).any():
        raise ValueError("a cell is both frozen hidden and frozen visible")
    if (system.sensitive & (system.values <= 0)).any():
        raise ValueError("a sensitive cell has no positive value")
    bad = np.flatnonzero(system.sensitive & system.frozen_visible)
    if len(bad):
        cells = "、".join(str(int(c)) for c in bad)
        raise BuildError(
            f"单元格 {cells} 的诉求人少于 k，必须隐藏，但早前的版本已公布其数值（冻结可见）。"
            "已公布的小数值无法收回：请在发布记录中核对这些单元格，并改为更粗的层级或更长的"
            "周期发布这张表，使其不再落在小单元格上。")


def _reuse(previous: Certificates, run: _Run) -> None:
    """Keep the previous witnesses that still hold (same base point, same cells)."""
    if previous.low.shape != run.low.shape or not np.array_equal(previous.base, run.x0):
        return
    valid, sums = witness_valid(run.a, run.pattern, previous)
    moved: dict[int, int] = {0: 0}
    for table, old, upward in ((run.high, previous.high, True), (run.low, previous.low, False)):
        cells = np.flatnonzero(run.system.sensitive & (table < 0) & (old >= 0))
        cells = cells[valid[old[cells]]]
        value = sums(cells, old[cells])
        good = value >= run.goal(cells, upward) - TOL if upward else (
            value <= run.goal(cells, upward) + TOL)
        for s in cells[good]:
            j = int(old[s])
            if j not in moved:
                row = previous.deltas.getrow(j)
                moved[j] = run.store.add(row.indices, row.data)
            table[s] = moved[j]


def _batches(run: _Run, table: np.ndarray) -> None:
    """One LP per neighbourhood bringing all its unsettled sensitive cells to the goal."""
    upward = table is run.high
    tried = np.zeros(len(table), bool)
    for s in np.flatnonzero(run.system.sensitive & (table < 0)):
        if tried[s] or table[s] >= 0:
            continue
        lp = run.lp_around(np.array([s]))
        rows = run.system.sensitive[lp.rows] & (table[lp.rows] < 0) & ~tried[lp.rows]
        tried[lp.rows[rows]] = True
        targets = np.flatnonzero(rows)
        x = batch(lp, run.pattern, targets, run.goal(lp.rows[targets], upward), upward)
        run.lps += 1
        if x is not None:
            run.record(lp, x)


def _settle(run: _Run, s: int, upward: bool) -> None:
    """Settle one side of cell s: its own LP, else the cheapest repair that hides cells."""
    goal = float(run.goal(np.array([s]), upward)[0])
    table = run.high if upward else run.low
    for wide in (False, True):
        lp = run.lp_around(np.array([s]), wide)
        target = int(np.searchsorted(lp.rows, s))
        x = batch(lp, run.pattern, np.array([target]), np.array([goal]), upward)
        run.lps += 1
        if x is not None:
            run.record(lp, x)
            if table[s] >= 0:
                return
        fixed = repair(lp, run.pattern, target, goal, upward, run.weight)
        run.lps += 1
        if fixed is not None:
            x, cells = fixed
            run.hide(cells)
            run.rounds += 1
            run.record(lp, x)
            if table[s] >= 0:
                return
    side = f"上界无法达到 {run.k - 1}" if upward else f"下界无法降到 {goal:g}"
    raise BuildError(
        f"敏感单元格 {s} 无法保护：即使隐藏其周围所有可隐藏的单元格，攻击者算出的取值范围仍太窄"
        f"（{side}），因为相关单元格已由早前版本公布（冻结可见）或为零。请改为更粗的层级或更长的"
        "周期发布包含该单元格的表，或在发布记录中核对相关的冻结单元格。")

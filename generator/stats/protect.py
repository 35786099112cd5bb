"""Disclosure control that survives an attacker (issue 9 part 8), generic over cell systems.

Every published count cell is a sum of atoms. The attacker knows every visible cell's value
(an equality), that every hidden cell is at least 1 (zeros are always published) and the
constants of earlier releases; atoms are real and ≥ 0 (the LP relaxation). A sensitive cell
(1..k−1 complainants) is protected when the attacker's tightest bounds on it include its
lower goal (1, or what the ≥ 1 facts and the constants force) and its upper goal (k−1, or
less under a smaller constant): protect_base.goals.

`protect` hides complementary cells until every sensitive cell holds two witnesses: atom
vectors feasible for the attacker, one giving the cell its lower goal, one its upper goal.
Hiding a cell only relaxes the attacker's constraints (its equality becomes ≥ 1, which its
value satisfies), so a witness stays valid while hiding grows: each cell is settled once.

Method: each witness comes from one elastic LP over the whole system (protect_lp.elastic)
for a group of unsettled cells at once, pushing all of them the same way; the visible cells
it has to move are hidden. Cells pushed together compete for the same room, so the first
round splits them into random groups; later rounds take the rest together, and what is still
unsettled gets an LP of its own. Witnesses are a shared feasible point (the true atoms, or
atoms adding up to every true value) plus sparse changes, so generator.stats.protect_check
verifies them in milliseconds (`check`); `audit` recomputes bounds independently.
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
    goals,
    pattern_of,
)
from generator.stats.protect_check import audit, check, witness_valid
from generator.stats.protect_lp import TOL, Pattern, elastic

__all__ = ["CellSystem", "Certificates", "Leak", "Protection", "audit", "check", "protect"]

GROUP = 150
"""Cells pushed together in the first round's LPs (fewer compete less, but cost more LPs)."""
ROUNDS = 4
"""Rounds of one LP over all unsettled cells after the first, while they settle more."""


@dataclass(frozen=True)
class Protection:
    """The result of `protect`.

    hidden: final hiding pattern (⊇ sensitive | frozen_hidden); certificates: the witnesses
    proving each sensitive cell protected under it; rounds: LPs that hid cells; lps_solved:
    LPs solved in all.
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


@dataclass
class _Run:
    """State of one `protect` run: the system, pattern, goals and witnesses."""

    system: CellSystem
    a: sp.csr_matrix
    x0: np.ndarray
    hidden: np.ndarray
    pattern: Pattern
    weight: np.ndarray
    store: _Witnesses
    low: np.ndarray
    high: np.ndarray
    goal_low: np.ndarray
    goal_high: np.ndarray
    lps: int = 0
    rounds: int = 0

    def table(self, upward: bool) -> np.ndarray:
        return self.high if upward else self.low

    def goal(self, upward: bool) -> np.ndarray:
        return self.goal_high if upward else self.goal_low

    def todo(self, upward: bool) -> np.ndarray:
        return np.flatnonzero(self.system.sensitive & (self.table(upward) < 0))

    def push(self, targets: np.ndarray, upward: bool) -> None:
        """One elastic LP for `targets`: hide what it moves, keep its vector as a witness."""
        x, moved = elastic(self.a, self.pattern, targets, self.goal(upward)[targets], upward,
                           self.weight)
        self.lps += 1
        if len(moved):
            self.hide(moved)
            self.rounds += 1
        sums = self.a @ x
        sens = self.system.sensitive
        up = sens & (self.high < 0) & (sums >= self.goal_high - TOL)
        down = sens & (self.low < 0) & (sums <= self.goal_low + TOL)
        if up.any() or down.any():
            w = self.store.add(np.arange(len(x)), x - self.x0)
            self.high[up] = w
            self.low[down] = w

    def hide(self, cells: np.ndarray) -> None:
        self.hidden[cells] = True
        self.pattern.lower[cells] = np.minimum(self.system.values[cells], 1.0)
        self.pattern.upper[cells] = np.inf
        self.pattern.hideable[cells] = False


def protect(system: CellSystem, k: int, previous: Certificates | None = None,
            seed: int = 0) -> Protection:
    """Hide complementary cells until every sensitive cell is protected; see the module doc.

    `previous`: certificates of an earlier run on the same cells and atoms; its hiding
    pattern is the starting point and its still-valid witnesses are kept, so an unchanged
    system solves no LP. `seed`: the first round's random grouping (results are repeatable).
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
    run = _Run(system, a, x0, hidden.copy(), pattern_of(system, hidden),
               np.maximum(weight, 1e-3), _Witnesses(a.shape[1]),
               np.full(n_cells, -1, np.int64), np.full(n_cells, -1, np.int64),
               *goals(system, k), lps)
    sens = np.flatnonzero(system.sensitive)
    run.low[sens[sums0[sens] <= run.goal_low[sens] + TOL]] = 0
    run.high[sens[sums0[sens] >= run.goal_high[sens] - TOL]] = 0
    if previous is not None:
        _reuse(previous, run)
    rng = np.random.default_rng(seed)
    for upward in (True, False):
        todo = run.todo(upward)
        for group in np.array_split(rng.permutation(todo), max(1, -(-len(todo) // GROUP))):
            group = np.sort(group[run.table(upward)[group] < 0])
            if len(group):
                run.push(group, upward)
        for _ in range(ROUNDS):
            todo = run.todo(upward)
            if not len(todo):
                break
            run.push(todo, upward)
            if len(run.todo(upward)) == len(todo):
                break
        for s in run.todo(upward):
            if run.table(upward)[s] < 0:
                run.push(np.array([s]), upward)
            if run.table(upward)[s] < 0:
                _refuse(run, int(s), upward)
    certs = Certificates(base=x0, hidden=run.hidden.copy(), deltas=run.store.matrix(),
                         low=run.low, high=run.high)
    return Protection(hidden=run.hidden, certificates=certs, rounds=run.rounds,
                      lps_solved=run.lps)


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


def _refuse(run: _Run, s: int, upward: bool) -> None:
    """The whole-system LP of cell s alone, with every visible cell free to be hidden, misses
    its goal: only the constants (frozen-visible cells, zeros) can pin it."""
    goal = float(run.goal(upward)[s])
    side = f"上界达不到 {goal:g}" if upward else f"下界降不到 {goal:g}"
    raise BuildError(
        f"敏感单元格 {s} 无法保护：即使隐藏所有可隐藏的单元格，攻击者仅凭早前版本已公布的数值"
        f"（冻结可见）和已公布的零，算出的取值范围仍太窄（{side}）。隐藏更多单元格也无济于事："
        "请改为更粗的层级或更长的周期发布包含该单元格的表，或在发布记录中核对相关的冻结单元格。")


def _reuse(previous: Certificates, run: _Run) -> None:
    """Keep the previous witnesses that still hold (same base point, same cells)."""
    if previous.low.shape != run.low.shape or not np.array_equal(previous.base, run.x0):
        return
    valid, sums = witness_valid(run.a, run.pattern, previous)
    moved: dict[int, int] = {0: 0}
    for upward in (True, False):
        table, old = run.table(upward), previous.high if upward else previous.low
        cells = np.flatnonzero(run.system.sensitive & (table < 0) & (old >= 0))
        cells = cells[valid[old[cells]]]
        value = sums(cells, old[cells])
        goal = run.goal(upward)[cells]
        good = value >= goal - TOL if upward else value <= goal + TOL
        for s in cells[good]:
            j = int(old[s])
            if j not in moved:
                row = previous.deltas.getrow(j)
                moved[j] = run.store.add(row.indices, row.data)
            table[s] = moved[j]

"""Disclosure engine (generator.stats.protect) on hand-computable cell systems.

Each system lists cells as the atoms they add up; atoms are the interior cells of small
tables, so every bound below can be worked out by hand.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from generator.errors import BuildError
from generator.stats.disclosure import complementary
from generator.stats.protect import CellSystem, Leak, audit, check, protect

K = 5


def system(cells: list[list[int]], atoms: list[int], sensitive: list[int],
           frozen_visible: tuple[int, ...] = (), values: dict[int, int] | None = None,
           known_atoms: bool = True) -> CellSystem:
    """Cells as atom lists; values are the atom sums unless overridden (constants)."""
    rows = np.repeat(np.arange(len(cells)), [len(c) for c in cells])
    cols = np.concatenate([np.asarray(c, np.int64) for c in cells])
    a = sp.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(len(cells), len(atoms)))
    v = (a @ np.asarray(atoms)).astype(np.int64)
    for cell, value in (values or {}).items():
        v[cell] = value
    mask = np.zeros(len(cells), bool)
    sens, frozen = mask.copy(), mask.copy()
    sens[list(sensitive)] = True
    frozen[list(frozen_visible)] = True
    return CellSystem(a, v, sens, mask.copy(), frozen,
                      atoms=np.asarray(atoms, float) if known_atoms else None)


# 2×2 table [[1, 9], [7, 6]]: cells 0-3 interior, 4-5 row margins, 6-7 column margins, 8 total
TABLE = [[0], [1], [2], [3], [0, 1], [2, 3], [0, 2], [1, 3], [0, 1, 2, 3]]


def test_two_by_two_hides_the_rectangle() -> None:
    s = system(TABLE, [1, 9, 7, 6], [0])
    assert audit(s, s.sensitive, K) == [Leak(0, 1.0, 1.0)]  # 10 − 9
    p = protect(s, K)
    assert p.hidden.tolist() == [True] * 4 + [False] * 5
    assert audit(s, p.hidden, K) == []
    assert check(s, p.hidden, K, p.certificates) == []


# one row [1, 2, 10, 20] with its margin 33 (cell 4)
ROW = [[0], [1], [2], [3], [0, 1, 2, 3]]


def test_naive_rule_leaves_the_small_pair_narrowed() -> None:
    s = system(ROW, [1, 2, 10, 20], [0, 1])
    cells = pd.DataFrame({"row": ["r"] * 4, "size": [1, 2, 10, 20]})
    naive = complementary(cells, "size", np.array([True, True, False, False]), [["row"]])
    hidden = np.append(naive, False)
    assert hidden.tolist() == [True, True, False, False, False]
    # the two hidden cells add up to 33 − 30 = 3 and each is ≥ 1: both lie in [1, 2]
    assert audit(s, hidden, K) == [Leak(0, 1.0, 2.0), Leak(1, 1.0, 2.0)]
    p = protect(s, K)
    assert p.hidden.tolist() == [True, True, True, False, False]  # 10 is the cheapest
    assert audit(s, p.hidden, K) == []


def test_alone_among_zeros_hides_across_the_other_margin() -> None:
    # rows [3, 0, 0] and [6, 8, 9]: zero cells hold no atom; atoms (0,0) (1,0) (1,1) (1,2)
    cells = [[0], [], [], [1], [2], [3],  # interior cells 0-5
             [0], [1, 2, 3],  # row margins 6-7: row 0's margin is the cell itself
             [0, 1], [2], [3],  # column margins 8-10
             [0, 1, 2, 3]]  # total 11
    s = system(cells, [3, 6, 8, 9], [0, 6])
    p = protect(s, K)
    assert not p.hidden[[1, 2]].any()  # zeros stay published
    assert p.hidden[3]  # column 0 = 9 gives cell 0 as 9 − 6 unless (1,0) is hidden
    assert audit(s, p.hidden, K) == []
    assert check(s, p.hidden, K, p.certificates) == []


def test_planted_leak_is_found_by_audit_and_check() -> None:
    s = system(TABLE, [1, 9, 7, 6], [0])
    p = protect(s, K)
    planted = p.hidden.copy()
    planted[3] = False  # un-hide the complementary cell 6: row 1 gives 13 − 6 = 7, so 8 − 7
    assert audit(s, planted, K) == [Leak(0, 1.0, 1.0)]
    assert check(s, planted, K, p.certificates) == [0]
    row = system(ROW, [1, 2, 10, 20], [0, 1])
    q = protect(row, K)
    planted = q.hidden.copy()
    planted[2] = False
    assert audit(row, planted, K) == [Leak(0, 1.0, 2.0), Leak(1, 1.0, 2.0)]
    assert check(row, planted, K, q.certificates) == [0, 1]


# row [2, 9, 10] with margin 21 (cell 3); cell 4 adds atoms 0 and 2 (an earlier aggregate)
SHORT = [[0], [1], [2], [0, 1, 2]]


def test_constants_narrow_and_stay_visible() -> None:
    alone = protect(system(SHORT, [2, 9, 10], [0]), K)
    assert alone.hidden.tolist() == [True, True, False, False]  # cell 0 in [1, 10]
    # x0 + x2 = 12 published earlier: hiding 9 leaves x0 = 12 − 10 = 2, so the dearer 10 is
    # hidden instead (x0 + x2 = 12, x2 ≥ 1: x0 in [1, 11]) and the constant stays visible
    s = system([*SHORT, [0, 2]], [2, 9, 10], [0], frozen_visible=(4,))
    p = protect(s, K)
    assert p.hidden.tolist() == [True, False, True, False, False]
    assert audit(s, p.hidden, K) == []
    # cell 1 published earlier: the next cheapest, 10, is hidden instead
    f = system(SHORT, [2, 9, 10], [0], frozen_visible=(1,))
    assert protect(f, K).hidden.tolist() == [True, False, True, False]


def test_contradicting_constants_are_refused() -> None:
    s = system([*SHORT, [0, 2]], [2, 9, 10], [0], frozen_visible=(4,), values={4: 30},
               known_atoms=False)
    with pytest.raises(BuildError) as err:
        protect(s, K)
    assert err.value.message == (
        "早前发布的数值与本次数据矛盾：单元格 4 的已公布数值与本次要发布的其余数值"
        "不能同时成立。请核对发布记录中这些单元格的数值和本次数据；若数据确有修订，"
        "请在发布记录中登记修订并说明原因，再重新生成。")


def test_unprotectable_cell_is_refused() -> None:
    s = system([[0], [1], [0, 1]], [2, 9], [0], frozen_visible=(1, 2))
    with pytest.raises(BuildError) as err:
        protect(s, K)
    assert err.value.message == (
        "敏感单元格 0 无法保护：即使隐藏所有可隐藏的单元格，攻击者仅凭早前版本已公布的数值"
        "（冻结可见）和已公布的零，算出的取值范围仍太窄（上界达不到 4）。隐藏更多单元格也无济于事："
        "请改为更粗的层级或更长的周期发布包含该单元格的表，或在发布记录中核对相关的冻结单元格。")


def test_nested_hidden_cells_set_the_lower_goal() -> None:
    # cell 2 = atoms 0 + 1 = 2, each atom a hidden cell of 1: it can never look like 1
    s = system([[0], [1], [0, 1], [0, 1, 2]], [1, 1, 30], [0, 1, 2])
    p = protect(s, K)
    assert audit(s, p.hidden, K) == []
    assert p.hidden.tolist() == [True, True, True, False]
    assert check(s, p.hidden, K, p.certificates) == []


def test_previous_certificates_solve_no_lp() -> None:
    s = system(TABLE, [1, 9, 7, 6], [0])
    first = protect(s, K)
    again = protect(s, K, previous=first.certificates)
    assert again.hidden.tolist() == first.hidden.tolist()
    assert again.lps_solved == 0


def cube_system(values: np.ndarray, sensitive: set[tuple[int, int, int]]) -> CellSystem:
    """A district × month × category table with every coarser margin, as real systems are.

    Atoms are the interior cells; cells are the interior (first, in C order) and the sums
    over every subset of the axes, down to the grand total.
    """
    shape = values.shape
    index = np.arange(values.size).reshape(shape)
    cells: list[list[int]] = []
    for keep in itertools.product((True, False), repeat=3):
        kept = [ax for ax in range(3) if keep[ax]]
        for key in itertools.product(*(range(shape[ax]) for ax in kept)):
            pick = [slice(None)] * 3
            for ax, v in zip(kept, key, strict=True):
                pick[ax] = v  # type: ignore[call-overload]
            cells.append(sorted(index[tuple(pick)].ravel().tolist()))
    flat = values.ravel().tolist()
    sens = [int(index[c]) for c in sensitive]
    return system(cells, flat, sens)


# 2 districts × 2 months × 3 categories; one small cell, (0, 0, 0) = 2
CUBE = np.array([[[2, 7, 9], [6, 8, 5]], [[5, 6, 7], [9, 5, 8]]])


def test_cube_table_protect_and_audit_agree() -> None:
    s = cube_system(CUBE, {(0, 0, 0)})
    # primary hiding alone: district 0 × month 0 = 18 gives (0, 0, 0) = 18 − 7 − 9
    assert audit(s, s.sensitive, K) == [Leak(0, 2.0, 2.0)]
    p = protect(s, K)
    assert audit(s, p.hidden, K) == []
    assert check(s, p.hidden, K, p.certificates) == []
    # every line through the small cell (along any axis) hides at least one other cell
    inner = p.hidden[:12].reshape(CUBE.shape)
    assert inner[1:, 0, 0].any() and inner[0, 1:, 0].any() and inner[0, 0, 1:].any()
    assert int(inner.sum()) >= 8  # the least pattern with all 2-D margins: a 2×2×2 cube


def test_cube_planted_leak_is_caught() -> None:
    s = cube_system(CUBE, {(0, 0, 0)})
    p = protect(s, K)
    planted = p.hidden.copy()
    planted[12:] = False  # no margin hidden
    line = [i for i in (1, 2) if p.hidden[i]]  # (0, 0, 1), (0, 0, 2): the category line
    planted[line] = False  # publish the other cells of district 0 × month 0: 18 − 7 − 9
    assert audit(s, planted, K) == [Leak(0, 2.0, 2.0)]
    assert check(s, planted, K, p.certificates) == [0]

"""Which published cells to hide: every count cell mapped to the atoms it sums, then the
LP engine of stats.protect decides (cells below k and enough others that no bound narrows).

Why the cells can be protected in separate systems, each a conservative model of the
attacker (one who knows at least as much as the real one, so protection against it holds):

- Two tables that refine a common table along different dimensions are linked only through
  that common table. Any values of the two that agree on it can be completed to finer atoms
  (a transportation problem with equal row and column totals is always feasible), so nothing
  else is learnt from their combination. Fixing the common table at its true values, as if it
  were published, only adds to what the attacker knows.
- The cube (region × time × subject) splits so into the district branch (the city and the
  districts by month and category and everything coarser: atoms district × month × category)
  and the street branch (streets by quarter and over the ranking window of whole quarters:
  atoms street × quarter), joined at the district and city totals of those periods, which
  the street branch treats as known where the district branch publishes them.
- The kpis closed counts (the n of the on-time rate) are a flag of the cube: its atoms are
  split into closed and open records, so the attacker's closed ≤ total holds atom by atom
  (where a whole period is closed, a hidden total and its closed count are one unknown).
- A warning publishes a street × month × category count; both systems treat the cube cell
  holding it as known (district × month × category, street × quarter × element).
- A side table (channel, source, tier, hour × weekday, week parts, urgency) refines the cube
  along a dimension no other table uses: its system holds its cells and its margins, the
  cube cells it adds up to, as constants (or hidden where the cube hides them).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from generator.stats.cells import CITY_CODE, KEYS, join_side
from generator.stats.disclosure import primary
from generator.stats.periods import ALL, months_of_quarter, quarter_of
from generator.stats.protect import CellSystem
from generator.stats.protect_cache import protect_cached

MARGIN = "*"
"""side_key of a side family's margin cells (the sum over the side dimensions)."""


INTERVAL = re.compile(r"^(\d{4}-\d{2})/(\d{4}-\d{2})$")
"""A period given by its first and last month: the ranking window, and the cumulative periods
of earlier releases ('all' and partial years or quarters, as stats.history records them)."""


def _in_interval(atoms: pd.DataFrame, label: str, quarters: bool) -> pd.Series:
    """`label` for the atoms whose months lie in the interval, '-' for the others."""
    match = INTERVAL.match(label)
    assert match is not None
    first, last = match.groups()
    if quarters:  # street atoms are whole quarters: inside when all three months are
        starts = atoms["quarter"].astype(str).map(lambda q: months_of_quarter(q)[0])
        ends = atoms["quarter"].astype(str).map(lambda q: months_of_quarter(q)[-1])
        inside = (starts >= first) & (ends <= last)
    else:
        month = atoms["month"].astype(str)
        inside = (month >= first) & (month <= last)
    return pd.Series(np.where(inside, label, "-"), index=atoms.index)


def _labels(atoms: pd.DataFrame, dims: Sequence[str], week: bool, quarters: bool = False,
            intervals: Sequence[str] = ()) -> dict[str, list[pd.Series]]:
    """For each canonical key, the labels of every cell level an atom belongs to."""
    n = len(atoms)

    def const(value: str) -> pd.Series:
        return pd.Series([value] * n, index=atoms.index)

    if "month" not in atoms and "quarter" not in atoms and "week" not in atoms:
        time = [const(ALL)]
    elif week:
        time = [atoms["week"].astype(str), atoms["month"].astype(str)]
    else:
        time = ([] if quarters else [atoms["month"].astype(str)]) + [
            atoms["quarter"].astype(str), atoms["year"].astype(str), const(ALL)]
        time += [_in_interval(atoms, label, quarters) for label in intervals]
    region = ([atoms["street_code"].astype(str)] if "street_code" in atoms else []) + (
        [atoms["district_code"].astype(str)] if "district_code" in atoms else []) + [
        const(CITY_CODE)]
    subject = ([("c:" + atoms["category"].astype(str))] if "category" in dims else [])
    subject += ([("e:" + atoms["element"].astype(str))] if "element" in dims else [])
    subject.append(const("all"))
    side_dims = [d for d in dims if d not in ("element", "category")]
    # Every non-empty subset of the side dimensions: tables refining the cube along different
    # side dimensions protected together (by_channel and by_source) each select theirs.
    subsets = [list(c) for size in range(len(side_dims), 0, -1)
               for c in itertools.combinations(side_dims, size)]
    side = ([join_side(atoms, subset) for subset in subsets] + [const(MARGIN)]
            if side_dims else [const("")])
    return {"time_key": time, "region_key": region, "subject_key": subject, "side_key": side}


def incidence(cells: pd.DataFrame, atoms: pd.DataFrame, dims: Sequence[str],
              week: bool = False, quarters: bool = False) -> sp.csr_matrix:
    """cells × atoms 0/1 matrix: which atoms each cell (its KEYS) adds up."""
    intervals = sorted({t for t in cells["time_key"].astype(str) if INTERVAL.match(t)})
    labels = _labels(atoms, dims, week, quarters, intervals)
    # Each key as an integer code over the cells' own labels (-1: no such cell), combined into
    # one int64 per key tuple, so matching is array lookups rather than string joins.
    vocab = {key: pd.Index(pd.unique(cells[key].astype(str))) for key in KEYS}
    sizes = [len(vocab[key]) + 1 for key in KEYS]

    def combine(codes: list[np.ndarray]) -> np.ndarray:
        out = np.zeros(len(codes[0]), dtype=np.int64)
        for code, size in zip(codes, sizes, strict=True):
            out = out * size + code
        return out

    cell_ids = pd.Index(combine([vocab[key].get_indexer(pd.Index(cells[key].astype(str))) + 1
                                 for key in KEYS]))
    coded = {key: [vocab[key].get_indexer(pd.Index(lab)) + 1 for lab in labels[key]]
             for key in KEYS}
    rows, cols = [], []
    atom_index = np.arange(len(atoms))
    for choice in itertools.product(*(coded[key] for key in KEYS)):
        found = cell_ids.get_indexer(pd.Index(combine(list(choice))))
        keep = (found >= 0) & np.all([c > 0 for c in choice], axis=0)
        rows.append(found[keep])
        cols.append(atom_index[keep])
    row, col = np.concatenate(rows), np.concatenate(cols)
    return sp.csr_matrix((np.ones(len(row)), (row, col)), shape=(len(cells), len(atoms)))


def atoms_of(prep: pd.DataFrame, dims: Sequence[str], week: bool = False,
             streets: bool = True, quarters: bool = False, timeless: bool = False,
             citywide: bool = False) -> pd.DataFrame:
    """The distinct finest combinations present in the data (the LP's variables: restricting
    them to the data's support only shrinks what an attacker could assume, so it is safe).
    `timeless`: the system's cells are all over the whole period (no time in the atoms)."""
    time = ["week", "month"] if week else (
        ["quarter", "year"] if quarters else ["month", "quarter", "year"])
    if timeless:
        time = []
    region = [] if citywide else (["street_code"] if streets else []) + ["district_code"]
    subject = ["category", "element"] if "category" in dims else (
        ["element"] if "element" in dims else [])
    side = [d for d in dims if d not in ("element", "category")]
    cols = list(dict.fromkeys([*time, *region, *subject, *side]))
    grouped = prep.groupby(cols, observed=True)
    sizes = grouped[WEIGHT].sum() if WEIGHT in prep else grouped.size()
    atoms = sizes.rename(ATOM_SIZE).reset_index()
    atoms = atoms[atoms[ATOM_SIZE] > 0]
    return atoms[[*cols, ATOM_SIZE]]


def _coarseness(cells: pd.DataFrame) -> np.ndarray:
    """How much more it costs to hide a cell than its value says: city-wide figures and
    whole-subject totals are what most readers look at, so complementary hiding prefers
    fine cells (a district's category) to coarse ones (the city's month)."""
    region = np.where(cells["region_key"].to_numpy() == CITY_CODE, 20.0, 1.0)
    subject = np.where(cells["subject_key"].to_numpy() == "all", 3.0, 1.0)
    return np.asarray(region * subject, dtype=float)


ATOM_SIZE = "_records"
"""The column of atoms_of() holding each atom's true value (its records)."""
WEIGHT = "_weight"
"""An optional column of the records passed to hide(): how many records each row stands for
(a table of counts instead of one row per record)."""


def hide_cube(cells: pd.DataFrame, prep: pd.DataFrame, k: int, street_codes: Collection[str],
              known: pd.DataFrame | None = None, history: pd.DataFrame | None = None,
              flag: str | None = None) -> np.ndarray:
    """The hidden mask over the cube's cells (unique KEYS, count, complainants), protected as
    the district branch, then the street branch (module docstring). `known` holds cells the
    attacker knows besides the tables (the warnings' street × month × category counts);
    `history` what earlier releases published (stats.constants). `flag`: a 0/1 column of
    `prep` whose counts are among `cells` under side_key f"{flag}=1" (the kpis closed
    counts): the atoms are split by it, so each flagged count is at most its total."""
    side = (flag,) if flag else ()
    past = _as_margins(history if history is not None
                       else pd.DataFrame(columns=[*KEYS, "value", "hidden"]), flag)
    cells = _as_margins(cells, flag)
    street = cells["region_key"].isin(set(street_codes)).to_numpy()
    in_street = past["region_key"].isin(set(street_codes)).to_numpy(dtype=bool)
    warned = known if known is not None and len(known) else None
    mask = np.zeros(len(cells), bool)
    district_cells = cells[~street].reset_index(drop=True)
    district_known = [] if warned is None else [_as_margins(_coarsen(warned, prep, "district"),
                                                            flag)]
    district_mask = _with_known(district_cells, district_known, prep, k,
                                ("element", "category", *side), streets=False,
                                history=past[~in_street])
    mask[~street] = district_mask
    # The street branch meets the district branch at the district and city totals (and their
    # flagged counts) of the periods street cells have (quarters, the ranking window), which
    # the district branch has just published (constants) or hidden.
    street_cells = cells[street].reset_index(drop=True)
    link = district_cells[(district_cells["subject_key"] == "all")
                          & district_cells["time_key"].isin(set(street_cells["time_key"]))]
    link_hidden = district_mask[link.index.to_numpy()]
    street_known = [] if warned is None else [_as_margins(_coarsen(warned, prep, "street"),
                                                          flag)]
    street_mask = _with_known(street_cells, [link[~link_hidden], *street_known], prep, k, side,
                              streets=True, quarters=True, history=past[in_street],
                              hidden_known=link[link_hidden])
    nonzero = street_cells["count"].to_numpy() > 0  # zeros are always published
    mask[street] = street_mask | (_inside_hidden(street_cells, link[link_hidden], prep)
                                  & nonzero)
    return mask


def _as_margins(frame: pd.DataFrame, flag: str | None) -> pd.DataFrame:
    """With a flag, the cube's own cells (side_key '') become the margins of its split."""
    if not flag:
        return frame
    return frame.assign(side_key=frame["side_key"].replace("", MARGIN))


def _inside_hidden(street_cells: pd.DataFrame, hidden_links: pd.DataFrame,
                   prep: pd.DataFrame) -> np.ndarray:
    """Street cells of a period whose district or city cell (total or flagged count) is
    hidden: hidden as well (their sum would give that cell away)."""
    if not len(hidden_links):
        return np.zeros(len(street_cells), bool)
    streets = prep.drop_duplicates("street_code")
    district_of = dict(zip(streets["street_code"].astype(str),
                           streets["district_code"].astype(str), strict=True))
    triples = set(zip(hidden_links["time_key"], hidden_links["region_key"],
                      hidden_links["side_key"], strict=True))
    return np.array([(t, district_of.get(r), side) in triples or (t, CITY_CODE, side) in triples
                     for t, r, side in zip(street_cells["time_key"], street_cells["region_key"],
                                           street_cells["side_key"], strict=True)], dtype=bool)


def no_complainants(frame: pd.DataFrame) -> np.ndarray:
    """Complainants of a known cell: none counted (a known cell is never sensitive)."""
    return np.zeros(len(frame), dtype=np.int64)


def _coarsen(warned: pd.DataFrame, prep: pd.DataFrame, branch: str) -> pd.DataFrame:
    """The cube cells holding the warnings: district × month × category, or street ×
    quarter × element, with their true counts."""
    if branch == "district":
        keys = ["month", "district_code", "category"]
        chosen = pd.DataFrame({"month": warned["time_key"],
                               "street_code": warned["region_key"],
                               "category": warned["subject_key"].str[2:]})
        streets = prep.drop_duplicates("street_code")[["street_code", "district_code"]]
        chosen = chosen.merge(streets.astype(str), on="street_code")
        subject = "c:"
    else:
        keys = ["quarter", "street_code"]
        chosen = pd.DataFrame({"quarter": warned["time_key"].map(quarter_of),
                               "street_code": warned["region_key"]})
        subject = ""
    counts = prep.groupby(keys, observed=True).size().rename("count")
    counts.index = pd.MultiIndex.from_arrays(  # labels as text, grouped on the codes
        [counts.index.get_level_values(i).astype(str) for i in range(len(keys))], names=keys)
    chosen = chosen[keys].drop_duplicates().join(counts, on=keys)
    subjects = (subject + chosen[keys[2]].astype(str)) if subject else "all"
    return pd.DataFrame({"time_key": chosen[keys[0]].astype(str),
                         "region_key": chosen[keys[1]].astype(str),
                         "subject_key": subjects, "side_key": "",
                         "count": chosen["count"].fillna(0).astype("int64"),
                         "complainants": no_complainants(chosen)})


def _with_known(cells: pd.DataFrame, known: Sequence[pd.DataFrame], prep: pd.DataFrame,
                k: int, dims: Sequence[str], *, streets: bool, quarters: bool = False,
                history: pd.DataFrame | None = None,
                hidden_known: pd.DataFrame | None = None) -> np.ndarray:
    """Protect `cells` with the `known` cells as constants and `hidden_known` as cells
    published hidden elsewhere; the mask over `cells` only."""
    columns = [*KEYS, "count", "complainants"]
    hidden_part = (hidden_known if hidden_known is not None else cells.iloc[:0])[columns]
    merged = pd.concat([cells[columns], *(c[columns] for c in known), hidden_part],
                       ignore_index=True)
    is_hidden = np.zeros(len(merged), bool)
    is_hidden[len(merged) - len(hidden_part):] = True
    first = ~merged.duplicated(list(KEYS)).to_numpy()
    # A known cell that is also one of `cells` stays one of them (the engine may hide it); a
    # finer figure inside it (a warning, a topic street) is then published only where the
    # cell is (stats.aggregate), so it never bounds a hidden cell.
    merged, is_hidden = merged[first].reset_index(drop=True), is_hidden[first]
    n = int(first[: len(cells)].sum())
    assert n == len(cells), "cells must be unique"
    outside = np.arange(len(merged)) >= n
    merged["complainants"] = np.where(outside, 0, merged["complainants"])  # never sensitive
    mask = hide(merged, prep, k, dims, streets=streets, quarters=quarters,
                frozen_visible=outside & ~is_hidden, frozen_hidden=outside & is_hidden,
                history=history)
    return mask[:n]


def hide(cells: pd.DataFrame, prep: pd.DataFrame, k: int, dims: Sequence[str], *,
         week: bool = False, streets: bool = True, quarters: bool = False,
         frozen_hidden: np.ndarray | None = None,
         frozen_visible: np.ndarray | None = None,
         history: pd.DataFrame | None = None) -> np.ndarray:
    """The hidden mask over `cells` (unique KEYS, with count and complainants): cells with 1 to
    k−1 complainants plus what the LP engine adds so that none of them can be narrowed.
    `quarters`: the finest time of the atoms is the quarter (the street branch). `history`
    (stats.constants HISTORY_COLUMNS): what earlier releases published — hidden cells stay
    hidden, published values stay published and, where this release does not publish the
    cell, are constants of the attacker's model (unless the data no longer give them)."""
    n = len(cells)
    hidden0 = np.zeros(n, bool) if frozen_hidden is None else frozen_hidden.copy()
    visible0 = np.zeros(n, bool) if frozen_visible is None else frozen_visible.copy()
    sensitive = primary(cells["complainants"], k)
    extra = cells.iloc[:0][list(KEYS)].assign(count=0, complainants=0)
    if history is not None and len(history):
        before = history.set_index(list(KEYS)).reindex(
            pd.MultiIndex.from_frame(cells[list(KEYS)].astype(str)))
        hidden0 |= before["hidden"].fillna(False).to_numpy(dtype=bool)
        same = before["value"].to_numpy(dtype=float) == cells["count"].to_numpy(dtype=float)
        visible0 |= same & ~sensitive & ~hidden0
        visible0 &= ~hidden0  # hidden before: stays hidden, whatever else asks to show it
        known = set(map(tuple, cells[list(KEYS)].astype(str).to_numpy()))
        shown = history[~history["hidden"].to_numpy(dtype=bool)]
        new = [tuple(r) not in known for r in shown[list(KEYS)].to_numpy()]
        extra = shown[np.asarray(new, dtype=bool)][list(KEYS)].assign(
            count=shown["value"][np.asarray(new, dtype=bool)].astype("int64"), complainants=0)
    timeless = bool((cells["time_key"] == ALL).all()) and not len(extra)
    citywide = bool((cells["region_key"] == CITY_CODE).all())
    atoms = atoms_of(prep, dims, week, streets, quarters, timeless, citywide)
    if not len(atoms):  # no records: every cell is 0, nothing to protect
        return np.asarray(sensitive | hidden0, dtype=bool)
    everything = pd.concat([cells[[*KEYS, "count", "complainants"]], extra], ignore_index=True)
    matrix = incidence(everything, atoms, dims, week, quarters)
    sizes = atoms[ATOM_SIZE].to_numpy(dtype=float)
    # An earlier constant the data no longer give (a corrected record) cannot be kept.
    still = np.asarray(matrix[n:] @ sizes == extra["count"].to_numpy(dtype=float), dtype=bool)
    keep = np.concatenate([np.ones(n, bool), still])
    matrix = matrix[np.flatnonzero(keep)]
    m = len(keep.nonzero()[0])
    values = everything["count"].to_numpy(dtype=np.int64)[keep]
    system = CellSystem(
        incidence=matrix,
        values=values,
        cost=values * _coarseness(everything[keep]),
        sensitive=np.concatenate([sensitive, np.zeros(m - n, bool)]),
        frozen_hidden=np.concatenate([hidden0, np.zeros(m - n, bool)]),
        frozen_visible=np.concatenate([visible0, np.ones(m - n, bool)]),
        atoms=sizes,
    )
    hidden: np.ndarray = protect_cached(system, k, CACHE.get())[:n]
    return hidden


CACHE: ContextVar[Path | None] = ContextVar("disclosure_cache", default=None)
"""Where the engine's results are kept between builds (None: nowhere); see cached()."""


@contextmanager
def cached(folder: Path) -> Iterator[None]:
    """Within the block, every disclosure system's result is stored in `folder` and reused
    by a later build of the same data once its witnesses check (stats.protect_cache)."""
    token = CACHE.set(folder)
    try:
        yield
    finally:
        CACHE.reset(token)

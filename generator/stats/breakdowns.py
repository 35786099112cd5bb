"""Count tables ready to publish: the cube's cells computed once, hidden together, and the
declared breakdowns (stats.tables) with their marks and shares.

Every table lists every key combination it is about (calendar periods, the reference's
districts and streets, the taxonomy, the vocabularies), so a combination without records
publishes 0 instead of vanishing. Zero cells are never hidden and never chosen to protect
another cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from generator.stats.cells import KEYS, Grid, grid_sums, table_cells
from generator.stats.constants import of_side
from generator.stats.marks import published
from generator.stats.metrics import KpiHiding, kpi_sums
from generator.stats.protection import MARGIN, hide, hide_cube
from generator.stats.tables import (
    CITY_LEVEL,
    DISTRICT_LEVEL,
    MEASURE_OF,
    TABLES,
    Cut,
    TableSpec,
)

COUNTS = {"count": "record"}
CLOSED_SIDE = "closed=1"
"""side_key of the kpis closed counts among the cube's cells (CubeCells.hide)."""
WHO = {"complainants": "complainant_key"}


@dataclass(frozen=True)
class CubeHiding:
    """The hiding decided for canonical cells (stats.cells KEYS)."""

    hidden: pd.Series
    """True where hidden, indexed by the KEYS."""

    def of(self, cells: pd.DataFrame) -> np.ndarray:
        """The mask for rows of `cells` (any table carrying the KEYS)."""
        index = pd.MultiIndex.from_frame(cells[list(KEYS)])
        return np.asarray(self.hidden.reindex(index).fillna(False).to_numpy(), dtype=bool)


@dataclass(frozen=True)
class CubeCells:
    """Every cube count the site publishes, by the table shape that shows it."""

    kpis: pd.DataFrame
    """kpi_sums rows: totals and flags per (period, scope)."""
    counts_by_month: pd.DataFrame
    elements: pd.DataFrame
    """全市 × whole period × element."""
    categories: pd.DataFrame
    month_elements: pd.DataFrame
    month_categories: pd.DataFrame
    tables: dict[str, pd.DataFrame]
    """The declared breakdowns' cells (before hiding), by CSV name."""
    street_codes: frozenset[str]
    """The reference's street codes (cells keyed by them form the street branch)."""

    @classmethod
    def compute(cls, prep: pd.DataFrame, grid: Grid, basic_satisfied_weight: float) -> CubeCells:
        def cut(region: str, level: str, dims: Sequence[str]) -> pd.DataFrame:
            return grid_sums(prep, grid, [Cut(region, (level,))], dims, COUNTS, WHO)

        tables = {spec.name: table_cells(spec, _counted(prep, spec), grid,
                                         MEASURE_OF.get(spec.name, "record"))
                  for spec in TABLES}
        return cls(
            kpis=kpi_sums(prep, grid, basic_satisfied_weight).assign(count=lambda w: w["record"]),
            counts_by_month=cut(DISTRICT_LEVEL, "final_month", ("element", "category")).rename(
                columns={"period": "month"}).assign(period=lambda t: t["month"]),
            elements=cut(CITY_LEVEL, "all", ("element",)),
            categories=cut(CITY_LEVEL, "all", ("element", "category")),
            month_elements=tables["monthly_elements"],
            month_categories=tables["monthly_categories"],
            tables=tables,
            street_codes=frozenset(s.code for s in grid.ref.streets),
        )

    def cells(self) -> pd.DataFrame:
        """Each cube cell once (KEYS, count, complainants), whichever tables show it."""
        parts = [self.kpis, self.counts_by_month, self.elements, self.categories,
                 *(t for name, t in self.tables.items() if _spec(name).family == "cube")]
        cells = pd.concat([p[[*KEYS, "count", "complainants"]] for p in parts],
                          ignore_index=True)
        return cells.drop_duplicates(list(KEYS)).reset_index(drop=True)

    def hide(self, prep: pd.DataFrame, k: int, extra: pd.DataFrame | None = None,
             history: pd.DataFrame | None = None) -> CubeHiding:
        """`extra`: cells published elsewhere (the warnings' observed counts); `history`:
        what earlier releases published (stats.constants), the kpis closed counts under
        CLOSED_SIDE. The closed counts (the n of the on-time rate) are hidden with the cube,
        as its flag family: closed ≤ total holds record by record, so where every request of
        a period is closed, a hidden total and its closed count are one unknown, and only one
        system can protect both (CLOSED_SIDE rows of the result)."""
        # Where every record of a cell is closed, its closed count is its total (the same
        # atoms, the same hiding: KpiHiding hides n with its total), so only the cells holding
        # open records join the system.
        open_records = self.kpis["closed"] != self.kpis["record"]
        closed = self.kpis.loc[open_records, list(KEYS)].assign(
            side_key=CLOSED_SIDE, count=self.kpis.loc[open_records, "closed"].astype("int64"),
            complainants=self.kpis.loc[open_records, "closed_complainants"])
        cells = pd.concat([self.cells(), closed], ignore_index=True)
        mask = hide_cube(cells, prep, k, self.street_codes, known=extra, history=history,
                         flag="closed")
        return CubeHiding(pd.Series(mask, index=pd.MultiIndex.from_frame(cells[list(KEYS)])))


def _counted(prep: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    """The records a table counts: all, or those carrying its flag (e.g. closed), so its
    complainants are those behind the counted records."""
    measure = MEASURE_OF.get(spec.name, "record")
    return prep if measure == "record" else prep[prep[measure] == 1]


def _spec(name: str) -> TableSpec:
    return next(s for s in TABLES if s.name == name)


def hide_measure(wide: pd.DataFrame, prep: pd.DataFrame, k: int, flag: str,
                 history: pd.DataFrame | None = None) -> np.ndarray:
    """The hiding of a kpis denominator (有效回访 `valid`; the closed counts are a flag of the
    cube, CubeCells.hide): its counts per (period, scope) form their own family over the
    records carrying the flag; `history` holds what earlier releases published of it
    (stats.constants.family_cells)."""
    cells = wide[list(KEYS)].assign(count=wide[flag].astype("int64"),
                                    complainants=wide[f"{flag}_complainants"])
    return hide(cells, prep[prep[flag] == 1], k, (), history=history)


def published_counts(cells: pd.DataFrame, hiding: CubeHiding, columns: list[str]
                     ) -> pd.DataFrame:
    """`columns` plus count, hidden cells marked."""
    out = cells[columns].copy()
    out["count"] = published(cells["count"], hiding.of(cells), integer=True).to_numpy()
    return out.reset_index(drop=True)


JOINT = ("by_channel", "by_source")
"""Side tables protected as one family (atoms carry both dimensions): their dimensions are not
independent (proactive tasks come through their own channels), so each table's cells and the
other's together could pin a cell that neither pins alone."""


def side_tables(cube: CubeCells, hiding: CubeHiding, kpi_hiding: KpiHiding,
                prep: pd.DataFrame, k: int, history: pd.DataFrame | None = None
                ) -> dict[str, pd.DataFrame]:
    """Every declared breakdown as published, by CSV name."""
    masks: dict[str, np.ndarray] = {}
    joint = [s for s in TABLES if s.name in JOINT]
    if joint:
        cells = [cube.tables[s.name].assign(_part=i) for i, s in enumerate(joint)]
        past = [of_side(history, s.side, False) for s in joint]
        known = [p for p in past if p is not None]
        mask = _side_mask(joint[0], pd.concat(cells, ignore_index=True), cube, hiding,
                          kpi_hiding, prep, k, dims=tuple(d for s in joint for d in s.dims),
                          history=pd.concat(known, ignore_index=True) if known else None)
        at = 0
        for spec, part in zip(joint, cells, strict=True):
            masks[spec.name] = mask[at:at + len(part)]
            at += len(part)
    return {spec.name: side_table(spec, cube, hiding, kpi_hiding, prep, k, history,
                                  masks.get(spec.name)) for spec in TABLES}


def side_table(spec: TableSpec, cube: CubeCells, hiding: CubeHiding, kpi_hiding: KpiHiding,
               prep: pd.DataFrame, k: int, history: pd.DataFrame | None = None,
               mask: np.ndarray | None = None) -> pd.DataFrame:
    """A declared breakdown as published: its columns, count (and share), marks where hidden
    (`mask`: decided already, for a table of a joint family).

    A side table's margins are the cube cells (or, for closed-only tables, the kpis closed
    counts) it adds up to; where such a margin is hidden, the whole group is hidden.
    """
    cells = cube.tables[spec.name]
    if mask is not None:
        pass
    elif spec.family == "cube":
        mask = hiding.of(cells)
    else:
        mask = _side_mask(spec, cells, cube, hiding, kpi_hiding, prep, k,
                          history=of_side(history, spec.side, spec.family == "week"))
    columns, names = _columns(spec)
    out = cells[columns].rename(columns=names)
    out["count"] = published(cells["count"], mask, integer=True).to_numpy()
    if spec.share:
        totals = cells.groupby(["period", "scope_code"])["count"].transform("sum")
        share = cells["count"] / totals.where(totals > 0)
        out["share"] = published(share, mask).to_numpy()
    return out.reset_index(drop=True)


HANDLING_SPEC = TableSpec(
    "handling_times", "办理时长", "按紧急程度的已办结件数",
    (Cut(CITY_LEVEL, ("all", "quarter")), Cut(DISTRICT_LEVEL, ("all",))), ("urgency",))
"""The cells behind handling_times.csv (its closed counts per urgency class), protected as a
side family of the kpis closed counts."""


def handling_mask(cube: CubeCells, hiding: CubeHiding, kpi_hiding: KpiHiding,
                  prep: pd.DataFrame, grid: Grid, k: int,
                  history: pd.DataFrame | None = None) -> pd.DataFrame:
    """period, scope, urgency and `hidden` for every handling-times cell; `history`: the
    closed counts earlier releases published (stats.constants.family_cells 'handling')."""
    closed = prep[prep["closed"] == 1]
    cells = table_cells(HANDLING_SPEC, closed, grid)
    mask = _side_mask(HANDLING_SPEC, cells, cube, hiding, kpi_hiding, prep, k, "closed",
                      history=history)
    return cells[["period", "scope", "urgency"]].assign(hidden=mask)


def _margin_keys(spec: TableSpec, cells: pd.DataFrame) -> pd.DataFrame:
    keys = cells[["time_key", "region_key", "subject_key"]].copy()
    if spec.family == "week":
        keys["time_key"] = keys["time_key"].str[:7]  # a week part lies inside its month
    return keys.assign(side_key=MARGIN if spec.family != "week" else "")


def _side_mask(spec: TableSpec, cells: pd.DataFrame, cube: CubeCells, hiding: CubeHiding,
               kpi_hiding: KpiHiding, prep: pd.DataFrame, k: int,
               measure: str | None = None, history: pd.DataFrame | None = None,
               dims: tuple[str, ...] | None = None) -> np.ndarray:
    week = spec.family == "week"
    measure = measure or MEASURE_OF.get(spec.name, "record")
    keys = _margin_keys(spec, cells)
    group = pd.MultiIndex.from_frame(keys)
    # One margin per group; tables of a joint family (column `_part`) each sum to the same one.
    part = ["_part"] if "_part" in cells else []
    margins = (cells.assign(**{str(c): keys[c] for c in keys})
               .groupby([*KEYS, *part], sort=False)[["count", "complainants"]].sum()
               .reset_index().drop_duplicates(list(KEYS)).drop(columns=part))
    if measure == "closed":
        wide = cube.kpis
        closed = pd.Series(kpi_hiding.closed,
                           index=pd.MultiIndex.from_frame(wide[list(KEYS)]))
        probe = margins[list(KEYS)].assign(side_key="")
        margin_hidden = closed.reindex(pd.MultiIndex.from_frame(probe)).fillna(True).to_numpy()
    else:
        probe = margins[list(KEYS)].assign(side_key="")
        margin_hidden = hiding.hidden.reindex(pd.MultiIndex.from_frame(probe)).fillna(
            True).to_numpy()
    margin_hidden = np.asarray(margin_hidden, dtype=bool)
    both = pd.concat([cells[[*KEYS, "count", "complainants"]], margins], ignore_index=True)
    n = len(cells)
    frozen_hidden = np.concatenate([np.zeros(n, bool), margin_hidden])
    frozen_visible = np.concatenate([np.zeros(n, bool), ~margin_hidden])
    source = prep if measure == "record" else prep[prep[measure] == 1]
    mask = hide(both, source, k, dims or spec.dims, week=week, streets=False,
                frozen_hidden=frozen_hidden, frozen_visible=frozen_visible,
                history=history)[:n]
    # A group whose margin is hidden is hidden whole (its cells would give the margin away).
    hidden_groups = pd.Series(margin_hidden, index=pd.MultiIndex.from_frame(
        margins[list(KEYS)]))
    whole = hidden_groups.reindex(group).fillna(False).to_numpy(dtype=bool)
    nonzero = cells["count"].to_numpy() > 0  # zeros are always published
    return np.asarray(mask | (whole & nonzero), dtype=bool)


def _columns(spec: TableSpec) -> tuple[list[str], dict[str, str]]:
    """The CSV columns before the measures (period, the region columns, the dimensions) and
    their names: a one-level table names its units (district, district_code or district,
    street, street_code); a table over several levels has scope_level, scope, scope_code."""
    levels = {cut.region for cut in spec.cuts}
    names: dict[str, str] = {}
    if levels == {CITY_LEVEL}:
        region: list[str] = []
    elif levels == {DISTRICT_LEVEL}:
        region, names = ["district", "scope_code"], {"scope_code": "district_code"}
    elif len(levels) == 1:
        region = ["district", "scope", "scope_code"]
        names = {"scope": "street", "scope_code": "street_code"}
    else:
        region = ["scope_level", "scope", "scope_code"]
    return ["period", *region, *spec.dims], names

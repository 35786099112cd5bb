"""What a page table is, independent of how it is drawn: the macro `table` in
generator/templates/macros/figures.md.j2 renders a TableView as an HTML table (not Markdown),
inside a focusable, labelled scroll region, with numbers right-aligned and formatted by the
filters of generator/site/format.py.

A TableView holds published cells only (numbers or marks); the template formats them, so a
chart and its table show the same figures from the same values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

KINDS = ("text", "count", "rate", "score", "decimal", "link")
"""Column kinds: how a cell is formatted (the num / pct / score / decimal filters) and aligned."""
NUMERIC_KINDS = frozenset({"count", "rate", "score", "decimal"})
LONG_TABLE = 15
"""Tables with more body rows scroll inside a region of limited height, headers kept visible."""


@dataclass(frozen=True)
class Column:
    """One column of a page table."""

    title: str
    """The column header, as readers see it (Chinese)."""
    kind: str = "text"
    """text | count | rate | score | decimal | link; numeric kinds are right-aligned."""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:  # a programming error, caught by the tests
            raise ValueError(f"unknown column kind {self.kind!r}; expected one of {KINDS}")

    @property
    def numeric(self) -> bool:
        """True for columns whose cells are figures (right-aligned, tabular digits)."""
        return self.kind in NUMERIC_KINDS


@dataclass(frozen=True)
class Link:
    """A cell of a `link` column: text and a page-relative address."""

    text: str
    href: str


@dataclass(frozen=True)
class TableView:
    """A table as pages show it: caption, columns, body rows and an optional total row."""

    caption: str
    """Shown as the table's <caption> and used as the scroll region's label."""
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]
    """Body rows, one cell per column; figures are numbers or marks (generator.stats.marks)."""
    total: tuple[Any, ...] | None = None
    """The 全市 (or other total) row, drawn last inside the table, in bold."""
    note: str = ""
    """A line under the table (source, marks), may be empty."""
    row_headers: bool = field(default=True)
    """The first column names its row (<th scope="row">, kept visible when scrolling)."""

    def __post_init__(self) -> None:
        width = len(self.columns)
        for row in (*self.rows, *((self.total,) if self.total is not None else ())):
            if len(row) != width:
                raise ValueError(f"table {self.caption!r}: row {row!r} has {len(row)} cells, "
                                 f"expected {width}")

    @property
    def long(self) -> bool:
        """Long tables get a height-limited region so the sticky header stays in view."""
        return len(self.rows) > LONG_TABLE

    def column_values(self, index: int) -> list[Any]:
        """The body cells of one column (tests compare them with a chart's values)."""
        return [row[index] for row in self.rows]

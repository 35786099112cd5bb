"""What a page table is, independent of how it is drawn: the macro `table` in
generator/templates/macros/figures.md.j2 renders a TableView as an HTML table (not Markdown),
inside a focusable, labelled scroll region, with numbers right-aligned and formatted by the
filters of generator/site/format.py.

A TableView holds published cells only (numbers or marks); the template formats them, so a
chart and its table show the same figures from the same values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import Any

from generator.site.format import decimal, num, pct, score

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

    def html(self) -> str:
        """The table as the macro `table` shows it. Built here rather than in jinja because
        pages hold hundreds of tables (a jinja macro per cell costs ~10x more); the macro
        `table_of` writes the same markup from plain values (tests compare the two)."""
        num_class = ' class="ecp-num"'
        head = "".join(f'<th scope="col"{num_class if c.numeric else ""}>{escape(c.title)}</th>'
                       for c in self.columns)
        lines = [
            f'<div class="ecp-scroll{" ecp-scroll--long" if self.long else ""}" role="region" '
            f'tabindex="0" aria-label="{escape(self.caption)}">',
            '<table class="ecp-table">', f"<caption>{escape(self.caption)}</caption>",
            f"<thead><tr>{head}</tr></thead>", "<tbody>",
            *(f"<tr>{self._cells(row)}</tr>" for row in self.rows)]
        if self.total is not None:
            lines.append(f'<tr class="ecp-total">{self._cells(self.total)}</tr>')
        lines += ["</tbody>", "</table>", "</div>"]
        if self.note:
            lines.append(f'<p class="ecp-table-note">{escape(self.note)}</p>')
        return "\n".join(lines)

    def _cells(self, row: tuple[Any, ...]) -> str:
        out = []
        for i, (value, column) in enumerate(zip(row, self.columns, strict=True)):
            tag = "th" if i == 0 and self.row_headers else "td"
            scope = ' scope="row"' if tag == "th" else ""
            # figures stay out of the search index: it joins cells with spaces, and
            # neighbouring figures (1,130 63 550 517) would read as a phone number to the scan
            align = ' class="ecp-num" data-search-exclude' if column.numeric else ""
            out.append(f"<{tag}{scope}{align}>{cell_text(value, column.kind)}</{tag}>")
        return "".join(out)


def cell_text(value: Any, kind: str) -> str:
    """One cell's HTML: figures through the page filters, links as <a>, text escaped."""
    if kind in FORMATS:
        return FORMATS[kind](value)
    if isinstance(value, Link):
        return f'<a href="{escape(value.href)}">{escape(value.text)}</a>'
    return "" if value is None else escape(str(value))


FORMATS = {"count": num, "rate": pct, "score": score, "decimal": decimal}
"""The filter of each numeric kind (the same the templates use)."""

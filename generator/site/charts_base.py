"""What every chart shares: the Chart value, number formatting by kind, axis ticks, ids.

Charts are HTML blocks around one inline SVG. The SVG draws only the marks (bars, lines, cells,
tiles) and stretches to its box (preserveAspectRatio="none", strokes that do not scale); all
text (axis labels, units, legends) is HTML sized in rem, so it never shrinks with a narrow
screen and grows in large-text mode. The SVG is role="img" with a <title> and a <desc> built
from the data; the HTML labels are aria-hidden, and the table next to the chart (Chart.table)
holds the same numbers for everyone.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from generator.site.format import decimal, missing, num, pct, score
from generator.site.table_view import TableView

Figure = Any
"""A published cell: a number or a mark (generator.stats.marks); kept loose for callers."""

INK = "#17613a"
GRID = "#c8c8c8"
SERIES = (("#17613a", ""), ("#0b57a4", "6 4"), ("#a34700", "2 3"), ("#6b2c91", "10 3 2 3"))
"""Line colours with a dash pattern each, so series differ by more than colour (WCAG 1.4.1)."""
RAMP = ("#e3f1e7", "#b5dcc1", "#7cbf92", "#3f9463", "#17613a")
"""Sequential fills from low to high; tile text is #1a1a1a on the first four and white on
the last (each pair ≥ 4.5:1, tested)."""
DARK_FROM = 4
"""Ramp index from which a tile's text is drawn white."""
NO_DATA = "#f2f2f2"


@dataclass(frozen=True)
class Chart:
    """One chart: inline markup, its title, the generated description and its table."""

    svg: str
    """HTML block with one inline <svg role="img"> carrying <title> and <desc>."""
    title: str
    """What the chart shows (also the <title>)."""
    desc: str
    """A sentence or two stating what the data shows, built from the values (the <desc>)."""
    table: TableView
    """The same numbers as a table, to render next to the chart (macro `chart`)."""


def shown(value: Figure) -> bool:
    """True for a number that can be drawn (not a mark, not missing)."""
    return not missing(value)


def fmt(value: Figure, kind: str, digits: int | None = None) -> str:
    """A figure as pages show it, by column kind (marks as their signs); by default with the
    digits of the page filters, so a chart and its table read the same."""
    if kind == "rate":
        return pct(value, 2 if digits is None else digits)
    if kind == "score":
        return score(value)
    if kind == "decimal":
        return decimal(value, 2 if digits is None else digits)
    return num(value)


def with_unit(value: Figure, kind: str, unit: str) -> str:
    """'706 件', '95.4%' (a rate carries its own sign), '— ' for marks without unit."""
    text = fmt(value, kind)
    return text if kind == "rate" or missing(value) or not unit else f"{text} {unit}"


def value_title(y_title: str, unit: str, kind: str) -> str:
    """The value column's header: '诉求量（件）'; rates show % in their cells."""
    return f"{y_title}（{unit}）" if unit and kind != "rate" else y_title


def nice_step(span: float, parts: int = 4) -> float:
    """A round step (1, 2, 2.5 or 5 × 10^n) dividing `span` into about `parts` intervals."""
    if span <= 0:
        return 1.0
    raw = span / parts
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return float(factor * magnitude)
    return float(10 * magnitude)


def axis(values: Sequence[float], *, from_zero: bool = True) -> tuple[float, float, list[float]]:
    """Axis bounds and ticks covering `values` (bars always start at zero)."""
    high = max(values, default=0.0)
    low = min(values, default=0.0)
    if not from_zero and low > 0 and low > high / 2:
        step = nice_step(high - low or high, 4)
        bottom = math.floor(low / step) * step
    else:
        step, bottom = nice_step(high), 0.0
    top = max(bottom + step, math.ceil(high / step) * step)
    count = round((top - bottom) / step)
    return bottom, top, [bottom + i * step for i in range(count + 1)]


def tick_every(count: int, wanted: int) -> int:
    """Label every n-th slot so that at most `wanted` labels show."""
    return max(1, math.ceil(count / wanted))


def chart_id(*parts: str) -> str:
    """A stable id for the <title>/<desc> of one chart (same data, same id: builds repeat)."""
    return "ecp-c" + hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:10]


def svg_open(ident: str, title: str, desc: str, view_box: str, css: str = "ecp-plot") -> str:
    """The opening of a chart's SVG, its accessible name and description first."""
    return (f'<svg class="{css}" viewBox="{view_box}" preserveAspectRatio="none" role="img" '
            f'aria-labelledby="{ident}-t" aria-describedby="{ident}-d" focusable="false" '
            'xmlns="http://www.w3.org/2000/svg">'
            f'<title id="{ident}-t">{escape(title)}</title>'
            f'<desc id="{ident}-d">{escape(desc)}</desc>')


def label_html(label: str) -> str:
    """An axis label; a newline in it starts a second line (e.g. '1月\\n2026年')."""
    return "<br>".join(escape(part) for part in label.split("\n"))


def gaps_note(total: int, drawn: int) -> str:
    """'，2 项不予公布或不适用，图中留空' when some values are marks, else ''."""
    gaps = total - drawn
    return f"，{gaps} 项不予公布或不适用，图中留空" if gaps else ""


def bin_of(value: Figure, low: float, high: float, bins: int = len(RAMP)) -> int | None:
    """The ramp index of a value between low and high (equal intervals); None for marks."""
    if missing(value):
        return None
    if high <= low:
        return bins - 1
    return min(bins - 1, int((float(value) - low) / (high - low) * bins))

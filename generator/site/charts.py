"""Accessible static charts made at build time (no JavaScript, no external assets).

Every chart function returns a Chart (charts_base): an HTML block around one inline SVG with a
<title> and a <desc> generated from the data, and a TableView with the same numbers that the
macro `chart` (templates/macros/figures.md.j2) renders next to it. Text is HTML sized in rem
(see charts_base), so it stays legible at 390 px and grows in large-text mode.

Vertical bars and lines live here; horizontal bars, the hour × weekday grid, the handling-time
distribution and the district tile map in charts_more.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from generator.site.charts_base import (
    GRID,
    INK,
    SERIES,
    Chart,
    Figure,
    axis,
    chart_id,
    fmt,
    gaps_note,
    label_html,
    shown,
    svg_open,
    tick_every,
    value_title,
    with_unit,
)
from generator.site.charts_more import Tile, distribution, hbar_chart, heat_grid, tile_map
from generator.site.table_view import Column, TableView

__all__ = ["Chart", "Tile", "bar_chart", "distribution", "hbar_chart", "heat_grid",
           "line_chart", "tile_map"]

WIDE_LABELS, NARROW_LABELS = 8, 4
"""At most this many x labels on wide screens and on phones / in large-text mode."""
DEFAULT_Y = {"count": "诉求量", "rate": "比率", "score": "综合成绩", "decimal": "数值"}


def bar_chart(labels: Sequence[str], values: Sequence[Figure], *, title: str, unit: str,
              names: Sequence[str] | None = None, kind: str = "count", x_title: str = "",
              y_title: str = "") -> Chart:
    """Vertical bars for `values` (marks leave a gap), from zero.

    `labels` are the short axis labels (a newline starts a second line); `names` (default: the
    labels) name the bars in the description, the tooltips and the table.
    """
    names = list(names or [lab.replace("\n", "") for lab in labels])
    y_title = y_title or DEFAULT_Y.get(kind, "数值")
    drawn = [(i, float(v)) for i, v in enumerate(values) if shown(v)]
    desc = f"{title}：{_summary(names, values, unit, kind)}"
    table = TableView(title, (Column(x_title or "项目"), Column(value_title(y_title, unit, kind),
                                                                 kind)),
                      tuple(zip(names, values, strict=True)), row_headers=True)
    bottom, top, ticks = axis([v for _, v in drawn])
    n = max(len(labels), 1)
    ident = chart_id("bar", title, desc)
    marks = [_grid(ticks, bottom, top, n)]
    for i, value in drawn:
        h = 100 * (value - bottom) / (top - bottom)
        marks.append(f'<rect x="{i + 0.15:.2f}" y="{100 - h:.2f}" width="0.7" height="{h:.2f}" '
                     f'fill="{INK}"><title>{escape(names[i])}：'
                     f"{escape(with_unit(values[i], kind, unit))}</title></rect>")
    svg = svg_open(ident, title, desc, f"0 0 {n} 100") + "".join(marks) + "</svg>"
    return Chart(_frame("bar", svg, ticks, bottom, top, labels, kind, unit, y_title, x_title),
                 title, desc, table)


def line_chart(x_labels: Sequence[str], series: Mapping[str, Sequence[Figure]], *, title: str,
               unit: str, kind: str = "count", x_title: str = "", y_title: str = "") -> Chart:
    """One line per series over `x_labels` (a mark breaks the line); rates need not start at
    zero, counts do. Series differ by colour and dash pattern, named in an HTML legend."""
    y_title = y_title or DEFAULT_Y.get(kind, "数值")
    names = [lab.replace("\n", "") for lab in x_labels]
    drawn = [float(v) for vals in series.values() for v in vals if shown(v)]
    desc = f"{title}：" + "；".join(_series_summary(name, names, vals, unit, kind)
                                   for name, vals in series.items())
    columns = (Column(x_title or "项目"),
               *(Column(value_title(name, unit, kind), kind) for name in series))
    table = TableView(title, columns, tuple(
        (name, *(vals[i] for vals in series.values())) for i, name in enumerate(names)))
    bottom, top, ticks = axis(drawn, from_zero=kind == "count")
    n = max(len(x_labels), 1)
    ident = chart_id("line", title, desc)
    marks = [_grid(ticks, bottom, top, n)]
    for (name, vals), (colour, dash) in zip(series.items(), _styles(len(series)), strict=True):
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        for run in _runs(vals):
            points = " ".join(
                f"{i + 0.5:.2f},{100 - 100 * (float(vals[i]) - bottom) / (top - bottom):.2f}"
                for i in run)
            marks.append(f'<polyline points="{points}" fill="none" stroke="{colour}" '
                         f'stroke-width="2.5"{dash_attr} vector-effect="non-scaling-stroke"/>')
            # a zero-length segment with a round cap draws an undistorted dot
            marks.extend(f'<path d="M{p} l0,0" stroke="{colour}" stroke-width="7" '
                         f'stroke-linecap="round" vector-effect="non-scaling-stroke">'
                         f"<title>{escape(name)} {escape(names[i])}："
                         f"{escape(with_unit(vals[i], kind, unit))}</title></path>"
                         for i, p in zip(run, points.split(" "), strict=True))
    svg = svg_open(ident, title, desc, f"0 0 {n} 100") + "".join(marks) + "</svg>"
    legend = "" if len(series) < 2 else _legend(list(series))
    return Chart(_frame("line", svg, ticks, bottom, top, x_labels, kind, unit, y_title, x_title,
                        legend), title, desc, table)


def _styles(count: int) -> list[tuple[str, str]]:
    return [SERIES[i % len(SERIES)] for i in range(count)]


def _runs(values: Sequence[Figure]) -> list[list[int]]:
    """Consecutive indexes of drawable values (a mark ends a run)."""
    runs: list[list[int]] = [[]]
    for i, value in enumerate(values):
        if shown(value):
            runs[-1].append(i)
        elif runs[-1]:
            runs.append([])
    return [r for r in runs if r]


def _grid(ticks: Sequence[float], bottom: float, top: float, n: int) -> str:
    return "".join(
        f'<line x1="0" x2="{n}" y1="{100 - 100 * (t - bottom) / (top - bottom):.2f}" '
        f'y2="{100 - 100 * (t - bottom) / (top - bottom):.2f}" stroke="{GRID}" stroke-width="1" '
        'vector-effect="non-scaling-stroke"/>' for t in ticks)


def _legend(names: Sequence[str]) -> str:
    items = []
    for name, (colour, dash) in zip(names, _styles(len(names)), strict=True):
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        items.append(f'<li><svg class="ecp-swatch" viewBox="0 0 24 8" aria-hidden="true" '
                     f'focusable="false"><line x1="1" x2="23" y1="4" y2="4" stroke="{colour}" '
                     f'stroke-width="3"{dash_attr}/></svg>{escape(name)}</li>')
    return f'<ul class="ecp-legend" aria-hidden="true">{"".join(items)}</ul>'


def _frame(kind_css: str, svg: str, ticks: Sequence[float], bottom: float, top: float,
           labels: Sequence[str], kind: str, unit: str, y_title: str, x_title: str,
           legend: str = "") -> str:
    """The HTML around a plot: y title with the unit, y ticks, x labels, x title, legend."""
    y_ticks = "".join(
        f'<div style="bottom:{100 * (t - bottom) / (top - bottom):.2f}%">'
        f"{fmt(t, kind, 0)}</div>" for t in ticks)
    n = max(len(labels), 1)
    wide = tick_every(n, WIDE_LABELS)
    narrow = wide * tick_every(-(-n // wide), NARROW_LABELS)  # a multiple: a subset of wide
    x_ticks = "".join(
        f'<div{_thinning(i, narrow, -(-n // narrow) > 3)} style="left:{100 * (i + 0.5) / n:.2f}%">'
        f"{label_html(label)}</div>" for i, label in enumerate(labels) if i % wide == 0)
    unit_text = f"{y_title}（{unit}）" if unit and kind != "rate" else y_title
    x_line = (f'<p class="ecp-chart__xtitle" aria-hidden="true">{escape(x_title)}</p>'
              if x_title else "")
    return (f'<div class="ecp-chart ecp-chart--{kind_css}">'
            f'<p class="ecp-chart__ytitle" aria-hidden="true">{escape(unit_text)}</p>'
            f'<div class="ecp-chart__body"><div class="ecp-chart__y" aria-hidden="true">'
            f'{y_ticks}</div><div class="ecp-chart__plot">{svg}</div>'
            f'<div class="ecp-chart__x" aria-hidden="true">{x_ticks}</div></div>'
            f"{x_line}{legend}</div>")


def _thinning(i: int, narrow: int, crowded: bool) -> str:
    """ecp-minor labels hide on phones and in large-text mode; when more than three would be
    left, every second of those (ecp-minor2) hides too on phones in large-text mode
    (extra.css), so the bigger labels never overlap."""
    if i % narrow:
        return ' class="ecp-minor"'
    return ' class="ecp-minor2"' if crowded and i % (2 * narrow) else ""


def _summary(names: Sequence[str], values: Sequence[Figure], unit: str, kind: str) -> str:
    pairs = [(n, v) for n, v in zip(names, values, strict=True) if shown(v)]
    if not pairs:
        return "无可公开的数据"
    low = min(pairs, key=lambda p: float(p[1]))
    high = max(pairs, key=lambda p: float(p[1]))
    return (f"{names[0]}至{names[-1]}，最高为{high[0]} {with_unit(high[1], kind, unit)}，"
            f"最低为{low[0]} {with_unit(low[1], kind, unit)}"
            f"{gaps_note(len(names), len(pairs))}，详细数字见下表")


def _series_summary(series: str, names: Sequence[str], values: Sequence[Figure], unit: str,
                    kind: str) -> str:
    pairs = [(n, v) for n, v in zip(names, values, strict=True) if shown(v)]
    if not pairs:
        return f"{series}无可公开的数据"
    if len(pairs) == 1:
        return (f"{series}仅{pairs[0][0]}可公布，为 {with_unit(pairs[0][1], kind, unit)}"
                f"{gaps_note(len(names), 1)}")
    high = max(pairs, key=lambda p: float(p[1]))
    low = min(pairs, key=lambda p: float(p[1]))
    return (f"{series}从{pairs[0][0]}的 {with_unit(pairs[0][1], kind, unit)} 到"
            f"{pairs[-1][0]}的 {with_unit(pairs[-1][1], kind, unit)}，最高为{high[0]} "
            f"{with_unit(high[1], kind, unit)}，最低为{low[0]} {with_unit(low[1], kind, unit)}"
            f"{gaps_note(len(names), len(pairs))}")

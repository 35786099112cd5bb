"""Charts laid out in rows or tiles: horizontal bars, the hour × weekday grid, handling-time
distribution and the schematic district tile map (示意图). Same contract as charts.py: a Chart
with one <svg role="img"> (title, desc), HTML text in rem and a table with the same numbers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from generator.site.charts_base import (
    DARK_FROM,
    INK,
    NO_DATA,
    RAMP,
    Chart,
    Figure,
    bin_of,
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
from generator.site.table_view import Column, Link, TableView

RANGE = "#a34700"
"""The deadline marker of the distribution chart (contrast 5.6:1 on white)."""


@dataclass(frozen=True)
class Tile:
    """One district square of the tile map."""

    code: str
    """The district's code."""
    name: str
    """Its name, shown on the tile."""
    row: int
    """reference District.tile_row (0 at the top)."""
    col: int
    """reference District.tile_col (0 at the left)."""
    value: Figure
    """The figure that colours the tile (a mark: grey, shown as its sign)."""
    href: str | None = None
    """Page-relative link to the district page (e.g. 'districts/{code}.html'), or None."""


def hbar_chart(labels: Sequence[str], values: Sequence[Figure], *, title: str, unit: str,
               links: Sequence[str | None] | None = None, kind: str = "count",
               label_title: str = "项目", y_title: str = "诉求量") -> Chart:
    """One horizontal bar per label, in the order given (sort before calling to rank);
    `links` (same length) turn the labels into links, e.g. to district pages."""
    pairs = [(lab, v) for lab, v in zip(labels, values, strict=True) if shown(v)]
    ranked = sorted(pairs, key=lambda p: -float(p[1]))
    if ranked:
        desc = f"{title}：{ranked[0][0]}最高，为 {with_unit(ranked[0][1], kind, unit)}"
        if len(ranked) > 2:
            desc += f"；其次为{ranked[1][0]} {with_unit(ranked[1][1], kind, unit)}"
        if len(ranked) > 1:
            desc += f"；最低为{ranked[-1][0]} {with_unit(ranked[-1][1], kind, unit)}"
        desc += f"；共 {len(labels)} 项{gaps_note(len(labels), len(pairs))}"
    else:
        desc = f"{title}：无可公开的数据"
    top = max((float(v) for _, v in pairs), default=0.0) or 1.0
    n = max(len(labels), 1)
    ident = chart_id("hbar", title, desc)
    rects = "".join(
        f'<rect x="0" y="{i + 0.18:.2f}" width="{100 * float(v) / top:.3f}" height="0.64" '
        f'fill="{INK}"><title>{escape(lab)}：{escape(with_unit(v, kind, unit))}</title></rect>'
        for i, (lab, v) in enumerate(zip(labels, values, strict=True)) if shown(v))
    svg = svg_open(ident, title, desc, f"0 0 100 {n}") + rects + "</svg>"
    hrefs = list(links) if links is not None else [None] * len(labels)
    names = "".join(f'<div><a href="{escape(h)}">{escape(lab)}</a></div>' if h else
                    f"<div>{escape(lab)}</div>" for lab, h in zip(labels, hrefs, strict=True))
    hidden = "" if links else ' aria-hidden="true"'
    shown_values = "".join(f"<div>{escape(fmt(v, kind))}</div>" for v in values)
    head = value_title(y_title, unit, kind)
    html = (f'<div class="ecp-chart ecp-chart--hbar" style="--ecp-rows:{n}">'
            f'<p class="ecp-chart__ytitle" aria-hidden="true">{escape(head)}</p>'
            f'<div class="ecp-hbar"><div class="ecp-hbar__labels"{hidden}>{names}</div>'
            f'<div class="ecp-hbar__plot">{svg}</div>'
            f'<div class="ecp-hbar__values" aria-hidden="true">{shown_values}</div></div></div>')
    cells = [Link(lab, h) if h else lab for lab, h in zip(labels, hrefs, strict=True)]
    column = Column(label_title, "link" if links else "text")
    table = TableView(title, (column, Column(head, kind)),
                      tuple(zip(cells, values, strict=True)))
    return Chart(html, title, desc, table)


def heat_grid(rows: Sequence[str], cols: Sequence[str], values: Sequence[Sequence[Figure]], *,
              title: str, unit: str, row_title: str = "", col_title: str = "") -> Chart:
    """A row × column grid of shaded cells (e.g. weekday × hour), five equal-interval shades
    from zero to the largest value, hidden cells grey; the table holds every number."""
    flat = [(r, c, v) for r, vals in zip(rows, values, strict=True)
            for c, v in zip(cols, vals, strict=True)]
    drawn = [(r, c, float(v)) for r, c, v in flat if shown(v)]
    high = max((v for *_, v in drawn), default=0.0)
    if drawn:
        peak = max(drawn, key=lambda t: t[2])
        low = min(drawn, key=lambda t: t[2])
        desc = (f"{title}：最多为{peak[0]} {peak[1]}，{fmt(peak[2], 'count')} {unit}；"
                f"最少为{low[0]} {low[1]}，{fmt(low[2], 'count')} {unit}"
                f"{gaps_note(len(flat), len(drawn))}，详细数字见下表")
    else:
        desc = f"{title}：无可公开的数据"
    ident = chart_id("heat", title, desc)
    cells = []
    for i, (r, vals) in enumerate(zip(rows, values, strict=True)):
        for j, (c, v) in enumerate(zip(cols, vals, strict=True)):
            b = bin_of(v, 0.0, high)
            fill = NO_DATA if b is None else RAMP[b]
            cells.append(f'<rect x="{j}" y="{i}" width="1" height="1" fill="{fill}" '
                         'stroke="#fff" stroke-width="1" vector-effect="non-scaling-stroke">'
                         f"<title>{escape(r)} {escape(c)}：{escape(with_unit(v, 'count', unit))}"
                         "</title></rect>")
    svg = svg_open(ident, title, desc, f"0 0 {max(len(cols), 1)} {max(len(rows), 1)}")
    n = max(len(cols), 1)
    wide = tick_every(n, 12)
    narrow = wide * tick_every(-(-n // wide), 6)
    col_labels = "".join(
        f'<div{"" if j % narrow == 0 else " class=" + chr(34) + "ecp-minor" + chr(34)} '
        f'style="left:{100 * (j + 0.5) / n:.2f}%">{label_html(c)}</div>'
        for j, c in enumerate(cols) if j % wide == 0)
    row_labels = "".join(f"<div>{escape(r)}</div>" for r in rows)
    caption = f'<p class="ecp-chart__xtitle" aria-hidden="true">{escape(col_title)}</p>'
    html = (f'<div class="ecp-chart ecp-chart--heat" style="--ecp-rows:{len(rows)}">'
            f'<div class="ecp-heat"><div class="ecp-heat__rows" aria-hidden="true">{row_labels}'
            f'</div><div class="ecp-heat__plot">{svg}{"".join(cells)}</svg></div>'
            f'<div class="ecp-chart__x" aria-hidden="true">{col_labels}</div></div>'
            f"{caption if col_title else ''}{_ramp_legend(0.0, high, unit, 'count')}</div>")
    table = TableView(title, (Column(row_title or "项目"),
                              *(Column(c, "count") for c in cols)),
                      tuple((r, *vals) for r, vals in zip(rows, values, strict=True)),
                      note=f"单位：{unit}" if unit else "")
    return Chart(html, title, desc, table)


def _ramp_legend(low: float, high: float, unit: str, kind: str, title: str = "") -> str:
    """The shades and the range each stands for, plus the grey of unpublished cells."""
    step = (high - low) / len(RAMP) if high > low else 0.0
    items = []
    for b, colour in enumerate(RAMP):
        lo, hi = low + b * step, low + (b + 1) * step
        text = f"{fmt(lo, kind)}–{fmt(hi, kind)}" if step else fmt(high, kind)
        items.append(f'<li><span class="ecp-key" style="background:{colour}"></span>'
                     f"{escape(text)}</li>")
        if not step:
            break
    items.append(f'<li><span class="ecp-key" style="background:{NO_DATA}"></span>不予公布</li>')
    head = f"<li class=\"ecp-legend__title\">{escape(title or unit)}</li>" if title or unit else ""
    return f'<ul class="ecp-legend ecp-legend--ramp" aria-hidden="true">{head}{"".join(items)}</ul>'


def distribution(labels: Sequence[str], medians: Sequence[Figure], p90s: Sequence[Figure], *,
                 title: str, unit: str = "小时", deadlines: Sequence[Figure] | None = None,
                 label_title: str = "紧急程度") -> Chart:
    """Handling times per class: a solid bar to the median, an outlined bar on to the 90th
    percentile, and the class's deadline as a dashed mark when given."""
    limits = list(deadlines) if deadlines is not None else [None] * len(labels)
    every = [float(v) for v in (*medians, *p90s, *limits) if v is not None and shown(v)]
    top = max(every, default=0.0) or 1.0
    n = max(len(labels), 1)
    parts = []
    for lab, med, p90 in zip(labels, medians, p90s, strict=True):
        if shown(med):
            part = f"{lab}中位数 {with_unit(med, 'decimal', unit)}"
            if shown(p90):
                part += f"，第 90 百分位 {with_unit(p90, 'decimal', unit)}"
            parts.append(part)
    desc = f"{title}：" + ("；".join(parts) if parts else "无可公开的数据") + "，详细数字见下表"
    ident = chart_id("dist", title, desc)
    marks = []
    for i, (lab, med, p90, lim) in enumerate(zip(labels, medians, p90s, limits, strict=True)):
        if shown(p90):
            marks.append(f'<rect x="0" y="{i + 0.2:.2f}" width="{100 * float(p90) / top:.3f}" '
                         f'height="0.6" fill="#fff" stroke="{INK}" stroke-width="2" '
                         f'vector-effect="non-scaling-stroke"><title>{escape(lab)} 90%：'
                         f"{escape(with_unit(p90, 'decimal', unit))}</title></rect>")
        if shown(med):
            marks.append(f'<rect x="0" y="{i + 0.2:.2f}" width="{100 * float(med) / top:.3f}" '
                         f'height="0.6" fill="{INK}"><title>{escape(lab)} 中位数：'
                         f"{escape(with_unit(med, 'decimal', unit))}</title></rect>")
        if lim is not None and shown(lim):
            x = 100 * float(lim) / top
            marks.append(f'<line x1="{x:.3f}" x2="{x:.3f}" y1="{i + 0.05:.2f}" y2="{i + 0.95:.2f}" '
                         f'stroke="{RANGE}" stroke-width="3" stroke-dasharray="4 2" '
                         'vector-effect="non-scaling-stroke"/>')
    svg = svg_open(ident, title, desc, f"0 0 100 {n}") + "".join(marks) + "</svg>"
    names = "".join(f"<div>{escape(lab)}</div>" for lab in labels)
    values = "".join(f"<div>{escape(fmt(m, 'decimal'))} / {escape(fmt(p, 'decimal'))}</div>"
                     for m, p in zip(medians, p90s, strict=True))
    legend = ('<ul class="ecp-legend" aria-hidden="true"><li><span class="ecp-key" '
              f'style="background:{INK}"></span>中位数</li><li><span class="ecp-key '
              'ecp-key--outline"></span>第 90 百分位</li>'
              + ('<li><span class="ecp-key ecp-key--deadline"></span>办理时限</li>'
                 if deadlines is not None else "") + "</ul>")
    html = (f'<div class="ecp-chart ecp-chart--hbar" style="--ecp-rows:{n}">'
            '<p class="ecp-chart__ytitle" aria-hidden="true">'
            f'中位数 / 第 90 百分位（{escape(unit)}）</p>'
            f'<div class="ecp-hbar"><div class="ecp-hbar__labels" aria-hidden="true">{names}'
            f'</div><div class="ecp-hbar__plot">{svg}</div><div class="ecp-hbar__values" '
            f'aria-hidden="true">{values}</div></div>{legend}</div>')
    columns = [Column(label_title), Column(f"中位数（{unit}）", "decimal"),
               Column(f"第 90 百分位（{unit}）", "decimal")]
    if deadlines is not None:
        columns.append(Column(f"办理时限（{unit}）", "decimal"))
    rows = tuple((lab, m, p, *((lim,) if deadlines is not None else ()))
                 for lab, m, p, lim in zip(labels, medians, p90s, limits, strict=True))
    return Chart(html, title, desc, TableView(title, tuple(columns), rows))


def tile_map(tiles: Sequence[Tile], *, title: str, unit: str, legend: str,
             kind: str = "count", label_title: str = "区") -> Chart:
    """The schematic district map (示意图): one square per district at its reference tile,
    shaded by value in five equal intervals, each a link to its page when `href` is given.
    No boundaries are drawn: positions only suggest where districts lie."""
    drawn = [t for t in tiles if shown(t.value)]
    low = min((float(t.value) for t in drawn), default=0.0)
    high = max((float(t.value) for t in drawn), default=0.0)
    if drawn:
        peak = max(drawn, key=lambda t: float(t.value))
        least = min(drawn, key=lambda t: float(t.value))
        desc = f"{title}（示意图）：{peak.name}最高，为 {with_unit(peak.value, kind, unit)}"
        if len(drawn) > 1:
            desc += f"；{least.name}最低，为 {with_unit(least.value, kind, unit)}"
        desc += f"{gaps_note(len(tiles), len(drawn))}；各区数字见下表"
    else:
        desc = f"{title}（示意图）：无可公开的数据"
    rows = max((t.row for t in tiles), default=0) + 1
    cols = max((t.col for t in tiles), default=0) + 1
    ident = chart_id("tiles", title, desc)
    rects, links = [], []
    for t in tiles:
        b = bin_of(t.value, low, high)
        fill = NO_DATA if b is None else RAMP[b]
        rects.append(f'<rect x="{t.col + 0.03}" y="{t.row + 0.03}" width="0.94" height="0.94" '
                     f'fill="{fill}"><title>{escape(t.name)}：'
                     f"{escape(with_unit(t.value, kind, unit))}</title></rect>")
        dark = " ecp-tile--dark" if b is not None and b >= DARK_FROM else ""
        body = (f'<span class="ecp-tile__name">{escape(t.name)}</span>'
                f'<span class="ecp-tile__value">{escape(fmt(t.value, kind))}</span>')
        place = f'style="grid-row:{t.row + 1};grid-column:{t.col + 1}"'
        links.append(f'<a class="ecp-tile{dark}" href="{escape(t.href)}" {place}>{body}</a>'
                     if t.href else f'<span class="ecp-tile{dark}" {place}>{body}</span>')
    svg = (svg_open(ident, title, desc, f"0 0 {cols} {rows}", "ecp-tiles__bg")
           + "".join(rects) + "</svg>")
    html = (f'<div class="ecp-chart ecp-chart--tiles"><p class="ecp-chart__badge">示意图'
            '（方块位置仅示意各区大致方位，不表示边界和面积）</p>'
            f'<div class="ecp-tiles" style="--ecp-cols:{cols};--ecp-rows:{rows}">{svg}'
            f'{"".join(links)}</div>{_ramp_legend(low, high, unit, kind, legend)}</div>')
    linked = any(t.href for t in tiles)
    table = TableView(title, (Column(label_title, "link" if linked else "text"),
                              Column(value_title(legend, unit, kind) if legend else unit, kind)),
                      tuple((Link(t.name, t.href) if t.href else t.name, t.value)
                            for t in tiles))
    return Chart(html, title, desc, table)

"""Accessible inline SVG bar charts (no JavaScript, no external assets).

Every chart is drawn next to a table holding the same numbers, so the chart is a summary for
sighted readers and the table is the source for everyone else. The SVG carries role="img", a
<title> and an aria-label that states the range; each bar has its own <title>.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from generator.site.format import missing, num

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 16, 40
BAR = "#17613a"
AXIS = "#4d4d4d"


def _nice_ceiling(value: float) -> float:
    """A round axis maximum ≥ value (1, 2, 2.5 or 5 × a power of ten)."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return float(step * magnitude)
    return float(10 * magnitude)


def bar_chart(labels: Sequence[str], values: Sequence[object], title: str, unit: str,
              names: Sequence[str] | None = None) -> str:
    """Vertical bars for `values` (hidden or missing values leave a gap), as one-line HTML.

    `labels` are the short axis labels; `names` (default: the labels) are read out by screen
    readers and shown as tooltips.
    """
    names = list(names or labels)
    shown = [float(v) for v in values if not missing(v)]  # type: ignore[arg-type]
    top = _nice_ceiling(max(shown, default=0.0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(labels), 1)
    parts = [
        f'<svg class="ecp-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}：{escape(_summary(names, values, unit))}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for fraction in (0, 0.5, 1):
        y = TOP + plot_h * (1 - fraction)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#d0d0d0" stroke-width="1"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" '
                     f'fill="{AXIS}">{num(top * fraction)}</text>')
    every = max(1, len(labels) // 12)
    for i, (label, name, value) in enumerate(zip(labels, names, values, strict=True)):
        x = LEFT + i * slot + slot * 0.15
        if not missing(value):
            h = plot_h * float(value) / top  # type: ignore[arg-type]
            parts.append(
                f'<rect x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{slot * 0.7:.1f}" '
                f'height="{h:.1f}" fill="{BAR}"><title>{escape(name)}：{num(value)} {unit}'
                "</title></rect>")
        if i % every == 0:
            parts.append(f'<text x="{x + slot * 0.35:.1f}" y="{HEIGHT - BOTTOM + 16}" '
                         f'text-anchor="middle" font-size="11" fill="{AXIS}">'
                         f"{escape(label)}</text>")
    parts.append("</svg>")
    return "".join(parts)


def _summary(labels: Sequence[str], values: Sequence[object], unit: str) -> str:
    pairs = [(lab, v) for lab, v in zip(labels, values, strict=True) if not missing(v)]
    if not pairs:
        return "无可公开的数据"
    low = min(pairs, key=lambda p: float(p[1]))  # type: ignore[arg-type]
    high = max(pairs, key=lambda p: float(p[1]))  # type: ignore[arg-type]
    gaps = len(labels) - len(pairs)
    hidden = f"，{gaps} 项不予公布或不适用，图中留空" if gaps else ""
    return (f"{labels[0]}至{labels[-1]}，最高为{high[0]} {num(high[1])} {unit}，"
            f"最低为{low[0]} {num(low[1])} {unit}{hidden}，详细数字见下表")

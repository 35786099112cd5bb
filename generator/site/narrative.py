"""The reports' written narrative, built only from figures the engine publishes.

Every number in a sentence is a published cell (or the ratio of two, such as 环比) passed in by
the builder (generator/site/reports.py); nothing here counts records or adds cells up. A hidden
figure is said as 不予公布, an unrecorded one as 未记录, and a figure that does not exist (no
month before, a month the export cuts short) is left out of the sentence, never guessed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from generator.site.format import num, pct
from generator.stats.marks import HIDDEN, NOT_APPLICABLE, UNRECORDED, is_mark

Figure = float | int | object
"""A published cell: a number or a mark of generator.stats.marks."""

RATE_NAMES = {"responded_rate": "响应率", "resolved_rate": "解决率", "satisfied_rate": "满意率"}
"""The three rates, in the order reports name them."""


@dataclass(frozen=True)
class Rate:
    """One published rate of a scope and period, with its n."""

    metric: str
    """responded_rate, resolved_rate or satisfied_rate."""
    value: Figure
    """The rate, 0–1, or a mark."""
    n: Figure
    """有效回访 behind it, or a mark."""


def _number(value: Figure) -> float | None:
    if is_mark(value) or value is None:
        return None
    return float(value)  # type: ignore[arg-type]


def change_phrase(label: str, ratio: Figure) -> str:
    """'环比减少 4.8%' from a published ratio of change; 不予公布 when hidden; empty when the
    figure does not exist (or is unrecorded)."""
    if ratio is HIDDEN:
        return f"{label}不予公布"
    value = _number(ratio)
    if value is None:
        return ""
    if abs(value) < 0.0005:
        return f"{label}持平"
    return f"{label}{'增加' if value > 0 else '减少'} {abs(value) * 100:.1f}%"


def ratio_of(now: Figure, before: Figure) -> Figure:
    """The ratio of change between two published counts (环比 / 同比 of periods the engine does
    not publish one for): HIDDEN when either is hidden, N/A without a usable base."""
    if now is HIDDEN or before is HIDDEN:
        return HIDDEN
    a, b = _number(now), _number(before)
    if a is None or b is None or b == 0:
        return NOT_APPLICABLE
    return (a - b) / b


def volume_sentence(subject: str, count: Figure, changes: Sequence[str]) -> str:
    """'本月共受理生态环境诉求 4,259 件，环比减少 4.8%，同比增加 2.1%' (no full stop)."""
    if count is HIDDEN:
        head = f"{subject}受理件数不予公布"
    elif count is UNRECORDED or _number(count) is None:
        head = f"{subject}受理件数不适用"
    else:
        head = f"{subject}共受理生态环境诉求 {num(count)} 件"
    return "，".join([head, *(c for c in changes if c)])


def ranking_sentence(items: Sequence[tuple[str, Figure]], complete: bool, unit: str = "件"
                     ) -> str:
    """'餐饮油烟居首（1,013 件），其次是社会生活噪声（706 件）、扬尘（500 件）' from published
    counts (largest first is taken here among the published ones). When some item is hidden
    (`complete` false) the leader is only the largest of those published, and says so."""
    shown = sorted(((name, v) for name, v in items if _number(v) is not None),
                   key=lambda p: -float(p[1]))  # type: ignore[arg-type]
    shown = [(n, v) for n, v in shown if float(v) > 0]  # type: ignore[arg-type]
    if not shown:
        return ""
    first, rest = shown[0], shown[1:3]
    lead = (f"{first[0]}居首（{num(first[1])} {unit}）" if complete
            else f"在公布件数的类别中，{first[0]}最多（{num(first[1])} {unit}）")
    if rest:
        lead += "，其次是" + "、".join(f"{n}（{num(v)} {unit}）" for n, v in rest)
    return lead


def rates_sentence(rates: Sequence[Rate]) -> str:
    """'响应率 99.90%、解决率 99.33%、满意率 99.03%（有效回访 837 件）' (no full stop); hidden
    rates said as 不予公布, unrecorded ones as 未记录, rates that do not exist left out."""
    parts: list[str] = []
    for rate in rates:
        name = RATE_NAMES[rate.metric]
        if rate.value is HIDDEN:
            parts.append(f"{name}不予公布")
        elif rate.value is UNRECORDED:
            parts.append(f"{name}未记录")
        elif _number(rate.value) is not None:
            parts.append(f"{name} {pct(rate.value)}")
    if not parts:
        return ""
    ns = {_number(r.n) for r in rates if _number(r.value) is not None}
    n = ns.pop() if len(ns) == 1 else None
    return "、".join(parts) + (f"（有效回访 {num(n)} 件）" if n else "")


def share_sentence(items: Sequence[tuple[str, Figure, Figure]]) -> str:
    """'街乡办结 4,100 件（占 95.6%）、区办结 …' from published (name, count, share) rows."""
    parts = [f"{name}办结 {num(count)} 件（占 {pct(share, 1)}）"
             for name, count, share in items
             if _number(count) is not None and _number(share) is not None]
    hidden = [name for name, count, _ in items if count is HIDDEN]
    if hidden:
        parts.append("、".join(hidden) + "办结件数不予公布")
    return "、".join(parts)


def week_sentence(span: str, elements: Sequence[tuple[str, Figure, Figure]]) -> str:
    """The week part's element counts, each with its change from the week part before:
    '10月5日至11日，大气类诉求 163 件（比上一周段增加 3.2%）、……'."""
    parts: list[str] = []
    for name, count, ratio in elements:
        if count is HIDDEN:
            parts.append(f"{name}类不予公布")
            continue
        if _number(count) is None:
            continue
        trend = change_phrase("比上一周段", ratio)
        parts.append(f"{name}类 {num(count)} 件" + (f"（{trend}）" if trend else ""))
    if not parts:
        return f"{span}没有可公布的分要素件数。"
    return f"{span}，{'、'.join(parts)}。"


def paragraph(*clauses: str) -> str:
    """Clauses joined by '；', ending with '。'; empty clauses left out."""
    kept = [c for c in clauses if c]
    return "；".join(kept) + "。" if kept else ""

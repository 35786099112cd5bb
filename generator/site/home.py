"""The home page (index.md): task tiles first, then the headline figures and the trend.

The page is built for someone who came to do something: the four tiles (我要反映问题,
我要开业前咨询, 查标准, 查数据) and the hotline of data/settings.yml sit at the top, where a
phone at 390 px shows them without scrolling. Below them every headline figure is a card with
its period, its n (the denominator count, from kpis.csv) and a link to the row of the
methodology page that defines it; the latest month follows in one sentence, then a small bar
chart of the last months (generator/site/charts.py). Figures keep the marks of disclosure
control: a hidden value, and its n, reach the page as HIDDEN and show as the hidden sign.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from generator.site.charts import bar_chart
from generator.site.charts_base import Chart
from generator.site.contexts import Figure, GuideLink
from generator.site.format import change, incomplete_note, month_zh, num, pct
from generator.stats.cells import CITY_CODE
from generator.stats.marks import NOT_APPLICABLE, Mark
from generator.stats.metrics import ALL, CITY, lookup

if TYPE_CHECKING:
    from generator.site.pages import SiteData

METHODOLOGY = "stats/methodology.md"
"""The page that defines every measure; each row carries the anchor metric_anchor() names."""
TREND_MONTHS = 12
"""How many of the latest months the home page's trend chart shows."""


def metric_anchor(metric: str) -> str:
    """The id of a measure's row on the methodology page, e.g. metric-responded_rate."""
    return f"metric-{metric}"


@dataclass(frozen=True)
class HomeTile:
    """One task tile at the top of the home page."""

    title: str
    """What the visitor wants to do, e.g. 我要反映问题 (the link text)."""
    link: str
    """The docs-relative page the tile leads to, e.g. how-to-complain.md."""
    text: str
    """One line saying what the page offers."""
    more: tuple[GuideLink, ...]
    """Further direct links under the tile (e.g. the busiest guides); may be empty."""


@dataclass(frozen=True)
class HeadlineCard:
    """One headline figure of the whole city, shown as a large card."""

    metric: str
    """The measure's key in kpis.csv and data/metrics.yml, e.g. responded_rate."""
    title: str
    """The measure as pages name it, e.g. 响应率."""
    value: Figure
    """The figure (a count, a rate 0–1 or a score 0–100), or a mark."""
    kind: str
    """How to format `value`: count, rate or score (the filters num, pct, score)."""
    period: str
    """The period the figure covers, e.g. 2025年11月至2026年10月."""
    n: Figure | None
    """The denominator count (kpis.csv `n`), a mark when hidden; None for a plain count."""
    n_label: str
    """What n counts, e.g. 有效回访; empty for a plain count."""
    note: str
    """One sentence on what the figure means (for 综合成绩: its formula with the weights)."""
    method: str
    """Docs-relative link to the measure's definition, e.g. stats/methodology.md#metric-total."""


@dataclass(frozen=True)
class HomeContext:
    """The home page (index.md)."""

    tiles: tuple[HomeTile, ...]
    """The task tiles, in page order (the consultation tile only with a business section)."""
    cards: tuple[HeadlineCard, ...]
    """The headline figures of the whole city over the whole data period."""
    latest_sentence: str
    """The latest month in one sentence: requests, change from the month before, three rates."""
    trend_chart: Chart
    """Requests per month over the last months (at most TREND_MONTHS), whole city."""
    hotline_label: str
    """The hotline's name without its number (shown beside the large number), e.g.
    （市民服务热线）; empty when the name is only the number."""


RATE_CARDS: tuple[tuple[str, str, str], ...] = (
    ("responded_rate", "响应率", "回访确认已与诉求人联系的比例"),
    ("resolved_rate", "解决率", "诉求人确认问题已解决的比例"),
    ("satisfied_rate", "满意率", "诉求人对办理结果满意的比例（基本满意按权重折算）"),
)
"""The three rates: key, title, what they say. All have 有效回访 as their n."""


def city_cell(kpis: Any, period: str, metric: str) -> tuple[Figure, Figure]:
    """(value, n) of the whole city: n is the denominator count, a mark when hidden."""
    hit = kpis[(kpis["period"] == period) & (kpis["scope_code"] == CITY_CODE)
               & (kpis["metric"] == metric)]
    if hit.empty:
        return NOT_APPLICABLE, NOT_APPLICABLE
    return hit["value"].iloc[0], hit["n"].iloc[0]


def headline_cards(kpis: Any, period_label: str, weights: Mapping[str, float],
                   weight_titles: Mapping[str, str]) -> tuple[HeadlineCard, ...]:
    """诉求总量, the three rates, 综合成绩 and 按时办结率 over the whole data period."""

    def method(metric: str) -> str:
        return f"{METHODOLOGY}#{metric_anchor(metric)}"

    cards = [HeadlineCard("total", "诉求总量", lookup(kpis, ALL, CITY, "total"), "count",
                          period_label, None, "", "市民诉求和部门主动治理任务合计（件）",
                          method("total"))]
    for metric, title, note in RATE_CARDS:
        value, n = city_cell(kpis, ALL, metric)
        cards.append(HeadlineCard(metric, title, value, "rate", period_label, n, "有效回访",
                                  note, method(metric)))
    formula = " + ".join(f"{weight_titles[m]} × {w:g}" for m, w in weights.items())
    value, n = city_cell(kpis, ALL, "composite_score")
    cards.append(HeadlineCard(
        "composite_score", "综合成绩", value, "score", period_label, n, "有效回访",
        f"三率的加权和，满分 100 分：（{formula}）× 100", method("composite_score")))
    value, n = city_cell(kpis, ALL, "ontime_rate")
    cards.append(HeadlineCard("ontime_rate", "按时办结率", value, "rate", period_label, n,
                              "已办结", "在规定时限内办结的比例", method("ontime_rate")))
    return tuple(cards)


def latest_sentence(data: SiteData) -> str:
    """One sentence on the latest month of the whole city (hidden figures as their sign)."""
    agg = data.agg
    month = agg.latest_month
    total = lookup(agg.kpis, month, CITY, "total")
    text = (f"{month_zh(month)}{incomplete_note(agg.latest_cutoff)}，"
            f"全市受理生态环境诉求 {num(total)} 件")
    if agg.previous_month:
        previous = lookup(agg.kpis, agg.previous_month, CITY, "total")
        text += f"（上月 {num(previous)} 件"
        if agg.latest_incomplete:
            text += "，本月数据不完整，暂不比较）"
        else:
            phrase = change(total, previous)
            text += f"，{phrase}）" if phrase else "）"
    rates = "、".join(f"{title} {pct(lookup(agg.kpis, month, CITY, metric))}"
                      for metric, title, _ in RATE_CARDS)
    return f"{text}，当月{rates}。"


def trend_chart(data: SiteData) -> Chart:
    """Monthly requests of the whole city over the last TREND_MONTHS months."""
    months = [str(m) for m in data.agg.monthly["month"]][-TREND_MONTHS:]
    counts: list[Figure] = [lookup(data.agg.kpis, m, CITY, "total") for m in months]
    return bar_chart([f"{int(m[5:])}月\n{m[:4]}年" for m in months], counts,
                     title=f"全市逐月受理诉求量（最近 {len(months)} 个月）", unit="件",
                     names=[month_zh(m) for m in months], x_title="受理月份")


def tiles(data: SiteData, guides: tuple[GuideLink, ...]) -> tuple[HomeTile, ...]:
    """The task tiles; 我要开业前咨询 only when the project has a business section."""
    hotline = data.settings.hotline
    found = [HomeTile("我要反映问题", "how-to-complain.md",
                      f"拨打 {hotline.number} 或网上反映噪声、油烟、异味、扬尘等问题，"
                      "了解办理流程和时限", ())]
    if data.business is not None:
        found.append(HomeTile("我要开业前咨询", "business/index.md",
                              "餐饮、娱乐、汽修等开店之前，了解要求并在线申请上门指导", ()))
    found.append(HomeTile("查标准", "guides/index.md",
                          "噪声、油烟、扬尘等的法规和限值，以及怎样自查", guides))
    found.append(HomeTile("查数据", "stats/index.md",
                          "诉求统计、各区和街乡镇情况、报告和开放数据下载", ()))
    return tuple(found)


def busiest_guides(data: SiteData, n: int) -> tuple[GuideLink, ...]:
    """The guides of the n busiest categories (distinct hand-written pages)."""
    counts = {str(r["category"]): r["count"] for r in data.agg.by_category.to_dict("records")}

    def volume(category: str) -> float:
        value = counts.get(category)
        return -1.0 if value is None or isinstance(value, Mark) else float(value)

    links: dict[str, GuideLink] = {}
    for c in sorted(data.ref.categories, key=lambda c: volume(c.name), reverse=True):
        if c.guide in data.hand_written and c.guide not in links:
            links[c.guide] = GuideLink(c.name, c.guide)
    return tuple(links.values())[:n]


def home(data: SiteData) -> Iterator[HomeContext]:
    agg, metrics = data.agg, data.metrics
    period = f"{month_zh(agg.months[0])}至{month_zh(agg.latest_month)}"
    titles = {metric: title for metric, title, _ in RATE_CARDS}
    yield HomeContext(
        tiles=tiles(data, busiest_guides(data, 2)),
        cards=headline_cards(agg.kpis, period, metrics.composite_weights, titles),
        latest_sentence=latest_sentence(data), trend_chart=trend_chart(data),
        hotline_label=hotline_label(data.settings.hotline.name, data.settings.hotline.number))


def hotline_label(name: str, number: str) -> str:
    """'12319 城建服务热线' → '（城建服务热线）': the name without the number shown beside it."""
    rest = name.replace(number, "").strip(" ：:（）()")
    return f"（{rest}）" if rest else ""

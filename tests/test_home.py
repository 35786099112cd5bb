"""The task-first home page: its typed context, the page it renders, and its numbers
recomputed from the package with plain Python (tests/test_published_numbers.py's recompute)."""

from __future__ import annotations

import ast
import dataclasses
import re
from html import unescape
from pathlib import Path

import pytest

from generator.site import home
from generator.site.contexts import template_vars
from generator.site.format import HIDDEN_MARK
from generator.site.pages import site_context
from generator.site.render import make_env
from generator.stats.marks import HIDDEN
from tests.conftest import ROOT, Built
from tests.site_data import PATHS, mini_site_data

TASKS = ("我要反映问题", "我要开业前咨询", "查标准", "查数据")


def _context() -> home.HomeContext:
    [context] = list(home.home(mini_site_data()))
    return context


def _render(context: home.HomeContext) -> str:
    data = mini_site_data()
    names = {**template_vars(site_context(data)), **template_vars(context)}
    return make_env(PATHS).get_template("pages/home.md.j2").render(names)


def test_every_home_context_field_is_documented() -> None:
    """As tests/test_contexts.py requires of generator/site/contexts.py."""
    tree = ast.parse(Path(home.__file__).read_text("utf-8"))
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef)]
    assert {c.name for c in classes} >= {"HomeTile", "HeadlineCard", "HomeContext"}
    for cls in classes:
        assert dataclasses.is_dataclass(getattr(home, cls.name)), cls.name
        for i, stmt in enumerate(cls.body):
            if isinstance(stmt, ast.AnnAssign):
                after = cls.body[i + 1]
                assert isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant), (
                    cls.name, ast.unparse(stmt.target))


def test_tiles_lead_to_the_four_tasks() -> None:
    tiles = _context().tiles
    assert tuple(t.title for t in tiles) == TASKS
    links = {t.title: t.link for t in tiles}
    assert links == {"我要反映问题": "how-to-complain.md", "我要开业前咨询": "business/index.md",
                     "查标准": "guides/index.md", "查数据": "stats/index.md"}
    hand_written = mini_site_data().hand_written
    for tile in tiles:
        assert tile.link in hand_written or tile.link.startswith(("business/", "stats/"))
        assert all(g.guide in hand_written for g in tile.more)


def test_cards_carry_period_n_and_method_anchor() -> None:
    data = mini_site_data()
    cards = {c.metric: c for c in _context().cards}
    assert list(cards) == ["total", "responded_rate", "resolved_rate", "satisfied_rate",
                           "composite_score", "ontime_rate"]
    period = f"{int(data.agg.months[0][5:])}月"
    for metric, card in cards.items():
        assert card.period.endswith(f"{int(data.agg.latest_month[5:])}月") and period in card.period
        assert card.method == f"stats/methodology.md#metric-{metric}"
        assert (card.n is None) == (metric == "total")
    weights = data.metrics.composite_weights
    note = cards["composite_score"].note
    assert "满分 100" in note
    assert all(f"× {w:g}" in note for w in weights.values())


def test_hotline_comes_from_settings() -> None:
    settings = mini_site_data().settings
    page = _render(_context())
    assert f'href="tel:{settings.hotline.number}"' in page
    assert home.hotline_label("12319 城建服务热线", "12319") == "（城建服务热线）"
    assert home.hotline_label("12319", "12319") == ""
    assert home.hotline_label("市民热线 311", "311") == "（市民热线）"
    template = (ROOT / "generator" / "templates" / "pages" / "home.md.j2").read_text("utf-8")
    assert settings.hotline.number not in template, "the hotline is never hard-coded"


def test_tiles_come_first_on_the_page() -> None:
    page = _render(_context())
    body = page.split("# ", 1)[1]
    first_card = body.index('class="ecp-card"')
    for task in TASKS:
        assert body.index(f">{task}</a>") < first_card
    assert body.index('class="ecp-hotline"') < first_card


def test_hidden_figures_show_the_mark_never_a_number() -> None:
    """A card whose value falls below k arrives HIDDEN (its n too) and shows the mark."""
    context = _context()
    hidden = tuple(dataclasses.replace(c, value=HIDDEN, n=None if c.n is None else HIDDEN)
                   for c in context.cards)
    page = _render(dataclasses.replace(context, cards=hidden))
    for card in re.findall(r'<section class="ecp-card".*?</section>', page, re.S):
        value = re.search(r'class="ecp-card__value"[^>]*>(.*?)</p>', card, re.S)
        assert value is not None
        assert re.sub(r"<[^>]+>", "", value.group(1)).split()[0] == HIDDEN_MARK
        assert not re.search(r"\d", re.sub(r"<[^>]+>|件|分", "", value.group(1)))
        meta = re.search(r'class="ecp-card__meta"[^>]*>(.*?)</p>', card, re.S)
        assert meta is not None
        if "n =" in meta.group(1):
            assert f"n = {HIDDEN_MARK}" in meta.group(1)


def test_no_literal_k_in_home_module() -> None:
    source = Path(home.__file__).read_text("utf-8")
    assert not re.search(r"[<>]=?\s*5\b", source)


# --- the built site: numbers recomputed independently ----------------------------------------

def _cards(html: str) -> dict[str, str]:
    found = re.findall(r'<section class="ecp-card" data-metric="([a-z_]+)".*?</section>',
                       html, re.S)
    blocks = re.findall(r'(<section class="ecp-card" data-metric="[a-z_]+".*?</section>)',
                        html, re.S)
    return {m: unescape(re.sub(r"<[^>]+>", " ", b)) for m, b in zip(found, blocks, strict=True)}


@pytest.mark.slow
def test_built_home_shows_recomputed_figures(built: Built) -> None:
    from tests.test_published_numbers import METRICS, K, calendar, read_records, recompute

    cells = recompute(built.package)
    city = cells[("all", "city")]
    html = (built.site / "index.html").read_text("utf-8")
    cards = _cards(html)
    months = calendar({r["received_at"][:7] for r in read_records(built.package)})
    first, last = months[0], months[-1]
    period = f"{first[:4]}年{int(first[5:])}月至{last[:4]}年{int(last[5:])}月"
    w = METRICS["composite_weights"]
    rates = {"responded_rate": city.contacted / city.valid,
             "resolved_rate": city.resolved / city.valid,
             "satisfied_rate": city.satisfied / city.valid}
    expected = {
        "total": (f"{city.total:,}", None),
        **{m: (f"{v * 100:.2f}%", city.valid) for m, v in rates.items()},
        "composite_score": (f"{100 * sum(w[m] * rates[m] for m in rates):.2f}", city.valid),
        "ontime_rate": (f"{city.ontime / city.closed * 100:.2f}%", city.closed),
    }
    assert set(cards) == set(expected)
    assert len(city.people) >= K and len(city.valid_people) >= K  # nothing hidden city-wide
    for metric, (value, n) in expected.items():
        text = cards[metric]
        assert value in text, (metric, value, text)
        assert period in text, metric
        if n is not None:
            assert f"n = {n:,}" in text, (metric, n, text)
        assert f'href="stats/methodology.html#metric-{metric}"' in html
    methodology = (built.site / "stats" / "methodology.html").read_text("utf-8")
    for metric in expected:
        assert f'id="metric-{metric}"' in methodology, metric


@pytest.mark.slow
def test_built_home_latest_month_sentence_and_chart(built: Built) -> None:
    from tests.test_published_numbers import recompute

    cells = recompute(built.package)
    months = sorted(p for p, s in cells if len(p) == 7 and p[4] == "-" and s == "city")
    latest, previous = cells[(months[-1], "city")], cells[(months[-2], "city")]
    html = (built.site / "index.html").read_text("utf-8")
    sentence = re.search(r'<p class="ecp-latest">(.*?)</p>', html, re.S)
    assert sentence is not None
    text = unescape(re.sub(r"<[^>]+>", "", sentence.group(1)))
    year, month = months[-1].split("-")
    assert text.startswith(f"{year}年{int(month)}月") and text.count("。") == 1
    assert f"{latest.total:,} 件" in text and f"上月 {previous.total:,} 件" in text
    assert f"{latest.contacted / latest.valid * 100:.2f}%" in text
    chart = re.search(r'<figure class="ecp-figure ecp-home-trend".*?</figure>', html, re.S)
    assert chart is not None and "<svg" in chart.group(0) and "<desc" in chart.group(0)
    table = html[chart.end():]
    for m in months[-home.TREND_MONTHS:]:
        assert f"{cells[(m, 'city')].total:,}" in table

"""Tables people can read: the `table` macro renders a TableView as an HTML table in a labelled,
focusable scroll region (caption, scoped headers, right-aligned formatted numbers, the total row
inside the table), and no built page shows a Markdown table row as text."""

from __future__ import annotations

import csv
import itertools
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

import jinja2
import pytest

from generator.site.charts import bar_chart
from generator.site.format import FILTERS
from generator.site.render import TEMPLATES
from generator.site.table_view import Column, Link, TableView
from generator.stats.marks import HIDDEN, NOT_APPLICABLE
from tests.browser_support import (  # noqa: F401 - pytest fixtures
    chromium_browser_fixture,
    open_page,
    site_url_fixture,
)

VIEW = TableView(
    "2026年10月各区诉求量",
    (Column("区", "link"), Column("诉求量（件）", "count"), Column("响应率", "rate"),
     Column("综合成绩", "score"), Column("每万人诉求数", "decimal"), Column("备注")),
    ((Link("朝阳区", "districts/110105.html"), 12706, 0.95432, 91.234, 3.14159, "a<b"),
     (Link("延庆区", "districts/110119.html"), HIDDEN, NOT_APPLICABLE, HIDDEN, 0.5, "")),
    total=("全市", 42590, 0.9611, 90.5, 1.5, ""), note="单位：件")


def env() -> jinja2.Environment:
    e = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                           undefined=jinja2.StrictUndefined)
    e.filters.update(FILTERS)
    return e


TD = '<td class="ecp-num" data-search-exclude>'
"""A figure cell: right-aligned, kept out of the search index."""


def render(source: str, **context: object) -> str:
    return env().from_string('{% from "macros/figures.md.j2" import table, chart, table_of %}'
                             + source).render(**context)


def test_figures_stay_out_of_the_search_index_names_stay_in() -> None:
    """The search index joins cells with spaces: neighbouring figures would run together
    (1,130 63 550 517 reads as a phone number to the privacy scan of the built site)."""
    html = render("{{ table(v) }}", v=VIEW)
    figures = re.findall(r"<t[dh][^>]*>[^<]*\d[^<]*</t[dh]>", html)
    assert figures and all("data-search-exclude" in f for f in figures), figures
    assert '<th scope="row"><a href="districts/110105.html">朝阳区</a></th>' in html
    assert "<caption>2026年10月各区诉求量</caption>" in html


def test_table_macro_html() -> None:
    html = render("{{ table(v) }}", v=VIEW)
    assert html.startswith('<div class="ecp-scroll" role="region" tabindex="0" '
                           'aria-label="2026年10月各区诉求量">')
    assert "<caption>2026年10月各区诉求量</caption>" in html
    assert '<th scope="col" class="ecp-num">诉求量（件）</th>' in html
    assert '<th scope="col">区</th>' in html
    assert '<th scope="row"><a href="districts/110105.html">朝阳区</a></th>' in html
    assert (f"{TD}12,706</td>{TD}95.43%</td>{TD}91.23</td>{TD}3.14</td><td>a&lt;b</td>"
            in html)
    assert f"{TD}—</td>{TD}／</td>" in html
    # the total row is the table's last row, inside the same <tbody>
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    assert body.rstrip().splitlines()[-1].startswith(
        f'<tr class="ecp-total"><th scope="row">全市</th>{TD}42,590</td>')
    assert '<p class="ecp-table-note">单位：件</p>' in html
    assert "\n\n" not in html and not re.search(r"^ {4}", html, re.M)  # one Markdown HTML block
    assert "|" not in html


def test_long_tables_get_a_height_limited_region_for_the_sticky_header() -> None:
    rows = tuple((f"第{i}行", i) for i in range(40))
    long = TableView("长表", (Column("行"), Column("件数", "count")), rows)
    assert 'class="ecp-scroll ecp-scroll--long"' in render("{{ table(v) }}", v=long)
    assert 'ecp-scroll--long' not in render("{{ table(v) }}", v=VIEW)


def test_table_of_writes_what_table_view_html_writes() -> None:
    """Two paths to one markup: TableView.html() (fast, for the many generated tables) and the
    jinja macro table_of (for templates holding plain rows)."""
    columns = [{"title": c.title, "kind": c.kind} for c in VIEW.columns]
    rows = [list(r) for r in VIEW.rows]
    plain = render("{{ table_of(v.caption, columns, rows, v.total, v.note) }}", v=VIEW,
                   columns=columns, rows=rows)
    assert plain == render("{{ table(v) }}", v=VIEW) == VIEW.html()
    long = TableView("长表", (Column("行"), Column("件数", "count")),
                     tuple((f"第{i}行", i) for i in range(40)))
    assert render("{{ table_of(v.caption, v.columns, v.rows) }}", v=long) == long.html()


def test_table_of_takes_plain_columns() -> None:
    html = render('{{ table_of("表", [{"title": "区", "kind": "text"}, '
                  '{"title": "件数", "kind": "count"}], [["东城区", 1204]], ["全市", 5000]) }}')
    assert f'<th scope="row">东城区</th>{TD}1,204</td>' in html
    assert f'<tr class="ecp-total"><th scope="row">全市</th>{TD}5,000</td>' in html


def test_chart_macro_puts_the_table_next_to_the_chart() -> None:
    c = bar_chart(["1月", "2月"], [1000, 2500], title="逐月诉求量", unit="件")
    html = render("{{ chart(c) }}", c=c)
    assert html.index("<svg") < html.index("<table") and html.count("<table") == 1
    assert '<figure class="ecp-figure" data-search-exclude>' in html  # its table is indexed
    assert "<figcaption>逐月诉求量（数字见下表）</figcaption>" in html
    assert f"{TD}2,500</td>" in html


def test_a_row_of_the_wrong_width_is_refused() -> None:
    with pytest.raises(ValueError):
        TableView("t", (Column("a"), Column("b", "count")), (("x",),))
    with pytest.raises(ValueError):
        Column("a", "money")


class _Text(HTMLParser):
    """The visible text of a page's article, code blocks left out."""

    SKIP: ClassVar[frozenset[str]] = frozenset({"script", "style", "pre", "code", "svg"})

    def __init__(self) -> None:
        super().__init__()
        self.depth, self.inside = 0, False
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "article":
            self.inside = True
        if tag in self.SKIP:
            self.depth += 1
        if tag in {"p", "br", "li", "tr", "div", "h1", "h2", "h3", "td", "th"}:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.depth -= 1
        if tag == "article":
            self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside and self.depth == 0:
            self.parts.append(data)


MARKDOWN_ROW = re.compile(r"^\s*\|.*\|.*\|\s*$|^\s*\|?\s*:?-{3,}:?\s*\|", re.M)


@pytest.mark.slow
def test_no_built_page_shows_a_markdown_table_row_as_text(built_site: Path) -> None:
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) > 10
    bad = []
    for page in pages:
        parser = _Text()
        parser.feed(page.read_text(encoding="utf-8"))
        text = "".join(parser.parts)
        bad += [f"{page.relative_to(built_site)}: {m.group(0).strip()[:80]}"
                for m in MARKDOWN_ROW.finditer(text)]
    assert not bad, "\n".join(bad[:20])


@pytest.mark.slow
def test_districts_table_is_html_with_the_city_row_inside(built_site: Path) -> None:
    html = (built_site / "stats" / "districts.html").read_text(encoding="utf-8")
    table = html.split('aria-label="各区统计表"')[1].split("</table>")[0]
    assert '<caption>各区统计表</caption>' in table
    total = table.split('<tr class="ecp-total">')[1]
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", total)
    assert cells[0] == "全市"
    # the 全市 row equals the open-data kpis of the whole city over the whole period
    with (built_site / "data" / "kpis.csv").open(encoding="utf-8-sig") as f:
        city = {r["metric"]: r["value"] for r in csv.DictReader(f)
                if r["period"] == "all" and r["scope_level"] == "city"}
    assert cells[1] == f"{int(city['total']):,}"
    assert cells[3] == f"{float(city['responded_rate']) * 100:.2f}%"
    assert re.search(r'<td class="ecp-num" data-search-exclude>[\d,]+</td>', table)


LABEL_BOXES = """() => [...document.querySelectorAll('.ecp-chart__x')].map(axis =>
  [...axis.querySelectorAll(':scope > div')]
  .filter(s => getComputedStyle(s).display !== 'none')
  .map(s => { const r = s.getBoundingClientRect();
              return [r.left, r.right, parseFloat(getComputedStyle(s).fontSize)]; }))"""
"""Per chart axis, the visible labels' boxes (left, right, font size)."""


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("large", [False, True])
def test_chart_and_table_text_is_legible_at_phone_width_and_in_large_text_mode(
        width: int, large: bool, chromium_browser: Any, site_url: str) -> None:
    """Chart labels are HTML in rem: never smaller than 12 px, bigger in large-text mode, never
    overlapping; table text is body size; a wide table scrolls inside its region."""
    opened = open_page(chromium_browser, viewport={"width": width, "height": 900})
    try:
        page = opened.page
        page.goto(f"{site_url}stats/index.html")
        if large:
            page.evaluate("document.documentElement.classList.add('ecp-large-text')")
        axes = page.evaluate(LABEL_BOXES)
        assert axes and all(len(labels) >= 2 for labels in axes)
        for labels in axes:
            assert min(size for *_, size in labels) >= (18 if large else 12)
            for (_, right, _), (left, _, _) in itertools.pairwise(labels):
                assert right <= left, labels  # no two visible labels of an axis overlap
        body = page.evaluate("parseFloat(getComputedStyle(document.querySelector("
                             "'.md-typeset')).fontSize)")
        page.goto(f"{site_url}stats/districts.html")
        if large:
            page.evaluate("document.documentElement.classList.add('ecp-large-text')")
        cell, region_fits, plot_ok = page.evaluate("""() => {
            const s = document.querySelector('.ecp-scroll');
            const td = s.querySelector('td');
            return [parseFloat(getComputedStyle(td).fontSize),
                    s.scrollWidth <= s.clientWidth + 1, true]; }""")
        assert cell >= body and plot_ok
        if width == 390:
            assert not region_fits  # the districts table is wider: it scrolls in its region
    finally:
        opened.context.close()

"""Static charts: one mark per published value, gaps for hidden ones, a <title> and a <desc>
from the data, HTML text (not SVG text that shrinks), and a table with the same numbers."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from generator.site.charts import (
    Chart,
    Tile,
    bar_chart,
    distribution,
    hbar_chart,
    heat_grid,
    line_chart,
    tile_map,
)
from generator.site.charts_base import fmt
from generator.stats.marks import HIDDEN, NOT_APPLICABLE

NS = "{http://www.w3.org/2000/svg}"


def svg_of(chart: Chart) -> ET.Element:
    """The chart's one SVG element, parsed (it must be well-formed XML)."""
    found = re.findall(r"<svg class=\"(?:ecp-plot|ecp-tiles__bg)\".*?</svg>", chart.svg, re.S)
    assert len(found) == 1, chart.svg
    return ET.fromstring(found[0])


def well_formed(html: str) -> None:
    """Every tag of the markup is closed in order (void tags aside)."""
    stack: list[str] = []

    class Check(HTMLParser):
        def handle_starttag(self, tag: str, attrs: object) -> None:
            if tag not in {"br", "path", "line", "rect", "polyline"}:
                stack.append(tag)

        def handle_startendtag(self, tag: str, attrs: object) -> None:
            pass

        def handle_endtag(self, tag: str) -> None:
            if tag in {"path", "rect", "line", "polyline"}:
                return
            assert stack and stack[-1] == tag, (tag, stack)
            stack.pop()

    Check().feed(html)
    assert not stack, stack


def sample_charts() -> list[Chart]:
    months = ["2026年8月", "2026年9月", "2026年10月"]
    return [
        bar_chart(["8月\n2026年", "9月", "10月"], [4100, HIDDEN, 4259], title="全市逐月受理诉求量",
                  unit="件", names=months, x_title="受理月份"),
        hbar_chart(["朝阳区", "海淀区", "延庆区"], [706, 650, 12], title="2026年10月各区诉求量",
                   unit="件", links=["districts/110105.html", "districts/110108.html", None]),
        line_chart(months, {"响应率": [0.95, 0.97, 0.96], "解决率": [0.81, NOT_APPLICABLE, 0.85]},
                   title="全市三率", unit="%", kind="rate", y_title="比率"),
        heat_grid(["周一", "周二"], ["0时", "1时", "2时"], [[3, 0, 9], [HIDDEN, 5, 7]],
                  title="按星期和小时的诉求量", unit="件", row_title="星期", col_title="受理时刻"),
        distribution(["一般", "紧急"], [30.5, 2.0], [70.2, HIDDEN], title="办结用时",
                     deadlines=[120, 2]),
        tile_map([Tile("110101", "东城区", 2, 2, 310, "districts/110101.html"),
                  Tile("110102", "西城区", 2, 1, 420, "districts/110102.html"),
                  Tile("110105", "朝阳区", 2, 3, HIDDEN, "districts/110105.html")],
                 title="各区诉求量", unit="件", legend="诉求量"),
    ]


@pytest.mark.parametrize("chart", sample_charts(), ids=lambda c: c.title)
def test_every_chart_has_title_desc_and_a_table_with_its_numbers(chart: Chart) -> None:
    root = svg_of(chart)
    assert root.get("role") == "img"
    title, desc = root.find(f"{NS}title"), root.find(f"{NS}desc")
    assert title is not None and title.text == chart.title
    assert desc is not None and desc.text == chart.desc and len(chart.desc) > len(chart.title)
    assert root.get("aria-labelledby") == title.get("id")
    assert root.get("aria-describedby") == desc.get("id")
    assert root.findall(f".//{NS}text") == []  # text is HTML, sized in rem (not shrunk)
    well_formed(chart.svg)
    # every number the description states is a cell of the table, written the same way
    cells = {fmt(v, col.kind) for row in chart.table.rows
             for v, col in zip(row, chart.table.columns, strict=True) if col.numeric}
    figures = re.findall(r"(\d[\d,]*(?:\.\d+)?)(?: 件| 小时|%)", chart.desc)
    assert figures
    for number in figures:  # '1 项不予公布' counts gaps and dates carry 年/月: not figures
        assert number in cells or f"{number}%" in cells, (number, cells)
    assert chart.table.caption == chart.title


def test_bars_heights_tooltips_and_summary() -> None:
    chart = bar_chart(["1月", "2月", "3月"], [1000, 2500, 500], title="逐月诉求量", unit="件",
                      names=["2026年1月", "2026年2月", "2026年3月"])
    rects = svg_of(chart).findall(f"{NS}rect")
    assert [r.find(f"{NS}title").text for r in rects] == [  # type: ignore[union-attr]
        "2026年1月：1,000 件", "2026年2月：2,500 件", "2026年3月：500 件"]
    heights = [float(r.get("height", "0")) for r in rects]
    assert abs(heights[0] / heights[1] - 0.4) < 1e-3
    assert chart.desc == ("逐月诉求量：2026年1月至2026年3月，最高为2026年2月 2,500 件，"
                          "最低为2026年3月 500 件，详细数字见下表")
    assert chart.table.rows == (("2026年1月", 1000), ("2026年2月", 2500), ("2026年3月", 500))
    assert chart.table.columns[1].title == "诉求量（件）"
    assert "诉求量（件）" in chart.svg  # the value axis names its unit


def test_month_axis_reads_in_chinese_with_a_unit_and_thins_on_phones() -> None:
    labels = [f"{m}月\n2025年" for m in range(1, 13)] + [f"{m}月\n2026年" for m in range(1, 13)]
    chart = bar_chart(labels, list(range(24)), title="t", unit="件", x_title="受理月份")
    shown = re.findall(r'<div(?: class="ecp-minor")? style="left:[^"]+">(.*?)</div>', chart.svg)
    assert "1月<br>2025年" in shown and "/" not in "".join(shown)
    assert len(shown) <= 8  # wide screens
    narrow = re.findall(r'<div style="left:[^"]+">', chart.svg.split('class="ecp-chart__x"')[1])
    assert len(narrow) <= 4  # phones and large-text mode hide the ecp-minor ones
    assert "受理月份" in chart.svg and "诉求量（件）" in chart.svg


def test_hidden_values_leave_a_gap() -> None:
    chart = bar_chart(["a", "b", "c"], [10, pd.NA, 30], title="t", unit="件")
    assert len(svg_of(chart).findall(f"{NS}rect")) == 2
    assert "b：" not in chart.svg


def test_marks_leave_a_gap_and_are_counted_in_the_summary() -> None:
    chart = bar_chart(["a", "b", "c", "d"], [10, HIDDEN, 0, NOT_APPLICABLE], title="t", unit="件")
    assert len(svg_of(chart).findall(f"{NS}rect")) == 2  # a zero is a bar of height 0, not a gap
    assert ("最高为a 10 件，最低为c 0 件，2 项不予公布或不适用，图中留空，详细数字见下表"
            in chart.desc)
    assert chart.table.rows[1] == ("b", HIDDEN)  # the table shows the mark


def test_nothing_to_show() -> None:
    chart = bar_chart(["a"], [None], title="t", unit="件")
    assert "无可公开的数据" in chart.desc and "<rect" not in chart.svg


def test_line_chart_breaks_at_marks_and_names_series_by_colour_and_dash() -> None:
    chart = line_chart(["1月", "2月", "3月"], {"响应率": [0.9, 0.95, 0.97],
                                              "解决率": [0.8, HIDDEN, 0.85]},
                       title="三率", unit="%", kind="rate")
    lines = svg_of(chart).findall(f"{NS}polyline")
    assert [len(p.get("points", "").split()) for p in lines] == [3, 1, 1]
    assert lines[0].get("stroke-dasharray") is None and lines[1].get("stroke-dasharray")
    assert "响应率从1月的 90.00% 到3月的 97.00%" in chart.desc
    assert chart.table.rows[1] == ("2月", 0.95, HIDDEN)
    assert 'class="ecp-legend"' in chart.svg


def test_hbar_links_and_ranking_words() -> None:
    chart = sample_charts()[1]
    assert chart.desc.startswith("2026年10月各区诉求量：朝阳区最高，为 706 件；"
                                 "其次为海淀区 650 件；最低为延庆区 12 件")
    assert '<a href="districts/110105.html">朝阳区</a>' in chart.svg
    assert chart.table.columns[0].kind == "link"


def test_tile_map_is_labelled_schematic_places_tiles_and_links() -> None:
    chart = sample_charts()[5]
    assert "示意图" in chart.svg and "示意图" in chart.desc
    assert 'href="districts/110102.html" style="grid-row:3;grid-column:2"' in chart.svg
    rects = svg_of(chart).findall(f"{NS}rect")
    assert len(rects) == 3 and rects[2].get("fill") == "#f2f2f2"  # hidden: grey
    assert "不予公布" in chart.svg  # the legend explains the grey
    assert "西城区最高，为 420 件；东城区最低，为 310 件" in chart.desc


def test_heat_grid_cells_and_table() -> None:
    chart = sample_charts()[3]
    assert len(svg_of(chart).findall(f"{NS}rect")) == 6
    assert chart.table.rows == (("周一", 3, 0, 9), ("周二", HIDDEN, 5, 7))
    assert "最多为周一 2时，9 件" in chart.desc


def test_same_data_same_markup() -> None:
    assert sample_charts()[0].svg == sample_charts()[0].svg  # builds are reproducible


FIGURE = re.compile(r'<figure class="ecp-figure"[^>]*>(.*?)</figure>', re.S)
MARK_TITLE = re.compile(r"<(?:rect|path)\b[^>]*><title>[^<：]*：([^<]+)</title>")


@pytest.mark.slow
def test_every_chart_of_the_built_site_has_title_desc_and_its_numbers_in_a_table(
        built_site: Path) -> None:
    charts = 0
    for page in sorted(built_site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        for match in FIGURE.finditer(html):
            if "ecp-chart" not in match.group(1):
                continue
            charts += 1
            where = f"{page.relative_to(built_site)} 图 {charts}"
            svg = re.search(r"<svg class=\"(?:ecp-plot|ecp-tiles__bg)\".*?</svg>", match.group(1),
                            re.S)
            assert svg, where
            root = ET.fromstring(svg.group(0))
            title, desc = root.find(f"{NS}title"), root.find(f"{NS}desc")
            assert title is not None and (title.text or "").strip(), where
            assert desc is not None and len(desc.text or "") > 10, where
            assert "<text" not in svg.group(0), where  # text is HTML in rem
            # the table right after the figure holds every number the marks show
            rest = html[match.end():]
            table = rest[:rest.index("</table>")] if "<table" in rest else ""
            assert table and rest.index("<table") < 2000, where
            cells = set(re.findall(r"<t[dh][^>]*>([^<]*)</t[dh]>", table))
            for shown in MARK_TITLE.findall(svg.group(0)):
                assert shown.removesuffix(" 件").removesuffix(" 小时") in cells, (where, shown)
    assert charts >= 1  # at least the 统计概览 monthly chart


@pytest.mark.slow
def test_the_overview_month_axis_reads_in_chinese_with_units(built_site: Path) -> None:
    html = (built_site / "stats" / "index.html").read_text(encoding="utf-8")
    chart = FIGURE.search(html)
    assert chart
    labels = re.findall(r'<div(?: class="ecp-minor2?")? style="left:[^"]+">(.*?)</div>',
                        chart.group(1))
    assert labels and all(re.fullmatch(r"\d{1,2}月<br>\d{4}年", lab) for lab in labels), labels
    assert "诉求量（件）" in chart.group(1) and "受理月份" in chart.group(1)
    assert not re.search(r">\d\d/\d\d<", chart.group(1))  # the old '24/11'


def _luminance(colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_tile_text_contrast_is_aa_on_every_shade() -> None:
    """axe cannot see the SVG behind the tile text (it reports 'incomplete'), so check here."""
    from generator.site.charts_base import DARK_FROM, NO_DATA, RAMP

    for index, fill in enumerate((*RAMP, NO_DATA)):
        text = "#ffffff" if index < len(RAMP) and index >= DARK_FROM else "#1a1a1a"
        assert _contrast(fill, text) >= 4.5, (fill, text, _contrast(fill, text))


def test_neighbouring_chart_numbers_never_read_as_a_phone_number(tmp_path: Path) -> None:
    """Stacked labels and values are block elements: the privacy scan joins numbers split by
    inline tags (138<span>1234</span>5678) but never across blocks, so a chart whose values
    happen to follow one another (159, 12, 34, 56, 78) does not stop the build."""
    from generator.privacy.scan import scan_file

    values = [159, 12, 34, 56, 78]
    labels = [str(v) for v in values]
    charts = [
        hbar_chart(labels, values, title="t", unit="件"),
        distribution(labels, values, values, title="t"),
        heat_grid(labels, labels, [values] * 5, title="t", unit="件"),
        bar_chart(labels, values, title="t", unit="件"),
    ]
    page = tmp_path / "chart.html"
    page.write_text("".join(c.svg for c in charts), encoding="utf-8")
    assert scan_file(page) == []
    page.write_text("<p><span>159</span><span>12345678</span></p>", encoding="utf-8")
    assert [f.kind for f in scan_file(page)] == ["手机号码"]

"""Inline SVG charts: one bar per published value, gaps for hidden ones, a spoken summary."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pandas as pd

from generator.site.charts import bar_chart


def test_bars_heights_and_summary() -> None:
    svg = bar_chart(["1月", "2月", "3月"], [1000, 2500, 500], "逐月诉求量", "件",
                    ["2026年1月", "2026年2月", "2026年3月"])
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    rects = root.findall(f"{ns}rect")
    assert [r.find(f"{ns}title").text for r in rects] == [  # type: ignore[union-attr]
        "2026年1月：1,000 件", "2026年2月：2,500 件", "2026年3月：500 件"]
    heights = [float(r.get("height", "0")) for r in rects]
    assert heights[1] == max(heights) and abs(heights[0] / heights[1] - 0.4) < 1e-3
    assert root.get("role") == "img"
    assert root.get("aria-label") == (
        "逐月诉求量：2026年1月至2026年3月，最高为2026年2月 2,500 件，"
        "最低为2026年3月 500 件，详细数字见下表")


def test_hidden_values_leave_a_gap() -> None:
    svg = bar_chart(["a", "b", "c"], [10, pd.NA, 30], "t", "件")
    assert len(re.findall(r"<rect ", svg)) == 2
    assert "b：" not in svg


def test_marks_leave_a_gap_and_are_counted_in_the_summary() -> None:
    from generator.stats.marks import HIDDEN, NOT_APPLICABLE

    svg = bar_chart(["a", "b", "c", "d"], [10, HIDDEN, 0, NOT_APPLICABLE], "t", "件")
    assert len(re.findall(r"<rect ", svg)) == 2  # a zero is a bar of height 0, not a gap
    assert ("最高为a 10 件，最低为c 0 件，2 项不予公布或不适用，图中留空，详细数字见下表"
            in svg)


def test_nothing_to_show() -> None:
    svg = bar_chart(["a"], [None], "t", "件")
    assert "无可公开的数据" in svg and "<rect" not in svg

"""The charts of a periodic report, drawn from the figures its tables publish.

Month: the categories and the districts by volume; quarter and year: the monthly volume;
week part: the elements. Every chart comes with its own table (charts.Chart), so the numbers
are there for readers who do not see the chart.
"""

from __future__ import annotations

from generator.site.charts import line_chart
from generator.site.charts_base import Chart, shown
from generator.site.charts_more import hbar_chart
from generator.site.format import month_zh
from generator.site.reports_tables import Published
from generator.stats.metrics import CITY


def report_charts(pub: Published, kind: str, period: str, months: tuple[str, ...],
                  title: str) -> tuple[Chart, ...]:
    """The charts of one report (`title`: the period in words, e.g. 2026年10月)."""
    if kind == "week":
        pairs = pub.week_elements(period)
        return (hbar_chart([e for e, _ in pairs], [v for _, v in pairs],
                           title=f"{title}各要素诉求量", unit="件", label_title="要素"),)
    if kind == "month":
        # Ranked by volume, hidden ones last (hbar_chart draws in the order given).
        categories = sorted(pub.month_categories(period),
                            key=lambda p: (not shown(p[1]), -float(p[1]) if shown(p[1]) else 0))
        districts = [(d.name, d.code) for d in pub.data.ref.districts]
        links = ([f"{pub.up}districts/{code}.html" for _, code in districts]
                 if pub.district_pages else None)
        return (
            hbar_chart([c for c, _ in categories], [v for _, v in categories],
                       title=f"{title}各类别诉求量", unit="件", label_title="类别"),
            hbar_chart([name for name, _ in districts],
                       [pub.kpi(period, code, "total")[0] for _, code in districts],
                       title=f"{title}各区诉求量", unit="件", label_title="区", links=links),
        )
    counts = [pub.monthly[m]["count"] for m in months if m in pub.monthly]
    labels = [month_zh(m) for m in months if m in pub.monthly]
    if len(labels) < 2:
        return ()
    return (line_chart(labels, {f"{CITY}诉求量": counts}, title=f"{title}逐月诉求量", unit="件",
                       x_title="受理月份"),)

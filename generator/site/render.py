"""The render stage: jinja2 → Markdown (and open-data CSV) in a docs folder mkdocs builds.

Hand-written pages in site_src/ are jinja2 templates too, so guides can show limits from
data/limits.yml and the current headline figures; generated pages come from
generator/templates/pages/. Nothing here computes a statistic: it only formats Aggregates.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from generator.config import MetricsConfig, ProjectPaths
from generator.errors import BuildError
from generator.reference import Reference
from generator.site import cases as case_pages
from generator.site.charts import bar_chart
from generator.site.format import FILTERS, change, missing, month_zh, num
from generator.site.limits import load_limits
from generator.site.opendata import write_open_data
from generator.stats.aggregate import Aggregates
from generator.stats.metrics import ALL, CITY, lookup

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

GENERATED_PAGES = {
    "index.md": "pages/home.md.j2",
    "stats/index.md": "pages/stats_index.md.j2",
    "stats/districts.md": "pages/stats_districts.md.j2",
    "stats/methodology.md": "pages/methodology.md.j2",
    "stats/open-data.md": "pages/open_data.md.j2",
}


@dataclass(frozen=True)
class RenderResult:
    pages: int
    data_files: int


def make_env(paths: ProjectPaths) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(paths.site_src), str(TEMPLATES)]),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env


def make_headline(agg: Aggregates) -> Callable[[str], str]:
    """headline('餐饮油烟') → '2026年10月，全市餐饮油烟诉求 1,204 件，比上月减少 3.1%。'"""
    # Dict rows: a namedtuple row would shadow the `count` column with tuple.count.
    tables: dict[str, dict[Any, Any]] = {
        str(r["category"]): r for r in agg.by_category.to_dict("records")}
    tables.update({str(r["element"]): r for r in agg.by_element.to_dict("records")})

    def headline(name: str) -> str:
        if name not in tables:
            known = "、".join(tables)
            raise BuildError(f"页面调用 headline(“{name}”)，但没有这个要素或类别。可用：{known}。")
        row = tables[name]
        month = month_zh(agg.latest_month)
        current, previous = row["latest_month"], row["previous_month"]
        if missing(current) and not missing(row["count"]) and row["count"] > 0:
            return f"{month}，全市{name}诉求件数为保护诉求人隐私不单独公布。"
        current = 0 if missing(current) else int(current)
        trend = change(current, previous)
        return f"{month}，全市{name}诉求 {num(current)} 件" + (f"，{trend}" if trend else "") + "。"

    return headline


def base_context(paths: ProjectPaths, agg: Aggregates, ref: Reference, metrics: MetricsConfig,
                 org: dict[str, Any], updated: dt.date) -> dict[str, Any]:
    cases = case_pages.load_cases(paths.data / "cases", ref)
    return {
        "agg": agg,
        "ref": ref,
        "metrics": metrics,
        "deadlines": metrics.deadlines_hours,
        "limits": load_limits(paths.data / "limits.yml"),
        "cases": cases,
        "cases_matching": case_pages.cases_matching,
        "headline": make_headline(agg),
        "change_phrase": change,
        "bar_chart": bar_chart,
        "month_short": lambda m: f"{m[2:4]}/{m[5:]}",
        "month_zh": month_zh,
        "kpi": lambda scope, metric, period=ALL: lookup(agg.kpis, period, scope, metric),
        "CITY": CITY,
        "org": org,
        "data_period": f"{month_zh(agg.months[0])}至{month_zh(agg.latest_month)}",
        "updated": updated.isoformat(),
        "guide_of": {c.name: c.guide for c in ref.categories},
    }


def render_docs(paths: ProjectPaths, agg: Aggregates, ref: Reference, metrics: MetricsConfig,
                org: dict[str, Any], out: Path, updated: dt.date) -> RenderResult:
    """Write every page and open-data file into `out` (a fresh docs folder)."""
    env = make_env(paths)
    context = base_context(paths, agg, ref, metrics, org, updated)
    pages: dict[str, str] = {}
    for source in sorted(paths.site_src.rglob("*")):
        rel = source.relative_to(paths.site_src).as_posix()
        if source.is_dir():
            continue
        if source.suffix != ".md":
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, out / rel)
            continue
        pages[rel] = _render(env, rel, context)
    for rel, template in GENERATED_PAGES.items():
        pages[rel] = _render(env, template, context)
    pages.update(case_pages.render_case_pages(context["cases"], env))
    for rel, text in pages.items():
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    data_files = write_open_data(agg, out / "data")
    return RenderResult(pages=len(pages), data_files=data_files)


def _render(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    try:
        return env.get_template(name).render(context)
    except (jinja2.TemplateError, TypeError, ValueError, KeyError, AttributeError) as exc:
        where = getattr(exc, "filename", None) or name
        line = getattr(exc, "lineno", None)
        at = f"第 {line} 行" if line else ""
        raise BuildError(
            f"渲染页面 {where} {at}出错：{exc}。请检查该页面中的 {{{{ }}}} 和 {{% %}} 模板语法。"
        ) from exc

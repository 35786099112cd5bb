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

from generator.config import MetricsConfig
from generator.errors import BuildError
from generator.paths import ProjectPaths
from generator.reference import Reference
from generator.site import cases as case_pages
from generator.site.charts import bar_chart
from generator.site.format import (
    FILTERS,
    HIDDEN_MARK,
    NOT_APPLICABLE_MARK,
    NOT_APPLICABLE_NOTE,
    change,
    day_zh,
    hidden_note,
    incomplete_note,
    marks_legend,
    missing,
    month_zh,
    num,
)
from generator.site.limits import load_limits
from generator.site.opendata import CSV_HIDDEN, CSV_NOT_APPLICABLE, write_open_data
from generator.site.page_errors import RENDER_ERRORS, page_error
from generator.stats.aggregate import Aggregates
from generator.stats.marks import HIDDEN
from generator.stats.metrics import ALL, CITY, lookup
from generator.text import shown

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
    """headline('餐饮油烟') → '2026年10月，全市餐饮油烟诉求 1,204 件，比上月减少 3.1%。'

    Every element and category of the taxonomy is known, with 0 when it never occurs. A
    latest month the export cuts short is labelled incomplete and not compared with the
    month before.
    """
    # Dict rows: a namedtuple row would shadow the `count` column with tuple.count.
    tables: dict[str, dict[Any, Any]] = {
        str(r["category"]): r for r in agg.by_category.to_dict("records")}
    tables.update({str(r["element"]): r for r in agg.by_element.to_dict("records")})

    def headline(name: str) -> str:
        if name not in tables:
            known = "、".join(tables)
            raise BuildError(
                f"调用 headline(“{shown(name)}”)，但分类中没有这个要素或类别。可用：{known}。")
        row = tables[name]
        month = month_zh(agg.latest_month) + incomplete_note(agg.latest_cutoff)
        current, previous = row["latest_month"], row["previous_month"]
        if current is HIDDEN:
            return f"{month}，全市{name}诉求件数为保护诉求人隐私不单独公布。"
        trend = "" if agg.latest_incomplete else change(current, previous)
        return f"{month}，全市{name}诉求 {num(current)} 件" + (f"，{trend}" if trend else "") + "。"

    return headline


def base_context(paths: ProjectPaths, agg: Aggregates, ref: Reference, metrics: MetricsConfig,
                 updated: dt.date) -> dict[str, Any]:
    org = paths.settings.organisation
    cases = case_pages.load_cases(paths.data / "cases", ref)
    k = metrics.min_complainants
    return {
        "agg": agg,
        "ref": ref,
        "metrics": metrics,
        "k": k,
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
        "missing": missing,
        "CITY": CITY,
        "org": org,
        "data_period": f"{month_zh(agg.months[0])}至{month_zh(agg.latest_month)}",
        "latest_note": incomplete_note(agg.latest_cutoff),
        "latest_cutoff_zh": day_zh(agg.latest_cutoff) if agg.latest_cutoff else "",
        "hidden_mark": HIDDEN_MARK,
        "hidden_note": hidden_note(k),
        "not_applicable_mark": NOT_APPLICABLE_MARK,
        "not_applicable_note": NOT_APPLICABLE_NOTE,
        "marks_legend": marks_legend(k),
        "csv_hidden": CSV_HIDDEN,
        "csv_not_applicable": CSV_NOT_APPLICABLE,
        "updated": updated.isoformat(),
        "guide_of": {c.name: c.guide for c in ref.categories},
    }


def render_docs(paths: ProjectPaths, agg: Aggregates, ref: Reference, metrics: MetricsConfig,
                out: Path, updated: dt.date) -> RenderResult:
    """Write every page and open-data file into `out` (a fresh docs folder)."""
    env = make_env(paths)
    context = base_context(paths, agg, ref, metrics, updated)
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
    data_files = write_open_data(agg, out / "data", metrics.min_complainants)
    return RenderResult(pages=len(pages), data_files=data_files)


def _render(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    try:
        return env.get_template(name).render(context)
    except RENDER_ERRORS as exc:
        folders = [Path(p) for p in getattr(env.loader, "searchpath", [])]
        raise page_error(exc, name, folders, context) from exc

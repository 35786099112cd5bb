"""The render stage: jinja2 → Markdown (and open-data CSV) in a docs folder mkdocs builds.

Hand-written pages in site_src/ are jinja2 templates too, rendered with the shared
SiteContext (so guides can show limits from data/limits.yml and the latest headline figures);
generated pages are the ones generator/site/pages.py declares, each rendered with the shared
context and its own page context. Nothing here computes a statistic.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from generator.config import MetricsConfig
from generator.errors import BuildError
from generator.paths import ProjectPaths
from generator.reference import Reference
from generator.site.business_pages import with_type_pages
from generator.site.cases import load_cases
from generator.site.consultation_facts import load_consultation
from generator.site.contexts import template_vars
from generator.site.format import FILTERS
from generator.site.limits import load_limits
from generator.site.opendata import published_frames, record_keys, resources
from generator.site.opendata_files import OpenDataFiles, open_data_files
from generator.site.page_dates import check_hand_written
from generator.site.page_errors import RENDER_ERRORS, page_error
from generator.site.pages import MEASURE_TITLES, PAGE_TYPES, PageType, SiteData, site_context
from generator.site.release import UpdatesContext
from generator.site.releasing import ReleaseInputs, release_outputs, write_release_files
from generator.site.site_map import nav_entries, read_nav
from generator.site.sources import render_page
from generator.stats.aggregate import Aggregates
from generator.text import shown

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@dataclass(frozen=True)
class RenderResult:
    pages: int
    data_files: int
    published: dict[str, pd.DataFrame]
    """Exactly what each open-data CSV holds, by table name (for the release record)."""
    keys: dict[str, list[str]]
    """Each table's key columns."""
    menu: list[Any] | None
    """The nav mkdocs is to build (SiteData.menu)."""


def make_env(paths: ProjectPaths) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(paths.site_src), str(TEMPLATES)]),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env


def site_data(paths: ProjectPaths, agg: Aggregates, ref: Reference, metrics: MetricsConfig,
              updated: dt.date, updates: UpdatesContext | None = None,
              open_data: OpenDataFiles | None = None) -> SiteData:
    """What the contexts are built from: the aggregates plus the project's pages' inputs."""
    settings = paths.settings
    label = _label(paths, settings.reference.folder)
    cases = load_cases(paths.cases, ref, city=settings.site.city, reference_label=label)
    hand_written = frozenset(p.relative_to(paths.site_src).as_posix()
                             for p in paths.site_src.rglob("*.md") if p.is_file())
    limits = load_limits(paths.limits_file)
    business = load_consultation(paths, ref, limits, hand_written, {c.slug for c in cases})
    menu = read_nav(paths.mkdocs_yml)
    if menu is not None and business is not None:
        menu = with_type_pages(menu, business)
    return SiteData(settings, agg, ref, metrics, tuple(cases), limits, updated, hand_written,
                    updates, business, open_data, menu=menu,
                    nav=nav_entries(menu, paths.site_src))


def _label(paths: ProjectPaths, folder: Path) -> str:
    try:
        return folder.relative_to(paths.root).as_posix()
    except ValueError:
        return str(folder)


def render_pages(paths: ProjectPaths, data: SiteData) -> dict[str, str]:
    """The Markdown of every page, hand-written and generated, keyed by docs-relative path."""
    env = make_env(paths)
    shared = template_vars(site_context(data))
    pages: dict[str, str] = {}
    for source in sorted(p for p in paths.site_src.rglob("*.md") if p.is_file()):
        rel = source.relative_to(paths.site_src).as_posix()
        pages[rel] = _render(env, rel, shared)
    hand_written = list(pages)
    for page_type in PAGE_TYPES:
        for rel, context in page_type.pages(data):
            _claim(pages, rel, page_type)
            pages[rel] = _render(env, page_type.template, shared | template_vars(context))
    # After rendering, so a template error is reported as such first. A date after today in
    # the city is a typo (the build date may be earlier, as when tests rebuild a past day).
    check_hand_written(paths.site_src, hand_written,
                       max(data.updated, data.settings.data.today()))
    return pages


def render_docs(paths: ProjectPaths, agg: Aggregates, ref: Reference, metrics: MetricsConfig,
                out: Path, updated: dt.date, release: ReleaseInputs, package_csv: Path
                ) -> RenderResult:
    """Write every page, asset and open-data file (with the release manifest) into `out`
    (a fresh docs folder)."""
    k, settings = metrics.min_complainants, paths.settings
    frames = published_frames(agg, k, settings)
    keys = record_keys(frames)
    entries = resources(agg, k, settings)
    outputs = release_outputs(
        release, frames, agg.months, keys, {n: e[0] for n, e in entries.items()},
        {n: {f[0]: f[2] for f in e[2]} for n, e in entries.items()}, MEASURE_TITLES)
    files = open_data_files(agg, k, settings)  # before the pages: the data dictionary names them
    data = site_data(paths, agg, ref, metrics, updated, outputs.updates, files)
    pages = render_pages(paths, data)
    for source in sorted(paths.site_src.rglob("*")):
        if source.is_file() and source.suffix != ".md":  # stylesheets, scripts, images
            target = out / source.relative_to(paths.site_src)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    for rel, text in pages.items():
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    data_files = files.write(out / "data")
    write_release_files(paths, release, outputs, frames, agg.months, out / "data", package_csv)
    return RenderResult(pages=len(pages), data_files=data_files + 1, published=frames, keys=keys,
                        menu=data.menu)


def _claim(pages: dict[str, str], rel: str, page_type: PageType[Any]) -> None:
    """A generated page never silently replaces a hand-written one or another page."""
    if rel in pages:
        raise BuildError(
            f"页面 {shown(rel)} 重复：“{page_type.name}”要生成的页面已存在"
            "（site_src/ 中有同名的手写页面，或两个案例的 slug 相同）。"
            "请改名或删除 site_src/ 中的同名文件。")


def _render(env: jinja2.Environment, template: str, context: dict[str, Any]) -> str:
    try:
        return render_page(env, template, context)
    except RENDER_ERRORS as exc:
        folders = [Path(p) for p in getattr(env.loader, "searchpath", [])]
        raise page_error(exc, template, folders, context) from exc

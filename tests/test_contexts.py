"""Page contexts are typed and documented: every field has a docstring, no page shadows a
shared name, and every template name a generated page uses is a field of its contexts."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

from generator.site import business_pages, consultation, contexts, home, places_context, service
from generator.site import data_dictionary as dd
from generator.site import reports_context as rc
from generator.site.pages import PAGE_TYPES
from generator.site.release import UpdatesContext
from generator.site.site_map import SiteMapContext
from tests.conftest import ROOT

SOURCE = Path(contexts.__file__)
TEMPLATES = ROOT / "generator" / "templates"


def _dataclasses() -> list[ast.ClassDef]:
    tree = ast.parse(SOURCE.read_text("utf-8"))
    return [node for node in tree.body if isinstance(node, ast.ClassDef)]


def test_every_context_field_has_a_docstring() -> None:
    undocumented: list[str] = []
    classes = _dataclasses()
    assert len(classes) >= 15
    for cls in classes:
        body = cls.body
        if not (isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            undocumented.append(cls.name)
        for i, stmt in enumerate(body):
            if not isinstance(stmt, ast.AnnAssign):
                continue
            after = body[i + 1] if i + 1 < len(body) else None
            doc = (after.value.value if isinstance(after, ast.Expr)
                   and isinstance(after.value, ast.Constant) else None)
            if not (isinstance(doc, str) and doc.strip()):
                undocumented.append(f"{cls.name}.{ast.unparse(stmt.target)}")
    assert undocumented == []


def test_every_class_in_contexts_is_a_frozen_dataclass() -> None:
    for cls in _dataclasses():
        obj = getattr(contexts, cls.name)
        assert dataclasses.is_dataclass(obj), cls.name
        assert obj.__dataclass_params__.frozen, cls.name  # type: ignore[attr-defined]


def test_page_contexts_never_shadow_a_shared_name() -> None:
    shared = {f.name for f in dataclasses.fields(contexts.SiteContext)}
    page_contexts = [home.HomeContext, contexts.StatsOverviewContext,
                     contexts.DistrictsContext, contexts.MethodologyContext,
                     contexts.OpenDataContext, contexts.CaseIndexContext, contexts.CaseContext,
                     UpdatesContext, places_context.DistrictsOverviewContext,
                     places_context.DistrictContext, places_context.StreetContext,
                     rc.ReportContext, rc.ReportsIndexContext, rc.TopicContext,
                     rc.WarningsContext, rc.HotspotsContext,
                     consultation.ConsultationContext, business_pages.BusinessIndexContext,
                     business_pages.BusinessTypeContext, service.ServiceContext,
                     dd.DataDictionaryContext,
                     SiteMapContext]
    for cls in page_contexts:
        assert not shared & {f.name for f in dataclasses.fields(cls)}, cls.__name__


def _template_names(text: str) -> set[str]:
    """Top-level names a template reads (jinja2's own analysis of undeclared variables)."""
    import jinja2
    from jinja2 import meta

    from generator.site.format import FILTERS

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)))
    env.filters.update(FILTERS)
    return set(meta.find_undeclared_variables(env.parse(text)))


def test_generated_templates_use_only_their_context() -> None:
    shared = {f.name for f in dataclasses.fields(contexts.SiteContext)}
    by_template = {"pages/home.md.j2": home.HomeContext,
                   "pages/stats_index.md.j2": contexts.StatsOverviewContext,
                   "pages/stats_districts.md.j2": places_context.DistrictsOverviewContext,
                   "pages/district.md.j2": places_context.DistrictContext,
                   "pages/street.md.j2": places_context.StreetContext,
                   "pages/report.md.j2": rc.ReportContext,
                   "pages/reports_index.md.j2": rc.ReportsIndexContext,
                   "pages/topic.md.j2": rc.TopicContext,
                   "pages/warnings.md.j2": rc.WarningsContext,
                   "pages/hotspots.md.j2": rc.HotspotsContext,
                   "pages/methodology.md.j2": contexts.MethodologyContext,
                   "pages/open_data.md.j2": contexts.OpenDataContext,
                   "pages/data_dictionary.md.j2": dd.DataDictionaryContext,
                   "pages/updates.md.j2": UpdatesContext,
                   "cases_index.md.j2": contexts.CaseIndexContext,
                   "case.md.j2": contexts.CaseContext,
                   "pages/consultation.md.j2": consultation.ConsultationContext,
                   "pages/business_index.md.j2": business_pages.BusinessIndexContext,
                   "pages/business_type.md.j2": business_pages.BusinessTypeContext,
                   "pages/service.md.j2": service.ServiceContext,
                   "pages/site_map.md.j2": SiteMapContext}
    assert {p.template for p in PAGE_TYPES} == set(by_template)
    for template, cls in by_template.items():
        text = (TEMPLATES / template).read_text("utf-8")
        include = re.findall(r'{% include "([^"]+)" %}', text)
        names = _template_names(text).union(
            *(_template_names((TEMPLATES / inc).read_text("utf-8")) for inc in include))
        own = {f.name for f in dataclasses.fields(cls)}
        assert names <= shared | own, (template, names - shared - own)
        assert own <= names, (template, own - names)  # no field is computed for nothing


def test_templates_do_not_compute() -> None:
    """No pandas calls, table lookups or case filtering inside templates."""
    forbidden = re.compile(r"\.tolist\(|\.map\(|itertuples|\.to_dict|kpi\(|cases_matching|agg\.")
    for path in sorted(TEMPLATES.rglob("*.j2")):
        assert not forbidden.search(path.read_text("utf-8")), path

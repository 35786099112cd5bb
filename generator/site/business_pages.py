"""The 开业前咨询 section: its index and one guidance page per business type.

Two page types (declared in generator/site/pages.py): `business/index.md` and
`business/{slug}.md`, one per type of data/business.yml. Both read the shared
SiteContext.business (generator/site/consultation_facts.py) for the reply promise, the district
contacts and the form's address; their own contexts add what differs per page. A project
without data/business.yml yields no page of either type.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from generator.site.business import BusinessType
from generator.site.cases import Case
from generator.site.consultation_facts import SECTION, ConsultationFacts

if TYPE_CHECKING:
    from generator.site.pages import SiteData


@dataclass(frozen=True)
class TypeLink:
    """One business type as the index lists it."""

    title: str
    """The type's name (data/business.yml types[].title)."""
    audience: str
    """Who its page is for."""
    page: str
    """Its page, relative to the index (catering.md)."""


@dataclass(frozen=True)
class BusinessIndexContext:
    """business/index.md: who the consultation is for, the 未诉先办 story, the types."""

    business_types: tuple[TypeLink, ...]
    """Every configured type, in file order."""
    story_case: Case | None
    """The typical case the story comes from (business.yml story.case), if any."""
    consultation_cases: tuple[Case, ...]
    """Typical cases that began as a business's question (source 企业咨询)."""
    form_href: str
    """The form page's URL relative to this page (raw HTML button)."""


@dataclass(frozen=True)
class BusinessTypeContext:
    """business/<slug>.md: the rules, prohibitions, self-check and contacts of one type."""

    kind: BusinessType
    """The type as data/business.yml describes it (rules carry their limits tables)."""
    related_cases: tuple[Case, ...]
    """Typical cases with one of the type's case_tags, newest first."""
    form_href: str
    """The form page's URL relative to this page (raw HTML button)."""


def business_index(data: SiteData) -> Iterator[BusinessIndexContext]:
    facts = data.business
    if facts is None:
        return
    page = f"{SECTION}/index.md"
    by_slug = {c.slug: c for c in data.cases}
    yield BusinessIndexContext(
        business_types=tuple(TypeLink(t.title, t.audience, f"{t.slug}.md")
                             for t in facts.guide.types),
        story_case=by_slug.get(facts.guide.story_case),
        consultation_cases=tuple(c for c in data.cases if c.source == "企业咨询"),
        form_href=facts.form_href(page))


def business_types(data: SiteData) -> Iterator[BusinessTypeContext]:
    facts = data.business
    if facts is None:
        return
    for kind in facts.guide.types:
        tags = set(kind.case_tags)
        yield BusinessTypeContext(
            kind=kind,
            related_cases=tuple(c for c in data.cases if tags & set(c.tags)),
            form_href=facts.form_href(f"{SECTION}/{kind.slug}.md"))


def with_type_pages(nav: list[Any], facts: ConsultationFacts) -> list[Any]:
    """`nav` (mkdocs.yml's) with a menu entry for every business type, so that a type added to
    data/business.yml is in the menu without a second edit. The entries go into the section
    that lists business/index.md, after its form page (or after the index when it lists no
    form), in file order; a type the section already lists keeps its own entry. A nav without
    that section is returned as it is (the bureau took the section out of its menu)."""
    index, form = f"{SECTION}/index.md", facts.form_page
    out: list[Any] = []
    for item in nav:
        if isinstance(item, dict) and len(item) == 1:
            ((title, value),) = item.items()
            if isinstance(value, list):
                if index in _pages(value):
                    value = _with_types(value, facts, form)
                else:
                    value = with_type_pages(value, facts)
                item = {title: value}
        out.append(item)
    return out


def _with_types(section: list[Any], facts: ConsultationFacts, form: str) -> list[Any]:
    listed = _pages(section)
    missing = [{t.title: f"{SECTION}/{t.slug}.md"} for t in facts.guide.types
               if f"{SECTION}/{t.slug}.md" not in listed]
    after = next((i for i, item in enumerate(section) if form in _pages([item])), None)
    if after is None:
        after = next(i for i, item in enumerate(section) if f"{SECTION}/index.md" in _pages([item]))
    return [*section[:after + 1], *missing, *section[after + 1:]]


def _pages(items: list[Any]) -> set[str]:
    """The pages entries of `items` name directly (not those of nested sections)."""
    found = set()
    for item in items:
        if isinstance(item, str):
            found.add(item)
        elif isinstance(item, dict) and len(item) == 1:
            (value,) = item.values()
            if isinstance(value, str):
                found.add(value)
    return found

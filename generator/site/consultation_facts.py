"""What the site says about the pre-opening consultation, from the files that define it.

One record for every page that mentions the consultation (the 开业前咨询 section, privacy,
stewards, FAQ): the guidance by type (data/business.yml), the district contacts
(data/bureaus.yml), the reply promise, retention and privacy-notice version
(data/intake.yml) and the fields the form collects (forms/consultation.yml). Pages render
these values; none of them is typed into a page. A project without data/business.yml has no
business section, and every page says nothing of it.
"""

from __future__ import annotations

import posixpath
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.forms import FORM_FILE, load_form
from generator.intake.config import INTAKE_FILE, load_intake_config
from generator.paths import ProjectPaths
from generator.privacy.gate import institutional
from generator.reference import Reference
from generator.site.bureaus import BUREAUS_FILE, Bureau, load_bureaus
from generator.site.business import BUSINESS_FILE, BusinessGuide, load_business

SECTION = "business"
"""Docs folder of the section: business/index.md and business/<slug>.md."""
NOT_COLLECTED = ("consent", "honeypot")
"""Form field types that hold no information about the business or the person."""


@dataclass(frozen=True)
class FormItem:
    """One thing the form asks, as the privacy notice lists it."""

    label: str
    required: bool
    """Asked of everyone (a field required only for some business types is not)."""
    only_for: tuple[str, ...]
    """The business types the field is asked for; empty when asked of all."""


@dataclass(frozen=True)
class ConsultationFacts:
    """The consultation as configured; shared by every page (SiteContext.business)."""

    guide: BusinessGuide
    bureaus: tuple[Bureau, ...]
    form_html: str
    """The form page, site-relative HTML path (data/intake.yml pages.form)."""
    form_title: str
    reply_who: str
    reply_working_days: int
    retention_days: int
    privacy_version: str
    phone_route: str
    items: tuple[FormItem, ...]
    """What the form collects, in form order."""
    guide_titles: Mapping[str, str]
    """The heading of each guide the types link to, by docs-relative path."""

    @property
    def form_page(self) -> str:
        """The form page as a docs-relative Markdown path (business/consultation.md)."""
        return posixpath.splitext(self.form_html)[0] + ".md"

    @property
    def index_page(self) -> str:
        return f"{SECTION}/index.md"

    def form_href(self, page: str) -> str:
        """Relative URL of the form's HTML page from the docs-relative page `page`.

        Pages link to it in raw HTML (a button), so the path is the built file's."""
        return posixpath.relpath(self.form_html, posixpath.dirname(page) or ".")


def load_consultation(paths: ProjectPaths, ref: Reference, limits: Mapping[str, Any],
                      pages: Collection[str], cases: Collection[str]) -> ConsultationFacts | None:
    """The consultation as the project configures it; None without data/business.yml.

    `pages` are the docs-relative site_src/ pages, `cases` the typical cases' slugs (the
    guidance may link to them)."""
    business_file = paths.root / BUSINESS_FILE
    if not business_file.is_file():
        return None
    intake = load_intake_config(paths.root / INTAKE_FILE)
    form_name = posixpath.splitext(posixpath.basename(intake.form_page))[0]
    guide = load_business(business_file, limits, pages, cases, reserved=("index", form_name))
    bureaus = load_bureaus(paths.root / BUREAUS_FILE, ref, institutional(paths.settings))
    form = load_form(paths.root / FORM_FILE, ref)
    items = tuple(
        FormItem(f.label, f.required,
                 tuple(f.shown_when.values) if f.shown_when is not None else ())
        for f in form.fields if f.type not in NOT_COLLECTED)
    return ConsultationFacts(
        guide=guide, bureaus=bureaus, form_html=intake.form_page.lstrip("/"),
        form_title=form.title, reply_who=intake.reply_who,
        reply_working_days=intake.reply_working_days, retention_days=intake.retention_days,
        privacy_version=intake.privacy_notice_version, phone_route=intake.phone_route,
        items=items, guide_titles={
            g: _heading(paths.site_src / g) for t in guide.types for g in t.guides})


def _heading(page: Path) -> str:
    """A hand-written page's first level-one heading (its title in the nav), else its name."""
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return page.stem

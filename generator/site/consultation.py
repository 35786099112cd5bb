"""The consultation form page (issue 11 part 3), generated from the one form definition.

The page is where data/intake.yml `pages.form` says (business/consultation.html by default):
the fixed notice that the form needs the bureau's server (with the hotline of
data/settings.yml as the phone route), the privacy link and version, and the form rendered by
generator.forms.html from forms/consultation.yml, with the definition embedded as JSON for
site_src/assets/javascripts/consultation.js. Nothing of the form is written by hand here: a
label, hint, limit or message changes in the definition and the page follows.

A project without forms/consultation.yml (a city that runs no intake service) gets no page.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from generator.errors import ConfigError
from generator.forms import FORM_FILE, definition_json_text, load_form
from generator.forms.html import render_form
from generator.intake.app import API_PATH, HEALTH_PATH
from generator.intake.config import INTAKE_FILE, IntakeConfig, load_intake_config
from generator.settings import SETTINGS_FILE, Settings

if TYPE_CHECKING:  # pages imports this module for PAGE_TYPES
    from generator.site.pages import SiteData

@dataclass(frozen=True)
class ConsultationPage:
    """Everything the page template shows; the form and its JSON come from the definition."""

    path: str
    """Docs-relative Markdown path of the page (from data/intake.yml `pages.form`)."""
    title: str
    """The form's title (the definition's `title`)."""
    description: str
    """Who the form is for and what happens (the definition's `description`)."""
    form_html: str
    """Error summary and <form> from generator.forms.html.render_form."""
    definition_json: str
    """The definition as JSON, safe inside <script type="application/json">."""
    phone_route: str
    """The sentence giving the hotline of data/settings.yml when the form cannot be used."""
    privacy_href: str
    """Link from this page to the privacy notice (relative, works from a file share too)."""
    privacy_version: str
    """The notice's version stored with every request (data/intake.yml)."""
    health_url: str
    """The service's health check, which the script asks on page load."""
    reply_who: str
    """Who calls back (data/intake.yml `reply.who`)."""
    reply_working_days: int
    """Within how many working days (data/intake.yml `reply.working_days`)."""
    time_zone: str
    """The city's IANA zone: the script counts date limits from today in this zone."""


@dataclass(frozen=True)
class ConsultationContext:
    """The consultation form page's own template name."""

    consultation: ConsultationPage
    """The page (see ConsultationPage)."""


def project_root(settings: Settings) -> Path:
    """The project root: settings are always read from <root>/data/settings.yml."""
    root = settings.source
    for _ in SETTINGS_FILE.parts:
        root = root.parent
    return root


def docs_path(page: str) -> str:
    """business/consultation.html → business/consultation.md (the source the build writes)."""
    pure = PurePosixPath(page.lstrip("/"))
    if pure.suffix != ".html" or ".." in pure.parts:
        raise ConfigError(
            f"受理服务设置文件 {INTAKE_FILE} 中 pages.form 的值“{page}”不是本站的 .html 页面。"
            "请填写站内页面路径，例如 business/consultation.html。")
    return pure.with_suffix(".md").as_posix()


def phone_route(settings: Settings) -> str:
    return (f"如无法在线提交，请拨打 {settings.hotline.name}，说明需要“开业前咨询”，"
            "我们同样会安排联系。")


def build_page(data: SiteData, config: IntakeConfig, root: Path) -> ConsultationPage:
    form = load_form(root / FORM_FILE, data.ref)
    path = docs_path(config.form_page)
    here = posixpath.dirname(path) or "."
    privacy = posixpath.relpath(config.privacy_page.lstrip("/"), here)
    # The service answers beside the site's root (deploy/nginx-ecoportal.conf): relative
    # URLs reach it there whether the site is served at the root or under a sub-path.
    return ConsultationPage(
        path=path, title=form.title, description=form.description,
        form_html=render_form(form, action=posixpath.relpath(API_PATH.lstrip("/"), here),
                              privacy_href=privacy,
                              privacy_version=config.privacy_notice_version),
        definition_json=definition_json_text(form), phone_route=phone_route(data.settings),
        privacy_href=privacy, privacy_version=config.privacy_notice_version,
        health_url=posixpath.relpath(HEALTH_PATH.lstrip("/"), here),
        reply_who=config.reply_who, reply_working_days=config.reply_working_days,
        time_zone=data.settings.data.time_zone)


def consultation(data: SiteData) -> Iterator[ConsultationContext]:
    root = project_root(data.settings)
    if not (root / FORM_FILE).exists():
        return
    yield ConsultationContext(build_page(data, load_intake_config(root / INTAKE_FILE), root))

"""The 网站地图 page (site-map.md): every section and page of the site's navigation.

The entries come from mkdocs.yml `nav`, read once by the render stage (`read_nav`, with the
business type pages added as the menu gets them), so the site map lists what the menu lists,
under the same names. A nav entry without a title (the index
page heading a section) is named by its section; a page outside any section without a title by
its first level-one heading. The search engines' `sitemap.xml` is mkdocs's own (every page,
when `site_url` is set).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.errors import ConfigError
from generator.text import shown

if TYPE_CHECKING:
    from generator.site.pages import SiteData

SITE_MAP_PAGE = "site-map.md"
"""Where the page is (docs-relative); the footer links to site-map.html."""


@dataclass(frozen=True)
class NavEntry:
    """One entry of mkdocs.yml `nav`: a page, a section, or an outside link."""

    title: str
    """The name the menu shows."""
    path: str | None
    """The docs-relative page (or the address of a link); None for a section without an
    index page of its own."""
    children: tuple[NavEntry, ...] = ()
    """The section's entries (after its index page, which is `path`)."""


@dataclass(frozen=True)
class SiteMapContext:
    """The 网站地图 page: the navigation as a tree."""

    site_map: tuple[NavEntry, ...]
    """The top-level entries of the nav, in its order."""


def site_map_page(data: SiteData) -> Iterator[SiteMapContext]:
    if data.nav:
        yield SiteMapContext(site_map=data.nav)


def read_nav(mkdocs_yml: Path) -> list[Any] | None:
    """mkdocs.yml's nav as written (None when it has none)."""
    from mkdocs.utils.yaml import yaml_load

    try:
        with mkdocs_yml.open("rb") as fh:
            raw = yaml_load(fh)
    except Exception as exc:  # mkdocs reports a broken file itself, with its own message
        raise ConfigError(f"无法读取网站配置 {shown(mkdocs_yml)}（{exc}）。请对照 README 修正。"
                          ) from exc
    nav = raw.get("nav") if isinstance(raw, dict) else None
    return nav if isinstance(nav, list) else None


def nav_entries(nav: list[Any] | None, site_src: Path) -> tuple[NavEntry, ...]:
    """`nav` as NavEntry trees (empty without a nav)."""
    return tuple(_entries(nav, site_src, "")) if nav is not None else ()


def _entries(items: list[Any], site_src: Path, section: str) -> Iterator[NavEntry]:
    for item in items:
        if isinstance(item, str):
            yield NavEntry(section or _heading(site_src / item, item), item)
        elif isinstance(item, dict) and len(item) == 1:
            ((title, value),) = item.items()
            if isinstance(value, list):
                kids = list(_entries(value, site_src, str(title)))
                index = kids[0].path if kids and value and isinstance(value[0], str) else None
                yield NavEntry(str(title), index, tuple(kids[1:] if index else kids))
            else:
                yield NavEntry(str(title), str(value))


def _heading(page: Path, fallback: str) -> str:
    """A hand-written page's first level-one heading, else its path."""
    if page.is_file():
        for line in page.read_text(encoding="utf-8").splitlines():
            if line.startswith("# "):
                return line[2:].strip()
    return fallback

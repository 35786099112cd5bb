"""Link check of the built site without a browser (issue 4 part 5).

Every relative href/src of every HTML page must name a file of the site, every #fragment
pointing at another page must be an id of that page, no link may lead to the 404 page, and no
page may load a resource (script, stylesheet, image…) from another machine.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import pytest

pytestmark = pytest.mark.slow

IGNORED_SCHEMES = ("http:", "https:", "mailto:", "tel:", "javascript:", "data:")
LINK_ATTRS = ("href", "src", "poster", "data")
# Tags whose URL attribute makes the browser fetch something when the page loads.
RESOURCE_TAGS = {"script", "img", "iframe", "source", "audio", "video", "embed", "object"}


@dataclass(frozen=True)
class Link:
    page: str
    tag: str
    attr: str
    url: str


@dataclass
class PageScan:
    ids: set[str] = field(default_factory=set)
    links: list[Link] = field(default_factory=list)


class _Collector(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.scan = PageScan()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value for name, value in attrs if value is not None}
        if "id" in values:
            self.scan.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.scan.ids.add(values["name"])
        for attr in LINK_ATTRS:
            if attr in values:
                self.scan.links.append(Link(self.page, tag, attr, values[attr].strip()))
        if "srcset" in values:
            for candidate in values["srcset"].split(","):
                if candidate.strip():
                    url = candidate.split()[0]
                    self.scan.links.append(Link(self.page, tag, "srcset", url))

    handle_startendtag = handle_starttag


def scan_page(site: Path, path: Path) -> PageScan:
    rel = path.relative_to(site).as_posix()
    collector = _Collector(rel)
    collector.feed(path.read_text(encoding="utf-8"))
    collector.close()
    return collector.scan


@cache
def _scan_site(site: Path) -> dict[str, PageScan]:
    return {
        p.relative_to(site).as_posix(): scan_page(site, p) for p in sorted(site.rglob("*.html"))
    }


def is_relative(url: str) -> bool:
    lowered = url.lower()
    return bool(url) and not url.startswith(("#", "//")) and not lowered.startswith(IGNORED_SCHEMES)


def resolve(page: str, url: str) -> tuple[str, str] | None:
    """(site-relative target path, fragment) of a relative URL; None if it leaves the site."""
    parts = urlsplit(url)
    # Root-absolute paths ("/x.html") resolve against the site root (how an HTTP server sees them).
    base = PurePosixPath("") if parts.path.startswith("/") else PurePosixPath(page).parent
    target: list[str] = []
    for piece in (base / unquote(parts.path).lstrip("/")).parts:
        if piece == "..":
            if not target:
                return None
            target.pop()
        elif piece not in {".", ""}:
            target.append(piece)
    path = "/".join(target)
    if parts.path.endswith("/") or not path:
        path = f"{path}/index.html".lstrip("/")
    return path, unquote(parts.fragment)


def _relative_links(pages: dict[str, PageScan]) -> Iterator[tuple[Link, tuple[str, str] | None]]:
    for scan in pages.values():
        for link in scan.links:
            if is_relative(link.url):
                yield link, resolve(link.page, link.url)


@pytest.fixture(scope="module")
def pages(built_site: Path) -> dict[str, PageScan]:
    scanned = _scan_site(built_site.resolve())
    assert "index.html" in scanned, f"{built_site} 中没有 index.html"
    return scanned


def test_resolver_handles_the_usual_shapes() -> None:
    assert resolve("stats/index.html", "../guides/noise.html#_2") == ("guides/noise.html", "_2")
    assert resolve("index.html", "stats/") == ("stats/index.html", "")
    assert resolve("cases/a.html", "../%E5%9B%BE.png") == ("图.png", "")
    assert resolve("index.html", "../../etc/passwd") is None
    assert resolve("cases/a.html", "/stats/index.html") == ("stats/index.html", "")
    assert not is_relative("#top") and not is_relative("HTTPS://x") and not is_relative("//cdn")
    assert is_relative("assets/x.css?v=1")


def test_every_relative_link_names_a_file_of_the_site(
    built_site: Path, pages: dict[str, PageScan]
) -> None:
    site = built_site.resolve()
    broken: list[str] = []
    checked = 0
    for link, target in _relative_links(pages):
        checked += 1
        if target is None:
            broken.append(f"{link.page}: <{link.tag} {link.attr}={link.url!r}> 指向网站目录之外")
        elif not (site / target[0]).is_file():
            tag = f"<{link.tag} {link.attr}={link.url!r}>"
            broken.append(f"{link.page}: {tag} → {target[0]} 不存在")
    assert checked >= 10 * len(pages), f"只检查到 {checked} 个链接，解析可能失效"
    assert not broken, "失效链接：\n" + "\n".join(broken[:50])


def test_every_cross_page_fragment_exists(pages: dict[str, PageScan]) -> None:
    missing: list[str] = []
    for link, target in _relative_links(pages):
        if target is None or not target[1] or not target[0].endswith(".html"):
            continue
        scan = pages.get(target[0])
        if scan is not None and target[1] not in scan.ids:
            missing.append(f"{link.page}: {link.url!r} → {target[0]} 中没有 id=“{target[1]}”")
    assert not missing, "失效的页内锚点：\n" + "\n".join(missing[:50])


def test_pages_use_relative_links_so_they_work_from_file_urls(
    pages: dict[str, PageScan],
) -> None:
    # 404.html is only ever served by a web server for unknown paths at any depth, so mkdocs
    # deliberately writes it with root-absolute links; every other page must work over file://.
    absolute = [
        f"{link.page}: <{link.tag} {link.attr}={link.url!r}>"
        for scan in pages.values()
        for link in scan.links
        if link.page != "404.html" and is_relative(link.url) and link.url.startswith("/")
    ]
    assert not absolute, "以 / 开头的链接在 file:// 下会失效：\n" + "\n".join(absolute[:50])


def test_no_link_leads_to_the_404_page(pages: dict[str, PageScan]) -> None:
    to_404 = [
        f"{link.page}: {link.url}"
        for link, target in _relative_links(pages)
        if target is not None and PurePosixPath(target[0]).name == "404.html"
    ]
    assert not to_404, "链接指向 404 页面：\n" + "\n".join(to_404)


def test_no_page_loads_resources_from_another_machine(pages: dict[str, PageScan]) -> None:
    external: list[str] = []
    for scan in pages.values():
        for link in scan.links:
            fetched = link.tag in RESOURCE_TAGS or (link.tag == "link" and link.attr == "href")
            url = link.url.lower()
            if fetched and (url.startswith(("http:", "https:", "//"))):
                external.append(f"{link.page}: <{link.tag} {link.attr}={link.url!r}>")
    assert not external, "页面从外部加载资源（内网离线部署会失败）：\n" + "\n".join(external[:50])


def test_search_index_locations_exist(built_site: Path, pages: dict[str, PageScan]) -> None:
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["lang"] == ["zh"] or "zh" in index["config"]["lang"]
    problems: list[str] = []
    for doc in index["docs"]:
        page, _, fragment = doc["location"].partition("#")
        page = page or "index.html"
        if page not in pages:
            problems.append(f"{doc['location']}: 页面不存在")
        elif fragment and unquote(fragment) not in pages[page].ids:
            problems.append(f"{doc['location']}: 页面中没有该锚点")
    assert len(index["docs"]) >= len(pages) - 1
    assert not problems, "搜索索引指向不存在的位置：\n" + "\n".join(problems[:50])

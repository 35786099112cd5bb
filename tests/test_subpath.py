"""Sub-path hosting (issue 12 parts 6 and 8): the site served under /eco/ and at the root.

A bureau's web server often publishes the portal under a path of its own site
(https://www.example.gov.cn/eco/). Pages, assets and search use relative URLs and work at any
path; the 404 page cannot (a server returns it for an unknown URL at any depth), so mkdocs
writes it with root-absolute URLs built from the path of `site_url`. These tests build a copy
of the project with site_url http://127.0.0.1:PORT/eco/, serve it there as a web server would
(unknown paths answered 404 with the site's 404.html), and check in Chromium that pages,
assets, search and the 404 page (in Chinese, its stylesheets loaded) all work; then the same
for the test session's site (no site_url) served at the root.
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

from generator.site.preview import PreviewServer
from tests.browser_support import (  # noqa: F401 - pytest fixtures
    AXE_JS,
    AXE_URL_PATH,
    WCAG_TAGS,
    chromium_browser_fixture,
    describe_violations,
    open_page,
    run_axe,
)
from tests.conftest import BUILD_DAY, ROOT

pytestmark = pytest.mark.slow

MINI = ROOT / "tests" / "fixtures" / "mini_package"
PREFIX = "/eco/"
QUERY = "朝阳"
SEARCH_WAIT_MS = 30_000
PAGES = ["index.html", "guides/noise.html", "stats/index.html", "cases/index.html"]
MISSING = "no/such/folder/page.html"


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static files as a web server serves a site under `prefix`: an unknown path inside it
    is answered 404 with the site's own 404.html, anything outside it with a bare 404 (so a
    root-absolute /assets/ URL fails here as it would on the bureau's server)."""

    prefix = "/"
    not_found = Path()

    def translate_path(self, path: str) -> str:
        if urlsplit(path).path == AXE_URL_PATH:  # axe-core for run_axe
            return str(AXE_JS)
        return super().translate_path(path)

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        inside = urlsplit(self.path).path.startswith(self.prefix)
        if code != 404 or not inside or not self.not_found.is_file():
            super().send_error(code, message, explain)
            return
        body = self.not_found.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Served:
    """A site folder served under `base` (an http URL ending in '/')."""

    site: Path
    base: str
    origin: str
    prefix: str


class _Server:
    def __init__(self, root: Path, site: Path, prefix: str) -> None:
        handler = type("Handler", (_SiteHandler,),
                       {"prefix": prefix, "not_found": site / "404.html"})
        self.httpd = PreviewServer(("127.0.0.1", 0),
                                   functools.partial(handler, directory=str(root)))
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def origin(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def _project(root: Path, site_url: str) -> Path:
    """A copy of the project's sources whose mkdocs.yml sets `site_url`."""
    shutil.copytree(ROOT / "site_src", root / "site_src")
    shutil.copytree(ROOT / "data", root / "data",
                    ignore=shutil.ignore_patterns("complaints", "releases"))
    shutil.copytree(ROOT / "forms", root / "forms")
    text = (ROOT / "mkdocs.yml").read_text("utf-8")
    text, found = re.subn(r"(?m)^site_url:.*$", f'site_url: "{site_url}"', text)
    assert found == 1, "mkdocs.yml 中应有一行 site_url:"
    (root / "mkdocs.yml").write_text(text, "utf-8")
    (root / "generator").symlink_to(ROOT / "generator")
    return root


@pytest.fixture(scope="module")
def eco(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The mini package's site built with site_url http://127.0.0.1:PORT/eco/ and served
    there (the server starts first: the port is part of site_url)."""
    from generator.pipeline import build_site

    tmp = tmp_path_factory.mktemp("subpath")
    www = tmp / "www"
    www.mkdir()
    site = www / PREFIX.strip("/")
    server = _Server(www, site, PREFIX)
    try:
        base = server.origin + PREFIX
        project = _project(tmp / "project", base)
        build_site(project, package=MINI, site_dir=site, echo=lambda _: None, today=BUILD_DAY)
        yield Served(site, base, server.origin, PREFIX)
    finally:
        server.close()


@pytest.fixture(scope="module")
def root_served(built_site: Path) -> Iterator[Served]:
    """The test session's site (mkdocs.yml's empty site_url) served at the root."""
    site = built_site.resolve()
    server = _Server(site, site, "/")
    try:
        yield Served(site, server.origin + "/", server.origin, "/")
    finally:
        server.close()


class Visit:
    """A fresh page that records every response; `stray` lists what went wrong on the
    server's origin (outside the site's path, or failed), `external` what left loopback."""

    def __init__(self, browser: Any, served: Served, width: int = 1280) -> None:
        self.served = served
        self.opened = open_page(browser, viewport={"width": width, "height": 900})
        self.page = self.opened.page
        self.responses: list[tuple[str, int]] = []
        self.page.on("response", lambda r: self.responses.append((r.url, r.status)))

    def stray(self, expected_404: str = "") -> list[str]:
        out = []
        for url, status in self.responses:
            if not url.startswith(self.served.origin) or url.endswith(AXE_URL_PATH):
                continue
            if not urlsplit(url).path.startswith(self.served.prefix):
                out.append(f"站点路径之外：{url}（{status}）")
            elif status >= 400 and url != expected_404:
                out.append(f"请求失败：{url}（{status}）")
        return out

    def close(self) -> None:
        self.opened.context.close()
        assert not self.opened.log.external, self.opened.log.external


def _styled(page: Any) -> dict[str, Any]:
    """Whether Material's stylesheet applies (sticky header, grid) and which sheets loaded."""
    result: dict[str, Any] = page.evaluate(
        """() => ({
            header: getComputedStyle(document.querySelector('.md-header')).position,
            sheets: [...document.styleSheets].filter(s => s.href).map(s => {
                let rules = -1; try { rules = s.cssRules.length; } catch (e) {}
                return [s.href, rules]; }),
        })"""
    )
    return result


def _check_styled(page: Any, served: Served, what: str) -> None:
    styled = _styled(page)
    assert styled["header"] in {"sticky", "fixed"}, f"{what}：样式表没有生效：{styled}"
    sheets = styled["sheets"]
    assert any("/assets/stylesheets/main." in href for href, _ in sheets), sheets
    empty = [href for href, rules in sheets if rules <= 0 or not href.startswith(served.base)]
    assert not empty, f"{what}：样式表未加载或不在站点路径下：{empty}"


def _search(page: Any, served: Served) -> list[str]:
    """Type QUERY into the search box; the results' links, all inside the site."""
    page.focus(".md-search__input")
    page.locator(".md-search-result__meta").filter(has_text="键入").wait_for(
        timeout=SEARCH_WAIT_MS)
    page.keyboard.type(QUERY)
    page.locator(".md-search-result__item").first.wait_for(state="visible",
                                                           timeout=SEARCH_WAIT_MS)
    hrefs: list[str] = page.eval_on_selector_all(
        ".md-search-result__item a", "els => els.map(e => e.href)")
    assert hrefs, f"搜索“{QUERY}”没有结果"
    outside = [h for h in hrefs if not h.startswith(served.base)]
    assert not outside, f"搜索结果链接到站点路径之外：{outside[:5]}"
    return hrefs


def test_the_sub_path_build_writes_every_root_absolute_url_under_eco(eco: Served) -> None:
    text = (eco.site / "404.html").read_text("utf-8")
    absolute = re.findall(r'(?:href|src)="(/[^"/][^"]*)"', text)
    assert absolute, "404.html 应使用以 / 开头的地址（它可能在任何层级的网址上返回）"
    assert all(url.startswith(PREFIX) for url in absolute), [
        u for u in absolute if not u.startswith(PREFIX)][:10]
    assert re.search(r'"base": *"/eco/"', text), \
        "404 页的主题配置应以 /eco/ 为站点根（搜索索引从那里加载）"


@pytest.mark.browser
def test_pages_assets_and_search_under_the_sub_path(chromium_browser: Any, eco: Served) -> None:
    visit = Visit(chromium_browser, eco)
    try:
        for rel in PAGES:
            response = visit.page.goto(eco.base + rel, wait_until="load")
            assert response is not None and response.status == 200, rel
            _check_styled(visit.page, eco, rel)
        hrefs = _search(visit.page, eco)
        response = visit.page.goto(hrefs[0], wait_until="load")
        assert response is not None and response.ok, hrefs[0]
        assert not visit.stray(), "\n".join(visit.stray())
    finally:
        visit.close()


def _check_not_found(browser: Any, served: Served) -> None:
    """An unknown deep URL gets the Chinese 404 page, styled, with working links and search."""
    missing = served.base + MISSING
    visit = Visit(browser, served, width=640)
    try:
        page = visit.page
        response = page.goto(missing, wait_until="load")
        assert response is not None and response.status == 404
        assert page.title().startswith("页面未找到"), page.title()
        assert page.locator(".md-content h1").inner_text().strip() == "页面未找到"
        assert "404" in page.locator(".md-content").inner_text()
        assert page.evaluate("document.documentElement.lang") == "zh"
        _check_styled(page, served, "404 页")
        links = page.eval_on_selector_all(".md-content a", "els => els.map(e => e.href)")
        assert links and all(h.startswith(served.base) for h in links), links
        violations = run_axe(page, WCAG_TAGS)
        assert not violations, "404 页：\n" + describe_violations(violations)
        # The menu button works here too (the drawer lists the whole site).
        assert page.locator(".ecp-menu-button").is_visible()
        _search(page, served)
        page.keyboard.press("Escape")  # closes the search dialog
        with page.expect_navigation():
            page.get_by_role("link", name="返回首页").click()
        assert page.url == served.base + "index.html", page.url
        _check_styled(page, served, "从 404 页返回的首页")
        assert not visit.stray(expected_404=missing), "\n".join(visit.stray(missing))
    finally:
        visit.close()


@pytest.mark.browser
def test_404_page_under_the_sub_path(chromium_browser: Any, eco: Served) -> None:
    _check_not_found(chromium_browser, eco)


@pytest.mark.browser
def test_404_page_at_the_root(chromium_browser: Any, root_served: Served) -> None:
    _check_not_found(chromium_browser, root_served)


def test_the_consultation_form_posts_beside_the_sub_path(eco: Served) -> None:
    """The form and its health check reach the service under /eco/ (the proxy serves it
    beside the site's root), not at the origin's root."""
    page = eco.site / "business" / "consultation.html"
    html = page.read_text("utf-8")
    action = re.search(r'<form class="cf-form"[^>]* action="([^"]+)"', html)
    health = re.search(r'data-health-url="([^"]+)"', html)
    assert action and health, "开业前咨询页缺少表单提交地址或健康检查地址"
    at = eco.base + "business/consultation.html"
    assert urljoin(at, action.group(1)) == eco.base + "api/consultations"
    assert urljoin(at, health.group(1)) == eco.base + "healthz"

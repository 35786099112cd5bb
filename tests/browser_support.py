"""Shared helpers for the browser tests: a loopback server and a request-recording Chromium.

One HTTP server and one browser serve the whole test session, however many test modules import
these fixtures (pytest would otherwise create one instance per importing module): both are
reference-counted singletons released when the last session fixture is finalised.

Every page opened through `open_page` records every request it (and its workers) makes, and
the `local_page` fixture fails the test if any request's host is not 127.0.0.1/localhost and
it is not a file:// (or data:/blob:/about:) URL. Such a request cannot leave the machine
anyway: the browser's proxy is a bound-but-closed loopback port (loopback is never proxied).

pytest finds fixtures among a test module's attributes, so a test module imports the
`*_fixture` functions it needs (they register as `site_url`, `chromium_browser`, `local_page`):
`from tests.browser_support import local_page_fixture  # noqa: F401`.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from generator.site.preview import PreviewServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
LOCAL_SCHEMES = frozenset({"file", "data", "blob", "about"})
AXE_JS = Path(__file__).with_name("vendor") / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
"""axe-core's rule tags for WCAG 2.1 levels A and AA."""
NO_SEARCH_WORKER = """window.Worker = class {
    constructor() {} postMessage() {} addEventListener() {} removeEventListener() {}
    terminate() {} };"""
"""Without this, every page load starts Material's search worker, which reads and indexes the
3.7 MB search index while axe runs: it doubled the time of axe on every page (42 pages: 45-65 s
with, 25-33 s without). The closed search dialog is the same either way; the open dialog is
checked in tests/test_keyboard.py.
Add it with `context.add_init_script` where the search is not used."""
ONE_OF_EACH_TYPE = [
    "index.html", "stats/index.html", "stats/districts.html", "stats/methodology.html",
    "stats/open-data.html", "stats/data-dictionary.html", "stats/updates.html",
    "stats/reports/index.html",
    "stats/reports/2026-09.html", "stats/reports/2026Q3.html", "stats/reports/2026Q4.html",
    "stats/reports/2026.html",
    "stats/reports/2026-09-07.html", "stats/topics/2026-09.html", "stats/warnings.html",
    "stats/hotspots.html", "stats/districts/110105.html", "stats/streets/110105034.html",
    "guides/noise.html", "cases/index.html", "cases/*.html", "faq.html", "site-map.html",
    "business/index.html", "business/catering.html", "business/consultation.html",
    "business/service.html", "404.html",
]
"""One page of each generated type (and the hand-written kinds) in the test site (12 months to
2026-10); a glob takes its first match. The accessibility tests check these at several widths
and states (tests/test_accessibility.py, tests/test_keyboard.py)."""


def is_local(url: str) -> bool:
    """True if loading `url` cannot leave the machine."""
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    return parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname in LOCAL_HOSTS


@dataclass
class RequestLog:
    """Every URL requested by a browser context, in order."""

    urls: list[str] = field(default_factory=list)

    def record(self, url: str) -> None:
        self.urls.append(url)

    @property
    def external(self) -> list[str]:
        return [u for u in self.urls if not is_local(u)]


AXE_URL_PATH = "/__tests__/axe.min.js"
"""Where the test server serves the vendored axe-core (outside the built site's namespace)."""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, cacheable for the session (the site does not change while tests run), so
    Chromium keeps compiled scripts between page loads; also serves axe-core for the a11y tests."""

    def translate_path(self, path: str) -> str:
        if urlsplit(path).path == AXE_URL_PATH:
            return str(AXE_JS)
        return super().translate_path(path)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "max-age=3600")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


class SiteServer:
    """Serves a folder on 127.0.0.1 with a random free port, in a daemon thread."""

    def __init__(self, root: Path) -> None:
        handler = functools.partial(_QuietHandler, directory=str(root))
        self.root = root
        self.httpd = PreviewServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}/"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


class _Shared:
    """Reference-counted session singletons (server per site folder, one browser)."""

    def __init__(self) -> None:
        self.servers: dict[Path, tuple[SiteServer, int]] = {}
        self.playwright: Any = None
        self.browser: Any = None
        self.browser_users = 0
        self.sink: socket.socket | None = None

    def acquire_server(self, root: Path) -> SiteServer:
        server, users = self.servers.get(root, (None, 0))
        if server is None:
            server = SiteServer(root)
        self.servers[root] = (server, users + 1)
        return server

    def release_server(self, root: Path) -> None:
        server, users = self.servers[root]
        if users <= 1:
            del self.servers[root]
            server.close()
        else:
            self.servers[root] = (server, users - 1)

    def acquire_browser(self) -> Any:
        if self.browser is None:
            from playwright.sync_api import sync_playwright

            self.playwright = sync_playwright().start()
            try:
                self.browser = self.playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, proxy=self.dead_proxy()
                )
            except Exception:
                self.playwright.stop()
                self.playwright = None
                raise
        self.browser_users += 1
        return self.browser

    def dead_proxy(self) -> dict[str, str]:
        """A proxy on a bound but never-listening loopback port: any request that is not for
        loopback (Chromium never proxies those) is refused on the machine itself."""
        if self.sink is None:
            self.sink = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.sink.bind(("127.0.0.1", 0))
        port = self.sink.getsockname()[1]
        return {"server": f"http://127.0.0.1:{port}", "bypass": "127.0.0.1,localhost"}

    def release_browser(self) -> None:
        self.browser_users -= 1
        if self.browser_users <= 0 and self.browser is not None:
            self.browser.close()
            self.playwright.stop()
            self.browser = self.playwright = None
            if self.sink is not None:
                self.sink.close()
                self.sink = None


_SHARED = _Shared()


def require_chromium() -> None:
    """Skip (with the reason) when Chromium or Playwright is missing on this machine."""
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        pytest.skip(f"需要 Debian 的 chromium（{CHROMIUM}）：apt-get install -y chromium")
    pytest.importorskip("playwright.sync_api", reason="需要 Python 包 playwright")


@pytest.fixture(scope="session", name="site_url")
def site_url_fixture(built_site: Path) -> Iterator[str]:
    """Base URL (ending in '/') of the built site served on loopback."""
    root = built_site.resolve()
    server = _SHARED.acquire_server(root)
    try:
        yield server.url
    finally:
        _SHARED.release_server(root)


@pytest.fixture(scope="session", name="chromium_browser")
def chromium_browser_fixture() -> Iterator[Any]:
    """The session's headless Debian Chromium (a playwright Browser)."""
    require_chromium()
    browser = _SHARED.acquire_browser()
    try:
        yield browser
    finally:
        _SHARED.release_browser()


@dataclass
class LocalPage:
    """A fresh browser context's page plus the log of every request it made."""

    page: Any
    log: RequestLog
    context: Any


def open_page(browser: Any, **context_options: Any) -> LocalPage:
    """A new context and page that record every request (non-local ones also fail: the
    browser's proxy is a dead loopback port). No request interception, so the HTTP cache
    stays on."""
    context = browser.new_context(service_workers="block", **context_options)
    log = RequestLog()
    context.on("request", lambda request: log.record(request.url))
    page = context.new_page()
    # Requests from dedicated workers (the search worker) are reported on the page.
    page.on("request", lambda request: log.record(request.url))
    return LocalPage(page, log, context)


@pytest.fixture(name="local_page")
def local_page_fixture(chromium_browser: Any) -> Iterator[LocalPage]:
    """A page in a fresh context; the test fails if any request tried to leave the machine."""
    opened = open_page(chromium_browser)
    try:
        yield opened
    finally:
        opened.context.close()
    external = sorted(set(opened.log.external))
    assert not external, f"页面向本机以外的地址发出了请求：{external}"


def run_axe(page: Any, tags: list[str]) -> list[dict[str, Any]]:
    """Inject the vendored axe-core into `page`, run the given rule tags, return violations."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        parts = urlsplit(page.url)
        if parts.scheme == "http" and parts.hostname in LOCAL_HOSTS:
            # Served by SiteServer: cached, so Chromium compiles axe once per session.
            page.add_script_tag(url=f"{parts.scheme}://{parts.netloc}{AXE_URL_PATH}")
        else:
            page.add_script_tag(path=str(AXE_JS))
    result: dict[str, Any] = page.evaluate(
        """async (tags) => await window.axe.run(document, {
            runOnly: {type: 'tag', values: tags},
            resultTypes: ['violations'],
        })""",
        tags,
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def one_of_each_type(site: Path) -> list[str]:
    """The site-relative pages of ONE_OF_EACH_TYPE in `site`, globs resolved."""
    pages: list[str] = []
    for pattern in ONE_OF_EACH_TYPE:
        found = sorted(p.relative_to(site).as_posix() for p in site.glob(pattern))
        assert found, f"网站中没有与 {pattern} 匹配的页面"
        pages.append(found[0])
    return pages


def describe_violations(violations: list[dict[str, Any]], limit: int = 8) -> str:
    """Readable, actionable lines: rule id, impact, help, URL and failing targets with summary."""
    lines: list[str] = []
    for v in violations:
        lines.append(f"- {v['id']} [{v.get('impact')}]: {v['help']} ({v.get('helpUrl', '')})")
        for node in v["nodes"][:limit]:
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {node['target']}: {summary}")
        if len(v["nodes"]) > limit:
            lines.append(f"    …另有 {len(v['nodes']) - limit} 处")
    return "\n".join(lines)

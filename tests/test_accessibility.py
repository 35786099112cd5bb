"""Accessibility of the built site: axe-core WCAG 2.1 A/AA rules and 200 % zoom (issue 4 part 5).

axe-core (tests/vendor/axe.min.js, MPL-2.0) is injected into each page in Debian's Chromium:
every built page once at 1280 px (issue 12 part 8), one page of each type at 1280, 640 and
390 px (issue 10 part 9; large text and the open search dialog: tests/test_keyboard.py).
A violation with impact "serious" or "critical" fails the test; the message lists every rule,
its help text and the CSS selectors of the failing elements so the owner can fix them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser_support import (  # noqa: F401 - pytest fixtures
    AXE_JS,
    NO_SEARCH_WORKER,
    WCAG_TAGS,
    LocalPage,
    chromium_browser_fixture,
    describe_violations,
    local_page_fixture,
    one_of_each_type,
    open_page,
    run_axe,
    site_url_fixture,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BLOCKING = {"serious", "critical"}
SECTIONS = ("stats/streets/", "stats/reports/", "stats/districts/")
"""The generated sections with many pages; every other page (hand-written, guides, cases,
business, the stats pages, the 404 page) is in the first chunk."""
STREET_PARTS = 4
CHUNKS: list[tuple[str, int, int]] = [("", 0, 1), ("stats/districts/", 0, 1),
                                      ("stats/reports/", 0, 1)]
CHUNKS += [("stats/streets/", part, STREET_PARTS) for part in range(STREET_PARTS)]
"""(section, part, parts): the every-page test runs once per chunk, so a failure report names
a section and stays readable (about 90 pages at most in the test site)."""


def pages_of(site: Path, patterns: list[str]) -> list[str]:
    """Site-relative pages matching `patterns`, in order, without duplicates."""
    found: dict[str, None] = {}
    for pattern in patterns:
        matches = sorted(p.relative_to(site).as_posix() for p in site.glob(pattern))
        assert matches, f"网站中没有与 {pattern} 匹配的页面"
        found.update(dict.fromkeys(matches))
    return list(found)


def test_axe_is_vendored() -> None:
    head = AXE_JS.read_text(encoding="utf-8")[:200]
    assert head.startswith("/*! axe v4."), "tests/vendor/axe.min.js 应来自 npm axe-core@4"


def section_of(rel: str) -> str:
    return next((s for s in SECTIONS if rel.startswith(s)), "")


def every_page(site: Path) -> list[str]:
    """Every built HTML page, site-relative, sorted."""
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def pages_in_chunk(pages: list[str], chunk: tuple[str, int, int]) -> list[str]:
    """The `part`-th of `parts` consecutive slices of the pages in `section`."""
    section, part, parts = chunk
    mine = [rel for rel in pages if section_of(rel) == section]
    return mine[len(mine) * part // parts: len(mine) * (part + 1) // parts]


def chunk_id(chunk: tuple[str, int, int]) -> str:
    section, part, parts = chunk
    name = section.rstrip("/") or "other-pages"
    return name if parts == 1 else f"{name}-{part + 1}of{parts}"


def test_the_chunks_hold_every_page_once(built_site: Path) -> None:
    pages = every_page(built_site)
    checked = [rel for chunk in CHUNKS for rel in pages_in_chunk(pages, chunk)]
    assert sorted(checked) == pages
    assert all(pages_in_chunk(pages, chunk) for chunk in CHUNKS), "有的分组没有页面"
    assert "404.html" in checked and "index.html" in checked


@pytest.mark.parametrize("chunk", CHUNKS, ids=chunk_id)
def test_every_page_has_no_serious_wcag_violation_at_1280px(
    chunk: tuple[str, int, int], local_page: LocalPage, site_url: str, built_site: Path
) -> None:
    """Issue 12 part 8: axe-core's WCAG 2.1 A and AA rules on every built page, 1280 px wide
    (one page object; axe injected once per page from the HTTP cache)."""
    page = local_page.page
    page.set_viewport_size({"width": 1280, "height": 900})
    local_page.context.add_init_script(NO_SEARCH_WORKER)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    pages = pages_in_chunk(every_page(built_site), chunk)
    assert pages, f"{chunk_id(chunk)} 没有页面"
    failures: list[str] = []
    for rel in pages:
        response = page.goto(site_url + rel, wait_until="load")
        assert response is not None and response.ok, f"{rel} 无法打开"
        violations = run_axe(page, WCAG_TAGS)
        blocking = [v for v in violations if v.get("impact") in BLOCKING]
        minor = [v for v in violations if v.get("impact") not in BLOCKING]
        if minor:  # shown with `pytest -s`; not a failure
            print(f"\n{rel}（非阻断）:\n{describe_violations(minor)}")
        if blocking:
            failures.append(f"{rel}:\n{describe_violations(blocking)}")
    assert not failures, (
        f"axe-core 在 {len(pages)} 个页面中的 {len(failures)} 个发现严重的无障碍问题"
        f"（1280 px）：\n" + "\n".join(failures))
    assert not errors, f"页面脚本出错：{errors[:5]}"


def test_axe_reports_a_known_violation(local_page: LocalPage, site_url: str) -> None:
    """The harness really runs the rules: an image without alt text must be reported."""
    page = local_page.page
    page.goto(site_url + "index.html", wait_until="load")
    page.evaluate(
        """() => { const img = document.createElement('img');
                   img.src = 'assets/images/favicon.png';
                   document.querySelector('.md-content').appendChild(img); }"""
    )
    ids = {v["id"] for v in run_axe(page, WCAG_TAGS)}
    assert "image-alt" in ids, ids


def _guide_page(site: Path) -> str:
    guides = pages_of(site, ["guides/*.html"])
    topical = [g for g in guides if not g.endswith("/index.html")]
    return (topical or guides)[0]


@pytest.mark.parametrize("which", ["home", "guide"])
def test_no_horizontal_scrolling_at_200_percent_zoom(
    which: str, chromium_browser: Any, site_url: str, built_site: Path
) -> None:
    # A 1280 px wide screen at 200 % zoom lays the page out in 640 CSS pixels.
    opened = open_page(
        chromium_browser, viewport={"width": 640, "height": 800}, device_scale_factor=2
    )
    try:
        rel = "index.html" if which == "home" else _guide_page(built_site)
        opened.page.goto(site_url + rel, wait_until="load")
        sizes = opened.page.evaluate(
            """() => ({scroll: document.documentElement.scrollWidth,
                       body: document.body.scrollWidth,
                       inner: window.innerWidth,
                       ratio: window.devicePixelRatio})"""
        )
        wide = opened.page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                             && getComputedStyle(e).visibility !== 'hidden')
                .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' +
                    String(e.className).trim().split(/\\s+/).join('.') : ''))"""
        )
    finally:
        opened.context.close()
    assert sizes["ratio"] == 2 and sizes["inner"] == 640, sizes
    assert sizes["scroll"] <= sizes["inner"] + 1, (
        f"{rel} 在 200% 缩放下出现横向滚动：{sizes}，过宽元素：{wide}"
    )
    assert sizes["body"] <= sizes["inner"] + 1, f"{rel} 的 body 比窗口宽：{sizes}，过宽元素：{wide}"
    assert not opened.log.external, opened.log.external


@pytest.mark.parametrize("width", [1280, 640, 390])
def test_one_page_of_each_type_has_no_wcag_violation_at_any_width(
        width: int, chromium_browser: Any, site_url: str, built_site: Path) -> None:
    """Issue 10 part 9: no axe-core WCAG 2.1 A/AA violation of any impact."""
    opened = open_page(chromium_browser, viewport={"width": width, "height": 900})
    opened.context.add_init_script(NO_SEARCH_WORKER)
    failures: list[str] = []
    try:
        for rel in one_of_each_type(built_site):
            response = opened.page.goto(site_url + rel, wait_until="load")
            assert response is not None and response.ok, f"{rel} 无法打开"
            violations = run_axe(opened.page, WCAG_TAGS)
            if violations:
                failures.append(f"{rel}:\n{describe_violations(violations)}")
    finally:
        opened.context.close()
    assert not failures, f"axe-core 在 {width} px 发现无障碍问题：\n" + "\n".join(failures)

"""Accessibility of the built site: axe-core WCAG 2.1 A/AA rules and 200 % zoom (issue 4 part 5).

axe-core (tests/vendor/axe.min.js, MPL-2.0) is injected into each page in Debian's Chromium.
A violation with impact "serious" or "critical" fails the test; the message lists every rule,
its help text and the CSS selectors of the failing elements so the owner can fix them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser_support import (  # noqa: F401 - pytest fixtures
    AXE_JS,
    LocalPage,
    chromium_browser_fixture,
    describe_violations,
    local_page_fixture,
    open_page,
    run_axe,
    site_url_fixture,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
GROUPS = {
    "home": ["index.html"],
    "stats": ["stats/index.html", "stats/districts.html"],
    "guides": ["guides/*.html"],
    "cases": ["cases/index.html", "cases/*.html"],
}


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


@pytest.mark.parametrize("group", list(GROUPS))
def test_pages_have_no_serious_wcag_violations(
    group: str, local_page: LocalPage, site_url: str, built_site: Path
) -> None:
    page = local_page.page
    failures: list[str] = []
    checked = 0
    for rel in pages_of(built_site, GROUPS[group]):
        response = page.goto(site_url + rel, wait_until="load")
        assert response is not None and response.ok, f"{rel} 无法打开"
        violations = run_axe(page, WCAG_TAGS)
        checked += 1
        blocking = [v for v in violations if v.get("impact") in BLOCKING]
        minor = [v for v in violations if v.get("impact") not in BLOCKING]
        if minor:  # shown with `pytest -s`; not a failure
            print(f"\n{rel}（非阻断）:\n{describe_violations(minor)}")
        if blocking:
            failures.append(f"{rel}:\n{describe_violations(blocking)}")
    assert checked >= 1
    assert not failures, "axe-core 发现严重的无障碍问题：\n" + "\n".join(failures)


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


ONE_OF_EACH_TYPE = [
    "index.html", "stats/index.html", "stats/districts.html", "stats/methodology.html",
    "stats/open-data.html", "stats/updates.html", "stats/reports/index.html",
    "stats/reports/2026-09.html", "stats/reports/2026Q3.html", "stats/reports/2026Q4.html",
    "stats/reports/2026.html",
    "stats/reports/2026-09-07.html", "stats/topics/2026-09.html", "stats/warnings.html",
    "stats/hotspots.html", "stats/districts/110105.html", "stats/streets/110105034.html",
    "guides/noise.html", "cases/index.html", "cases/*.html", "faq.html",
    "business/index.html", "business/catering.html", "business/consultation.html",
    "business/service.html",
]
"""One page of each generated type (and the hand-written kinds) in the test site (12 months to
2026-10); a glob takes its first match."""


@pytest.mark.parametrize("width", [1280, 640, 390])
def test_one_page_of_each_type_has_no_wcag_violation_at_any_width(
        width: int, chromium_browser: Any, site_url: str, built_site: Path) -> None:
    """Issue 10 part 9: no axe-core WCAG 2.1 A/AA violation of any impact."""
    opened = open_page(chromium_browser, viewport={"width": width, "height": 900})
    failures: list[str] = []
    try:
        for pattern in ONE_OF_EACH_TYPE:
            found = sorted(p.relative_to(built_site).as_posix() for p in built_site.glob(pattern))
            assert found, f"网站中没有与 {pattern} 匹配的页面"
            rel = found[0]
            response = opened.page.goto(site_url + rel, wait_until="load")
            assert response is not None and response.ok, f"{rel} 无法打开"
            violations = run_axe(opened.page, WCAG_TAGS)
            if violations:
                failures.append(f"{rel}:\n{describe_violations(violations)}")
    finally:
        opened.context.close()
    assert not failures, f"axe-core 在 {width} px 发现无障碍问题：\n" + "\n".join(failures)

"""The home page in Chromium: the four task tiles and the hotline are above the fold on a
desktop (1280 × 800) and a phone (390 × 844), and axe-core finds no serious violation there."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser_support import (  # noqa: F401 - pytest fixtures
    WCAG_TAGS,
    LocalPage,
    chromium_browser_fixture,
    describe_violations,
    local_page_fixture,
    run_axe,
    site_url_fixture,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}


def _boxes(page: Any, selector: str) -> list[dict[str, float]]:
    boxes: list[dict[str, float]] = page.eval_on_selector_all(
        selector, """els => els.map(e => { const r = e.getBoundingClientRect();
                     return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; })""")
    return boxes


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_tiles_and_hotline_are_above_the_fold(size: str, local_page: LocalPage,
                                              site_url: str) -> None:
    width, height = VIEWPORTS[size]
    page = local_page.page
    page.set_viewport_size({"width": width, "height": height})
    response = page.goto(site_url + "index.html", wait_until="load")
    assert response is not None and response.ok
    titles = page.eval_on_selector_all(".ecp-task__title a", "els => els.map(e => e.textContent)")
    assert titles == ["我要反映问题", "我要开业前咨询", "查标准", "查数据"]
    tiles = _boxes(page, ".ecp-task")
    hotline = _boxes(page, ".ecp-hotline")
    assert len(tiles) == 4 and len(hotline) == 1
    for box in [*tiles, *hotline]:
        assert box["top"] >= 0 and box["bottom"] <= height, (size, box)
        assert box["left"] >= 0 and box["right"] <= width, (size, box)
    number = page.eval_on_selector(".ecp-hotline__number", "e => getComputedStyle(e).fontSize")
    body = page.eval_on_selector(".md-typeset", "e => getComputedStyle(e).fontSize")
    assert float(number.rstrip("px")) >= 1.5 * float(body.rstrip("px")), "the hotline stands out"
    # the whole tile is the title link's target
    first = tiles[0]
    with page.expect_navigation():
        page.mouse.click(first["right"] - 4, first["bottom"] - 4)
    assert page.url.endswith("how-to-complain.html")


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_home_has_no_serious_axe_violation(size: str, local_page: LocalPage,
                                           site_url: str) -> None:
    width, height = VIEWPORTS[size]
    page = local_page.page
    page.set_viewport_size({"width": width, "height": height})
    page.goto(site_url + "index.html", wait_until="load")
    blocking = [v for v in run_axe(page, WCAG_TAGS) if v.get("impact") in {"serious", "critical"}]
    assert not blocking, describe_violations(blocking)

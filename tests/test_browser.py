"""Browser smoke test of the built site in Debian's headless Chromium (issue 2 part 9).

The site must render, search in Chinese and never contact another machine, both when served
over loopback HTTP and when opened from a file share (file://).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from tests.browser_support import (  # noqa: F401 - pytest fixtures
    LocalPage,
    chromium_browser_fixture,
    local_page_fixture,
    open_page,
    site_url_fixture,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
QUERY = "朝阳"
ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"))


def _headline_cards(page: Any) -> dict[str, str]:
    """The home page's headline cards: title → value as shown."""
    cards: dict[str, str] = page.evaluate(
        """() => {
            const out = {};
            for (const card of document.querySelectorAll('.md-content .ecp-card')) {
                const title = card.querySelector('.ecp-card__title');
                const value = card.querySelector('.ecp-card__value');
                if (title && value) out[title.innerText.trim()] = value.innerText.trim();
            }
            return out;
        }"""
    )
    return cards


def _check_home(page: Any, records: int) -> None:
    h1 = page.locator(".md-content h1")
    assert h1.count() == 1, "首页应有且只有一个 h1"
    assert h1.inner_text().strip() == "北京市生态环境接诉即办公开门户"
    cards = _headline_cards(page)
    assert cards, "首页没有渲染核心指标卡片"
    assert "诉求总量" in cards, f"核心指标卡片缺少 诉求总量：{cards}"
    assert cards["诉求总量"].replace(",", "").startswith(str(records)), cards
    # The layout really applied (CSS and theme script loaded): the header is fixed/sticky.
    assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") in {
        "sticky",
        "fixed",
    }


def _package_records(package: Path) -> int:
    with next(package.glob("*.csv")).open(encoding="utf-8-sig", newline="") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def test_home_page_renders_over_http(local_page: LocalPage, site_url: str, built: Any) -> None:
    page = local_page.page
    response = page.goto(site_url + "index.html", wait_until="load")
    assert response is not None and response.status == 200
    _check_home(page, _package_records(built.package))
    # The theme's script and the Chinese search index were fetched from the loopback server.
    urls = local_page.log.urls
    assert any("/assets/javascripts/bundle." in u for u in urls), urls
    assert local_page.log.external == [], local_page.log.external


def _check_search_results(page: Any, base: str) -> None:
    """Results for QUERY are listed, contain it, and all link into the site under `base`."""
    items = page.locator(".md-search-result__item")
    items.first.wait_for(state="visible", timeout=15_000)
    texts = [t.translate(ZERO_WIDTH) for t in items.all_inner_texts()]
    assert texts, f"搜索“{QUERY}”没有结果"
    assert any(QUERY in t for t in texts), f"搜索结果中没有“{QUERY}”：{texts[:3]}"
    meta = page.locator(".md-search-result__meta").inner_text().translate(ZERO_WIDTH)
    assert "结果" in meta, meta
    hrefs = page.eval_on_selector_all(".md-search-result__item a", "els => els.map(e => e.href)")
    assert hrefs and all(h.startswith(base) for h in hrefs), hrefs[:5]


def test_chinese_search_finds_chaoyang(local_page: LocalPage, site_url: str) -> None:
    page = local_page.page
    page.goto(site_url + "index.html?q=" + QUERY, wait_until="load")
    _check_search_results(page, site_url)
    assert any(u.endswith("/search/search_index.json") for u in local_page.log.urls)
    assert local_page.log.external == [], local_page.log.external


def test_home_page_and_search_from_file_url(
    chromium_browser: Any, built_site: Path, built: Any
) -> None:
    """An intranet file share: pages render and search works (iframe-worker shim), offline."""
    site = built_site.resolve()
    opened = open_page(chromium_browser)
    try:
        opened.page.goto((site / "index.html").as_uri(), wait_until="load")
        _check_home(opened.page, _package_records(built.package))
        opened.page.goto((site / "index.html").as_uri() + "?q=" + QUERY, wait_until="load")
        _check_search_results(opened.page, site.as_uri() + "/")
        urls = [u for u in opened.log.urls if not u.startswith(("data:", "blob:", "about:"))]
        assert all(u.startswith("file://") for u in urls), urls
        # Over file:// the worker cannot fetch JSON: the shim loads search_index.js instead.
        assert any(u.endswith("/search/search_index.js") for u in urls), urls
    finally:
        opened.context.close()
    assert not opened.log.external, f"从 file:// 打开时向外部发出了请求：{opened.log.external}"

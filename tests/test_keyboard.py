"""Keyboard and zoom (issue 12 parts 2 and 8) in Debian's Chromium.

At 640 CSS px (a 1280 px screen at 200 % zoom, or a tablet) Material shows its navigation as a
drawer. These tests walk the site as a keyboard user: open the menu, move through its panels,
reach search and the content through the skip link; Tab through whole pages and fail on every
focus stop a sighted user cannot see; search after an `input` event without any key release
(paste, IME, handwriting, voice); axe-core with the search dialog open and in large-text mode.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser_support import (  # noqa: F401 - pytest fixtures
    NO_SEARCH_WORKER,
    WCAG_TAGS,
    LocalPage,
    chromium_browser_fixture,
    describe_violations,
    one_of_each_type,
    open_page,
    run_axe,
    site_url_fixture,
)

pytestmark = pytest.mark.slow  # all need the built site; the browser ones are marked too
QUERY = "朝阳"
MAX_STOPS = 400
"""More Tab presses than any page has focus stops: the walk ends when focus leaves the page."""
SEARCH_WAIT_MS = 30_000
"""Loading the Chinese search index can take a while on a busy machine."""
GUIDE = "guides/noise.html"
WALKED = ["index.html", GUIDE, "stats/index.html", "cases/index.html"]

SETTLE = "async () => { await Promise.allSettled(document.getAnimations().map(a => a.finished)); }"
"""Wait for every running CSS transition (drawer and panels slide, the search fades in)."""

FOCUSED = r"""() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const r = el.getBoundingClientRect();
  const why = [];
  if (r.width < 1 || r.height < 1) why.push('大小为零');
  if (r.right <= 0 || r.left >= innerWidth || r.bottom <= 0 || r.top >= innerHeight)
    why.push('在窗口之外');
  if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true}))
    why.push('不可见（visibility/opacity/display）');
  if (!why.length) {
    const box = el.getClientRects()[0] || r;  // a wrapped link: its first line
    const x = Math.min(Math.max(box.left + box.width / 2, 0), innerWidth - 1);
    const y = Math.min(Math.max(box.top + box.height / 2, 0), innerHeight - 1);
    const top = document.elementFromPoint(x, y);
    if (top && top !== el && !el.contains(top) && !top.contains(el))
      why.push('被 ' + top.tagName.toLowerCase() + '.' + String(top.className) + ' 遮住');
  }
  const name = (el.getAttribute('aria-label') || el.textContent || '').trim().slice(0, 24);
  return {key: el.outerHTML.slice(0, 300), tag: el.tagName.toLowerCase(),
          cls: String(el.className), name, why,
          inDrawer: !!el.closest('.md-sidebar--primary'),
          inContent: !!el.closest('.md-content')};
}"""


def settle(page: Any) -> None:
    page.wait_for_timeout(30)
    page.evaluate(SETTLE)


def press(page: Any, key: str) -> dict[str, Any] | None:
    """Press `key`, let the transitions finish, describe the focused element (None: the body)."""
    page.keyboard.press(key)
    settle(page)
    focused: dict[str, Any] | None = page.evaluate(FOCUSED)
    return focused


def tab_until(page: Any, wanted: str, limit: int = 40) -> dict[str, Any]:
    """Tab until the focused element matches the CSS selector `wanted`."""
    for _ in range(limit):
        focused = press(page, "Tab")
        if focused and page.evaluate("s => document.activeElement.matches(s)", wanted):
            return focused
    raise AssertionError(f"按 Tab {limit} 次也没有到达 {wanted}")


def drawer_open(page: Any) -> bool:
    return bool(page.evaluate("document.getElementById('__drawer').checked"))


def search_ready(page: Any) -> None:
    """Wait until the search index is loaded (the dialog then says 键入以开始搜索)."""
    page.locator(".md-search-result__meta").filter(has_text="键入").wait_for(
        timeout=SEARCH_WAIT_MS)


def search_dialog_shown(page: Any) -> bool:
    """The search dialog is found by its accessible name and its search box is on screen
    (below 60em the dialog's own box is empty: its content is a fixed overlay)."""
    dialog = page.get_by_role("dialog", name="站内搜索")
    return bool(dialog.count() == 1 and dialog.locator(".md-search__input").is_visible())


def walk(page: Any) -> tuple[int, list[str]]:
    """Tab from the top of the page until focus leaves it; (stops, invisible stops)."""
    stops, invisible, first = 0, [], None
    for _ in range(MAX_STOPS):
        focused = press(page, "Tab")
        if focused is None or focused["key"] == first:
            break
        first = first or focused["key"]
        stops += 1
        if focused["why"]:
            invisible.append(f"{focused['tag']}.{focused['cls']}「{focused['name']}」："
                             + "，".join(focused["why"]))
    return stops, invisible


@pytest.fixture(name="tablet")
def tablet_fixture(chromium_browser: Any) -> Iterator[LocalPage]:
    """A 640 px wide page (1280 px at 200 % zoom); fails on any request off the machine."""
    opened = open_page(chromium_browser, viewport={"width": 640, "height": 800})
    try:
        yield opened
    finally:
        opened.context.close()
    assert not opened.log.external, opened.log.external


# --- the built pages (fast) --------------------------------------------------------------


def test_skip_link_and_search_dialog_are_worded(built_site: Path) -> None:
    skip = re.compile(r'class="md-skip">\s*([^<]*?)\s*</a>')
    pages = sorted(built_site.rglob("*.html"))
    words = {m.group(1) for p in pages for m in skip.finditer(p.read_text("utf-8"))}
    assert words == {"跳到正文"}, words
    guide = (built_site / GUIDE).read_text("utf-8")
    assert re.search(r'<div class="md-search"[^>]*role="dialog"[^>]*aria-label="站内搜索"', guide)
    assert "assets/javascripts/keyboard.js" in guide
    assert "assets/stylesheets/keyboard.css" in guide


# --- keyboard journeys ---------------------------------------------------------------------


@pytest.mark.browser
def test_keyboard_journey_at_640px(tablet: LocalPage, site_url: str) -> None:
    """Open the menu, go back to its top level, open 数据统计, follow 统计概览; then search
    and follow a result; then reach the content through the skip link. Keyboard only."""
    page = tablet.page
    page.goto(site_url + GUIDE, wait_until="load")

    skip = press(page, "Tab")
    assert skip and skip["cls"].startswith("md-skip") and skip["name"] == "跳到正文", skip
    assert not skip["why"], skip

    menu = tab_until(page, ".ecp-menu-button")
    assert menu["tag"] == "button" and menu["name"] == "导航菜单" and not menu["why"], menu
    assert page.get_attribute(".ecp-menu-button", "aria-expanded") == "false"

    # Enter opens the drawer on the page's own section (政策指南) and moves focus into it.
    inside = press(page, "Enter")
    assert drawer_open(page) and page.get_attribute(".ecp-menu-button", "aria-expanded") == "true"
    assert inside and inside["inDrawer"] and not inside["why"], inside
    assert inside["name"] == "政策指南", inside  # the panel's title: back to the top level

    top = press(page, "Enter")  # back: focus stays on the label that opens 政策指南 again
    assert top and top["inDrawer"] and top["name"] == "政策指南" and not top["why"], top
    stats = press(page, "Shift+Tab")
    assert stats and stats["name"] == "数据统计" and not stats["why"], stats
    panel = press(page, " ")  # Space works as on a button
    assert panel and panel["name"] == "数据统计" and not panel["why"], panel
    link = press(page, "Tab")
    assert link and link["tag"] == "a" and link["name"] == "统计概览" and not link["why"], link

    # Escape closes the drawer and gives focus back to the menu button.
    back = press(page, "Escape")
    assert not drawer_open(page) and back and back["name"] == "导航菜单", back
    press(page, "Enter")
    link = press(page, "Tab")
    assert link and link["name"] == "统计概览", link
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == site_url + "stats/index.html", page.url

    # Search: Tab reaches the search box, which opens the (named) dialog.
    search = tab_until(page, ".md-search__input")
    assert not search["why"], search
    assert page.evaluate("document.getElementById('__search').checked")
    assert search_dialog_shown(page)
    search_ready(page)
    page.keyboard.type(QUERY)
    page.locator(".md-search-result__item").first.wait_for(state="visible",
                                                           timeout=SEARCH_WAIT_MS)
    result = press(page, "ArrowDown")
    assert result and result["tag"] == "a" and not result["why"], result
    target = page.evaluate("document.activeElement.href")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.split("#")[0] == target.split("#")[0], (page.url, target)

    # The skip link leads past the header and the navigation into the content.
    skip = press(page, "Tab")
    assert skip and skip["name"] == "跳到正文", skip
    page.keyboard.press("Enter")
    content = press(page, "Tab")
    assert content and content["inContent"] and not content["why"], content


@pytest.mark.browser
def test_leaving_the_drawer_closes_it(tablet: LocalPage, site_url: str) -> None:
    page = tablet.page
    page.goto(site_url + "index.html", wait_until="load")
    tab_until(page, ".ecp-menu-button")
    press(page, "Enter")
    assert drawer_open(page)
    for _ in range(60):
        focused = press(page, "Tab")
        assert focused and not focused["why"], focused
        if not focused["inDrawer"]:
            break
    else:
        raise AssertionError("按 Tab 60 次仍未离开菜单")
    assert not drawer_open(page), "焦点离开菜单后，菜单应自动关闭"


@pytest.mark.browser
@pytest.mark.parametrize("width", [640, 1280])
def test_nothing_invisible_takes_focus(width: int, chromium_browser: Any, site_url: str) -> None:
    """Every Tab stop of a whole page is on screen, not transparent and not covered (the
    closed drawer's links and the closed search's results used to be)."""
    opened = open_page(chromium_browser, viewport={"width": width, "height": 800})
    failures: list[str] = []
    try:
        for rel in WALKED:
            opened.page.goto(site_url + rel, wait_until="load")
            stops, invisible = walk(opened.page)
            assert stops >= 10, f"{rel}：只有 {stops} 个焦点位置，遍历没有真正进行"
            failures += [f"{rel} @ {width}px：{line}" for line in invisible]
    finally:
        opened.context.close()
    assert not opened.log.external, opened.log.external
    assert not failures, "按 Tab 会停在看不见的元素上：\n" + "\n".join(failures)


@pytest.mark.browser
@pytest.mark.parametrize(("width", "shown"), [(1280, False), (1600, False), (1200, True),
                                              (640, True)])
def test_the_menu_button_shows_only_where_material_shows_its_label(
        width: int, shown: bool, chromium_browser: Any, site_url: str) -> None:
    """At 76.25em (1,220 px) and wider the navigation is a sidebar and the tabs are shown:
    no menu button there, as Material hides its own label."""
    opened = open_page(chromium_browser, viewport={"width": width, "height": 800})
    try:
        opened.page.goto(site_url + "index.html", wait_until="load")
        button = opened.page.locator("button.ecp-menu-button")
        assert button.count() == 1
        assert button.is_visible() is shown, f"{width}px"
    finally:
        opened.context.close()


# --- search on every input event -----------------------------------------------------------

PASTE = """q => { const input = document.querySelector('.md-search__input');
    input.value = q;
    input.dispatchEvent(
        new InputEvent('input', {bubbles: true, inputType: 'insertFromPaste'})); }"""


def _results(page: Any) -> list[str]:
    items = page.locator(".md-search-result__item")
    items.first.wait_for(state="visible", timeout=SEARCH_WAIT_MS)
    texts: list[str] = items.all_inner_texts()
    return texts


@pytest.mark.browser
@pytest.mark.parametrize("how", ["insert-text", "paste"])
def test_search_runs_on_input_without_keyup(
        how: str, chromium_browser: Any, site_url: str, built_site: Path) -> None:
    """Text that arrives without a key release (an IME's committed characters, handwriting,
    voice: CDP insertText; a paste: an `input` event alone) finds results, over HTTP and
    from file://."""
    for base in (site_url, built_site.resolve().as_uri() + "/"):
        opened = open_page(chromium_browser, viewport={"width": 1280, "height": 800})
        try:
            page = opened.page
            page.goto(base + GUIDE, wait_until="load")
            page.focus(".md-search__input")
            search_ready(page)
            if how == "paste":
                page.evaluate(PASTE, QUERY)
            else:
                page.keyboard.insert_text(QUERY)
            texts = _results(page)
            assert any(QUERY in t.replace("\u200b", "") for t in texts), texts[:3]
        finally:
            opened.context.close()
        assert not opened.log.external, opened.log.external


# --- axe with the search dialog open and in large-text mode --------------------------------


LARGE = "document.documentElement.classList.contains('ecp-large-text')"


@pytest.mark.browser
@pytest.mark.parametrize("width", [640, 390, 1280])
@pytest.mark.parametrize("state", ["search-open", "large-text"])
def test_axe_with_search_open_and_in_large_text_mode(
        state: str, width: int, chromium_browser: Any, site_url: str, built_site: Path) -> None:
    """One page of each type (the list of test_accessibility's per-width test) at 640 and
    390 px, the guide at 1280 px: no axe-core violation of any impact with the search dialog
    open on results, or in large-text mode (switched on once, kept across pages)."""
    pages = one_of_each_type(built_site) if width != 1280 else [GUIDE]
    opened = open_page(chromium_browser, viewport={"width": width, "height": 900})
    if state == "large-text":  # no search: spare the CPU its index (see NO_SEARCH_WORKER)
        opened.context.add_init_script(NO_SEARCH_WORKER)
    failures: list[str] = []
    try:
        page = opened.page
        for rel in pages:
            response = page.goto(site_url + rel, wait_until="load")
            assert response is not None and response.ok, f"{rel} 无法打开"
            if state == "large-text":
                if not page.evaluate(LARGE):
                    page.click(".ecp-text-size")
                assert page.evaluate(LARGE), rel
            else:
                page.focus(".md-search__input")
                search_ready(page)
                page.keyboard.type(QUERY)
                _results(page)
                assert search_dialog_shown(page), rel
            settle(page)
            violations = run_axe(page, WCAG_TAGS)
            if violations:
                failures.append(f"{rel}:\n{describe_violations(violations)}")
    finally:
        opened.context.close()
    assert not opened.log.external, opened.log.external
    assert not failures, (f"axe-core 在 {width} px（{state}）发现无障碍问题：\n"
                          + "\n".join(failures))

"""The consultation form page in Debian's Chromium, against the real intake service (issue 11
parts 3 and 8): the built page and the service share one loopback origin, as behind the
deployment's reverse proxy (tests/consultation_support.py).

With JavaScript: the example request goes through check-your-answers to the confirmation and
into the staff CSV; inline errors carry the definition's own messages and focus the summary;
the form is completed with the keyboard alone; with the service down the page says so at once
and keeps everything typed. Without JavaScript: the plain post gets the server's error page
(summary linking to the field) and then its confirmation.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.forms.definition import Field, FormDefinition
from generator.paths import ProjectPaths
from tests.browser_support import (  # noqa: F401 - pytest fixtures
    WCAG_TAGS,
    LocalPage,
    chromium_browser_fixture,
    describe_violations,
    local_page_fixture,
    open_page,
    run_axe,
)
from tests.conftest import ROOT
from tests.consultation_support import SameOrigin
from tests.test_intake_support import service, shifted, today, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGE = "business/consultation.html"
FORM: FormDefinition = service().form
REFERENCE = re.compile(r"^YQ-[0-9]{8}-[0-9]{4}$")
HOTLINE = ProjectPaths(ROOT).settings.hotline.name
PHONE = 390
"""A small phone's width in CSS pixels."""


@pytest.fixture(scope="module")
def site(built_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SameOrigin]:
    server = SameOrigin(built_site, tmp_path_factory.mktemp("intake") / "store").start()
    try:
        yield server
    finally:
        server.close()


def field(name: str) -> Field:
    return FORM.field(name)


def example() -> dict[str, Any]:
    """forms/examples/valid.json, its dates moved to a month from today."""
    return shifted(today())


def fill(page: Any, data: dict[str, Any], skip: tuple[str, ...] = ()) -> None:
    """Fill the form with `data` the way a person would, field by field, by type."""
    for f in FORM.fields:
        value = data.get(f.name)
        if f.name in skip or f.type == "honeypot" or value in (None, "", []):
            continue
        if f.type in ("district", "street"):
            page.select_option(f"#f-{f.name}", str(value))
        elif f.type == "choice":
            page.check(f'input[name="{f.name}"][value="{value}"]')
        elif f.type == "multichoice":
            for item in value:
                page.check(f'input[name="{f.name}"][value="{item}"]')
        elif f.type == "consent":
            page.check(f"#f-{f.name}")
        else:
            page.fill(f"#f-{f.name}", str(value))


def csv_row(site: SameOrigin, reference: str) -> dict[str, str]:
    def rows() -> list[dict[str, str]]:
        if not site.csv.exists():
            return []
        text = site.csv.read_text(encoding="utf-8-sig")
        return [r for r in csv.DictReader(io.StringIO(text)) if r["reference"] == reference]

    wait_for(lambda: bool(rows()))
    return rows()[0]


def active_id(page: Any) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


def open_form(page: Any, site: SameOrigin) -> None:
    with page.expect_response(lambda r: r.url.endswith("/healthz")):
        page.goto(site.url(PAGE), wait_until="load")


def wait_past_fill_time(page: Any) -> None:
    """The service refuses a JSON post made sooner after page load than min_fill_seconds."""
    page.wait_for_function("performance.now() > 1500")


def test_js_path_from_the_example_to_the_staff_csv(local_page: LocalPage,
                                                    site: SameOrigin) -> None:
    page, data = local_page.page, example()
    page.set_viewport_size({"width": PHONE, "height": 844})
    sent: list[dict[str, Any]] = []
    page.on("request", lambda r: sent.append(json.loads(r.post_data or "{}"))
            if r.method == "POST" else None)
    open_form(page, site)
    assert page.locator("#cf-service-alert").is_hidden()
    assert HOTLINE in page.locator("#cf-notice").inner_text()
    assert page.inner_text("#cf-submit") == "继续"  # leads to check-your-answers
    fill(page, data)
    page.click("#cf-submit")
    # Check your answers: one row per question asked, with a change link back to it.
    assert page.locator("#cf-check").is_visible() and active_id(page) == "cf-check-title"
    rows = page.locator(".cf-summary-list__row")
    assert rows.count() == len(FORM.stored)  # 美食城: every conditional question is asked
    assert "13800138000" in rows.nth(FORM.names.index("phone")).inner_text()
    assert "油烟净化器、空调外机、冷却塔" in page.locator("#cf-summary-list").inner_text()
    page.click('.cf-summary-list__row:has-text("企业名称") a')
    assert page.locator("#cf-questions").is_visible() and active_id(page) == "f-company"
    assert page.input_value("#f-company") == data["company"]
    page.click("#cf-submit")
    wait_past_fill_time(page)
    page.click("#cf-confirm")
    page.wait_for_selector("#cf-confirmation:not([hidden])")
    reference = page.inner_text("#cf-reference").strip()
    assert REFERENCE.match(reference), reference
    assert active_id(page) == "cf-confirmation-title"
    config = site.intake.config
    assert (f"{config.reply_who}将在 {config.reply_working_days} 个工作日内"
            in page.inner_text("#cf-next"))
    # The form's definition version and the fill time went with the answers.
    (body,) = sent
    assert body["form_version"] == FORM.version and body["fill_ms"] >= 1500
    assert body["equipment"] == data["equipment"] and body["consent"] is True
    # The receipt prints the confirmation only.
    page.emulate_media(media="print")
    assert page.locator("#cf-print").is_hidden() and page.locator("#cf-notice").is_hidden()
    assert page.locator(".cf-panel").is_visible()
    row = csv_row(site, reference)
    assert (row["company"], row["phone"], row["street"]) == (
        data["company"], data["phone"], data["street"])
    assert row["stoves"] == str(data["stoves"]) and row["form_version"] == str(FORM.version)


def test_inline_errors_use_the_definitions_messages(local_page: LocalPage,
                                                    site: SameOrigin) -> None:
    page = local_page.page
    page.set_viewport_size({"width": PHONE, "height": 844})
    open_form(page, site)
    phone = field("phone")
    page.fill("#f-phone", "010-123")
    page.press("#f-phone", "Tab")  # leaving the field says what is wrong with it
    assert page.text_content("#f-phone-error") == "错误：" + phone.errors["invalid"]
    assert page.get_attribute("#f-phone", "aria-describedby") == "f-phone-hint f-phone-error"
    # An early credit code failing its check digit is a warning, never an error.
    page.fill("#f-uscc", "91110105MA01C3K9X4")
    page.press("#f-uscc", "Tab")
    assert page.text_content("#f-uscc-warning") == "提示：" + field("uscc").errors["checksum"]
    assert page.locator("#f-uscc-error").is_hidden()
    # Conditional questions and the 区 → 街道（乡镇） cascade follow the definition.
    page.check('input[name="business_type"][value="其他"]')
    assert page.locator("#cf-group-stoves").is_hidden()
    page.check('input[name="business_type"][value="餐饮"]')
    assert page.locator("#cf-group-stoves").is_visible()
    page.select_option("#f-district", "东城区")
    streets = page.eval_on_selector_all("#f-street option", "os => os.map(o => o.value)")
    assert streets == ["", *(o.value for o in field("street").options if o.group == "东城区")]
    page.click("#cf-submit")
    assert active_id(page) == "cf-error-summary"
    links = page.eval_on_selector_all(
        "#cf-error-summary a", "as => as.map(a => [a.getAttribute('href'), a.textContent])")
    assert links[0] == ["#f-company", field("company").errors["required"]]
    assert ["#f-phone", phone.errors["invalid"]] in links
    assert ["#f-stoves", field("stoves").errors["required"]] in links
    assert "#f-stalls" not in dict(links)  # 餐饮 asks for it but does not require it
    assert page.title().startswith("错误：")
    page.click('#cf-error-summary a[href="#f-phone"]')
    assert active_id(page) == "f-phone"
    page.fill("#f-phone", "13800138000")
    assert page.locator("#f-phone-error").is_hidden()
    assert page.get_attribute("#f-phone", "aria-describedby") == "f-phone-hint"
    violations = [v for v in run_axe(page, WCAG_TAGS)
                  if v.get("impact") in {"serious", "critical"}]
    assert not violations, describe_violations(violations)


def _tab_to(page: Any, element_id: str, limit: int = 250) -> None:
    for _ in range(limit):
        if active_id(page) == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab 键到不了 #{element_id}")


def _keyboard_fill(page: Any, data: dict[str, Any]) -> None:
    """Every question with the keyboard: Tab between controls, typing, Space to tick,
    arrow keys inside a radio group or a select (as a keyboard user does)."""
    for f in FORM.fields:
        value = data.get(f.name)
        if f.type == "honeypot" or value in (None, "", []):
            continue
        if f.type in ("district", "street"):
            _tab_to(page, f"f-{f.name}")
            choices = page.eval_on_selector_all(f"#f-{f.name} option",
                                                "os => os.map(o => o.value)")
            for _ in range(choices.index(value)):
                page.keyboard.press("ArrowDown")
        elif f.type == "choice":
            _tab_to(page, f"f-{f.name}")
            page.keyboard.press("Space")
            for _ in range(f.option_values.index(value)):
                page.keyboard.press("ArrowDown")
        elif f.type == "multichoice":
            for i, option in enumerate(f.option_values):
                if option in value:
                    _tab_to(page, f"f-{f.name}" + (f"-{i + 1}" if i else ""))
                    page.keyboard.press("Space")
        elif f.type == "consent":
            _tab_to(page, f"f-{f.name}")
            page.keyboard.press("Space")
        elif f.type == "date":
            _tab_to(page, f"f-{f.name}")
            year, month, day = str(value).split("-")
            page.keyboard.type(month + day + year)  # Chromium's date field: month, day, year
        else:
            _tab_to(page, f"f-{f.name}")
            page.keyboard.type(str(value))


def test_keyboard_only_completion_reaches_the_confirmation(chromium_browser: Any,
                                                           site: SameOrigin) -> None:
    opened = open_page(chromium_browser, viewport={"width": PHONE, "height": 844})
    try:
        page, data = opened.page, example()
        open_form(page, site)
        _keyboard_fill(page, data)
        assert page.input_value("#f-opening_date") == data["opening_date"]
        assert page.input_value("#f-street") == data["street"]
        _tab_to(page, "cf-submit")
        page.keyboard.press("Enter")
        assert active_id(page) == "cf-check-title", page.inner_text("#cf-error-summary")
        wait_past_fill_time(page)
        _tab_to(page, "cf-confirm")
        page.keyboard.press("Enter")
        page.wait_for_selector("#cf-confirmation:not([hidden])")
        reference = page.inner_text("#cf-reference").strip()
        assert REFERENCE.match(reference)
        assert csv_row(site, reference)["question"] == data["question"]
        _tab_to(page, "cf-print")  # the receipt button is reachable too
    finally:
        opened.context.close()
    assert not opened.log.external, opened.log.external


def test_service_down_says_so_and_keeps_everything(local_page: LocalPage,
                                                   site: SameOrigin) -> None:
    page, data = local_page.page, example()
    site.upstream_down = True
    try:
        open_form(page, site)
        alert = page.locator("#cf-service-alert")
        alert.wait_for(state="visible")
        assert HOTLINE in alert.inner_text()
        fill(page, data)
        page.click("#cf-submit")
        wait_past_fill_time(page)
        page.click("#cf-confirm")
        page.locator("#cf-send-alert").wait_for(state="visible")
        assert active_id(page) == "cf-send-alert"
        assert "没有提交成功" in page.inner_text("#cf-send-alert")
        assert HOTLINE in page.inner_text("#cf-send-alert")
        site.upstream_down = False
        local_page.context.set_offline(True)  # now the network itself fails
        page.click("#cf-confirm")
        page.wait_for_function(
            "document.getElementById('cf-send-alert-message').textContent.includes('网络')")
        local_page.context.set_offline(False)
        page.click('.cf-summary-list__row:has-text("咨询事项") a')
        for name in ("company", "phone", "question", "opening_date"):
            assert page.input_value(f"#f-{name}") == str(data[name]), name
        assert page.is_checked('input[name="business_type"][value="美食城"]')
        # Back up: the same answers go through, once.
        page.click("#cf-submit")
        page.click("#cf-confirm")
        page.wait_for_selector("#cf-confirmation:not([hidden])")
        assert csv_row(site, page.inner_text("#cf-reference").strip())["company"] \
            == data["company"]
    finally:
        site.upstream_down = False


def test_without_javascript_the_server_answers_the_plain_post(chromium_browser: Any,
                                                              site: SameOrigin) -> None:
    opened = open_page(chromium_browser, java_script_enabled=False)
    try:
        page, data = opened.page, example()
        page.goto(site.url(PAGE), wait_until="load")
        assert page.locator("#cf-notice").is_visible()
        assert page.locator("#cf-service-alert").is_hidden()
        assert page.inner_text("#cf-submit") == "提交申请"  # posts straight away
        fill(page, data, skip=("company",))
        with page.expect_navigation():
            page.click("#cf-submit")
        assert page.url == site.url("api/consultations")
        link = page.locator('#cf-error-summary a[href="#f-company"]')
        assert link.inner_text() == field("company").errors["required"]
        assert page.locator("#f-company").count() == 1  # the link's target is on the page
        assert page.input_value("#f-phone") == data["phone"]  # what was typed came back
        assert page.is_checked('input[name="business_type"][value="美食城"]')
        page.fill("#f-company", data["company"])
        with page.expect_navigation() as navigation:
            page.click("#cf-submit")
        response = navigation.value
        assert response is not None and response.status == 201
        assert page.inner_text("h1") == "申请已提交"
        reference = page.inner_text(".panel strong").strip()
        assert REFERENCE.match(reference)
        assert csv_row(site, reference)["company"] == data["company"]
    finally:
        opened.context.close()
    assert not opened.log.external, opened.log.external

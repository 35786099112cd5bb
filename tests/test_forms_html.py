"""The form's HTML: labels, hints and errors tied to their controls, the error summary linking
to each field, values put back, nothing the privacy scan would flag."""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser

from generator.forms import FORM_FILE, load_form, validate_submission
from generator.forms.html import render_form
from generator.privacy.scan import scan_file, scan_text
from generator.reference import load_reference
from tests.conftest import ROOT

FORM = load_form(ROOT / FORM_FILE, load_reference((ROOT / "data" / "reference").resolve()))
TODAY = dt.date(2026, 12, 3)


class Elements(HTMLParser):
    """Every start tag's attributes, and the ids in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def by_id(self) -> dict[str, tuple[str, dict[str, str]]]:
        return {a["id"]: (t, a) for t, a in self.tags if "id" in a}


def parse(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    return parser


def render(raw: dict[str, object] | None = None) -> str:
    if raw is None:
        return render_form(FORM, action="/api/consultations", privacy_href="privacy.html",
                           privacy_version="2026-12")
    result = validate_submission(FORM, raw, today=TODAY)
    return render_form(FORM, action="/api/consultations", privacy_href="privacy.html",
                       privacy_version="2026-12", values=result.shown_values,
                       problems=result.problems, warnings=result.warnings)


def test_the_empty_form_has_a_labelled_control_per_field_and_a_hidden_summary() -> None:
    doc = parse(render())
    ids = doc.by_id()
    assert "hidden" in ids["cf-error-summary"][1]
    for f in FORM.fields:
        attrs = ids[f"f-{f.name}"][1]
        assert attrs["name"] == f.name
        labels = [a for t, a in doc.tags if t == "label" and a.get("for") == f"f-{f.name}"]
        assert len(labels) == 1, f.name
        if f.hint and f.type not in ("choice", "multichoice"):
            assert attrs["aria-describedby"] == f"f-{f.name}-hint"
    ids_list = [a["id"] for _, a in doc.tags if "id" in a]
    assert len(ids_list) == len(set(ids_list))  # ids are unique
    # Radios sit in a fieldset described by the hint; the first radio carries the field id.
    assert ids["f-business_type"][1]["type"] == "radio"
    assert ids["f-business_type-8"][1]["value"] == "其他"
    assert ids["f-street"][1]["data-depends-on"] == "district"
    group = ids["cf-group-stoves"][1]
    assert json.loads(group["data-shown-when"]) == {"field": "business_type",
                                                    "in": ["餐饮", "美食城"]}
    assert ids["f-website"][1]["tabindex"] == "-1"


def test_errors_are_summarised_linked_and_described() -> None:
    html = render({"company": "", "phone": "123", "district": "朝阳区", "street": "八里庄街道",
                   "business_type": "餐饮", "question": "想问油烟 & <净化器>"})
    doc = parse(html)
    ids = doc.by_id()
    assert "hidden" not in ids["cf-error-summary"][1]
    links = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', html)
    assert links[:3] == [("f-company", "请输入企业名称"), ("f-contact_name", "请输入联系人姓名"),
                         ("f-phone", "请输入 11 位手机号码，或带区号的固定电话")]
    for target, _ in links:
        assert target in ids
    assert ids["f-phone"][1]["aria-describedby"] == "f-phone-hint f-phone-error"
    assert ids["f-phone"][1]["value"] == "123"
    assert "cf-group--error" in ids["cf-group-phone"][1]["class"]
    fieldset = [a for t, a in doc.tags if t == "fieldset"
                and a.get("aria-describedby", "").startswith("f-building_type")]
    assert fieldset[0]["aria-describedby"] == "f-building_type-hint f-building_type-error"
    # Values come back escaped and selected in the right district's group.
    assert "想问油烟 &amp; &lt;净化器&gt;</textarea>" in html
    chosen = re.findall(r'<optgroup label="([^"]+)">(?:(?!</optgroup>).)*'
                        r'<option value="八里庄街道" selected>', html)
    assert chosen == ["朝阳区"]
    assert 'value="餐饮" checked' in html


def test_the_checksum_warning_is_shown_but_not_summarised() -> None:
    raw = json.loads((ROOT / "forms" / "examples" / "valid.json").read_text(encoding="utf-8"))
    raw["uscc"] = "91110105MA01C3K9X4"
    raw["company"] = ""
    html = render(raw)
    assert ('<p class="cf-warning-message" id="f-uscc-warning"><span class="cf-visually-hidden">'
            "提示：</span>统一社会信用代码未通过校验位检查") in html
    assert parse(html).by_id()["f-uscc"][1]["aria-describedby"] == "f-uscc-hint f-uscc-warning"
    assert "#f-uscc" not in html


def test_the_rendered_form_and_its_definition_hold_nothing_the_privacy_scan_flags() -> None:
    assert scan_text(render()) == []
    assert scan_file(ROOT / FORM_FILE) == []

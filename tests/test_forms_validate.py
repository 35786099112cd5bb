"""The server-side check of a submission: normalisation, every field's own Chinese message,
conditional fields, the credit-code warning, unknown fields."""

from __future__ import annotations

import datetime as dt
import json
import random
import unicodedata
from typing import Any

import pytest

from generator.forms import FORM_FILE, load_form, validate_submission
from generator.forms.normalize import clean_text, nfkc
from generator.reference import load_reference
from tests.conftest import ROOT

FORM = load_form(ROOT / FORM_FILE, load_reference((ROOT / "data" / "reference").resolve()))
TODAY = dt.date(2026, 12, 3)


def valid(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (ROOT / "forms" / "examples" / "valid.json").read_text(encoding="utf-8"))
    data.update(changes)
    return {k: v for k, v in data.items() if v is not ...}


def problems(raw: dict[str, Any]) -> list[tuple[str | None, str]]:
    result = validate_submission(FORM, raw, today=TODAY)
    return [(p.field, p.message) for p in result.problems]


def test_the_example_is_valid_and_typed() -> None:
    result = validate_submission(FORM, valid(), today=TODAY)
    assert result.ok and not result.warnings
    assert result.values["stoves"] == 8
    assert result.values["equipment"] == ["油烟净化器", "空调外机", "冷却塔"]
    assert result.values["consent"] is True
    assert "website" not in result.values
    assert list(result.values) == [f.name for f in FORM.stored]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("company", "", "请输入企业名称"),
    ("company", "企" * 101, "企业名称不能超过 100 个字"),
    ("uscc", "91110105MA01C3K9", "统一社会信用代码应为 18 位数字或大写字母，请对照营业执照核对"),
    ("contact_name", " \u200b ", "请输入联系人姓名"),
    ("phone", "1380013800", "请输入 11 位手机号码，或带区号的固定电话"),
    ("phone", "12345", "请输入 11 位手机号码，或带区号的固定电话"),
    ("email", "contact.example.com", "请输入正确格式的电子邮箱，应包含 @ 和域名"),
    ("district", "浦东新区", "请从列表中选择所在的区"),
    ("street", "景山街道", "所选街道（乡镇）不在所选的区内，请重新选择"),
    ("street", ..., "请选择拟开业地址所在的街道或乡镇"),
    ("address", "址" * 201, "拟开业地址不能超过 200 个字"),
    ("business_type", "酒吧", "请从列表中选择业态"),
    ("stoves", "八", "基准灶头数应为整数"),
    ("stoves", 0, "基准灶头数应在 1 到 500 之间"),
    ("stoves", ..., "餐饮和美食城请输入基准灶头数"),
    ("stalls", ..., "美食城请输入档口数"),
    ("equipment", ["油烟净化器", "锅炉"], "请从列表中选择设备"),
    ("building_type", ..., "请选择所在建筑的类型"),
    ("flue", "也许", "请从列表中选择是否有专用烟道"),
    ("adjacent_residential", "", "请选择上下相邻楼层是否有住宅"),
    ("renovation_start", "2027-02-30", "计划装修开始日期应为有效日期，按“年-月-日”填写"),
    ("renovation_start", "2025-11-01", "计划装修开始日期应在一年前到五年后之间"),
    ("opening_date", "2027/04/01", "计划开业日期应为有效日期，按“年-月-日”填写"),
    ("opening_date", "2026-12-02", "计划开业日期应在今天到五年后之间"),
    ("opening_date", "2027-01-09", "计划开业日期不能早于计划装修开始日期"),
    ("question", "问" * 1001, "咨询事项不能超过 1000 个字"),
    ("consent", False, "请阅读《隐私说明》并勾选同意，否则我们无法处理您的申请"),
    ("consent", "no", "请阅读《隐私说明》并勾选同意，否则我们无法处理您的申请"),
])
def test_each_invalid_field_gets_its_whole_message(field: str, value: Any, message: str) -> None:
    assert problems(valid(**{field: value})) == [(field, message)]


def test_text_is_normalised_before_it_is_checked() -> None:
    raw = valid(company="\u202e北京\u200b示例\ufeff公司\u0007", phone="＋86 １３８-0013 8000",
                contact_name="王\t示例", question="第一行\r\n\u200b第二行 \n",
                uscc="9111 0105-ma01c3k9x3")
    result = validate_submission(FORM, raw, today=TODAY)
    assert result.ok
    assert result.values["company"] == "北京示例公司"
    assert result.values["phone"] == "13800138000"
    assert result.values["contact_name"] == "王 示例"
    assert result.values["question"] == "第一行\n第二行"
    assert result.values["uscc"] == "91110105MA01C3K9X3"
    # The length limit counts characters after normalisation: zero-width padding is free.
    assert validate_submission(FORM, valid(company="企" * 100 + "\u200b" * 50),
                               today=TODAY).ok


def _clean_by_the_rule(value: str, multiline: bool) -> str:
    """clean_text's rule spelled out character by character (its fast path must agree)."""
    out = []
    for ch in nfkc(value.replace("\r\n", "\n").replace("\r", "\n")):
        if ch in "\n\u2028\u2029\x85\x0b\x0c":
            out.append("\n" if multiline else " ")
        elif ch == "\t":
            out.append(" ")
        elif unicodedata.category(ch) not in ("Cc", "Cf", "Co", "Cn", "Cs"):
            out.append(ch)
    text = "".join(out)
    if multiline:
        return "\n".join(line.rstrip() for line in text.split("\n")).strip()
    return " ".join(part for part in text.replace("\u00a0", " ").replace("\u3000", " ")
                    .split(" ") if part)


def test_cleaning_agrees_with_its_rule_on_random_text() -> None:
    pool = ("ab 1，。你好\u3000\u00a0\t\n\r\u200b\u202e\ufeff\uff10\uff01\uffe5\u2028\x07"
            + "".join(map(chr, range(0x3000, 0x3040))) + "".join(map(chr, range(0xFF00, 0xFFF0))))
    rng = random.Random(7)
    for _ in range(5000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 12)))
        for multiline in (False, True):
            assert clean_text(text, multiline=multiline) == _clean_by_the_rule(text, multiline), \
                (text, multiline)


def test_landlines_are_accepted_and_stored_as_digits() -> None:
    for typed in ("010-6512 3456", "(0755)83456789", "0086 010 65123456"):
        result = validate_submission(FORM, valid(phone=typed), today=TODAY)
        assert result.ok, typed
        assert result.values["phone"].startswith("0")


def test_a_credit_code_failing_its_checksum_is_a_warning_not_a_rejection() -> None:
    result = validate_submission(FORM, valid(uscc="91110105MA01C3K9X4"), today=TODAY)
    assert result.ok
    assert [(w.field, w.message) for w in result.warnings] == [
        ("uscc", "统一社会信用代码未通过校验位检查。早期颁发的代码可能如此；"
                 "如确认无误，可以直接提交")]
    assert result.values["uscc"] == "91110105MA01C3K9X4"


def test_fields_not_asked_for_a_business_type_are_dropped() -> None:
    raw = valid(business_type="KTV/娱乐", stoves=8, stalls=..., flue="有")
    result = validate_submission(FORM, raw, today=TODAY)
    assert result.ok
    assert result.values["stoves"] is None and result.values["flue"] is None
    # A restaurant needs its stoves and flue but not a stall count.
    restaurant = validate_submission(FORM, valid(business_type="餐饮", stalls=...),
                                     today=TODAY)
    assert restaurant.ok and restaurant.values["stalls"] is None


def test_unknown_fields_and_wrong_json_types_are_rejected() -> None:
    assert problems(valid(admin=True, company={"x": 1})) == [
        ("admin", "表单中没有“admin”这一项"), ("company", "企业名称的格式不正确")]
    assert problems(valid(business_type=["餐饮", "美食城"])) == [
        ("business_type", "业态的格式不正确")]


def test_form_posts_send_lists_of_strings() -> None:
    raw = {k: [str(v)] if not isinstance(v, list) else v for k, v in valid().items()}
    raw["consent"] = ["yes"]
    raw["website"] = [""]
    result = validate_submission(FORM, raw, today=TODAY)
    assert result.ok and result.values["stoves"] == 8


def test_the_honeypot_is_not_a_field_problem_but_marks_the_result() -> None:
    result = validate_submission(FORM, valid(website="http://spam.example"), today=TODAY)
    assert result.honeypot_filled and not result.problems and not result.ok

"""The form definition: the bundled one loads, broken ones are refused with every problem named
(key path, fix), the JSON for the page script and the CSV's Table Schema follow from it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from generator.errors import ConfigError
from generator.forms import (
    FORM_FILE,
    definition_json,
    definition_json_text,
    load_form,
    load_versions,
)
from generator.forms.schema import table_schema
from generator.reference import load_reference
from tests.conftest import ROOT

REFERENCE = load_reference((ROOT / "data" / "reference").resolve())
FORM = load_form(ROOT / FORM_FILE, REFERENCE)


def _broken(tmp_path: Path, edit: object) -> Path:
    raw = yaml.safe_load((ROOT / FORM_FILE).read_text(encoding="utf-8"))
    edit(raw)  # type: ignore[operator]
    path = tmp_path / "consultation.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _field(raw: dict[str, object], name: str) -> dict[str, object]:
    fields = raw["fields"]
    assert isinstance(fields, list)
    return next(f for f in fields if f["name"] == name)


def test_the_bundled_definition_has_the_fields_the_issue_lists() -> None:
    assert FORM.version == 1
    assert [f.name for f in FORM.fields] == [
        "company", "uscc", "contact_name", "phone", "email", "district", "street", "address",
        "business_type", "stoves", "stalls", "equipment", "building_type", "flue",
        "adjacent_residential", "renovation_start", "opening_date", "question", "consent",
        "website"]
    assert FORM.field("business_type").option_values == (
        "餐饮", "美食城", "KTV/娱乐", "汽修/喷漆", "洗染", "商业综合体", "施工/装修", "其他")
    assert FORM.field("question").max_length == 1000
    assert FORM.field("question").errors["too_long"] == "咨询事项不能超过 1000 个字"
    assert FORM.honeypot.name == "website"
    # Districts and streets come from the reference, grouped for the cascade.
    assert FORM.field("district").option_values[:2] == ("东城区", "西城区")
    streets = FORM.field("street").options
    assert len(streets) == len(REFERENCE.streets)
    assert {o.group for o in streets if o.value == "八里庄街道"} == {"朝阳区", "海淀区"}


def test_several_problems_are_reported_together_with_key_paths(tmp_path: Path) -> None:
    def edit(raw: dict[str, object]) -> None:
        raw["version"] = 0
        _field(raw, "phone")["errors"] = {"required": "请输入联系电话"}
        _field(raw, "stoves")["required_when"] = {"field": "business_type", "in": ["酒吧"]}
        _field(raw, "company")["colour"] = "red"
        _field(raw, "question")["errors"]["too_long"] = "不能超过 {maximum} 个字"  # type: ignore[index]

    with pytest.raises(ConfigError) as caught:
        load_form(_broken(tmp_path, edit), REFERENCE)
    path = tmp_path / "consultation.yml"
    assert caught.value.message == "\n".join([
        f"表单定义文件 {path} 有 5 处错误：",
        "  - version：值 “0” 应为正整数（每次改动存储内容时加一）。修正方法：例如 version: 1。",
        "  - fields.company.colour：不是可识别的字段设置项。修正方法：请改正拼写或删除该项"
        "（可用的字段设置项：name、label、hint、type、required、required_when、shown_when、"
        "max_length、min、max、min_days、max_days、not_before、depends_on、options、errors、"
        "autocomplete）。",
        "  - fields.phone.errors.invalid：缺少这一错误提示（应为一段中文）。"
        "修正方法：请写出用户看到的提示，说明怎样改正。",
        "  - fields.question.errors.too_long：值 “不能超过 {maximum} 个字” 占位符 {maximum} "
        "不可用（可用：{max_length}、{min}、{max}，且该字段须设了这一项）。修正方法：请改正或删去占位符。",
        "  - fields.stoves.required_when：值 “酒吧” 不是字段 business_type 的选项。"
        "修正方法：请改为该字段的选项之一。",
    ])
    assert caught.value.problems[0].key == "version"


def test_a_missing_honeypot_and_a_dangling_reference_are_refused(tmp_path: Path) -> None:
    def edit(raw: dict[str, object]) -> None:
        fields = raw["fields"]
        assert isinstance(fields, list)
        raw["fields"] = [f for f in fields if f["type"] != "honeypot"]
        _field(raw, "opening_date")["not_before"] = "start"

    with pytest.raises(ConfigError) as caught:
        load_form(_broken(tmp_path, edit), REFERENCE)
    lines = caught.value.message.splitlines()[1:]
    assert lines == [
        "  - fields：应恰好有一个 honeypot（防机器人）字段。"
        "修正方法：请保留一个 type: honeypot 的字段。",
        "  - fields.opening_date.not_before：值 “start” 应为本表单中 date 类型字段的名称。"
        "修正方法：请改正字段名。",
    ]


def test_definition_json_carries_rules_and_messages_for_the_script() -> None:
    data = definition_json(FORM)
    json.dumps(data)  # plain JSON data
    phone = next(f for f in data["fields"] if f["name"] == "phone")
    assert phone["errors"]["invalid"] == FORM.field("phone").errors["invalid"]
    stoves = next(f for f in data["fields"] if f["name"] == "stoves")
    assert stoves["shown_when"] == {"field": "business_type", "in": ["餐饮", "美食城"]}
    assert stoves["min"] == 1 and stoves["max"] == 500
    street = next(f for f in data["fields"] if f["name"] == "street")
    assert {"value": "景山街道", "group": "东城区"} in street["options"]
    assert data["checks"]["mobile"] == "^1[3-9][0-9]{9}$"
    text = definition_json_text(FORM)
    assert "<" not in text and json.loads(text) == data


def test_the_table_schema_spans_every_version(tmp_path: Path) -> None:
    """A version 2 renames nothing but adds a field and drops another: one schema for both."""
    schema = table_schema([FORM])
    names = [f["name"] for f in schema["fields"]]
    assert names[:8] == ["reference", "received_at", "form_version", "status",
                         "contacted_at", "closed_at", "privacy_version", "warnings"]
    assert "website" not in names and names[8] == "company"
    by_name = {f["name"]: f for f in schema["fields"]}
    assert by_name["company"]["constraints"] == {"required": True}
    assert "constraints" not in by_name["email"]
    assert by_name["stoves"]["type"] == "integer"
    assert by_name["stoves"]["constraints"] == {"minimum": 1, "maximum": 500}
    assert by_name["business_type"]["constraints"]["enum"][0] == "餐饮"
    assert by_name["consent"]["trueValues"] == ["是"]

    root = tmp_path / "project"
    (root / "forms" / "versions").mkdir(parents=True)
    shutil.copy(ROOT / FORM_FILE, root / "forms" / "versions" / "consultation.v1.yml")

    def v2(raw: dict[str, object]) -> None:
        raw["version"] = 2
        fields = raw["fields"]
        assert isinstance(fields, list)
        fields.remove(_field(raw, "email"))
        fields.insert(1, {"name": "brand", "label": "品牌（选填）", "type": "text",
                          "max_length": 50,
                          "errors": {"too_long": "品牌不能超过 {max_length} 个字"}})
        _field(raw, "business_type")["options"].append("酒吧")  # type: ignore[attr-defined]
    shutil.copy(_broken(tmp_path, v2), root / FORM_FILE)
    versions = load_versions(root, REFERENCE)
    assert [f.version for f in versions] == [1, 2]
    both = {f["name"]: f for f in table_schema(versions)["fields"]}
    assert list(both)[8:11] == ["company", "brand", "uscc"]
    assert "email" in both  # kept for version 1 rows
    assert both["form_version"]["constraints"]["enum"] == [1, 2]
    assert both["business_type"]["constraints"]["enum"][-1] == "酒吧"
    assert both["company"]["constraints"] == {"required": True}

"""The contract generated from the reference and settings: enums, time-zone wording, bundled
descriptors, packages of another reference refused, unrecordedFields."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from pathlib import Path
from typing import Any

import frictionless
import pytest
import yaml

from generator.dataset.contract import UNRECORDABLE, recorded_fields
from generator.dataset.report import format_json, format_text
from generator.dataset.schema import (
    FIELD_NAMES,
    contract_descriptor,
    descriptor_bytes,
    package_descriptor,
    parse_fields,
)
from generator.dataset.validate import validate_package
from generator.errors import DataError
from generator.reference import Category, District, Reference, Street, load_reference
from generator.settings import DataSettings

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "data" / "reference"
MINI = Path(__file__).parent / "fixtures" / "mini_package"
TODAY = dt.date(2026, 11, 28)

SHANGHAI = Reference(
    districts=(District("310101", "黄浦区", 662), District("310115", "浦东新区", 5681)),
    streets=(
        Street("310101002", "南京东路街道", "310101", "黄浦区", "街道"),
        Street("310115004", "潍坊新村街道", "310115", "浦东新区", "街道"),
        Street("310115005", "南京东路街道", "310115", "浦东新区", "街道"),
    ),
    categories=(Category("扬尘", "大气", "guides/dust.md"), Category("噪声扰民", "噪声",
                                                                    "guides/noise.md")),
)


def _beijing() -> Reference:
    return load_reference(REFERENCE.resolve())


def _enums(descriptor: dict[str, Any]) -> dict[str, list[str]]:
    return {f["name"]: f["constraints"]["enum"]
            for f in descriptor["resources"][0]["schema"]["fields"]
            if "enum" in f.get("constraints", {})}


def _rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((MINI / "complaints.csv").read_text("utf-8"))))


def _package(folder: Path, descriptor: bytes, rows: list[dict[str, str]]) -> Path:
    folder.mkdir(parents=True)
    (folder / "datapackage.json").write_bytes(descriptor)
    with (folder / "complaints.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, FIELD_NAMES, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return folder


def _validate(folder: Path) -> Any:
    return validate_package(folder, REFERENCE, today=TODAY, settings=DataSettings())


# Generation ------------------------------------------------------------------------------

def test_the_template_knows_no_city() -> None:
    text = (ROOT / "generator" / "dataset" / "datapackage.json").read_text("utf-8")
    for word in ("北京", "1101", "朝阳区", "东城区", "餐饮油烟", "大气"):
        assert word not in text
    fields = {f["name"]: f for f in contract_descriptor()["resources"][0]["schema"]["fields"]}
    for name in ("element", "category", "district", "district_code", "street", "street_code"):
        assert set(fields[name]["constraints"]) == {"required"}


def test_beijing_enums_equal_the_reference_files() -> None:
    with (REFERENCE / "districts.csv").open(encoding="utf-8") as fh:
        districts = list(csv.DictReader(fh))
    with (REFERENCE / "streets.csv").open(encoding="utf-8") as fh:
        streets = list(csv.DictReader(fh))
    taxonomy = yaml.safe_load((REFERENCE / "taxonomy.yml").read_text("utf-8"))
    enums = _enums(package_descriptor(_beijing(), DataSettings()))
    assert enums["district"] == [d["district"] for d in districts]
    assert enums["district_code"] == [d["district_code"] for d in districts]
    assert enums["street_code"] == [s["street_code"] for s in streets]
    assert sorted(enums["street"]) == sorted({s["street"] for s in streets})
    assert len(enums["street"]) == len(set(enums["street"])) == 348  # one name is in two districts
    assert enums["element"] == [e["name"] for e in taxonomy["elements"]]
    assert enums["category"] == [c["name"] for e in taxonomy["elements"] for c in e["categories"]]
    assert len(enums["district"]) == 16 and len(enums["street_code"]) == 349
    # The generic enums are the template's, untouched.
    assert enums["status"] == ["办理中", "已办结"]


def test_time_zone_wording_comes_from_the_settings() -> None:
    beijing = package_descriptor(_beijing(), DataSettings())
    assert beijing["description"].endswith("时间为北京时间。")
    received = beijing["resources"][0]["schema"]["fields"][3]
    assert received["description"] == "受理（来电）时间，北京时间，格式 YYYY-MM-DDTHH:MM:SS。"
    other = package_descriptor(SHANGHAI, DataSettings(time_zone_label="东京时间"))
    assert "东京时间" in json.dumps(other, ensure_ascii=False)
    assert "北京" not in json.dumps(other, ensure_ascii=False)
    assert _enums(other)["street"] == ["南京东路街道", "潍坊新村街道"]


def test_bundled_descriptors_are_the_generated_ones() -> None:
    expected = descriptor_bytes(_beijing(), DataSettings())
    assert expected.endswith(b"}\n") and "北京时间".encode() in expected
    assert (ROOT / "data" / "complaints" / "datapackage.json").read_bytes() == expected
    assert (MINI / "datapackage.json").read_bytes() == expected


def test_frictionless_accepts_the_generated_descriptor_with_unrecorded_fields(
        tmp_path: Path) -> None:
    rows = _rows()
    for row in rows:
        row["complainant_key"] = row["urgency"] = ""
    folder = _package(tmp_path / "p", descriptor_bytes(
        _beijing(), DataSettings(), ["urgency", "complainant_key"]), rows)
    descriptor = json.loads((folder / "datapackage.json").read_text("utf-8"))
    assert descriptor["resources"][0]["unrecordedFields"] == ["complainant_key", "urgency"]
    report = frictionless.validate(descriptor, basepath=str(folder))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type"])


# Another reference -------------------------------------------------------------------------

def test_a_package_of_another_reference_is_refused_naming_the_values(tmp_path: Path) -> None:
    folder = _package(tmp_path / "sh", descriptor_bytes(SHANGHAI, DataSettings()), _rows())
    with pytest.raises(DataError) as info:
        _validate(folder)
    assert info.value.message == "\n".join([
        f"{folder / 'datapackage.json'} 的取值与本项目的参考数据 data/reference 不一致，共 6 处"
        "（数据包是按另一份参考数据生成的）：",
        "  - 字段 element（第 5 个字段）的取值与参考数据 taxonomy.yml 不一致："
        "缺少 “水”、“固废”、“辐射及其他”。",
        "  - 字段 category（第 6 个字段）的取值与参考数据 taxonomy.yml 不一致："
        "数据包多了 “噪声扰民”，缺少 “餐饮油烟”、“异味恶臭”、“企业废气”、“机动车尾气”、"
        "“社会生活噪声” 等 15 个。",
        "  - 字段 district（第 7 个字段）的取值与参考数据 districts.csv 不一致："
        "数据包多了 “黄浦区”、“浦东新区”，缺少 “东城区”、“西城区”、“朝阳区”、“丰台区”、"
        "“石景山区” 等 16 个。",
        "  - 字段 district_code（第 8 个字段）的取值与参考数据 districts.csv 不一致："
        "数据包多了 “310101”、“310115”，缺少 “110101”、“110102”、“110105”、“110106”、"
        "“110107” 等 16 个。",
        "  - 字段 street（第 9 个字段）的取值与参考数据 streets.csv 不一致："
        "数据包多了 “南京东路街道”、“潍坊新村街道”，缺少 “东华门街道”、“景山街道”、"
        "“交道口街道”、“安定门街道”、“北新桥街道” 等 348 个。",
        "  - 字段 street_code（第 10 个字段）的取值与参考数据 streets.csv 不一致："
        "数据包多了 “310101002”、“310115004”、“310115005”，缺少 “110101001”、“110101002”、"
        "“110101003”、“110101004”、“110101005” 等 349 个。",
        "请用本项目的参考数据 data/reference 重新导入（ecoportal import）或重新生成样例"
        "（ecoportal sample）；若是参考数据有误，请改正后再导入。",
    ])


def test_a_reference_difference_beside_other_differences_keeps_both_fixes(
        tmp_path: Path) -> None:
    descriptor = package_descriptor(_beijing(), DataSettings())
    fields = descriptor["resources"][0]["schema"]["fields"]
    fields[6]["constraints"]["enum"] = [*fields[6]["constraints"]["enum"], "浦东新区"]
    fields[3]["type"] = "string"
    folder = _package(tmp_path / "p", json.dumps(descriptor).encode(), _rows())
    with pytest.raises(DataError) as info:
        _validate(folder)
    assert info.value.message == "\n".join([
        f"{folder / 'datapackage.json'} 的表结构（resources[0].schema）与数据契约不一致，共 2 处：",
        "  - 字段 received_at（第 4 个字段）的 type：契约为 “datetime”，数据包为 “string”。",
        "  - 字段 district（第 7 个字段）的取值与参考数据 districts.csv 不一致："
        "数据包多了 “浦东新区”。",
        "请用 ecoportal sample / import 重新生成数据包。"
        "取值与参考数据不一致的字段，请用本项目的参考数据 data/reference 重新导入。",
    ])


def test_a_package_from_before_the_generated_contract_is_refused(tmp_path: Path) -> None:
    descriptor = package_descriptor(_beijing(), DataSettings())
    fields = descriptor["resources"][0]["schema"]["fields"]
    del fields[8]["constraints"]["enum"]
    folder = _package(tmp_path / "old", json.dumps(descriptor).encode(), _rows())
    with pytest.raises(DataError) as info:
        _validate(folder)
    assert info.value.message.splitlines()[1] == (
        "  - 字段 street（第 9 个字段）缺少 constraints.enum"
        "（应列出参考数据 streets.csv 中的 348 个取值）。"
    )


def test_street_outside_the_reference_is_a_row_error_pointing_to_the_file(
        tmp_path: Path) -> None:
    rows = _rows()
    rows[0]["district"] = "浦东新区"
    rows[1]["street"] = "潍坊新村街道"
    folder = _package(tmp_path / "p", descriptor_bytes(_beijing(), DataSettings()), rows)
    assert format_text(_validate(folder)).splitlines()[1:-1] == [
        "第 2 行，字段 district（被反映区）：值 “浦东新区” 不在参考数据 "
        "data/reference/districts.csv 中。修正方法：只能填写以下之一：东城区、西城区、朝阳区、"
        "丰台区、石景山区、海淀区、门头沟区、房山区、通州区、顺义区、昌平区、大兴区、怀柔区、"
        "平谷区、密云区、延庆区（见 data/reference/districts.csv）。",
        "第 3 行，字段 street（被反映街乡镇）：值 “潍坊新村街道” 不在参考数据 "
        "data/reference/streets.csv 中。修正方法：按 data/reference/streets.csv 填写被反映街乡镇。",
    ]


# unrecordedFields --------------------------------------------------------------------------

def test_unrecorded_fields_are_accepted_empty_and_relax_their_rules(tmp_path: Path) -> None:
    rows = _rows()
    unrecorded = ["channel", "complainant_key", "urgency", "dispatched_at", "revisit_valid"]
    for row in rows:
        for name in unrecorded:
            row[name] = ""
    folder = _package(tmp_path / "p", descriptor_bytes(_beijing(), DataSettings(), unrecorded),
                      rows)
    report = _validate(folder)
    assert report.ok, format_text(report)
    assert report.unrecorded == frozenset(unrecorded)
    assert report.frame is not None and report.frame["complainant_key"].isna().all()
    descriptor = json.loads((folder / "datapackage.json").read_text("utf-8"))
    assert recorded_fields(descriptor) == frozenset(FIELD_NAMES) - set(unrecorded)


def test_a_recorded_package_reports_nothing_unrecorded() -> None:
    report = _validate(MINI)
    assert report.ok and report.unrecorded == frozenset()


def test_times_are_still_checked_around_an_unrecorded_time(tmp_path: Path) -> None:
    rows = _rows()
    for row in rows:
        row["dispatched_at"] = ""
    rows[0]["contacted_at"] = "2024-03-01T07:00:00"  # before received_at 08:00
    folder = _package(tmp_path / "p", descriptor_bytes(_beijing(), DataSettings(),
                                                       ["dispatched_at"]), rows)
    assert format_text(_validate(folder)).splitlines()[1:-1] == [
        "第 2 行，字段 contacted_at（首次联系时间）：值 “2024-03-01T07:00:00” 早于受理时间 "
        "2024-03-01T08:00:00。修正方法：首次联系时间不能早于受理时间，请核对两个时间。",
    ]


def test_filled_cells_of_an_unrecorded_field_are_refused(tmp_path: Path) -> None:
    folder = _package(tmp_path / "p", descriptor_bytes(_beijing(), DataSettings(),
                                                       ["complainant_key"]), _rows())
    report = _validate(folder)
    assert not report.ok
    problems = json.loads(format_json(report))["errors"]
    assert {p["code"] for p in problems} == {"unrecorded-error"}
    assert [p["row"] for p in problems] == [r for r in range(2, 34)
                                            if _rows()[r - 2]["complainant_key"]]
    assert format_text(report).splitlines()[1] == (
        "第 2 行，字段 complainant_key（诉求人标识（化名））：值 “P169b5b823c62b64c” 已填写，"
        "但数据包声明未记录这个字段（datapackage.json 的 unrecordedFields）。"
        "修正方法：未记录的字段所有单元格都应为空：删除这些值，或把 complainant_key 从 "
        "unrecordedFields 中去掉（用 ecoportal import 重新生成数据包）。"
    )


@pytest.mark.parametrize("value,problem", [
    ("complainant_key",
     "应为字段名的列表，例如 [\"complainant_key\"]，实际是 “\"complainant_key\"”"),
    (["case_id", "status", "complainant_key"],
     "有误：字段 “case_id”、“status” 不能未记录（已公布的数字都依赖它们）"),
    (["caller_phone"], "有误：数据契约中没有字段 “caller_phone”"),
    (["urgency", "urgency"], "有误：字段 “urgency” 重复列出"),
])
def test_an_invalid_unrecorded_list_is_a_descriptor_error(
        tmp_path: Path, value: object, problem: str) -> None:
    descriptor = package_descriptor(_beijing(), DataSettings())
    descriptor["resources"][0]["unrecordedFields"] = value
    folder = _package(tmp_path / "p", json.dumps(descriptor).encode(), _rows())
    with pytest.raises(DataError) as info:
        _validate(folder)
    assert info.value.message == (
        f"{folder / 'datapackage.json'} 中 resources[0].unrecordedFields {problem}。"
        "请用 `ecoportal import` 重新生成数据包（导出里没有的可选列会列在这里），"
        f"或改正该列表：只能列出 {'、'.join(UNRECORDABLE)}。"
    )


def test_an_unrecorded_list_must_match_the_schema(tmp_path: Path) -> None:
    """Declaring a field unrecorded without relaxing it (or the reverse) is a schema error."""
    descriptor = package_descriptor(_beijing(), DataSettings())
    descriptor["resources"][0]["unrecordedFields"] = ["urgency"]
    folder = _package(tmp_path / "p", json.dumps(descriptor).encode(), _rows())
    with pytest.raises(DataError) as info:
        _validate(folder)
    assert info.value.message.splitlines()[1] == (
        "  - 字段 urgency（第 13 个字段）的 constraints.required：契约为 “false”，数据包为 “true”。"
    )


def test_only_unrecordable_fields_can_be_generated_unrecorded() -> None:
    with pytest.raises(ValueError, match="case_id"):
        package_descriptor(_beijing(), DataSettings(), ["case_id"])
    fields = {f.name: f for f in parse_fields(
        package_descriptor(_beijing(), DataSettings(), list(UNRECORDABLE)))}
    assert not any(fields[name].required for name in UNRECORDABLE)
    assert all(fields[name].required for name in ("case_id", "received_at", "category",
                                                  "district", "street_code", "status"))


def test_copying_the_mini_fixture_keeps_it_valid(tmp_path: Path) -> None:
    shutil.copytree(MINI, tmp_path / "m")
    assert _validate(tmp_path / "m").ok

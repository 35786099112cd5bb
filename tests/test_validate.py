"""validate_package: cross-field rules, encodings, typed frame, reports and the CLI."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.dataset.report import MAX_STORED_ISSUES, format_json, format_text
from generator.dataset.schema import (
    BOOLEAN_FIELDS,
    DATETIME_FIELDS,
    FIELD_NAMES,
    IDENTIFIER_FIELDS,
)
from generator.dataset.validate import validate_package
from generator.errors import DataError

MINI = Path(__file__).parent / "fixtures" / "mini_package"
REFERENCE = Path(__file__).parent.parent / "data" / "reference"


def _rows() -> list[dict[str, str]]:
    with (MINI / "complaints.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _package(folder: Path, rows: list[dict[str, str]], encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(MINI / "datapackage.json", folder / "datapackage.json")
    with (folder / "complaints.csv").open("w", encoding=encoding, newline="") as fh:
        writer = csv.DictWriter(fh, FIELD_NAMES, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return folder


def _edit(tmp_path: Path, changes: dict[int, dict[str, str]]) -> list[str]:
    """Apply {row number: {field: value}} to the mini package; the report's issue lines."""
    rows = _rows()
    for row_number, values in changes.items():
        rows[row_number - 2].update(values)
    report = validate_package(_package(tmp_path / "p", rows), reference=REFERENCE)
    assert not report.ok
    return format_text(report).splitlines()[1:-1]


def test_mini_package_rows_and_first_line() -> None:
    report = validate_package(MINI, reference=REFERENCE)
    assert report.ok and report.issues == [] and report.issue_count == 0
    assert report.rows == 32 and report.encoding == "UTF-8"
    assert format_text(report).splitlines() == [
        f"文件 {MINI / 'complaints.csv'}（编码：UTF-8，共 32 行）",
        "校验通过",
    ]


def test_typed_frame_dtypes_and_values() -> None:
    frame = validate_package(MINI / "datapackage.json", reference=REFERENCE).frame
    assert frame is not None
    assert list(frame.columns) == list(FIELD_NAMES)
    assert isinstance(frame.index, pd.RangeIndex) and len(frame) == 32
    raw = pd.read_csv(MINI / "complaints.csv", dtype=str, keep_default_na=False)
    for name in FIELD_NAMES:
        col = frame[name]
        if name in DATETIME_FIELDS:
            assert col.dtype == "datetime64[ns]"
            expected = pd.to_datetime(raw[name].replace("", None), format="%Y-%m-%dT%H:%M:%S")
            assert col.equals(expected.astype("datetime64[ns]"))
        elif name in BOOLEAN_FIELDS:
            assert isinstance(col.dtype, pd.BooleanDtype)
            expected_bool = raw[name].map({"是": True, "否": False, "": pd.NA}).astype("boolean")
            assert col.equals(expected_bool)
        elif name in IDENTIFIER_FIELDS:
            assert pd.api.types.is_string_dtype(col.dtype)
            assert [None if pd.isna(v) else v for v in col] == [v or None for v in raw[name]]
        else:
            assert isinstance(col.dtype, pd.CategoricalDtype)
            assert [None if pd.isna(v) else v for v in col] == [v or None for v in raw[name]]
    assert frame["closed_at"].isna().sum() == (raw["status"] == "办理中").sum() > 0


CROSS_FIELD_CASES = [
    (
        {2: {"dispatched_at": "2024-03-01T07:00:00"}},
        [
            "第 2 行，字段 dispatched_at（派单时间）：值 “2024-03-01T07:00:00” 早于受理时间 "
            "2024-03-01T08:00:00。修正方法：派单时间不能早于受理时间，请核对两个时间。",
            # contacted_at (11:00) is still after the new dispatched_at: one error only.
        ],
    ),
    (
        {3: {"closed_at": "2024-03-02T11:00:00"}},
        [
            "第 3 行，字段 closed_at（办结时间）：值 “2024-03-02T11:00:00” 早于首次联系时间 "
            "2024-03-02T12:01:00。修正方法：办结时间不能早于首次联系时间，请核对两个时间。",
        ],
    ),
    (
        {2: {"closed_at": ""}},
        [
            "第 2 行，字段 closed_at（办结时间）：为空，但办理状态为“已办结”。"
            "修正方法：已办结的工单必须"
            "填写办结时间；若尚未办结，把办理状态改为“办理中”。",
        ],
    ),
    (
        {2: {"street_code": "110102001"}},
        [
            "第 2 行，字段 street（被反映街乡镇）：值 “东华门街道” 与街乡镇代码 110102001 不一致。"
            "修正方法：按 data/reference/streets.csv 填写与代码对应的街乡镇名称。",
            "第 2 行，字段 street_code（街乡镇代码）：值 “110102001” 不属于区代码 110101。"
            "修正方法：核对街乡镇代码和区代码：街乡镇所属的区代码见 data/reference/streets.csv "
            "的 district_code 列。",
        ],
    ),
    (
        {2: {"street_code": "110101999"}},
        [
            "第 2 行，字段 street_code（街乡镇代码）：值 “110101999” 不在参考数据 "
            "data/reference/streets.csv 中。"
            "修正方法：按 data/reference/streets.csv 填写街乡镇代码。",
        ],
    ),
    (
        {2: {"district": "西城区"}},
        [
            "第 2 行，字段 district（被反映区）：值 “西城区” 与区代码 110101 不一致。"
            "修正方法：按 data/reference/districts.csv 填写与区代码对应的区名。",
        ],
    ),
    (
        {2: {"category": "社会生活噪声"}},
        [
            "第 2 行，字段 category（诉求类别）：值 “社会生活噪声” 不属于该行的要素“大气”。"
            "修正方法：按 data/reference/taxonomy.yml 选择该要素下的类别，或更正要素。",
        ],
    ),
    (
        {6: {"revisit_valid": "是"}},
        [
            "第 6 行，字段 revisit_valid（是否有效回访）：值 “是” 已填写，但工单未办结。"
            "修正方法：回访字段只在办理状态为“已办结”时填写；未办结请留空。",
        ],
    ),
    (
        {5: {"contacted": "是"}},
        [
            "第 5 行，字段 contacted（是否联系）：值 “是” 已填写，但“是否有效回访”不是“是”。"
            "修正方法：只有有效回访（是否有效回访为“是”）才填写是否联系、是否解决、是否满意；否则留空。",
        ],
    ),
    (
        {2: {"complainant_key": ""}},
        [
            "第 2 行，字段 complainant_key（诉求人标识（化名））：为空，但来源为“市民诉求”。"
            "修正方法：市民诉求必须填写诉求人标识（化名）。",
        ],
    ),
    (
        {9: {"channel": "网络", "revisit_valid": "否"}},
        [
            "第 9 行，字段 channel（受理渠道）：值 “网络” 与来源“主动治理”不符。"
            "修正方法：主动治理任务的受理渠道填“其他”。",
            "第 9 行，字段 revisit_valid（是否有效回访）：值 “否” 已填写，但来源为“主动治理”。"
            "修正方法：主动治理任务没有回访，回访字段留空。",
        ],
    ),
]


@pytest.mark.parametrize("changes,expected", CROSS_FIELD_CASES)
def test_cross_field_rules(
    changes: dict[int, dict[str, str]], expected: list[str], tmp_path: Path
) -> None:
    assert _edit(tmp_path, changes) == expected


def test_cross_field_rules_skip_rows_with_schema_errors(tmp_path: Path) -> None:
    lines = _edit(tmp_path, {2: {"closed_at": "昨天", "street_code": "110102001"}})
    assert lines == [
        "第 2 行，字段 closed_at（办结时间）：值 “昨天” 不是有效的时间。"
        "修正方法：按 YYYY-MM-DDTHH:MM:SS 填写，例如 2024-03-01T08:30:00。",
    ]


def test_schema_error_lines(tmp_path: Path) -> None:
    lines = _edit(
        tmp_path,
        {
            3: {"received_at": "2024-13-01T08:00:00", "escalated": "Y", "urgency": "特急"},
            4: {"case_id": ""},
        },
    )
    assert lines == [
        "第 3 行，字段 received_at（受理时间）：值 “2024-13-01T08:00:00” 不是有效的时间。"
        "修正方法：按 YYYY-MM-DDTHH:MM:SS 填写，例如 2024-03-01T08:30:00。",
        "第 3 行，字段 urgency（时限类别）：值 “特急” 不在允许的取值范围内。"
        "修正方法：只能填写以下之一：紧急、民生保障、一般、疑难。",
        "第 3 行，字段 escalated（是否升级）：值 “Y” 不是有效的是/否值。"
        "修正方法：只能填写“是”或“否”，或留空。",
        "第 4 行，字段 case_id（工单编号（化名））：为必填项，不能为空。"
        "修正方法：填写工单编号（化名）。",
        "第 4 行：主键 case_id 为空。修正方法：填写 case_id，每行都必须有且唯一。",
    ]


def test_encodings_are_detected_and_reported(tmp_path: Path) -> None:
    for encoding, label in [("utf-8-sig", "UTF-8 (带 BOM)"), ("gb18030", "GB18030")]:
        folder = _package(tmp_path / encoding, _rows(), encoding=encoding)
        report = validate_package(folder, reference=REFERENCE)
        assert report.ok and report.encoding == label
        assert format_text(report).splitlines()[0].endswith(f"（编码：{label}，共 32 行）")
        assert report.frame is not None and report.frame["district"].iloc[0] == "东城区"


@pytest.mark.parametrize(
    "data,what",
    [
        ("case_id\n".encode("utf-16"), "UTF-16"),
        (bytes(range(1, 256)) * 4,
         "第 2 行（第 128 个字节）起不是有效的 GB18030（文件也不是有效的 UTF-8）"),
        (b"a,b\n\x00\x01", "空字节"),
    ],
    ids=["utf16", "random", "nul"],
)
def test_unknown_encodings_are_refused(tmp_path: Path, data: bytes, what: str) -> None:
    folder = _package(tmp_path / "p", [])
    (folder / "complaints.csv").write_bytes(data)
    with pytest.raises(DataError) as info:
        validate_package(folder)
    message = info.value.message
    assert str(folder / "complaints.csv") in message and what in message
    assert "CSV UTF-8" in message


def test_unreadable_packages(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="找不到数据包"):
        validate_package(tmp_path / "nothing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match=r"中没有 datapackage\.json"):
        validate_package(tmp_path / "empty")
    folder = _package(tmp_path / "p", [])
    (folder / "complaints.csv").unlink()
    with pytest.raises(DataError, match=r"找不到数据文件 .*complaints\.csv"):
        validate_package(folder)
    (folder / "datapackage.json").write_text("{", encoding="utf-8")
    with pytest.raises(DataError, match="不是有效的 JSON 文件"):
        validate_package(folder)


def test_issue_cap_keeps_an_exact_count(tmp_path: Path) -> None:
    base = _rows()
    rows = []
    for i in range(6_000):
        row = dict(base[i % len(base)])
        row.update(case_id=f"GD{i:012X}", escalated="Y", handling_level="省")
        rows.append(row)
    report = validate_package(_package(tmp_path / "big", rows), reference=REFERENCE)
    assert report.issue_count == 12_000
    assert len(report.issues) == MAX_STORED_ISSUES
    assert [i.row for i in report.issues[:4]] == [2, 2, 3, 3]
    assert format_text(report, max_errors=3).splitlines()[-2:] == [
        "……另有 11,997 处错误未列出（用 --format json 查看更多）。",
        "发现 12,000 处错误",
    ]


def test_format_json(tmp_path: Path) -> None:
    rows = _rows()
    rows[0]["escalated"] = "Y"
    report = validate_package(_package(tmp_path / "p", rows), reference=REFERENCE)
    payload = json.loads(format_json(report))
    assert payload["valid"] is False and payload["rows"] == 32 and payload["error_count"] == 1
    assert payload["encoding"] == "UTF-8"
    assert payload["errors"] == [
        {
            "file": str(tmp_path / "p" / "complaints.csv"),
            "row": 2,
            "field": "escalated",
            "value": "Y",
            "code": "type-error",
            "message": "不是有效的是/否值",
            "fix": "只能填写“是”或“否”，或留空",
        }
    ]


def test_cli_validate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REFERENCE.parent.parent)
    runner = CliRunner()
    ok = runner.invoke(main, ["validate", str(MINI)])
    assert ok.exit_code == 0, ok.output
    assert ok.output.splitlines()[-1] == "校验通过"
    rows = _rows()
    rows[1]["received_at"] = "2024-13-01T08:00:00"
    rows[3]["source"] = "市民"
    folder = _package(tmp_path / "broken", rows)
    bad = runner.invoke(main, ["validate", str(folder)])
    assert bad.exit_code == 1
    assert bad.output.splitlines() == [
        f"文件 {folder / 'complaints.csv'}（编码：UTF-8，共 32 行）",
        "第 3 行，字段 received_at（受理时间）：值 “2024-13-01T08:00:00” 不是有效的时间。"
        "修正方法：按 YYYY-MM-DDTHH:MM:SS 填写，例如 2024-03-01T08:30:00。",
        "第 5 行，字段 source（来源）：值 “市民” 不在允许的取值范围内。"
        "修正方法：只能填写以下之一：市民诉求、主动治理。",
        "发现 2 处错误",
    ]
    as_json = runner.invoke(
        main, ["validate", str(folder / "datapackage.json"), "--format", "json"]
    )
    assert as_json.exit_code == 1
    payload = json.loads(as_json.output)
    assert [(e["row"], e["field"], e["code"]) for e in payload["errors"]] == [
        (3, "received_at", "type-error"),
        (5, "source", "constraint-error"),
    ]

"""Import of other cities' exports: time zones, out-of-scope rows, optional columns, exports
without caller identity, nothing-left refusals and structured profile problems."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from generator.dataset.validate import validate_package
from generator.errors import ConfigError
from generator.ingest.importer import import_export
from generator.ingest.profile import load_profile
from generator.paths import ProjectPaths
from tests.broken_inputs import assert_refused, run_cli
from tests.conftest import ROOT

RAW_311 = ROOT / "tests" / "fixtures" / "raw" / "example_311.csv"
PROFILE_311 = ROOT / "data" / "profiles" / "example-311.yml"
RAW_BJ = ROOT / "tests" / "fixtures" / "raw" / "beijing_12345_export.csv"
PROFILE_BJ = ROOT / "data" / "profiles" / "beijing-12345.yml"
ENV = {"ECOPORTAL_PSEUDONYM_KEY": "5a" * 32, "ECOPORTAL_KEY_FILE": ""}
PROJECT = ProjectPaths(ROOT)


def _raw311() -> pd.DataFrame:
    return pd.read_csv(RAW_311, dtype=str, keep_default_na=False)


def _write(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False, encoding="utf-8")
    return path


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _profile_311(tmp_path: Path, old: str = "", new: str = "") -> Path:
    text = PROFILE_311.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "profile.yml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _project(tmp_path: Path, zone: str) -> ProjectPaths:
    """A project of its own whose settings give the city's time zone `zone`."""
    root = tmp_path / "project"
    (root / "data").mkdir(parents=True)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    settings = (ROOT / "data" / "settings.yml").read_text(encoding="utf-8")
    assert "  time_zone: Asia/Shanghai\n" in settings
    (root / "data" / "settings.yml").write_text(
        settings.replace("  time_zone: Asia/Shanghai\n", f"  time_zone: {zone}\n"),
        encoding="utf-8")
    shutil.copytree(ROOT / "data" / "reference", root / "data" / "reference")
    return ProjectPaths(root)


# --- time zones ---------------------------------------------------------------------------

def _late_march(tmp_path: Path) -> Path:
    """Two closed DEP noise complaints, one received at 23:30 on 31 March (export time)."""
    frame = _raw311().iloc[[0, 2]].copy()
    frame["Created Date"] = ["03/31/2024 11:30:00 PM", "03/15/2024 10:00:00 AM"]
    frame["Closed Date"] = ["04/02/2024 09:00:00 AM", "03/16/2024 10:00:00 AM"]
    return _write(frame, tmp_path / "late_march.csv")


@pytest.mark.parametrize(("city", "export_zone", "expected"), [
    # The export is in the city's own zone (the default): 23:30 on 31 March stays in March.
    ("America/New_York", None, "2024-03-31T23:30:00"),
    ("Asia/Shanghai", "Asia/Shanghai", "2024-03-31T23:30:00"),
    ("Europe/Berlin", "Europe/Berlin", "2024-03-31T23:30:00"),
    # An export from a zone ahead of the city's (London, BST = UTC+1; New York EDT = UTC−4).
    ("America/New_York", "Europe/London", "2024-03-31T18:30:00"),
    # From a zone behind the city's (Los Angeles, PDT = UTC−7): 23:30 there is April in NY.
    ("America/New_York", "America/Los_Angeles", "2024-04-01T02:30:00"),
    # Beijing deployment, export from New York: 23:30 EDT = 11:30 next day in Beijing.
    ("Asia/Shanghai", "America/New_York", "2024-04-01T11:30:00"),
])
def test_times_are_converted_to_the_city_zone(tmp_path: Path, city: str,
                                              export_zone: str | None, expected: str) -> None:
    raw = _late_march(tmp_path)
    zone_line = "time_zone: America/New_York\n"
    profile = _profile_311(tmp_path, zone_line,
                           "" if export_zone is None else f"time_zone: {export_zone}\n")
    out = tmp_path / "out"
    import_export(raw, profile, out, _project(tmp_path, city), environ=ENV)
    package = _read(out / "complaints.csv")
    assert package["received_at"].tolist()[0] == expected
    assert package["dispatched_at"].tolist()[0] == expected


# --- out of scope ---------------------------------------------------------------------------

def _mostly_out_of_scope(tmp_path: Path) -> tuple[Path, pd.DataFrame]:
    """The 60 fixture rows plus 340 police complaints (85 % of 400), one row with a bad date."""
    env = _raw311()
    police = pd.concat([env] * 6, ignore_index=True).iloc[:340].copy()
    police["Unique Key"] = [str(70_000_000 + i) for i in range(len(police))]
    police["Agency"] = "NYPD"
    police["Complaint Type"] = "Illegal Parking"
    police["Descriptor"] = "Blocked Hydrant"
    frame = pd.concat([env, police], ignore_index=True)
    frame.loc[5, "Created Date"] = "13/45/2024 10:00:00 AM"
    return _write(frame, tmp_path / "mostly_police.csv"), frame


def test_out_of_scope_rows_are_counted_apart_from_rejects(tmp_path: Path) -> None:
    raw, frame = _mostly_out_of_scope(tmp_path)
    out = tmp_path / "out"
    result = run_cli(["import", str(raw), "--profile", str(PROFILE_311), "--out", str(out)],
                     env=ENV)
    assert result.exit_code == 0, result.output
    police = set(frame.index[frame["Agency"] == "NYPD"] + 2)
    parking = set(frame.index[(frame["Agency"] == "DEP")
                              & (frame["Complaint Type"] == "Illegal Parking")] + 2)
    assert len(police) == 340 and len(parking) == 1
    listed = _read(out / "out_of_scope.csv")
    assert list(listed.columns) == ["行号", "原因"]
    assert set(listed["行号"].astype(int)) == police | parking
    reasons = dict(zip(listed["行号"].astype(int), listed["原因"], strict=True))
    assert {reasons[r] for r in police} == {"Agency 为“NYPD”，不在 scope.include 中"}
    assert {reasons[r] for r in parking} == {
        "诉求类别“Blocked”没有对应的生态环境类别（value_maps.category 中没有这个值）"}
    rejects = _read(out / "rejects.csv")
    assert rejects["行号"].tolist() == ["7", "7"]  # only the real error (两个时间字段)
    assert rejects["字段"].tolist() == ["received_at（受理时间）", "dispatched_at（派单时间）"]
    assert rejects["原因"].str.contains("无法按档案中的日期格式解析").all()
    assert len(_read(out / "complaints.csv")) == 400 - 341 - 1
    assert ("  读取 400 行，写出 58 行，拒收 1 行，无法定位街乡镇 0 行。\n"
            "  不属于生态环境诉求（未纳入）341 行，不算错误。\n") in result.output
    assert f"  未纳入清单（行号、原因）：{out / 'out_of_scope.csv'}\n" in result.output


def test_unmapped_categories_can_be_errors(tmp_path: Path) -> None:
    profile = _profile_311(tmp_path, "  include: [DEP]\n",
                           "  include: [DEP]\n  unmapped_categories: reject\n")
    out = tmp_path / "out"
    result = import_export(RAW_311, profile, out, PROJECT, environ=ENV)
    assert (result.rows_rejected, result.rows_out_of_scope) == (1, 0)
    rejects = _read(out / "rejects.csv")
    assert rejects["原因"].tolist() == [
        "诉求类别的值未知：值映射 value_maps.category 中没有这个值，请在档案中补充映射"]


def test_exclude_filter(tmp_path: Path) -> None:
    profile = _profile_311(tmp_path, "  include: [DEP]\n", "  exclude: [NYPD]\n")
    raw, _ = _mostly_out_of_scope(tmp_path)
    result = import_export(raw, profile, tmp_path / "out", PROJECT, environ=ENV)
    assert (result.rows_written, result.rows_out_of_scope) == (58, 341)
    listed = _read(tmp_path / "out" / "out_of_scope.csv")
    assert "Agency 为“NYPD”，属于 scope.exclude" in set(listed["原因"])


# --- nothing left -----------------------------------------------------------------------------

def test_every_row_dropped_is_an_error(tmp_path: Path) -> None:
    frame = _raw311()
    frame["Agency"] = "NYPD"
    raw = _write(frame, tmp_path / "police.csv")
    out = tmp_path / "out"
    result = run_cli(["import", str(raw), "--profile", str(PROFILE_311), "--out", str(out)],
                     untouched=[raw], env=ENV)
    assert_refused(result, (
        f"错误：{raw}：没有一行可以写入数据包，已停止导入，未写出任何文件"
        "（读取 60 行：拒收 0 行，无法定位街乡镇 0 行，不属于生态环境诉求（未纳入）60 行）。"
        "最常见的原因：不属于生态环境诉求（未纳入）：按档案 scope 的筛选条件未纳入（60 行）。"
        f"请按这些原因修改档案 {PROFILE_311} 或检查导出后重新导入。"))
    assert not out.exists()


def test_callers_configured_but_all_blank_is_an_error_not_a_silent_loss(tmp_path: Path) -> None:
    frame = pd.read_csv(RAW_BJ, encoding="gb18030", dtype=str, keep_default_na=False)
    frame = frame[frame["来源"] == "市民诉求"].copy()
    frame["来电号码"] = ""
    frame["来电人姓名"] = ""
    raw = tmp_path / "no_callers.csv"
    frame.to_csv(raw, index=False, encoding="gb18030")
    result = run_cli(["import", str(raw), "--profile", str(PROFILE_BJ), "--out",
                      str(tmp_path / "out")], env=ENV)
    assert result.exit_code == 1
    assert result.output.startswith(f"错误：{raw}：没有一行可以写入数据包，已停止导入，")
    assert ("complainant_key（诉求人标识（化名））：市民诉求缺少来电号码和来电人姓名，"
            "无法生成诉求人化名") in result.output


# --- optional columns and exports without caller identity -----------------------------------

def test_optional_column_absent_is_unrecorded(tmp_path: Path) -> None:
    raw311 = _raw311()
    raw = _write(raw311.drop(columns=["Open Data Channel Type"]), tmp_path / "no_channel.csv")
    out = tmp_path / "out"
    result = import_export(raw, PROFILE_311, out, PROJECT, environ=ENV)
    assert (result.rows_written, result.rows_rejected) == (59, 0)
    unrecorded = ["channel", "complainant_key", "contacted_at", "revisit_valid", "contacted",
                  "resolved", "satisfaction"]
    assert list(result.unrecorded) == unrecorded
    descriptor = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["resources"][0]["unrecordedFields"] == unrecorded
    package = _read(out / "complaints.csv")
    assert (package["channel"] == "").all()
    full = import_export(RAW_311, PROFILE_311, tmp_path / "full", PROJECT, environ=ENV)
    assert "channel" not in full.unrecorded
    other = _read(tmp_path / "full" / "complaints.csv")
    assert package.drop(columns=["channel"]).equals(other.drop(columns=["channel"]))


def test_optional_column_absent_package_validates(tmp_path: Path) -> None:
    raw = _write(_raw311().drop(columns=["Open Data Channel Type"]), tmp_path / "no_channel.csv")
    import_export(raw, PROFILE_311, tmp_path / "out", PROJECT, environ=ENV)
    assert validate_package(tmp_path / "out", PROJECT.reference,
                            settings=PROJECT.settings.data).ok


def test_required_column_absent_is_still_an_error(tmp_path: Path) -> None:
    frame = _raw311().drop(columns=["Status"])
    raw = _write(frame, tmp_path / "no_status.csv")
    result = run_cli(["import", str(raw), "--profile", str(PROFILE_311), "--out",
                      str(tmp_path / "out")], env=ENV)
    assert_refused(result, (
        f"错误：{raw}：缺少档案 {PROFILE_311} 用到的列：Status。"
        f"文件中的列：{'、'.join(frame.columns)}。请检查导出是否完整，或修改档案中的列名"
        "（导出可能没有的列请列入档案的 optional_columns）。"))


def test_export_without_caller_identity(tmp_path: Path) -> None:
    """A public 311 export: no phone, no name. Every row is kept; complainant_key unrecorded."""
    raw311 = _raw311()
    raw = _write(raw311.drop(columns=["Contact Name", "Contact Phone"]), tmp_path / "public.csv")
    out = tmp_path / "out"
    result = run_cli(["import", str(raw), "--profile", str(PROFILE_311), "--out", str(out)],
                     env=ENV)
    assert result.exit_code == 0, result.output
    package = _read(out / "complaints.csv")
    assert len(package) == len(raw311) - 1 and (package["complainant_key"] == "").all()
    assert (package["source"] == "市民诉求").all()
    descriptor = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["resources"][0]["unrecordedFields"][0] == "complainant_key"
    assert ("  导出中没有记录的字段（留空，统计中显示为“未记录”）："
            "complainant_key（诉求人标识（化名））、contacted_at（首次联系时间）、revisit_valid（是否有效回访）、contacted（是否联系）、"
            "resolved（是否解决）、satisfaction（是否满意）。\n") in result.output


def test_optional_caller_columns_of_one_profile_for_two_layouts(tmp_path: Path) -> None:
    """The Beijing profile with its caller columns optional reads both export layouts."""
    text = PROFILE_BJ.read_text(encoding="utf-8").replace(
        "identifier_columns:", "optional_columns: [来电号码, 来电人姓名]\nidentifier_columns:", 1)
    profile = tmp_path / "profile.yml"
    profile.write_text(text, encoding="utf-8")
    full = import_export(RAW_BJ, profile, tmp_path / "full", PROJECT, environ=ENV)
    assert full.unrecorded == ()
    frame = pd.read_csv(RAW_BJ, encoding="gb18030", dtype=str, keep_default_na=False)
    raw = tmp_path / "anonymous.csv"
    frame.drop(columns=["来电号码", "来电人姓名"]).to_csv(raw, index=False, encoding="gb18030")
    anonymous = import_export(raw, profile, tmp_path / "anon", PROJECT, environ=ENV)
    assert anonymous.unrecorded == ("complainant_key",)
    assert anonymous.rows_written == full.rows_written
    a, b = _read(tmp_path / "full" / "complaints.csv"), _read(tmp_path / "anon" / "complaints.csv")
    assert a.drop(columns=["complainant_key"]).equals(b.drop(columns=["complainant_key"]))
    assert (b["complainant_key"] == "").all()


# --- profile problems -------------------------------------------------------------------------

def test_profile_problems_are_structured(tmp_path: Path) -> None:
    profile = _profile_311(tmp_path, "time_zone: America/New_York",
                           "time_zone: Mars/Olympus")
    text = profile.read_text(encoding="utf-8")
    text = text.replace("optional_columns: [Open Data Channel Type]",
                        "optional_columns: [Open Data Channel Type, Closed Date, Unique Key, "
                        "Nothing]")
    text = text.replace("  include: [DEP]\n", "  include: [DEP]\n  exclude: [NYPD]\n")
    profile.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_profile(profile, PROJECT)
    assert err.value.message == (
        "导入映射档案有误：\n"
        f"  - {profile}：time_zone：未知的时区“Mars/Olympus”。"
        "请填写 IANA 时区名，如 Asia/Shanghai\n"
        f"  - {profile}：scope：include 和 exclude 只能给出其一。"
        "只保留某些取值用 include，去掉某些取值用 exclude\n"
        f"  - {profile}：optional_columns：列“Unique Key”用于 pseudonyms.case_id_column，"
        "导入不能缺少它。请从 optional_columns 中删除该列\n"
        f"  - {profile}：optional_columns：列“Nothing”不是档案用到的列。"
        "请改正列名，或从 optional_columns 中删除该列\n"
        f"  - {profile}：optional_columns：字段 closed_at（办结时间）必须有记录"
        "（已发布的数字都需要它），它的来源列不能都标为可缺少。"
        "请从 optional_columns 中删除 Closed Date")
    problems = err.value.problems
    assert [p.key for p in problems] == ["time_zone", "scope", "optional_columns",
                                         "optional_columns", "optional_columns"]
    assert {p.file for p in problems} == {str(profile)}
    first = problems[0].as_dict()
    assert first == {"file": str(profile), "message": "未知的时区“Mars/Olympus”",
                     "fix": "请填写 IANA 时区名，如 Asia/Shanghai", "row": None, "field": None,
                     "key": "time_zone", "value": "Mars/Olympus", "code": "invalid"}
    assert err.value.as_dict()["problems"][3]["value"] == "Nothing"


def test_scope_needs_a_column_and_values(tmp_path: Path) -> None:
    profile = _profile_311(tmp_path, "scope:\n  column: Agency\n  include: [DEP]\n",
                           "scope:\n  include: [DEP]\n  unmapped_categories: ignore\n")
    with pytest.raises(ConfigError) as err:
        load_profile(profile, PROJECT)
    assert err.value.message == (
        "导入映射档案有误：\n"
        f"  - {profile}：scope.column：给出了 include/exclude，却没有写明按哪一列筛选。"
        "例如 `scope: {column: Agency, include: [DEP]}`\n"
        f"  - {profile}：scope.unmapped_categories：应为 out_of_scope 或 reject，"
        "现为文字 “ignore”。out_of_scope：没有类别映射的行算作未纳入；"
        "reject：算作错误写入 rejects.csv")
    assert [p.code for p in err.value.problems] == ["missing-key", "invalid"]

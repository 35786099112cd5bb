"""End-to-end import of raw exports (fixtures under tests/fixtures/raw/)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import json
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.dataset.validate import validate_package
from generator.errors import ConfigError
from generator.ingest.importer import import_export
from generator.ingest.profile import load_profile
from generator.paths import ProjectPaths

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "tests" / "fixtures" / "raw" / "beijing_12345_export.csv"
RAW_311 = ROOT / "tests" / "fixtures" / "raw" / "example_311.csv"
PROFILE = ROOT / "data" / "profiles" / "beijing-12345.yml"
PROFILE_311 = ROOT / "data" / "profiles" / "example-311.yml"
KEY = "5a" * 32
ENV = {"ECOPORTAL_PSEUDONYM_KEY": KEY}
PROJECT = ProjectPaths(ROOT)
UNRECORDED_311 = ("complainant_key", "contacted_at", "revisit_valid", "contacted", "resolved",
                  "satisfaction")
"""What the 311 export does not record: callers, first contact and the follow-up call."""
IDENTIFIER_COLUMNS = ("来电人姓名", "来电号码", "详细地址", "诉求内容")


def _case_id(raw_id: str, key: str = KEY, prefix: str = "BJ") -> str:
    msg = b"ecoportal/v1/case_id\x00" + raw_id.encode()
    return prefix + hmac.new(bytes.fromhex(key), msg, hashlib.sha256).hexdigest()[:12].upper()


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return pd.read_csv(RAW, encoding="gb18030", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pkg")
    import_export(RAW, PROFILE, out, PROJECT, environ=ENV)
    return out


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _expected_problems(raw: pd.DataFrame) -> tuple[set[int], set[int], set[int]]:
    """Row numbers (header = 1) of bad, unplaceable and out-of-scope rows, from the raw file
    alone. 占道经营 (street vending) has no environmental category: out of scope, no error."""
    received = pd.to_datetime(raw["来电时间"], format="mixed", errors="coerce")
    dispatched = pd.to_datetime(raw["派单时间"], format="mixed")
    out_of_scope = raw["三级分类"] == "占道经营"
    bad = (
        (raw["来电时间"] == "2024-02-30 10:00:00")
        | (raw["办理状态"] == "") | (raw["被反映区"] == "雄安新区") | (received > dispatched)
    ) & ~out_of_scope
    unplaceable = (raw["详细地址"].str.contains("某小区东侧空地")
                   | (raw["被反映街乡镇"] == "不存在街道")) & ~out_of_scope
    rows = pd.Series(range(2, len(raw) + 2))
    return set(rows[bad]), set(rows[unplaceable & ~bad]), set(rows[out_of_scope])


def test_import_writes_valid_package(imported: Path, raw: pd.DataFrame) -> None:
    assert validate_package(imported, PROJECT.reference, settings=PROJECT.settings.data).ok
    package = _read(imported / "complaints.csv")
    bad, unplaceable, out_of_scope = _expected_problems(raw)
    assert bad and unplaceable and out_of_scope
    assert len(package) == len(raw) - len(bad) - len(unplaceable) - len(out_of_scope)
    assert set(_read(imported / "rejects.csv")["行号"].astype(int)) == bad
    listed = _read(imported / "out_of_scope.csv")
    assert list(listed.columns) == ["行号", "原因"]
    assert set(listed["行号"].astype(int)) == out_of_scope
    assert set(listed["原因"]) == {
        "诉求类别“占道经营”没有对应的生态环境类别（value_maps.category 中没有这个值）"}
    unplaced = _read(imported / "unplaced.csv")
    assert set(unplaced["行号"].astype(int)) == unplaceable
    assert list(unplaced.columns) == ["行号", "工单编号（化名）", "被反映区", "原因"]
    assert not list(imported.glob("*.tmp")) and not list(imported.glob(".*"))
    text = (imported / "complaints.csv").read_text(encoding="utf-8")
    assert text == package.to_csv(index=False, lineterminator="\n")


def test_no_identifier_reaches_any_output(imported: Path, raw: pd.DataFrame) -> None:
    values: set[str] = set()
    for column in IDENTIFIER_COLUMNS:
        values |= {v for v in raw[column] if v}
    values |= {re.sub(r"\D", "", v) for v in raw["来电号码"] if "*" not in v and v}
    values |= set(raw["工单编号"])
    assert len(values) > 900
    files = list(imported.iterdir())
    assert {f.name for f in files} == {"complaints.csv", "datapackage.json", "rejects.csv",
                                       "unplaced.csv", "out_of_scope.csv"}
    for path in files:
        text = path.read_text(encoding="utf-8-sig")
        leaked = [v for v in values if v in text]
        assert not leaked, (path.name, leaked[:5])


def test_values_are_mapped(imported: Path, raw: pd.DataFrame) -> None:
    package = _read(imported / "complaints.csv").set_index("case_id")
    by_id = raw.assign(case_id=[_case_id(v) for v in raw["工单编号"]]).set_index("case_id")
    joined = package.join(by_id, how="inner")
    assert len(joined) == len(package)
    # district "朝阳" or "朝阳区" → 朝阳区
    assert (joined["district"] == joined["被反映区"].where(
        joined["被反映区"].str.endswith("区"), joined["被反映区"] + "区")).all()
    # times: "%Y/%m/%d %H:%M" and "%Y-%m-%d %H:%M:%S" both → ISO
    for raw_t, out_t in zip(joined["来电时间"], joined["received_at"], strict=True):
        fmt = "%Y/%m/%d %H:%M" if "/" in raw_t else "%Y-%m-%d %H:%M:%S"
        assert dt.datetime.strptime(raw_t, fmt).strftime("%Y-%m-%dT%H:%M:%S") == out_t
    expected_cat = {"施工噪声": "建筑施工噪声", "餐饮油烟扰民": "餐饮油烟", "污水直排": "污水排放",
                    "生活噪声": "社会生活噪声"}
    for raw_cat, cat in expected_cat.items():
        assert set(joined.loc[joined["三级分类"] == raw_cat, "category"]) == {cat}
    assert set(joined.loc[joined["受理渠道"] == "12345热线电话", "channel"]) == {"热线电话"}
    proactive = joined["来源"] == "主动治理"
    assert proactive.any() and (joined.loc[proactive, "complainant_key"] == "").all()
    assert (joined.loc[~proactive, "complainant_key"].str.match(r"^P[0-9a-f]{16}$")).all()
    # rows without a street column were placed from the street named in the address
    no_street = joined[joined["被反映街乡镇"] == ""]
    assert len(no_street) > 5
    for address, street in zip(no_street["详细地址"], no_street["street"], strict=True):
        stem = re.sub("(街道|地区|镇|乡)$", "", street)
        assert street in address or stem in address
    # a stem in the street column ("望京" for 望京街道) is matched within the district
    short = joined[(joined["被反映街乡镇"] != "") & (joined["被反映街乡镇"] != joined["street"])]
    assert len(short) > 0
    assert all(s.startswith(r) for r, s in zip(short["被反映街乡镇"], short["street"], strict=True))


def test_rejects_have_chinese_reasons(imported: Path) -> None:
    rejects = _read(imported / "rejects.csv")
    assert list(rejects.columns) == ["行号", "工单编号（化名）", "字段", "值", "原因"]
    reasons = " ".join(rejects["原因"])
    for phrase in ("无法按档案中的日期格式解析", "办理状态为空，这是必填项", "不是北京市的区",
                   "早于受理时间"):
        assert phrase in reasons
    assert "占道经营" not in set(rejects["值"])  # out of scope, never an error


def test_xlsx_import_matches_csv(tmp_path: Path, raw: pd.DataFrame, imported: Path) -> None:
    xlsx = tmp_path / "export.xlsx"
    raw.to_excel(xlsx, index=False, sheet_name="工单")
    out = tmp_path / "from_xlsx"
    result = import_export(xlsx, PROFILE, out, PROJECT, environ=ENV)
    assert "XLSX" in result.encoding
    assert validate_package(out, PROJECT.reference, settings=PROJECT.settings.data).ok
    assert (out / "complaints.csv").read_text() == (imported / "complaints.csv").read_text()


def test_pseudonyms_stable_per_key_and_differ_across_keys(tmp_path: Path,
                                                          imported: Path) -> None:
    same = tmp_path / "same"
    import_export(RAW, PROFILE, same, PROJECT, environ=ENV)
    assert (same / "complaints.csv").read_bytes() == (imported / "complaints.csv").read_bytes()
    other = tmp_path / "other"
    import_export(RAW, PROFILE, other, PROJECT,
                  environ={"ECOPORTAL_PSEUDONYM_KEY": "a5" * 32})
    a, b = _read(imported / "complaints.csv"), _read(other / "complaints.csv")
    for column in ("case_id", "location_key"):
        assert not set(a[column]) & set(b[column])
    assert not (set(a["complainant_key"]) - {""}) & (set(b["complainant_key"]) - {""})
    assert (a.drop(columns=["case_id", "location_key", "complainant_key"])
            .equals(b.drop(columns=["case_id", "location_key", "complainant_key"])))
    raw_ids = pd.read_csv(RAW, encoding="gb18030", dtype=str)["工单编号"]
    assert set(b["case_id"]) <= {_case_id(i, "a5" * 32) for i in raw_ids}


def test_cli_refuses_without_key(tmp_path: Path) -> None:
    runner = CliRunner(env={"ECOPORTAL_PSEUDONYM_KEY": "", "ECOPORTAL_KEY_FILE": ""})
    out = tmp_path / "out"
    result = runner.invoke(main, ["import", str(RAW), "--profile", str(PROFILE),
                                  "--out", str(out)])
    assert result.exit_code == 1
    assert result.output == (
        "错误：缺少化名密钥，无法生成化名，已停止导入。请先运行 "
        "`ecoportal keygen --out ~/.ecoportal/pseudonym.key` 生成密钥文件，"
        "再设置环境变量 ECOPORTAL_KEY_FILE=~/.ecoportal/pseudonym.key"
        "（或用 --key-file 指定该文件）。"
        "密钥必须保存在仓库之外，并且每次导入都要用同一个密钥，化名才能前后一致。\n"
    )
    assert not out.exists()


def test_cli_import_summary(tmp_path: Path, raw: pd.DataFrame) -> None:
    key_file = tmp_path / "p.key"
    key_file.write_text(KEY)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["import", str(RAW), "--profile", str(PROFILE),
                                       "--out", str(out), "--key-file", str(key_file)])
    assert result.exit_code == 0, result.output
    bad, unplaceable, out_of_scope = _expected_problems(raw)
    written = len(raw) - len(bad) - len(unplaceable) - len(out_of_scope)
    assert "编码：GB18030" in result.output
    assert (f"  读取 {len(raw)} 行，写出 {written} 行，拒收 {len(bad)} 行，"
            f"无法定位街乡镇 {len(unplaceable)} 行。\n"
            f"  不属于生态环境诉求（未纳入）{len(out_of_scope)} 行，不算错误。\n"
            f"  数据包：") in result.output
    for name in ("complaints.csv", "datapackage.json", "rejects.csv", "unplaced.csv",
                 "out_of_scope.csv"):
        assert str(out / name) in result.output
    assert "没有记录的字段" not in result.output  # the Beijing export records every field
    descriptor = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert "unrecordedFields" not in descriptor["resources"][0]


def test_311_profile_end_to_end(tmp_path: Path) -> None:
    raw311 = pd.read_csv(RAW_311, dtype=str, keep_default_na=False)
    out = tmp_path / "nyc"
    result = import_export(RAW_311, PROFILE_311, out, PROJECT, environ=ENV)
    # No caller identity: complainant_key unrecorded; Illegal Parking is out of scope.
    assert (result.rows_rejected, result.rows_unplaced, result.rows_out_of_scope) == (0, 0, 1)
    assert result.unrecorded == UNRECORDED_311
    descriptor = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["resources"][0]["unrecordedFields"] == list(UNRECORDED_311)
    assert _read(out / "rejects.csv").empty
    parking = int(raw311.index[raw311["Complaint Type"] == "Illegal Parking"][0]) + 2
    assert _read(out / "out_of_scope.csv").to_dict("list") == {
        "行号": [str(parking)],
        "原因": ["诉求类别“Blocked”没有对应的生态环境类别（value_maps.category 中没有这个值）"]}
    package = _read(out / "complaints.csv")
    assert len(package) == len(raw311) - 1
    for name in UNRECORDED_311:
        assert (package[name] == "").all(), name
    ids = {_case_id(k, prefix="NY"): k for k in raw311["Unique Key"]}
    ny, bj = ZoneInfo("America/New_York"), ZoneInfo("Asia/Shanghai")
    boroughs = {"MANHATTAN": "东城区", "BROOKLYN": "朝阳区", "QUEENS": "海淀区", "BRONX": "丰台区",
                "STATEN ISLAND": "西城区"}
    by_key = raw311.set_index("Unique Key")
    for _, row in package.iterrows():
        src = by_key.loc[ids[row["case_id"]]]
        assert row["district"] == boroughs[src["Borough"]]
        local = dt.datetime.strptime(src["Created Date"], "%m/%d/%Y %I:%M:%S %p")
        if src["Created Date"].startswith("03/10/2024 02:"):
            continue  # does not exist in New York (spring forward): shifted, checked below
        expected = local.replace(tzinfo=ny).astimezone(bj).strftime("%Y-%m-%dT%H:%M:%S")
        assert row["received_at"] == expected
        assert row["status"] == ("已办结" if src["Status"] == "Closed" else "办理中")
    gap = package[package["case_id"] == _case_id(raw311["Unique Key"][0], prefix="NY")]
    assert gap["received_at"].tolist() == ["2024-03-10T15:00:00"]  # 03:00 EDT = 07:00 UTC
    text = " ".join(p.read_text(encoding="utf-8-sig") for p in out.iterdir())
    for column in ("Contact Name", "Contact Phone", "Incident Address"):
        assert not [v for v in raw311[column] if v in text]


def test_311_package_validates(tmp_path: Path) -> None:
    out = tmp_path / "nyc"
    import_export(RAW_311, PROFILE_311, out, PROJECT, environ=ENV)
    assert validate_package(out, PROJECT.reference, settings=PROJECT.settings.data).ok


def _profile_variant(tmp_path: Path, old: str, new: str) -> Path:
    text = PROFILE.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new)
    path = tmp_path / "bad.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_profile_unknown_field(tmp_path: Path) -> None:
    bad = _profile_variant(tmp_path, "  source: {column: 来源, values: source}",
                           "  source: {column: 来源, values: source}\n  sauce: {column: 来源}")
    with pytest.raises(ConfigError) as err:
        load_profile(bad, PROJECT)
    message = err.value.message
    assert str(bad) in message
    assert "columns.sauce：未知的字段名“sauce”，数据契约中没有这个字段" in message
    assert "请改为数据契约中的字段名" in message


def test_profile_missing_required_mapping(tmp_path: Path) -> None:
    bad = _profile_variant(tmp_path, "  status: {column: 办理状态, values: status}\n", "")
    with pytest.raises(ConfigError) as err:
        load_profile(bad, PROJECT)
    message = err.value.message
    assert f"{bad}：columns.status：缺少必需字段 status（办理状态）的映射。" in message
    assert "请在 columns 下添加 `status: {column: 原始列名}`" in message


def test_profile_may_not_publish_identifiers(tmp_path: Path) -> None:
    bad = _profile_variant(tmp_path, "  status: {column: 办理状态, values: status}",
                           "  status: {column: 诉求内容}")
    with pytest.raises(ConfigError, match="列“诉求内容”是直接标识符，不能写入数据包"):
        load_profile(bad, PROJECT)


def test_fixture_is_gb18030_with_realistic_identifiers(raw: pd.DataFrame) -> None:
    data = RAW.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert 250 <= len(raw) <= 400
    assert raw["详细地址"].str.contains("号院").mean() > 0.9
    assert raw["详细地址"].str.contains("单元.*室").mean() > 0.9
    citizen = raw[raw["来源"] == "市民诉求"]
    assert citizen["来电号码"].str.replace(r"\D", "", regex=True).str.contains(
        r"1[3-9]\d{9}$").mean() > 0.9
    assert all(n in t for n, t in zip(citizen["来电人姓名"], citizen["诉求内容"], strict=True))
    with RAW.open(encoding="gb18030", newline="") as fh:
        assert next(csv.reader(fh))[:3] == ["工单编号", "来电时间", "派单时间"]


def test_reject_values_are_safe() -> None:
    from generator.ingest.output import safe_value

    assert safe_value("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert safe_value("联系13812345678") == "联系（已隐去）"
    assert safe_value("2024-02-30 10:00:00") == "2024-02-30 10:00:00"
    assert len(safe_value("x" * 100)) == 41


def test_reader_handles_bom_quotes_and_refuses_ragged_rows(tmp_path: Path) -> None:
    from generator.errors import DataError
    from generator.ingest.readers import read_raw

    good = tmp_path / "bom.csv"
    good.write_bytes("\ufeff工单编号,诉求内容\nA1,\"第一行\n第二行，含逗号,\"\nA2,\n".encode())
    table = read_raw(good)
    assert table.encoding.startswith("UTF-8") and "BOM" in table.encoding
    assert table.frame.to_dict("list") == {"工单编号": ["A1", "A2"],
                                           "诉求内容": ["第一行\n第二行，含逗号,", ""]}
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("a,b\n1,2,3\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        read_raw(ragged)
    assert err.value.message == (f"{ragged}：第 2 行有 3 个单元格，表头有 2 列。"
                                 "请检查这些行的引号和分隔符（逗号），或从源系统重新导出。")


@pytest.mark.slow
def test_site_built_from_the_import_holds_no_raw_identifier(
        imported: Path, raw: pd.DataFrame, tmp_path: Path) -> None:
    from generator.pipeline import build_site

    site = tmp_path / "site"
    build_site(ROOT, package=imported, site_dir=site, echo=lambda _: None,
               today=dt.date(2026, 11, 28))
    values: set[str] = set()
    for column in IDENTIFIER_COLUMNS:
        # Two-character names collide with ordinary words in the guides (段平 in
        # “出口段平直管段”), so only longer names are searched for on the site.
        values |= {v for v in raw[column] if len(v) >= (3 if column == "来电人姓名" else 2)}
    values |= {re.sub(r"\D", "", v) for v in raw["来电号码"] if "*" not in v and v}
    values |= set(raw["工单编号"])
    published = [p for p in site.rglob("*") if p.is_file()
                 and p.suffix in {".html", ".csv", ".json", ".js", ".xml", ".txt"}]
    assert any(p.name == "kpis.csv" for p in published)
    for path in published:
        text = path.read_text(encoding="utf-8", errors="replace")
        leaked = [v for v in values if v in text]
        assert not leaked, (path.relative_to(site).as_posix(), leaked[:5])

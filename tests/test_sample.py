"""The synthetic sample: determinism, the data contract, cross-field rules and realistic mixes.

Expected values are recomputed here from the reference files and the CSV text, independently
of the generator's code.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
from pathlib import Path

import frictionless
import pandas as pd
import pyarrow as pa
import pytest
import yaml
from click.testing import CliRunner

from generator.cli import main
from generator.dataset.schema import FIELD_NAMES, descriptor_bytes
from generator.errors import DataError
from generator.reference import load_reference
from generator.sample import Rows, write_sample
from generator.settings import DataSettings

ROOT = Path(__file__).resolve().parents[1]
END = dt.date(2026, 10, 1)
PERIOD_START = pd.Timestamp("2024-11-01")
PERIOD_END = pd.Timestamp("2026-11-01")  # exclusive
TIMES = ("received_at", "dispatched_at", "contacted_at", "closed_at")
FOLLOW_UP = ("revisit_valid", "contacted", "resolved", "satisfaction")
DEADLINE_HOURS = {"紧急": 2, "民生保障": 24, "一般": 168, "疑难": 360}


def read(folder: Path) -> pd.DataFrame:
    df = pd.read_csv(folder / "complaints.csv", dtype=str, keep_default_na=False)
    for col in TIMES:
        df[col] = pd.to_datetime(df[col].replace("", None), format="%Y-%m-%dT%H:%M:%S")
    return df


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("small") / "pkg"
    write_sample(out, end_month=END, months=24, records=3000, seed=7)
    return out


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """The default sample (24 months, ~3,000–5,000 a month), as the bundled one."""
    out = tmp_path_factory.mktemp("full") / "pkg"
    summary = write_sample(out, end_month=END, months=24, records=None, seed=20240101)
    df = read(out)
    assert summary == (
        f"已生成样例数据包 {out.as_posix()}：{len(df):,} 条记录，2024-11 至 2026-10，"
        "随机种子 20240101。"
    )
    return df


def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    for name, seed in (("a", 11), ("b", 11), ("c", 12)):
        write_sample(tmp_path / name, end_month=END, months=6, records=1500, seed=seed)
    a = (tmp_path / "a" / "complaints.csv").read_bytes()
    assert a == (tmp_path / "b" / "complaints.csv").read_bytes()
    assert a != (tmp_path / "c" / "complaints.csv").read_bytes()


def test_files_follow_the_contract_format(small: Path) -> None:
    raw = (small / "complaints.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert b"\r" not in raw
    assert raw.decode("utf-8").split("\n", 1)[0] == ",".join(FIELD_NAMES)
    reference = load_reference((ROOT / "data" / "reference").resolve())
    assert (small / "datapackage.json").read_bytes() == descriptor_bytes(reference, DataSettings())
    assert sorted(p.name for p in small.iterdir()) == ["complaints.csv", "datapackage.json"]


def test_frictionless_finds_the_package_valid(small: Path) -> None:
    report = frictionless.validate(str(small / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_records_gives_exactly_n_rows_over_all_months(small: Path, tmp_path: Path) -> None:
    df = read(small)
    assert len(df) == 3000
    months = set(df["received_at"].dt.to_period("M").astype(str))
    assert months == {str(p) for p in pd.period_range("2024-11", "2026-10", freq="M")}
    write_sample(tmp_path, end_month=dt.date(2025, 2, 1), months=3, records=1234, seed=1)
    other = read(tmp_path)
    assert len(other) == 1234
    assert set(other["received_at"].dt.to_period("M").astype(str)) == {
        "2024-12", "2025-01", "2025-02"}


def test_cross_field_rules_hold(full: pd.DataFrame) -> None:
    df = full
    with (ROOT / "data/reference/streets.csv").open(encoding="utf-8") as fh:
        streets = {r["street_code"]: r for r in csv.DictReader(fh)}
    with (ROOT / "data/reference/districts.csv").open(encoding="utf-8") as fh:
        districts = {r["district_code"]: r["district"] for r in csv.DictReader(fh)}
    taxonomy = yaml.safe_load((ROOT / "data/reference/taxonomy.yml").read_text("utf-8"))
    element_of = {c["name"]: e["name"] for e in taxonomy["elements"] for c in e["categories"]}

    assert df["case_id"].is_unique
    assert df["case_id"].str.fullmatch(r"[A-Z]{2}[0-9A-F]{12}").all()
    # timestamps in order where both are present
    for early, late in itertools.pairwise(TIMES):
        both = df[early].notna() & df[late].notna()
        assert (df.loc[both, early] <= df.loc[both, late]).all(), (early, late)
    assert df["dispatched_at"].notna().all()
    closed = df["status"] == "已办结"
    assert (df["closed_at"].notna() == closed).all()
    # places
    assert df["street_code"].isin(streets).all()
    district_of = {code: row["district_code"] for code, row in streets.items()}
    assert (df["street_code"].map(district_of) == df["district_code"]).all()
    assert (df["street_code"].map(lambda c: streets[c]["street"]) == df["street"]).all()
    assert (df["district_code"].map(districts) == df["district"]).all()
    assert (df["category"].map(element_of) == df["element"]).all()
    # follow-up
    citizen = df["source"] == "市民诉求"
    has_fu = df["revisit_valid"] != ""
    assert not (has_fu & ~closed).any()
    assert (has_fu == (closed & citizen)).all()
    valid = df["revisit_valid"] == "是"
    for col in ("contacted", "resolved", "satisfaction"):
        assert ((df[col] != "") == valid).all(), col
    assert ((df["complainant_key"] == "") == ~citizen).all()
    assert (df.loc[~citizen, "channel"] == "其他").all()
    assert (df.loc[citizen, "channel"] != "其他").all()
    assert ((df["handling_level"] != "街乡") == (df["escalated"] == "是")).all()


def test_period_bounds_and_open_cases(full: pd.DataFrame) -> None:
    df = full
    assert df["received_at"].min() >= PERIOD_START
    for col in TIMES:
        assert df[col].max() < PERIOD_END, col
    open_cases = df[df["status"] == "办理中"]
    assert 0 < len(open_cases) < 0.02 * len(df)
    assert open_cases["received_at"].min() >= PERIOD_END - pd.Timedelta(days=17)
    dispatch = (df["dispatched_at"] - df["received_at"]).dt.total_seconds()
    cut = df["received_at"] < PERIOD_END - pd.Timedelta(hours=4)
    assert dispatch[cut].between(300, 4 * 3600).all()


def test_monthly_volume_trend_and_seasonality(full: pd.DataFrame) -> None:
    per_month = full["received_at"].dt.to_period("M").value_counts()
    assert per_month.between(2500, 5500).all()
    assert 3000 <= per_month.mean() <= 5000
    assert per_month[pd.Period("2026-07")] > per_month[pd.Period("2025-07")]
    noise = full[full["category"] == "社会生活噪声"]["received_at"]
    by_cal = noise.dt.month.value_counts()
    assert by_cal[[6, 7, 8]].sum() > 1.5 * by_cal[[12, 1, 2]].sum()
    night = noise.dt.hour.isin([22, 23, 0, 1, 2, 3, 4, 5])
    assert night.mean() > 0.3
    fumes = full[full["category"] == "餐饮油烟"]["received_at"].dt.hour
    assert fumes.isin([11, 12, 13, 17, 18, 19, 20]).mean() > 0.5
    dust = full[full["category"] == "扬尘"]["received_at"].dt.month.value_counts()
    assert dust[[3, 4, 5]].sum() > 2 * dust[[12, 1, 2]].sum()


def test_element_category_channel_and_source_mix(full: pd.DataFrame) -> None:
    shares = full["element"].value_counts(normalize=True) * 100
    expected = {"大气": 49.5, "噪声": 39.0, "水": 2.4, "固废": 0.8, "辐射及其他": 8.3}
    for element, share in expected.items():
        assert abs(shares[element] - share) < max(1.5, share * 0.1), element
    air = full[full["element"] == "大气"]["category"].value_counts()
    assert set(air.index[:2]) == {"餐饮油烟", "扬尘"}
    noise = full[full["element"] == "噪声"]["category"].value_counts()
    assert noise.index[0] == "社会生活噪声"
    proactive = (full["source"] == "主动治理").mean()
    assert 0.03 <= proactive <= 0.07
    channels = full.loc[full["source"] == "市民诉求", "channel"].value_counts(normalize=True)
    assert channels.index[:3].tolist() == ["热线电话", "网络", "微信"]
    assert channels[["来信", "来访"]].sum() < 0.05
    urgency = full["urgency"].value_counts(normalize=True)
    assert urgency.index[0] == "一般" and urgency["一般"] > 0.8


def test_districts_follow_population(full: pd.DataFrame) -> None:
    with (ROOT / "data/reference/districts.csv").open(encoding="utf-8") as fh:
        pop = {r["district"]: int(r["population_k"]) for r in csv.DictReader(fh)}
    share = full["district"].value_counts(normalize=True)
    pop_share = pd.Series(pop) / sum(pop.values())
    ratio = share / pop_share
    assert ratio.between(0.6, 1.6).all(), ratio.to_dict()
    assert share.idxmax() == "朝阳区"


def test_repeat_places_and_complainants(full: pd.DataFrame) -> None:
    counts = full["location_key"].value_counts()
    repeated = counts[counts >= 2]
    assert 100 <= len(repeated) <= 1000
    assert repeated.max() >= 20
    assert (counts == 1).mean() > 0.95
    # a repeat place stays in one street and one category
    rep = full[full["location_key"].isin(repeated.index)]
    assert (rep.groupby("location_key")[["street_code", "category"]].nunique() == 1).all().all()
    people = full.loc[full["complainant_key"] != "", "complainant_key"].value_counts()
    assert (people >= 2).sum() > 100


def test_deadlines_escalation_and_follow_up_rates(full: pd.DataFrame) -> None:
    closed = full[full["status"] == "已办结"]
    hours = (closed["closed_at"] - closed["received_at"]).dt.total_seconds() / 3600
    late = hours > closed["urgency"].map(DEADLINE_HOURS)
    ordinary = closed["urgency"] == "一般"
    assert 0.005 <= late[ordinary].mean() <= 0.03
    assert late[closed["urgency"] == "疑难"].mean() > late[ordinary].mean()
    assert hours[ordinary].median() < 7 * 24
    escalated = full["escalated"] == "是"
    assert 0.01 <= escalated.mean() <= 0.08

    citizen_closed = closed[closed["source"] == "市民诉求"]
    valid = citizen_closed[citizen_closed["revisit_valid"] == "是"]
    assert 0.85 <= len(valid) / len(citizen_closed) <= 0.92

    def rates(g: pd.DataFrame) -> pd.Series:
        sat = g["satisfaction"]
        return pd.Series({
            "responded": (g["contacted"] == "是").mean(),
            "resolved": (g["resolved"] == "是").mean(),
            "satisfied": ((sat == "满意").sum() + 0.9 * (sat == "基本满意").sum()) / len(g),
        })

    overall = rates(valid)
    assert overall["responded"] >= 0.995
    assert 0.99 <= overall["resolved"] <= 0.998
    assert 0.985 <= overall["satisfied"] <= 0.995
    by_district = valid.groupby("district").apply(rates)
    weakest = float(by_district["satisfied"].min())
    assert 0.95 < weakest < float(overall["satisfied"]) - 0.004
    by_escalation = valid.groupby("escalated").apply(rates)
    by_escalation_sat = by_escalation["satisfied"].astype(float).to_dict()
    assert by_escalation_sat["是"] < by_escalation_sat["否"]


def test_out_being_a_file_fails_cleanly(tmp_path: Path) -> None:
    out = tmp_path / "pkg"
    out.write_text("not a folder", encoding="utf-8")
    with pytest.raises(DataError, match="不是文件夹"):
        write_sample(out, end_month=END, months=2, records=50, seed=1)
    assert out.read_text(encoding="utf-8") == "not a folder"
    assert [p.name for p in tmp_path.iterdir()] == ["pkg"]


def test_interrupted_write_keeps_the_previous_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_sample(tmp_path, end_month=END, months=2, records=100, seed=1)
    before = (tmp_path / "complaints.csv").read_bytes()
    real_table = Rows.table
    calls: list[int] = []

    def failing_table(self: Rows, start: int, stop: int) -> pa.Table:
        calls.append(start)
        if len(calls) > 1:  # the first chunk is already written to the temporary file
            raise OSError("disk full")
        return real_table(self, start, stop)

    monkeypatch.setattr("generator.sample.CHUNK_ROWS", 50)
    monkeypatch.setattr(Rows, "table", failing_table)
    with pytest.raises(DataError, match="disk full"):
        write_sample(tmp_path, end_month=END, months=2, records=200, seed=2)
    assert calls == [0, 50]
    assert (tmp_path / "complaints.csv").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["complaints.csv", "datapackage.json"]


def test_chunked_writing_matches_one_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_sample(tmp_path / "one", end_month=END, months=3, records=700, seed=3)
    monkeypatch.setattr("generator.sample.CHUNK_ROWS", 64)
    write_sample(tmp_path / "chunks", end_month=END, months=3, records=700, seed=3)
    one = (tmp_path / "one" / "complaints.csv").read_bytes()
    assert one == (tmp_path / "chunks" / "complaints.csv").read_bytes()
    assert one.count(b"\n") == 701


def test_cli_sample_command(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["sample", "--out", str(tmp_path / "p"), "--end", "2025-03",
                                       "--months", "2", "--records", "400", "--seed", "5"])
    assert result.exit_code == 0, result.output
    assert "400 条记录，2025-02 至 2025-03，随机种子 5" in result.output
    assert len(read(tmp_path / "p")) == 400


def test_sample_for_another_city_validates(tmp_path: Path) -> None:
    """A city whose reference lacks a population still gets a valid sample package."""
    import shutil

    from generator.dataset.validate import validate_package
    from generator.paths import ProjectPaths

    project = tmp_path / "city"
    shutil.copytree(Path(__file__).parent / "fixtures" / "city2", project)
    paths = ProjectPaths(project)
    assert any(d.population_k is None for d in load_reference(paths.reference).districts)
    out = tmp_path / "pkg"
    write_sample(out, end_month=dt.date(2026, 10, 1), months=3, records=500, seed=3,
                 root=project)
    report = validate_package(out, paths.reference, today=dt.date(2026, 11, 28),
                              settings=paths.settings.data)
    assert report.ok, report.issues[:3]
    assert set(report.frame["district"].astype(str)) <= {
        d.name for d in load_reference(paths.reference).districts}

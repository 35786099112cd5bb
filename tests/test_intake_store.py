"""The SQLite store and the staff CSV: references, permissions, erasure, formula injection,
the CSV valid by frictionless against the schema generated from the definition."""

from __future__ import annotations

import csv
import datetime as dt
import io
import stat
from pathlib import Path

import pytest

from generator.errors import DataError
from generator.intake.export import CsvRefresher, csv_bytes, export_csv, guard_cell, validate_csv
from generator.intake.store import CSV_NAME, DB_NAME, Store
from tests.test_intake_support import ZONE, service, shifted

SERVICE = service()
NOON = dt.datetime(2026, 12, 1, 12, 0, tzinfo=ZONE)


def add(store: Store, when: dt.datetime = NOON, **values: object) -> str:
    data = shifted(when.date())
    data.pop("website")
    data.update(values)
    return store.add(data, form_version=1, privacy_version="2026-12", warnings="",
                     now=when).reference


def test_references_count_per_day_in_the_city_zone(tmp_path: Path) -> None:
    with Store(tmp_path / "s", ZONE) as store:
        assert add(store) == "YQ-20261201-0001"
        assert add(store) == "YQ-20261201-0002"
        # 23:30 UTC on 1 December is already 2 December in Beijing.
        late = dt.datetime(2026, 12, 1, 23, 30, tzinfo=dt.UTC)
        assert add(store, late) == "YQ-20261202-0001"
        # A deleted request's number is never given again.
        store.delete(["YQ-20261201-0002"], "测试", NOON)
        assert add(store) == "YQ-20261201-0003"
        record = store.get("YQ-20261202-0001")
        assert record is not None and record.received_at.isoformat() == \
            "2026-12-02T07:30:00+08:00"


def test_the_store_is_owner_only(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    with Store(folder, ZONE) as store:
        add(store)
        export_csv(store, SERVICE.versions, folder / CSV_NAME)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    with pytest.raises(DataError) as caught:
        Store(tmp_path / "none", ZONE, create=False)
    assert caught.value.message == (
        f"找不到受理数据库 {tmp_path / 'none' / DB_NAME}。请用 --store 指定 "
        "`ecoportal intake serve` 使用的文件夹。")


def test_deleted_data_leaves_no_trace_in_the_files(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    with Store(folder, ZONE) as store:
        keep = add(store, company="留下的公司")
        gone = add(store, company="要删除的独特公司名称")
        assert store.delete([gone, "YQ-20990101-0001"], "本人申请删除", NOON) == 1
        rows = store.connection().execute("SELECT * FROM erasures").fetchall()
        assert rows == [(gone, "2026-12-01T12:00:00+08:00", "本人申请删除")]
        assert store.get(keep) is not None and store.get(gone) is None
    secret = "要删除的独特公司名称".encode()
    for path in folder.iterdir():
        assert secret not in path.read_bytes(), path.name


def test_status_marks_record_times(tmp_path: Path) -> None:
    with Store(tmp_path / "s", ZONE) as store:
        ref = add(store)
        later = NOON + dt.timedelta(days=1)
        record = store.set_status(ref, "已联系", later)
        assert record is not None and record.status == "已联系"
        assert record.contacted_at == later
        closed = store.set_status(ref, "已办结", later + dt.timedelta(days=3))
        assert closed is not None and closed.contacted_at == later
        assert closed.closed_at == later + dt.timedelta(days=3)


@pytest.mark.parametrize(("text", "safe"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+1", "'+1"), ("-1+2", "'-1+2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("  =1+1", "'  =1+1"), ("\u00a0=1", "'\u00a0=1"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("\tplain", "'\tplain"), ("第一行\n=cmd|' /C calc'!A0", "第一行\n'=cmd|' /C calc'!A0"),
    ("a\x00b", "ab"), ("正常的文字 = 没问题", "正常的文字 = 没问题"), ("", ""),
])
def test_cells_that_would_start_a_formula_are_defused(text: str, safe: str) -> None:
    assert guard_cell(text) == safe


def test_the_csv_opens_in_excel_and_is_valid_against_the_schema(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    with Store(folder, ZONE) as store:
        add(store)
        add(store, company="=HYPERLINK(\"http://evil\",\"点我\")", question="第一行\n@SUM(1)",
            contact_name="-王", email="=1+1@example.com", equipment=[], stoves=None,
            uscc=None)
        ref = add(store, business_type="KTV/娱乐", stoves=None, stalls=None, flue=None)
        store.set_status(ref, "已办结", NOON + dt.timedelta(days=2))
        out = folder / CSV_NAME
        assert export_csv(store, SERVICE.versions, out) == 3
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[1]["company"] == "'=HYPERLINK(\"http://evil\",\"点我\")"
    assert rows[1]["question"] == "第一行\n'@SUM(1)"
    assert rows[1]["contact_name"] == "'-王" and rows[1]["email"] == "'=1+1@example.com"
    assert rows[0]["equipment"] == "油烟净化器、空调外机、冷却塔" and rows[0]["consent"] == "是"
    assert rows[2]["status"] == "已办结" and rows[2]["stoves"] == ""
    assert validate_csv(out, SERVICE.versions) == []


def test_a_broken_csv_is_reported_by_row_and_field(tmp_path: Path) -> None:
    with Store(tmp_path / "s", ZONE) as store:
        add(store)
        text = csv_bytes(list(store.records()), SERVICE.versions).decode("utf-8-sig")
    path = tmp_path / "broken.csv"
    path.write_text(text.replace(",美食城,8,", ",美食城,八,"), encoding="utf-8-sig")
    problems = validate_csv(path, SERVICE.versions)
    assert [(p.row, p.field, p.code) for p in problems] == [(2, "stoves", "type-error")]


def test_the_refresher_writes_at_start_and_after_a_request(tmp_path: Path) -> None:
    with Store(tmp_path / "s", ZONE) as store:
        refresher = CsvRefresher(store, SERVICE.versions)
        refresher.start()
        assert refresher.written.wait(10)
        assert refresher.path.read_text(encoding="utf-8-sig").count("\n") == 1  # header only
        refresher.written.clear()
        add(store)
        refresher.request()
        assert refresher.written.wait(10)
        assert refresher.path.read_text(encoding="utf-8-sig").count("YQ-") == 1
        # A change made by another connection (a staff command) is noticed without a request.
        refresher.written.clear()
        other = Store(tmp_path / "s", ZONE)
        add(other)
        other.close()
        assert refresher.written.wait(10)
        refresher.stop()
        assert refresher.path.read_text(encoding="utf-8-sig").count("YQ-") == 2

"""Release records (generator/stats/release_record.py) and what the build learns from them
(generator/stats/history.py): round trip, no-op rebuilds, untouched earlier releases,
refused hand edits, constants and frozen hiding, revisions, provisional months."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from generator.errors import ConfigError
from generator.stats.history import (
    ReleaseHistory,
    provisional_months,
    read_history,
    record_release,
    revisions,
    write_record,
)
from generator.stats.marks import HIDDEN, NOT_APPLICABLE

KEYS = ["month", "district", "category"]
RESTORE = "发布记录由程序写入，不能手工修改：请用 git restore 恢复该文件（或从备份恢复）。"


def counts(rows: list[tuple[str, str, str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=[*KEYS, "count"])
    frame["count"] = frame["count"].astype(object)
    for column in KEYS:
        frame[column] = frame[column].astype("string")
    return frame


def tables_0909() -> dict[str, pd.DataFrame]:
    """A release with data to 2026-09 (2026-09 provisional), one whole-period table."""
    return {
        "counts_by_month": counts([
            ("2026-08", "东城区", "噪声", HIDDEN),
            ("2026-08", "东城区", "油烟", 7),
            ("2026-08", "西城区", "噪声", 12),
            ("2026-09", "东城区", "油烟", 10),
        ]),
        "by_element": pd.DataFrame({"element": pd.Series(["噪声"], dtype="string"),
                                    "count": pd.Series([19], dtype=object)}),
        "monthly": pd.DataFrame({"month": pd.Series(["2026-08", "all"], dtype="string"),
                                 "rate": pd.Series([0.5, NOT_APPLICABLE], dtype=object)}),
    }


def test_record_keeps_calendar_rows_with_csv_tokens() -> None:
    record = record_release(tables_0909(), ["2026-09"], "2026-09")
    assert set(record.tables) == {"counts_by_month", "monthly"}  # by_element: no period
    rows = record.tables["counts_by_month"].rows
    assert rows[("2026-08", "东城区", "噪声")] == ("suppressed",)
    assert rows[("2026-08", "东城区", "油烟")] == ("7",)
    assert rows[("2026-09", "东城区", "油烟")] == ("10",)
    assert dict(record.tables["monthly"].rows) == {("2026-08",): ("0.5",)}  # 'all' dropped
    assert record.is_final("2026-08") and not record.is_final("2026-09")


def test_round_trip_and_exact_file(tmp_path: Path) -> None:
    record = record_release({"counts_by_month": tables_0909()["counts_by_month"]},
                            ["2026-09"], "2026-09")
    written = write_record(tmp_path, record)
    assert written.outcome == "created" and written.path == tmp_path / "2026-09.jsonl"
    lines = written.path.read_text("utf-8").splitlines()
    assert lines[0].startswith('{"checksum":"')
    assert lines[0].endswith(',"format":"ecoportal-release-record/1",'
                             '"provisional_months":["2026-09"],"release":"2026-09",'
                             '"tables":{"counts_by_month":{"keys":["month","district",'
                             '"category"],"measures":["count"],"period":"month"}}}')
    assert lines[1:] == ['["counts_by_month","2026-08","东城区","噪声","suppressed"]',
                         '["counts_by_month","2026-08","东城区","油烟","7"]',
                         '["counts_by_month","2026-08","西城区","噪声","12"]',
                         '["counts_by_month","2026-09","东城区","油烟","10"]']
    history = read_history(tmp_path, before="2026-10")
    assert history.records == (record,)
    assert read_history(tmp_path, before="2026-09").records == ()  # only earlier releases
    assert read_history(tmp_path / "none", before="2026-10").records == ()


def test_same_release_same_data_is_a_no_op(tmp_path: Path) -> None:
    record = record_release(tables_0909(), ["2026-09"], "2026-09")
    path = write_record(tmp_path, record).path
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    before = path.read_bytes()
    again = write_record(tmp_path, record_release(tables_0909(), ["2026-09"], "2026-09"))
    assert again.outcome == "unchanged"
    assert path.read_bytes() == before and path.stat().st_mtime_ns == 1_000_000_000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-09.jsonl"]  # no temp left


def test_changed_data_replaces_own_record_never_an_earlier_one(tmp_path: Path) -> None:
    earlier = write_record(tmp_path, record_release(tables_0909(), ["2026-09"], "2026-09"))
    os.utime(earlier.path, ns=(1_000_000_000, 1_000_000_000))
    kept = earlier.path.read_bytes()
    current = tables_0909()
    current["counts_by_month"] = counts([("2026-09", "东城区", "油烟", 11),
                                         ("2026-10", "东城区", "油烟", 5)])
    first = write_record(tmp_path, record_release(current, ["2026-10"], "2026-10"))
    current["counts_by_month"].loc[1, "count"] = 6  # rebuilt with corrected data
    second = write_record(tmp_path, record_release(current, ["2026-10"], "2026-10"))
    assert (first.outcome, second.outcome) == ("created", "replaced")
    assert read_history(tmp_path, "2026-11").records[-1].tables[
        "counts_by_month"].rows[("2026-10", "东城区", "油烟")] == ("6",)
    assert earlier.path.read_bytes() == kept
    assert earlier.path.stat().st_mtime_ns == 1_000_000_000
    changed = tables_0909()
    changed["counts_by_month"].loc[2, "count"] = 13
    with pytest.raises(ConfigError) as caught:
        write_record(tmp_path, record_release(changed, ["2026-09"], "2026-09"))
    assert caught.value.message == (
        f"发布记录文件夹 {tmp_path} 中已有更晚的发布记录 2026-10.jsonl，本次发布（数据截至 "
        "2026-09）不能写入或改写更早的发布记录。修正方法：请用最新的数据包构建；"
        "已发布的历史记录不能改写。")
    assert earlier.path.read_bytes() == kept


def test_hand_edited_record_is_refused(tmp_path: Path) -> None:
    path = write_record(tmp_path, record_release(tables_0909(), ["2026-09"], "2026-09")).path
    path.write_text(path.read_text("utf-8").replace('"油烟","7"', '"油烟","8"'), "utf-8")
    with pytest.raises(ConfigError) as caught:
        write_record(tmp_path, record_release(tables_0909(), ["2026-09"], "2026-09"))
    assert caught.value.message == (
        f"发布记录 {path} 已存在，内容与本次不同，且不是本程序为发布 2026-09 写入的原样文件"
        "（校验和不符，可能被手工修改），拒绝覆盖。修正方法：" + RESTORE[:-1]
        + "；确认要重新发布时，先把该文件移出 data/releases/ 再构建。")
    with pytest.raises(ConfigError) as read:
        read_history(tmp_path, "2026-10")
    assert read.value.message == (
        f"发布记录 {path} 有 1 处错误：\n"
        "  - 表头，checksum：校验和与内容不符：文件在程序写入后被改动过。修正方法：" + RESTORE)


def test_corrupt_record_names_file_row_field_and_value(tmp_path: Path) -> None:
    path = write_record(tmp_path, record_release(tables_0909(), ["2026-09"], "2026-09")).path
    lines = path.read_text("utf-8").splitlines()
    lines[2] = lines[2].replace('"7"', '"七"')
    lines[3] = lines[3][:-1]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    with pytest.raises(ConfigError) as caught:
        read_history(tmp_path, "2026-10")
    assert caught.value.message == (
        f"发布记录 {path} 有 2 处错误：\n"
        "  - 第 3 行，字段 count：值 “七” 不是数字，也不是标记 suppressed、NA、unrecorded 之一。"
        "修正方法：" + RESTORE + "\n"
        "  - 第 4 行：值 “[\"counts_by_month\",\"2026-08\",\"西城区\",\"噪声\",\"12\"” "
        "不是由字符串组成的 JSON 数组。修正方法：" + RESTORE)
    assert [(p.row, p.field) for p in caught.value.problems] == [(3, "count"), (4, None)]


def test_badly_named_record_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "2026-13.jsonl").write_text("{}\n", "utf-8")
    with pytest.raises(ConfigError) as caught:
        read_history(tmp_path, "2027-01")
    assert caught.value.message == (
        f"发布记录文件夹 {tmp_path} 中的文件 2026-13.jsonl 不是发布记录的名称。修正方法："
        "发布记录名为 YYYY-MM.jsonl（数据的最后一个月），其他文件请移出该文件夹。")


def test_frozen_cells_from_earlier_final_rows(tmp_path: Path) -> None:
    write_record(tmp_path, record_release(tables_0909(), ["2026-09"], "2026-09"))
    history = read_history(tmp_path, "2026-10")
    now = counts([("2026-08", "东城区", "噪声", 3),     # hidden earlier
                  ("2026-08", "东城区", "油烟", 9),     # 7 earlier
                  ("2026-10", "东城区", "噪声", 4),     # new
                  ("2026-09", "东城区", "油烟", 12)])  # earlier only provisional
    frozen = history.frozen("counts_by_month", now, KEYS, "count")
    assert frozen.was_hidden.tolist() == [True, False, False, False]
    assert frozen.was_visible.tolist() == [False, True, False, False]
    values = frozen.constant_values.tolist()
    assert values[1] == 7.0 and all(np.isnan(values[i]) for i in (0, 2, 3))
    assert history.final_months() == {"2026-08"}
    with_code = now.assign(district_code=pd.Series(["1", "1", "1", "1"], dtype="string"))
    added = history.frozen("counts_by_month", with_code, [*KEYS, "district_code"], "count")
    assert added.was_visible.tolist() == [False, True, False, False]  # matched on shared keys


def test_revisions_find_changed_values_and_newly_final_months(tmp_path: Path) -> None:
    write_record(tmp_path, record_release(tables_0909(), ["2026-09"], "2026-09"))
    history = read_history(tmp_path, "2026-10")
    now = {"counts_by_month": counts([
        ("2026-08", "东城区", "噪声", HIDDEN),
        ("2026-08", "东城区", "油烟", 7),
        ("2026-08", "西城区", "噪声", 11),   # final 12 before: a correction
        ("2026-09", "东城区", "油烟", 13),   # provisional 10 before
        ("2026-10", "东城区", "油烟", 5),    # new month
    ])}
    found = revisions(history, now, months=["2026-08", "2026-09", "2026-10"],
                      provisional_months=["2026-10"])
    assert [(r.key, r.old, r.new, r.release, r.reason) for r in found.items] == [
        (("2026-08", "西城区", "噪声"), "12", "11", "2026-09", "correction"),
        (("2026-09", "东城区", "油烟"), "10", "13", "2026-09", "provisional"),
    ]
    assert found.cells["column"].tolist() == ["count", "count"]
    assert found.new_months == ("2026-10",)
    assert found.newly_final == ("2026-09",)
    first = revisions(ReleaseHistory(()), now, months=["2026-09", "2026-10"],
                      provisional_months=["2026-10"])
    assert (first.items, first.new_months, first.newly_final) == (
        (), ("2026-09", "2026-10"), ("2026-09",))


def requests(rows: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame({"received_at": pd.to_datetime([r[0] for r in rows]),
                         "status": [r[1] for r in rows]})


def test_provisional_months() -> None:
    months = ["2026-08", "2026-09", "2026-10"]
    cut_short = requests([("2026-08-03T10:00", "已办结"), ("2026-09-30T23:00", "办理中"),
                          ("2026-09-02T08:00", "已办结"), ("2026-10-20T09:00", "已办结")])
    assert provisional_months(cut_short, months) == ["2026-09", "2026-10"]
    assert provisional_months(cut_short, months, already_final=["2026-09"]) == ["2026-10"]
    whole = requests([("2026-08-03T10:00", "办理中"), ("2026-10-31T22:00", "已办结")])
    assert provisional_months(whole, months) == ["2026-08"]


def test_rows_not_identified_by_their_keys_are_refused() -> None:
    from generator.errors import BuildError

    twice = counts([("2026-08", "东城区", "噪声", 1), ("2026-08", "东城区", "噪声", 2)])
    with pytest.raises(BuildError) as caught:
        record_release({"counts_by_month": twice}, [], "2026-08")
    assert caught.value.message == (
        "表 counts_by_month 的键列 month、district、category 不能唯一确定一行"
        "（2026-08 · 东城区 · 噪声 重复），无法写入发布记录。"
        "修正方法：这是程序的问题，请把此消息发给维护人员。")


def test_denominators_keep_an_earlier_release_hiding_and_values(tmp_path: Path) -> None:
    """The n of the rates (有效回访), the closed counts of handling_times and repeat_rate's
    denominators are families of their own: an earlier release's hidden n stays hidden, and
    family_cells reads each family's recorded counts back as constants."""
    from generator.stats.aggregate import aggregate
    from generator.stats.constants import family_cells
    from tests.test_unrecorded_stats import METRICS, REF, frame

    data = frame([("甲区", "噪声扰民", f"C{i}") for i in range(20)]
                 + [("乙区", "油烟", f"D{i}") for i in range(20)])
    first = aggregate(data, METRICS, REF)
    kpis = first.kpis.copy()
    mine = ((kpis["period"] == "2026-03") & (kpis["scope"] == "甲区")
            & (kpis["metric"] == "responded_rate"))
    assert kpis.loc[mine, "n"].tolist() == [20]
    kpis["n"] = kpis["n"].astype(object)
    kpis.loc[mine, "n"] = HIDDEN  # as if the earlier release had hidden it
    tables = {"kpis": kpis, **{n: first.analyses[n] for n in ("handling_times", "repeat_rate")}}
    write_record(tmp_path, record_release(tables, [], "2026-03"))
    history = read_history(tmp_path, "2026-04")
    valid = family_cells(history, REF, "valid")
    assert valid is not None
    row = valid[(valid["time_key"] == "2026-03") & (valid["region_key"] == "A1")]
    assert row["hidden"].tolist() == [True]
    city = valid[(valid["time_key"] == "2026-03") & (valid["region_key"] == "city")]
    assert city["value"].tolist() == [40.0] and not city["hidden"].any()
    handling = family_cells(history, REF, "handling")
    assert handling is not None
    march = handling[(handling["time_key"] == "2026Q1") & (handling["region_key"] == "city")]
    recorded = dict(zip(march["side_key"], march["value"], strict=True))
    assert recorded == {f"urgency={u}": 40.0 if u == "一般" else 0.0
                        for u in METRICS.deadlines_hours}
    again = aggregate(data, METRICS, REF, history=history)
    now = again.kpis
    assert now.loc[mine.to_numpy(), "n"].tolist() == [HIDDEN]

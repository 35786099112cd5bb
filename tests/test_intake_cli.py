"""`ecoportal intake` staff commands: export, validate, mark, overdue, delete, purge, stats;
and the working-day calendar and settings they rely on."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from generator.errors import ConfigError
from generator.intake.config import INTAKE_FILE, load_intake_config
from generator.intake.store import CSV_NAME, Store
from generator.intake.workdays import add_working_days, working_days_between
from tests.broken_inputs import assert_refused, run_cli
from tests.conftest import ROOT
from tests.test_intake_support import ZONE, make_project, shifted

CALENDAR = load_intake_config(ROOT / INTAKE_FILE).calendar


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hour:02d}:00:00").replace(tzinfo=ZONE)


def add(store: Store, when: dt.datetime, **values: object) -> str:
    data = shifted(when.date())
    data.pop("website")
    data.update(values)
    return store.add(data, form_version=1, privacy_version="2026-12", warnings="",
                     now=when).reference


def cli(root: Path, *args: str) -> tuple[int, str]:
    result = run_cli(["--project", str(root), "intake", *args])
    return result.exit_code, result.output


def test_working_days_follow_holidays_and_working_weekends() -> None:
    friday = dt.date(2026, 11, 27)
    assert add_working_days(CALENDAR, friday, 3).day == dt.date(2026, 12, 2)
    # National Day: 30 September + 3 working days skips 1–7 October, counts Saturday 10th.
    assert add_working_days(CALENDAR, dt.date(2026, 9, 30), 3).day == dt.date(2026, 10, 10)
    assert working_days_between(CALENDAR, dt.date(2026, 9, 30), dt.date(2026, 10, 9)).value == 2
    assert working_days_between(CALENDAR, friday, friday).value == 0
    beyond = add_working_days(CALENDAR, dt.date(2026, 12, 30), 3)
    assert beyond.day == dt.date(2027, 1, 4) and beyond.approximate


def test_broken_intake_settings_are_reported_together(tmp_path: Path) -> None:
    text = (ROOT / INTAKE_FILE).read_text(encoding="utf-8")
    text = text.replace("  - https://sthjj.example.gov.cn", "  - https://x.example/form")
    text = text.replace("  - 127.0.0.1", "  - localhost")
    text = text.replace("  working_days: 3", "  working_days: 0")
    text = text.replace("    - 2026-01-04\n", "    - 2026-01-05\n")
    path = tmp_path / "intake.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_intake_config(path)
    assert caught.value.message == "\n".join([
        f"受理服务设置文件 {path} 有 4 处错误：",
        "  - allowed_origins：值 “https://x.example/form” 不是来源（协议://域名[:端口]，不带路径）。"
        "修正方法：例如 https://sthjj.example.gov.cn。",
        "  - trusted_proxies：值 “localhost” 不是 IP 地址。修正方法：请填写反向代理的 IP 地址，"
        "例如 127.0.0.1。",
        "  - calendar.working_weekends：值 “2026-01-05” 不是周六或周日（调休上班日应为周末）。"
        "修正方法：请核对通知中的日期。",
        "  - reply.working_days：值 “0” 应为 1 到 60 之间的整数。"
        "修正方法：请填写 1 到 60 之间的整数。",
    ])


def test_validate_export_mark_and_overdue(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    store_dir = tmp_path / "store"
    code, out = cli(root, "validate")
    assert code == 0 and out.splitlines()[0] == \
        f"表单定义 {root / 'forms' / 'consultation.yml'}：第 1 版，20 个字段，正确。"
    with Store(store_dir, ZONE) as store:
        late = add(store, at("2026-11-02"))  # due by Thursday 5 November
        contacted = add(store, at("2026-11-02", 11))
        recent = add(store, at("2026-11-20"), district="海淀区", street="八里庄街道",
                     business_type="汽修/喷漆", stoves=None, stalls=None, flue=None)
    assert cli(root, "mark", contacted, "已联系", "--store", str(store_dir)) == (
        0, f"已将 {contacted} 标记为“已联系”。工作人员用的表格将在几秒内更新。\n")
    assert_refused(run_cli(["--project", str(root), "intake", "mark", contacted, "已联系",
                            "--store", str(store_dir)]),
                   f"错误：{contacted} 的状态已是“已联系”，不能改为“已联系”。"
                   "状态只能按 待联系 → 已联系 → 已办结 的顺序前进。")
    code, out = cli(root, "overdue", "--store", str(store_dir))
    assert code == 0
    assert out.splitlines() == [
        "2 条申请超过 3 个工作日仍未联系（联系后请运行 `ecoportal intake mark 编号 已联系`）：",
        f"  - {late}：2026-11-02 提交，应于 2026-11-05 前联系；朝阳区建外街道，美食城",
        f"  - {recent}：2026-11-20 提交，应于 2026-11-25 前联系；海淀区八里庄街道，汽修/喷漆"]
    assert "13800138000" not in out and "王示例" not in out
    out_file = tmp_path / "since.csv"
    code, out = cli(root, "export", "--store", str(store_dir), "-o", str(out_file),
                    "--since", "2026-11-10")
    assert (code, out) == (
        0, f"已导出 1 条申请（2026-11-10 起）到 {out_file}（UTF-8 带 BOM，权限 0600）。\n")
    assert recent in out_file.read_text(encoding="utf-8-sig")
    cli(root, "export", "--store", str(store_dir), "-o", str(store_dir / CSV_NAME))
    code, out = cli(root, "validate", "--store", str(store_dir))
    assert code == 0 and out.splitlines()[-1] == \
        f"{store_dir / CSV_NAME}：符合表格结构（Table Schema）。"


def test_delete_and_purge_leave_only_references_in_the_log(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    store_dir = tmp_path / "store"
    with Store(store_dir, ZONE) as store:
        old = add(store, at("2024-01-02"), company="很久以前的公司")
        mine = add(store, at("2026-11-02"), company="请求删除的公司")
        kept = add(store, at("2026-11-03"))
    code, out = cli(root, "delete", mine, "--store", str(store_dir), "--yes")
    assert (code, out) == (0, f"已删除 {mine} 的全部内容，并已重新生成 {CSV_NAME}。"
                              "删除记录只保存编号和时间。已导出或备份的旧文件中仍有该申请，请一并删除。\n")
    assert_refused(run_cli(["--project", str(root), "intake", "delete", mine, "--store",
                            str(store_dir), "--yes"]),
                   f"错误：没有受理编号为 {mine} 的申请。请核对编号。")
    code, out = cli(root, "purge", "--store", str(store_dir))
    assert code == 0 and out.startswith("已删除 ")
    assert "之前提交的 1 条申请（保存期限 730 天）" in out
    with Store(store_dir, ZONE, create=False) as store:
        assert [r.reference for r in store.records()] == [kept]
        log = store.connection().execute("SELECT reference, reason FROM erasures").fetchall()
    assert log == [(mine, "本人申请删除"), (old, "超过保存期限 730 天")]
    text = (store_dir / CSV_NAME).read_text(encoding="utf-8-sig")
    assert kept in text and "请求删除的公司" not in text and "很久以前的公司" not in text
    missing = tmp_path / "nowhere"
    assert_refused(run_cli(["--project", str(root), "intake", "overdue", "--store",
                            str(missing)]),
                   f"错误：找不到受理数据库 {missing / 'consultations.sqlite3'}。请用 --store 指定 "
                   "`ecoportal intake serve` 使用的文件夹。")


def test_monthly_stats_hide_months_below_k(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    store_dir = tmp_path / "store"
    with Store(store_dir, ZONE) as store:
        october = [add(store, at(f"2026-10-{day:02d}")) for day in (12, 12, 13, 13, 14, 14)]
        for i, ref in enumerate(october[:5]):
            # Contact after 1, 1, 2, 2 and 5 working days (the last one late).
            received = store.get(ref)
            assert received is not None
            gap = (1, 1, 2, 2, 5)[i]
            contact = add_working_days(CALENDAR, received.received_at.date(), gap).day
            store.set_status(ref, "已联系", at(contact.isoformat(), 15))
        for day in (2, 3, 4):
            add(store, at(f"2026-11-{day:02d}"))
    out = tmp_path / "intake-stats.json"
    code, text = cli(root, "stats", "--store", str(store_dir), "-o", str(out))
    assert (code, text) == (0, f"已写出 2 个月的受理统计到 {out}（少于 5 件的 1 个月已隐藏）。\n")
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["k"] == 5 and figures["reply_working_days"] == 3
    assert figures["months"] == [
        {"month": "2026-10", "consultations": 6, "contacted": 5,
         "median_working_days_to_contact": 2.0, "contacted_within_promise_rate": 0.6667,
         "suppressed": False},
        {"month": "2026-11", "consultations": None, "contacted": None,
         "median_working_days_to_contact": None, "contacted_within_promise_rate": None,
         "suppressed": True}]


def test_export_and_stats_never_overwrite_a_file_they_did_not_write(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    store_dir = tmp_path / "store"
    with Store(store_dir, ZONE) as store:
        add(store, at("2026-11-02"))
    database = store_dir / "consultations.sqlite3"
    before = database.read_bytes()
    settings = root / "data" / "settings.yml"
    settings_text = settings.read_text(encoding="utf-8")
    fix = "修正方法：请换一个文件名，或先把这个文件移走。"
    for command, target, what in (("export", database, "申请表格（CSV）"),
                                  ("stats", settings, "受理统计文件（JSON）")):
        result = run_cli(["--project", str(root), "intake", command, "--store", str(store_dir),
                          "-o", str(target)])
        assert_refused(result,
                       f"错误：{target} 已存在，且不是本命令写出的{what}，不会覆盖它。{fix}")
    assert database.read_bytes() == before
    assert settings.read_text(encoding="utf-8") == settings_text
    result = run_cli(["--project", str(root), "intake", "export", "--store", str(store_dir),
                      "-o", str(tmp_path)])
    assert result.exit_code == 2  # a folder is refused by the option itself
    # What the commands wrote themselves they replace, so a nightly export can run again.
    for command, name in (("export", "requests.csv"), ("stats", "intake-stats.json")):
        for _ in range(2):
            code, text = cli(root, command, "--store", str(store_dir), "-o", str(tmp_path / name))
            assert code == 0, text

"""The CLI's last resort: an unforeseen exception gives a short Chinese message and a log
holding the masked traceback (owner-only); Ctrl-C exits 130; expected errors are unchanged."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from generator.crashlog import LOG_DIR_ENV, log_dir, mask_personal_data
from tests.broken_inputs import assert_refused, run_cli
from tests.conftest import ROOT

RAW = ROOT / "tests" / "fixtures" / "raw" / "beijing_12345_export.csv"
PROFILE = ROOT / "data" / "profiles" / "beijing-12345.yml"
ENV = {"ECOPORTAL_PSEUDONYM_KEY": "5a" * 32}
PHONE = "13912345678"
ID_NUMBER = "11010519491231002X"


def _import(tmp_path: Path) -> list[str]:
    out = tmp_path / "out"
    return ["import", str(RAW), "--profile", str(PROFILE), "--out", str(out)]


def test_unforeseen_exception_gives_message_and_masked_owner_only_log(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_: object, **__: object) -> None:
        raise ZeroDivisionError(f"division by zero near caller {PHONE}, id {ID_NUMBER}")

    monkeypatch.setattr("generator.ingest.importer.import_export", fail)
    logs = tmp_path / "state" / "ecoportal"
    result = run_cli(_import(tmp_path), untouched=[RAW, PROFILE],
                     env={**ENV, LOG_DIR_ENV: str(logs)})
    [log] = list(logs.iterdir())
    assert_refused(result, (
        f"错误：程序内部出错（ZeroDivisionError）。这不是您的操作问题，请把日志文件 {log} "
        "发给维护人员。原网站和输入文件未被修改。"))
    assert stat.S_IMODE(logs.stat().st_mode) == 0o700
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    text = log.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text and "ZeroDivisionError" in text
    assert PHONE not in text and ID_NUMBER not in text
    assert "139****5678" in text
    assert not (tmp_path / "out").exists()


def test_ctrl_c_exits_130_with_a_short_message(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("generator.ingest.importer.import_export", interrupt)
    logs = tmp_path / "logs"
    result = run_cli(_import(tmp_path), untouched=[RAW, PROFILE],
                     env={**ENV, LOG_DIR_ENV: str(logs)})
    assert result.exit_code == 130
    assert result.output == "已中断。未完成的输出没有写出，原有文件保持不变。\n"
    assert not logs.exists()


def test_expected_errors_write_no_log(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    result = run_cli(["keygen", "--out", str(tmp_path)], env={LOG_DIR_ENV: str(logs)})
    assert result.exit_code == 2  # click's own usage error: passes through untouched
    result = run_cli(["keygen", "--out", str(PROFILE)], untouched=[PROFILE],
                     env={LOG_DIR_ENV: str(logs)})
    assert_refused(result, (
        f"错误：密钥文件 {PROFILE} 已存在，未覆盖：覆盖会让以后生成的化名与已发布的数据对不上。"
        "如确需新密钥，请换一个文件名。"))
    assert not logs.exists()


def test_unwritable_log_folder_falls_back_to_a_private_temp_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_: object, **__: object) -> None:
        raise RuntimeError("boom")

    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setattr("generator.ingest.importer.import_export", fail)
    monkeypatch.setattr("tempfile.gettempdir", lambda: str(tmp_path / "tmp"))
    result = run_cli(_import(tmp_path), env={**ENV, LOG_DIR_ENV: str(blocker / "x")})
    assert result.exit_code == 1
    [log] = list((tmp_path / "tmp").glob("ecoportal-*/crash-*.log"))
    assert f"请把日志文件 {log} 发给维护人员" in result.output


def test_log_folder_defaults_to_the_xdg_state_folder(tmp_path: Path) -> None:
    assert log_dir({"XDG_STATE_HOME": str(tmp_path)}) == tmp_path / "ecoportal"
    assert log_dir({LOG_DIR_ENV: str(tmp_path / "x"), "XDG_STATE_HOME": "/y"}) == tmp_path / "x"
    assert log_dir({}) == Path.home() / ".local" / "state" / "ecoportal"
    assert log_dir({"XDG_STATE_HOME": "relative"}) == Path.home() / ".local" / "state" / \
        "ecoportal"


def test_masking_uses_the_scanner() -> None:
    text = f"phone {PHONE}, mail zhang.san@example.com, id {ID_NUMBER}."
    masked = mask_personal_data(text)
    assert PHONE not in masked and ID_NUMBER not in masked
    assert "zhang.san@example.com" not in masked
    assert masked.startswith("phone 139****5678, mail ")

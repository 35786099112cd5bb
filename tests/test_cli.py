"""The command line: every command is documented in Chinese and in the README; serve works."""

from __future__ import annotations

import re
import shutil
import threading
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.site.preview import PreviewServer, handler_for
from tests.conftest import ROOT, Built

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_command_has_chinese_help_and_a_readme_entry() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    runner = CliRunner()
    assert set(main.commands) >= {"build", "validate", "sample", "serve", "import", "keygen",
                                  "scan"}
    for name in main.commands:
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, name
        assert CJK.search(main.commands[name].help or ""), name
        assert f"`ecoportal {name}" in readme, f"README lacks ecoportal {name}"


def test_serve_without_a_site_says_what_to_do(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "data" / "reference").mkdir(parents=True)
    shutil.copy(ROOT / "data" / "settings.yml", tmp_path / "data" / "settings.yml")
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["serve", "--no-build"])
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"错误：{tmp_path / 'site'} 中没有网站。请先运行 `ecoportal build`。")


def test_commands_outside_a_project_say_where_to_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 1
    assert result.output.strip() == (
        "错误：找不到门户项目文件夹（含 mkdocs.yml 和 data/settings.yml）："
        f"当前文件夹 {tmp_path} 及其上级都不是。请进入项目文件夹运行，或用 --project 指定。")


def test_preview_server_serves_the_built_site(built: Built) -> None:
    server = PreviewServer(("127.0.0.1", 0), handler_for(built.site))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=10) as reply:
            body = reply.read().decode("utf-8")
        assert "北京市生态环境接诉即办公开门户" in body
    finally:
        server.shutdown()
        server.server_close()


def test_click_usage_errors_and_help_are_in_chinese(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(main, ["import", "x.csv", "--profile", "y.yml", "--out",
                                   str(tmp_path / "o")], prog_name="ecoportal")
    assert missing.exit_code == 2
    assert missing.output == (
        "用法： ecoportal import [OPTIONS] RAW\n"
        "运行 “ecoportal import --help” 查看用法。\n\n"
        "错误：'--profile' 的值无效：文件 “y.yml” 不存在。\n")
    unknown = runner.invoke(main, ["build", "--bogus"])
    assert unknown.output.endswith("错误：没有选项 “--bogus”。\n")
    out_of_range = runner.invoke(main, ["sample", "--months", "0"])
    assert out_of_range.output.endswith(
        "错误：'--months' 的值无效：0 不在允许的范围 1<=x<=240 内。\n")
    help_text = runner.invoke(main, ["--help"]).output
    assert "用法：" in help_text and "显示本帮助并退出。" in help_text
    assert not re.search(r"\b(Usage|Options|Commands|Show this message)\b", help_text)

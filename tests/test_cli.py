"""The command line: every command is documented in Chinese and in the README; serve works."""

from __future__ import annotations

import http.server
import re
import threading
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.site.build import _handler_for
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
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["serve", "--no-build"])
    assert result.exit_code == 1
    assert result.output.strip() == "错误：site 中没有网站。请先运行 `ecoportal build`。"


def test_preview_server_serves_the_built_site(built: Built) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(built.site))
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

"""A build killed in the middle leaves temp folders; the next build removes them and publishes."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from generator.site.publish import is_previous_build, write_marker
from tests.broken_inputs import run_cli, tree_digest
from tests.conftest import ROOT

pytestmark = pytest.mark.slow


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and stale-pid cleanup are POSIX")
def test_killed_build_then_a_clean_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.sample import write_sample

    package = tmp_path / "complaints"
    write_sample(package, end_month=dt.date(2026, 10, 1), months=6, records=3000, seed=5)
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("旧网站", "utf-8")
    write_marker(site)
    before = tree_digest(site)

    args = ["build", "--package", str(package), "--site-dir", str(site)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    child = subprocess.Popen([sys.executable, "-m", "generator", *args], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert child.stdout is not None
    seen: list[str] = []
    try:
        for line in child.stdout:
            seen.append(line)
            if "mkdocs 构建网站" in line:
                child.send_signal(signal.SIGKILL)
                break
    finally:
        child.kill()
        child.wait()
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL, "".join(seen)

    stale = [*(ROOT / ".build").glob(f"docs-{child.pid}-*"),
             *tmp_path.glob(f".site-new-{child.pid}-*")]
    assert len(stale) == 2, stale
    assert tree_digest(site) == before  # the killed build never reached the swap

    monkeypatch.chdir(ROOT)
    result = run_cli(args)
    assert result.exit_code == 0, result.output
    assert not [p for p in stale if p.exists()]
    assert not list(tmp_path.glob(".site-*"))
    assert is_previous_build(site)
    assert (site / "data" / "datapackage.json").is_file()
    assert "旧网站" not in (site / "index.html").read_text("utf-8")

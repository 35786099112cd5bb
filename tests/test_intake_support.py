"""Helpers of the intake tests: a project of their own, the service in-process, the real server
on loopback. (Its one test checks that the test project loads.)"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from generator.forms import load_versions
from generator.intake.app import IntakeApp
from generator.intake.config import INTAKE_FILE, IntakeConfig, Limit, load_intake_config
from generator.intake.server import Service
from generator.intake.store import Store
from generator.paths import ProjectPaths
from generator.reference import load_reference
from tests.conftest import ROOT

SITE = "http://site.test"
"""The allowed origin of the test projects."""
ZONE = ProjectPaths(ROOT).settings.data.zone
EXAMPLE = ROOT / "forms" / "examples" / "valid.json"


def make_project(tmp: Path, **intake: str) -> Path:
    """A project (settings, reference, metrics, forms) whose data/intake.yml allows SITE and
    high rate limits; `intake` replaces whole top-level lines of the bundled file."""
    root = tmp / "project"
    (root / "data").mkdir(parents=True)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    for name in ("settings.yml", "metrics.yml"):
        shutil.copy(ROOT / "data" / name, root / "data" / name)
    shutil.copytree(ROOT / "data" / "reference", root / "data" / "reference")
    shutil.copytree(ROOT / "forms", root / "forms")
    text = (ROOT / INTAKE_FILE).read_text(encoding="utf-8")
    text = text.replace("  - https://sthjj.example.gov.cn\n", f"  - {SITE}\n", 1)
    text = re.sub(r"  per_ip: \{.*\}\n  global: \{.*\}\n",
                  "  per_ip: {requests: 100000, seconds: 60}\n"
                  "  global: {requests: 100000, seconds: 60}\n", text)
    for key, line in intake.items():
        text, n = re.subn(rf"^{key}:.*$", line, text, count=1, flags=re.M)
        assert n == 1, key
    (root / INTAKE_FILE).write_text(text, encoding="utf-8")
    return root


def service(root: Path = ROOT, **config: Any) -> Service:
    versions = load_versions(root, load_reference((root / "data" / "reference").resolve()))
    loaded: IntakeConfig = load_intake_config(root / INTAKE_FILE)
    loaded = replace(loaded, allowed_origins=(SITE,), per_ip=Limit(100_000, 60),
                     global_limit=Limit(100_000, 60), min_fill_seconds=2)
    return Service(versions, replace(loaded, **config), ZONE, "测试门户")


def shifted(today: dt.date) -> dict[str, Any]:
    """forms/examples/valid.json with its dates moved to start a month after `today`."""
    data: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["renovation_start"] = (today + dt.timedelta(days=30)).isoformat()
    data["opening_date"] = (today + dt.timedelta(days=120)).isoformat()
    return data


def today() -> dt.date:
    return dt.datetime.now(ZONE).date()


def js_body(**changes: Any) -> dict[str, Any]:
    """A valid JSON submission as the page script sends it."""
    body = shifted(today()) | {"form_version": 1, "fill_ms": 30_000}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


def form_body(**changes: Any) -> list[tuple[str, str]]:
    """A valid form post (as a browser without JavaScript sends it)."""
    data = shifted(today()) | {"form_version": 1, "consent": "yes"}
    data.update(changes)
    pairs = []
    for key, value in data.items():
        if value is ...:
            continue
        for item in value if isinstance(value, list) else [value]:
            pairs.append((key, str(item)))
    return pairs


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode()


def call(app: IntakeApp, method: str, path: str, *, body: bytes = b"",
         headers: dict[str, str] | None = None, remote: str = "198.51.100.7") -> Reply:
    """One request through the WSGI app, as waitress would pass it."""
    environ: dict[str, Any] = {"REQUEST_METHOD": method, "PATH_INFO": path, "SCRIPT_NAME": "",
                               "REMOTE_ADDR": remote, "wsgi.input": io.BytesIO(body),
                               "CONTENT_LENGTH": str(len(body)) if body else ""}
    for key, value in (headers or {}).items():
        name = key.upper().replace("-", "_")
        environ[name if name in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{name}"] = value
    seen: dict[str, Any] = {}

    def start(status: str, headers: list[tuple[str, str]]) -> None:
        seen["status"], seen["headers"] = int(status.split()[0]), dict(headers)

    data = b"".join(app(environ, start))
    return Reply(seen["status"], seen["headers"], data)


def post_json(app: IntakeApp, data: Any, origin: str | None = SITE, **kw: Any) -> Reply:
    headers = {"Content-Type": "application/json"} | ({"Origin": origin} if origin else {})
    headers |= kw.pop("headers", {})
    return call(app, "POST", "/api/consultations",
                body=json.dumps(data, ensure_ascii=False).encode(), headers=headers, **kw)


def post_form(app: IntakeApp, pairs: list[tuple[str, str]], origin: str | None = SITE,
              **kw: Any) -> Reply:
    headers = {"Content-Type": "application/x-www-form-urlencoded"} | (
        {"Origin": origin} if origin else {})
    headers |= kw.pop("headers", {})
    return call(app, "POST", "/api/consultations", body=urlencode(pairs).encode(),
                headers=headers, **kw)


def make_app(tmp: Path, **config: Any) -> IntakeApp:
    svc = service(**config)
    return IntakeApp(svc.form, svc.config, Store(tmp / "store", ZONE), zone=ZONE,
                     site_name=svc.site_name)


class Server:
    """`ecoportal intake serve` as a child process on a free loopback port."""

    def __init__(self, root: Path, store: Path) -> None:
        self.root, self.store = root, store
        self.child: subprocess.Popen[str] | None = None
        self.url = ""

    def start(self) -> Server:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.child = subprocess.Popen(
            [sys.executable, "-m", "generator", "--project", str(self.root), "intake", "serve",
             "--port", "0", "--store", str(self.store)],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert self.child.stdout is not None
        line = self.child.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match, line
        self.url = f"http://127.0.0.1:{match.group(1)}"
        return self

    def kill(self) -> None:
        assert self.child is not None
        self.child.kill()  # SIGKILL: no clean-up of any kind
        self.child.wait(timeout=30)

    def stop(self) -> None:
        if self.child is not None and self.child.poll() is None:
            self.child.terminate()
            self.child.wait(timeout=60)


def wait_for(predicate: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_the_test_project_loads(tmp_path: Path) -> None:
    root = make_project(tmp_path, min_fill_seconds="min_fill_seconds: 1")
    svc = service(root)
    assert svc.form.version == 1
    assert load_intake_config(root / INTAKE_FILE).allowed_origins == (SITE,)
    assert load_intake_config(root / INTAKE_FILE).min_fill_seconds == 1

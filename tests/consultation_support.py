"""The consultation page's browser tests' server: the built site and the real intake service on
ONE loopback origin, as deploy/nginx-ecoportal.conf puts them behind one reverse proxy.

One waitress server in a thread answers /api/consultations and /healthz with the real WSGI app
(generator.intake.app.IntakeApp over a real SQLite store in a temporary folder, the staff CSV
refreshed beside it) and every other path with a file of the built site (and axe-core where
tests.browser_support.run_axe looks for it). `upstream_down`
makes it answer those two paths 502 Bad Gateway, as nginx does when the service is stopped.
"""

from __future__ import annotations

import mimetypes
import threading
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import waitress.server

from generator.intake.app import API_PATH, HEALTH_PATH, IntakeApp
from generator.intake.export import CsvRefresher
from generator.intake.store import CSV_NAME, Store
from tests.browser_support import AXE_JS, AXE_URL_PATH
from tests.test_intake_support import ZONE, service

BAD_GATEWAY = b"<html><body><h1>502 Bad Gateway</h1></body></html>"


class SameOrigin:
    """The site's files and the intake service on one origin (http://127.0.0.1:<port>)."""

    def __init__(self, site: Path, store: Path, *, min_fill_seconds: float = 1) -> None:
        self.site, self.store_dir = site.resolve(), store
        self.upstream_down = False
        self.server = waitress.server.create_server(self, host="127.0.0.1", port=0, threads=4)
        self.origin = f"http://127.0.0.1:{self.server.effective_port}"
        svc = service()
        self.versions = svc.versions
        config = replace(svc.config, allowed_origins=(self.origin,),
                         min_fill_seconds=min_fill_seconds)
        self.store = Store(store, ZONE)
        self.refresher = CsvRefresher(self.store, svc.versions)
        self.intake = IntakeApp(svc.form, config, self.store, zone=ZONE,
                                site_name=svc.site_name, refresher=self.refresher)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> SameOrigin:
        self.refresher.start()
        self.thread.start()
        return self

    def close(self) -> None:
        self.server.close()
        self.thread.join(timeout=10)
        self.refresher.stop()
        self.store.close()

    @property
    def csv(self) -> Path:
        return self.store_dir / CSV_NAME

    def url(self, page: str) -> str:
        return f"{self.origin}/{page}"

    def __call__(self, environ: dict[str, Any], start: Any) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/")
        if path in (API_PATH, HEALTH_PATH):
            if self.upstream_down:
                start("502 Bad Gateway", [("Content-Type", "text/html"),
                                          ("Content-Length", str(len(BAD_GATEWAY)))])
                return [BAD_GATEWAY]
            return self.intake(environ, start)
        file = AXE_JS if path == AXE_URL_PATH else (self.site / path.lstrip("/")).resolve()
        if file.is_dir():
            file = file / "index.html"
        if (file != AXE_JS and not file.is_relative_to(self.site)) or not file.is_file():
            start("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "9")])
            return [b"not found"]
        body = file.read_bytes()
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        start("200 OK", [("Content-Type", kind), ("Content-Length", str(len(body)))])
        return [body]

"""Preview: serve a built site on 127.0.0.1 (`ecoportal serve`). Separate from the build."""

from __future__ import annotations

import http.server
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from generator.errors import BuildError
from generator.text import shown


def serve_site(site: Path, *, port: int, echo: Callable[[str], None]) -> None:
    """Serve the built site on 127.0.0.1 until interrupted."""
    if not (site / "index.html").exists():
        raise BuildError(f"{shown(site)} 中没有网站。请先运行 `ecoportal build`。")
    handler = handler_for(site)
    with PreviewServer(("127.0.0.1", port), handler) as server:
        echo(f"预览地址：http://127.0.0.1:{port}/ （按 Ctrl+C 停止）")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            echo("已停止预览。")


class PreviewServer(http.server.ThreadingHTTPServer):
    """A threading server that never prints a traceback: a browser closing a connection early
    is normal and silent; anything else is one Chinese line on stderr."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError):
            return
        print(f"预览服务处理请求时出错（{type(error).__name__}），已跳过该请求。", file=sys.stderr)


def handler_for(site: Path) -> type[http.server.SimpleHTTPRequestHandler]:
    """A request handler serving files from `site` only."""
    directory = str(site.resolve())

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=directory, **kwargs)

    return Handler

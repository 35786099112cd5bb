"""`ecoportal intake serve`: the WSGI app under waitress, with the CSV refresh beside it.

The service's inputs (every version of the form, data/intake.yml, the city's time zone and
the site's name) are assembled by the CLI and handed over as one `Service`, so nothing here
reads the site's settings or imports the build.
"""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any
from zoneinfo import ZoneInfo

from generator.forms.definition import FormDefinition
from generator.intake.app import MAX_BODY, IntakeApp
from generator.intake.config import IntakeConfig
from generator.intake.export import CsvRefresher
from generator.intake.store import CSV_NAME, Store

THREADS = 8
SWITCH_INTERVAL_S = 0.001
"""How long a thread may keep the GIL while another waits for it (CPython's default is 5 ms).
The writer thread needs it back after every commit's fsync, and each millisecond it waits is a
millisecond no submission can commit; the request threads' work comes in short slices."""


@dataclass(frozen=True)
class Service:
    versions: tuple[FormDefinition, ...]
    """Every version of the form, oldest first; the last is the one accepted."""
    config: IntakeConfig
    zone: ZoneInfo
    site_name: str

    @property
    def form(self) -> FormDefinition:
        return self.versions[-1]


def make_app(service: Service, store: Store, refresher: CsvRefresher | None) -> IntakeApp:
    return IntakeApp(service.form, service.config, store, zone=service.zone,
                     site_name=service.site_name, refresher=refresher)


def create_server(service: Service, store: Store, refresher: CsvRefresher | None, *,
                  host: str, port: int, threads: int = THREADS) -> Any:
    """The waitress server of `serve` (the benchmark measures exactly this one)."""
    import waitress

    sys.setswitchinterval(SWITCH_INTERVAL_S)
    return waitress.create_server(
        make_app(service, store, refresher), host=host, port=port, threads=threads,
        max_request_body_size=MAX_BODY * 4, ident="ecoportal-intake")


def serve(service: Service, store_dir: Path, *, host: str, port: int,
          echo: Callable[[str], None], threads: int = THREADS) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM); the CSV is written at start and after
    each submission, and once more on the way out."""
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    store = Store(store_dir, service.zone)
    refresher = CsvRefresher(store, service.versions)
    refresher.start()
    server = create_server(service, store, refresher, host=host, port=port, threads=threads)
    bound = getattr(server, "effective_port", port)

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    origins = "、".join(service.config.allowed_origins) or "（无）"
    echo(f"受理服务已启动：http://{host}:{bound}/api/consultations（健康检查 /healthz）")
    echo(f"受理数据库：{store.path}；工作人员用的表格：{store_dir / CSV_NAME}")
    echo(f"允许的来源：{origins}。按 Ctrl-C 停止。")
    try:
        server.run()
    except KeyboardInterrupt:
        echo("正在停止受理服务……")
    finally:
        server.close()
        refresher.stop()
        store.close()
    echo("受理服务已停止；所有已确认的申请都已保存。")

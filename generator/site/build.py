"""The build: check site dir → load → validate → privacy gate → aggregate → render → mkdocs
→ gate → swap.

Atomic: pages are rendered into a temporary docs folder and mkdocs builds into a temporary
sibling of the site folder; only when every stage (including the final privacy scan) has passed
is the new folder swapped into place. Any failure leaves the previous site exactly as it was.
Which site folders may be replaced, the temporary folders and the swap: see publish.py.
"""

from __future__ import annotations

import datetime as dt
import http.server
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from generator.config import load_metrics, org_settings
from generator.errors import BuildError, DataError
from generator.paths import ProjectPaths
from generator.site.publish import (
    DOCS_PREFIX,
    NEW_PREFIX,
    OLD_PREFIX,
    check_site_dir,
    clean_stale,
    prepare_parent,
    swap,
    temp_folder,
    write_marker,
)
from generator.text import shown

Echo = Callable[[str], None]


class Stages:
    """Prints one line per stage with its duration."""

    def __init__(self, echo: Echo, total: int) -> None:
        self.echo, self.total, self.done = echo, total, 0
        self.started = time.perf_counter()

    @contextmanager
    def stage(self, label: str) -> Iterator[None]:
        self.done += 1
        begin = time.perf_counter()
        self.echo(f"[{self.done}/{self.total}] {label}……")
        yield
        self.echo(f"      完成，用时 {time.perf_counter() - begin:.1f} 秒")

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started


def build_site(root: Path, *, package: Path, site_dir: Path, echo: Echo,
               today: dt.date | None = None) -> None:
    """Build the whole site from `package` into `site_dir` (both relative to `root`)."""
    from generator.dataset.report import format_text
    from generator.dataset.validate import validate_package
    from generator.privacy.gate import gate_site, gate_sources
    from generator.reference import project_reference
    from generator.site.render import render_docs
    from generator.stats.aggregate import aggregate

    paths = ProjectPaths(root.resolve())
    package = package if package.is_absolute() else paths.root / package
    site_dir = site_dir if site_dir.is_absolute() else paths.root / site_dir
    target = check_site_dir(paths, package, site_dir)  # refuses before any work
    prepare_parent(target)
    work = paths.root / ".build"
    clean_stale(work, [DOCS_PREFIX])
    clean_stale(target.parent, [NEW_PREFIX, OLD_PREFIX])
    stages = Stages(echo, 6)
    with stages.stage(f"读取并校验数据包 {package}"):
        report = validate_package(package, paths.reference, today=today,
                                  settings=paths.settings.data)
        if not report.ok or report.frame is None:
            raise DataError(format_text(report) + "\n构建已停止，原网站保持不变。")
        echo(f"      {report.rows:,} 条记录，编码 {report.encoding}")
    metrics = load_metrics(paths.metrics_file)
    ref = project_reference(paths.root)
    with stages.stage("隐私检查：数据包字段与手写页面"):
        gate_sources(report.frame, report.csv_path, paths.site_src)
    with stages.stage("统计汇总"):
        agg = aggregate(report.frame, metrics, ref)
    # Both temporary folders are removed on every way out, KeyboardInterrupt included.
    with temp_folder(work, DOCS_PREFIX) as docs, \
            temp_folder(target.parent, NEW_PREFIX) as new_site:
        config = _load_mkdocs_config(paths.mkdocs_yml, docs, new_site)
        org = org_settings(dict(config["extra"]), paths.mkdocs_yml)
        with stages.stage("渲染页面和开放数据"):
            result = render_docs(paths, agg, ref, metrics, org, docs, today or dt.date.today())
        with stages.stage("mkdocs 构建网站"):
            _run_mkdocs(config)
        write_marker(new_site)
        with stages.stage("隐私检查：生成的网站"):
            scanned = gate_site(new_site)
        check_site_dir(paths, package, site_dir)  # unchanged while we built?
        swap(new_site, target)
    echo(
        f"构建完成：{result.pages} 个页面、{result.data_files} 个开放数据文件，"
        f"发布 {report.rows:,} 条记录（{agg.months[0]} 至 {agg.latest_month}）的统计；"
        f"隐私检查扫描 {scanned} 个文件，未发现个人信息。"
        f"网站位于 {site_dir}，总用时 {stages.elapsed:.1f} 秒。"
    )


def _load_mkdocs_config(mkdocs_yml: Path, docs: Path, site: Path) -> Any:
    from mkdocs.config import load_config
    from mkdocs.exceptions import ConfigurationError

    try:
        return load_config(str(mkdocs_yml), docs_dir=str(docs), site_dir=str(site), strict=True)
    except ConfigurationError as exc:
        raise BuildError(f"网站配置 {mkdocs_yml} 有误：{exc}。请对照 README 修正。") from exc


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _run_mkdocs(config: Any) -> None:
    from mkdocs.commands.build import build
    from mkdocs.exceptions import MkDocsException

    collect = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collect)
    try:
        config.plugins.on_startup(command="build", dirty=False)
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    except (MkDocsException, SystemExit) as exc:
        unique = dict.fromkeys(collect.messages)  # mkdocs may log a warning twice
        details = "\n".join(f"  - {m}" for m in unique) or f"  - {exc}"
        raise BuildError(
            "mkdocs 构建失败（严格模式下任何警告都会中止构建），原网站保持不变：\n"
            f"{details}\n修正方法：按上面的提示修改 site_src/ 中的页面或 mkdocs.yml 后重新构建。"
        ) from exc
    finally:
        logger.removeHandler(collect)


def serve_site(site: Path, *, port: int, echo: Echo) -> None:
    """Serve the built site on 127.0.0.1 until interrupted."""
    if not (site / "index.html").exists():
        raise BuildError(f"{shown(site)} 中没有网站。请先运行 `ecoportal build`。")
    handler = _handler_for(site)
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        echo(f"预览地址：http://127.0.0.1:{port}/ （按 Ctrl+C 停止）")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            echo("已停止预览。")


def _handler_for(site: Path) -> type[http.server.SimpleHTTPRequestHandler]:
    directory = str(site.resolve())

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=directory, **kwargs)

    return Handler

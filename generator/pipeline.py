"""The build driver: check site dir → load → validate → privacy gate → aggregate → render →
mkdocs → privacy scan → swap.

Atomic: pages are rendered into a temporary docs folder and mkdocs builds into a temporary
sibling of the site folder; only when every stage (including the final privacy scan) has passed
is the new folder swapped into place. Any failure leaves the previous site exactly as it was.
Which site folders may be replaced, the temporary folders and the swap: see site/publish.py;
the stages themselves live in dataset/, privacy/, stats/ and site/.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from generator.errors import DataError
from generator.paths import ProjectPaths

Echo = Callable[[str], None]
RECORD_OUTCOMES = {"created": "已新建（请提交到版本库）", "unchanged": "与上次相同，未改动",
                   "replaced": "已按本次数据更新（请提交到版本库）"}


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


def build_site(project: ProjectPaths | Path, *, package: Path, site_dir: Path, echo: Echo,
               today: dt.date | None = None) -> None:
    """Build the whole site from `package` into `site_dir` (both relative to the project root).

    `project` is the resolved project (a bare root folder is accepted for scripts and tests);
    `today` bounds the dates of the package and is the page's update date (default: today in
    the city's time zone).
    """
    from generator.config import load_metrics
    from generator.dataset.report import format_text
    from generator.dataset.validate import validate_package
    from generator.privacy.gate import gate_site, gate_sources, institutional
    from generator.reference import load_reference
    from generator.site.mkdocs_build import load_mkdocs_config, run_mkdocs
    from generator.site.page_dates import generated_dates
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
    from generator.site.releasing import is_release, record, release_inputs
    from generator.site.render import render_docs
    from generator.stats.aggregate import aggregate
    from generator.stats.protection import cached

    paths = project if isinstance(project, ProjectPaths) else ProjectPaths(project.resolve())
    package = package if package.is_absolute() else paths.root / package
    site_dir = site_dir if site_dir.is_absolute() else paths.root / site_dir
    target = check_site_dir(paths, package, site_dir)  # refuses before any work
    settings = paths.settings
    prepare_parent(target)
    clean_stale(paths.work, [DOCS_PREFIX])
    clean_stale(target.parent, [NEW_PREFIX, OLD_PREFIX])
    stages = Stages(echo, 6)
    with stages.stage(f"读取并校验数据包 {package}"):
        report = validate_package(package, paths.reference, today=today, settings=settings.data)
        if not report.ok or report.frame is None:
            raise DataError(format_text(report) + "\n构建已停止，原网站保持不变。")
        echo(f"      {report.rows:,} 条记录，编码 {report.encoding}")
    ref = load_reference(paths.reference)
    metrics = load_metrics(paths.metrics_file, [c.name for c in ref.categories])
    with stages.stage("隐私检查：数据包字段与手写页面"):
        gate_sources(report.frame, report.csv_path, paths.site_src, institutional(settings))
    with stages.stage("统计汇总"):
        release = release_inputs(paths, report.frame,
                                 official=is_release(paths, package, site_dir))
        with cached(paths.work / "disclosure"):
            agg = aggregate(report.frame, metrics, ref, unrecorded=report.unrecorded,
                            provisional=release.provisional, history=release.history)
    # Both temporary folders are removed on every way out, KeyboardInterrupt included.
    with temp_folder(paths.work, DOCS_PREFIX) as docs, \
            temp_folder(target.parent, NEW_PREFIX) as new_site:
        day = today or settings.data.today()
        config = load_mkdocs_config(paths.mkdocs_yml, docs, new_site, settings, [
            *(d.name for d in ref.districts), *(s.name for s in ref.streets)],
            generated_dates(day, agg.months[0], agg.latest_month))
        with stages.stage("渲染页面和开放数据"):
            result = render_docs(paths, agg, ref, metrics, docs, day, release, report.csv_path)
        if result.menu is not None:  # with the business type pages of data/business.yml
            config["nav"] = result.menu
        with stages.stage("mkdocs 构建网站"):
            run_mkdocs(config)
        write_marker(new_site)
        with stages.stage("隐私检查：生成的网站"):
            scanned = gate_site(new_site, institutional(settings))
        check_site_dir(paths, package, site_dir)  # unchanged while we built?
        outcome = record(paths, release, result.published, agg.months, result.keys)
        swap(new_site, target)
    echo(
        f"构建完成：{result.pages} 个页面、{result.data_files} 个开放数据文件，"
        f"发布 {report.rows:,} 条记录（{agg.months[0]} 至 {agg.latest_month}）的统计；"
        f"隐私检查扫描 {scanned} 个文件，未发现个人信息。"
        + (f"发布记录 data/releases/{agg.latest_month}.jsonl {RECORD_OUTCOMES[outcome]}。"
           if outcome else "")
        + f"网站位于 {site_dir}，总用时 {stages.elapsed:.1f} 秒。"
    )

"""The `ecoportal` command line: each command parses its options and calls one function.

Heavy modules are imported inside each command so `ecoportal --help` stays instant.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from generator import __version__
from generator.cli_zh import install as install_chinese_click_messages

if TYPE_CHECKING:
    from generator.paths import ProjectPaths

install_chinese_click_messages()

SAMPLE_YEARS = (2000, 2099)
"""Years a sample package may cover."""
INTERRUPTED_EXIT = 130
"""Exit code after Ctrl-C (128 + SIGINT), as shells report it."""


class PortalGroup(click.Group):
    """The command group, with the last resort: no traceback ever reaches the user.

    Expected failures are PortalErrors (click prints "错误：…" and exits 1); click's own usage
    errors and exits pass through. Anything else is a bug: a short Chinese message and the
    path of a masked, owner-only log holding the traceback (generator.crashlog).
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("已中断。未完成的输出没有写出，原有文件保持不变。", err=True)
            ctx.exit(INTERRUPTED_EXIT)
        except Exception as exc:  # the one deliberate catch-all: the last resort
            from generator.crashlog import crash_message, write_crash_log

            path = write_crash_log(exc)
            click.echo(f"错误：{crash_message(exc, path)}", err=True)
            ctx.exit(1)


@click.group(cls=PortalGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ecoportal")
@click.option("--project", "project", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="门户项目文件夹（含 mkdocs.yml 和 data/settings.yml）；"
              "默认从当前文件夹向上查找。")
@click.pass_context
def main(ctx: click.Context, project: Path | None) -> None:
    """生态环境接诉即办公开门户：由匿名化诉求数据生成静态网站。"""
    from generator.memory import keep_freed_memory

    if ctx.invoked_subcommand != "intake":  # the batch commands, not the long-running service
        keep_freed_memory()
    ctx.obj = project


def _project(ctx: click.Context) -> ProjectPaths:
    """The project of this invocation (--project, else found from the current directory)."""
    from generator.paths import find_project

    return find_project(ctx.find_root().obj)


@main.command()
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="写出数据包的文件夹（默认为项目的 data/complaints）。")
@click.option("--end", "end", type=click.DateTime(["%Y-%m"]), default="2026-10",
              show_default=True, help="最后一个月（YYYY-MM）。")
@click.option("--months", type=click.IntRange(1, 240), default=24, show_default=True,
              help="覆盖的月数。")
@click.option("--records", type=click.IntRange(1), default=None,
              help="总记录数；默认按每月约 3,000–5,000 件生成。")
@click.option("--seed", type=int, default=20240101, show_default=True, help="随机种子。")
@click.pass_context
def sample(ctx: click.Context, out: Path | None, end: dt.datetime, months: int,
           records: int | None, seed: int) -> None:
    """按固定随机种子生成逼真的样例数据包。"""
    from generator.errors import DataError
    from generator.sample import write_sample

    end_month = end.date().replace(day=1)
    first_year = (end_month.year * 12 + end_month.month - months) // 12
    if not (SAMPLE_YEARS[0] <= first_year and end_month.year <= SAMPLE_YEARS[1]):
        raise DataError(f"--end {end_month.year:04d}-{end_month.month:02d} 与 --months {months} "
                        "无效：样例数据的月份应在 "
                        f"{SAMPLE_YEARS[0]} 年到 {SAMPLE_YEARS[1]} 年之间。"
                        "请修改 --end 或 --months。")
    project = _project(ctx)
    summary = write_sample(out or project.complaints, end_month=end_month, months=months,
                           records=records, seed=seed, root=project.root)
    click.echo(summary)


@main.command()
@click.argument("path", type=click.Path(path_type=Path), required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="报告格式。")
@click.option("--max-errors", type=click.IntRange(1), default=200, show_default=True,
              help="文本报告最多列出的错误条数（JSON 报告列出全部）。")
@click.pass_context
def validate(ctx: click.Context, path: Path | None, fmt: str, max_errors: int) -> None:
    """检查数据包是否符合数据契约和跨字段规则。

    PATH 为数据包文件夹或其 datapackage.json，默认为项目的 data/complaints。
    """
    from generator.dataset.report import format_json, format_text
    from generator.dataset.validate import validate_package

    project = _project(ctx)
    report = validate_package(path or project.complaints, project.reference,
                              settings=project.settings.data)
    if fmt == "json":
        click.echo(format_json(report))
    else:
        click.echo(format_text(report, max_errors=max_errors))
    sys.exit(0 if report.ok else 1)


@main.command()
@click.option("--package", "package", type=click.Path(path_type=Path), default=None,
              help="要发布的数据包（默认为项目的 data/complaints）。")
@click.option("--site-dir", type=click.Path(path_type=Path), default=None,
              help="网站输出文件夹（默认为项目的 site/；构建成功后整体替换）。")
@click.pass_context
def build(ctx: click.Context, package: Path | None, site_dir: Path | None) -> None:
    """校验、隐私检查、统计、渲染并构建整个网站（原子替换 site/）。"""
    from generator.pipeline import build_site

    project = _project(ctx)
    build_site(project, package=(package or project.complaints).absolute(),
               site_dir=(site_dir or project.site).absolute(), echo=click.echo)


@main.command()
@click.option("--port", type=int, default=8000, show_default=True, help="本机端口。")
@click.option("--no-build", is_flag=True, help="不重新构建，直接预览现有 site/。")
@click.pass_context
def serve(ctx: click.Context, port: int, no_build: bool) -> None:
    """构建网站并在 http://127.0.0.1:PORT/ 预览。"""
    from generator.pipeline import build_site
    from generator.site.preview import serve_site

    project = _project(ctx)
    if not no_build:
        build_site(project, package=project.complaints, site_dir=project.site,
                   echo=click.echo)
    serve_site(project.site, port=port, echo=click.echo)


@main.command("import")
@click.argument("raw", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--profile", "profile", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="导入映射档案（YAML），如 data/profiles/beijing-12345.yml。")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="写出数据包的文件夹（另写 rejects.csv、unplaced.csv 和 out_of_scope.csv）。")
@click.option("--key-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="化名密钥文件；默认读环境变量 ECOPORTAL_PSEUDONYM_KEY 或 ECOPORTAL_KEY_FILE。")
@click.pass_context
def import_cmd(ctx: click.Context, raw: Path, profile: Path, out: Path,
               key_file: Path | None) -> None:
    """把 12345 原始导出（CSV 或 XLSX）按映射档案匿名化，写成数据包。"""
    from generator.ingest.importer import import_export

    result = import_export(raw, profile, out, _project(ctx), key_file=key_file)
    click.echo(result.summary())


@main.command()
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="密钥文件路径，如 ~/.ecoportal/pseudonym.key（不要放在仓库里）。")
def keygen(out: Path) -> None:
    """生成化名密钥（32 字节随机数，十六进制），文件权限 0600，不覆盖已有文件。"""
    from generator.privacy.pseudonym import KEY_FILE_ENV, generate_key_file

    path = generate_key_file(out)
    click.echo(f"已生成化名密钥：{path}（权限 0600）。请设置环境变量 {KEY_FILE_ENV}={path}，"
               "并妥善备份：换密钥后化名会全部改变。")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="报告格式。")
@click.pass_context
def scan(ctx: click.Context, paths: tuple[Path, ...], fmt: str) -> None:
    """扫描文件或文件夹（CSV、JSON、Markdown、HTML、TXT、YAML）中的疑似个人信息；发现即退出码 1。"""
    from generator.errors import ConfigError
    from generator.privacy.detectors import DEFAULT_INSTITUTIONAL
    from generator.privacy.gate import institutional
    from generator.privacy.scan import format_json, format_report, scan_paths

    # Inside a project its institutional mailboxes and numbers apply; elsewhere the defaults.
    try:
        project = _project(ctx)
    except ConfigError:  # no project here: a broken --project or settings file still fails
        if ctx.find_root().obj is not None:
            raise
        allow = DEFAULT_INSTITUTIONAL
    else:
        allow = institutional(project.settings)
    report = scan_paths(paths, allow)
    click.echo(format_json(report) if fmt == "json" else format_report(report))
    sys.exit(1 if report.findings else 0)


# --- intake: the pre-opening consultation service (issue 11) -------------------------------
# Commands of the `intake` group. Each calls one function of generator.intake; the service's
# inputs (form versions, data/intake.yml, the city's zone and the site's name) come from
# _intake_service, so generator.intake never reads the site's settings itself.

if TYPE_CHECKING:
    from generator.intake.server import Service

STORE_ENV = "ECOPORTAL_INTAKE_STORE"
_store_option = click.option(
    "--store", "store", required=True, envvar=STORE_ENV,
    type=click.Path(file_okay=False, path_type=Path),
    help=f"受理数据库所在的文件夹（仅本账户可读写）；也可设环境变量 {STORE_ENV}。")


@main.group()
def intake() -> None:
    """开业前咨询受理服务：运行服务、导出表格、标记状态、删除、清理和统计。"""


def _intake_service(ctx: click.Context) -> Service:
    from generator.forms import load_versions
    from generator.intake.config import INTAKE_FILE, load_intake_config
    from generator.intake.server import Service
    from generator.reference import load_reference

    project = _project(ctx)
    return Service(load_versions(project.root, load_reference(project.reference)),
                   load_intake_config(project.root / INTAKE_FILE), project.settings.data.zone,
                   project.settings.site.name)


def _origin(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
            ) -> tuple[str, ...]:
    from generator.intake.config import check_origin

    out = []
    for value in values:
        origin = check_origin(value)
        if origin is None:
            raise click.BadParameter(f"“{value}” 不是来源：应写成 协议://域名[:端口]，不带路径，"
                                     "例如 https://sthjj.example.gov.cn")
        out.append(origin)
    return tuple(out)


@intake.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="监听地址（放在反向代理后面时保持 127.0.0.1）。")
@click.option("--port", type=click.IntRange(0, 65535), default=8081, show_default=True,
              help="端口；0 表示任选一个空闲端口。")
@_store_option
@click.option("--allow-origin", "origins", multiple=True, callback=_origin,
              help="另外允许的网站来源（可多次给出），如 http://127.0.0.1:8000。")
@click.pass_context
def intake_serve(ctx: click.Context, host: str, port: int, store: Path,
                 origins: tuple[str, ...]) -> None:
    """运行受理服务：POST /api/consultations 与 GET /healthz。"""
    from dataclasses import replace

    from generator.intake.server import serve

    service = _intake_service(ctx)
    serve(replace(service, config=service.config.with_origins(origins)), store, host=host,
          port=port, echo=click.echo)


@intake.command("export")
@_store_option
@click.option("-o", "--out", "out", required=True, type=click.Path(dir_okay=False,
              path_type=Path), help="写出的 CSV 文件（UTF-8 带 BOM）。")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="只导出这一天（YYYY-MM-DD）及以后提交的申请。")
@click.pass_context
def intake_export(ctx: click.Context, store: Path, out: Path, since: dt.datetime | None
                  ) -> None:
    """把受理数据库导出为工作人员用的 CSV 表格。"""
    from generator.intake.admin import export

    click.echo(export(_intake_service(ctx), store, out, since.date() if since else None))


@intake.command("validate")
@click.option("--store", "store", envvar=STORE_ENV, default=None,
              type=click.Path(file_okay=False, path_type=Path),
              help="同时检查该文件夹中的 consultations.csv 是否符合表格结构。")
@click.pass_context
def intake_validate(ctx: click.Context, store: Path | None) -> None:
    """检查表单定义、示例、data/intake.yml（以及 CSV 表格）。"""
    from generator.intake.admin import validate

    click.echo(validate(_intake_service(ctx), _project(ctx).root, store))


@intake.command("mark")
@click.argument("reference")
@click.argument("status", type=click.Choice(["已联系", "已办结"]))
@_store_option
@click.pass_context
def intake_mark(ctx: click.Context, reference: str, status: str, store: Path) -> None:
    """把一条申请标记为 已联系 或 已办结（记录时间）。"""
    from generator.intake.admin import mark

    service = _intake_service(ctx)
    click.echo(mark(service, store, reference, status, dt.datetime.now(service.zone)))


@intake.command("overdue")
@_store_option
@click.pass_context
def intake_overdue(ctx: click.Context, store: Path) -> None:
    """列出超过承诺的工作日仍未联系的申请。"""
    from generator.intake.admin import overdue

    service = _intake_service(ctx)
    click.echo(overdue(service, store, dt.datetime.now(service.zone).date()))


@intake.command("delete")
@click.argument("reference")
@_store_option
@click.option("--yes", is_flag=True, help="不再询问，直接删除。")
@click.pass_context
def intake_delete(ctx: click.Context, reference: str, store: Path, yes: bool) -> None:
    """按本人要求删除一条申请的全部内容（只记录编号和删除时间）。"""
    from generator.intake.admin import delete

    if not yes:
        click.confirm(f"确定永久删除 {reference} 的全部内容吗？", abort=True)
    service = _intake_service(ctx)
    click.echo(delete(service, store, reference, dt.datetime.now(service.zone)))


@intake.command("purge")
@_store_option
@click.option("--older-than", "days", type=click.IntRange(1), default=None,
              help="删除提交已超过这么多天的申请；默认为 data/intake.yml 的 retention_days。")
@click.pass_context
def intake_purge(ctx: click.Context, store: Path, days: int | None) -> None:
    """删除超过保存期限的申请（隐私说明中写明的期限）。"""
    from generator.intake.admin import purge

    service = _intake_service(ctx)
    now = dt.datetime.now(service.zone)
    click.echo(purge(service, store, days, now.date(), now))


@intake.command("stats")
@_store_option
@click.option("-o", "--out", "out", required=True, type=click.Path(dir_okay=False,
              path_type=Path), help="写出的统计文件（JSON），供网站构建读取。")
@click.pass_context
def intake_stats(ctx: click.Context, store: Path, out: Path) -> None:
    """按月统计受理量、首次联系所用工作日的中位数和按时联系的比例（少于 k 件的隐藏）。"""
    from generator.config import load_metrics
    from generator.intake.monthly import write_stats

    service = _intake_service(ctx)
    k = load_metrics(_project(ctx).metrics_file).min_complainants
    click.echo(write_stats(service, store, out, k, dt.datetime.now(service.zone).date()))


@intake.command("brief")
@click.argument("reference")
@_store_option
@click.option("-o", "--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="写出的简报文件；默认为 受理数据库文件夹/briefs/编号.md。")
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default=None,
              help="简报格式（默认按 -o 的扩展名，否则为 md）。")
@click.option("--data", "data", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="已发布网站的开放数据文件夹（默认为项目的 site/data）。")
@click.pass_context
def intake_brief(ctx: click.Context, reference: str, store: Path, out: Path | None,
                 fmt: str | None, data: Path | None) -> None:
    """为一条申请写出上门前的预访简报：申请内容、适用的规定和所在街乡的诉求情况。"""
    from generator.briefing.brief import BriefInputs, write_brief
    from generator.briefing.rules import BRIEF_FILE, load_brief_config
    from generator.reference import load_reference
    from generator.site.limits import load_limits

    project, service = _project(ctx), _intake_service(ctx)
    reference_data = load_reference(project.reference)
    limits = load_limits(project.limits_file)
    config = load_brief_config(project.root / BRIEF_FILE, service.form, limits, reference_data)
    inputs = BriefInputs(service, config, limits, reference_data, data or project.site / "data")
    click.echo(write_brief(inputs, store, reference, out, fmt, dt.datetime.now(service.zone)))

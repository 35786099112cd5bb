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

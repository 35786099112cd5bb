"""The deterministic synthetic sample: a realistic, fully fictitious complaints data package.

`write_sample` draws the table (generate.py), writes complaints.csv (UTF-8, no BOM, '\\n') and
the descriptor generated for the project (generator.dataset.contract), each through a
temporary file and os.replace, so an interrupted run never leaves a half-written file behind.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import BinaryIO

import pyarrow.csv as pacsv

from generator.config import load_metrics
from generator.dataset.schema import descriptor_bytes
from generator.errors import DataError
from generator.fileio import write_atomic
from generator.paths import ProjectPaths
from generator.reference import load_reference
from generator.sample.draw import month_starts
from generator.sample.generate import Rows, draw_rows, generate

REPO_ROOT = Path(__file__).resolve().parents[2]
"""The checkout holding data/reference/ and data/metrics.yml."""

CHUNK_ROWS = 250_000

__all__ = ["Rows", "draw_rows", "generate", "write_sample"]


def _write_csv(fh: BinaryIO, drawn: Rows) -> None:
    """complaints.csv, built and written CHUNK_ROWS rows at a time to bound memory."""
    options = pacsv.WriteOptions(quoting_style="none", quoting_header="none", eol="\n",
                                 batch_size=65536)
    first = drawn.table(0, min(CHUNK_ROWS, drawn.count))
    with pacsv.CSVWriter(fh, first.schema, write_options=options) as writer:
        writer.write_table(first)
        for start in range(CHUNK_ROWS, drawn.count, CHUNK_ROWS):
            writer.write_table(drawn.table(start, min(start + CHUNK_ROWS, drawn.count)))


def write_sample(
    out: Path, *, end_month: dt.date, months: int, records: int | None, seed: int,
    root: Path | None = None,
) -> str:
    """Write out/complaints.csv and out/datapackage.json; return a one-line Chinese summary.

    `root` is the project whose reference data, data/metrics.yml and settings are used
    (default: this checkout).
    """
    if months < 1:
        raise DataError(f"月数 {months} 无效：应为不小于 1 的整数，请修改 --months。")
    if records is not None and records < 1:
        raise DataError(f"记录数 {records} 无效：应为不小于 1 的整数，请修改 --records。")
    paths = ProjectPaths(root if root is not None else REPO_ROOT)
    ref = load_reference(paths.reference.resolve())
    metrics = load_metrics(paths.metrics_file)
    descriptor = descriptor_bytes(ref, paths.settings.data)
    end_month = end_month.replace(day=1)
    drawn = draw_rows(ref, metrics.deadlines_hours, end_month=end_month, months=months,
                      records=records, seed=seed)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        blocker = next((p for p in (out, *out.parents) if p.exists() or p.is_symlink()), out)
        raise DataError(
            f"无法写出样例数据包：{blocker} 已存在但不是文件夹。请删除或改名该文件，"
            "或用 --out 指定另一个文件夹。"
        ) from exc
    except OSError as exc:
        raise DataError(f"无法创建文件夹 {out}（{exc.strerror}）。"
                        "请检查 --out 的路径和权限。") from exc
    try:
        write_atomic(out / "complaints.csv", lambda fh: _write_csv(fh, drawn))
        write_atomic(out / "datapackage.json", descriptor)
    except OSError as exc:
        raise DataError(f"无法写出样例数据包到 {out}：{exc}。请检查该文件夹是否可写。") from exc
    first = month_starts(end_month, months)[0]
    return (
        f"已生成样例数据包 {out.as_posix()}：{drawn.count:,} 条记录，"
        f"{first:%Y-%m} 至 {end_month:%Y-%m}，随机种子 {seed}。"
    )

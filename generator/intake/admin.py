"""The staff commands on the store: export, validate, mark, overdue, delete, purge.

Each returns the Chinese text the CLI prints, or raises a PortalError with the fix. Output
names requests by reference, place and business type, never by person or phone: these lines
end up in terminals, logs and e-mails.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from generator.errors import ConfigError, DataError
from generator.fileio import check_replaceable
from generator.forms.schema import STATUSES
from generator.forms.validate import validate_submission
from generator.intake.export import csv_bytes, export_csv, validate_csv
from generator.intake.server import Service
from generator.intake.store import CSV_NAME, Store
from generator.intake.workdays import add_working_days
from generator.problems import render_text

MARKS = STATUSES[1:]
EXAMPLE = Path("forms") / "examples" / "valid.json"


def export(service: Service, store_dir: Path, out: Path, since: dt.date | None) -> str:
    header = csv_bytes([], service.versions)
    check_replaceable(out, lambda head: head.startswith(header), "申请表格（CSV）")
    with Store(store_dir, service.zone, create=False) as store:
        count = export_csv(store, service.versions, out, since=since)
    scope = f"（{since.isoformat()} 起）" if since else ""
    return f"已导出 {count} 条申请{scope}到 {out}（UTF-8 带 BOM，权限 0600）。"


def validate(service: Service, root: Path, store_dir: Path | None) -> str:
    """The definition and data/intake.yml loaded already (the CLI did): check the example
    against the form and, with a store, the staff CSV against the Table Schema."""
    lines = [f"表单定义 {service.form.source}：第 {service.form.version} 版，"
             f"{len(service.form.fields)} 个字段，正确。",
             f"受理服务设置 {service.config.source}：正确。"]
    path = root / EXAMPLE
    try:
        example = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"无法读取示例 {path}（{type(exc).__name__}）。"
                          "请从仓库恢复 forms/examples/valid.json。") from exc
    day = dt.date.fromisoformat(str(example.get("renovation_start", "2000-01-01")))
    result = validate_submission(service.form, example, today=day)
    if result.problems:
        raise ConfigError(render_text(result.problems, f"示例 {path} 不符合表单定义："),
                          result.problems)
    lines.append(f"示例 {path}：符合表单定义（按其装修开始日期检查日期范围）。")
    if store_dir is not None:
        csv_path = store_dir / CSV_NAME
        if not csv_path.exists():
            raise DataError(f"找不到 {csv_path}。请先运行 `ecoportal intake serve` 或 "
                            "`ecoportal intake export`。")
        problems = validate_csv(csv_path, service.versions)
        if problems:
            raise DataError(render_text(problems, f"{csv_path} 不符合表格结构："), problems)
        lines.append(f"{csv_path}：符合表格结构（Table Schema）。")
    return "\n".join(lines)


def mark(service: Service, store_dir: Path, reference: str, status: str,
         now: dt.datetime) -> str:
    with Store(store_dir, service.zone, create=False) as store:
        record = store.get(reference)
        if record is None:
            raise DataError(f"没有受理编号为 {reference} 的申请。"
                            "请核对编号（形如 YQ-20261201-0007）。")
        if STATUSES.index(record.status) >= STATUSES.index(status):
            raise DataError(f"{reference} 的状态已是“{record.status}”，不能改为“{status}”。"
                            "状态只能按 待联系 → 已联系 → 已办结 的顺序前进。")
        store.set_status(reference, status, now)
    return f"已将 {reference} 标记为“{status}”。工作人员用的表格将在几秒内更新。"


def overdue(service: Service, store_dir: Path, today: dt.date) -> str:
    """Requests still 待联系 after the promised working days."""
    config, late, approximate = service.config, [], False
    with Store(store_dir, service.zone, create=False) as store:
        for r in store.records():
            if r.status != STATUSES[0]:
                continue
            due = add_working_days(config.calendar, r.received_at.date(),
                                   config.reply_working_days)
            approximate |= due.approximate
            if due.day < today:
                place = "".join(str(r.values.get(k) or "") for k in ("district", "street"))
                late.append(f"  - {r.reference}：{r.received_at:%Y-%m-%d} 提交，"
                            f"应于 {due.day.isoformat()} 前联系；{place}，"
                            f"{r.values.get('business_type') or ''}")
    if not late:
        text = f"没有超过 {config.reply_working_days} 个工作日仍未联系的申请。"
    else:
        text = "\n".join([f"{len(late)} 条申请超过 {config.reply_working_days} 个工作日仍未联系"
                          "（联系后请运行 `ecoportal intake mark 编号 已联系`）：", *late])
    return text + (_APPROX if approximate else "")


_APPROX = ("\n注意：有的日期不在 data/intake.yml 的 calendar.years 中，这些日子只按周末计算；"
           "请补充该年的节假日和调休上班日。")


def delete(service: Service, store_dir: Path, reference: str, now: dt.datetime) -> str:
    """Erase one request (a person's request to erase); the log keeps only its reference."""
    with Store(store_dir, service.zone, create=False) as store:
        if not store.delete([reference], "本人申请删除", now):
            raise DataError(f"没有受理编号为 {reference} 的申请。请核对编号。")
        export_csv(store, service.versions, store_dir / CSV_NAME)
    return (f"已删除 {reference} 的全部内容，并已重新生成 {CSV_NAME}。删除记录只保存编号和时间。"
            "已导出或备份的旧文件中仍有该申请，请一并删除。")


def purge(service: Service, store_dir: Path, older_than_days: int | None,
          today: dt.date, now: dt.datetime) -> str:
    days = service.config.retention_days if older_than_days is None else older_than_days
    cutoff = today - dt.timedelta(days=days)
    with Store(store_dir, service.zone, create=False) as store:
        count = store.delete(store.references_before(cutoff), f"超过保存期限 {days} 天", now)
        export_csv(store, service.versions, store_dir / CSV_NAME)
    return (f"已删除 {cutoff.isoformat()} 之前提交的 {count} 条申请（保存期限 {days} 天），"
            f"并已重新生成 {CSV_NAME}。")

"""`ecoportal intake brief REF`: the pre-visit brief of one consultation request (未诉先办).

What staff take to the site: the request with the form's labels, the rules that apply to it
(blocking prohibitions such as air law Art. 81 first; every number from data/limits.yml
through the rules of data/brief.yml), and the street's complaint history from the published
open data. The brief holds the applicant's contact details, so it is written owner-only
(0600) through the atomic helper, and nothing personal is printed: the command's output names
only the reference and the file.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.briefing.doc import (
    Document,
    Heading,
    Items,
    Para,
    Table,
    to_html,
    to_markdown,
)
from generator.briefing.history import history_blocks, load_published
from generator.briefing.rules import (
    PLACEHOLDER_RE,
    BriefConfig,
    Limits,
    Rule,
    classify,
    table_of,
    verdict,
)
from generator.errors import DataError
from generator.fileio import check_replaceable, write_text_atomic
from generator.forms import FormDefinition
from generator.intake.server import Service
from generator.intake.store import Record, Store
from generator.reference import Reference
from generator.site.limits import format_cell
from generator.text import shown

FORMATS = ("md", "html")
UNANSWERED = "未填写"
CONFIDENCE_NOTES = {"secondary": "（数值来自二手转载文本，未读到原文）",
                    "unverified": "（未能核实现行有效性）"}


@dataclass(frozen=True)
class BriefInputs:
    """What the brief is made from besides the request (loaded by the caller)."""

    service: Service
    config: BriefConfig
    limits: Limits
    reference: Reference
    published: Path
    """The published site's open-data folder (site/data/)."""


def shown_value(form: FormDefinition, name: str, values: dict[str, Any]) -> str:
    value = values.get(name)
    if value is None or value == "" or value == []:
        return UNANSWERED
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def _form_of(service: Service, record: Record) -> FormDefinition:
    found = [f for f in service.versions if f.version == record.form_version]
    return found[0] if found else service.form


def request_blocks(form: FormDefinition, record: Record) -> list[Any]:
    rows = [("编号", record.reference),
            ("提交时间", f"{record.received_at:%Y-%m-%d %H:%M}"),
            ("状态", record.status),
            ("首次联系", f"{record.contacted_at:%Y-%m-%d %H:%M}" if record.contacted_at
             else "尚未联系")]
    for f in form.stored:
        if f.type == "consent":
            rows.append(("同意隐私说明", f"{shown_value(form, f.name, record.values)}"
                         f"（隐私说明版本 {record.privacy_version}）"))
        else:
            rows.append((f.label, shown_value(form, f.name, record.values)))
    if record.warnings:
        rows.append(("提交时的提醒", record.warnings))
    rows.append(("表单版本", str(record.form_version)))
    return [Heading(2, "申请内容"), Table(("项目", "填写内容"), tuple(rows))]


def limits_table(limits: Limits, name: str, rows: list[list[Any]] | None = None) -> Table:
    """A table of data/limits.yml as the guides show it: caption with unit, cite, note."""
    table = table_of(limits, name)
    unit = f"（单位：{table['unit']}）" if table.get("unit") else ""
    note = f"依据：{table['cite']}，{table['publisher']}" + CONFIDENCE_NOTES.get(
        table["confidence"], "") + "。" + (f"{table['note']}" if table.get("note") else "")
    return Table(tuple(table["columns"]), tuple(
        tuple(format_cell(c) for c in row) for row in (rows or table["rows"])),
        caption=table["title"] + unit, note=note)


def rule_blocks(rule: Rule, state: str, form: FormDefinition, values: dict[str, Any],
                limits: Limits, number: int, shown_in: dict[str, int]) -> list[Any]:
    """The rule's heading, the facts that call it up, its text and tables; a table already
    shown under an earlier rule (`shown_in`: table → rule number) is referred to instead."""
    mark = "【禁止情形】" if rule.blocking and state == "applies" else (
        "【待现场核实】" if state == "unsure" else "")
    blocks: list[Any] = [Heading(3, f"{number}. {mark}{rule.title}")]
    facts = [f"{form.field(n).label}：{shown_value(form, n, values)}" for n in rule.fields()
             if n in form.names]
    if facts:
        blocks.append(Para("依据申请所填：" + "；".join(facts) + "。"))
    blocks.append(Para(PLACEHOLDER_RE.sub(
        lambda m: shown_value(form, m.group(1), values) if m.group(1) in form.names
        else m.group(0), rule.text)))
    if rule.size is not None:
        number_value = values.get(rule.size.field)
        row = classify(rule.size, limits, number_value) if isinstance(number_value, int) else None
        table = table_of(limits, rule.size.table)
        if row is None:
            blocks.append(Para(f"{form.field(rule.size.field).label}未填写或不在"
                               f"{table['title']}的范围内，规模须现场确认。", strong=True))
        else:
            label = row[table["columns"].index(rule.size.class_column)]
            blocks.append(Para(f"{form.field(rule.size.field).label} {number_value} → "
                               f"{label}（按{table['cite']}）。", strong=True))
            blocks.append(limits_table(limits, rule.size.table, [row]))
    for name in rule.tables:
        if name in shown_in:
            blocks.append(Para(f"{table_of(limits, name)['title']}：见第 {shown_in[name]} 条。"))
        else:
            shown_in[name] = number
            blocks.append(limits_table(limits, name, None))
    return blocks


def build_brief(inputs: BriefInputs, record: Record, now: dt.datetime) -> Document:
    form = _form_of(inputs.service, record)
    values = record.values
    found = [(rule, state) for rule in inputs.config.rules
             if (state := verdict(rule, values)) is not None]
    blocking = [(r, s) for r, s in found if r.blocking]
    ordered = blocking + [(r, s) for r, s in found if not r.blocking]
    company = shown_value(form, "company", values) if "company" in form.names else ""
    doc = Document(f"预访简报：{record.reference} {company}".strip())
    doc.add(Para("工作文件：含申请人的联系方式，仅供承办人员联系和上门使用，不得转发、不得公开；"
                 "用毕请删除。", strong=True),
            Para(f"生成时间：{now:%Y-%m-%d %H:%M}。限值取自 data/limits.yml，"
                 "适用关系见 data/brief.yml。"))
    doc.add(Heading(2, "需要首先注意"))
    if blocking:
        doc.add(Items(tuple(("禁止情形：" if s == "applies" else "待现场核实，可能属于禁止情形：")
                            + r.title for r, s in blocking)))
    else:
        doc.add(Para("按申请所填，没有发现禁止情形。"))
    doc.add(*request_blocks(form, record))
    doc.add(Heading(2, "适用的规定"))
    if not ordered:
        doc.add(Para("按申请所填，data/brief.yml 中没有适用的规则；请按业态查阅办事指南。"))
    shown_in: dict[str, int] = {}
    for i, (rule, state) in enumerate(ordered, 1):
        doc.add(*rule_blocks(rule, state, form, values, inputs.limits, i, shown_in))
    published = load_published(inputs.published)
    doc.add(*history_blocks(published, inputs.reference, str(values.get("district", "")),
                            str(values.get("street", "")), inputs.config.categories,
                            inputs.config.months))
    return doc


def default_out(store_dir: Path, reference: str, fmt: str) -> Path:
    """<store>/briefs/<REF>.<fmt>: beside the store, in an owner-only folder."""
    folder = store_dir / "briefs"
    folder.mkdir(mode=0o700, exist_ok=True)
    os.chmod(folder, 0o700)
    return folder / f"{reference}.{fmt}"


def _is_brief(head: bytes) -> bool:
    """A brief this command wrote (Markdown or HTML), the only kind it replaces."""
    text = head.decode("utf-8", errors="replace")
    return text.startswith("# 预访简报：") or (text.startswith("<!DOCTYPE html>")
                                            and "<title>预访简报：" in text)


def write_brief(inputs: BriefInputs, store_dir: Path, reference: str, out: Path | None,
                fmt: str | None, now: dt.datetime) -> str:
    """Write the brief of `reference`; the message names only the reference and the file."""
    with Store(store_dir, inputs.service.zone, create=False) as store:
        record = store.get(reference.strip())
    if record is None:
        raise DataError(
            f"受理数据库 {store_dir} 中没有编号为 “{shown(reference, 40)}” 的申请。请核对编号"
            "（形如 YQ-年月日-序号，见 `ecoportal intake overdue` 或导出的表格）；"
            "该申请也可能已按本人要求删除或已过保存期限被清理。")
    kind = fmt or (out.suffix.lstrip(".") if out is not None
                   and out.suffix.lstrip(".") in FORMATS else "md")
    doc = build_brief(inputs, record, now)
    text = to_html(doc) if kind == "html" else to_markdown(doc)
    target = out if out is not None else default_out(store_dir, record.reference, kind)
    if not target.parent.is_dir():
        raise DataError(f"无法写出简报：文件夹 {shown(target.parent)} 不存在。"
                        "请先建立该文件夹，或用 -o 指定已有文件夹中的文件。")
    check_replaceable(target, _is_brief, "预访简报")
    write_text_atomic(target, text, mode=0o600)
    return (f"已写出 {record.reference} 的预访简报：{target}（仅本账户可读写；"
            "含申请人联系方式，请勿转发）。")

"""Validation results and their Chinese text / JSON reports."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from generator.problems import Problem
from generator.text import ESCAPED_NOTE, has_escapes, shown

MAX_STORED_ISSUES = 10_000


Issue = Problem
"""A validation problem is a generator.problems.Problem: `row` counts the header as row 1
(as frictionless does; None for the header itself), `code` is the frictionless error type
or cross-field-error / time-window-error / unrecorded-error, `value` the cell as reports show
it (personal data masked, invisible characters escaped, cut; `escaped` says so)."""


@dataclass
class ValidationReport:
    ok: bool
    package: Path
    csv_path: Path
    encoding: str
    rows: int
    issues: list[Problem]
    issue_count: int
    frame: pd.DataFrame | None = None
    field_titles: dict[str, str] = field(default_factory=dict)
    unrecorded: frozenset[str] = frozenset()
    """Fields the package declares unrecorded (resources[0].unrecordedFields): their cells
    are all empty, and figures that need them are 未记录, never 0."""


Text = str | Callable[[int], str]


@dataclass
class _Batch:
    code: str
    field: str | None
    order: int
    rows: npt.NDArray[np.int64]
    values: Sequence[str | None] | None
    message: Text
    fix: Text
    count: int


class IssueSink:
    """Collects issues in vectorised batches; keeps the first MAX_STORED_ISSUES by row."""

    def __init__(self, file: str, field_order: Sequence[str]) -> None:
        self.file = file
        self._order = {name: i for i, name in enumerate(field_order)}
        self._batches: list[_Batch] = []
        self.count = 0

    def add(
        self,
        code: str,
        field: str | None,
        rows: npt.ArrayLike,
        values: Sequence[str | None] | None,
        message: Text,
        fix: Text,
    ) -> None:
        """`rows` ascending; `values` (if given) and callable texts are indexed like `rows`.

        Only the first MAX_STORED_ISSUES entries are kept, so `values` may be that long only.
        """
        arr = np.asarray(rows, dtype=np.int64)
        if len(arr) == 0:
            return
        self.count += len(arr)
        order = self._order.get(field or "", len(self._order))
        kept = arr[:MAX_STORED_ISSUES]
        self._batches.append(_Batch(code, field, order, kept, values, message, fix, len(arr)))

    def issues(self) -> list[Problem]:
        keyed: list[tuple[int, int, int, int, str | None, Text, Text]] = []
        for b_index, b in enumerate(self._batches):
            for i, row in enumerate(b.rows.tolist()):
                value = b.values[i] if b.values is not None else None
                keyed.append((row, b.order, b_index, i, value, b.message, b.fix))
        keyed.sort(key=lambda k: k[:3])
        shown_values: dict[str, tuple[str, bool]] = {}
        out = []
        for row, _, b_index, i, value, message, fix in keyed[:MAX_STORED_ISSUES]:
            b = self._batches[b_index]
            text, escaped = None, False
            if value is not None:
                if value not in shown_values:
                    shown_values[value] = (displayed(value), has_escapes(masked(value)))
                text, escaped = shown_values[value]
            out.append(Problem(
                self.file,
                message(i) if callable(message) else message,
                fix(i) if callable(fix) else fix,
                row=None if row <= 1 else row,
                field=b.field,
                value=text,
                code=b.code,
                escaped=escaped,
            ))
        return out


def masked(value: str) -> str:
    """`value` with anything the personal-data scanner recognises replaced by its masked form
    (a phone number put in a wrong column must not reach a terminal or a CI log)."""
    from generator.privacy.scan import scan_text

    out = value
    for match in sorted(scan_text(value), key=lambda m: m.start, reverse=True):
        out = out[: match.start] + match.masked + out[match.end :]
    return out


def displayed(value: str) -> str:
    """A cell value as reports show it: masked, invisible characters escaped, cut to ~80."""
    return shown(masked(value))


def _line(issue: Problem, titles: dict[str, str]) -> str:
    where = "表头" if issue.row is None else f"第 {issue.row} 行"
    if issue.field:
        title = titles.get(issue.field)
        where += f"，字段 {issue.field}（{title}）" if title else f"，字段 {issue.field}"
    if issue.value is None:
        return f"{where}：{issue.message}。修正方法：{issue.fix}。"
    note = ESCAPED_NOTE if issue.escaped else ""
    return f"{where}：值 “{issue.value}” {issue.message}。修正方法：{issue.fix}。{note}"


def format_text(report: ValidationReport, max_errors: int = 200) -> str:
    """Chinese report: file and encoding, one line per issue (at most max_errors), summary."""
    lines = [f"文件 {report.csv_path}（编码：{report.encoding}，共 {report.rows:,} 行）"]
    shown = report.issues[:max_errors]
    lines += [_line(i, report.field_titles) for i in shown]
    if report.issue_count > len(shown):
        lines.append(
            f"……另有 {report.issue_count - len(shown):,} 处错误未列出"
            "（用 --format json 查看更多）。"
        )
    lines.append("校验通过" if report.ok else f"发现 {report.issue_count:,} 处错误")
    return "\n".join(lines)


def format_json(report: ValidationReport) -> str:
    """The same content as format_text, machine-readable (all stored issues)."""
    payload: dict[str, Any] = {
        "valid": report.ok,
        "file": str(report.csv_path),
        "encoding": report.encoding,
        "rows": report.rows,
        "error_count": report.issue_count,
        "errors": [
            {
                "file": i.file,
                "row": i.row,
                "field": i.field,
                "value": i.value,
                "code": i.code,
                "message": i.message,
                "fix": i.fix,
            }
            for i in report.issues
        ],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2)

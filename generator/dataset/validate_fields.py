"""Schema checks, vectorised, reporting exactly what frictionless `validate` reports.

Frictionless semantics reproduced here (measured against frictionless 5):
- fields are matched to columns by position; labels are stripped before comparison;
- blank / duplicate / incorrect labels for positions with a field, extra-label past the schema,
  missing-label for fields past the header (those fields are then not checked in rows);
- rows are compared with the header: missing-cell for absent cells (treated as empty), extra-cell
  for cells past the header; a row whose cells are all empty is only a blank-row (plus a
  primary-key error, its key being empty);
- per cell: empty → required check only; else type check (a type error skips constraints);
  else enum and pattern (`re.match("^" + pattern + "$")`); unique and primary-key report the
  second and later occurrences.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from generator.dataset.contract import REFERENCE_FILES, UNRECORDED_KEY
from generator.dataset.load import RawTable, as_numpy_bool, empty_mask, parse_datetimes
from generator.dataset.report import IssueSink
from generator.dataset.schema import Field

_DT_FIX = "按 YYYY-MM-DDTHH:MM:SS 填写，例如 2024-03-01T08:30:00"
_PATTERN_HINTS = {
    "^[A-Z]{2}[0-9A-F]{12}$": "2 个大写字母加 12 位十六进制字符（0–9、A–F），例如 GD0123456789AB",
    "^L[0-9a-f]{16}$": "字母 L 加 16 位小写十六进制字符，例如 L0123456789abcdef",
    "^P[0-9a-f]{16}$": "字母 P 加 16 位小写十六进制字符，例如 P0123456789abcdef",
}
"""The pseudonym formats (generator.privacy.pseudonym), said in words."""
_LISTED_VALUES = 20
"""Enums up to this size are listed in the fix; longer ones point to the reference file."""


def _enum_texts(f: Field, reference_label: str) -> tuple[str, str]:
    """(message, fix) for a value outside the field's enum."""
    file = REFERENCE_FILES.get(f.name)
    assert f.enum is not None
    listed = "只能填写以下之一：" + "、".join(f.enum)
    if file is None:
        return "不在允许的取值范围内", listed
    path = f"{reference_label}/{file}"
    if len(f.enum) <= _LISTED_VALUES:
        return f"不在参考数据 {path} 中", f"{listed}（见 {path}）"
    return f"不在参考数据 {path} 中", f"按 {path} 填写{f.title}"


@dataclass
class FieldResult:
    """What later stages reuse: row masks and the parsed typed values."""

    blank: npt.NDArray[np.bool_]
    row_has_error: npt.NDArray[np.bool_]
    header_ok: bool
    datetimes: dict[str, npt.NDArray[np.datetime64]] = field(default_factory=dict)
    valid_times: dict[str, npt.NDArray[np.bool_]] = field(default_factory=dict)
    """Datetime field → cells that hold a valid time (the value may be NaT past year 2261)."""
    empties: dict[str, npt.NDArray[np.bool_]] = field(default_factory=dict)


def take_values(col: pa.ChunkedArray, idx: npt.NDArray[np.intp]) -> list[str | None]:
    out: list[str | None] = col.take(pa.array(idx[:10_000])).to_pylist()
    return out


def check_header(labels: Sequence[str], fields: Sequence[Field], sink: IssueSink) -> bool:
    names = [f.name for f in fields]
    stripped = [lab.strip() for lab in labels]
    expected = "、".join(names)
    ok = True
    for j in range(len(fields), len(labels)):
        ok = False
        sink.add(
            "extra-label",
            None,
            [1],
            [labels[j]],
            f"是表头第 {j + 1} 列，数据契约中没有这一列（契约共 {len(fields)} 列）",
            "删除这一列，或检查是否多了逗号",
        )
    for j in range(len(labels), len(fields)):
        ok = False
        sink.add(
            "missing-label",
            names[j],
            [1],
            None,
            f"表头缺少这一列（应为第 {j + 1} 列）",
            f"按数据契约的顺序补齐表头：{expected}",
        )
    for j, (name, label) in enumerate(zip(names, stripped, strict=False)):
        if not label:
            ok = False
            sink.add("blank-label", name, [1], None, f"表头第 {j + 1} 列为空", f"填写列名 {name}")
        elif label in stripped[:j]:
            ok = False
            sink.add(
                "duplicate-label",
                name,
                [1],
                [labels[j]],
                f"在表头第 {j + 1} 列与第 {stripped.index(label) + 1} 列重复",
                f"第 {j + 1} 列应为 {name}；表头顺序应为：{expected}",
            )
        elif label != name:
            ok = False
            sink.add(
                "incorrect-label",
                name,
                [1],
                [labels[j]],
                f"是表头第 {j + 1} 列，但这一列应为 {name}",
                f"按数据契约的顺序排列表头：{expected}",
            )
    return ok


def _structure(
    raw: RawTable, fields: Sequence[Field], sink: IssueSink, blank: npt.NDArray[np.bool_]
) -> None:
    n = len(raw.labels)
    short: dict[int, list[int]] = {}
    for i, count in sorted(raw.cell_counts.items()):
        if blank[i]:
            continue
        for j in range(count, n):
            short.setdefault(j, []).append(i)
        for k, cell in enumerate(raw.extra_cells.get(i, [])):
            sink.add(
                "extra-cell",
                None,
                [raw.row_numbers[i]],
                [cell],
                f"是本行第 {n + k + 1} 个单元格，超出表头的 {n} 列",
                "删除多余的单元格；若值中含逗号，请给该值加英文双引号",
            )
    for j, rows in short.items():
        name = fields[j].name if j < len(fields) else raw.labels[j]
        counts = [raw.cell_counts[i] for i in rows]
        sink.add(
            "missing-cell",
            name,
            raw.row_numbers[rows],
            None,
            [f"本行缺少这一单元格（本行只有 {c} 列，表头有 {n} 列）" for c in counts].__getitem__,
            "补齐该行缺少的单元格（空值也要保留逗号）",
        )


def _python_pattern_misses(values: list[str | None], pattern: str) -> list[bool]:
    compiled = re.compile(f"^{pattern}$")
    return [v is not None and compiled.match(v) is None for v in values]


def check_rows(
    raw: RawTable,
    fields: Sequence[Field],
    primary_key: Sequence[str],
    sink: IssueSink,
    header_ok: bool,
    *,
    unrecorded: frozenset[str] = frozenset(),
    reference_label: str = "data/reference",
) -> FieldResult:
    """Check every cell; a field in `unrecorded` must be empty throughout (its other
    constraints are not checked: it holds no values)."""
    n_rows = raw.rows
    width = min(len(raw.labels), len(fields))
    empties = [empty_mask(raw.columns[j]) for j in range(len(raw.labels))]
    blank = np.logical_and.reduce(empties) if empties else np.zeros(n_rows, bool)
    for i, extra in raw.extra_cells.items():
        if any(extra):
            blank[i] = False
    bad_row = blank.copy()
    result = FieldResult(blank, bad_row, header_ok)
    blank_idx = np.flatnonzero(blank)
    sink.add("blank-row", None, raw.row_numbers[blank_idx], None, "是空行", "删除这一空行")
    _structure(raw, fields, sink, blank)
    for i in raw.cell_counts:
        bad_row[i] = True
    rows = raw.row_numbers
    active = ~blank
    for j in range(width):
        f, col, empty = fields[j], raw.columns[j], empties[j]
        result.empties[f.name] = empty
        if f.required:
            idx = np.flatnonzero(empty & active)
            bad_row[idx] = True
            sink.add(
                "constraint-error", f.name, rows[idx], None, "为必填项，不能为空", f"填写{f.title}"
            )
        filled = ~empty & active
        if f.name in unrecorded:
            if f.type == "datetime":
                result.datetimes[f.name] = np.full(n_rows, np.datetime64("NaT"), "datetime64[ns]")
            idx = np.flatnonzero(filled)
            bad_row[idx] = True
            sink.add(
                "unrecorded-error", f.name, rows[idx], take_values(col, idx),
                f"已填写，但数据包声明未记录这个字段（datapackage.json 的 {UNRECORDED_KEY}）",
                f"未记录的字段所有单元格都应为空：删除这些值，或把 {f.name} 从 {UNRECORDED_KEY} "
                "中去掉（用 ecoportal import 重新生成数据包）",
            )
            continue
        typed_ok = np.ones(n_rows, bool)
        if f.type == "datetime":
            typed_ok, values = parse_datetimes(col, f.format or "%Y-%m-%dT%H:%M:%S")
            result.datetimes[f.name] = values
            result.valid_times[f.name] = typed_ok & filled
            idx = np.flatnonzero(~typed_ok & filled)
            fix = _DT_FIX if (f.format or "") == "%Y-%m-%dT%H:%M:%S" else f"按格式 {f.format} 填写"
            sink.add("type-error", f.name, rows[idx], take_values(col, idx), "不是有效的时间", fix)
        elif f.type == "boolean":
            allowed = pa.array(list(f.true_values + f.false_values), pa.string())
            typed_ok = as_numpy_bool(pc.is_in(col, value_set=allowed)) | empty
            idx = np.flatnonzero(~typed_ok & filled)
            choices = "或".join(f"“{v}”" for v in f.true_values + f.false_values)
            sink.add(
                "type-error",
                f.name,
                rows[idx],
                take_values(col, idx),
                "不是有效的是/否值",
                f"只能填写{choices}，或留空",
            )
        bad_row[~typed_ok & filled] = True
        check = filled & typed_ok
        if f.enum is not None and f.type == "string":
            inside = as_numpy_bool(pc.is_in(col, value_set=pa.array(list(f.enum), pa.string())))
            idx = np.flatnonzero(check & ~inside)
            bad_row[idx] = True
            message, fix = _enum_texts(f, reference_label)
            sink.add("constraint-error", f.name, rows[idx], take_values(col, idx), message, fix)
        if f.pattern is not None and f.type == "string":
            wrapped = f"^{f.pattern}$"
            try:
                matched = as_numpy_bool(pc.match_substring_regex(col, wrapped))
            except pa.ArrowInvalid:  # a pattern RE2 cannot compile: Python decides alone
                matched = np.zeros(n_rows, bool)
            cand = np.flatnonzero(check & ~matched)
            if len(cand):
                misses = _python_pattern_misses(col.take(pa.array(cand)).to_pylist(), f.pattern)
                idx = cand[np.asarray(misses, dtype=bool)]
                bad_row[idx] = True
                hint = _PATTERN_HINTS.get(f.pattern, f"符合正则表达式 {f.pattern}")
                sink.add(
                    "constraint-error",
                    f.name,
                    rows[idx],
                    take_values(col, idx),
                    "格式不对",
                    f"应为{hint}",
                )
        if f.unique:
            _unique(col, rows, filled, f, sink, bad_row)
    if primary_key and all(k in {f.name for f in fields[:width]} for k in primary_key):
        _primary_key(raw, fields, primary_key, empties, sink, bad_row)
    return result


def _duplicates(frame: pd.DataFrame) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Positions of second and later occurrences, and the position of each one's first."""
    dup = frame.duplicated(keep="first").to_numpy()
    idx = np.flatnonzero(dup)
    if not len(idx):
        return idx, idx
    first_pos = (
        pd.Series(np.arange(len(frame)))
        .groupby([frame[c] for c in frame.columns], sort=False)
        .transform("first")
        .to_numpy()
    )
    return idx, first_pos[idx]


def _all_distinct(col: pa.ChunkedArray, pos: npt.NDArray[np.intp]) -> bool:
    """Whether the cells at `pos` are all different (the usual case, decided in Arrow: pandas
    would first turn millions of identifiers into Python strings)."""
    values = col if len(pos) == len(col) else col.take(pa.array(pos))
    return bool(pc.count_distinct(values, mode="all").as_py() == len(values))


def _unique(
    col: pa.ChunkedArray,
    rows: npt.NDArray[np.int64],
    filled: npt.NDArray[np.bool_],
    f: Field,
    sink: IssueSink,
    bad_row: npt.NDArray[np.bool_],
) -> None:
    pos = np.flatnonzero(filled)
    if _all_distinct(col, pos):
        return
    values = col.take(pa.array(pos)).to_pandas()
    idx, first = _duplicates(pd.DataFrame({"v": values}))
    if not len(idx):
        return
    hit, first_rows = pos[idx], rows[pos[first]]
    bad_row[hit] = True
    sink.add(
        "unique-error",
        f.name,
        rows[hit],
        take_values(col, hit),
        lambda k: f"与第 {first_rows[k]} 行重复，本列的值必须唯一",
        "删除重复的行，或更正其中一个编号",
    )


def _primary_key(
    raw: RawTable,
    fields: Sequence[Field],
    key: Sequence[str],
    empties: list[npt.NDArray[np.bool_]],
    sink: IssueSink,
    bad_row: npt.NDArray[np.bool_],
) -> None:
    names = [f.name for f in fields]
    cols = [names.index(k) for k in key]
    label = "、".join(key)
    null = np.logical_and.reduce([empties[j] for j in cols])
    idx = np.flatnonzero(null)
    bad_row[idx] = True
    sink.add(
        "primary-key",
        None,
        raw.row_numbers[idx],
        None,
        f"主键 {label} 为空",
        f"填写 {label}，每行都必须有且唯一",
    )
    pos = np.flatnonzero(~null)
    if len(cols) == 1 and _all_distinct(raw.columns[cols[0]], pos):
        return
    frame = pd.DataFrame(
        {k: raw.columns[j].take(pa.array(pos)).to_pandas() for k, j in zip(key, cols, strict=True)}
    )
    dup, first = _duplicates(frame)
    if len(dup):
        first_rows = raw.row_numbers[pos[first]]
        bad_row[pos[dup]] = True
        sink.add(
            "primary-key",
            None,
            raw.row_numbers[pos[dup]],
            None,
            lambda k: f"主键 {label} 与第 {first_rows[k]} 行重复",
            "删除重复的行，或更正其中一个编号",
        )

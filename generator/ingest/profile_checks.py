"""Checks of the parts of an import profile; every problem is collected as a Problem.

Each problem keeps the wording staff have read so far ("<file>：<key>：<problem>。<fix>") and
is also a structured generator.problems.Problem (key path, value, fix) for JSON callers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from generator.config import kind_of, yaml_text
from generator.dataset.schema import Field
from generator.errors import ConfigError
from generator.ingest.profile_model import COLUMN_KEYS, ColumnSpec, allowed_values
from generator.problems import ProblemList
from generator.reference import Reference
from generator.text import ESCAPED_NOTE, has_escapes, shown


class Collector:
    """The problems of one profile, as text lines and as Problems."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.errors: list[str] = []
        self.problems = ProblemList(path)
        self.escaped = False

    def add(self, key: str, problem: str, fix: str, *, value: Any = None,
            code: str = "invalid") -> None:
        self.errors.append(f"{self.path}：{key}：{problem}。{fix}")
        self.problems.add(problem, fix, key=key, code=code,
                          value=None if value is None else str(value))

    def v(self, value: Any) -> str:
        """A value from the profile, fit for a message (text quoted; escaped and cut)."""
        text = yaml_text(value)
        self.escaped |= has_escapes(text)
        return f"“{shown(text)}”" if isinstance(value, str) else shown(text)

    def now(self, value: Any) -> str:
        """"现为列表 [1]": what the profile holds instead."""
        return f"现为{kind_of(value)} {self.v(value)}" if value is not None else "现为空值"

    def raise_if_any(self) -> None:
        """One ConfigError listing every problem (text) and carrying them (structured)."""
        if not self.errors:
            return
        note = f"\n{ESCAPED_NOTE}" if self.escaped else ""
        raise ConfigError("导入映射档案有误：\n" + "\n".join(f"  - {e}" for e in self.errors)
                          + note, self.problems.items)


def is_text(value: Any) -> bool:
    """A YAML scalar usable as a name or a value (not a list, mapping, null or true/false)."""
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def text_item(c: Collector, data: dict[str, Any], key: str, where: str, *,
              required: bool = True) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        if required:
            c.add(f"{where}.{key}", "缺少必填项", f"请填写原始导出中的列名，如 `{key}: 列名`",
                  code="missing-key")
        return None
    if not is_text(value):
        c.add(f"{where}.{key}", f"应为文本，{c.now(value)}", "请写成一个列名或文字",
              value=value, code="type-error")
        return None
    return str(value)


def text_map(c: Collector, value: Any, key: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        c.add(key, f"应为“原始值: 目标值”的映射，{c.now(value)}",
              "请按 data/profiles/README.md 的格式书写", value=value, code="type-error")
        return {}
    for k, v in value.items():
        if not is_text(v):
            c.add(f"{key}.{k}", f"目标值应为文本，{c.now(v)}",
                  "请写成 `原始值: 目标值`；是/否等词请加引号", value=v, code="type-error")
    return {str(k).strip(): str(v).strip() for k, v in value.items() if is_text(v)}


def text_list(c: Collector, value: Any, key: str, example: str) -> list[str]:
    """A list of names (column names or raw values); [] with a problem otherwise."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(map(is_text, value)):
        c.add(key, "应为列名列表" if "columns" in key else "应为取值列表",
              f"例如 `{example}`", value=value, code="type-error")
        return []
    return [str(x).strip() for x in value]


def unknown_keys(c: Collector, data: dict[str, Any], allowed: set[str], where: str) -> None:
    for key in data:
        if key not in allowed:
            c.add(f"{where}{key}", f"未知的设置项{c.v(key)}",
                  f"可用的设置项：{'、'.join(sorted(allowed))}；请改正拼写或删除该项",
                  value=key, code="unknown-key")


def column_spec(c: Collector, name: str, raw: Any) -> ColumnSpec | None:
    key = f"columns.{name}"
    if isinstance(raw, str):
        raw = {"column": raw}
    if not isinstance(raw, dict):
        c.add(key, f"应为映射，{c.now(raw)}",
              f"请写成 `{name}: {{column: 原始列名}}` 或 `{name}: {{value: 固定值}}`",
              value=raw, code="type-error")
        return None
    unknown_keys(c, raw, COLUMN_KEYS, f"{key}.")
    cols: list[str] = []
    if "column" in raw:
        if is_text(raw["column"]):
            cols.append(str(raw["column"]))
        else:
            c.add(f"{key}.column", f"应为一个列名，{c.now(raw['column'])}",
                  "多个来源列请写成 `columns: [列名1, 列名2]`", value=raw["column"],
                  code="type-error")
            return None
    if "columns" in raw:
        listed = raw["columns"]
        if not isinstance(listed, list) or not listed or not all(map(is_text, listed)):
            c.add(f"{key}.columns", f"应为非空的列名列表，{c.now(listed)}",
                  "例如 `columns: [三级分类, 二级分类]`", value=listed, code="type-error")
            return None
        cols.extend(str(x) for x in listed)
    value = raw.get("value")
    if value is not None and not is_text(value):
        c.add(f"{key}.value", f"应为文本，{c.now(value)}", '是/否请加引号，如 `value: "是"`',
              value=value, code="type-error")
        return None
    if bool(cols) == (value is not None):
        c.add(key, "必须且只能给出 column/columns（原始列）或 value（固定值）之一",
              f"请写成 `{name}: {{column: 原始列名}}` 或 `{name}: {{value: 固定值}}`")
        return None
    values = raw.get("values")
    if values is not None and not isinstance(values, str):
        c.add(f"{key}.values", f"应为值映射的名称，{c.now(values)}",
              "请写成 value_maps 下的一个名称，如 `values: status`", value=values,
              code="type-error")
        return None
    return ColumnSpec(name, tuple(cols), None if value is None else str(value),
                      None if values is None else str(values))


def flag(c: Collector, data: dict[str, Any], key: str) -> bool:
    value = data.get(key, True)
    if not isinstance(value, bool):
        c.add(f"region.{key}", f"应为 true 或 false，{c.now(value)}", f"请写成 `{key}: true`",
              value=value, code="type-error")
        return True
    return value


def format_problem(fmt: Any) -> str | None:
    """Why `fmt` cannot be a date format of the importer (pandas.to_datetime), or None."""
    if not isinstance(fmt, str) or "%" not in fmt:
        return "不是日期格式（应为含 %Y、%m 等代码的文字）"
    if "%z" in fmt or "%Z" in fmt:
        return "含时区代码 %z/%Z；时区请用 time_zone 设置"
    try:
        pd.to_datetime(pd.Series(["2024-01-02 03:04:05"]), format=fmt, errors="coerce")
    except ValueError:
        return "含无效的格式代码（如 %Q，或末尾单独的 %）"
    return None


def check_targets(c: Collector, spec: ColumnSpec, field: Field, maps: dict[str, dict[str, str]],
                  reference: Reference) -> None:
    """Every target value of the field's map (or its fixed value) is a legal contract value."""
    allowed = allowed_values(field, reference)
    if spec.values is not None and spec.values not in maps:
        c.add(f"columns.{spec.field}.values", f"值映射“{spec.values}”不存在",
              f"请在 value_maps 下添加 {spec.values}，或改用已有的：{'、'.join(maps) or '（无）'}",
              value=spec.values)
        return
    if allowed is None:
        return
    targets = {spec.value} if spec.value is not None else set()
    where = f"columns.{spec.field}.value"
    if spec.values is not None:
        targets = set(maps[spec.values].values())
        where = f"value_maps.{spec.values}"
    for bad in sorted(targets - allowed):
        c.add(where, f"目标值“{bad}”不是字段 {spec.field}（{field.title}）的合法取值",
              f"合法取值：{'、'.join(sorted(allowed))}", value=bad)

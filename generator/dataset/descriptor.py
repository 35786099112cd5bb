"""Check a package's datapackage.json before trusting it: its shape, resource path and schema.

A descriptor comes with the data, so it is input like any other: its resource path could
point anywhere on the machine, and its schema could loosen the contract the published
numbers rely on. The path must stay inside the package folder; the schema (fields, their
order, types, formats, boolean values, constraints, primary key, missing values) must equal
the one generated for the project (generator.dataset.contract: the template with the
project's region and category enums). Descriptive properties (title, description, extra
keys) may differ. Every schema difference is collected and reported at once; enums that
differ from the project's reference data are reported as such (a package written for
another city's reference).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from generator.dataset.contract import REFERENCE_FILES
from generator.errors import DataError
from generator.text import ESCAPED_NOTE, has_escapes, shown

SCHEMA_FIX = "请用 ecoportal sample / import 重新生成数据包。"
_SHOWN_VALUES = 5
"""Differing reference values listed by name; the rest are counted."""
_RECOPY = SCHEMA_FIX
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")
"""A URL scheme (two letters or more: one letter and a colon is a Windows drive)."""
_DRIVE = re.compile(r"^[A-Za-z]:")
_MISSING: Any = object()
"""Stands for a property the descriptor does not set."""


def first_resource(descriptor: Any, descriptor_path: Path) -> dict[str, Any]:
    """resources[0] of a descriptor whose top level has been checked to be a mapping."""
    if not isinstance(descriptor, dict):
        raise DataError(
            f"{descriptor_path} 的顶层应为 JSON 对象（{{…}}），"
            f"实际是{_kind(descriptor)}。{_RECOPY}"
        )
    resources = descriptor.get("resources", _MISSING)
    if not isinstance(resources, list) or not resources:
        what = (
            "缺少 resources" if resources is _MISSING
            else "的 resources 是空列表" if resources == []
            else f"的 resources 应为列表，实际是{_kind(resources)}"
        )
        raise DataError(
            f"{descriptor_path} {what}（它的第一项描述 CSV 数据文件）。{_RECOPY}"
        )
    resource = resources[0]
    if not isinstance(resource, dict):
        raise DataError(
            f"{descriptor_path} 的 resources[0] 应为 JSON 对象，实际是{_kind(resource)}。{_RECOPY}"
        )
    return resource


def _kind(value: Any) -> str:
    names = {dict: "对象", list: "列表", str: "文本", bool: "布尔值", int: "数字", float: "数字"}
    return " null" if value is None else names.get(type(value), f" {type(value).__name__}")


def _unsafe_reason(value: str) -> str | None:
    if not value.strip():
        return "为空"
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return "含有控制字符"
    if "://" in value or _URL.match(value):
        return "是网址；本工具只读取数据包文件夹中的本地文件"
    if "\\" in value or _DRIVE.match(value):
        return "是 Windows 路径（含反斜杠或盘符）；文件夹之间请用 / 分隔"
    if value.startswith("/"):
        return "是绝对路径"
    if ".." in PurePosixPath(value).parts:
        return "含有 ..（上一级文件夹），指向数据包文件夹之外"
    return None


def resource_csv_path(resource: dict[str, Any], descriptor_path: Path) -> Path:
    """The data file resources[0].path names, refused unless it stays inside the package folder.

    Decided from the descriptor and the file system's links alone: nothing is read first.
    """
    value = resource.get("path", _MISSING)
    folder = descriptor_path.parent
    if value is _MISSING:
        raise DataError(
            f"{descriptor_path} 缺少 resources[0].path（数据文件的相对路径，例如 complaints.csv）。"
            f"{_RECOPY}"
        )
    if not isinstance(value, str):
        raise DataError(
            f"{descriptor_path} 中 resources[0].path 应为一个相对文件路径，例如 complaints.csv，"
            f"实际是{_kind(value)}。请把 path 改为数据文件的文件名。"
        )
    reason = _unsafe_reason(value)
    candidate = folder / value
    if reason is None:
        try:
            resolved = candidate.resolve()
            if not resolved.is_relative_to(folder.resolve()):
                reason = f"经符号链接指向数据包文件夹之外的 {resolved}"
        except (OSError, RuntimeError):  # a symlink loop
            reason = "是无法解析的符号链接"
    if reason is None:
        return candidate
    note = ESCAPED_NOTE if has_escapes(value) else ""
    raise DataError(
        f"{descriptor_path} 中 resources[0].path 的值 “{shown(value)}” {reason}。"
        f"数据文件必须放在数据包文件夹 {folder} 之内，path 写相对于该文件夹的路径，"
        f"例如 complaints.csv。请把 CSV 复制到数据包文件夹，并把 resources[0].path 改为它的文件名。"
        f"{note}"
    )


class _Problems:
    """Schema differences in reading order; values shown safely."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.escaped = False
        self.reference_lines = 0

    def add(self, line: str) -> None:
        self.lines.append(line)

    def differs(self, what: str, want: Any, got: Any, detail: str = "") -> None:
        self.add(f"{what}：契约为 {self.value(want)}，数据包为 {self.value(got)}{detail}。")

    def value(self, value: Any) -> str:
        if value is _MISSING:
            return "未设置"
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        self.escaped |= has_escapes(text)
        return f"“{shown(text)}”"


def _field_list(schema: Any, problems: _Problems) -> list[tuple[int, str, dict[str, Any]]]:
    """(position, name, field) of every well-formed field; shape problems recorded."""
    if not isinstance(schema, dict):
        problems.add(
            "缺少 resources[0].schema。" if schema is _MISSING
            else f"resources[0].schema 应为 JSON 对象，实际是{_kind(schema)}。"
        )
        return []
    fields = schema.get("fields", _MISSING)
    if not isinstance(fields, list):
        problems.add(
            "缺少 resources[0].schema.fields（字段列表）。" if fields is _MISSING
            else f"resources[0].schema.fields 应为字段列表，实际是{_kind(fields)}。"
        )
        return []
    out = []
    for j, f in enumerate(fields, start=1):
        if not isinstance(f, dict):
            problems.add(f"第 {j} 个字段应为 JSON 对象，实际是{_kind(f)}。")
        elif not isinstance(f.get("name"), str):
            problems.add(
                f"第 {j} 个字段缺少 name。" if "name" not in f
                else f"第 {j} 个字段的 name 应为文本，实际是{_kind(f['name'])}。"
            )
        else:
            out.append((j, f["name"], f))
    return out


def _compare_names(contract: list[str], package: list[str], problems: _Problems) -> None:
    seen: dict[str, list[int]] = {}
    for j, name in enumerate(package, start=1):
        seen.setdefault(name, []).append(j)
    for name, places in seen.items():
        if len(places) > 1:
            where = "、".join(str(j) for j in places)
            problems.add(
                f"字段 {problems.value(name)} 出现了 {len(places)} 次（第 {where} 个字段）。"
            )
    for i, name in enumerate(contract, start=1):
        if name not in seen:
            problems.add(f"缺少字段 {name}（契约中的第 {i} 个字段）。")
    for name, places in seen.items():
        if name not in contract:
            problems.add(
                f"多了字段 {problems.value(name)}（第 {places[0]} 个字段），契约中没有这个字段。"
            )
    if len(seen) == len(package) and set(package) == set(contract):
        for j, (want, got) in enumerate(zip(contract, package, strict=True), start=1):
            if want != got:
                problems.add(f"字段顺序不同：第 {j} 个字段应为 {want}，数据包为 {got}。")


def _compare_enum(where: str, want: Any, got: Any, problems: _Problems) -> None:
    if isinstance(want, list) and isinstance(got, list) and all(isinstance(v, str) for v in got):
        missing = [v for v in want if v not in got]
        extra = [v for v in got if v not in want]
        parts = []
        if missing:
            parts.append("缺少 " + "、".join(problems.value(v) for v in missing))
        if extra:
            parts.append("多了 " + "、".join(problems.value(v) for v in extra))
        if parts or len(got) != len(want):
            detail = "，".join(parts) if parts else "有重复的取值"
            problems.add(f"{where}的 constraints.enum 与契约不同：{detail}。")
        elif got != want:
            problems.add(
                f"{where}的 constraints.enum 取值顺序与契约不同：应为 {problems.value(want)}。"
            )
        return
    problems.differs(f"{where}的 constraints.enum", want, got)


def _values(values: list[Any], problems: _Problems) -> str:
    listed = "、".join(problems.value(v) for v in values[:_SHOWN_VALUES])
    more = len(values) - _SHOWN_VALUES
    return f"{listed} 等 {len(values):,} 个" if more > 0 else listed


def _compare_reference_enum(where: str, file: str, want: list[str], got: Any,
                            problems: _Problems) -> None:
    """An enum generated from the reference: name the values that differ, a few at most."""
    problems.reference_lines += 1
    if got is _MISSING:
        problems.add(f"{where}缺少 constraints.enum（应列出参考数据 {file} 中的 "
                     f"{len(want):,} 个取值）。")
        return
    if not isinstance(got, list) or not all(isinstance(v, str) for v in got):
        problems.differs(f"{where}的 constraints.enum", want, got)
        return
    extra = [v for v in dict.fromkeys(got) if v not in want]
    missing = [v for v in want if v not in got]
    parts = []
    if extra:
        parts.append(f"数据包多了 {_values(extra, problems)}")
    if missing:
        parts.append(f"缺少 {_values(missing, problems)}")
    if not parts:
        parts.append("取值顺序不同或有重复" if len(got) == len(want) else "有重复的取值")
    problems.add(f"{where}的取值与参考数据 {file} 不一致：{'，'.join(parts)}。")


def _compare_pattern(where: str, want: Any, got: Any, problems: _Problems) -> None:
    bad_regex = ""
    if isinstance(got, str):
        try:
            re.compile(got)
        except re.error as exc:
            bad_regex = f"（不是有效的正则表达式：{exc}）"
    problems.differs(f"{where}的 constraints.pattern", want, got, bad_regex)


def _compare_field(where: str, want: dict[str, Any], got: dict[str, Any],
                   problems: _Problems) -> None:
    file = REFERENCE_FILES.get(want["name"])
    def prop(f: dict[str, Any], key: str) -> Any:
        value = f.get(key, _MISSING)
        if key == "type" and value is _MISSING:
            return "string"
        if key == "format" and value == "default":
            return _MISSING
        return value

    for key in ("type", "format", "trueValues", "falseValues"):
        a, b = prop(want, key), prop(got, key)
        if a != b or type(a) is not type(b):
            problems.differs(f"{where}的 {key}", a, b)
    want_c = want.get("constraints", {})
    got_c = got.get("constraints", {})
    if not isinstance(got_c, dict):
        problems.add(f"{where}的 constraints 应为 JSON 对象，实际是{_kind(got_c)}。")
        return
    checks: dict[str, Callable[[str, Any, Any, _Problems], None]] = {
        "enum": _compare_enum,
        "pattern": _compare_pattern,
    }
    for key in ("required", "unique", "enum", "pattern"):
        default = False if key in ("required", "unique") else _MISSING
        a, b = want_c.get(key, default), got_c.get(key, default)
        if a == b and type(a) is type(b):
            continue
        if key == "enum" and file is not None and isinstance(a, list):
            _compare_reference_enum(where, file, a, b, problems)
        elif key in checks and a is not _MISSING and b is not _MISSING:
            checks[key](where, a, b, problems)
        else:
            problems.differs(f"{where}的 constraints.{key}", a, b)
    for key in got_c:
        if key not in want_c and key not in ("required", "unique", "enum", "pattern"):
            problems.add(
                f"{where}的 constraints.{problems.value(key)[1:-1]}：契约中没有这个约束，"
                f"数据包为 {problems.value(got_c[key])}。"
            )


def _key_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def check_schema(resource: dict[str, Any], descriptor_path: Path, expected: dict[str, Any],
                 reference: str) -> None:
    """Raise one DataError listing every way resources[0].schema differs from `expected`
    (the schema generated for the project; `reference` names its reference folder)."""
    contract = expected
    want_fields = [(f["name"], f) for f in contract["fields"]]
    problems = _Problems()
    schema = resource.get("schema", _MISSING)
    fields = _field_list(schema, problems)
    if isinstance(schema, dict) and isinstance(schema.get("fields"), list):
        _compare_names([n for n, _ in want_fields], [n for _, n, _ in fields], problems)
        by_name: dict[str, tuple[int, dict[str, Any]]] = {}
        for j, name, f in fields:
            by_name.setdefault(name, (j, f))
        for name, want in want_fields:
            if name in by_name:
                j, got = by_name[name]
                _compare_field(f"字段 {name}（第 {j} 个字段）", want, got, problems)
    if isinstance(schema, dict):
        for key, default in (("primaryKey", []), ("missingValues", [""])):
            a = _key_list(contract.get(key, default))
            b = _key_list(schema.get(key, default))
            if a != b:
                problems.differs(f"schema.{key}", a, b)
    if not problems.lines:
        return
    listed = "\n".join(f"  - {line}" for line in problems.lines)
    note = f"\n{ESCAPED_NOTE}" if problems.escaped else ""
    count = len(problems.lines)
    if problems.reference_lines == count:
        raise DataError(
            f"{descriptor_path} 的取值与本项目的参考数据 {reference} 不一致，共 {count} 处"
            f"（数据包是按另一份参考数据生成的）：\n{listed}\n"
            f"请用本项目的参考数据 {reference} 重新导入（ecoportal import）"
            f"或重新生成样例（ecoportal sample）；若是参考数据有误，请改正后再导入。{note}"
        )
    fix = SCHEMA_FIX
    if problems.reference_lines:
        fix += f"取值与参考数据不一致的字段，请用本项目的参考数据 {reference} 重新导入。"
    raise DataError(
        f"{descriptor_path} 的表结构（resources[0].schema）与数据契约不一致，"
        f"共 {count} 处：\n{listed}\n{fix}{note}"
    )

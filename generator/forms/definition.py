"""The typed model of a form definition (forms/<form>.yml) and the loader that checks it.

Every problem in the file is collected with its key path (fields.phone.errors.invalid) and
reported once, as generator/settings.py does. The district and street options come from the
region reference (generator.reference), never from the form file, so another city's form
follows its own reference data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from generator.config import kind_of, read_yaml_mapping, yaml_text
from generator.errors import ConfigError
from generator.problems import ProblemList, render_text
from generator.reference import Reference

TYPES = ("text", "textarea", "uscc", "phone", "email", "district", "street", "choice",
         "multichoice", "integer", "date", "consent", "honeypot")
"""Field types; each one's HTML control, check and CSV type follow from it."""

ERROR_KINDS: dict[str, tuple[str, ...]] = {
    "text": ("too_long",), "textarea": ("too_long",), "uscc": ("invalid", "checksum"),
    "phone": ("invalid",), "email": ("invalid", "too_long"), "district": ("not_option",),
    "street": ("not_option",), "choice": ("not_option",), "multichoice": ("not_option",),
    "integer": ("invalid", "out_of_range"), "date": ("invalid",), "consent": (),
    "honeypot": (),
}
"""The messages each type needs besides `required` (which a requirable field needs);
dates need `out_of_range` with min_days/max_days and `before` with not_before."""

FIELD_KEYS = ("name", "label", "hint", "type", "required", "required_when", "shown_when",
              "max_length", "min", "max", "min_days", "max_days", "not_before", "depends_on",
              "options", "errors", "autocomplete")
TOP_KEYS = ("form", "version", "title", "description", "fields")
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
PLACEHOLDER_RE = re.compile(r"\{(\w+)\}")
_FIX = "请对照 forms/README.md 修改"


@dataclass(frozen=True)
class Condition:
    """`field` holds one of `values` (required_when / shown_when)."""

    field: str
    values: tuple[str, ...]

    def holds(self, values: dict[str, Any]) -> bool:
        return values.get(self.field) in self.values


@dataclass(frozen=True)
class Option:
    value: str
    """What is submitted and stored (also what is shown)."""
    group: str = ""
    """For streets: the district the option belongs to (the cascade's key)."""


@dataclass(frozen=True)
class Field:
    name: str
    """Submitted name, JSON key and CSV column (ASCII)."""
    label: str
    type: str
    hint: str = ""
    required: bool = False
    required_when: Condition | None = None
    shown_when: Condition | None = None
    """When set and false, the field is not asked: any value sent is dropped."""
    max_length: int | None = None
    min: int | None = None
    max: int | None = None
    min_days: int | None = None
    """Earliest allowed date, in days from today (negative: in the past)."""
    max_days: int | None = None
    not_before: str | None = None
    """Name of a date field this date may not precede."""
    depends_on: str | None = None
    """For streets: the district field whose value selects the option group."""
    options: tuple[Option, ...] = ()
    errors: dict[str, str] = field(default_factory=dict)
    """Error kind → message, placeholders ({max_length}, {min}, {max}) already filled in."""
    autocomplete: str = ""

    @property
    def requirable(self) -> bool:
        return self.required or self.required_when is not None

    def is_required(self, values: dict[str, Any]) -> bool:
        return self.required or (self.required_when is not None
                                 and self.required_when.holds(values))

    def is_shown(self, values: dict[str, Any]) -> bool:
        return self.shown_when is None or self.shown_when.holds(values)

    def message(self, kind: str) -> str:
        return self.errors[kind]

    @cached_property
    def option_values(self) -> tuple[str, ...]:
        return tuple(o.value for o in self.options)

    @cached_property
    def options_by_group(self) -> dict[str, frozenset[str]]:
        """Option values by their group (a street's district), for the cascade's check."""
        groups: dict[str, set[str]] = {}
        for o in self.options:
            groups.setdefault(o.group, set()).add(o.value)
        return {group: frozenset(values) for group, values in groups.items()}


@dataclass(frozen=True)
class FormDefinition:
    form: str
    version: int
    title: str
    description: str
    fields: tuple[Field, ...]
    source: Path

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    # Cached: the service reads these for every field of every submission (the definition
    # is immutable, so computing them once is exact).
    @cached_property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @cached_property
    def stored(self) -> tuple[Field, ...]:
        """Fields whose values are kept (all but the honeypot)."""
        return tuple(f for f in self.fields if f.type != "honeypot")

    @cached_property
    def honeypot(self) -> Field:
        return next(f for f in self.fields if f.type == "honeypot")


def load_form(path: Path, reference: Reference) -> FormDefinition:
    """Read and check the definition at `path`; districts and streets from `reference`."""
    raw = read_yaml_mapping(path, "表单定义文件", "请从仓库恢复 forms/ 文件夹。")
    problems = ProblemList(path)
    problems.unknown_keys(raw, TOP_KEYS)
    texts = {}
    for key in ("form", "title", "description"):
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            problems.add("应为一段文字（不能为空）", _FIX, key=key, code="type-error",
                         value=None if value is None else yaml_text(value))
            value = ""
        texts[key] = value.strip()
    version = raw.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        problems.add("应为正整数（每次改动存储内容时加一）", "例如 version: 1", key="version",
                     value=None if version is None else yaml_text(version), code="type-error")
        version = 1
    items = raw.get("fields")
    if not isinstance(items, list) or not items:
        problems.add(f"应为非空列表（每项一个字段），现为{kind_of(items)}", _FIX, key="fields",
                     code="type-error")
        items = []
    fields = [f for i, item in enumerate(items) if (f := _field(item, i, problems, reference))]
    _cross_check(fields, problems)
    if problems:
        raise ConfigError(render_text(problems, f"表单定义文件 {path} 有 {len(problems)} 处错误："),
                          problems.items)
    return FormDefinition(texts["form"], version, texts["title"], texts["description"],
                          tuple(fields), path)


def _field(item: object, index: int, problems: ProblemList, ref: Reference) -> Field | None:
    if not isinstance(item, dict):
        problems.add(f"应为映射（name、label、type…），现为{kind_of(item)}", _FIX,
                     key=f"fields[{index}]", code="type-error")
        return None
    name = item.get("name")
    where = f"fields.{name}" if isinstance(name, str) and NAME_RE.match(name) \
        else f"fields[{index}]"
    n = len(problems)

    def add(key: str, message: str, fix: str, value: object = None, code: str = "invalid"
            ) -> None:
        problems.add(message, fix, key=f"{where}.{key}" if key else where, code=code,
                     value=None if value is None else yaml_text(value))

    problems.unknown_keys(item, FIELD_KEYS, prefix=where, what="字段设置项")
    if not isinstance(name, str) or not NAME_RE.match(name):
        add("name", "应为小写英文字母开头、由小写字母数字和下划线组成的名称（最多 40 个字符）",
            "例如 company", name)
    kind = item.get("type")
    if kind not in TYPES:
        add("type", f"应为 {'、'.join(TYPES)} 之一", "请改为其中之一", kind, "not-in-list")
        return None
    label = item.get("label")
    if not isinstance(label, str) or not label.strip():
        add("label", "应为一段文字（字段的中文名称）", "请填写中文名称", label)
    hint = item.get("hint", "")
    if not isinstance(hint, str):
        add("hint", "应为一段文字", "请填写提示文字或删去这一项", hint)
    ints: dict[str, int | None] = {}
    for key in ("max_length", "min", "max", "min_days", "max_days"):
        value = item.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            add(key, "应为整数", "请填写整数（数字，不加引号）", value, "type-error")
            value = None
        ints[key] = value
    required = item.get("required", False)
    if not isinstance(required, bool):
        add("required", "应为 true 或 false", "请改为 true 或 false", required, "type-error")
        required = False
    conditions = {key: _condition(item.get(key), f"{where}.{key}", problems)
                  for key in ("required_when", "shown_when")}
    options = _options(item, kind, where, problems, ref)
    texts = {k: item.get(k) for k in ("not_before", "depends_on", "autocomplete")}
    for key, value in texts.items():
        if value is not None and not isinstance(value, str):
            add(key, "应为一段文字", _FIX, value, "type-error")
    errors = _errors(item, kind, where, ints, required or conditions["required_when"] is not None,
                     texts, problems)
    if kind in ("text", "textarea") and ints["max_length"] is None:
        add("max_length", "文字字段必须设最大长度", "例如 max_length: 100", code="missing-key")
    if kind == "integer" and (ints["min"] is None or ints["max"] is None):
        add("", "整数字段必须设 min 和 max", "例如 min: 1 和 max: 500", code="missing-key")
    if kind == "consent" and not required:
        add("required", "同意隐私说明的字段必须为必填", "请写 required: true", required)
    if len(problems) > n:
        return None
    return Field(str(name), str(label).strip(), str(kind), str(hint).strip(), required,
                 conditions["required_when"], conditions["shown_when"], ints["max_length"],
                 ints["min"], ints["max"], ints["min_days"], ints["max_days"],
                 texts["not_before"], texts["depends_on"], options, errors,
                 texts["autocomplete"] or "")


def _condition(value: object, key: str, problems: ProblemList) -> Condition | None:
    if value is None:
        return None
    if (isinstance(value, dict) and set(value) == {"field", "in"}
            and isinstance(value["field"], str) and isinstance(value["in"], list)
            and value["in"] and all(isinstance(v, str) for v in value["in"])):
        return Condition(value["field"], tuple(value["in"]))
    problems.add("应写成 {field: 字段名, in: [取值, …]}", "例如 {field: business_type, in: [餐饮]}",
                 key=key, value=yaml_text(value), code="type-error")
    return None


def _options(item: dict[str, Any], kind: str, where: str, problems: ProblemList,
             ref: Reference) -> tuple[Option, ...]:
    if kind == "district":
        return tuple(Option(d.name) for d in ref.districts)
    if kind == "street":
        return tuple(Option(s.name, s.district) for s in ref.streets)
    raw = item.get("options")
    if kind not in ("choice", "multichoice"):
        if raw is not None:
            problems.add("只有 choice 和 multichoice 字段可以列出选项", "请删去 options",
                         key=f"{where}.options", code="unknown-key")
        return ()
    if not isinstance(raw, list) or not raw or not all(
            isinstance(v, str) and v.strip() for v in raw):
        problems.add(f"应为非空的文字列表，现为{kind_of(raw)}", "例如 options: [有, 没有, 不清楚]",
                     key=f"{where}.options", code="type-error")
        return ()
    values = [v.strip() for v in raw]
    for value in {v for v in values if values.count(v) > 1}:
        problems.add("选项重复", "请删去重复的选项", key=f"{where}.options", value=value,
                     code="duplicate")
    return tuple(Option(v) for v in dict.fromkeys(values))


def _errors(item: dict[str, Any], kind: str, where: str, ints: dict[str, int | None],
            requirable: bool, texts: dict[str, Any], problems: ProblemList) -> dict[str, str]:
    raw = item.get("errors", {})
    if not isinstance(raw, dict):
        problems.add(f"应为映射（错误类型: 提示文字），现为{kind_of(raw)}", _FIX,
                     key=f"{where}.errors", code="type-error")
        return {}
    needed = list(ERROR_KINDS[kind]) + (["required"] if requirable else [])
    if kind == "date":
        if ints["min_days"] is not None or ints["max_days"] is not None:
            needed.append("out_of_range")
        if texts["not_before"]:
            needed.append("before")
    if kind == "email" and ints["max_length"] is None:
        needed.remove("too_long")
    out = {}
    for kind_name in needed:
        message = raw.get(kind_name)
        if not isinstance(message, str) or not message.strip():
            problems.add("缺少这一错误提示（应为一段中文）", "请写出用户看到的提示，说明怎样改正",
                         key=f"{where}.errors.{kind_name}", code="missing-key")
            continue
        try:
            out[kind_name] = PLACEHOLDER_RE.sub(
                lambda m: str(_placeholder(ints, m.group(1))), message.strip())
        except KeyError as exc:
            problems.add(f"占位符 {{{exc.args[0]}}} 不可用（可用：{{max_length}}、{{min}}、"
                         "{max}，且该字段须设了这一项）", "请改正或删去占位符",
                         key=f"{where}.errors.{kind_name}", value=message, code="invalid")
    for kind_name in raw:
        if kind_name not in needed:
            problems.add(f"这一类型的字段不用这个错误提示（需要：{'、'.join(needed) or '无'}）",
                         "请删去这一项", key=f"{where}.errors.{kind_name}", code="unknown-key")
    return out


def _placeholder(ints: dict[str, int | None], name: str) -> int:
    value = ints.get(name) if name in ("max_length", "min", "max") else None
    if value is None:
        raise KeyError(name)
    return value


def _cross_check(fields: list[Field], problems: ProblemList) -> None:
    """Names unique, one honeypot, references between fields pointing to the right kind."""
    by_name: dict[str, Field] = {}
    for f in fields:
        if f.name in by_name:
            problems.add("字段名重复", "每个字段名只能用一次", key=f"fields.{f.name}.name",
                         value=f.name, code="duplicate")
        by_name[f.name] = f
    if sum(f.type == "honeypot" for f in fields) != 1:
        problems.add("应恰好有一个 honeypot（防机器人）字段", "请保留一个 type: honeypot 的字段",
                     key="fields", code="honeypot")
    for f in fields:
        targets = [("not_before", f.not_before, ("date",)),
                   ("depends_on", f.depends_on, ("district",))]
        targets += [(key, c.field, ("choice",)) for key, c in
                    (("required_when", f.required_when), ("shown_when", f.shown_when)) if c]
        for key, target, kinds in targets:
            other = by_name.get(target) if target is not None else None
            if target is not None and (other is None or other.type not in kinds or (
                    key.endswith("_when") and (other.shown_when or other.required_when))):
                problems.add(f"应为本表单中 {'、'.join(kinds)} 类型字段的名称"
                             + ("（该字段本身不能带条件）" if key.endswith("_when") else ""),
                             "请改正字段名", key=f"fields.{f.name}.{key}", value=target,
                             code="unknown-field")
        if f.type == "street" and f.depends_on is None:
            problems.add("街道字段须写明 depends_on（所属区的字段）", "例如 depends_on: district",
                         key=f"fields.{f.name}.depends_on", code="missing-key")
        for key, cond in (("required_when", f.required_when), ("shown_when", f.shown_when)):
            target_field = by_name.get(cond.field) if cond else None
            if cond and target_field and target_field.type == "choice":
                for value in cond.values:
                    if value not in target_field.option_values:
                        problems.add(f"不是字段 {cond.field} 的选项", "请改为该字段的选项之一",
                                     key=f"fields.{f.name}.{key}", value=value,
                                     code="not-in-list")

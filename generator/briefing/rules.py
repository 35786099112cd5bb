"""The rules of the pre-visit brief (data/brief.yml): which facts of a request call up which
tables of data/limits.yml.

The mapping is the bureau's (Beijing adds DB11/1488 to the national standards), so it is
configuration, checked against the form definition, data/limits.yml and the taxonomy with
every problem collected. Evaluation only selects tables and rows: no limit is ever typed here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.config import kind_of, read_yaml_mapping, yaml_text
from generator.errors import ConfigError
from generator.forms import FormDefinition
from generator.problems import ProblemList, render_text
from generator.reference import Reference

BRIEF_FILE = Path("data") / "brief.yml"
ANSWERED = "*"
"""A condition value meaning "the field has any value"."""
PLACEHOLDER_RE = re.compile(r"\{(\w+)\}")
_FIX = "请对照 data/brief.yml 开头的格式说明修改"
RULE_KEYS = ("title", "blocking", "all", "any", "unsure", "text", "size", "tables")
SIZE_KEYS = ("field", "table", "class_column", "from_column", "to_column")
HISTORY_KEYS = ("categories", "months")
Conditions = dict[str, tuple[str, ...]]
Limits = dict[str, dict[str, dict[str, Any]]]


@dataclass(frozen=True)
class Size:
    field: str
    table: str
    class_column: str
    from_column: str
    to_column: str


@dataclass(frozen=True)
class Rule:
    title: str
    blocking: bool
    all: Conditions
    any: tuple[Conditions, ...]
    unsure: tuple[Conditions, ...]
    text: str
    size: Size | None
    tables: tuple[str, ...]

    def fields(self) -> tuple[str, ...]:
        """Every form field the rule's conditions read, in order of first mention."""
        names = [*self.all, *(n for c in self.any + self.unsure for n in c)]
        return tuple(dict.fromkeys(names))


@dataclass(frozen=True)
class BriefConfig:
    rules: tuple[Rule, ...]
    categories: tuple[str, ...]
    months: int


def holds(conditions: Conditions, values: dict[str, Any]) -> bool:
    """Every condition holds for `values` (a multi-select holds when one option is chosen)."""
    for name, wanted in conditions.items():
        value = values.get(name)
        if value is None or value == "" or value == []:
            return False
        if ANSWERED in wanted:
            continue
        chosen = value if isinstance(value, list) else [value]
        if not any(str(v) in wanted for v in chosen):
            return False
    return True


def verdict(rule: Rule, values: dict[str, Any]) -> str | None:
    """'applies', 'unsure' (an answer such as 不清楚 leaves it open) or None."""
    if not holds(rule.all, values):
        return None
    if not rule.any or any(holds(c, values) for c in rule.any):
        return "applies"
    if any(holds(c, values) for c in rule.unsure):
        return "unsure"
    return None


def load_brief_config(path: Path, form: FormDefinition, limits: Limits,
                      reference: Reference) -> BriefConfig:
    """Read and check data/brief.yml; every problem is reported at once with its key path."""
    raw = read_yaml_mapping(path, "预访简报规则文件", "请从仓库恢复 data/brief.yml。")
    problems = ProblemList(path)
    problems.unknown_keys(raw, ("rules", "history"))
    checker = _Checker(problems, form, limits)
    items = raw.get("rules")
    rules: list[Rule] = []
    if not isinstance(items, list) or not items:
        checker.shape("rules", items, "非空的规则列表")
    else:
        for i, item in enumerate(items):
            rule = checker.rule(f"rules[{i}]", item)
            if rule is not None:
                rules.append(rule)
    history = raw.get("history")
    categories: list[str] = []
    months = 12
    if not isinstance(history, dict):
        checker.shape("history", history, "含 categories 和 months 的映射")
    else:
        problems.unknown_keys(history, HISTORY_KEYS, prefix="history")
        known = [c.name for c in reference.categories]
        found = history.get("categories")
        if not isinstance(found, list) or not found:
            checker.shape("history.categories", found, "诉求类别的列表")
        else:
            for j, name in enumerate(found):
                if name not in known:
                    problems.add("不是参考数据中的诉求类别",
                                 f"请改为 {'、'.join(known)} 之一",
                                 key=f"history.categories[{j}]", value=yaml_text(name),
                                 code="not-option")
                else:
                    categories.append(name)
        months = history.get("months", 0)
        if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 36:
            problems.add("应为 1 到 36 之间的整数", "请填写要列出的最近月数，例如 12",
                         key="history.months", value=yaml_text(months), code="out-of-range")
            months = 12
    if problems:
        raise ConfigError(render_text(
            problems, f"预访简报规则文件 {path} 有 {len(problems)} 处错误："), problems.items)
    return BriefConfig(tuple(rules), tuple(categories), months)


class _Checker:
    """Checks one rule's parts, adding to the shared problem list."""

    def __init__(self, problems: ProblemList, form: FormDefinition, limits: Limits) -> None:
        self.problems, self.form, self.limits = problems, form, limits

    def shape(self, key: str, value: Any, expected: str) -> None:
        self.problems.add(f"应为{expected}，现为{kind_of(value)}", _FIX, key=key,
                          value=None if value is None else yaml_text(value), code="type-error")

    def table(self, key: str, name: Any) -> dict[str, Any] | None:
        source, _, table = str(name).partition(".")
        found = self.limits.get(source, {}).get(table) if isinstance(name, str) else None
        if found is None:
            self.problems.add("不是 data/limits.yml 中的表格",
                              "请写成 标准键.表格键，例如 gb22337.boundary（见 data/limits.yml）",
                              key=key, value=yaml_text(name), code="unknown-table")
        return found

    def rule(self, where: str, item: Any) -> Rule | None:
        if not isinstance(item, dict):
            self.shape(where, item, "规则（含 title、text 的映射）")
            return None
        self.problems.unknown_keys(item, RULE_KEYS, prefix=where, what="规则设置项")
        texts = {}
        for key in ("title", "text"):
            value = item.get(key)
            if not isinstance(value, str) or not value.strip():
                self.shape(f"{where}.{key}", value, "非空的文字")
            texts[key] = value.strip() if isinstance(value, str) else ""
        for name in PLACEHOLDER_RE.findall(texts["text"]):
            if name not in self.form.names:
                self.problems.add(f"中的 {{{name}}} 不是表单字段",
                                  f"请改为表单字段名之一：{'、'.join(self.form.names)}",
                                  key=f"{where}.text", code="unknown-field")
        blocking = item.get("blocking", False)
        if not isinstance(blocking, bool):
            self.shape(f"{where}.blocking", blocking, "true 或 false")
        tables = item.get("tables", [])
        if not isinstance(tables, list):
            self.shape(f"{where}.tables", tables, "表格名的列表")
            tables = []
        for j, name in enumerate(tables):
            self.table(f"{where}.tables[{j}]", name)
        return Rule(texts["title"], blocking is True, self.conditions(f"{where}.all",
                    item.get("all", {})), self.alternatives(f"{where}.any", item.get("any", [])),
                    self.alternatives(f"{where}.unsure", item.get("unsure", [])), texts["text"],
                    self.size(f"{where}.size", item.get("size")),
                    tuple(str(t) for t in tables))

    def alternatives(self, where: str, items: Any) -> tuple[Conditions, ...]:
        if not isinstance(items, list):
            self.shape(where, items, "条件映射的列表")
            return ()
        return tuple(self.conditions(f"{where}[{j}]", c) for j, c in enumerate(items))

    def conditions(self, where: str, item: Any) -> Conditions:
        if not isinstance(item, dict):
            self.shape(where, item, "“表单字段: [取值]”的映射")
            return {}
        out: Conditions = {}
        for name, wanted in item.items():
            key = f"{where}.{name}"
            if name not in self.form.names:
                self.problems.add("不是表单字段",
                                  f"请改为表单字段名之一：{'、'.join(self.form.names)}",
                                  key=key, code="unknown-field")
                continue
            if not isinstance(wanted, list) or not wanted:
                self.shape(key, wanted, "取值列表，例如 [有] 或 [\"*\"]")
                continue
            options = self.form.field(str(name)).option_values
            for value in wanted:
                if value != ANSWERED and str(value) not in options:
                    self.problems.add("不是该字段的选项",
                                      f"请改为 {'、'.join(options) or '“*”'} 之一"
                                      + ("，或写 “*”（已填写）" if options else ""),
                                      key=key, value=yaml_text(value), code="not-option")
            out[str(name)] = tuple(str(v) for v in wanted)
        return out

    def size(self, where: str, item: Any) -> Size | None:
        if item is None:
            return None
        if not isinstance(item, dict):
            self.shape(where, item, f"含 {'、'.join(SIZE_KEYS)} 的映射")
            return None
        self.problems.unknown_keys(item, SIZE_KEYS, prefix=where, what="规模设置项")
        parts = {key: item.get(key) for key in SIZE_KEYS}
        for key, value in parts.items():
            if not isinstance(value, str) or not value:
                self.shape(f"{where}.{key}", value, "非空的文字")
                return None
        field = str(parts["field"])
        if field not in self.form.names or self.form.field(field).type != "integer":
            self.problems.add("不是表单中的整数字段", "请改为整数字段，例如 stoves",
                              key=f"{where}.field", value=field, code="unknown-field")
        table = self.table(f"{where}.table", parts["table"])
        if table is not None:
            for key in ("class_column", "from_column", "to_column"):
                if parts[key] not in table["columns"]:
                    self.problems.add(f"不是表格 {parts['table']} 的列",
                                      f"请改为 {'、'.join(table['columns'])} 之一",
                                      key=f"{where}.{key}", value=str(parts[key]),
                                      code="unknown-column")
        return Size(field, str(parts["table"]), str(parts["class_column"]),
                    str(parts["from_column"]), str(parts["to_column"]))


def table_of(limits: Limits, name: str) -> dict[str, Any]:
    """A table of data/limits.yml by its id (checked to exist when the rules were loaded)."""
    source, _, table = name.partition(".")
    return limits[source][table]


def classify(size: Size, limits: Limits, number: int) -> list[Any] | None:
    """The row of `size.table` whose [from, to) bounds hold `number`, or None.

    A bound that is not a number (“—”) is open on that side.
    """
    table = table_of(limits, size.table)
    low, high = (table["columns"].index(c) for c in (size.from_column, size.to_column))
    for row in table["rows"]:
        lower, upper = row[low], row[high]
        if isinstance(lower, int | float) and number < lower:
            continue
        if isinstance(upper, int | float) and number >= upper:
            continue
        return list(row)
    return None

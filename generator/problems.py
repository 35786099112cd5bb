"""Structured problems: one shape for every complaint about an input, as Chinese text or JSON.

A problem names where (file, and row / field / key path), what (message), the offending value
(already made safe with generator.text.shown) and how to fix it. Validation, configuration,
reference data, limits, cases and profiles all collect Problems; the CLI renders them as text,
`--format json` and (later) the intake service as JSON, from the same objects.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

from generator.text import ESCAPED_NOTE, has_escapes, shown


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input."""

    file: str
    """The file (or form, or command option) the problem is in."""
    message: str
    """What is wrong, in Chinese, without the location prefix or the fix."""
    fix: str
    """How to fix it, in Chinese."""
    row: int | None = None
    """Row number in a CSV, header = row 1 (as frictionless counts), or a line in a text file."""
    field: str | None = None
    """The column or form field concerned."""
    key: str | None = None
    """Key path in a YAML or JSON file, e.g. composite_weights.resolved_rate."""
    value: str | None = None
    """The offending value as shown to people: escaped and cut (generator.text.shown)."""
    code: str = "invalid"
    """A stable machine-readable kind, e.g. type-error, duplicate, missing-key."""
    escaped: bool = False
    """True when `value` had invisible characters escaped (the text adds a note)."""

    def where(self) -> str:
        """'第 3 行，字段 district' / 'composite_weights.resolved_rate' / '' (whole file)."""
        parts = []
        if self.row is not None:
            parts.append("表头" if self.row == 1 and self.field is None else f"第 {self.row} 行")
        if self.field:
            parts.append(f"字段 {self.field}")
        if self.key:
            parts.append(self.key)
        return "，".join(parts)

    def text(self) -> str:
        """One line: where, value, what, fix."""
        where = self.where()
        what = self.message if self.value is None else f"值 “{self.value}” {self.message}"
        lead = f"{where}：" if where else ""
        return f"{lead}{what}。修正方法：{self.fix.rstrip('。')}。"

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("escaped")
        return data


def problem(file: object, message: str, fix: str, *, value: object = None,
            **where: Any) -> Problem:
    """A Problem whose `value` (any object) is made safe to show."""
    text = None if value is None else str(value)
    return Problem(str(file), message, fix, value=None if text is None else shown(text),
                   escaped=text is not None and has_escapes(text), **where)


class ProblemList:
    """Problems collected from one input, reported together (the mkdocs habit)."""

    def __init__(self, file: object) -> None:
        self.file = str(file)
        self.items: list[Problem] = []

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.items)

    def add(self, message: str, fix: str, *, value: object = None, **where: Any) -> Problem:
        item = problem(self.file, message, fix, value=value, **where)
        self.items.append(item)
        return item

    def extend(self, items: Iterable[Problem]) -> None:
        self.items.extend(items)

    def unknown_keys(self, mapping: Iterable[object], known: Collection[str], *,
                     prefix: str = "", what: str = "设置项") -> None:
        """One problem per key of `mapping` outside `known`, in one wording for every file.

        `prefix` is the key path of the mapping ("reply", "fields[2]"); `what` names its keys
        in the message ("设置项", "字段设置项", "案例字段"…).
        """
        for key in mapping:
            if str(key) not in known:
                self.add(f"不是可识别的{what}", f"请改正拼写或删除该项（可用的{what}："
                         f"{'、'.join(known)}）", key=f"{prefix}.{key}" if prefix else str(key),
                         code="unknown-key")


def render_text(problems: Iterable[Problem], heading: str) -> str:
    """`heading` then one '  - ' line per problem, and the escape note when needed."""
    items = list(problems)
    lines = [heading, *(f"  - {p.text()}" for p in items)]
    if any(p.escaped for p in items):
        lines.append(ESCAPED_NOTE)
    return "\n".join(lines)


def render_json(problems: Iterable[Problem]) -> list[dict[str, Any]]:
    return [p.as_dict() for p in problems]

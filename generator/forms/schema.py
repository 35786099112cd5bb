"""The frictionless Table Schema of the staff CSV (consultations.csv), from the definitions.

One schema spans every version of the form: the record columns first (reference, times,
status, the version a request was made with), then the union of the fields of all versions,
newest first. A field some version lacks is empty in that version's rows, so only fields every
version requires unconditionally are `required` here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from generator.forms.definition import Field, FormDefinition
from generator.forms.validate import USCC_FORMAT

STATUSES = ("待联系", "已联系", "已办结")
"""A request's status: new, first contact made, closed."""
REFERENCE_PATTERN = r"^YQ-[0-9]{8}-[0-9]{4,}$"
MULTI_SEPARATOR = "、"
"""How a multichoice value is written in one CSV cell."""
CONSENT_TRUE = "是"
FREE_TEXT_TYPES = ("text", "textarea")
"""Fields written by people: the CSV guards them against formula injection."""

RECORD_COLUMNS: tuple[dict[str, Any], ...] = (
    {"name": "reference", "title": "受理编号", "type": "string",
     "constraints": {"required": True, "unique": True, "pattern": REFERENCE_PATTERN}},
    {"name": "received_at", "title": "提交时间", "type": "datetime",
     "description": "服务收到并保存申请的时间（含时区）", "constraints": {"required": True}},
    {"name": "form_version", "title": "表单版本", "type": "integer",
     "constraints": {"required": True}},
    {"name": "status", "title": "状态", "type": "string",
     "constraints": {"required": True, "enum": list(STATUSES)}},
    {"name": "contacted_at", "title": "首次联系时间", "type": "datetime"},
    {"name": "closed_at", "title": "办结时间", "type": "datetime"},
    {"name": "privacy_version", "title": "隐私说明版本", "type": "string",
     "description": "申请人同意的隐私说明的版本", "constraints": {"required": True}},
    {"name": "warnings", "title": "提示", "type": "string",
     "description": "不影响受理的提示，例如统一社会信用代码未通过校验位检查"},
)


def _column(versions: Sequence[Field], required: bool) -> dict[str, Any]:
    newest = versions[-1]
    label = newest.label.split("（")[0] if newest.label.endswith("）") else newest.label
    column: dict[str, Any] = {"name": newest.name, "title": label}
    if newest.hint:
        column["description"] = newest.hint
    constraints: dict[str, Any] = {"required": True} if required else {}
    if newest.type == "integer":
        column["type"] = "integer"
        constraints["minimum"] = min(f.min for f in versions if f.min is not None)
        constraints["maximum"] = max(f.max for f in versions if f.max is not None)
    elif newest.type == "date":
        column["type"] = "date"
    elif newest.type == "consent":
        column.update(type="boolean", trueValues=[CONSENT_TRUE], falseValues=["否"])
    else:
        column["type"] = "string"
        if newest.type in ("choice", "district"):
            constraints["enum"] = list(dict.fromkeys(o for f in versions
                                                     for o in f.option_values))
        elif newest.type == "phone":
            constraints["pattern"] = "^[0-9]{7,12}$"
        elif newest.type == "uscc":
            constraints["pattern"] = USCC_FORMAT
        elif newest.type == "multichoice":
            column["description"] = (f"多个选项以“{MULTI_SEPARATOR}”分隔"
                                     + (f"；{newest.hint}" if newest.hint else ""))
        elif newest.type in FREE_TEXT_TYPES:
            column["description"] = ("申请人填写的文字；以 = + - @ 等开头的行前加了单引号 '，"
                                     "防止电子表格把它当作公式")
    if constraints:
        column["constraints"] = constraints
    return column


def stored_columns(definitions: Sequence[FormDefinition]) -> list[str]:
    """The form-field columns, in schema order (newest version's order, then older fields)."""
    names: dict[str, None] = {}
    for form in reversed(definitions):
        names.update((f.name, None) for f in form.stored)
    return list(names)


def table_schema(definitions: Sequence[FormDefinition]) -> dict[str, Any]:
    """The Table Schema of consultations.csv for `definitions` (every version, oldest first)."""
    columns = [dict(c) for c in RECORD_COLUMNS]
    columns[2]["constraints"] = {"required": True,
                                 "enum": [f.version for f in definitions]}
    for name in stored_columns(definitions):
        versions = [f for form in definitions for f in form.stored if f.name == name]
        required = len(versions) == len(definitions) and all(
            f.required and f.shown_when is None for f in versions)
        columns.append(_column(versions, required))
    return {"fields": columns, "primaryKey": ["reference"], "missingValues": [""]}

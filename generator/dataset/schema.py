"""The data contract: the Table Schema of a package, read into plain Python.

The template (generator/dataset/datapackage.json) is generic; the descriptor a project's
packages carry is generated from it (generator.dataset.contract, re-exported here).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.dataset.contract import (
    UNRECORDABLE,
    descriptor_bytes,
    package_descriptor,
    recorded_fields,
    unrecorded_fields,
)
from generator.dataset.template import TEMPLATE_PATH, template_descriptor

__all__ = [
    "BOOLEAN_FIELDS", "CONTRACT_PATH", "DATETIME_FIELDS", "FIELD_NAMES", "FOLLOW_UP_FIELDS",
    "IDENTIFIER_FIELDS", "UNRECORDABLE", "Field", "contract_descriptor", "contract_fields",
    "descriptor_bytes", "package_descriptor", "parse_fields", "recorded_fields",
    "unrecorded_fields",
]

CONTRACT_PATH = TEMPLATE_PATH
"""The contract template. Packages carry `descriptor_bytes(reference, settings)`, not a copy."""


@dataclass(frozen=True)
class Field:
    name: str
    title: str
    type: str
    """Table Schema type: string, datetime or boolean."""
    required: bool
    enum: tuple[str, ...] | None
    pattern: str | None
    unique: bool
    format: str | None
    true_values: tuple[str, ...]
    false_values: tuple[str, ...]


def contract_descriptor() -> dict[str, Any]:
    """The contract template as a dict (a fresh copy each call): no region or category enums."""
    return template_descriptor()


def parse_fields(descriptor: dict[str, Any]) -> tuple[Field, ...]:
    """Fields of the first resource's schema (already checked against the project's contract
    by generator.dataset.descriptor, apart from descriptive properties)."""
    schema = descriptor["resources"][0]["schema"]
    fields = []
    for f in schema["fields"]:
        c = f.get("constraints", {})
        fields.append(
            Field(
                name=f["name"],
                title=f["title"] if isinstance(f.get("title"), str) else f["name"],
                type=f.get("type", "string"),
                required=bool(c.get("required", False)),
                enum=tuple(c["enum"]) if "enum" in c else None,
                pattern=c.get("pattern"),
                unique=bool(c.get("unique", False)),
                format=f.get("format"),
                true_values=tuple(f.get("trueValues", ["true"])),
                false_values=tuple(f.get("falseValues", ["false"])),
            )
        )
    return tuple(fields)


def contract_fields() -> tuple[Field, ...]:
    """The template's fields: names, titles, types and generic constraints (no region or
    category enums; use parse_fields(package_descriptor(...)) for those)."""
    return parse_fields(contract_descriptor())


FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in contract_fields())
DATETIME_FIELDS = ("received_at", "dispatched_at", "contacted_at", "closed_at")
BOOLEAN_FIELDS = ("escalated", "revisit_valid", "contacted", "resolved")
IDENTIFIER_FIELDS = ("case_id", "location_key", "complainant_key")
"""Pseudonymous identifiers: nearly one distinct value per row."""
FOLLOW_UP_FIELDS = ("revisit_valid", "contacted", "resolved", "satisfaction")

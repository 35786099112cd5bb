"""The data contract: the Table Schema in datapackage.json, read into plain Python."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CONTRACT_PATH = Path(__file__).with_name("datapackage.json")
"""The canonical descriptor; `ecoportal sample` and `ecoportal import` copy it into packages."""


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
    """The canonical datapackage.json as a dict (a fresh copy each call)."""
    data: dict[str, Any] = json.loads(CONTRACT_PATH.read_text(encoding="utf-8"))
    return data


def parse_fields(descriptor: dict[str, Any]) -> tuple[Field, ...]:
    """Fields of the first resource's schema (already checked against the contract's by
    generator.dataset.descriptor, apart from descriptive properties)."""
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
    return parse_fields(contract_descriptor())


FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in contract_fields())
DATETIME_FIELDS = ("received_at", "dispatched_at", "contacted_at", "closed_at")
BOOLEAN_FIELDS = ("escalated", "revisit_valid", "contacted", "resolved")
IDENTIFIER_FIELDS = ("case_id", "location_key", "complainant_key")
"""Pseudonymous identifiers: nearly one distinct value per row."""
FOLLOW_UP_FIELDS = ("revisit_valid", "contacted", "resolved", "satisfaction")

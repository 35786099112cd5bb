"""The contract template: generator/dataset/datapackage.json, read as plain JSON.

The template holds what is the same for every deployment (fields, types, titles, generic
constraints). Region and category enums and the time-zone wording are filled in per project
by generator.dataset.contract; the vocabulary (generator.dataset.vocabulary) is read from it.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

TEMPLATE_PATH = Path(__file__).with_name("datapackage.json")


@cache
def _template_text() -> str:
    return TEMPLATE_PATH.read_text(encoding="utf-8")


def template_descriptor() -> dict[str, Any]:
    """The template as a dict (a fresh copy each call)."""
    data: dict[str, Any] = json.loads(_template_text())
    return data


def template_field(name: str) -> dict[str, Any]:
    """One field of the template's schema, by name (a fresh copy)."""
    for field in template_descriptor()["resources"][0]["schema"]["fields"]:
        if field["name"] == name:
            out: dict[str, Any] = field
            return out
    raise KeyError(name)

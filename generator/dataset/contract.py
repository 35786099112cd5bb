"""The data contract of one project: the template filled from its reference and settings.

The template (generator/dataset/datapackage.json) knows no city. `package_descriptor` adds
the enums of district names and codes, street names and codes, environmental elements and
complaint categories from the project's reference data, the time-zone wording from the
settings, and the fields the package does not record (`unrecordedFields`, a custom property
of the resource). Writers (`ecoportal sample`, `ecoportal import`) store `descriptor_bytes`;
validation compares a package's descriptor with the one generated for the project.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.dataset.template import template_descriptor
from generator.errors import DataError
from generator.text import shown

if TYPE_CHECKING:
    from generator.reference import Reference
    from generator.settings import DataSettings

UNRECORDED_KEY = "unrecordedFields"
"""Resource property listing the contract fields an export does not record (cells all empty)."""

UNRECORDABLE = (
    "channel",
    "location_key",
    "complainant_key",
    "urgency",
    "dispatched_at",
    "contacted_at",
    "handling_level",
    "escalated",
    "revisit_valid",
    "contacted",
    "resolved",
    "satisfaction",
)
"""Fields a package may declare unrecorded. The others (identity, time of receipt, place,
category, status and closing time) carry every published figure and must always be filled."""

UNRECORDED_NOTE = "本数据包未记录此字段，所有单元格为空。"

REFERENCE_FILES = {
    "element": "taxonomy.yml",
    "category": "taxonomy.yml",
    "district": "districts.csv",
    "district_code": "districts.csv",
    "street": "streets.csv",
    "street_code": "streets.csv",
}
"""Fields whose enum comes from the reference data, and the file it comes from."""

_TIME_ZONE = "{time_zone_label}"


def reference_enums(reference: Reference) -> dict[str, list[str]]:
    """Field → allowed values, in reference order (street names once each: they repeat
    across districts)."""
    enums: dict[str, list[str]] = {
        "element": list(reference.elements),
        "category": [c.name for c in reference.categories],
        "district": [d.name for d in reference.districts],
        "district_code": [d.code for d in reference.districts],
        "street": list(dict.fromkeys(s.name for s in reference.streets)),
        "street_code": [s.code for s in reference.streets],
    }
    return enums


def _fill_text(value: Any, label: str) -> Any:
    if isinstance(value, str):
        return value.replace(_TIME_ZONE, label)
    if isinstance(value, list):
        return [_fill_text(v, label) for v in value]
    if isinstance(value, dict):
        return {k: _fill_text(v, label) for k, v in value.items()}
    return value


def package_descriptor(
    reference: Reference, data: DataSettings, unrecorded: Sequence[str] = ()
) -> dict[str, Any]:
    """The descriptor of a package for this project (a fresh dict).

    Fields in `unrecorded` (each in UNRECORDABLE, else ValueError) lose `required`, get a
    note in their description, and are listed in the resource's `unrecordedFields` in
    contract order, so frictionless also accepts their empty cells.
    """
    wrong = [name for name in unrecorded if name not in UNRECORDABLE]
    if wrong:
        raise ValueError(f"fields that cannot be unrecorded: {wrong}")
    descriptor: dict[str, Any] = _fill_text(template_descriptor(), data.time_zone_label)
    resource = descriptor["resources"][0]
    enums = reference_enums(reference)
    fields = resource["schema"]["fields"]
    for field in fields:
        constraints = field.setdefault("constraints", {})
        if field["name"] in enums:
            constraints["enum"] = enums[field["name"]]
        if field["name"] in unrecorded:
            constraints.pop("required", None)
            if not constraints:
                del field["constraints"]
            field["description"] = f"{field.get('description', '')}{UNRECORDED_NOTE}"
        elif not constraints:
            del field["constraints"]
    if unrecorded:
        order = [f["name"] for f in fields]
        resource[UNRECORDED_KEY] = sorted(set(unrecorded), key=order.index)
    return descriptor


def descriptor_bytes(
    reference: Reference, data: DataSettings, unrecorded: Sequence[str] = ()
) -> bytes:
    """package_descriptor as UTF-8 JSON: two-space indent, Chinese unescaped, final newline."""
    text = json.dumps(package_descriptor(reference, data, unrecorded),
                      ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


def declared_unrecorded(resource: dict[str, Any], descriptor_path: Path) -> tuple[str, ...]:
    """The resource's `unrecordedFields`, checked: a list of distinct field names that may be
    unrecorded. Raises DataError naming every problem."""
    value = resource.get(UNRECORDED_KEY, [])
    where = f"{descriptor_path} 中 resources[0].{UNRECORDED_KEY}"
    allowed = "、".join(UNRECORDABLE)
    fix = ("请用 `ecoportal import` 重新生成数据包（导出里没有的可选列会列在这里），"
           f"或改正该列表：只能列出 {allowed}。")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DataError(f"{where} 应为字段名的列表，例如 [\"complainant_key\"]，"
                        f"实际是 {_json(value)}。{fix}")
    problems = []
    names = {f["name"] for f in template_descriptor()["resources"][0]["schema"]["fields"]}
    unknown = [v for v in value if v not in names]
    if unknown:
        problems.append(f"数据契约中没有字段 {_listed(unknown)}")
    required = [v for v in value if v in names and v not in UNRECORDABLE]
    if required:
        problems.append(f"字段 {_listed(required)} 不能未记录（已公布的数字都依赖它们）")
    repeated = sorted({v for v in value if value.count(v) > 1}, key=value.index)
    if repeated:
        problems.append(f"字段 {_listed(repeated)} 重复列出")
    if problems:
        raise DataError(f"{where} 有误：{'；'.join(problems)}。{fix}")
    return tuple(value)


def unrecorded_fields(descriptor: dict[str, Any]) -> frozenset[str]:
    """The fields a (checked) descriptor declares unrecorded."""
    resources = descriptor.get("resources") or [{}]
    value = resources[0].get(UNRECORDED_KEY, [])
    return frozenset(v for v in value if isinstance(v, str))


def recorded_fields(descriptor: dict[str, Any]) -> frozenset[str]:
    """The contract fields a (checked) descriptor records: all but `unrecordedFields`."""
    fields = descriptor["resources"][0]["schema"]["fields"]
    return frozenset(f["name"] for f in fields) - unrecorded_fields(descriptor)


def reference_label(folder: Path) -> str:
    """The reference folder as messages name it: relative to the working directory when
    inside it (data/reference), else absolute. For display only; nothing is read from it."""
    absolute = folder.resolve()
    try:
        return absolute.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return absolute.as_posix()


def _json(value: Any) -> str:
    return f"“{shown(json.dumps(value, ensure_ascii=False))}”"


def _listed(names: list[str]) -> str:
    return "、".join(f"“{shown(n)}”" for n in names)


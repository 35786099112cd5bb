"""What a loaded import profile holds (format documented in data/profiles/README.md).

The reading and checking of the YAML is in generator.ingest.profile; this module holds only
the typed result and the vocabulary of keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.dataset.schema import Field
from generator.reference import Reference

DERIVED_FIELDS = {
    "case_id": "由 pseudonyms.case_id_column 生成化名",
    "element": "由诉求类别按 taxonomy.yml 推导",
    "district": "由 region 部分匹配参考数据",
    "district_code": "由 region 部分匹配参考数据",
    "street": "由 region 部分匹配参考数据",
    "street_code": "由 region 部分匹配参考数据",
    "location_key": "由区、街乡镇和详细地址生成化名",
    "complainant_key": "由来电号码（或姓名）生成化名",
}
"""Contract fields the importer computes; a profile may not map them."""

TOP_KEYS = {
    "name", "description", "time_zone", "date_formats", "encoding", "sheet", "columns",
    "value_maps", "region", "pseudonyms", "identifier_columns", "optional_columns", "scope",
}
REGION_KEYS = {
    "reference", "district_column", "street_column", "address_column", "district_values",
    "street_values", "place_by_address",
}
PSEUDONYM_KEYS = {"case_id_column", "case_id_prefix", "phone_column", "name_column"}
COLUMN_KEYS = {"column", "columns", "value", "values"}
SCOPE_KEYS = {"column", "include", "exclude", "unmapped_categories"}
UNMAPPED_CHOICES = ("out_of_scope", "reject")
"""scope.unmapped_categories: a category value without a mapping is out of scope, or an error."""


@dataclass(frozen=True)
class ColumnSpec:
    """One contract field: from raw column(s) (first mapped value wins) or a fixed value."""

    field: str
    columns: tuple[str, ...]
    value: str | None
    values: str | None
    """Name of the value map in `value_maps`, or None to take raw values as they are."""


@dataclass(frozen=True)
class RegionSpec:
    district_column: str
    street_column: str | None
    address_column: str
    district_values: dict[str, str]
    street_values: dict[str, str]
    place_by_address: bool


@dataclass(frozen=True)
class PseudonymSpec:
    case_id_column: str
    case_id_prefix: str
    phone_column: str | None
    name_column: str | None


@dataclass(frozen=True)
class ScopeSpec:
    """Which rows belong in the package; the others are counted as out of scope, not errors."""

    column: str | None
    """Raw column a filter looks at (None: no filter)."""
    include: frozenset[str] | None
    """Only rows whose `column` holds one of these values are in scope (None: no include)."""
    exclude: frozenset[str]
    """Rows whose `column` holds one of these values are out of scope."""
    unmapped_categories: str
    """'out_of_scope' (default) or 'reject': a category value with no mapping."""


@dataclass(frozen=True)
class Profile:
    path: Path
    name: str
    time_zone: str
    """Zone of the export's times (default: the deployment's settings data.time_zone)."""
    date_formats: tuple[str, ...]
    encoding: str | None
    """None: detect (UTF-8, UTF-8 with BOM, GB18030); otherwise a Python codec name."""
    sheet: str | None
    columns: dict[str, ColumnSpec]
    value_maps: dict[str, dict[str, str]]
    region: RegionSpec
    pseudonyms: PseudonymSpec
    identifier_columns: tuple[str, ...]
    optional_columns: frozenset[str]
    """Raw columns an export may lack; what they feed is then unrecorded."""
    scope: ScopeSpec
    reference: Reference
    """The project's reference data (settings reference.folder)."""
    reference_folder: Path

    def raw_columns(self) -> set[str]:
        """Every raw column the import reads."""
        used = {c for spec in self.columns.values() for c in spec.columns}
        used |= {self.region.district_column, self.region.address_column,
                 self.pseudonyms.case_id_column}
        used |= {c for c in (self.region.street_column, self.pseudonyms.phone_column,
                             self.pseudonyms.name_column, self.scope.column) if c}
        return used


def allowed_values(field: Field, reference: Reference) -> set[str] | None:
    """The values a contract field accepts after mapping (None: any text)."""
    if field.name == "category":
        return {cat.name for cat in reference.categories}
    if field.type == "boolean":
        return set(field.true_values) | set(field.false_values)
    return set(field.enum) if field.enum else None

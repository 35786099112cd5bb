"""Import profiles: how one city's raw export maps onto the data contract.

A profile is a YAML file under data/profiles/ (format documented in data/profiles/README.md).
Every problem in a profile is collected and reported at once, naming the file, the key and
the fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from generator.config import Problems, kind_of, read_yaml_mapping
from generator.dataset.schema import Field, contract_fields
from generator.errors import ConfigError
from generator.reference import Reference, load_reference
from generator.text import ESCAPED_NOTE

TARGET_ZONE = "Asia/Shanghai"

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
    "value_maps", "region", "pseudonyms", "identifier_columns",
}
REGION_KEYS = {
    "reference", "district_column", "street_column", "address_column", "district_values",
    "street_values", "place_by_address",
}
PSEUDONYM_KEYS = {"case_id_column", "case_id_prefix", "phone_column", "name_column"}
COLUMN_KEYS = {"column", "columns", "value", "values"}


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
    reference: Path
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
class Profile:
    path: Path
    name: str
    time_zone: str
    date_formats: tuple[str, ...]
    encoding: str | None
    """None: detect (UTF-8, UTF-8 with BOM, GB18030); otherwise a Python codec name."""
    sheet: str | None
    columns: dict[str, ColumnSpec]
    value_maps: dict[str, dict[str, str]]
    region: RegionSpec
    pseudonyms: PseudonymSpec
    identifier_columns: tuple[str, ...]

    @property
    def reference(self) -> Reference:
        return load_reference(self.region.reference)

    def raw_columns(self) -> set[str]:
        """Every raw column the import reads."""
        used = {c for spec in self.columns.values() for c in spec.columns}
        used |= {self.region.district_column, self.region.address_column,
                 self.pseudonyms.case_id_column}
        used |= {c for c in (self.region.street_column, self.pseudonyms.phone_column,
                             self.pseudonyms.name_column) if c}
        return used


class _Collector:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.errors: list[str] = []
        self._values = Problems()

    def add(self, key: str, problem: str, fix: str) -> None:
        self.errors.append(f"{self.path}：{key}：{problem}。{fix}")

    def v(self, value: Any) -> str:
        """A value from the profile, fit for a message (quoted, escaped, cut)."""
        return self._values.value(value)

    def now(self, value: Any) -> str:
        """"现为列表 [1]": what the profile holds instead."""
        return f"现为{kind_of(value)} {self.v(value)}" if value is not None else "现为空值"

    @property
    def escaped(self) -> bool:
        return self._values.escaped


def _is_text(value: Any) -> bool:
    """A YAML scalar usable as a name or a value (not a list, mapping, null or true/false)."""
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _str(c: _Collector, data: dict[str, Any], key: str, where: str, *,
         required: bool = True) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        if required:
            c.add(f"{where}.{key}", "缺少必填项", f"请填写原始导出中的列名，如 `{key}: 列名`")
        return None
    if not _is_text(value):
        c.add(f"{where}.{key}", f"应为文本，{c.now(value)}", "请写成一个列名或文字")
        return None
    return str(value)


def _str_map(c: _Collector, value: Any, key: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        c.add(key, f"应为“原始值: 目标值”的映射，{c.now(value)}",
              "请按 data/profiles/README.md 的格式书写")
        return {}
    for k, v in value.items():
        if not _is_text(v):
            c.add(f"{key}.{k}", f"目标值应为文本，{c.now(v)}",
                  "请写成 `原始值: 目标值`；是/否等词请加引号")
    return {str(k).strip(): str(v).strip() for k, v in value.items() if _is_text(v)}


def _unknown(c: _Collector, data: dict[str, Any], allowed: set[str], where: str) -> None:
    for key in data:
        if key not in allowed:
            c.add(f"{where}{key}", f"未知的设置项{c.v(key)}",
                  f"可用的设置项：{'、'.join(sorted(allowed))}；请改正拼写或删除该项")


def _column_spec(c: _Collector, name: str, raw: Any, field: Field) -> ColumnSpec | None:
    key = f"columns.{name}"
    if isinstance(raw, str):
        raw = {"column": raw}
    if not isinstance(raw, dict):
        c.add(key, f"应为映射，{c.now(raw)}",
              f"请写成 `{name}: {{column: 原始列名}}` 或 `{name}: {{value: 固定值}}`")
        return None
    _unknown(c, raw, COLUMN_KEYS, f"{key}.")
    cols: list[str] = []
    if "column" in raw:
        if _is_text(raw["column"]):
            cols.append(str(raw["column"]))
        else:
            c.add(f"{key}.column", f"应为一个列名，{c.now(raw['column'])}",
                  "多个来源列请写成 `columns: [列名1, 列名2]`")
            return None
    if "columns" in raw:
        listed = raw["columns"]
        if not isinstance(listed, list) or not listed or not all(map(_is_text, listed)):
            c.add(f"{key}.columns", f"应为非空的列名列表，{c.now(listed)}",
                  "例如 `columns: [三级分类, 二级分类]`")
            return None
        cols.extend(str(x) for x in listed)
    value = raw.get("value")
    if value is not None and not _is_text(value):
        c.add(f"{key}.value", f"应为文本，{c.now(value)}", '是/否请加引号，如 `value: "是"`')
        return None
    if bool(cols) == (value is not None):
        c.add(key, "必须且只能给出 column/columns（原始列）或 value（固定值）之一",
              f"请写成 `{name}: {{column: 原始列名}}` 或 `{name}: {{value: 固定值}}`")
        return None
    values = raw.get("values")
    if values is not None and not isinstance(values, str):
        c.add(f"{key}.values", f"应为值映射的名称，{c.now(values)}",
              "请写成 value_maps 下的一个名称，如 `values: status`")
        return None
    return ColumnSpec(name, tuple(cols), None if value is None else str(value),
                      None if values is None else str(values))


def _flag(c: _Collector, data: dict[str, Any], key: str) -> bool:
    value = data.get(key, True)
    if not isinstance(value, bool):
        c.add(f"region.{key}", f"应为 true 或 false，{c.now(value)}", f"请写成 `{key}: true`")
        return True
    return value


def _format_problem(fmt: Any) -> str | None:
    """Why `fmt` cannot be a date format of the importer (pandas.to_datetime), or None."""
    if not isinstance(fmt, str) or "%" not in fmt:
        return "不是日期格式（应为含 %Y、%m 等代码的文字）"
    if "%z" in fmt or "%Z" in fmt:
        return "含时区代码 %z/%Z；时区请用 time_zone 设置"
    try:
        pd.to_datetime(pd.Series(["2024-01-02 03:04:05"]), format=fmt, errors="coerce")
    except ValueError:
        return "含无效的格式代码（如 %Q，或末尾单独的 %）"
    return None


def allowed_values(field: Field, reference: Reference) -> set[str] | None:
    """The values a contract field accepts after mapping (None: any text)."""
    if field.name == "category":
        return {cat.name for cat in reference.categories}
    if field.type == "boolean":
        return set(field.true_values) | set(field.false_values)
    return set(field.enum) if field.enum else None


def _check_targets(c: _Collector, spec: ColumnSpec, field: Field, maps: dict[str, dict[str, str]],
                   reference: Reference | None) -> None:
    if reference is None:
        return
    allowed = allowed_values(field, reference)
    if spec.values is not None and spec.values not in maps:
        c.add(f"columns.{spec.field}.values", f"值映射“{spec.values}”不存在",
              f"请在 value_maps 下添加 {spec.values}，或改用已有的：{'、'.join(maps) or '（无）'}")
        return
    if allowed is None:
        return
    targets = {spec.value} if spec.value is not None else set()
    where = f"columns.{spec.field}.value"
    if spec.values is not None:
        targets = set(maps[spec.values].values())
        where = f"value_maps.{spec.values}"
    for bad in sorted(targets - allowed):
        c.add(where, f"目标值“{bad}”不是字段 {spec.field}（{field.title}）的合法取值",
              f"合法取值：{'、'.join(sorted(allowed))}")


def load_profile(path: Path) -> Profile:
    """Read and check a profile; raise one ConfigError listing every problem."""
    path = Path(path)
    c = _Collector(path)
    data = read_yaml_mapping(path, "导入映射档案", "请检查 --profile 的路径。")
    _unknown(c, data, TOP_KEYS, "")

    fields = {f.name: f for f in contract_fields()}
    zone_raw = data.get("time_zone", TARGET_ZONE)
    zone = str(zone_raw)
    try:
        if not isinstance(zone_raw, str):
            raise ValueError(zone)
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        c.add("time_zone", f"未知的时区{c.v(zone_raw)}", "请填写 IANA 时区名，如 Asia/Shanghai")
    formats = data.get("date_formats")
    if not isinstance(formats, list) or not formats:
        c.add("date_formats", f"应为非空的日期格式列表，{c.now(formats)}",
              '例如 `date_formats: ["%Y-%m-%d %H:%M:%S"]`')
        formats = []
    for i, fmt in enumerate(formats):
        problem = _format_problem(fmt)
        if problem:
            c.add(f"date_formats[{i}]", f"{c.v(fmt)} {problem}",
                  "格式写法见 data/profiles/README.md，例如 \"%Y-%m-%d %H:%M:%S\"；"
                  "字面的 % 写成 %%")

    maps_raw = data.get("value_maps") or {}
    maps: dict[str, dict[str, str]] = {}
    if not isinstance(maps_raw, dict):
        c.add("value_maps", "应为映射", "每个值映射写成 `名称: {原始值: 目标值}`")
    else:
        maps = {str(k): _str_map(c, v, f"value_maps.{k}") for k, v in maps_raw.items()}

    region_raw = data.get("region")
    if not isinstance(region_raw, dict):
        c.add("region", "缺少 region 部分", "请写明参考数据文件夹和区、街乡镇、详细地址所在的列")
        region_raw = {}
    _unknown(c, region_raw, REGION_KEYS, "region.")
    ref_raw = region_raw.get("reference", "../reference")
    ref_folder = (path.parent / str(ref_raw)).resolve()
    reference: Reference | None = None
    if not isinstance(ref_raw, str) or not ref_folder.is_dir():
        c.add("region.reference", f"参考数据文件夹 {c.v(ref_raw)} 不存在（{ref_folder}）",
              "请填写含 districts.csv、streets.csv、taxonomy.yml 的文件夹，相对于本档案")
    else:
        reference = load_reference(ref_folder)  # its own errors name its own files
    region = RegionSpec(
        reference=ref_folder,
        district_column=_str(c, region_raw, "district_column", "region") or "",
        street_column=_str(c, region_raw, "street_column", "region", required=False),
        address_column=_str(c, region_raw, "address_column", "region") or "",
        district_values=_str_map(c, region_raw.get("district_values"), "region.district_values"),
        street_values=_str_map(c, region_raw.get("street_values"), "region.street_values"),
        place_by_address=_flag(c, region_raw, "place_by_address"),
    )
    if reference is not None:
        names = {d.name for d in reference.districts}
        for raw, target in region.district_values.items():
            if target not in names:
                c.add(f"region.district_values.{raw}", f"{c.v(target)}不是参考数据中的区",
                      f"请改为 {ref_folder / 'districts.csv'} 中的区名全称")

    ps_raw = data.get("pseudonyms")
    if not isinstance(ps_raw, dict):
        c.add("pseudonyms", "缺少 pseudonyms 部分", "请写明工单编号、来电号码、姓名所在的列")
        ps_raw = {}
    _unknown(c, ps_raw, PSEUDONYM_KEYS, "pseudonyms.")
    prefix_raw = ps_raw.get("case_id_prefix", "")
    prefix = str(prefix_raw)
    if not isinstance(prefix_raw, str) or not re.fullmatch(r"[A-Z]{2}", prefix):
        c.add("pseudonyms.case_id_prefix", f"{c.v(prefix_raw)}不是两个大写字母",
              "请填写两个大写英文字母，如 BJ")
    pseudonyms = PseudonymSpec(
        case_id_column=_str(c, ps_raw, "case_id_column", "pseudonyms") or "",
        case_id_prefix=prefix,
        phone_column=_str(c, ps_raw, "phone_column", "pseudonyms", required=False),
        name_column=_str(c, ps_raw, "name_column", "pseudonyms", required=False),
    )

    columns: dict[str, ColumnSpec] = {}
    cols_raw = data.get("columns")
    if not isinstance(cols_raw, dict):
        c.add("columns", "缺少 columns 部分", "请为每个数据契约字段写明来源列或固定值")
        cols_raw = {}
    for name, raw in cols_raw.items():
        name = str(name)
        if name in DERIVED_FIELDS:
            c.add(f"columns.{name}", f"字段 {name} {DERIVED_FIELDS[name]}，不能在 columns 中映射",
                  "请删除该项")
            continue
        if name not in fields:
            usable = sorted(set(fields) - set(DERIVED_FIELDS))
            c.add(f"columns.{name}", f"未知的字段名“{name}”，数据契约中没有这个字段",
                  f"请改为数据契约中的字段名（{'、'.join(usable)}），或删除该项")
            continue
        spec = _column_spec(c, name, raw, fields[name])
        if spec is not None and spec.value is not None and fields[name].type == "datetime":
            c.add(f"columns.{name}", "时间字段不能用固定值",
                  f"请写成 `{name}: {{column: 原始列名}}`")
        elif spec is not None:
            columns[name] = spec
            _check_targets(c, spec, fields[name], maps, reference)
    for name, field in fields.items():
        if field.required and name not in DERIVED_FIELDS and name not in cols_raw:
            c.add(f"columns.{name}", f"缺少必需字段 {name}（{field.title}）的映射",
                  f"请在 columns 下添加 `{name}: {{column: 原始列名}}` 或 "
                  f"`{name}: {{value: 固定值}}`")

    identifiers = data.get("identifier_columns") or []
    if not isinstance(identifiers, list) or not all(map(_is_text, identifiers)):
        c.add("identifier_columns", "应为列名列表",
              "例如 `identifier_columns: [来电人姓名, 来电号码]`")
        identifiers = []
    identifiers = [str(x) for x in identifiers]
    for spec in columns.values():
        for col in spec.columns:
            if col in identifiers:
                c.add(f"columns.{spec.field}", f"列“{col}”是直接标识符，不能写入数据包",
                      "直接标识符只能用于 pseudonyms / region.address_column 生成化名或定位；"
                      "请删除这项映射")
    for key in ("encoding", "sheet", "name", "description"):
        if data.get(key) is not None and not isinstance(data[key], str):
            c.add(key, f"应为文本，{c.now(data[key])}", "请删除或写成文本")
    if c.errors:
        note = f"\n{ESCAPED_NOTE}" if c.escaped else ""
        raise ConfigError("导入映射档案有误：\n" + "\n".join(f"  - {e}" for e in c.errors)
                          + note)
    return Profile(
        path=path, name=str(data.get("name", path.stem)), time_zone=zone,
        date_formats=tuple(formats), encoding=data.get("encoding"), sheet=data.get("sheet"),
        columns=columns, value_maps=maps, region=region, pseudonyms=pseudonyms,
        identifier_columns=tuple(identifiers),
    )

"""Import profiles: how one city's raw export maps onto the data contract.

A profile is a YAML file under data/profiles/ (format documented in data/profiles/README.md).
The region reference is the project's (settings `reference.folder`); a profile may repeat it
in `region.reference` only as the same folder. Every problem in a profile is collected and
reported at once, naming the file, the key and the fix (generator.ingest.profile_checks).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from generator.config import read_yaml_mapping
from generator.dataset.schema import UNRECORDABLE, contract_fields
from generator.ingest.profile_checks import (
    Collector,
    check_targets,
    column_spec,
    flag,
    format_problem,
    text_item,
    text_list,
    text_map,
    unknown_keys,
)
from generator.ingest.profile_model import (
    DERIVED_FIELDS,
    PSEUDONYM_KEYS,
    REGION_KEYS,
    SCOPE_KEYS,
    TOP_KEYS,
    UNMAPPED_CHOICES,
    ColumnSpec,
    Profile,
    PseudonymSpec,
    RegionSpec,
    ScopeSpec,
    allowed_values,
)
from generator.reference import Reference, load_reference

if TYPE_CHECKING:
    from generator.paths import ProjectPaths

__all__ = ["ColumnSpec", "Profile", "allowed_values", "load_profile"]


def _zone(c: Collector, data: dict[str, Any], default: str) -> str:
    zone_raw = data.get("time_zone", default)
    try:
        if not isinstance(zone_raw, str):
            raise ValueError(zone_raw)
        ZoneInfo(zone_raw)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        c.add("time_zone", f"未知的时区{c.v(zone_raw)}", "请填写 IANA 时区名，如 Asia/Shanghai",
              value=zone_raw)
    return str(zone_raw)


def _formats(c: Collector, data: dict[str, Any]) -> list[Any]:
    formats = data.get("date_formats")
    if not isinstance(formats, list) or not formats:
        c.add("date_formats", f"应为非空的日期格式列表，{c.now(formats)}",
              '例如 `date_formats: ["%Y-%m-%d %H:%M:%S"]`', value=formats, code="type-error")
        return []
    for i, fmt in enumerate(formats):
        problem = format_problem(fmt)
        if problem:
            c.add(f"date_formats[{i}]", f"{c.v(fmt)} {problem}",
                  "格式写法见 data/profiles/README.md，例如 \"%Y-%m-%d %H:%M:%S\"；"
                  "字面的 % 写成 %%", value=fmt)
    return formats


def _value_maps(c: Collector, data: dict[str, Any]) -> dict[str, dict[str, str]]:
    maps_raw = data.get("value_maps") or {}
    if not isinstance(maps_raw, dict):
        c.add("value_maps", "应为映射", "每个值映射写成 `名称: {原始值: 目标值}`",
              code="type-error")
        return {}
    return {str(k): text_map(c, v, f"value_maps.{k}") for k, v in maps_raw.items()}


def _region(c: Collector, data: dict[str, Any], path: Path, project_folder: Path,
            reference: Reference) -> RegionSpec:
    region_raw = data.get("region")
    if not isinstance(region_raw, dict):
        c.add("region", "缺少 region 部分", "请写明区、街乡镇、详细地址所在的列",
              code="missing-key")
        region_raw = {}
    unknown_keys(c, region_raw, REGION_KEYS, "region.")
    if "reference" in region_raw:
        ref_raw = region_raw["reference"]
        folder = (path.parent / str(ref_raw)).resolve()
        if not isinstance(ref_raw, str) or folder != project_folder.resolve():
            c.add("region.reference",
                  f"参考数据文件夹 {c.v(ref_raw)}（{folder}）不是项目的参考数据文件夹"
                  f"（{project_folder}）",
                  "参考数据由 data/settings.yml 的 reference.folder 决定；"
                  "请删除 region.reference，或修改设置中的 reference.folder",
                  value=ref_raw, code="conflict")
    region = RegionSpec(
        district_column=text_item(c, region_raw, "district_column", "region") or "",
        street_column=text_item(c, region_raw, "street_column", "region", required=False),
        address_column=text_item(c, region_raw, "address_column", "region") or "",
        district_values=text_map(c, region_raw.get("district_values"), "region.district_values"),
        street_values=text_map(c, region_raw.get("street_values"), "region.street_values"),
        place_by_address=flag(c, region_raw, "place_by_address"),
    )
    names = {d.name for d in reference.districts}
    for raw, target in region.district_values.items():
        if target not in names:
            c.add(f"region.district_values.{raw}", f"{c.v(target)}不是参考数据中的区",
                  f"请改为 {project_folder / 'districts.csv'} 中的区名全称", value=target)
    return region


def _pseudonyms(c: Collector, data: dict[str, Any]) -> PseudonymSpec:
    ps_raw = data.get("pseudonyms")
    if not isinstance(ps_raw, dict):
        c.add("pseudonyms", "缺少 pseudonyms 部分", "请写明工单编号、来电号码、姓名所在的列",
              code="missing-key")
        ps_raw = {}
    unknown_keys(c, ps_raw, PSEUDONYM_KEYS, "pseudonyms.")
    prefix_raw = ps_raw.get("case_id_prefix", "")
    prefix = str(prefix_raw)
    if not isinstance(prefix_raw, str) or not re.fullmatch(r"[A-Z]{2}", prefix):
        c.add("pseudonyms.case_id_prefix", f"{c.v(prefix_raw)}不是两个大写字母",
              "请填写两个大写英文字母，如 BJ", value=prefix_raw)
    return PseudonymSpec(
        case_id_column=text_item(c, ps_raw, "case_id_column", "pseudonyms") or "",
        case_id_prefix=prefix,
        phone_column=text_item(c, ps_raw, "phone_column", "pseudonyms", required=False),
        name_column=text_item(c, ps_raw, "name_column", "pseudonyms", required=False),
    )


def _scope(c: Collector, data: dict[str, Any]) -> ScopeSpec:
    raw = data.get("scope")
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        c.add("scope", f"应为映射，{c.now(raw)}",
              "例如 `scope: {column: Agency, include: [DEP]}`", value=raw, code="type-error")
        raw = {}
    unknown_keys(c, raw, SCOPE_KEYS, "scope.")
    column = text_item(c, raw, "column", "scope", required=False)
    include = text_list(c, raw.get("include"), "scope.include", "include: [DEP]")
    exclude = text_list(c, raw.get("exclude"), "scope.exclude", "exclude: [NYPD]")
    if "include" in raw and "exclude" in raw:
        c.add("scope", "include 和 exclude 只能给出其一",
              "只保留某些取值用 include，去掉某些取值用 exclude")
    if column is None and ("include" in raw or "exclude" in raw):
        c.add("scope.column", "给出了 include/exclude，却没有写明按哪一列筛选",
              "例如 `scope: {column: Agency, include: [DEP]}`", code="missing-key")
    if column is not None and not include and not exclude:
        c.add("scope", f"给出了筛选列{c.v(column)}，却没有 include 或 exclude 的取值",
              "例如 `include: [DEP]`（只保留这些取值的行）", value=column)
    unmapped = raw.get("unmapped_categories", UNMAPPED_CHOICES[0])
    if unmapped not in UNMAPPED_CHOICES:
        c.add("scope.unmapped_categories",
              f"应为 {' 或 '.join(UNMAPPED_CHOICES)}，{c.now(unmapped)}",
              "out_of_scope：没有类别映射的行算作未纳入；reject：算作错误写入 rejects.csv",
              value=unmapped)
        unmapped = UNMAPPED_CHOICES[0]
    return ScopeSpec(column=column, include=frozenset(include) if "include" in raw else None,
                     exclude=frozenset(exclude), unmapped_categories=str(unmapped))


def _columns(c: Collector, data: dict[str, Any], maps: dict[str, dict[str, str]],
             reference: Reference) -> dict[str, ColumnSpec]:
    fields = {f.name: f for f in contract_fields()}
    columns: dict[str, ColumnSpec] = {}
    cols_raw = data.get("columns")
    if not isinstance(cols_raw, dict):
        c.add("columns", "缺少 columns 部分", "请为每个数据契约字段写明来源列或固定值",
              code="missing-key")
        cols_raw = {}
    for name, raw in cols_raw.items():
        name = str(name)
        if name in DERIVED_FIELDS:
            c.add(f"columns.{name}", f"字段 {name} {DERIVED_FIELDS[name]}，不能在 columns 中映射",
                  "请删除该项", value=name)
            continue
        if name not in fields:
            usable = sorted(set(fields) - set(DERIVED_FIELDS))
            c.add(f"columns.{name}", f"未知的字段名“{name}”，数据契约中没有这个字段",
                  f"请改为数据契约中的字段名（{'、'.join(usable)}），或删除该项", value=name,
                  code="unknown-key")
            continue
        spec = column_spec(c, name, raw)
        if spec is not None and spec.value is not None and fields[name].type == "datetime":
            c.add(f"columns.{name}", "时间字段不能用固定值",
                  f"请写成 `{name}: {{column: 原始列名}}`")
        elif spec is not None:
            columns[name] = spec
            check_targets(c, spec, fields[name], maps, reference)
    for name, field in fields.items():
        if field.required and name not in DERIVED_FIELDS and name not in cols_raw:
            c.add(f"columns.{name}", f"缺少必需字段 {name}（{field.title}）的映射",
                  f"请在 columns 下添加 `{name}: {{column: 原始列名}}` 或 "
                  f"`{name}: {{value: 固定值}}`", code="missing-key")
    return columns


def _optional(c: Collector, data: dict[str, Any], columns: dict[str, ColumnSpec],
              region: RegionSpec, pseudonyms: PseudonymSpec, scope: ScopeSpec) -> list[str]:
    """optional_columns: each used by the profile, none the import cannot do without."""
    optional = text_list(c, data.get("optional_columns"), "optional_columns",
                         "optional_columns: [Closed Date, Contact Phone]")
    needed = {pseudonyms.case_id_column: "pseudonyms.case_id_column",
              region.district_column: "region.district_column",
              region.address_column: "region.address_column"}
    if scope.column:
        needed[scope.column] = "scope.column"
    used = {col for spec in columns.values() for col in spec.columns}
    used |= {x for x in (region.street_column, pseudonyms.phone_column,
                         pseudonyms.name_column) if x}
    for col in optional:
        if col in needed:
            c.add("optional_columns", f"列“{col}”用于 {needed[col]}，导入不能缺少它",
                  "请从 optional_columns 中删除该列", value=col)
        elif col not in used:
            c.add("optional_columns", f"列“{col}”不是档案用到的列",
                  "请改正列名，或从 optional_columns 中删除该列", value=col)
    titles = {f.name: f for f in contract_fields()}
    for spec in columns.values():
        if (spec.columns and spec.field not in UNRECORDABLE
                and all(col in optional for col in spec.columns)):
            c.add("optional_columns",
                  f"字段 {spec.field}（{titles[spec.field].title}）必须有记录"
                  "（已发布的数字都需要它），它的来源列不能都标为可缺少",
                  f"请从 optional_columns 中删除 {'、'.join(spec.columns)}", value=spec.field)
    return optional


def load_profile(path: Path, project: ProjectPaths) -> Profile:
    """Read and check a profile against the project's reference and settings; raise one
    ConfigError listing (and carrying, as Problems) every problem."""
    path = Path(path)
    c = Collector(path)
    data = read_yaml_mapping(path, "导入映射档案", "请检查 --profile 的路径。")
    unknown_keys(c, data, TOP_KEYS, "")
    folder = project.reference
    reference = load_reference(folder)  # its own errors name its own files
    zone = _zone(c, data, project.settings.data.time_zone)
    formats = _formats(c, data)
    maps = _value_maps(c, data)
    region = _region(c, data, path, folder, reference)
    pseudonyms = _pseudonyms(c, data)
    scope = _scope(c, data)
    columns = _columns(c, data, maps, reference)
    optional = _optional(c, data, columns, region, pseudonyms, scope)
    identifiers = text_list(c, data.get("identifier_columns"), "identifier_columns",
                            "identifier_columns: [来电人姓名, 来电号码]")
    for spec in columns.values():
        for col in spec.columns:
            if col in identifiers:
                c.add(f"columns.{spec.field}", f"列“{col}”是直接标识符，不能写入数据包",
                      "直接标识符只能用于 pseudonyms / region.address_column 生成化名或定位；"
                      "请删除这项映射", value=col)
    if scope.column in identifiers:
        c.add("scope.column", f"列“{scope.column}”是直接标识符，不能用于筛选",
              "请按诉求类型、承办单位等非个人信息的列筛选", value=scope.column)
    for key in ("encoding", "sheet", "name", "description"):
        if data.get(key) is not None and not isinstance(data[key], str):
            c.add(key, f"应为文本，{c.now(data[key])}", "请删除或写成文本", value=data[key],
                  code="type-error")
    c.raise_if_any()
    return Profile(
        path=path, name=str(data.get("name", path.stem)), time_zone=zone,
        date_formats=tuple(formats), encoding=data.get("encoding"), sheet=data.get("sheet"),
        columns=columns, value_maps=maps, region=region, pseudonyms=pseudonyms,
        identifier_columns=tuple(identifiers), optional_columns=frozenset(optional),
        scope=scope, reference=reference, reference_folder=folder,
    )

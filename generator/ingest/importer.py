"""Raw export → anonymized data package (complaints.csv + datapackage.json).

Stages: read (readers) → scope filter → map values and dates (mapping) → place in
district/street (placement) → pseudonyms (privacy.pseudonym) → cross-field rules (rules) →
write (output). Only mapped fields reach the package; every column not mapped, and every
direct identifier, is dropped. Rows out of scope go to out_of_scope.csv, rows that break a
rule to rejects.csv, rows without a street to unplaced.csv. Times are converted from the
profile's zone to the deployment's (settings data.time_zone); the reference data is the
project's (settings reference.folder).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from generator.dataset.schema import (
    DATETIME_FIELDS,
    FIELD_NAMES,
    UNRECORDABLE,
    contract_fields,
)
from generator.errors import DataError
from generator.ingest.mapping import (
    BoolArray,
    ObjArray,
    format_datetimes,
    map_columns,
    parse_dates,
)
from generator.ingest.output import (
    OUTPUT_NAMES,
    ImportResult,
    Rejects,
    descriptor_for,
    write_package,
)
from generator.ingest.placement import RegionIndex
from generator.ingest.profile import Profile, allowed_values, load_profile
from generator.ingest.profile_model import DERIVED_FIELDS
from generator.ingest.readers import read_raw
from generator.ingest.rules import check_rules
from generator.ingest.scope import (
    OutOfScope,
    apply_filter,
    nothing_left_message,
    unmapped_categories,
)
from generator.privacy.pseudonym import Pseudonymizer, load_key
from generator.text import ESCAPED_NOTE, has_escapes, shown

if TYPE_CHECKING:
    from generator.paths import ProjectPaths


def _check_columns(frame: pd.DataFrame, profile: Profile, raw_path: Path) -> set[str]:
    """The optional columns the export lacks; an error for any other missing column."""
    absent = profile.raw_columns() - set(frame.columns)
    missing = sorted(absent - profile.optional_columns)
    if missing:
        names = [*missing, *map(str, frame.columns)]
        note = ESCAPED_NOTE if any(has_escapes(n) for n in names) else ""
        raise DataError(
            f"{raw_path}：缺少档案 {profile.path} 用到的列：{'、'.join(map(shown, missing))}。"
            f"文件中的列：{'、'.join(shown(c) for c in frame.columns)}。"
            f"请检查导出是否完整，或修改档案中的列名"
            f"（导出可能没有的列请列入档案的 optional_columns）。{note}"
        )
    return absent


def _unrecorded(profile: Profile, absent: set[str]) -> tuple[str, ...]:
    """Contract fields the export does not record, in contract order: not mapped, fed only
    by absent optional columns, or (complainant_key) no caller column at all. Only fields the
    contract lets a package leave unrecorded (UNRECORDABLE) count; the profile loader refuses
    optional columns that would leave any other field empty."""
    ps = profile.pseudonyms
    callers = {c for c in (ps.phone_column, ps.name_column) if c} - absent
    found = []
    for name in FIELD_NAMES:
        spec = profile.columns.get(name)
        if name == "complainant_key":
            if not callers:
                found.append(name)
        elif name in DERIVED_FIELDS or name not in UNRECORDABLE:
            continue
        elif spec is None or (spec.columns and set(spec.columns) <= absent):
            found.append(name)
    return tuple(found)


def _check_targets(out_dir: Path, inputs: tuple[Path, ...]) -> None:
    """The four files written to out_dir must not replace the raw export or the profile."""
    targets = {(out_dir / name).resolve() for name in OUTPUT_NAMES}
    for path in inputs:
        if path.resolve() in targets:
            raise DataError(
                f"--out {out_dir} 会覆盖输入文件 {path}（导入写出 {'、'.join(OUTPUT_NAMES)}）。"
                "请用 --out 指定另一个文件夹。")


def _map_fields(frame: pd.DataFrame, profile: Profile, target_zone: str,
                unrecorded: tuple[str, ...], rejects: Rejects, scope: OutOfScope,
                out: dict[str, ObjArray | pd.Series]) -> None:
    """Value-mapped and date fields into `out`; problems into `rejects`, category values
    without a mapping into `scope` (unless the profile treats them as errors)."""
    fields = {f.name: f for f in contract_fields()}
    n = len(frame)
    reference = profile.reference
    for name, spec in profile.columns.items():
        field = fields[name]
        if name in unrecorded:
            continue
        if spec.value is not None:  # never a datetime field: the profile loader refuses that
            out[name] = np.full(n, spec.value, dtype=object)
            continue
        cols = [frame[c] for c in spec.columns]
        if name in DATETIME_FIELDS:
            dates = parse_dates(cols[0], profile.date_formats, profile.time_zone, target_zone)
            rejects.add(dates.bad, name, dates.raw,
                        f"{field.title}无法按档案中的日期格式解析（date_formats："
                        f"{'；'.join(profile.date_formats)}）")
            out[name] = dates.values
            missing = dates.values.isna().to_numpy() & ~dates.bad
        else:
            mapping = profile.value_maps[spec.values] if spec.values else None
            mapped = map_columns(cols, mapping, allowed_values(field, reference))
            where = f"值映射 value_maps.{spec.values}" if spec.values else "合法取值"
            if name == "category" and profile.scope.unmapped_categories == "out_of_scope":
                unmapped_categories(mapped.raw, mapped.bad, scope)
            else:
                rejects.add(mapped.bad, name, mapped.raw,
                            f"{field.title}的值未知：{where} 中没有这个值，请在档案中补充映射")
            out[name] = mapped.values
            missing = (mapped.values == "") & ~mapped.bad
        if field.required:
            rejects.add(missing, name, None, f"{field.title}为空，这是必填项")
    element_of = {c.name: c.element for c in reference.categories}
    out["element"] = np.array([element_of.get(c, "") for c in out["category"]], dtype=object)


def _place(frame: pd.DataFrame, profile: Profile, city: str, rejects: Rejects,
           out: dict[str, ObjArray | pd.Series]) -> tuple[BoolArray, ObjArray]:
    """District and street columns into `out`; returns (unplaced mask, unplaced reasons)."""
    region = profile.region
    index = RegionIndex(profile.reference, region.district_values, region.street_values, city)
    n = len(frame)
    raw_district = frame[region.district_column].astype(str).str.strip()
    codes, uniques = pd.factorize(raw_district, use_na_sentinel=False)
    found = [index.district(str(u)) for u in uniques]
    bad_district = np.array([d is None for d in found], dtype=bool)[codes]
    empty = (raw_district == "").to_numpy()
    rejects.add(bad_district & ~empty, "district", raw_district.to_numpy(dtype=object),
                f"被反映区不是{city}的区：请在档案 region.district_values 中补充映射")
    rejects.add(empty, "district", None, "被反映区为空，这是必填项")
    dist_names = np.array([d.name if d else "" for d in found], dtype=object)[codes]
    street_raw = (frame[region.street_column].astype(str).str.strip() if region.street_column
                  else pd.Series("", index=frame.index))
    address = frame[region.address_column].to_numpy(dtype=object)
    key = pd.Series(dist_names, index=frame.index) + "\x1f" + street_raw
    reason = np.full(n, "", dtype=object)
    # Street column first, once per (district, street) pair; the address only where needed.
    k_codes, k_uniques = pd.factorize(key, use_na_sentinel=False)
    by_name = []
    districts = index.district_by_name()
    for u in k_uniques:
        d_name, s_raw = str(u).split("\x1f", 1)
        by_name.append(index.street(districts[d_name], s_raw) if d_name else None)
    found_street = [b.street if b is not None else None for b in by_name]
    street_name = np.array([s.name if s else "" for s in found_street], dtype=object)[k_codes]
    street_code = np.array([s.code if s else "" for s in found_street], dtype=object)[k_codes]
    need_address = ~bad_district & (street_code == "")
    for row in np.flatnonzero(need_address):
        first = by_name[k_codes[row]]
        if first is None:
            continue
        if not region.place_by_address:
            reason[row] = first.reason
            continue
        p = index.place_by_address(districts[dist_names[row]], str(address[row]))
        if p.street is not None:
            street_name[row], street_code[row] = p.street.name, p.street.code
        else:
            reason[row] = f"{first.reason}；{p.reason}"
    out["district"] = dist_names
    code_of = {d.name: d.code for d in profile.reference.districts}
    out["district_code"] = np.array([code_of.get(x, "") for x in dist_names], dtype=object)
    out["street"], out["street_code"] = street_name, street_code
    return (reason != ""), reason


def _pseudonyms(frame: pd.DataFrame, profile: Profile, key: bytes, rejects: Rejects,
                out: dict[str, ObjArray | pd.Series], in_scope: BoolArray,
                callers: bool) -> None:
    """case_id, complainant_key (when the export records callers) and location_key."""
    ps, region = profile.pseudonyms, profile.region
    p = Pseudonymizer(key)
    raw_id = frame[ps.case_id_column].astype(str).str.strip()
    out["case_id"] = np.array(p.case_ids(raw_id.tolist(), ps.case_id_prefix), dtype=object)
    present = (raw_id != "").to_numpy()
    rejects.add(~present, "case_id", None, "工单编号为空，无法生成化名编号")
    dup = np.zeros(len(frame), dtype=bool)
    dup[in_scope] = raw_id[in_scope].duplicated(keep="first").to_numpy()
    dup &= present
    rejects.add(dup, "case_id", None, "工单编号与前面的行重复，只保留第一行")
    ids = pd.Series(out["case_id"])[~dup & present & in_scope]
    if ids.duplicated().any():
        raise DataError("两个不同的工单编号生成了相同的化名编号（极罕见的碰撞）。"
                        "请换一个密钥重新导入。")
    if callers:
        empty = [""] * len(frame)
        phone = frame[ps.phone_column].astype(str).tolist() if ps.phone_column else empty
        name = frame[ps.name_column].astype(str).tolist() if ps.name_column else empty
        out["complainant_key"] = np.array(p.complainant_keys(phone, name), dtype=object)
    else:
        out["complainant_key"] = np.full(len(frame), "", dtype=object)
    address = frame[region.address_column].astype(str)
    out["location_key"] = np.array(p.location_keys(
        np.asarray(out["district"], dtype=object).tolist(),
        np.asarray(out["street"], dtype=object).tolist(), address.tolist()), dtype=object)
    rejects.add((address.str.strip() == "").to_numpy(), "location_key", None,
                "详细地址为空，无法生成点位标识")


def import_export(raw_path: Path, profile_path: Path, out_dir: Path, project: ProjectPaths,
                  *, key_file: Path | None = None,
                  environ: Mapping[str, str] | None = None) -> ImportResult:
    """Import one raw export into out_dir: the package, rejects.csv, unplaced.csv and
    out_of_scope.csv. Nothing is written when no row can be (DataError saying why)."""
    _check_targets(out_dir, (raw_path, profile_path))
    profile = load_profile(profile_path, project)
    settings = project.settings
    key = load_key(key_file, environ)
    table = read_raw(raw_path, encoding=profile.encoding, sheet=profile.sheet)
    frame = table.frame.reset_index(drop=True)
    absent = _check_columns(frame, profile, raw_path)
    unrecorded = _unrecorded(profile, absent)
    frame = frame.assign(**{col: "" for col in sorted(absent)})  # absent optional: empty
    n = len(frame)
    rejects, scope = Rejects(n), OutOfScope(n)
    out: dict[str, ObjArray | pd.Series] = {}
    apply_filter(frame, profile.scope, scope)
    _map_fields(frame, profile, settings.data.time_zone, unrecorded, rejects, scope, out)
    unplaced, reasons = _place(frame, profile, settings.site.city, rejects, out)
    _pseudonyms(frame, profile, key, rejects, out, ~scope.mask(),
                callers="complainant_key" not in unrecorded)
    check_rules(out, rejects, unrecorded)  # rules needing an unrecorded field are skipped
    for name in unrecorded:
        rejects.discard(name)  # and no problem is ever reported on a field left empty
    out_of_scope = scope.mask()
    rejects.skip(out_of_scope)
    rejected = rejects.mask()
    unplaced &= ~rejected & ~out_of_scope
    keep = ~rejected & ~unplaced & ~out_of_scope
    counts = {"read": n, "rejected": int(rejected.sum()), "unplaced": int(unplaced.sum()),
              "out_of_scope": int(out_of_scope.sum())}
    if n and not keep.any():
        dropped = [*rejects.reasons(), *scope.kinds()]
        if unplaced.any():
            dropped.append(("无法定位街乡镇", counts["unplaced"]))
        raise DataError(nothing_left_message(raw_path, profile.path, counts, dropped))
    columns: dict[str, ObjArray] = {}
    for name in FIELD_NAMES:
        value = out.get(name)
        if value is None or name in unrecorded:
            columns[name] = np.full(int(keep.sum()), "", dtype=object)
        elif isinstance(value, pd.Series):
            columns[name] = format_datetimes(value)[keep]
        else:
            columns[name] = np.asarray(value, dtype=object)[keep]
    package = pd.DataFrame(columns, columns=list(FIELD_NAMES))
    rows = np.flatnonzero(unplaced)
    unplaced_frame = pd.DataFrame({
        "行号": rows + 2,
        "工单编号（化名）": np.asarray(out["case_id"], dtype=object)[rows],
        "被反映区": np.asarray(out["district"], dtype=object)[rows],
        "原因": reasons[rows],
    })
    descriptor = descriptor_for(profile.reference, settings.data, unrecorded)
    files = write_package(out_dir, package, descriptor, rejects.frame(out["case_id"]),
                          unplaced_frame, scope.frame())
    return ImportResult(raw_path=raw_path, profile_path=profile.path, out_dir=out_dir,
                        encoding=table.encoding, rows_read=n, rows_written=len(package),
                        rows_rejected=counts["rejected"], rows_unplaced=counts["unplaced"],
                        rows_out_of_scope=counts["out_of_scope"], unrecorded=unrecorded,
                        files=files)

"""Raw export → anonymized data package (complaints.csv + datapackage.json).

Stages: read (readers) → map values and dates (mapping) → place in district/street
(placement) → pseudonyms (privacy.pseudonym) → cross-field rules (rules) → write (output).
Only mapped fields reach the package; every column not mapped, and every direct identifier,
is dropped. Rows that break a rule go to rejects.csv, rows without a street to unplaced.csv.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from generator.dataset.schema import DATETIME_FIELDS, FIELD_NAMES, contract_fields
from generator.errors import DataError
from generator.ingest.mapping import (
    ObjArray,
    apply_unique,
    format_datetimes,
    map_columns,
    parse_dates,
)
from generator.ingest.output import OUTPUT_NAMES, ImportResult, Rejects, write_package
from generator.ingest.placement import RegionIndex
from generator.ingest.profile import Profile, allowed_values, load_profile
from generator.ingest.readers import read_raw
from generator.ingest.rules import check_rules
from generator.privacy.pseudonym import (
    Pseudonymizer,
    load_key,
    location_message,
    normalise_phone,
)
from generator.text import ESCAPED_NOTE, has_escapes, shown


def _check_columns(frame: pd.DataFrame, profile: Profile, raw_path: Path) -> None:
    missing = sorted(profile.raw_columns() - set(frame.columns))
    if missing:
        names = [*missing, *map(str, frame.columns)]
        note = ESCAPED_NOTE if any(has_escapes(n) for n in names) else ""
        raise DataError(
            f"{raw_path}：缺少档案 {profile.path} 用到的列：{'、'.join(map(shown, missing))}。"
            f"文件中的列：{'、'.join(shown(c) for c in frame.columns)}。"
            f"请检查导出是否完整，或修改档案中的列名。{note}"
        )


def _check_targets(out_dir: Path, inputs: tuple[Path, ...]) -> None:
    """The four files written to out_dir must not replace the raw export or the profile."""
    targets = {(out_dir / name).resolve() for name in OUTPUT_NAMES}
    for path in inputs:
        if path.resolve() in targets:
            raise DataError(
                f"--out {out_dir} 会覆盖输入文件 {path}（导入写出 {'、'.join(OUTPUT_NAMES)}）。"
                "请用 --out 指定另一个文件夹。")


def _map_fields(frame: pd.DataFrame, profile: Profile, rejects: Rejects,
                out: dict[str, ObjArray | pd.Series]) -> None:
    """Value-mapped and date fields into `out`; problems into `rejects`."""
    fields = {f.name: f for f in contract_fields()}
    n = len(frame)
    reference = profile.reference
    for name, spec in profile.columns.items():
        field = fields[name]
        if spec.value is not None:  # never a datetime field: the profile loader refuses that
            out[name] = np.full(n, spec.value, dtype=object)
            continue
        cols = [frame[c] for c in spec.columns]
        if name in DATETIME_FIELDS:
            dates = parse_dates(cols[0], profile.date_formats, profile.time_zone)
            rejects.add(dates.bad, name, dates.raw,
                        f"{field.title}无法按档案中的日期格式解析（date_formats："
                        f"{'；'.join(profile.date_formats)}）")
            out[name] = dates.values
            missing = dates.values.isna().to_numpy() & ~dates.bad
        else:
            mapping = profile.value_maps[spec.values] if spec.values else None
            mapped = map_columns(cols, mapping, allowed_values(field, reference))
            where = f"值映射 value_maps.{spec.values}" if spec.values else "合法取值"
            rejects.add(mapped.bad, name, mapped.raw,
                        f"{field.title}的值未知：{where} 中没有这个值，请在档案中补充映射")
            out[name] = mapped.values
            missing = (mapped.values == "") & ~mapped.bad
        if field.required:
            rejects.add(missing, name, None, f"{field.title}为空，这是必填项")
    element_of = {c.name: c.element for c in reference.categories}
    out["element"] = np.array([element_of.get(c, "") for c in out["category"]], dtype=object)


def _place(frame: pd.DataFrame, profile: Profile, rejects: Rejects,
           out: dict[str, ObjArray | pd.Series]) -> tuple[np.ndarray, ObjArray]:
    """District and street columns into `out`; returns (unplaced mask, unplaced reasons)."""
    region = profile.region
    index = RegionIndex(profile.reference, region.district_values, region.street_values)
    n = len(frame)
    raw_district = frame[region.district_column].astype(str).str.strip()
    codes, uniques = pd.factorize(raw_district, use_na_sentinel=False)
    found = [index.district(str(u)) for u in uniques]
    bad_district = np.array([d is None for d in found], dtype=bool)[codes]
    empty = (raw_district == "").to_numpy()
    rejects.add(bad_district & ~empty, "district", raw_district.to_numpy(dtype=object),
                "被反映区不是北京市的区：请在档案 region.district_values 中补充映射")
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
                out: dict[str, ObjArray | pd.Series]) -> None:
    ps, region = profile.pseudonyms, profile.region
    p = Pseudonymizer(key)
    raw_id = frame[ps.case_id_column].astype(str).str.strip()
    ids_hex = p.hexdigests("case_id", raw_id.to_numpy(dtype=object).tolist())  # all distinct
    out["case_id"] = np.array([ps.case_id_prefix + h[:12].upper() if v else ""
                               for h, v in zip(ids_hex, raw_id.to_numpy(dtype=object),
                                               strict=True)], dtype=object)
    rejects.add((raw_id == "").to_numpy(), "case_id", None, "工单编号为空，无法生成化名编号")
    dup = raw_id.duplicated(keep="first").to_numpy() & (raw_id != "").to_numpy()
    rejects.add(dup, "case_id", None, "工单编号与前面的行重复，只保留第一行")
    ids = pd.Series(out["case_id"])[~dup & (raw_id != "").to_numpy()]
    if ids.duplicated().any():
        raise DataError("两个不同的工单编号生成了相同的化名编号（极罕见的碰撞）。"
                        "请换一个密钥重新导入。")
    empty = pd.Series("", index=frame.index)
    phone = frame[ps.phone_column].astype(str) if ps.phone_column else empty
    name = frame[ps.name_column].astype(str) if ps.name_column else empty

    def complainant(v: str) -> str:
        ph, nm = v.split("\x1f", 1)
        return p.complainant_key(ph, nm)

    # Normalise each distinct phone once, hash each distinct number once; only rows without
    # a usable number fall back to name + phone.
    digits = apply_unique(phone, normalise_phone)
    has = digits != ""
    keys = np.full(len(frame), "", dtype=object)
    d_codes, d_uniques = pd.factorize(pd.Series(digits[has], dtype=object),
                                      use_na_sentinel=False)
    phone_keys = ["P" + h[:16] for h in p.hexdigests("complainant/phone", d_uniques.tolist())]
    keys[has] = np.array(phone_keys, dtype=object)[d_codes]
    rest = ~has
    keys[rest] = apply_unique((phone[rest] + "\x1f" + name[rest]), complainant)
    out["complainant_key"] = keys
    address = frame[region.address_column].astype(str)
    l_codes, l_uniques = pd.factorize(
        pd.Series(out["district"], index=frame.index) + "\x1f"
        + pd.Series(out["street"], index=frame.index) + "\x1f" + address,
        use_na_sentinel=False)
    messages = [location_message(*str(v).split("\x1f", 2))
                for v in np.asarray(l_uniques, dtype=object)]
    loc_keys = ["L" + h[:16] for h in p.hexdigests("location", messages)]
    out["location_key"] = np.array(loc_keys, dtype=object)[l_codes]
    rejects.add((address.str.strip() == "").to_numpy(), "location_key", None,
                "详细地址为空，无法生成点位标识")


def import_export(raw_path: Path, profile_path: Path, out_dir: Path, *,
                  key_file: Path | None = None,
                  environ: Mapping[str, str] | None = None) -> ImportResult:
    """Import one raw export; writes the package, rejects.csv and unplaced.csv into out_dir."""
    _check_targets(out_dir, (raw_path, profile_path))
    profile = load_profile(profile_path)
    key = load_key(key_file, environ)
    table = read_raw(raw_path, encoding=profile.encoding, sheet=profile.sheet)
    frame = table.frame.reset_index(drop=True)
    _check_columns(frame, profile, raw_path)
    rejects = Rejects(len(frame))
    out: dict[str, ObjArray | pd.Series] = {}
    _map_fields(frame, profile, rejects, out)
    unplaced, reasons = _place(frame, profile, rejects, out)
    _pseudonyms(frame, profile, key, rejects, out)
    check_rules(out, rejects)
    rejected = rejects.mask()
    unplaced &= ~rejected
    keep = ~rejected & ~unplaced
    columns: dict[str, ObjArray] = {}
    for name in FIELD_NAMES:
        value = out.get(name)
        if value is None:
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
    files = write_package(out_dir, package, rejects.frame(out["case_id"]), unplaced_frame)
    return ImportResult(raw_path=raw_path, profile_path=profile.path, out_dir=out_dir,
                        encoding=table.encoding, rows_read=len(frame),
                        rows_written=len(package), rows_rejected=int(rejected.sum()),
                        rows_unplaced=int(unplaced.sum()), files=files)

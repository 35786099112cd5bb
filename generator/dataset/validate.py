"""Validate a data package against its own Table Schema and the contract's cross-field rules.

Fast (pyarrow/numpy, no per-row Python over valid data) and equivalent to frictionless
`validate` for the schema checks (tests/test_validate_corpus.py holds us to that).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from generator.dataset.contract import reference_label
from generator.dataset.load import RawTable, locate_package, read_raw
from generator.dataset.report import Issue, IssueSink, ValidationReport
from generator.dataset.schema import IDENTIFIER_FIELDS, Field, parse_fields
from generator.dataset.validate_dates import check_time_window
from generator.dataset.validate_fields import FieldResult, check_header, check_rows
from generator.dataset.validate_rules import check_cross_fields
from generator.errors import DataError
from generator.reference import load_reference
from generator.settings import DataSettings

__all__ = ["Issue", "ValidationReport", "typed_frame", "validate_package"]

_RULE_FIELDS = {
    "source",
    "channel",
    "received_at",
    "element",
    "category",
    "district",
    "district_code",
    "street",
    "street_code",
    "complainant_key",
    "dispatched_at",
    "contacted_at",
    "closed_at",
    "status",
    "revisit_valid",
    "contacted",
    "resolved",
    "satisfaction",
}


def typed_frame(raw: RawTable, fields: Sequence[Field], parsed: FieldResult) -> pd.DataFrame:
    """Datetimes as datetime64[ns], booleans as "boolean", pseudonymous identifiers as
    Arrow-backed strings (a million distinct values make a poor category), all else
    "category"; schema order."""
    data: dict[str, object] = {}
    for j, f in enumerate(fields):
        col = raw.columns[j]
        empty = parsed.empties[f.name]
        if f.type == "datetime":
            data[f.name] = pd.Series(parsed.datetimes[f.name], dtype="datetime64[ns]")
        elif f.type == "boolean":
            truth = np.asarray(
                pc.is_in(col, value_set=pa.array(list(f.true_values), pa.string())).to_numpy(
                    zero_copy_only=False
                ),
                dtype=bool,
            )
            data[f.name] = pd.Series(pd.arrays.BooleanArray(truth, empty.copy()))
        else:
            nulled = pc.if_else(
                pa.chunked_array([pa.array(empty)]), pa.scalar(None, pa.string()), col
            )
            if f.name in IDENTIFIER_FIELDS:
                data[f.name] = nulled.to_pandas(types_mapper=pd.ArrowDtype)
                continue
            cat = nulled.dictionary_encode().to_pandas()
            if f.enum is not None:
                cat = cat.cat.set_categories(list(f.enum))
            data[f.name] = cat
    return pd.DataFrame(data)


def validate_package(
    path: Path,
    reference: Path | None = None,
    *,
    today: dt.date | None = None,
    settings: DataSettings | None = None,
) -> ValidationReport:
    """Check the package at `path` (folder or datapackage.json); never raises for bad rows.

    DataError is raised when the package cannot be read or trusted at all: missing files, bad
    JSON, a resource path leaving the package folder, a schema that differs from the one
    generated for the project from `reference` and `settings` (every difference listed; a
    package written for another reference is named as such), an invalid unrecordedFields,
    an unrecognised encoding, no records. Cells of an unrecorded field must all be empty;
    the report's `unrecorded` lists those fields. `reference`
    and `settings` default to those of the project found from the current directory
    (generator.paths.find_project), `today` to today in the city's time zone: times after the
    end of that day, or before 1 January of settings.earliest_year, are row errors.
    """
    if settings is None or reference is None:
        from generator.paths import find_project

        project = find_project()
        settings = settings or project.settings.data
        reference = reference or project.reference
    ref = load_reference(reference.resolve())
    label = reference_label(reference)
    files = locate_package(path, ref, settings, label)
    fields = parse_fields(files.descriptor)
    schema = files.descriptor["resources"][0]["schema"]
    pk = schema.get("primaryKey", [])
    primary_key = [pk] if isinstance(pk, str) else list(pk)
    raw = read_raw(files.csv_path)
    if raw.rows == 0:
        raise DataError(
            f"数据包没有记录：文件 {files.csv_path} 只有表头，没有工单记录。"
            "请导出含有记录的数据后用 `ecoportal import` 重新生成数据包，"
            "或用 `ecoportal sample` 生成样例数据包。"
        )
    sink = IssueSink(str(files.csv_path), [f.name for f in fields])
    header_ok = check_header(raw.labels, fields, sink)
    parsed = check_rows(raw, fields, primary_key, sink, header_ok,
                        unrecorded=files.unrecorded, reference_label=label)
    check_time_window(raw, fields, parsed, sink, settings, today or settings.today())
    frame: pd.DataFrame | None = None
    if header_ok:
        frame = typed_frame(raw, fields, parsed)
        if set(frame.columns) >= _RULE_FIELDS:
            clean: npt.NDArray[np.bool_] = ~parsed.row_has_error
            check_cross_fields(frame, clean, raw.row_numbers, ref, sink, files.unrecorded, label)
    ok = sink.count == 0
    # The raw cells (every value as a string) are dropped here; hand their memory back to the
    # system so the statistics that follow start from the typed frame alone.
    encoding, rows = raw.encoding, raw.rows
    del raw, parsed
    pa.default_memory_pool().release_unused()
    return ValidationReport(
        ok=ok,
        package=files.descriptor_path.parent,
        csv_path=files.csv_path,
        encoding=encoding,
        rows=rows,
        issues=sink.issues(),
        issue_count=sink.count,
        frame=frame if ok else None,
        field_titles={f.name: f.title for f in fields},
        unrecorded=files.unrecorded,
    )

"""Read a data package fast: locate its files, decode the CSV, read every cell as a string.

The raw read mirrors how frictionless sees a CSV: the first record is the header, records are
numbered with the header as row 1, rows may be shorter or longer than the header (ragged), and
an empty line is a row of empty cells. pyarrow does the parsing; a pure-Python csv reader is
the fallback for the rare files whose values contain line breaks.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from generator.dataset.contract import declared_unrecorded, package_descriptor
from generator.dataset.descriptor import (
    SCHEMA_FIX,
    check_schema,
    first_resource,
    resource_csv_path,
)
from generator.dataset.encoding import UTF8, read_csv_bytes
from generator.errors import DataError
from generator.reference import Reference
from generator.settings import DataSettings


@dataclass(frozen=True)
class PackageFiles:
    descriptor_path: Path
    descriptor: dict[str, Any]
    csv_path: Path
    unrecorded: frozenset[str] = frozenset()
    """Fields the package declares unrecorded (resources[0].unrecordedFields, checked)."""


def locate_package(path: Path, reference: Reference, data: DataSettings,
                   reference_label: str) -> PackageFiles:
    """Find datapackage.json (path is the package folder or the file) and its CSV.

    The descriptor is checked before anything else is read: resources[0].path must stay
    inside the package folder, unrecordedFields must name fields that may be unrecorded, and
    the schema must equal the one generated for the project from `reference` and `data`
    (descriptor.py; `reference_label` names the reference folder in messages).
    """
    descriptor_path = (
        path if path.suffix == ".json" or path.is_file() else path / "datapackage.json"
    )
    if not path.exists():
        raise DataError(
            f"找不到数据包 {path}。请检查路径，或先运行 `ecoportal sample` 生成样例数据包。"
        )
    if not descriptor_path.is_file():
        raise DataError(
            f"数据包 {path} 中没有 datapackage.json。"
            "请用 `ecoportal import` 重新生成数据包（它会写出 datapackage.json），"
            "或用 `ecoportal sample` 生成样例数据包。"
        )
    try:
        descriptor = json.loads(descriptor_path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(
            f"{descriptor_path} 不是有效的 JSON 文件（{exc}）。{SCHEMA_FIX}"
        ) from exc
    resource = first_resource(descriptor, descriptor_path)
    csv_path = resource_csv_path(resource, descriptor_path)
    unrecorded = declared_unrecorded(resource, descriptor_path)
    expected = package_descriptor(reference, data, unrecorded)["resources"][0]["schema"]
    check_schema(resource, descriptor_path, expected, reference_label)
    if not csv_path.is_file():
        raise DataError(
            f"找不到数据文件 {csv_path}（datapackage.json 的 resources[0].path 指向它）。"
            "请把 CSV 放到该位置，或修改 path。"
        )
    return PackageFiles(descriptor_path, descriptor, csv_path, frozenset(unrecorded))


@dataclass
class RawTable:
    """Every cell as a string; missing cells of short rows are ""."""

    encoding: str
    labels: list[str]
    columns: list[pa.ChunkedArray]
    """One string column per header label, records in file order."""
    row_numbers: npt.NDArray[np.int64]
    """Frictionless row number of each record (header = 1)."""
    cell_counts: dict[int, int] = field(default_factory=dict)
    """Record index → number of cells, for ragged rows only."""
    extra_cells: dict[int, list[str]] = field(default_factory=dict)
    """Record index → cells beyond the header, for long rows only."""

    @property
    def rows(self) -> int:
        return len(self.row_numbers)


def _parse_python(text: str, encoding: str) -> RawTable:
    """Exact record-by-record parse with the csv module (used when values span lines)."""
    records = list(csv.reader(io.StringIO(text, newline="")))
    labels = records[0] if records else []
    n = len(labels)
    body = records[1:]
    cols: list[list[str]] = [[] for _ in range(n)]
    counts: dict[int, int] = {}
    extras: dict[int, list[str]] = {}
    for i, rec in enumerate(body):
        if len(rec) != n:
            counts[i] = len(rec)
            if len(rec) > n:
                extras[i] = rec[n:]
            rec = (rec + [""] * n)[:n]
        for j in range(n):
            cols[j].append(rec[j])
    columns = [pa.chunked_array([pa.array(c, pa.string())]) for c in cols]
    rows = np.arange(2, len(body) + 2, dtype=np.int64)
    return RawTable(encoding, labels, columns, rows, counts, extras)


def _parse_arrow(data: bytes | Path, encoding: str, labels: list[str], threads: bool,
                 quoted: bool) -> RawTable | None:
    """Parse with pyarrow; None when the record numbers cannot be known (values with newlines).

    `data` is the UTF-8 content, or the file itself when it is that content already (pyarrow
    then streams it: the whole file and its parsed columns are never in memory together);
    `quoted`: the content holds a double quote."""
    n = len(labels)
    bad: list[tuple[int | None, str]] = []

    def on_invalid(row: Any) -> str:
        bad.append((row.number, row.text))
        return "skip"

    names = [f"c{j}" for j in range(n)]
    table = pcsv.read_csv(
        io.BytesIO(data) if isinstance(data, bytes) else str(data),
        read_options=pcsv.ReadOptions(
            column_names=names, skip_rows=1, use_threads=threads, block_size=1 << 24
        ),
        parse_options=pcsv.ParseOptions(ignore_empty_lines=False, invalid_row_handler=on_invalid),
        convert_options=pcsv.ConvertOptions(
            column_types={c: pa.string() for c in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    # The parse buffers go back to the system now, not when the pool next needs them.
    pa.default_memory_pool().release_unused()
    if quoted:
        for col in table.columns:
            if pc.any(pc.match_substring_regex(col, "[\r\n]")).as_py():
                return None
        if bad:
            return None
    if bad and any(num is None for num, _ in bad):
        return _parse_arrow(data, encoding, labels, threads=False, quoted=quoted)
    total = table.num_rows + len(bad)
    rows = np.arange(2, total + 2, dtype=np.int64)
    if not bad:
        return RawTable(encoding, labels, list(table.columns), rows)
    bad_numbers = np.array([num for num, _ in bad], dtype=np.int64)
    good_rows = np.setdiff1d(rows, bad_numbers, assume_unique=True)
    extra_cols: list[list[str]] = [[] for _ in range(n)]
    counts: dict[int, int] = {}
    extras: dict[int, list[str]] = {}
    for k, (_, text) in enumerate(bad):
        rec = next(csv.reader([text]), [])
        counts[k] = len(rec)
        if len(rec) > n:
            extras[k] = rec[n:]
        rec = (rec + [""] * n)[:n]
        for j in range(n):
            extra_cols[j].append(rec[j])
    # Put the ragged rows back in file order.
    all_rows = np.concatenate([good_rows, bad_numbers])
    order = np.argsort(all_rows, kind="stable")
    take = pa.array(order)
    columns = [
        pa.chunked_array([*table.column(j).chunks, pa.array(extra_cols[j], pa.string())]).take(take)
        for j in range(n)
    ]
    position = np.empty_like(order)
    position[order] = np.arange(len(order))
    base = len(good_rows)
    counts = {int(position[base + k]): v for k, v in counts.items()}
    extras = {int(position[base + k]): v for k, v in extras.items()}
    return RawTable(encoding, labels, columns, all_rows[order], counts, extras)


def _first_line(data: bytes) -> bytes:
    """The header line: up to the first LF, CRLF or bare CR (old Mac exports end lines so;
    pyarrow and the csv module both accept all three)."""
    lf = data.find(b"\n")
    cr = data.find(b"\r", 0, len(data) if lf < 0 else lf)
    end = cr if cr >= 0 else lf
    return data if end < 0 else data[:end]


def read_raw(csv_path: Path) -> RawTable:
    """Decode and parse `csv_path`; every cell a string."""
    encoding, data = read_csv_bytes(csv_path)
    if not data or (data[:4096].isspace() and data.isspace()):
        raise DataError(f"文件 {csv_path} 是空的：至少要有一行表头。请重新导出数据。")
    head = _first_line(data)
    if b'"' in head:
        return _parse_python(data.decode("utf-8"), encoding)
    labels = next(csv.reader([head.decode("utf-8")]))
    if len(labels) < 2:
        # A one-column header cannot tell short rows from blank lines: keep it exact.
        return _parse_python(data.decode("utf-8"), encoding)
    quoted = b'"' in data
    source: bytes | Path = data
    if encoding == UTF8:  # the file is its UTF-8 content: let pyarrow stream it
        source = csv_path
        del data
    table = _parse_arrow(source, encoding, labels, threads=True, quoted=quoted)
    if table is None:
        text = source if isinstance(source, bytes) else read_csv_bytes(csv_path)[1]
        return _parse_python(text.decode("utf-8"), encoding)
    return table


CANONICAL_DATETIME = "%Y-%m-%dT%H:%M:%S"
_CANONICAL_RE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$"


def as_numpy_bool(values: pa.ChunkedArray | pa.Array) -> npt.NDArray[np.bool_]:
    out: npt.NDArray[np.bool_] = np.asarray(values.to_numpy(zero_copy_only=False), dtype=bool)
    return out


def empty_mask(col: pa.ChunkedArray) -> npt.NDArray[np.bool_]:
    return as_numpy_bool(pc.equal(col, ""))


def _string_buffers(col: pa.ChunkedArray) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8]]:
    """Offsets (n + 1) and UTF-8 bytes of a string column, as numpy views."""
    chunks = [c.cast(pa.large_string()) for c in col.chunks]
    arr = pa.concat_arrays(chunks) if chunks else pa.array([], pa.large_string())
    _, offsets_buf, data_buf = arr.buffers()
    assert offsets_buf is not None
    offsets = np.frombuffer(offsets_buf, dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    data = (
        np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, np.uint8)
    )
    return offsets, data


_DIGIT_POS = np.array([0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18])
_SEPARATORS = {4: ord("-"), 7: ord("-"), 10: ord("T"), 13: ord(":"), 16: ord(":")}


def parse_datetimes(
    col: pa.ChunkedArray, fmt: str
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.datetime64]]:
    """(cell is empty or a valid datetime per `datetime.strptime(cell, fmt)`, values as ns).

    Canonical `YYYY-MM-DDTHH:MM:SS` cells are checked and converted with numpy; every other
    non-empty cell goes through datetime.strptime itself, so acceptance is exactly Python's.
    """
    n = len(col)
    offsets, data = _string_buffers(col)
    lengths = np.diff(offsets)
    ok = lengths == 0
    values = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    if fmt == CANONICAL_DATETIME and n:
        idx = np.flatnonzero(lengths == 19)
        # The 19 bytes of each cell, gathered a million rows at a time: one gather over every
        # row builds an int64 index of 19 x 8 bytes per row (1.5 GB at 10M records).
        chars = np.concatenate(
            [data[offsets[part][:, None] + np.arange(19)]
             for part in np.array_split(idx, max(1, -(-len(idx) // 1_000_000)))]
        ) if len(idx) else np.zeros((0, 19), np.uint8)
        canon = np.ones(len(idx), dtype=bool)
        for pos, sep in _SEPARATORS.items():
            canon &= chars[:, pos] == sep
        dig = chars[:, _DIGIT_POS].astype(np.int32) - 48
        canon &= ((dig >= 0) & (dig <= 9)).all(axis=1)
        idx, dig = idx[canon], dig[canon]
        y = dig[:, 0] * 1000 + dig[:, 1] * 100 + dig[:, 2] * 10 + dig[:, 3]
        mo, d, h, mi, s = (dig[:, k] * 10 + dig[:, k + 1] for k in (4, 6, 8, 10, 12))
        month_index = ((y - 1970) * 12 + np.clip(mo, 1, 12) - 1).astype(np.int64)
        first = month_index.astype("datetime64[M]").astype("datetime64[D]")
        days_in_month = (
            (month_index + 1).astype("datetime64[M]").astype("datetime64[D]") - first
        ).astype(np.int64)
        good = (
            (y >= 1678)
            & (y <= 2261)
            & (mo >= 1)
            & (mo <= 12)
            & (d >= 1)
            & (d <= days_in_month)
            & (h < 24)
            & (mi < 60)
            & (s < 60)
        )
        seconds = ((d - 1) * 86400 + h * 3600 + mi * 60 + s).astype("timedelta64[s]")
        stamp = (first.astype("datetime64[s]") + seconds).astype("datetime64[ns]")
        values[idx[good]] = stamp[good]
        ok[idx[good]] = True
    rest = np.flatnonzero(~ok)
    if len(rest):
        import datetime as dt

        for i, cell in zip(rest, col.take(pa.array(rest)).to_pylist(), strict=True):
            try:
                parsed = dt.datetime.strptime(cell, fmt)
            except ValueError:
                continue
            ok[i] = True
            if 1678 <= parsed.year <= 2261:
                values[i] = np.datetime64(parsed.replace(tzinfo=None), "ns")
    return ok, values

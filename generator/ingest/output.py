"""Reject and out-of-scope lists, atomic file writing and the Chinese summary of an import."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from generator.dataset.schema import contract_fields, descriptor_bytes
from generator.errors import DataError
from generator.fileio import write_atomic
from generator.reference import Reference
from generator.settings import DataSettings

MAX_VALUE_CHARS = 40
_LONG_DIGITS = re.compile(r"[0-9０-９]{7,}")
REJECT_COLUMNS = ("行号", "工单编号（化名）", "字段", "值", "原因")
OUT_OF_SCOPE_COLUMNS = ("行号", "原因")


def safe_value(value: object) -> str:
    """A raw value fit for rejects.csv: digit runs that could be phone numbers hidden,
    truncated, formula prefixes neutralised. Only values of mapped (non-identifying) columns
    are ever passed here."""
    text = _LONG_DIGITS.sub("（已隐去）", str(value).replace("\x00", ""))
    text = text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS] + "…"
    if text.lstrip(" \t\r\n\u00a0").startswith(("=", "+", "-", "@")):
        text = "'" + text  # no formula when staff open the list in a spreadsheet
    return text


class Rejects:
    """Problems found per raw row: (rows, field, shown value, Chinese reason)."""

    def __init__(self, n: int) -> None:
        self.n = n
        self._parts: list[tuple[npt.NDArray[np.intp], str, list[str], str]] = []

    def add(self, mask: npt.NDArray[np.bool_], field_name: str,
            values: npt.NDArray[np.object_] | None, reason: str) -> None:
        rows = np.flatnonzero(mask)
        if len(rows) == 0:
            return
        shown = ([safe_value(v) for v in values[rows]] if values is not None
                 else [""] * len(rows))
        self._parts.append((rows, field_name, shown, reason))

    def mask(self) -> npt.NDArray[np.bool_]:
        bad = np.zeros(self.n, dtype=bool)
        for rows, *_ in self._parts:
            bad[rows] = True
        return bad

    def discard(self, field_name: str) -> None:
        """Forget the problems of one field (a field the export does not record)."""
        self._parts = [part for part in self._parts if part[1] != field_name]

    def skip(self, rows_out: npt.NDArray[np.bool_]) -> None:
        """Forget the problems of rows that are out of scope: they are not errors."""
        kept = []
        for rows, name, shown, reason in self._parts:
            keep = ~rows_out[rows]
            if keep.any():
                kept.append((rows[keep], name, [v for v, k in zip(shown, keep, strict=True) if k],
                             reason))
        self._parts = kept

    def reasons(self) -> list[tuple[str, int]]:
        """(field and reason, number of rows) of every kind of problem."""
        titles = {f.name: f.title for f in contract_fields()}
        counts: dict[str, set[int]] = {}
        for rows, name, _, reason in self._parts:
            counts.setdefault(f"{name}（{titles.get(name, name)}）：{reason}", set()).update(
                rows.tolist())
        return [(label, len(rows)) for label, rows in counts.items()]

    def frame(self, case_ids: object) -> pd.DataFrame:
        """One line per problem, in raw row order; 行号 counts the header as row 1."""
        ids = np.asarray(case_ids, dtype=object)
        titles = {f.name: f.title for f in contract_fields()}
        parts = [
            pd.DataFrame({
                "行号": rows + 2,
                "工单编号（化名）": ids[rows],
                "字段": f"{name}（{titles.get(name, name)}）",
                "值": shown,
                "原因": reason,
            })
            for rows, name, shown, reason in self._parts
        ]
        if not parts:
            return pd.DataFrame(columns=list(REJECT_COLUMNS))
        return pd.concat(parts, ignore_index=True).sort_values("行号", kind="stable")


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as UTF-8 CSV ('\\n' line ends, quoting only where needed).

    Fast path: when no cell needs quoting (the package holds codes, enums, ISO times and
    reference names), Arrow writes it without quotes; otherwise pandas writes it.
    """
    header = ",".join(map(str, frame.columns))
    arrays = [pa.array(frame[c].to_numpy(dtype=object), type=pa.string()) for c in frame.columns]
    special = re.compile(r'[,"\r\n]')
    if any(special.search(str(c)) for c in frame.columns) or any(
            len(a) and pc.any(pc.match_substring_regex(a, special.pattern)).as_py()
            for a in arrays):
        buffer = io.BytesIO()
        frame.to_csv(buffer, index=False, encoding="utf-8", lineterminator="\n")
        return buffer.getvalue()
    if len(frame) == 0:
        return (header + "\n").encode("utf-8")
    table = pa.Table.from_arrays(arrays, names=[str(c) for c in frame.columns])
    buffer = io.BytesIO()
    pcsv.write_csv(table, buffer, pcsv.WriteOptions(quoting_style="none", quoting_header="none"))
    return buffer.getvalue()


def _frame_csv(frame: pd.DataFrame, encoding: str) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n").encode(encoding)


OUTPUT_NAMES = ("complaints.csv", "datapackage.json", "rejects.csv", "unplaced.csv",
                "out_of_scope.csv")


def descriptor_for(reference: Reference, data: DataSettings,
                   unrecorded: Sequence[str]) -> bytes:
    """The package descriptor generated for this deployment (its reference enums and time-zone
    wording), the fields not recorded listed in `unrecordedFields`."""
    return descriptor_bytes(reference, data, unrecorded=tuple(unrecorded))


def write_package(out_dir: Path, package: pd.DataFrame, descriptor: bytes,
                  rejects: pd.DataFrame, unplaced: pd.DataFrame,
                  out_of_scope: pd.DataFrame) -> dict[str, Path]:
    """complaints.csv, datapackage.json, rejects.csv, unplaced.csv, out_of_scope.csv."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        return {
            "complaints": write_atomic(out_dir / "complaints.csv", csv_bytes(package)),
            "datapackage": write_atomic(out_dir / "datapackage.json", descriptor),
            # Staff open these in spreadsheet software: UTF-8 with BOM.
            "rejects": write_atomic(out_dir / "rejects.csv", _frame_csv(rejects, "utf-8-sig")),
            "unplaced": write_atomic(out_dir / "unplaced.csv",
                                     _frame_csv(unplaced, "utf-8-sig")),
            "out_of_scope": write_atomic(out_dir / "out_of_scope.csv",
                                         _frame_csv(out_of_scope, "utf-8-sig")),
        }
    except OSError as exc:
        raise DataError(f"无法写出到输出文件夹 {out_dir}（{exc.strerror or exc}）。"
                        "请检查 --out 的路径、权限和磁盘空间后重新导入"
                        "（每个文件要么仍是旧的，要么是完整的新文件）。") from exc


@dataclass(frozen=True)
class ImportResult:
    raw_path: Path
    profile_path: Path
    out_dir: Path
    encoding: str
    rows_read: int
    rows_written: int
    rows_rejected: int
    rows_unplaced: int
    rows_out_of_scope: int = 0
    """Rows not about the environment (no category mapping, or excluded by `scope`)."""
    unrecorded: tuple[str, ...] = ()
    """Contract fields the export does not record (the descriptor's unrecordedFields)."""
    files: dict[str, Path] = field(default_factory=dict)

    def summary(self) -> str:
        f = self.files
        return "\n".join([
            f"导入完成：{self.raw_path}（编码：{self.encoding}；映射档案：{self.profile_path}）",
            f"  读取 {self.rows_read:,} 行，写出 {self.rows_written:,} 行，"
            f"拒收 {self.rows_rejected:,} 行，无法定位街乡镇 {self.rows_unplaced:,} 行。",
            f"  不属于生态环境诉求（未纳入）{self.rows_out_of_scope:,} 行，不算错误。",
            *self._unrecorded_line(),
            f"  数据包：{f['complaints']}、{f['datapackage']}",
            f"  拒收清单（行号、字段、原因）：{f['rejects']}",
            f"  无法定位清单（行号、区、原因）：{f['unplaced']}",
            f"  未纳入清单（行号、原因）：{f['out_of_scope']}",
            "  姓名、电话、详细地址和诉求原文均未写入；编号、诉求人和点位只以带密钥的化名出现。",
            f"  下一步：ecoportal validate {self.out_dir}",
        ])

    def _unrecorded_line(self) -> list[str]:
        if not self.unrecorded:
            return []
        titles = {f.name: f.title for f in contract_fields()}
        names = "、".join(f"{n}（{titles.get(n, n)}）" for n in self.unrecorded)
        return [f"  导出中没有记录的字段（留空，统计中显示为“未记录”）：{names}。"]

"""Our schema checks report exactly what frictionless `validate` reports, on broken files."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import frictionless
import pytest

from generator.dataset.validate import validate_package

MINI = Path(__file__).parent / "fixtures" / "mini_package"
Key = tuple[int | None, str | None, str]


def _lines() -> list[str]:
    return (MINI / "complaints.csv").read_text(encoding="utf-8").splitlines()


def _set(lines: list[str], row: int, col: int, value: str) -> list[str]:
    """`row` is the frictionless row number (header = 1)."""
    out = list(lines)
    cells = out[row - 1].split(",")
    cells[col] = value
    out[row - 1] = ",".join(cells)
    return out


def _cols(lines: list[str], fn: Callable[[list[str]], list[str]]) -> list[str]:
    return [",".join(fn(line.split(","))) for line in lines]


def _swap(c: list[str]) -> list[str]:
    c[1], c[2] = c[2], c[1]
    return c


CASES: dict[str, Callable[[list[str]], list[str]]] = {
    "bad_datetime": lambda L: _set(
        _set(L, 3, 3, "2024-13-01T08:00:00"), 5, 14, "2024-02-30T00:00:00"
    ),
    "lenient_datetime": lambda L: _set(
        _set(L, 3, 3, "2024-3-1T8:0:0"), 4, 15, " 2024-03-01T08:00:00"
    ),
    "bad_boolean": lambda L: _set(_set(L, 4, 17, "true"), 6, 19, "Y"),
    "enum_miss": lambda L: _set(_set(L, 2, 1, "市民诉求 "), 7, 22, "很满意"),
    "pattern_miss": lambda L: _set(_set(L, 2, 0, "gd122c597083bd"), 9, 9, "11010500"),
    "duplicate_id": lambda L: [*L[:5], L[2], *L[5:], L[2]],
    "missing_required": lambda L: _set(_set(L, 3, 0, ""), 4, 12, ""),
    "missing_column": lambda L: _cols(L, lambda c: c[:2] + c[3:]),
    "missing_last_column": lambda L: _cols(L, lambda c: c[:-1]),
    "extra_column": lambda L: _cols(L, lambda c: [*c, "x"]),
    "swapped_columns": lambda L: _cols(L, _swap),
    "short_row": lambda L: [
        *L[:3],
        ",".join(L[3].split(",")[:20]),
        ",".join(L[4].split(",")[:2]),
        *L[5:],
    ],
    "long_row": lambda L: [*L[:3], L[3] + ",x,y", *L[4:]],
    "blank_row": lambda L: [*L[:3], "", *L[3:6], "," * 22, *L[6:], ""],
    "bad_labels": lambda L: [L[0].replace("channel", "source").replace("element", ""), *L[1:]],
    "quoted_newline": lambda L: [*_set(L, 3, 8, '"东华门\n街道"'), ""],
}


def _write(folder: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(MINI / "datapackage.json", folder / "datapackage.json")
    (folder / "complaints.csv").write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return folder


def _theirs(folder: Path, encoding: str | None = None) -> set[Key]:
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    if encoding:
        descriptor["resources"][0]["encoding"] = encoding
    report = frictionless.validate(descriptor, basepath=str(folder))
    keys: set[Key] = set()
    for task in report.tasks:
        for err in task.errors:
            row = getattr(err, "row_number", None)
            field = getattr(err, "field_name", None) or None
            keys.add((row, field, err.type))
    assert not report.errors
    return keys


def _ours(folder: Path) -> set[Key]:
    report = validate_package(folder)
    assert report.issue_count == len(report.issues)
    return {(i.row, i.field, i.code) for i in report.issues if i.code != "cross-field-error"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_errors_as_frictionless(name: str, tmp_path: Path) -> None:
    folder = _write(tmp_path / name, CASES[name](_lines()))
    theirs = _theirs(folder)
    assert theirs or name == "lenient_datetime" or name == "quoted_newline"
    assert _ours(folder) == theirs


def test_mini_package_is_valid_for_both() -> None:
    assert _theirs(MINI) == set()
    assert _ours(MINI) == set()


@pytest.mark.parametrize(
    "encoding,label", [("gb18030", "GB18030"), ("utf-8-sig", "UTF-8 (带 BOM)")]
)
def test_other_encodings(encoding: str, label: str, tmp_path: Path) -> None:
    lines = CASES["bad_datetime"](_lines())
    folder = _write(tmp_path / encoding, lines, encoding=encoding)
    report = validate_package(folder)
    assert report.encoding == label
    assert report.issues[0].value == "2024-13-01T08:00:00"
    theirs = _theirs(folder, encoding=encoding)
    assert theirs == {(3, "received_at", "type-error"), (5, "contacted_at", "type-error")}
    assert _ours(folder) == theirs


def test_values_are_reported_like_frictionless(tmp_path: Path) -> None:
    folder = _write(tmp_path / "v", CASES["enum_miss"](_lines()))
    ours = {(i.row, i.field): i.value for i in validate_package(folder).issues}
    assert ours == {(2, "source"): "市民诉求 ", (7, "satisfaction"): "很满意"}

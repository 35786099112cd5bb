"""Emission limits and legal figures from data/limits.yml (format documented at its top).

`load_limits` parses and checks the file and returns it as plain dicts, so pages use it as
`limits.gb22337.boundary` with the macros in generator/templates/macros/limits.md.j2.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from generator.config import Problems, kind_of, read_yaml_mapping
from generator.errors import ConfigError

CONFIDENCE = ("checked", "secondary", "unverified")
REQUIRED_KEYS = ("id", "title", "cite", "publisher", "confidence", "columns", "rows")
OPTIONAL_KEYS = ("note", "unit")

Cell = int | float | str


TEXT_KEYS = ("title", "cite", "publisher", "note", "unit")


def load_limits(path: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """Read and check data/limits.yml; every problem is collected and reported at once."""
    raw = read_yaml_mapping(path, "限值文件", "请从仓库恢复 data/limits.yml。")
    problems = Problems()
    for source_key, tables in raw.items():
        if not isinstance(tables, dict):
            problems.add(f"{source_key}：应为“表格名: 表格”的映射，现为{kind_of(tables)}。")
            continue
        for table_key, table in tables.items():
            _check_table(f"{source_key}.{table_key}", table, problems)
    if problems:
        raise ConfigError(
            f"限值文件 {path} 有 {len(problems.items)} 处错误：\n{problems.listing()}")
    return raw


def _check_table(where: str, table: Any, problems: Problems) -> None:
    if not isinstance(table, dict):
        problems.add(f"{where}：应为包含 {', '.join(REQUIRED_KEYS)} 的映射，现为{kind_of(table)}。")
        return
    missing = [key for key in REQUIRED_KEYS if key not in table]
    for key in missing:
        problems.add(f"{where}：缺少字段 {key}。请按文件开头的格式说明补上。")
    for key in sorted(set(table) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS), key=str):
        problems.add(f"{where}：未知字段 {key}。允许的字段见文件开头的格式说明。")
    if missing or set(table) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS):
        return
    if table["id"] != where:
        problems.add(f"{where}：id 为 {problems.value(table['id'])}，应与所在位置一致，"
                     f"改为 “{where}”。")
    if not isinstance(table["confidence"], str) or table["confidence"] not in CONFIDENCE:
        problems.add(f"{where}：confidence 为 {problems.value(table['confidence'])}，"
                     f"应为 {' / '.join(CONFIDENCE)} 之一。")
    for key in TEXT_KEYS:
        if key in table and (not isinstance(table[key], str) or not table[key].strip()):
            problems.shape(f"{where}.{key}", table[key], "非空的文字")
    columns = table["columns"]
    if not isinstance(columns, list) or not columns or not all(isinstance(c, str) for c in columns):
        problems.add(f"{where}：columns 应为非空的文字列表。")
        return
    rows = table["rows"]
    if not isinstance(rows, list) or not rows:
        problems.add(f"{where}：rows 应为非空列表。")
        return
    for i, row in enumerate(rows, start=1):
        if not isinstance(row, list) or len(row) != len(columns):
            problems.add(
                f"{where} 第 {i} 行：应有 {len(columns)} 个单元格（与 columns 对应），"
                f"实际为 {problems.value(row)}。"
            )
            continue
        for cell in row:
            problem = _check_cell(cell)
            if problem:
                problems.add(f"{where} 第 {i} 行：单元格 {problems.value(cell)} {problem}")


def _check_cell(cell: Any) -> str | None:
    if isinstance(cell, bool) or cell is None:
        return "不是数字也不是文字；空单元格请写 “—”，是/否请写成文字。"
    if isinstance(cell, int | float):
        return None
    if not isinstance(cell, str):
        return "应为数字或文字。"
    if "|" in cell or "\n" in cell:
        return "含有 “|” 或换行，会破坏表格；请改写。"
    if not cell.strip():
        return "为空；空单元格请写 “—”。"
    return None


def iter_tables(limits: dict[str, dict[str, dict[str, Any]]]) -> Iterator[dict[str, Any]]:
    """Every table of the file, in file order."""
    for tables in limits.values():
        yield from tables.values()


def format_cell(cell: Cell) -> str:
    """How a cell is shown (mirrors the `fmt` macro): ints ≥ 1,000 get thousands separators."""
    if isinstance(cell, bool):
        raise TypeError("booleans are not valid cells")
    if isinstance(cell, int):
        return f"{cell:,}"
    return str(cell)

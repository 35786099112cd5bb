"""Emission limits and legal figures from data/limits.yml (format documented at its top).

`load_limits` parses and checks the file and returns it as plain dicts, so pages use it as
`limits.gb22337.boundary` with the macros in generator/templates/macros/limits.md.j2.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from generator.config import kind_of, read_yaml_mapping, yaml_text
from generator.errors import ConfigError
from generator.problems import ProblemList, render_text

CONFIDENCE = ("checked", "secondary", "unverified")
REQUIRED_KEYS = ("id", "title", "cite", "publisher", "confidence", "columns", "rows")
OPTIONAL_KEYS = ("note", "unit", "effective", "verification")

Cell = int | float | str


TEXT_KEYS = ("title", "cite", "publisher", "note", "unit", "verification")
FORMAT_FIX = "请按文件开头的格式说明改写"
INDEX_NOTE = "[n] 表示列表的第 n 项，从 0 起数（rows[0] 是第一行）。"


def load_limits(path: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """Read and check data/limits.yml; collect every problem (key path, value, fix), then
    raise one ConfigError carrying them."""
    raw = read_yaml_mapping(path, "限值文件", "请从仓库恢复 data/limits.yml。")
    problems = ProblemList(path)
    for source_key, tables in raw.items():
        if not isinstance(tables, dict):
            _shape(problems, str(source_key), tables, "“表格名: 表格”的映射", FORMAT_FIX)
            continue
        for table_key, table in tables.items():
            _check_table(f"{source_key}.{table_key}", table, problems)
    if problems:
        note = f"\n{INDEX_NOTE}" if any("[" in (p.key or "") for p in problems) else ""
        raise ConfigError(
            render_text(problems, f"限值文件 {path} 有 {len(problems)} 处错误：") + note,
            problems.items)
    return raw


def _shape(problems: ProblemList, key: str, value: Any, expected: str, fix: str) -> None:
    """`key` holds `value` but should hold `expected`."""
    problems.add(f"应为{expected}，现为{kind_of(value)}", fix, key=key,
                 value=None if value is None else yaml_text(value), code="type-error")


def _check_table(where: str, table: Any, problems: ProblemList) -> None:
    if not isinstance(table, dict):
        _shape(problems, where, table, f"包含 {', '.join(REQUIRED_KEYS)} 的映射", FORMAT_FIX)
        return
    missing = [key for key in REQUIRED_KEYS if key not in table]
    for key in missing:
        problems.add("缺少这一字段", "请按文件开头的格式说明补上", key=f"{where}.{key}",
                     code="missing-key")
    unknown = sorted(set(table) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS), key=str)
    for key in unknown:
        problems.add("是未知字段",
                     f"请删除，或改为 {'、'.join(REQUIRED_KEYS + OPTIONAL_KEYS)} 之一"
                     "（见文件开头的格式说明）", key=f"{where}.{key}", code="unknown-key")
    if missing or unknown:
        return
    if table["id"] != where:
        problems.add("应与所在位置一致", f"改为 “{where}”", key=f"{where}.id",
                     value=yaml_text(table["id"]), code="invalid")
    if not isinstance(table["confidence"], str) or table["confidence"] not in CONFIDENCE:
        problems.add(f"应为 {' / '.join(CONFIDENCE)} 之一",
                     "请改为其中之一（含义见文件开头的格式说明）", key=f"{where}.confidence",
                     value=yaml_text(table["confidence"]), code="invalid")
    for key in TEXT_KEYS:
        value = table.get(key)
        if key not in table or (isinstance(value, str) and value.strip()):
            continue
        if isinstance(value, str):
            problems.add("为空，应为非空的文字", "请填写这一项的文字", key=f"{where}.{key}",
                         code="empty")
        else:
            _shape(problems, f"{where}.{key}", value, "非空的文字", "请写成一段文字")
    if "effective" in table:
        _check_effective(where, table["effective"], table["cite"], problems)
    columns = table["columns"]
    if not isinstance(columns, list) or not columns or not all(isinstance(c, str) for c in columns):
        problems.add("应为非空的文字列表", "请写成列标题的列表，例如 [功能区类别, 昼间, 夜间]",
                     key=f"{where}.columns", value=yaml_text(columns), code="type-error")
        return
    rows = table["rows"]
    if not isinstance(rows, list) or not rows:
        problems.add("应为非空列表", "每行写成列表中的一项，每列一个单元格，例如 [0 类, 50, 40]",
                     key=f"{where}.rows", value=yaml_text(rows), code="type-error")
        return
    for i, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != len(columns):
            problems.add(f"应有 {len(columns)} 个单元格（与 columns 对应）",
                         "请补齐或删去单元格，使这一行与 columns 一一对应",
                         key=f"{where}.rows[{i}]", value=yaml_text(row), code="row-length")
            continue
        for j, cell in enumerate(row):
            found = _check_cell(cell)
            if found:
                problems.add(found[0], found[1], key=f"{where}.rows[{i}][{j}]",
                             value=yaml_text(cell), code="invalid-cell")


def chinese_date(day: dt.date) -> str:
    """2008-10-01 → “2008 年 10 月 1 日” (how the cites write a date)."""
    return f"{day.year} 年 {day.month} 月 {day.day} 日"


def _check_effective(where: str, effective: Any, cite: Any, problems: ProblemList) -> None:
    """`effective` is a date (YAML without quotes) and the cite names the same date, so the
    date a page shows and the machine-readable one cannot drift apart."""
    if isinstance(effective, dt.datetime) or not isinstance(effective, dt.date):
        problems.add("应为实施日期（年-月-日，不加引号）",
                     "请写成 2008-10-01 这样的日期；不知道实施日期时删去这一字段",
                     key=f"{where}.effective", value=yaml_text(effective), code="type-error")
        return
    if isinstance(cite, str) and cite.strip() and chinese_date(effective) not in cite:
        problems.add(f"没有写明实施日期 {chinese_date(effective)}（effective 为 {effective}）",
                     f"请在 cite 中写明“{chinese_date(effective)}起实施”（或“起施行”），"
                     "或改正 effective", key=f"{where}.cite", value=yaml_text(cite),
                     code="invalid")


def _check_cell(cell: Any) -> tuple[str, str] | None:
    """(what is wrong, how to fix it) for a bad cell, None for a good one."""
    if isinstance(cell, bool) or cell is None:
        return "不是数字也不是文字", "空单元格请写 “—”，是/否请写成文字"
    if isinstance(cell, int | float):
        return None
    if not isinstance(cell, str):
        return "应为数字或文字", "请改写成一个数字或一段文字"
    if "|" in cell or "\n" in cell:
        return "含有 “|” 或换行，会破坏表格", "请去掉 “|” 和换行，改写这一单元格"
    if not cell.strip():
        return "为空", "空单元格请写 “—”"
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

"""Reference data: the city's districts and township-level units, and the category taxonomy.

Read from the reference folder the settings name (data/reference/ by default; its README
documents every column). Loaded once per path and cached. Every problem in a file is
collected as a generator.problems.Problem (row / field or key path, value, fix) and raised
once as a ConfigError carrying them.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from generator.config import kind_of, read_yaml_mapping, yaml_text
from generator.errors import ConfigError
from generator.problems import ProblemList, render_text


@dataclass(frozen=True)
class District:
    code: str
    name: str
    population_k: int | None
    """Residents in thousands, or None when unknown (per-10,000 figures are then N/A)."""
    tile_row: int = 0
    """Row of the district's square on the schematic tile map (示意图), from 0 at the top."""
    tile_col: int = 0
    """Column of that square, from 0 at the left."""


@dataclass(frozen=True)
class Street:
    code: str
    name: str
    district_code: str
    district: str
    kind: str
    """街道, 镇, 地区, 乡 or 其他 (development zones and the like)."""


@dataclass(frozen=True)
class Category:
    name: str
    element: str
    guide: str
    """Path of the guide page under site_src/, e.g. guides/noise.md."""


@dataclass(frozen=True)
class Reference:
    districts: tuple[District, ...]
    streets: tuple[Street, ...]
    categories: tuple[Category, ...]

    @property
    def elements(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.element for c in self.categories))

    def district_by_name(self) -> dict[str, District]:
        return {d.name: d for d in self.districts}

    def street_by_code(self) -> dict[str, Street]:
        return {s.code: s for s in self.streets}

    def category_by_name(self) -> dict[str, Category]:
        return {c.name: c for c in self.categories}


DISTRICT_COLUMNS = ("district_code", "district", "population_k", "tile_row", "tile_col")
STREET_COLUMNS = ("street_code", "street", "district_code", "district", "kind")
STREET_KINDS = ("街道", "镇", "地区", "乡", "其他")
ROW_NOTE = "请改正后重试（行号从表头算起，表头为第 1 行）。"
TAXONOMY_NOTE = ("格式：elements 列表，每个要素含 name 和 categories（每个类别含 name 和 guide）；"
                 "[n] 表示列表的第 n 项，从 0 起数。")


def _read_csv(path: Path, columns: tuple[str, ...], problems: ProblemList
              ) -> list[tuple[int, dict[str, str]]]:
    """(row number, row) of every complete row; the header is row 1. Problems are collected."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
    except FileNotFoundError as exc:
        raise ConfigError(f"找不到参考数据文件 {path}。请从仓库恢复 data/reference/。") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"参考数据文件 {path} 不是 UTF-8 编码。请用 UTF-8 另存。") from exc
    except (OSError, csv.Error) as exc:
        raise ConfigError(f"无法读取参考数据文件 {path}（{exc}）。请从仓库恢复 data/reference/。") \
            from exc
    header = [h.strip() for h in rows[0]] if rows else []
    missing = [c for c in columns if c not in header]
    if missing:
        problems.add(f"缺少列 {'、'.join(missing)}", f"表头应为 {','.join(columns)}", row=1,
                     code="missing-column")
        return []
    index = {c: header.index(c) for c in columns}
    result = []
    for number, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue  # blank line
        if len(cells) != len(header):
            problems.add(f"有 {len(cells)} 个单元格，表头有 {len(header)} 列",
                         "检查这一行多出或缺少的逗号", row=number, code="row-length")
            continue
        result.append((number, {c: cells[i].strip() for c, i in index.items()}))
    return result


def _check(path: Path, problems: ProblemList) -> None:
    if problems:
        raise ConfigError(render_text(problems, f"参考数据文件 {path} 有 {len(problems)} 处错误：")
                          + f"\n{ROW_NOTE}", problems.items)


def _required(problems: ProblemList, number: int, row: dict[str, str],
              columns: tuple[str, ...]) -> None:
    for column in columns:
        if not row[column]:
            problems.add("为空", "请填写这一格", row=number, field=column, code="missing-value")


def _unique(problems: ProblemList, rows: list[tuple[int, str]], field: str, what: str,
            fix: str = "") -> None:
    """Report every value given on more than one row, naming all of those rows."""
    seen: dict[str, list[int]] = {}
    for number, value in rows:
        if value:
            seen.setdefault(value, []).append(number)
    for value, numbers in seen.items():
        if len(numbers) > 1:
            listed = "、".join(f"第 {n} 行" for n in numbers)
            problems.add(f"重复出现在{listed}",
                         fix or f"每个{what}只能有一行，请删除或改正重复的行",
                         field=field, value=value, code="duplicate")


def _count(problems: ProblemList, number: int, row: dict[str, str], column: str,
           meaning: str, fix: str, *, optional: bool = False) -> int | None:
    """A non-negative integer cell; empty gives None when `optional`."""
    text = row[column]
    if not text and optional:
        return None
    if text.isascii() and text.isdigit():
        return int(text)
    problems.add(f"不是非负整数（{meaning}）", fix, row=number, field=column,
                 value=text if text else None, code="type-error")
    return None


def _districts(path: Path) -> tuple[District, ...]:
    problems = ProblemList(path)
    rows = _read_csv(path, DISTRICT_COLUMNS, problems)
    districts = []
    for number, r in rows:
        _required(problems, number, r, DISTRICT_COLUMNS[:2])
        population = _count(problems, number, r, "population_k", "常住人口，单位：千人",
                            "请填写非负整数，不知道时留空（每万人诉求数将显示为“／”）",
                            optional=True)
        tile = [_count(problems, number, r, column, "示意图中的行号或列号，从 0 起",
                       "请填写 0 或正整数") for column in ("tile_row", "tile_col")]
        districts.append(District(r["district_code"], r["district"], population,
                                  tile[0] or 0, tile[1] or 0))
    _unique(problems, [(n, r["district_code"]) for n, r in rows], "district_code", "区划代码")
    _unique(problems, [(n, r["district"]) for n, r in rows], "district", "区名")
    tiles = [(n, f"{r['tile_row']},{r['tile_col']}") for n, r in rows
             if r["tile_row"].isdigit() and r["tile_col"].isdigit()]
    _unique(problems, tiles, "tile_row,tile_col", "示意图位置",
            "示意图上每个位置只能放一个区，请改正其中一行的 tile_row 或 tile_col")
    _check(path, problems)
    return tuple(districts)


def _streets(path: Path, districts: tuple[District, ...]) -> tuple[Street, ...]:
    problems = ProblemList(path)
    rows = _read_csv(path, STREET_COLUMNS, problems)
    names = {d.code: d.name for d in districts}
    streets = []
    for number, r in rows:
        _required(problems, number, r, STREET_COLUMNS)
        code = r["district_code"]
        if code and code not in names:
            problems.add("不在 districts.csv 中", "请填写 districts.csv 中已有的区划代码",
                         row=number, field="district_code", value=code, code="unknown-code")
        elif code and r["district"] != names[code]:
            problems.add(f"与 districts.csv 中代码 {code} 的区名 “{names[code]}” 不一致",
                         f"请改为 “{names[code]}”", row=number, field="district",
                         value=r["district"], code="mismatch")
        if r["kind"] and r["kind"] not in STREET_KINDS:
            problems.add(f"应为 {'、'.join(STREET_KINDS)} 之一", "请改为其中之一",
                         row=number, field="kind", value=r["kind"], code="not-in-list")
        streets.append(Street(r["street_code"], r["street"], code, r["district"], r["kind"]))
    _unique(problems, [(n, r["street_code"]) for n, r in rows], "street_code", "街乡镇代码")
    _check(path, problems)
    return tuple(streets)


def _shape(problems: ProblemList, key: str, value: object, expected: str, fix: str) -> None:
    """`key` holds `value` but should hold `expected`."""
    problems.add(f"应为{expected}，现为{kind_of(value)}", fix, key=key,
                 value=None if value is None else yaml_text(value), code="type-error")


def _taxonomy(path: Path) -> tuple[Category, ...]:
    raw = read_yaml_mapping(path, "分类文件", "请从仓库恢复 data/reference/taxonomy.yml。")
    problems = ProblemList(path)
    categories: list[Category] = []
    elements = raw.get("elements")
    if not isinstance(elements, list) or not elements:
        _shape(problems, "elements", elements, "非空列表（每项一个要素）",
               "每个要素写成一项：- name: 要素名 与 categories")
        elements = []
    for i, element in enumerate(elements):
        where = f"elements[{i}]"
        if not isinstance(element, dict):
            _shape(problems, where, element, "映射（含 name 和 categories）",
                   "写成 name: 要素名 和 categories: 类别列表")
            continue
        name = element.get("name")
        if not isinstance(name, str) or not name.strip():
            _shape(problems, f"{where}.name", name, "要素名称（文字）", "请填写要素名称")
        cats = element.get("categories")
        if not isinstance(cats, list) or not cats:
            _shape(problems, f"{where}.categories", cats, "非空列表（每项一个类别）",
                   "每个类别写成一项：- {name: 类别名, guide: guides/页面.md}")
            continue
        for j, cat in enumerate(cats):
            categories.extend(_category(problems, f"{where}.categories[{j}]", cat, name))
    seen: dict[str, str] = {}
    for cat in categories:
        if cat.name in seen:
            problems.add(f"在要素 “{seen[cat.name]}” 和 “{cat.element}” 下重复",
                         "每个类别只能属于一个要素，请删除其中一处", key="elements",
                         value=cat.name, code="duplicate")
        seen.setdefault(cat.name, cat.element)
    if problems:
        raise ConfigError(render_text(problems, f"分类文件 {path} 有 {len(problems)} 处错误：")
                          + f"\n{TAXONOMY_NOTE}", problems.items)
    return tuple(categories)


def _category(problems: ProblemList, where: str, cat: object, element: object
              ) -> list[Category]:
    """The category at `where` (a list of one), or [] after reporting what is wrong."""
    if not isinstance(cat, dict):
        _shape(problems, where, cat, "映射（如 {name: 扬尘, guide: guides/dust.md}）",
               "写成 {name: 类别名, guide: guides/页面.md}")
        return []
    values = {key: cat.get(key) for key in ("name", "guide")}
    for key, value in values.items():
        if not isinstance(value, str) or not value.strip():
            expected, fix = (("类别名称（文字）", "请填写类别名称") if key == "name" else
                             ("指南页面路径（文字，如 guides/dust.md）",
                              "请填写 site_src/ 下指南页面的路径"))
            _shape(problems, f"{where}.{key}", value, expected, fix)
    if all(isinstance(v, str) and v.strip() for v in values.values()) \
            and isinstance(element, str):
        return [Category(str(values["name"]), element, str(values["guide"]))]
    return []


@cache
def load_reference(folder: Path) -> Reference:
    """Read districts.csv, streets.csv and taxonomy.yml from `folder`; check every row."""
    districts = _districts(folder / "districts.csv")
    streets = _streets(folder / "streets.csv", districts)
    return Reference(districts, streets, _taxonomy(folder / "taxonomy.yml"))

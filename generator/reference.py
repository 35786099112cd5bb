"""Reference data: Beijing's districts and township-level units, and the category taxonomy.

Read from data/reference/ (see its README for origins). Loaded once per path and cached.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from generator.config import Problems, read_yaml_mapping
from generator.errors import ConfigError


@dataclass(frozen=True)
class District:
    code: str
    name: str
    population_k: int


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


DISTRICT_COLUMNS = ("district_code", "district", "population_k")
STREET_COLUMNS = ("street_code", "street", "district_code", "district", "kind")
STREET_KINDS = ("街道", "镇", "地区", "乡", "其他")


def _read_csv(path: Path, columns: tuple[str, ...], problems: Problems
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
        problems.add(f"缺少列 {'、'.join(missing)}（表头应为 {','.join(columns)}）。")
        return []
    index = {c: header.index(c) for c in columns}
    result = []
    for number, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue  # blank line
        if len(cells) != len(header):
            problems.add(f"第 {number} 行有 {len(cells)} 个单元格，表头有 {len(header)} 列。")
            continue
        result.append((number, {c: cells[i].strip() for c, i in index.items()}))
    return result


def _check(path: Path, problems: Problems) -> None:
    if problems:
        raise ConfigError(f"参考数据文件 {path} 有 {len(problems.items)} 处错误：\n"
                          f"{problems.listing()}\n请改正后重试（行号从表头算起，表头为第 1 行）。")


def _unique(problems: Problems, rows: list[tuple[int, str]], what: str) -> None:
    """Report every value given on more than one row, naming all of those rows."""
    seen: dict[str, list[int]] = {}
    for number, value in rows:
        if value:
            seen.setdefault(value, []).append(number)
    for value, numbers in seen.items():
        if len(numbers) > 1:
            listed = "、".join(f"第 {n} 行" for n in numbers)
            problems.add(f"{what} {problems.value(value)} 重复出现在{listed}；"
                         f"每个{what}只能有一行。")


def _districts(path: Path) -> tuple[District, ...]:
    problems = Problems()
    rows = _read_csv(path, DISTRICT_COLUMNS, problems)
    districts = []
    for number, r in rows:
        for column in DISTRICT_COLUMNS[:2]:
            if not r[column]:
                problems.add(f"第 {number} 行的 {column} 为空。")
        try:
            population = int(r["population_k"])
        except ValueError:
            population = -1
        if population < 0:
            problems.add(f"第 {number} 行的 population_k {problems.value(r['population_k'])} "
                         "不是非负整数（常住人口，单位：千人）。")
        districts.append(District(r["district_code"], r["district"], population))
    _unique(problems, [(n, r["district_code"]) for n, r in rows], "区划代码")
    _unique(problems, [(n, r["district"]) for n, r in rows], "区名")
    _check(path, problems)
    return tuple(districts)


def _streets(path: Path, districts: tuple[District, ...]) -> tuple[Street, ...]:
    problems = Problems()
    rows = _read_csv(path, STREET_COLUMNS, problems)
    names = {d.code: d.name for d in districts}
    streets = []
    for number, r in rows:
        for column in STREET_COLUMNS:
            if not r[column]:
                problems.add(f"第 {number} 行的 {column} 为空。")
        code = r["district_code"]
        if code and code not in names:
            problems.add(f"第 {number} 行的 district_code {problems.value(code)} "
                         "不在 districts.csv 中。")
        elif code and r["district"] != names[code]:
            problems.add(f"第 {number} 行的 district {problems.value(r['district'])} 与 "
                         f"districts.csv 中代码 {code} 的区名 “{names[code]}” 不一致。")
        if r["kind"] and r["kind"] not in STREET_KINDS:
            problems.add(f"第 {number} 行的 kind {problems.value(r['kind'])} 应为 "
                         f"{'、'.join(STREET_KINDS)} 之一。")
        streets.append(Street(r["street_code"], r["street"], code, r["district"], r["kind"]))
    _unique(problems, [(n, r["street_code"]) for n, r in rows], "街乡镇代码")
    _check(path, problems)
    return tuple(streets)


def _taxonomy(path: Path) -> tuple[Category, ...]:
    raw = read_yaml_mapping(path, "分类文件", "请从仓库恢复 data/reference/taxonomy.yml。")
    problems = Problems()
    categories: list[Category] = []
    elements = raw.get("elements")
    if not isinstance(elements, list) or not elements:
        problems.shape("elements", elements, "非空列表（每项一个要素）")
        elements = []
    for i, element in enumerate(elements):
        where = f"elements[{i}]"
        if not isinstance(element, dict):
            problems.shape(where, element, "映射（含 name 和 categories）")
            continue
        name = element.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.shape(f"{where}.name", name, "要素名称（文字）")
        cats = element.get("categories")
        if not isinstance(cats, list) or not cats:
            problems.shape(f"{where}.categories", cats, "非空列表（每项一个类别）")
            continue
        for j, cat in enumerate(cats):
            here = f"{where}.categories[{j}]"
            if not isinstance(cat, dict):
                problems.shape(here, cat, "映射（如 {name: 扬尘, guide: guides/dust.md}）")
                continue
            values = {key: cat.get(key) for key in ("name", "guide")}
            for key, value in values.items():
                if not isinstance(value, str) or not value.strip():
                    problems.shape(f"{here}.{key}", value,
                                   "类别名称（文字）" if key == "name" else
                                   "指南页面路径（文字，如 guides/dust.md）")
            if all(isinstance(v, str) and v.strip() for v in values.values()) \
                    and isinstance(name, str):
                categories.append(Category(str(values["name"]), name, str(values["guide"])))
    seen: dict[str, str] = {}
    for cat in categories:
        if cat.name in seen:
            problems.add(f"类别 {problems.value(cat.name)} 在要素 “{seen[cat.name]}” 和 "
                         f"“{cat.element}” 下重复；每个类别只能属于一个要素。")
        seen.setdefault(cat.name, cat.element)
    if problems:
        raise ConfigError(
            f"分类文件 {path} 有 {len(problems.items)} 处错误：\n{problems.listing()}\n"
            "格式：elements 列表，每个要素含 name 和 categories（每个类别含 name 和 guide）；"
            "[n] 表示列表的第 n 项，从 0 起数。")
    return tuple(categories)


@cache
def load_reference(folder: Path) -> Reference:
    """Read districts.csv, streets.csv and taxonomy.yml from `folder`; check every row."""
    districts = _districts(folder / "districts.csv")
    streets = _streets(folder / "streets.csv", districts)
    return Reference(districts, streets, _taxonomy(folder / "taxonomy.yml"))


def project_reference(root: Path) -> Reference:
    """The reference data of the project rooted at `root`."""
    return load_reference((root / "data" / "reference").resolve())

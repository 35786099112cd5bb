"""Reference data: Beijing's districts and township-level units, and the category taxonomy.

Read from data/reference/ (see its README for origins). Loaded once per path and cached.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

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


def _read_csv(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))
    except FileNotFoundError as exc:
        raise ConfigError(f"找不到参考数据文件 {path}。请从仓库恢复 data/reference/。") from exc


@cache
def load_reference(folder: Path) -> Reference:
    """Read districts.csv, streets.csv and taxonomy.yml from `folder`."""
    districts = tuple(
        District(r["district_code"], r["district"], int(r["population_k"]))
        for r in _read_csv(folder / "districts.csv")
    )
    streets = tuple(
        Street(r["street_code"], r["street"], r["district_code"], r["district"], r["kind"])
        for r in _read_csv(folder / "streets.csv")
    )
    tax_path = folder / "taxonomy.yml"
    try:
        taxonomy = yaml.safe_load(tax_path.read_text(encoding="utf-8"))
        categories = tuple(
            Category(c["name"], e["name"], c["guide"])
            for e in taxonomy["elements"]
            for c in e["categories"]
        )
    except FileNotFoundError as exc:
        raise ConfigError(f"找不到分类文件 {tax_path}。请从仓库恢复。") from exc
    except (yaml.YAMLError, KeyError, TypeError) as exc:
        raise ConfigError(
            f"分类文件 {tax_path} 格式有误（{exc}）：应为 elements 列表，每个要素含 name 和 "
            "categories（每个类别含 name 和 guide）。"
        ) from exc
    return Reference(districts, streets, categories)


def project_reference(root: Path) -> Reference:
    """The reference data of the project rooted at `root`."""
    return load_reference((root / "data" / "reference").resolve())

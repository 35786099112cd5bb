"""Typical cases (典型案例): one YAML file per case under data/cases/, told as 接诉 → 即办 → 回访.

`load_cases` reads and checks every file against the reference data (district, street,
category) and refuses personal data; generator/site/pages.py declares their pages;
`cases_matching` lets category and district pages link their cases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from generator.config import kind_of, read_yaml_mapping, yaml_text
from generator.errors import ConfigError, DataError
from generator.privacy.scan import scan_text
from generator.problems import Problem, ProblemList, render_text
from generator.reference import Reference
from generator.site.case_places import PlaceRules, load_place_rules
from generator.text import shown

SOURCES = ("市民诉求", "主动治理", "企业咨询")
RESULTS = ("已解决", "已化解", "已指导", "持续跟踪")
TEXT_KEYS = ("title", "received", "handled", "follow_up")
REQUIRED_KEYS = (
    "slug", "date", "district", "street", "element", "category", "title", "source",
    "received", "handled", "follow_up", "result", "tags",
)
SLUG_RE = re.compile(r"^\d{4}-\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*$")
NAME_KEYS = ("district", "street", "element", "category", "source", "result")
"""Keys looked up in the reference data or a fixed list: must be text."""
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

@dataclass(frozen=True)
class Case:
    """One typical case; texts are published as written (checked for personal data on load)."""

    slug: str
    date: date
    district: str
    street: str
    element: str
    category: str
    title: str
    source: str
    received: str
    handled: str
    follow_up: str
    result: str
    tags: tuple[str, ...]
    guide: str
    """The category's guide page under site_src/, e.g. guides/noise.md."""
    place_level: str = "街道（乡镇）"
    """The finest level of place the texts name (data/case_privacy.yml), for the page's note."""

    @property
    def page(self) -> str:
        """Path of the case page in the docs folder."""
        return f"cases/{self.slug}.md"

    @property
    def month(self) -> str:
        """The month shown on pages, e.g. 2024年5月 (the day is not published)."""
        return f"{self.date.year}年{self.date.month}月"


def unwrap(text: str) -> str:
    """Join the lines of each paragraph without spaces (Chinese needs none); keep blank lines."""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join("".join(line.strip() for line in p.splitlines()) for p in paragraphs)


def find_pii(text: str) -> str | None:
    """Kind of the first personal data the project scanner finds in `text`, or None."""
    matches = scan_text(text)
    return matches[0].kind if matches else None


def load_cases(folder: Path, ref: Reference, *, city: str = "本市",
               reference_label: str = "data/reference") -> list[Case]:
    """Read every *.yml in `folder`, newest first.

    Every problem of every file is collected as a Problem (file, key, value, fix) and all are
    raised in one DataError carrying them, listed file by file. `city` names the city in
    messages (settings site.city); `reference_label` is the reference folder as messages
    show it.
    """
    blocks: list[str] = []
    problems: list[Problem] = []
    cases: list[Case] = []
    seen: dict[str, Path] = {}
    where = _Where(city, reference_label, load_place_rules(folder),
                   tuple(d.name for d in ref.districts) + tuple(s.name for s in ref.streets))
    for path in sorted(folder.glob("*.yml")):
        found = ProblemList(path)
        try:
            case = _read_case(path, ref, where, found)
        except ConfigError as exc:  # unreadable file: its own message, one problem
            blocks.append(exc.message)
            problems.extend(exc.problems)
            continue
        if case is not None and case.slug in seen:
            found.add(f"与 {seen[case.slug]} 重复", "请为每个案例使用不同的 slug", key="slug",
                      value=case.slug, code="duplicate")
        if found:
            blocks.append(render_text(found, f"案例文件 {path} 有 {len(found)} 处错误："))
            problems.extend(found)
        elif case is not None:
            seen[case.slug] = path
            cases.append(case)
    if problems:
        raise DataError("\n".join(blocks), problems)
    return sorted(cases, key=lambda c: (c.date, c.slug), reverse=True)


@dataclass(frozen=True)
class _Where:
    city: str
    reference: str
    places: PlaceRules
    """How far texts may name places."""
    allowed: tuple[str, ...]
    """The reference's districts and streets: never a venue."""


def _read_case(path: Path, ref: Reference, where: _Where,
               problems: ProblemList) -> Case | None:
    """The case in `path`, or None when `problems` got something (ConfigError: unreadable)."""
    raw = read_yaml_mapping(path, "案例文件", "")
    for key in REQUIRED_KEYS:
        if key not in raw:
            problems.add("缺少这一字段", "请补上（字段说明见 data/cases/README.md）", key=key,
                         code="missing-key")
    problems.unknown_keys(sorted(raw, key=str), REQUIRED_KEYS, what="案例字段")
    if problems:
        return None
    _check_values(path, raw, ref, where, problems)
    if problems:
        return None
    category = ref.category_by_name()[raw["category"]]
    day = raw["date"] if isinstance(raw["date"], date) else date.fromisoformat(raw["date"])
    texts = {key: unwrap(str(raw[key])) for key in TEXT_KEYS}
    return Case(
        slug=raw["slug"], date=day, district=raw["district"], street=raw["street"],
        element=raw["element"], category=raw["category"], source=raw["source"],
        result=raw["result"], tags=tuple(raw["tags"]), guide=category.guide,
        place_level=where.places.place_level, **texts,
    )


def _bad(problems: ProblemList, key: str, value: Any, what: str, fix: str,
         code: str = "invalid") -> None:
    problems.add(what, fix, key=key, value=yaml_text(value), code=code)


def _check_values(path: Path, raw: dict[str, Any], ref: Reference, where: _Where,
                  problems: ProblemList) -> None:
    for key in NAME_KEYS:
        if not isinstance(raw[key], str):
            _bad(problems, key, raw[key], f"是{kind_of(raw[key])}，不是文字", "请写成一段文字",
                 "type-error")
    if problems:
        return
    slug = raw["slug"]
    if not isinstance(slug, str) or not SLUG_RE.match(slug):
        _bad(problems, "slug", slug, "格式不对",
             "应为“年-月-小写拼音或英文词”，用连字符连接，例如 2024-05-chaoyang-food-court")
    elif slug != path.stem:
        _bad(problems, "slug", slug, "与文件名不一致",
             f"请把文件改名为 {slug}.yml，或把 slug 改为 {path.stem}")
    _check_date(problems, raw["date"])
    districts = ref.district_by_name()
    district, street = raw["district"], raw["street"]
    if district not in districts:
        example = f"，例如 “{ref.districts[0].name}”" if ref.districts else ""
        _bad(problems, "district", district, f"不是{where.city}的区名",
             f"请填写 {where.reference}/districts.csv 中的完整区名{example}", "not-in-reference")
    elif not any(s.name == street and s.district == district for s in ref.streets):
        own = [s.name for s in ref.streets if s.district == district]
        example = f"，例如 “{own[0]}”" if own else ""
        _bad(problems, "street", street, f"不是{district}的街道（乡镇）",
             f"请填写 {where.reference}/streets.csv 中属于{district}的街道（乡镇）全称{example}",
             "not-in-reference")
    categories = ref.category_by_name()
    category = raw["category"]
    if category not in categories:
        examples = "、".join(list(categories)[:4])
        _bad(problems, "category", category, "不是分类表中的诉求类别",
             f"请填写 {where.reference}/taxonomy.yml 中的类别，例如 {examples}",
             "not-in-reference")
    elif raw["element"] != (element := categories[category].element):
        _bad(problems, "element", raw["element"], f"与类别 {category} 不符",
             f"类别 {category} 属于要素 “{element}”，请改正")
    if raw["source"] not in SOURCES:
        _bad(problems, "source", raw["source"], "不是允许的来源",
             f"应为 {'、'.join(SOURCES)} 之一")
    if raw["result"] not in RESULTS:
        _bad(problems, "result", raw["result"], "不是允许的办理结果",
             f"应为 {'、'.join(RESULTS)} 之一")
    tags = raw["tags"]
    if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
        _bad(problems, "tags", tags, "不是文字列表", "请写成列表，例如 [油烟, 商业综合体]",
             "type-error")
    for key in TEXT_KEYS:
        value = raw[key]
        if not isinstance(value, str) or not value.strip():
            _bad(problems, key, value, "为空或不是文字", "请填写这一段的文字说明", "empty")
    for key in (*TEXT_KEYS, "tags"):
        text = " ".join(raw[key]) if key == "tags" and isinstance(tags, list) else str(raw[key])
        found = find_pii(text)
        if found:  # the value is personal data: never shown
            problems.add(f"含有疑似{found}的内容",
                         "案例不得包含个人信息或具体门牌地址，请删除或改写为概括说明"
                         "（例如 “某小区”“某餐饮企业”）", key=key, code="personal-data")
        elif venues := where.places.findings(text, where.allowed):
            problems.add(f"写出了比{where.places.place_level}更细的地点：{shown('、'.join(venues))}",
                         f"案例地点只写到{where.places.place_level}，请改写为概括说明（例如 "
                         "“某商场”“附近一处商业综合体”，或写出所在街道（乡镇））；场所词尾和"
                         "地标名称见 data/case_privacy.yml", key=key, code="place-too-fine")


def _check_date(problems: ProblemList, value: Any) -> None:
    fix = "请写成 YYYY-MM-DD，例如 2024-05-16"
    if isinstance(value, date):
        return
    if not isinstance(value, str) or not DATE_RE.match(value):
        _bad(problems, "date", value, "不是日期", fix)
        return
    try:
        date.fromisoformat(value)
    except ValueError:
        _bad(problems, "date", value, "不是有效的日期", fix)


def cases_matching(
    cases: list[Case],
    *,
    category: str | None = None,
    district: str | None = None,
    street: str | None = None,
) -> list[Case]:
    """Cases with the given category, district and street (None matches anything), in order."""
    return [
        c for c in cases
        if (category is None or c.category == category)
        and (district is None or c.district == district)
        and (street is None or c.street == street)
    ]

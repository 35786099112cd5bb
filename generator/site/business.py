"""The business guidance by type (data/business.yml, format documented at its top).

A bureau describes each business type in YAML: which data/limits.yml tables apply and why,
the prohibitions and duties in words, a self-check list and what to prepare. The loader checks
all of it against the limits file and the project's pages and reports every problem at once
with its key path. Texts may hold no digit: every number on a business page is a limits.yml
cell, rendered by the limits macros, so a value is never typed twice.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.config import kind_of, read_yaml_mapping, yaml_text
from generator.errors import ConfigError
from generator.problems import ProblemList, render_text
from generator.site.cases import unwrap
from generator.site.limits import CONFIDENCE

BUSINESS_FILE = Path("data") / "business.yml"
"""Where a project keeps the guidance, relative to its root (absent: no business section)."""
SLUG_RE = re.compile(r"^[a-z][a-z0-9-]*$")
WORDINGS = ("原文", "大意")
TOP_KEYS = ("story", "prepare", "types")
TYPE_KEYS = ("slug", "title", "audience", "rules", "requirements", "checklist", "prepare",
             "guides", "case_tags")
TYPE_REQUIRED = ("slug", "title", "audience", "rules", "checklist")
_FIX = "请按文件开头的格式说明改写"
_NO_DIGITS = ("含有数字；页面上的数字只能来自 data/limits.yml",
              "请删去数字，在 rules 中列出含该数值的限值表（写法见文件开头的格式说明）")
_DIGIT = re.compile(r"[0-9０-９]")


@dataclass(frozen=True)
class Rule:
    """One limits table that applies, with why."""

    table: Mapping[str, Any]
    """The table as data/limits.yml holds it (shown with macros/limits.md.j2)."""
    why: str


@dataclass(frozen=True)
class Requirement:
    """A prohibition or duty in words."""

    text: str
    wording: str
    """原文 (quoted) or 大意 (a summary)."""
    cite: str
    confidence: str
    note: str = ""


@dataclass(frozen=True)
class BusinessType:
    slug: str
    title: str
    audience: str
    rules: tuple[Rule, ...]
    requirements: tuple[Requirement, ...]
    checklist: tuple[str, ...]
    prepare: tuple[str, ...]
    guides: tuple[str, ...]
    case_tags: tuple[str, ...]


@dataclass(frozen=True)
class BusinessGuide:
    """The whole of data/business.yml."""

    story: str
    """The 未诉先办 example in plain words (Markdown paragraphs, lines of a paragraph joined
    without spaces, as Chinese needs none)."""
    story_case: str
    """Slug of the typical case it comes from, or empty."""
    prepare: tuple[str, ...]
    """What every business prepares."""
    types: tuple[BusinessType, ...]


def load_business(path: Path, limits: Mapping[str, Mapping[str, Any]], pages: Collection[str],
                  cases: Collection[str], reserved: Collection[str] = ("index",)
                  ) -> BusinessGuide:
    """Read and check data/business.yml. `limits` is data/limits.yml as loaded, `pages` the
    docs-relative paths of site_src/ pages, `cases` the typical cases' slugs, `reserved` the
    page names a type may not take (the index, the form page)."""
    raw = read_yaml_mapping(path, "业态指引文件", "请从仓库恢复 data/business.yml。")
    checker = _Checker(ProblemList(path), limits, pages)
    checker.unknown(raw, TOP_KEYS, "")
    story = raw.get("story")
    if not isinstance(story, dict):
        checker.shape("story", story, "包含 text 的映射")
        story = {}
    checker.unknown(story, ("text", "case"), "story")
    story_text = checker.text(story, "text", "story", digits=True)
    story_case = checker.text(story, "case", "story", required=False, digits=True)
    if story_case and story_case not in cases:
        checker.problems.add("不是 data/cases/ 中的案例", "请改为某个案例文件的 slug，或删除这一项",
                             key="story.case", value=story_case, code="unknown-case")
    prepare = checker.texts(raw, "prepare", "")
    types = raw.get("types")
    if not isinstance(types, list) or not types:
        checker.shape("types", types, "非空列表（每种业态一项）")
        types = []
    found: list[BusinessType] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(types):
        where = f"types[{i}]"
        one = checker.business_type(entry, where)
        if one is None:
            continue
        if one.slug in reserved:
            checker.problems.add(f"是保留的页面名（{'、'.join(reserved)}）", "请换一个页面名",
                                 key=f"{where}.slug", value=one.slug, code="reserved")
        elif one.slug in seen:
            checker.problems.add(f"与 types[{seen[one.slug]}] 的页面名重复",
                                 "每种业态的 slug 应各不相同", key=f"{where}.slug",
                                 value=one.slug, code="duplicate")
        seen.setdefault(one.slug, i)
        found.append(one)
    problems = checker.problems
    if problems:
        note = "\n[n] 表示列表的第 n 项，从 0 起数（types[0] 是第一种业态）。" \
            if any("[" in (p.key or "") for p in problems) else ""
        raise ConfigError(
            render_text(problems, f"业态指引文件 {path} 有 {len(problems)} 处错误：") + note,
            problems.items)
    return BusinessGuide(unwrap(story_text), story_case, prepare, tuple(found))


class _Checker:
    """Collects the problems of one file; each method returns a usable value regardless."""

    def __init__(self, problems: ProblemList, limits: Mapping[str, Mapping[str, Any]],
                 pages: Collection[str]) -> None:
        self.problems = problems
        self.limits = limits
        self.pages = pages

    def shape(self, key: str, value: Any, expected: str) -> None:
        self.problems.add(f"应为{expected}，现为{kind_of(value)}", _FIX, key=key,
                          value=None if value is None else yaml_text(value), code="type-error")

    def unknown(self, mapping: Mapping[Any, Any], known: tuple[str, ...], prefix: str) -> None:
        self.problems.unknown_keys(mapping, known, prefix=prefix)

    def text(self, mapping: Mapping[str, Any], key: str, prefix: str, *, required: bool = True,
             digits: bool = False) -> str:
        where = f"{prefix}.{key}" if prefix else key
        value = mapping.get(key)
        if value is None:
            if required:
                self.problems.add("缺少这一项", "请按文件开头的格式说明补上", key=where,
                                  code="missing-key")
            return ""
        if not isinstance(value, str) or not value.strip():
            self.problems.add("应为一段文字（不能为空）", _FIX, key=where,
                              value=yaml_text(value), code="type-error")
            return ""
        if not digits and _DIGIT.search(value):
            self.problems.add(*_NO_DIGITS, key=where, value=value, code="digit")
        return value.strip()

    def texts(self, mapping: Mapping[str, Any], key: str, prefix: str, *,
              required: bool = True) -> tuple[str, ...]:
        where = f"{prefix}.{key}" if prefix else key
        value = mapping.get(key)
        if value is None and not required:
            return ()
        if not isinstance(value, list) or not value:
            self.shape(where, value, "非空的文字列表（每行“- 文字”）")
            return ()
        return tuple(self._item(item, f"{where}[{i}]") for i, item in enumerate(value))

    def _item(self, item: Any, where: str) -> str:
        if not isinstance(item, str) or not item.strip():
            self.problems.add("应为一段文字（不能为空）", _FIX, key=where,
                              value=None if item is None else yaml_text(item), code="type-error")
            return ""
        if _DIGIT.search(item):
            self.problems.add(*_NO_DIGITS, key=where, value=item, code="digit")
        return item.strip()

    def business_type(self, entry: Any, where: str) -> BusinessType | None:
        if not isinstance(entry, dict):
            self.shape(where, entry, f"包含 {'、'.join(TYPE_REQUIRED)} 的映射")
            return None
        self.unknown(entry, TYPE_KEYS, where)
        slug = self.text(entry, "slug", where)
        if slug and not SLUG_RE.match(slug):
            self.problems.add("应只含小写字母、数字和连字符，并以字母开头",
                              "例如 catering、food-court", key=f"{where}.slug", value=slug,
                              code="invalid")
        guides = self.texts(entry, "guides", where, required=False)
        for i, guide in enumerate(guides):
            if guide and guide not in self.pages:
                self.problems.add("不是 site_src/ 中的页面",
                                  "请写 site_src/ 下的页面路径，例如 guides/noise.md",
                                  key=f"{where}.guides[{i}]", value=guide, code="unknown-page")
        return BusinessType(
            slug=slug, title=self.text(entry, "title", where),
            audience=self.text(entry, "audience", where),
            rules=self.rules(entry.get("rules"), f"{where}.rules"),
            requirements=self.requirements(entry.get("requirements"), f"{where}.requirements"),
            checklist=self.texts(entry, "checklist", where),
            prepare=self.texts(entry, "prepare", where, required=False), guides=guides,
            case_tags=self.texts(entry, "case_tags", where, required=False))

    def rules(self, value: Any, where: str) -> tuple[Rule, ...]:
        if not isinstance(value, list) or not value:
            self.shape(where, value, "非空列表（每项含 table 和 why）")
            return ()
        found = []
        for i, item in enumerate(value):
            at = f"{where}[{i}]"
            if not isinstance(item, dict):
                self.shape(at, item, "包含 table 和 why 的映射")
                continue
            self.unknown(item, ("table", "why"), at)
            table_id, why = self.text(item, "table", at, digits=True), self.text(item, "why", at)
            table = self._table(table_id)
            if table_id and table is None:
                self.problems.add("不是 data/limits.yml 中的表格",
                                  "请写成“标准键.表格键”，例如 gb18483.size（见 data/limits.yml）",
                                  key=f"{at}.table", value=table_id, code="unknown-table")
            if table is not None:
                found.append(Rule(table, why))
        return tuple(found)

    def _table(self, table_id: str) -> Mapping[str, Any] | None:
        source, _, name = table_id.partition(".")
        tables = self.limits.get(source)
        table = tables.get(name) if isinstance(tables, Mapping) else None
        return table if isinstance(table, Mapping) else None

    def requirements(self, value: Any, where: str) -> tuple[Requirement, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.shape(where, value, "列表（每项含 text、wording、cite、confidence）")
            return ()
        found = []
        for i, item in enumerate(value):
            at = f"{where}[{i}]"
            if not isinstance(item, dict):
                self.shape(at, item, "包含 text、wording、cite、confidence 的映射")
                continue
            self.unknown(item, ("text", "wording", "cite", "confidence", "note"), at)
            wording = self.text(item, "wording", at)
            if wording and wording not in WORDINGS:
                self.problems.add(f"应为 {' / '.join(WORDINGS)} 之一",
                                  "引用法律原文的写 原文，概括大意的写 大意",
                                  key=f"{at}.wording", value=wording, code="invalid")
            confidence = self.text(item, "confidence", at)
            if confidence and confidence not in CONFIDENCE:
                self.problems.add(f"应为 {' / '.join(CONFIDENCE)} 之一",
                                  "请改为其中之一（含义见 data/limits.yml 开头的格式说明）",
                                  key=f"{at}.confidence", value=confidence, code="invalid")
            found.append(Requirement(
                self.text(item, "text", at), wording, self.text(item, "cite", at, digits=True),
                confidence, self.text(item, "note", at, required=False)))
        return tuple(found)

"""How far typical cases may name places: the rule each case page's privacy note states.

data/case_privacy.yml (beside data/cases/) names the level (街道（乡镇）), the words that end a
venue's name (大厦, 广场, 小区, 商场, 号楼…), the words that may stand before such an ending
without naming anything (某, 该, 附近, 商业…) and the venues of the city that no ending
shows (landmarks, shopping districts). A case text breaks the rule when a venue ending
follows anything but one of those words, a punctuation mark or the start of the text, or
when it names a listed venue; districts and streets of the reference are at or above the
level and are never flagged.
`load_cases` refuses a case that breaks it, naming the file, key and the words found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.config import read_yaml_mapping, yaml_text
from generator.errors import ConfigError
from generator.problems import ProblemList, render_text

RULES_FILE = "case_privacy.yml"
"""The rules' file name, in the folder holding data/cases/ (the project's data/)."""
KEYS = ("place_level", "venue_suffixes", "generic_before", "named_places")


@dataclass(frozen=True)
class PlaceRules:
    """What case texts may say about places (data/case_privacy.yml)."""

    place_level: str
    """The finest level a case names, as the privacy note says it, e.g. 街道（乡镇）."""
    venue_suffixes: tuple[str, ...]
    """Endings of a venue's name: 大厦, 广场, 小区, 商场, 号楼…"""
    generic_before: tuple[str, ...]
    """Words that may precede an ending without naming a venue: 某, 该, 附近, 商业…"""
    named_places: tuple[str, ...]
    """Venues of the city no ending shows, never to be named (landmarks, shopping districts)."""

    def findings(self, text: str, allowed: Iterable[str] = ()) -> list[str]:
        """The places `text` names below the level, in order (empty: none).

        `allowed` are names at or above the level (the reference's districts and streets);
        they are blanked out before the check, so 阎村镇 or 城南街道 never count.
        """
        for name in sorted(set(allowed), key=len, reverse=True):
            if name:
                text = text.replace(name, "、" * len(name))
        found = [name for name in self.named_places if name in text]
        for match in self._ending.finditer(text):
            before = text[:match.start()]
            if not before or _OPEN.match(before[-1]):
                continue
            if any(before.endswith(word) for word in self.generic_before):
                continue
            found.append(before[-2:].lstrip("、") + match.group(0))
        return found

    @property
    def _ending(self) -> re.Pattern[str]:
        return re.compile("|".join(re.escape(s) for s in
                                   sorted(self.venue_suffixes, key=len, reverse=True)))


_OPEN = re.compile(r"[\s\u3000-\u303f\uff00-\uff0f\uff1a-\uff20“”‘’《》（）()\[\]、，。；：！？]")
"""A punctuation mark or space: a venue ending after it names nothing."""


DEFAULT_RULES = PlaceRules(
    place_level="街道（乡镇）",
    venue_suffixes=("大厦", "广场", "小区", "商场", "商城", "号楼", "号院", "大楼", "写字楼",
                    "综合体", "花园", "公寓", "家园", "中心", "市场", "酒店", "宾馆", "饭店"),
    generic_before=("某", "该", "一处", "一座", "一家", "附近", "周边", "临近", "同一", "所在",
                    "大型", "商业", "美食", "居民", "住宅", "老旧", "的", "在", "和", "与", "及"),
    named_places=())
"""The rules of a project without data/case_privacy.yml: the words of the language, no venue
names (those are the city's, so only its own file can list them)."""


def load_place_rules(cases_folder: Path) -> PlaceRules:
    """The rules in <cases folder>/../case_privacy.yml, checked in full (ConfigError);
    DEFAULT_RULES when the project has no such file."""
    path = cases_folder.parent / RULES_FILE
    if not path.is_file():
        return DEFAULT_RULES
    raw = read_yaml_mapping(path, "案例地点规则文件", f"请在 {cases_folder.parent} 下放一份 "
                            f"{RULES_FILE}（格式见其开头的说明）")
    problems = ProblemList(path)
    problems.unknown_keys(sorted(raw, key=str), KEYS)
    for key in KEYS:
        if key not in raw:
            problems.add("缺少这一设置项", f"请补上 {key}（说明见文件开头）", key=key,
                         code="missing-key")
    if problems:
        raise ConfigError(render_text(problems, f"案例地点规则文件 {path} 有错误："),
                          list(problems))
    if not isinstance(raw["place_level"], str) or not raw["place_level"].strip():
        problems.add("应为一段文字", "例如 街道（乡镇）", key="place_level",
                     value=yaml_text(raw["place_level"]), code="type-error")
    lists = {key: _words(problems, key, raw[key]) for key in KEYS[1:]}
    if not lists["venue_suffixes"] and "venue_suffixes" not in {p.key for p in problems}:
        problems.add("不能为空", "请至少列出一个场所词尾，例如 [大厦, 广场, 小区]",
                     key="venue_suffixes", code="empty")
    if problems:
        raise ConfigError(render_text(problems, f"案例地点规则文件 {path} 有错误："),
                          list(problems))
    return PlaceRules(raw["place_level"].strip(), lists["venue_suffixes"],
                      lists["generic_before"], lists["named_places"])


def _words(problems: ProblemList, key: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        problems.add("应为文字列表", "请写成列表，例如 [大厦, 广场]", key=key,
                     value=yaml_text(value), code="type-error")
        return ()
    out: list[str] = []
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            problems.add("应为非空文字", "请删除这一项或填写文字", key=f"{key}[{i}]",
                         value=yaml_text(item), code="type-error")
        else:
            out.append(item.strip())
    return tuple(out)


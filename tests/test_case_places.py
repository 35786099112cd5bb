"""Case pages: onward links (same category, same district) and the place-naming rule their
privacy note states (data/case_privacy.yml: no place below the street/township level)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from generator.errors import ConfigError, DataError
from generator.reference import load_reference
from generator.site.case_places import DEFAULT_RULES, RULES_FILE, load_place_rules
from generator.site.cases import TEXT_KEYS, load_cases
from generator.site.pages import ONWARD_CASES
from generator.site.render import render_pages
from tests.site_data import PATHS, ROOT, mini_site_data

CASES = ROOT / "data" / "cases"
REF = load_reference((ROOT / "data" / "reference").resolve())
RULES = yaml.safe_load((ROOT / "data" / RULES_FILE).read_text("utf-8"))
REFERENCE_NAMES = [d.name for d in REF.districts] + [s.name for s in REF.streets]


def _names_below_level(text: str) -> list[str]:
    """Written apart from generator/site/case_places.py: every venue ending must follow a
    punctuation mark, the start, or a listed generic word; no listed landmark may appear."""
    for name in sorted(REFERENCE_NAMES, key=len, reverse=True):
        text = text.replace(name, "，")
    found = [n for n in RULES["named_places"] if n in text]
    for suffix in RULES["venue_suffixes"]:
        for m in re.finditer(re.escape(suffix), text):
            before = text[:m.start()]
            if before and not re.match(r"[\W_]", before[-1]) and not any(
                    before.endswith(g) for g in RULES["generic_before"]):
                found.append(before[-2:] + suffix)
    return found


def test_rules_file_lists_the_place_types() -> None:
    assert RULES["place_level"] == "街道（乡镇）"
    assert {"大厦", "广场", "小区", "商场", "号楼"} <= set(RULES["venue_suffixes"])
    rules = load_place_rules(CASES)
    assert rules.venue_suffixes == tuple(RULES["venue_suffixes"])


def test_no_case_text_names_a_place_below_its_note() -> None:
    for path in sorted(CASES.glob("*.yml")):
        raw = yaml.safe_load(path.read_text("utf-8"))
        for key in (*TEXT_KEYS, "tags"):
            text = " ".join(raw[key]) if key == "tags" else str(raw[key])
            assert _names_below_level(text) == [], (path.name, key)
    for case in load_cases(CASES, REF):
        assert case.place_level == RULES["place_level"]


@pytest.mark.parametrize(("text", "found"), [
    ("居民反映国贸大厦门口噪声大", ["国贸大厦"]),
    ("阳光小区的餐馆油烟扰民", ["阳光小区"]),
    ("乐多港里的餐馆", ["乐多港"]),
    ("SKP商场楼顶", ["KP商场"]),
    ("附近某小区、周边商场和一处商业综合体", []),
    ("城南街道和阎村镇的居民", []),
])
def test_rule_finds_named_venues(text: str, found: list[str]) -> None:
    rules = load_place_rules(CASES)
    assert rules.findings(text, REFERENCE_NAMES) == found
    assert _names_below_level(text) == found


def test_a_case_naming_a_venue_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "data" / "cases"
    folder.mkdir(parents=True)
    (tmp_path / "data" / RULES_FILE).write_bytes((ROOT / "data" / RULES_FILE).read_bytes())
    good = "2025-04-tongzhou-dust"
    raw = yaml.safe_load((CASES / f"{good}.yml").read_text("utf-8"))
    raw["received"] = "居民反映望京SOHO大厦旁的工地扬尘严重。"
    (folder / f"{good}.yml").write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    with pytest.raises(DataError) as err:
        load_cases(folder, REF)
    [problem] = err.value.problems
    assert (problem.key, problem.code) == ("received", "place-too-fine")
    assert "写出了比街道（乡镇）更细的地点：HO大厦" in err.value.message
    assert "data/case_privacy.yml" in problem.fix


def test_rules_file_is_checked(tmp_path: Path) -> None:
    (tmp_path / "cases").mkdir()
    assert load_place_rules(tmp_path / "cases") == DEFAULT_RULES  # no file: the defaults
    (tmp_path / RULES_FILE).write_text("place_level: 街道\nvenue_suffixes: 大厦\nextra: 1\n",
                                       "utf-8")
    with pytest.raises(ConfigError) as err:
        load_place_rules(tmp_path / "cases")
    keys = [p.key for p in err.value.problems]
    assert "extra" in keys and "generic_before" in keys and "named_places" in keys


def test_case_pages_link_onward_by_category_and_district() -> None:
    data = mini_site_data()
    pages = render_pages(PATHS, data)
    cases = list(data.cases)
    linked = 0
    for case in cases:
        page = pages[f"cases/{case.slug}.md"]
        section = page.split("\n## 相关案例\n", 1)[1].split("!!! note", 1)[0]
        links = re.findall(r"\]\(([a-z0-9-]+)\.md\)", section)
        assert case.slug not in links
        same_category = [c.slug for c in cases if c.category == case.category
                         and c.slug != case.slug][:ONWARD_CASES]
        same_district = [c.slug for c in cases if c.district == case.district
                         and c.slug != case.slug and c.slug not in same_category][:ONWARD_CASES]
        assert links == [*same_category, *same_district, "index"], case.slug
        if same_category:
            assert f"**同类问题（{case.category}）：**" in section
        if same_district:
            assert f"**同在{case.district}：**" in section
        assert "](../how-to-complain.md)" in section
        assert f"地点只写到{case.place_level}" in page
        linked += bool(same_category or same_district)
    assert linked >= 3

"""Typical cases: loading, validation messages, rendering and the absence of personal data."""

from __future__ import annotations

import re
import shutil
import unicodedata
from datetime import date
from pathlib import Path

import pytest
import yaml

from generator.errors import DataError
from generator.reference import load_reference
from generator.site.cases import (
    Case,
    cases_matching,
    find_pii,
    load_cases,
)
from generator.site.render import render_pages
from tests.site_data import PATHS, ROOT, mini_site_data

CASES = ROOT / "data" / "cases"
REF = load_reference((ROOT / "data" / "reference").resolve())
GOOD = "2024-05-chaoyang-food-court"


def test_at_least_eight_cases_load_newest_first() -> None:
    cases = load_cases(CASES, REF)
    assert len(cases) >= 8
    assert [c.date for c in cases] == sorted((c.date for c in cases), reverse=True)
    assert len({c.slug for c in cases}) == len(cases)
    by_slug = {c.slug: c for c in cases}
    food_court = by_slug[GOOD]
    assert (food_court.district, food_court.street, food_court.source) == (
        "朝阳区", "呼家楼街道", "企业咨询")
    assert food_court.date == date(2024, 5, 16) and food_court.month == "2024年5月"
    assert food_court.guide == "guides/cooking-fumes.md"
    assert "\n" not in food_court.received, "lines of a paragraph are joined"
    assert any(c.district == "昌平区" and "商业综合体" in c.received for c in cases)
    categories = {c.category for c in cases}
    assert {"社会生活噪声", "建筑施工噪声", "扬尘", "异味恶臭", "餐饮油烟"} <= categories
    assert {c.source for c in cases} == {"市民诉求", "主动治理", "企业咨询"}
    assert any("三级管家" in c.tags and c.category == "企业废气" for c in cases)


def test_cases_agree_with_reference() -> None:
    streets = {(s.district, s.name) for s in REF.streets}
    elements = {c.name: c.element for c in REF.categories}
    for case in load_cases(CASES, REF):
        assert (case.district, case.street) in streets
        assert elements[case.category] == case.element


def _bad_folder(tmp_path: Path, change: dict[str, object], name: str = GOOD) -> Path:
    folder = tmp_path / "cases"
    folder.mkdir()
    data = yaml.safe_load((CASES / f"{GOOD}.yml").read_text(encoding="utf-8"))
    data.update(change)
    data = {k: v for k, v in data.items() if v is not None}
    (folder / f"{name}.yml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return folder


PII_FIX = ("修正方法：案例不得包含个人信息或具体门牌地址，"
           "请删除或改写为概括说明（例如 “某小区”“某餐饮企业”）。")

BAD_CASES = [
    ({"district": "朝阳"},
     "district：值 “朝阳” 不是北京市的区名。"
     "修正方法：请填写 data/reference/districts.csv 中的完整区名，例如 “东城区”。"),
    ({"street": "城南街道"},
     "street：值 “城南街道” 不是朝阳区的街道（乡镇）。"
     "修正方法：请填写 data/reference/streets.csv 中属于朝阳区的街道（乡镇）全称，"
     "例如 “建外街道”。"),
    ({"category": "油烟"},
     "category：值 “油烟” 不是分类表中的诉求类别。"
     "修正方法：请填写 data/reference/taxonomy.yml 中的类别，"
     "例如 餐饮油烟、扬尘、异味恶臭、企业废气。"),
    ({"element": "噪声"},
     "element：值 “噪声” 与类别 餐饮油烟 不符。"
     "修正方法：类别 餐饮油烟 属于要素 “大气”，请改正。"),
    ({"source": "12369"},
     "source：值 “12369” 不是允许的来源。修正方法：应为 市民诉求、主动治理、企业咨询 之一。"),
    ({"result": "办结"},
     "result：值 “办结” 不是允许的办理结果。"
     "修正方法：应为 已解决、已化解、已指导、持续跟踪 之一。"),
    ({"date": "2024-13-01"},
     "date：值 “2024-13-01” 不是有效的日期。修正方法：请写成 YYYY-MM-DD，例如 2024-05-16。"),
    ({"slug": "2024-05-other"},
     "slug：值 “2024-05-other” 与文件名不一致。"
     f"修正方法：请把文件改名为 2024-05-other.yml，或把 slug 改为 {GOOD}。"),
    ({"received": "反映人张先生称噪声很大。"},
     f"received：含有疑似姓名的内容。{PII_FIX}"),
    ({"handled": "到朝阳路8号院3号楼核查。"},
     f"handled：含有疑似门牌地址的内容。{PII_FIX}"),
    ({"follow_up": "回访电话 138 1234 5678。"},
     f"follow_up：含有疑似手机号码的内容。{PII_FIX}"),
    ({"tags": None},
     "tags：缺少这一字段。修正方法：请补上（字段说明见 data/cases/README.md）。"),
    ({"owner": "某人"},
     "owner：不是可识别的案例字段。修正方法：请改正拼写或删除该项（可用的案例字段：slug、date、"
     "district、street、element、category、title、source、received、handled、follow_up、result、"
     "tags）。"),
]


@pytest.mark.parametrize(("change", "message"), BAD_CASES)
def test_bad_case_file_gives_exact_message(
    tmp_path: Path, change: dict[str, object], message: str
) -> None:
    folder = _bad_folder(tmp_path, change)
    with pytest.raises(DataError) as err:
        load_cases(folder, REF, city="北京市")
    assert err.value.message == (
        f"案例文件 {folder / (GOOD + '.yml')} 有 1 处错误：\n  - {message}")
    assert len(err.value.problems) == 1


def test_case_problems_are_structured(tmp_path: Path) -> None:
    folder = _bad_folder(tmp_path, {
        "slug": "2024-05-other", "date": "2024-02-30", "district": "朝阳", "source": "12369",
        "tags": "油烟", "handled": "到朝阳路8号院3号楼核查。"})
    with pytest.raises(DataError) as err:
        load_cases(folder, REF, city="北京市")
    assert [p.key for p in err.value.problems] == [
        "slug", "date", "district", "source", "tags", "handled"]
    assert [p.code for p in err.value.problems] == [
        "invalid", "invalid", "not-in-reference", "invalid", "type-error", "personal-data"]
    path = str(folder / f"{GOOD}.yml")
    assert all(p.file == path and p.fix for p in err.value.problems)
    assert err.value.problems[-1].value is None, "personal data is never shown"
    assert err.value.message.startswith(f"案例文件 {path} 有 6 处错误：\n  - slug：")


def test_duplicate_slug_and_broken_yaml_are_reported(tmp_path: Path) -> None:
    folder = tmp_path / "cases"
    folder.mkdir()
    shutil.copy(CASES / f"{GOOD}.yml", folder / f"{GOOD}.yml")
    (folder / "broken.yml").write_text("slug: [unclosed\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_cases(folder, REF, city="北京市")
    assert err.value.message == (
        f"案例文件 {folder / 'broken.yml'} 不是有效的 YAML（第 2 行第 1 列："
        "expected ',' or ']', but got '<stream end>'）。"
        "请检查缩进、冒号和引号；日期请写成有效的 YYYY-MM-DD。")
    [broken] = err.value.problems
    assert (broken.file, broken.key, broken.code) == (str(folder / "broken.yml"), None,
                                                      "yaml-error")


def test_case_pages_have_the_three_sections() -> None:
    cases = load_cases(CASES, REF)
    pages = render_pages(PATHS, mini_site_data())
    assert {p for p in pages if p.startswith("cases/")} == (
        {f"cases/{c.slug}.md" for c in cases} | {"cases/index.md"})
    for case in cases:
        page = pages[f"cases/{case.slug}.md"]
        assert page.startswith(f"# {case.title}\n")
        positions = [page.index(f"\n## {h}\n") for h in ("接诉", "即办", "回访")]
        assert positions == sorted(positions)
        for text in (case.received, case.handled, case.follow_up):
            assert text in page
        assert f"](../{case.guide})" in page
        assert f"| 地点 | {case.district} {case.street} |" in page
        assert str(case.date.day) + "日" not in page
    index = pages["cases/index.md"]
    links = re.findall(r"\]\(([a-z0-9-]+)\.md\)", index.split("## 按要素浏览")[0])
    assert links == [c.slug for c in cases]


# Independent simple detectors (the project's privacy scanner also runs on the built site).
PII = {
    "mobile": re.compile(r"(?<![0-9])1[3-9][0-9][- ]?[0-9]{4}[- ]?[0-9]{4}(?![0-9])"),
    "landline": re.compile(r"(?<![0-9])0[0-9]{2,3}-[0-9]{7,8}"),
    "id": re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx]"),
    "house": re.compile(r"[0-9一二三四五六七八九十]+(号院|号楼|单元|室)"),
    "address_no": re.compile(r"[路街巷道胡同][0-9一二三四五六七八九十]+号"),
    "honorific": re.compile(r"(先生|女士)"),
    "email": re.compile(r"[@＠]"),
}


def test_no_case_text_contains_personal_data_patterns() -> None:
    for path in sorted(CASES.glob("*.yml")):
        text = unicodedata.normalize("NFKC", path.read_text(encoding="utf-8"))
        for name, pattern in PII.items():
            assert not pattern.search(text), (path.name, name, pattern.search(text))


@pytest.mark.parametrize("text", [
    "电话13812345678", "+86 138-1234-5678", "１３８１２３４５６７８", "010-65001234",
    "11010519491231002X", "朝阳路8号院", "3号楼2单元", "501室", "王女士", "邮箱 a.b@example.com",
])
def test_find_pii_catches(text: str) -> None:
    assert find_pii(text) is not None


@pytest.mark.parametrize("text", [
    "GB 22337-2008", "拨打12345", "12369 并入 12345", "2024年5月", "15家餐饮单位",
    "地铁10号线", "DB11/1488-2018", "HJ 554-2010",
])
def test_find_pii_ignores(text: str) -> None:
    assert find_pii(text) is None


def test_cases_matching_filters() -> None:
    cases = load_cases(CASES, REF)
    fumes = cases_matching(cases, category="餐饮油烟")
    assert fumes and all(c.category == "餐饮油烟" for c in fumes)
    assert [c for c in cases if c.category == "餐饮油烟"] == fumes
    chaoyang = cases_matching(cases, district="朝阳区", street="呼家楼街道")
    assert [c.slug for c in chaoyang] == [GOOD]
    assert cases_matching(cases, district="朝阳区", street="城南街道") == []
    assert cases_matching(cases) == cases
    assert all(isinstance(c, Case) for c in cases)


@pytest.mark.slow
def test_built_site_has_case_pages(built_site: Path) -> None:
    cases = load_cases(CASES, REF)
    index = (built_site / "cases" / "index.html").read_text(encoding="utf-8")
    for case in cases:
        page = (built_site / "cases" / f"{case.slug}.html").read_text(encoding="utf-8")
        for heading in ("接诉", "即办", "回访"):
            assert re.search(rf"<h2[^>]*>{heading}", page), (case.slug, heading)
        assert f'href="{case.slug}.html"' in index


@pytest.mark.slow
def test_built_case_pages_pass_the_project_scanner(built_site: Path) -> None:
    from generator.privacy.scan import format_report, scan_paths

    report = scan_paths([built_site / "cases"])
    assert report.files_scanned >= len(load_cases(CASES, REF)) + 1
    assert not report.findings, format_report(report)


@pytest.mark.slow
def test_case_pages_are_linked_from_category_and_district_statistics(built_site: Path) -> None:
    stats = (built_site / "stats" / "index.html").read_text(encoding="utf-8")
    districts = (built_site / "stats" / "districts.html").read_text(encoding="utf-8")
    for case in load_cases(CASES, REF):
        assert f'href="../cases/{case.slug}.html"' in stats, case.slug
        assert f'href="../cases/{case.slug}.html"' in districts, case.slug

"""The 开业前咨询 section (issue 11 part 1): one guidance page per configured business type.

Expectations come from the configuration files parsed here with plain yaml (data/business.yml,
data/limits.yml, data/intake.yml, forms/consultation.yml), never from the renderer; the pages
are the real ones, rendered from the bundled project with the mini package.
"""

from __future__ import annotations

import posixpath
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.errors import ConfigError
from generator.privacy.detectors import Institutional
from generator.reference import load_reference
from generator.site.bureaus import load_bureaus
from generator.site.business import load_business
from generator.site.business_pages import business_index, business_types, with_type_pages
from generator.site.limits import load_limits
from generator.site.render import render_pages
from tests.site_data import PATHS, mini_site_data

ROOT = Path(__file__).resolve().parent.parent
MARKED = re.compile(r"<!-- limits-table: ([\w.]+) -->(.*?)<!-- /limits-table -->", re.S)
BUTTON = "我要开业前咨询</a>"


def load(rel: str) -> Any:
    return yaml.safe_load((ROOT / rel).read_text(encoding="utf-8"))


@cache
def limits_by_id() -> dict[str, dict[str, Any]]:
    return {t["id"]: t for tables in load("data/limits.yml").values() for t in tables.values()}


@cache
def pages() -> dict[str, str]:
    return render_pages(PATHS, mini_site_data())


def type_pages() -> dict[str, str]:
    types = load("data/business.yml")["types"]
    return {t["slug"]: pages()[f"business/{t['slug']}.md"] for t in types}


def table_rows(block: str) -> tuple[list[str], list[list[str]]]:
    lines = [ln.strip() for ln in block.splitlines() if ln.strip().startswith("|")]
    split = [[c.strip() for c in ln.strip("|").split("|")] for ln in lines]
    return split[0], split[2:]


def test_a_page_for_every_configured_type_and_an_index() -> None:
    types = load("data/business.yml")["types"]
    section = {p for p in pages() if p.startswith("business/")}
    form = posixpath.splitext(load("data/intake.yml")["pages"]["form"])[0] + ".md"
    expected = {"business/index.md", *(f"business/{t['slug']}.md" for t in types)}
    assert expected | {form} <= section  # the section may hold other pages (service figures)
    index = pages()["business/index.md"]
    story = load("data/business.yml")["story"]["text"]
    for paragraph in story.split("\n\n"):
        assert "".join(paragraph.splitlines()) in index
    for t in types:
        page = pages()[f"business/{t['slug']}.md"]
        assert page.startswith(f"# {t['title']}：")
        assert f"**[{t['title']}]({t['slug']}.md)**" in index
        for item in t["checklist"]:
            assert f"1. {item}" in page
        for item in load("data/business.yml")["prepare"] + t.get("prepare", []):
            assert f"1. {item}" in page


def test_the_menu_lists_every_configured_type_after_the_form() -> None:
    types = load("data/business.yml")["types"]
    facts = mini_site_data().business
    assert facts is not None
    form = facts.form_page
    written = [{"首页": "index.md"},
               {"开业前咨询": ["business/index.md", {"申请": form},
                          {"服务": "business/service.md"}]},
               {"关于": ["about.md"]}]
    section = with_type_pages(written, facts)[1]["开业前咨询"]
    assert section == ["business/index.md", {"申请": form},
                       *({t["title"]: f"business/{t['slug']}.md"} for t in types),
                       {"服务": "business/service.md"}]
    # A type the section lists itself keeps its entry (and its place); no duplicate.
    own = {"我的名称": f"business/{types[0]['slug']}.md"}
    mine = with_type_pages([{"开业前咨询": ["business/index.md", own]}], facts)
    listed = mine[0]["开业前咨询"]
    assert listed[0] == "business/index.md" and listed[-1] == own  # no form: after the index
    assert len(listed) == 1 + len(types)
    # Without the section in the menu, nothing is added.
    assert with_type_pages(written[:1], facts) == written[:1]


@pytest.mark.slow
def test_the_built_menu_and_site_map_list_every_type(built_site: Path) -> None:
    types = load("data/business.yml")["types"]
    menu = (built_site / "business" / "index.html").read_text("utf-8")
    site_map = (built_site / "site-map.html").read_text("utf-8")
    for t in types:
        for page in (menu, site_map):
            link = re.search(rf'href="[^"]*{t["slug"]}\.html"[^>]*>\s*(?:<span[^>]*>)?\s*'
                             rf'{re.escape(t["title"])}', page)
            assert link, (t["slug"], page is site_map)


def test_every_limit_number_on_a_page_equals_limits_yml() -> None:
    tables = limits_by_id()
    configured = {t["slug"]: [r["table"] for r in t["rules"]]
                  for t in load("data/business.yml")["types"]}
    for slug, page in type_pages().items():
        shown = [m.group(1) for m in MARKED.finditer(page)]
        assert shown == configured[slug], slug
        for m in MARKED.finditer(page):
            table = tables[m.group(1)]
            header, rows = table_rows(m.group(2))
            assert header == table["columns"], (slug, table["id"])
            assert len(rows) == len(table["rows"]), (slug, table["id"])
            for row, expected in zip(rows, table["rows"], strict=True):
                for text, value in zip(row, expected, strict=True):
                    if isinstance(value, int | float):
                        assert float(text.replace(",", "")) == value, (slug, text, value)
                        assert ("." in text) == isinstance(value, float), (slug, text)
                    else:
                        assert text == value, (slug, text, value)
            after = page[m.end():].split("<!-- limits-table", 1)[0].split("## 依据与来源")[0]
            assert f"依据：{table['cite']}。" in after
            assert "!!! warning" not in after, (slug, table["id"])  # flags are in the sources
        # The page ends with its sources: each table it shows, flagged when not checked.
        sources = page[page.index("\n## 依据与来源 { #sources }"):]
        assert sources.rstrip().endswith("<!-- /limits-sources -->"), slug
        listed = re.findall(r"<!-- limits-source-table: ([\w.]+) -->(.*)", sources)
        ids = [i for i, _ in listed]
        assert len(ids) == len(set(ids)) and set(ids) == set(configured[slug]), slug
        for table_id, line in listed:
            flag = {"secondary": "**二手资料**", "unverified": "**未能核实**"}.get(
                tables[table_id]["confidence"])
            assert (flag in line) if flag else ("**" not in line), (slug, table_id)


def test_no_number_on_a_page_is_typed_outside_the_limits_tables() -> None:
    """Outside the rules section (limits tables, their sources and notes), the only number
    before the contacts table is the reply promise (and the phone route, both data/intake.yml):
    no limit value is restated in prose."""
    intake = load("data/intake.yml")
    reply = intake["reply"]["working_days"]
    for slug, page in type_pages().items():
        head, rest = page.split("## 适用的规定和数值", 1)
        prose = head + rest[rest.index("\n## "):rest.index("## 各区生态环境局联系方式")]
        prose = re.sub(r"（[^（）]*[0-9][^（）]*）", "", prose)  # citations: （GB 18483-2001）
        prose = re.sub(r"(?m)^1\. ", "", prose).replace(intake["phone_route"], "")
        assert re.findall(r"[0-9]+", prose.replace(f" {reply} 个工作日", "")) == [], slug


def test_reply_promise_equals_intake_yml() -> None:
    reply = load("data/intake.yml")["reply"]
    sentence = f"{reply['who']}会在 {reply['working_days']} 个工作日内与您联系"
    for rel in ["business/index.md", *(f"business/{s}.md" for s in type_pages()),
                "faq.md", "stewards.md"]:
        assert sentence in pages()[rel], rel
    assert load("data/intake.yml")["phone_route"] in pages()["business/index.md"]


def test_the_consultation_entry_is_on_every_business_page() -> None:
    form = load("data/intake.yml")["pages"]["form"]
    href = posixpath.relpath(form, "business")
    for rel in ["business/index.md", *(f"business/{s}.md" for s in type_pages())]:
        assert f'href="{href}">{BUTTON}' in pages()[rel], rel


def test_district_contacts_are_listed_from_the_configuration() -> None:
    bureaus = load("data/bureaus.yml")["districts"]
    districts = (ROOT / "data/reference/districts.csv").read_text("utf-8").splitlines()[1:]
    assert sorted(bureaus) == sorted(line.split(",")[0] for line in districts)
    for page in [pages()["business/index.md"], *type_pages().values()]:
        for code, b in bureaus.items():
            name = next(line.split(",")[1] for line in districts if line.startswith(code))
            assert f"| {name} | {b['name']} | {b['phone']}（{b['note']}） |" in page


def test_privacy_notice_describes_the_form_as_built() -> None:
    privacy = pages()["privacy.md"]
    intake = load("data/intake.yml")
    assert "没有在线申请表" not in privacy
    assert f"保存 {intake['retention_days']} 天" in privacy
    assert f"本节的版本为 **{intake['privacy_notice_version']}**" in privacy
    assert intake["reply"]["who"] in privacy
    form = load("forms/consultation.yml")
    for field in form["fields"]:
        if field["type"] in ("consent", "honeypot"):
            assert f"- {field['label']}" not in privacy
        else:
            assert f"- {field['label']}" in privacy, field["name"]


def test_faq_names_the_city_from_the_settings_and_links_the_section() -> None:
    source = (ROOT / "site_src" / "faq.md").read_text("utf-8")
    assert "北京" not in source
    city = load("data/settings.yml")["site"]["city"]
    assert f"{city}生态环境部门提供开业前咨询" in pages()["faq.md"]
    for rel in ("faq.md", "stewards.md"):
        assert "](business/index.md)" in pages()[rel]
    case = pages()["cases/2024-05-chaoyang-food-court.md"]
    assert "](../business/index.md)" in case


def test_without_business_yml_there_is_no_section() -> None:
    from dataclasses import replace

    data = replace(mini_site_data(), business=None)
    assert list(business_index(data)) == [] and list(business_types(data)) == []


# --- bad configuration ---------------------------------------------------------------------

def _write(tmp_path: Path, name: str, data: Any) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_bad_business_yml_is_reported_whole(tmp_path: Path) -> None:
    data = load("data/business.yml")
    data["types"][0]["rules"][1]["table"] = "db11_1488.limit"
    data["types"][0]["checklist"][0] = "油烟浓度不超过 1.0 mg/m³。"
    data["types"][1]["slug"] = "catering"
    data["types"][2]["requirements"][0]["confidence"] = "sure"
    data["types"][3]["colour"] = "red"
    del data["types"][4]["title"]
    data["story"]["case"] = "2099-01-nowhere"
    bad = _write(tmp_path, "business.yml", data)
    limits = load_limits(PATHS.limits_file)
    site_pages = {p.relative_to(PATHS.site_src).as_posix() for p in PATHS.site_src.rglob("*.md")}
    with pytest.raises(ConfigError) as err:
        load_business(bad, limits, site_pages, {"2024-05-chaoyang-food-court"})
    assert err.value.message == (
        f"业态指引文件 {bad} 有 7 处错误：\n"
        "  - story.case：值 “2099-01-nowhere” 不是 data/cases/ 中的案例。"
        "修正方法：请改为某个案例文件的 slug，或删除这一项。\n"
        "  - types[0].rules[1].table：值 “db11_1488.limit” 不是 data/limits.yml 中的表格。"
        "修正方法：请写成“标准键.表格键”，例如 gb18483.size（见 data/limits.yml）。\n"
        "  - types[0].checklist[0]：值 “油烟浓度不超过 1.0 mg/m³。” 含有数字；"
        "页面上的数字只能来自 data/limits.yml。"
        "修正方法：请删去数字，在 rules 中列出含该数值的限值表（写法见文件开头的格式说明）。\n"
        "  - types[1].slug：值 “catering” 与 types[0] 的页面名重复。"
        "修正方法：每种业态的 slug 应各不相同。\n"
        "  - types[2].requirements[0].confidence：值 “sure” 应为 checked / secondary / "
        "unverified 之一。修正方法：请改为其中之一（含义见 data/limits.yml 开头的格式说明）。\n"
        "  - types[3].colour：不是可识别的设置项。修正方法：请改正拼写或删除该项（可用的设置项："
        "slug、title、audience、rules、requirements、checklist、prepare、guides、case_tags）。\n"
        "  - types[4].title：缺少这一项。修正方法：请按文件开头的格式说明补上。\n"
        "[n] 表示列表的第 n 项，从 0 起数（types[0] 是第一种业态）。"
    )
    assert [p.code for p in err.value.problems] == [
        "unknown-case", "unknown-table", "digit", "duplicate", "invalid", "unknown-key",
        "missing-key"]


def test_bad_bureaus_yml_is_reported_whole(tmp_path: Path) -> None:
    data = load("data/bureaus.yml")
    data["districts"]["110102"]["email"] = "zhangsan@qq.com"
    data["districts"]["110105"]["phone"] = "010-0000-0000"
    data["districts"]["110108"]["address"] = "海淀区某路8号院3号楼201室"
    del data["districts"]["110119"]
    data["districts"]["999999"] = data["districts"]["110101"]
    bad = _write(tmp_path, "bureaus.yml", data)
    allow = Institutional.of(["gov.cn"], ["12345", "12369"])
    with pytest.raises(ConfigError) as err:
        load_bureaus(bad, load_reference(PATHS.reference), allow)
    personal = ("，网站的隐私检查会拒绝发布。修正方法：只写单位对外公布的联系方式："
                "不写个人姓名、手机号码、个人邮箱或门牌号。\n")
    assert err.value.message == (
        f"各区咨询联系方式文件 {bad} 有 5 处错误：\n"
        "  - districts.110102.email：含有疑似个人信息（电子邮箱：zha*********com）" + personal
        + "  - districts.110105.phone：值 “010-0000-0000” 不在 data/settings.yml 的 "
        "privacy.institutional_phones 中，网站的隐私检查会拒绝发布。修正方法：请先把该单位号码"
        "加入 privacy.institutional_phones，或改用其中已列出的号码。\n"
        "  - districts.110108.address：含有疑似个人信息（门牌地址：8号院****01室）" + personal
        + "  - districts.999999：值 “999999” 不是区划参考数据中的区划代码。修正方法：请改为 "
        "data/reference/districts.csv 中 district_code 列的代码（写在引号中），或删除这一项。\n"
        "  - districts.110119：缺少延庆区的联系方式。修正方法：请为参考数据中的每个区写一项"
        "（区划代码写在引号中）。"
    )
    assert [p.code for p in err.value.problems] == [
        "personal-data", "not-institutional", "personal-data", "unknown-district", "missing-key"]

"""Guides and citizen pages: every limit shown comes from data/limits.yml, unchanged.

Pages are rendered with a jinja2 environment built here to the render contract (a fake
`headline` records its calls); the built-site tests check the same tables in the HTML.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jinja2
import pytest
import yaml

from generator.errors import ConfigError
from generator.site.contexts import template_vars
from generator.site.limits import chinese_date, load_limits
from generator.site.pages import site_context
from generator.site.sources import render_page
from tests.site_data import mini_site_data

ROOT = Path(__file__).resolve().parent.parent
SITE_SRC = ROOT / "site_src"
TEMPLATES = ROOT / "generator" / "templates"
GUIDES = sorted((SITE_SRC / "guides").glob("*.md"))
PAGES = ["how-to-complain.md", "stewards.md", "faq.md", "about.md", "privacy.md"]
MARKED = re.compile(r"<!-- limits-table: ([\w.]+) -->(.*?)<!-- /limits-table -->", re.S)
SECTION = re.compile(r"\n## 依据与来源 \{ #sources \}\n\n<!-- limits-sources -->\n(.*?)"
                     r"<!-- /limits-sources -->\n", re.S)
ENTRY = re.compile(r"^- <!-- limits-source: (\w+) -->(.*?)(?=^- |\Z)", re.S | re.M)
ITEM = re.compile(r"^    - <!-- limits-source-table: ([\w.]+) -->(.*)$", re.M)
USES = re.compile(r"(?<![/\w])limits\.(\w+)\.(\w+)\b")
ORG = {
    "name": "测试主办单位", "address": "测试地址", "postcode": "100000",
    "phone": "12345", "email": "test@example.org", "hours": "工作日 9:00–17:00",
}
DEADLINES = {"紧急": 2.0, "民生保障": 24.0, "一般": 168.0, "疑难": 360.0}


def raw_limits() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "data" / "limits.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@cache
def all_tables() -> dict[str, dict[str, Any]]:
    return {t["id"]: t for tables in raw_limits().values() for t in tables.values()}


def render(rel: str, calls: list[str] | None = None, folder: Path | None = None) -> str:
    """A page as the build renders it (generator.site.sources.render_page, so with its
    依据与来源 section); `folder` adds a folder of test templates in front."""
    extra = [str(folder)] if folder else []
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([*extra, str(SITE_SRC), str(TEMPLATES)]),
        undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True,
    )
    seen = calls if calls is not None else []

    def headline(name: str) -> str:
        seen.append(name)
        return f"【{name}最新数据】"

    # The real shared context (so a page may use only names it offers), with fixed values
    # where the assertions below need them.
    context = template_vars(site_context(mini_site_data())) | {
        "headline": headline,
        "org": SimpleNamespace(**ORG),
        "data_period": "2024年11月至2026年10月",
        "updated": "2026-11-28",
        "deadlines": DEADLINES,
        "metrics": SimpleNamespace(
            basic_satisfied_weight=0.9, min_complainants=5,
            composite_weights={"responded_rate": 0.1, "resolved_rate": 0.5, "satisfied_rate": 0.4},
            ranking=SimpleNamespace(min_requests=30),
        ),
    }
    return render_page(env, rel, context)


def markdown_rows(block: str) -> tuple[list[str], list[list[str]]]:
    """Header and body rows of the single Markdown table inside `block`."""
    lines = [ln.strip() for ln in block.splitlines() if ln.strip().startswith("|")]
    split = [[c.strip() for c in ln.strip("|").split("|")] for ln in lines]
    assert all(re.fullmatch(r":?-+:?", c) for c in split[1]), "second line is the separator"
    return split[0], split[2:]


def assert_same_table(table: dict[str, Any], header: list[str], rows: list[list[str]]) -> None:
    assert header == table["columns"], table["id"]
    assert len(rows) == len(table["rows"]), table["id"]
    for shown, expected in zip(rows, table["rows"], strict=True):
        assert len(shown) == len(expected), (table["id"], shown)
        for text, value in zip(shown, expected, strict=True):
            if isinstance(value, int | float):
                assert re.fullmatch(r"[0-9][0-9,]*(\.[0-9]+)?", text), (table["id"], text)
                assert float(text.replace(",", "")) == value, (table["id"], text, value)
                # 2.0 mg/m³ keeps its decimal; integers never gain one.
                assert ("." in text) == isinstance(value, float), (table["id"], text)
            else:
                assert text == value, (table["id"], text, value)


def guide_categories() -> dict[str, list[str]]:
    taxonomy = yaml.safe_load((ROOT / "data/reference/taxonomy.yml").read_text(encoding="utf-8"))
    out: dict[str, list[str]] = {}
    for element in taxonomy["elements"]:
        for c in element["categories"]:
            out.setdefault(c["guide"], []).append(c["name"])
    return out


@pytest.fixture(scope="module")
def rendered() -> dict[str, str]:
    return {f"guides/{p.name}": render(f"guides/{p.name}") for p in GUIDES}


def test_taxonomy_guides_exist() -> None:
    for guide in guide_categories():
        assert (SITE_SRC / guide).is_file(), guide


def test_every_limits_table_is_shown_by_a_guide(rendered: dict[str, str]) -> None:
    shown = {m.group(1) for text in rendered.values() for m in MARKED.finditer(text)}
    assert set(all_tables()) <= shown, set(all_tables()) - shown


def test_guide_tables_equal_limits_yml(rendered: dict[str, str]) -> None:
    tables = all_tables()
    checked = 0
    for text in rendered.values():
        for m in MARKED.finditer(text):
            header, rows = markdown_rows(m.group(2))
            assert_same_table(tables[m.group(1)], header, rows)
            checked += 1
    assert checked >= len(tables)


def test_every_limit_value_appears_in_the_guide_citing_it(rendered: dict[str, str]) -> None:
    for guide, text in rendered.items():
        for m in MARKED.finditer(text):
            table = all_tables()[m.group(1)]
            shown = {float(n.replace(",", "")) for n in re.findall(r"[0-9][0-9,.]*", m.group(2))}
            for row in table["rows"]:
                for value in row:
                    if isinstance(value, int | float):
                        assert float(value) in shown, (guide, table["id"], value)


def test_each_table_names_its_source_with_number_and_year(rendered: dict[str, str]) -> None:
    standard = re.compile(r"(GB|HJ|DB11)(/T)?[ /]?[0-9]+(\.[0-9]+)?-[0-9]{2,4}")
    for table in all_tables().values():
        assert standard.search(table["cite"]) or re.search(r"[0-9]{4} 年", table["cite"]), table
        assert re.search(r"(mee|sthjj\.beijing|beijing|npc)\.gov\.cn", table["publisher"]), table
    for text in rendered.values():
        for m in MARKED.finditer(text):
            after = text[m.end():].split("<!-- limits-table", 1)[0]
            assert f"依据：{all_tables()[m.group(1)]['cite']}" in after


def sources_of(text: str) -> dict[str, dict[str, str]]:
    """The 依据与来源 section: {standard key: {"entry": its text, table id: its line}}."""
    found = SECTION.findall(text)
    assert len(found) == 1, "one sources section"
    assert text.rstrip().endswith("<!-- /limits-sources -->"), "it ends the page"
    out: dict[str, dict[str, str]] = {}
    for m in ENTRY.finditer(found[0]):
        assert m.group(1) not in out, f"{m.group(1)} listed twice"
        out[m.group(1)] = {"entry": m.group(2).split("\n", 1)[0]} | dict(ITEM.findall(m.group(2)))
    return out


def used_in_source(rel: str) -> set[str]:
    """The tables a page's template names (limits.<standard>.<table>), read from the file."""
    return {f"{a}.{b}" for a, b in USES.findall((SITE_SRC / rel).read_text(encoding="utf-8"))}


def test_each_guide_lists_exactly_the_sources_it_uses(rendered: dict[str, str]) -> None:
    """One section per page that uses a table (through L.table, L.cell or L.cite), listing
    each of its standards once and under it exactly the tables the page uses."""
    checked = 0
    for rel, text in {**rendered, "faq.md": render("faq.md")}.items():
        used = used_in_source(rel)
        if not used:
            assert "## 依据与来源" not in text and "limits-source" not in text, rel
            continue
        sources = sources_of(text)
        assert set(sources) == {u.split(".")[0] for u in used}, rel
        listed = {i for entry in sources.values() for i in entry if i != "entry"}
        assert listed == used, (rel, listed ^ used)
        for entry in sources.values():
            tables = [all_tables()[i] for i in entry if i != "entry"]
            for t in tables:
                document = t["cite"].split("）", 1)[0]
                assert document in entry["entry"], (rel, t["id"])
                for publisher in t["publisher"].split("、"):
                    assert publisher in entry["entry"], (rel, t["id"], publisher)
                if "effective" in t:
                    assert chinese_date(t["effective"]) in entry["entry"], (rel, t["id"])
                assert t["title"] in entry[t["id"]], (rel, t["id"])
            checked += 1
    assert checked >= 10


def test_only_unconfirmed_tables_are_flagged_and_only_in_the_sources(
        rendered: dict[str, str]) -> None:
    flags = {"secondary": "**二手资料**：", "unverified": "**未能核实**："}
    seen = set()
    for rel, text in rendered.items():
        for m in MARKED.finditer(text):  # no box under a table any more
            after = text[m.end():].split("<!-- limits-table", 1)[0].split("## 依据与来源")[0]
            assert "!!! warning" not in after and "数值来源说明" not in after, (rel, m.group(1))
        if not used_in_source(rel):
            continue
        for entry in sources_of(text).values():
            for table_id, line in entry.items():
                if table_id == "entry":
                    continue
                table = all_tables()[table_id]
                flag = flags.get(table["confidence"])
                shown = [f for f in flags.values() if f in line]
                assert shown == ([flag] if flag else []), (rel, table_id)
                if flag and "verification" in table:
                    assert line.endswith(f"{flag}{table['verification']}"), (rel, table_id)
                seen.add(table["confidence"])
    assert seen == {"checked", "secondary", "unverified"}


def test_a_page_cannot_show_a_table_without_its_source(tmp_path: Path) -> None:
    """The section is not written in the page: a new page that shows a table, a cell and a
    cite (and nothing else) still ends with their sources, flagged where unconfirmed."""
    (tmp_path / "new.md").write_text(
        '{% import "macros/limits.md.j2" as L -%}\n# 新页面\n\n'
        "{{ L.table(limits.gb3096.zones) }}\n\n"
        '夜间从 {{ L.cell(limits.noise_law.periods, "夜间", "开始") }} 开始，'
        "见{{ L.cite(limits.beijing_air.fines) }}。\n", encoding="utf-8")
    text = render("new.md", folder=tmp_path)
    sources = sources_of(text)
    assert list(sources) == ["gb3096", "noise_law", "beijing_air"]  # in order of first use
    assert "**二手资料**：" in sources["gb3096"]["gb3096.zones"]
    assert "**二手资料**：" in sources["beijing_air"]["beijing_air.fines"]
    assert "**" not in sources["noise_law"]["noise_law.periods"]
    (tmp_path / "plain.md").write_text("# 没有表格\n", encoding="utf-8")
    assert render("plain.md", folder=tmp_path) == "# 没有表格\n"


def test_effective_dates_are_dates_named_by_their_cites() -> None:
    for table in all_tables().values():
        if "effective" in table:
            assert isinstance(table["effective"], dt.date), table["id"]
            assert chinese_date(table["effective"]) in table["cite"], table["id"]
    # Every table this guide set showed before issue 12 part 5 has its date.
    for key in ("gb3096", "gb22337", "noise_law", "gb12523", "beijing_noise_2007", "gb18483",
                "db11_1488", "hj554", "air_law", "beijing_air", "gb14554"):
        assert all("effective" in t for t in raw_limits()[key].values()), key


def test_bad_effective_dates_are_reported(tmp_path: Path) -> None:
    data = raw_limits()
    data["gb3096"]["zones"]["effective"] = "2008年10月1日"
    data["gb22337"]["boundary"]["effective"] = dt.date(2008, 10, 2)
    data["hj554"]["siting"]["verification"] = ""
    bad = tmp_path / "limits.yml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_limits(bad)
    assert [(p.key, p.code) for p in err.value.problems] == [
        ("gb3096.zones.effective", "type-error"),
        ("gb22337.boundary.cite", "invalid"),
        ("hj554.siting.verification", "empty"),
    ]
    assert all(p.file == str(bad) for p in err.value.problems)
    assert err.value.problems[0].text() == (
        "gb3096.zones.effective：值 “2008年10月1日” 应为实施日期（年-月-日，不加引号）。"
        "修正方法：请写成 2008-10-01 这样的日期；不知道实施日期时删去这一字段。")
    assert err.value.problems[1].text() == (
        "gb22337.boundary.cite：值 “《社会生活环境噪声排放标准》（GB 22337-2008，2008 年 10 月 1 日"
        "起实施）表 1” 没有写明实施日期 2008 年 10 月 2 日（effective 为 2008-10-02）。"
        "修正方法：请在 cite 中写明“2008 年 10 月 2 日起实施”（或“起施行”），或改正 effective。")
    assert err.value.problems[2].text() == (
        "hj554.siting.verification：为空，应为非空的文字。修正方法：请填写这一项的文字。")


def test_db11_is_not_credited_with_gb18483_efficiencies(rendered: dict[str, str]) -> None:
    db11 = all_tables()["db11_1488.limits"]
    values = {v for row in db11["rows"] for v in row if isinstance(v, int | float)}
    assert values == {1.0, 5.0, 10.0}
    assert not any("效率" in c for c in db11["columns"])
    page = rendered["guides/cooking-fumes.md"]
    db11_block = dict((m.group(1), m.group(2)) for m in MARKED.finditer(page))["db11_1488.limits"]
    assert "效率" not in db11_block and "85" not in db11_block


# Issue 12 part 5: the dust, water and solid-waste guides show the fines and rules read in
# the laws' texts; standards whose text could not be read are named, without their numbers.
FILLED = {
    "guides/dust.md": ["air_law_dust.fines"],
    "guides/water.md": ["water_law.fines"],
    "guides/solid-waste.md": ["solid_waste_law.fines", "beijing_waste.sorting"],
}
NAMED_NOT_SHOWN = {
    "guides/dust.md": (["GB 16297-1996"], ["mg/m³", "μg/m³"]),
    "guides/water.md": (["GB 8978-1996", "GB/T 31962-2015"], ["mg/L"]),
    "guides/radiation-other.md": (["GB 8702-2014"], ["V/m", "μT", "W/m²"]),
}


def test_filled_guides_show_their_tables_unchanged(rendered: dict[str, str]) -> None:
    tables = all_tables()
    for guide, ids in FILLED.items():
        text = rendered[guide]
        blocks = {m.group(1): m.group(2) for m in MARKED.finditer(text)}
        assert list(blocks) == ids, guide
        for table_id in ids:
            table = tables[table_id]
            header, rows = markdown_rows(blocks[table_id])
            assert_same_table(table, header, rows)
            assert table["unit"] == "元" and f"（单位：{table['unit']}）" in blocks[table_id]
            # Fines are ranges: a lower bound never exceeds its upper bound.
            for row in table["rows"]:
                if isinstance(row[-2], int):
                    assert row[-2] < row[-1], (table_id, row)
            # Each gives the date the text took effect (the loader checks the cite names it).
            assert "effective" in table, table_id
        assert "暂未收录" not in text, guide


def test_filled_fines_are_the_laws_figures() -> None:
    """The figures as read in the laws' texts (see the commit message for the sources)."""
    def fine(table_id: str, article: str, words: str) -> tuple[object, object]:
        found = [r for r in all_tables()[table_id]["rows"] if r[1] == article and words in r[0]]
        assert len(found) == 1, (table_id, article, words)
        return found[0][-2], found[0][-1]

    assert fine("solid_waste_law.fines", "第一百一十一条第一款", "个人随意倾倒") == (100, 500)
    assert fine("solid_waste_law.fines", "第一百一十一条第一款", "单位随意倾倒") == (50000, 500000)
    assert fine("water_law.fines", "第八十三条", "私设暗管") == (100000, 1000000)
    assert fine("water_law.fines", "第九十一条第二款", "个人") == ("—", 500)
    assert fine("air_law_dust.fines", "第一百一十六条", "运输渣土") == (2000, 20000)
    assert fine("air_law_dust.fines", "第一百一十五条第一款", "硬质围挡") == (10000, 100000)
    sorting = {r[0]: r[2:] for r in all_tables()["beijing_waste.sorting"]["rows"]}
    assert sorting == {"个人": ["—", 50, 200], "单位": [1000, 10000, 50000]}
    # The Beijing table was checked against an amended text that was amended again since.
    assert all_tables()["beijing_waste.sorting"]["confidence"] == "unverified"


def test_standards_not_read_are_named_without_numbers(rendered: dict[str, str]) -> None:
    for guide, (standards, units) in NAMED_NOT_SHOWN.items():
        text = rendered[guide]
        prose = MARKED.sub("", text)
        for standard in standards:
            assert standard in prose, (guide, standard)
        assert "没有收录" in prose and "暂未收录" not in text, guide
        for unit in units:
            assert unit not in text, (guide, unit)


def test_each_guide_shows_a_headline_for_each_of_its_categories() -> None:
    for guide, categories in guide_categories().items():
        calls: list[str] = []
        render(guide, calls)
        assert set(categories) <= set(calls), (guide, set(categories) - set(calls))


def test_citizen_pages_render_with_contract_context() -> None:
    complain = render("how-to-complain.md")
    assert "| 一般 | 7 天（168 小时） |" in complain and "| 紧急 | 2 小时 |" in complain
    assert "0.9 ×“基本满意”" in complain and "0.5 × 解决率" in complain
    assert "12369" in complain and "第五十七条" in complain
    privacy = render("privacy.md")
    assert "少于 5 人" in privacy and "第七十三条" in privacy
    for value in ORG.values():
        assert value in privacy
        assert value in render("about.md")
    stewards = render("stewards.md")
    assert "(cases/2023-07-changping-mall-fumes.md)" in stewards
    assert "(cases/2024-05-chaoyang-food-court.md)" in stewards
    faq = render("faq.md")
    assert "22:00 至次日 06:00" in faq


def test_bad_limits_file_is_reported(tmp_path: Path) -> None:
    data = raw_limits()
    data["gb22337"]["boundary"]["rows"][0] = ["0 类", 50]
    data["gb3096"]["zones"]["id"] = "gb3096.zone"
    bad = tmp_path / "limits.yml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_limits(bad)
    assert err.value.message == (
        f"限值文件 {bad} 有 2 处错误：\n"
        "  - gb3096.zones.id：值 “gb3096.zone” 应与所在位置一致。"
        "修正方法：改为 “gb3096.zones”。\n"
        "  - gb22337.boundary.rows[0]：值 “[0 类, 50]” 应有 3 个单元格（与 columns 对应）。"
        "修正方法：请补齐或删去单元格，使这一行与 columns 一一对应。\n"
        "[n] 表示列表的第 n 项，从 0 起数（rows[0] 是第一行）。"
    )


def test_limits_problems_are_structured(tmp_path: Path) -> None:
    data = raw_limits()
    data["gb3096"]["zones"]["extra"] = 1
    del data["gb22337"]["boundary"]["cite"]
    data["noise_law"]["periods"]["rows"][0][1] = True
    data["noise_law"]["periods"]["rows"][1] = "夜间"
    data["noise_law"]["fines"]["confidence"] = "sure"
    data["noise_law"]["fines"]["rows"][0][0] = "第 1|2 条"
    data["broken"] = [1, 2]
    bad = tmp_path / "limits.yml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_limits(bad)
    assert [p.key for p in err.value.problems] == [
        "gb3096.zones.extra",
        "gb22337.boundary.cite",
        "noise_law.periods.rows[0][1]",
        "noise_law.periods.rows[1]",
        "noise_law.fines.confidence",
        "noise_law.fines.rows[0][0]",
        "broken",
    ]
    assert [p.code for p in err.value.problems] == [
        "unknown-key", "missing-key", "invalid-cell", "row-length", "invalid", "invalid-cell",
        "type-error"]
    assert all(p.file == str(bad) and p.fix for p in err.value.problems)
    assert err.value.problems[2].value == "true"


# --- the built site (fixture `built_site` from tests/conftest.py) -------------------------

HTML_MARKED = re.compile(r"<!-- limits-table: ([\w.]+) -->(.*?)</table>", re.S)


def html_rows(block: str) -> tuple[list[str], list[list[str]]]:
    def cells(row: str) -> list[str]:
        found = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        return [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in found]

    rows = [cells(r) for r in re.findall(r"<tr>(.*?)</tr>", block, re.S)]
    return rows[0], rows[1:]


@pytest.mark.slow
def test_built_guides_show_limits_unchanged(built_site: Path) -> None:
    tables = all_tables()
    shown: set[str] = set()
    for guide in GUIDES:
        page = (built_site / "guides" / guide.name).with_suffix(".html").read_text(encoding="utf-8")
        for m in HTML_MARKED.finditer(page):
            header, rows = html_rows(m.group(2))
            assert_same_table(tables[m.group(1)], header, rows)
            shown.add(m.group(1))
    assert shown == set(tables)


@pytest.mark.slow
def test_built_footer_names_the_organisation_and_links_privacy(built_site: Path) -> None:
    settings = yaml.safe_load((ROOT / "data" / "settings.yml").read_text(encoding="utf-8"))
    org, hotline = settings["organisation"], settings["hotline"]
    page = (built_site / "guides" / "noise.html").read_text(encoding="utf-8")
    footer = page[page.index('class="md-copyright'):]
    assert f"主办单位：{html.escape(org['name'])}" in footer
    assert html.escape(org["email"]) in footer
    assert f"反映问题请拨打 {hotline['number']}" in footer
    assert f"<title>噪声 - {settings['site']['name']}</title>" in page
    assert f'content="{settings["site"]["description"]}"' in page
    assert 'href="../privacy.html"' in footer


def test_a_guide_links_the_monthly_topics_it_covers(built_site: Path) -> None:
    """Each configured 每月一题 (data/metrics.yml topics) is linked from its category's guide,
    and the link leads to an existing page; a guide without a topic has no such section."""
    topics = yaml.safe_load((ROOT / "data" / "metrics.yml").read_text("utf-8"))["topics"]
    taxonomy = yaml.safe_load((ROOT / "data" / "reference" / "taxonomy.yml").read_text("utf-8"))
    guide_of = {c["name"]: c["guide"] for e in taxonomy["elements"] for c in e["categories"]}
    linked = set()
    for month, topic in topics.items():
        guide = built_site / guide_of[topic].replace(".md", ".html")
        html = guide.read_text("utf-8")
        assert f'href="../stats/topics/{month}.html"' in html, (guide, month)
        assert (built_site / "stats" / "topics" / f"{month}.html").exists()
        linked.add(guide.name)
    for page in (built_site / "guides").glob("*.html"):
        if page.name not in linked:
            assert "每月一题" not in page.read_text("utf-8"), page

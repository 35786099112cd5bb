"""Government-site conventions (issue 12, part 7) and printing (part 3): the registration marks,
承办单位, 我为政府网站找错 and the emblem from data/settings.yml, shown only when set; the 网站地图
page and sitemap.xml; breadcrumbs; 发布日期 / 更新日期 on every page; menu names that agree with
the page headings; a printed guide that keeps its footer."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re
import shutil
import unicodedata
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
import yaml

from generator.errors import ConfigError
from generator.settings import load_settings
from generator.site.mkdocs_build import load_mkdocs_config, run_mkdocs
from generator.site.page_dates import check_hand_written, generated_dates
from generator.site.render import render_pages
from tests.browser_support import chromium_browser_fixture  # noqa: F401
from tests.conftest import BUILD_DAY, ROOT
from tests.site_data import PATHS, mini_site_data

SETTINGS = ROOT / "data" / "settings.yml"
MARKS = {"site_code": "1100000001", "icp": "京ICP备05012345号-1",
         "police_record": "京公网安备11010802012345号",
         "error_report_url": "https://zfwzgl.example.gov.cn/exposure/jiucuo.html?site_code=1100000001"}
OPERATOR = "北京市生态环境局信息中心（示例）"
SITE_URL = "https://sthjj.example.gov.cn/eco/"


def _settings_with(tmp_path: Path, site_lines: str, org_lines: str = "") -> Path:
    text = SETTINGS.read_text("utf-8").replace("site:\n", f"site:\n{site_lines}", 1)
    text = text.replace("organisation:", f"organisation:\n{org_lines}", 1) if org_lines else text
    path = tmp_path / "data" / "settings.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    shutil.copytree(ROOT / "data" / "reference", tmp_path / "data" / "reference")
    return path


def _html_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if p.name != "404.html"
                  and "assets" not in p.relative_to(site).parts)


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


# --- settings ------------------------------------------------------------------------------

def test_site_marks_are_read_from_the_settings(tmp_path: Path) -> None:
    (tmp_path / "emblem.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    lines = "".join(f"  {k}: {v}\n" for k, v in MARKS.items()) + "  emblem: emblem.png\n"
    path = _settings_with(tmp_path, lines, f"  operator: {OPERATOR}\n")
    s = load_settings(path, tmp_path)
    assert (s.site.site_code, s.site.icp, s.site.police_record, s.site.error_report_url) == (
        MARKS["site_code"], MARKS["icp"], MARKS["police_record"], MARKS["error_report_url"])
    assert s.site.police_code == "11010802012345"
    assert s.site.emblem == (tmp_path / "emblem.png").resolve()
    assert s.organisation.operator == OPERATOR


def test_bundled_settings_set_no_registration_marks() -> None:
    s = load_settings(SETTINGS, ROOT)
    assert (s.site.site_code, s.site.icp, s.site.police_record, s.site.error_report_url,
            s.site.emblem, s.organisation.operator) == ("", "", "", "", None, "")


def test_every_bad_site_mark_is_listed_with_its_key(tmp_path: Path) -> None:
    (tmp_path / "emblem.txt").write_text("x", "utf-8")
    path = _settings_with(tmp_path, (
        "  site_code: 12345\n  icp: ICP备123号\n  police_record: 京公网安备123号\n"
        "  error_report_url: zfwzgl.www.gov.cn\n  emblem: emblem.txt\n"),
        "  operator: [信息中心]\n")
    with pytest.raises(ConfigError) as info:
        load_settings(path, tmp_path)
    lines = info.value.message.splitlines()
    assert lines[0] == f"设置文件 {path} 有 6 处错误："
    assert lines[1:] == [
        "  - organisation.operator：值 “[信息中心]” 应为一段文字，现为列表。"
        "修正方法：请对照仓库中的 data/settings.yml 及其注释修改。",
        "  - site.site_code：值 “12345” 应为 10 位网站标识码（10 位数字，或 bm 加 8 位数字）。"
        "修正方法：例如 1100000001，按政府网站管理部门分配的标识码填写；没有时删除这一项。",
        "  - site.icp：值 “ICP备123号” 不是 ICP 备案号的格式。"
        "修正方法：例如 京ICP备05012345号-1（省份简称 + ICP备 + 数字 + 号）。",
        "  - site.police_record：值 “京公网安备123号” 不是公安备案号的格式。"
        "修正方法：例如 京公网安备11010802012345号（省份简称 + 公网安备 + 14 位数字 + 号）。",
        "  - site.error_report_url：值 “zfwzgl.www.gov.cn” 不是网址。"
        "修正方法：请填写“我为政府网站找错”页面的完整网址，以 https:// 或 http:// 开头。",
        "  - site.emblem：值 “emblem.txt” 不是可用的图片格式。修正方法：请填写项目文件夹中一张"
        "图片的相对路径（.svg、.png、.jpg、.jpeg、.webp），例如 site_src/assets/images/emblem.svg；"
        "不填则使用中性的默认徽标。",
    ]
    assert [p.key for p in info.value.problems] == [
        "organisation.operator", "site.site_code", "site.icp", "site.police_record",
        "site.error_report_url", "site.emblem"]


@pytest.mark.parametrize(("emblem", "message"), [
    ("../outside.svg", "应为项目文件夹内的相对路径"),
    ("missing.svg", "指向的图片文件不存在"),
])
def test_an_emblem_outside_the_project_or_missing_is_refused(
        tmp_path: Path, emblem: str, message: str) -> None:
    (tmp_path.parent / "outside.svg").write_text("<svg/>", "utf-8")
    path = _settings_with(tmp_path, f"  emblem: {emblem}\n")
    with pytest.raises(ConfigError) as info:
        load_settings(path, tmp_path)
    (only,) = info.value.problems
    assert (only.key, only.message, only.value) == ("site.emblem", message, emblem)


# --- dates of hand-written pages -----------------------------------------------------------

def test_every_hand_written_page_states_its_dates() -> None:
    for page in sorted(PATHS.site_src.rglob("*.md")):
        meta = yaml.safe_load(page.read_text("utf-8").split("---\n")[1])
        assert isinstance(meta["published"], dt.date), page
        assert meta["published"] <= meta["updated"] <= dt.date.today(), page


def test_every_date_problem_of_every_page_is_listed(tmp_path: Path) -> None:
    pages = {"a.md": "# 无日期\n",
             "b.md": "---\npublished: 2025-02-30\nupdated: 2025-03-01\n---\n# 不存在的日期\n",
             "c.md": "---\npublished: 2025-06-01\nupdated: 2025-05-01\n---\n# 先更新后发布\n",
             "d.md": "---\npublished: '2025-06-01'\nupdated: 2031-01-01\n---\n# 文字和将来\n",
             "e.md": "---\npublished: 2025-06-01\n---\n# 缺更新日期\n",
             "ok.md": "---\npublished: 2025-06-01\nupdated: 2025-06-01\n---\n# 正常\n"}
    for name, text in pages.items():
        (tmp_path / name).write_text(text, "utf-8")
    with pytest.raises(ConfigError) as info:
        check_hand_written(tmp_path, sorted(pages), dt.date(2026, 11, 28))
    got = [(p.file, p.key, p.code) for p in info.value.problems]
    assert got == [("site_src/a.md", None, "missing-key"),
                   ("site_src/b.md", None, "yaml-error"),
                   ("site_src/c.md", "updated", "out-of-range"),
                   ("site_src/d.md", "published", "type-error"),
                   ("site_src/d.md", "updated", "out-of-range"),
                   ("site_src/e.md", "updated", "missing-key")]
    text = info.value.message
    assert text.startswith("手写页面的发布日期和更新日期有 6 处错误：\n")
    assert "更新日期早于发布日期 2025-06-01" in text and "更新日期晚于构建日期 2026-11-28" in text
    assert "day is out of range for month" in text


# --- the built site (bundled settings: no registration marks) ------------------------------

def _nav_pages() -> list[tuple[str | None, str]]:
    def walk(items: list[Any]) -> list[tuple[str | None, str]]:
        out: list[tuple[str | None, str]] = []
        for item in items:
            if isinstance(item, str):
                out.append((None, item))
            else:
                ((title, value),) = item.items()
                out.extend(walk(value) if isinstance(value, list) else [(title, value)])
        return out

    menu = mini_site_data().menu  # mkdocs.yml's nav with the business types the build adds
    assert menu is not None
    return walk(menu)


@pytest.mark.slow
def test_menu_names_agree_with_page_headings(built_site: Path) -> None:
    """A menu entry names its page as the page's heading does (固体废物, not 固废); a heading
    may add a qualifier after “：” (餐饮：开业前的环保要求). The home page's heading is the
    site's name."""
    disagree = []
    for title, rel in _nav_pages():
        if title is None or rel == "index.md":
            continue
        page = (built_site / rel).with_suffix(".html").read_text("utf-8")
        h1 = _text(re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1))  # type: ignore[union-attr]
        if not (h1 == title or h1.startswith(f"{title}：")):
            disagree.append((title, h1, rel))
    assert disagree == []


@pytest.mark.slow
def test_every_page_shows_its_publish_and_update_dates(built_site: Path) -> None:
    pages = _html_pages(built_site)
    assert len(pages) > 100
    period = generated_dates(BUILD_DAY, "2025-11", "2026-10")
    hand_written = {p.relative_to(PATHS.site_src).with_suffix(".html").as_posix(): p
                    for p in PATHS.site_src.rglob("*.md")}
    for page in pages:
        rel = page.relative_to(built_site).as_posix()
        found = re.search(r'<div class="ecp-page-dates">.*?</div>', page.read_text("utf-8"),
                          re.S)
        assert found, rel
        dates = _text(found.group(0))
        if rel in hand_written:
            meta = yaml.safe_load(hand_written[rel].read_text("utf-8").split("---\n")[1])
            assert dates == (f"发布日期： {meta['published'].isoformat()} "
                             f"更新日期： {meta['updated'].isoformat()}"), rel
        else:
            assert dates == (f"数据期间：{period['data_period']} 发布日期： {BUILD_DAY} "
                             f"更新日期： {BUILD_DAY}"), rel


@pytest.mark.slow
def test_a_case_page_has_breadcrumbs(built_site: Path) -> None:
    slug = sorted(p.stem for p in (ROOT / "data" / "cases").glob("*.yml"))[0]
    page = (built_site / "cases" / f"{slug}.html").read_text("utf-8")
    crumbs = re.search(r'<nav class="md-path ecp-path" aria-label="当前位置">(.*?)</nav>', page,
                       re.S)
    assert crumbs
    title = _text(re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1))  # type: ignore[union-attr]
    assert _text(crumbs.group(1)) == f"当前位置： 首页 典型案例 {title}"
    assert re.findall(r'href="([^"]+)"', crumbs.group(1)) == ["../index.html", "index.html"]
    assert 'aria-current="page"' in crumbs.group(1)
    guide = (built_site / "guides" / "noise.html").read_text("utf-8")
    assert "当前位置： 首页 政策指南 噪声" in _text(guide)
    home = (built_site / "index.html").read_text("utf-8")
    assert "ecp-path" not in home


@pytest.mark.slow
def test_unset_marks_render_nothing(built_site: Path) -> None:
    for rel in ("index.html", "guides/noise.html", "cases/index.html"):
        page = (built_site / rel).read_text("utf-8")
        footer = re.search(r'<div class="md-copyright ecp-footer">.*?</div>', page, re.S)
        assert footer, rel
        text = _text(footer.group(0))
        for absent in ("网站标识码", "ICP备", "公网安备", "承办单位", "我为政府网站找错", "beian"):
            assert absent not in text, (rel, absent)
        assert "主办单位：北京市生态环境局（示例部署）" in text and "网站地图" in text
    home = (built_site / "index.html").read_text("utf-8")
    assert '<img src="assets/images/ecp-emblem.svg" alt="">' in home
    assert '<link rel="icon" href="assets/images/ecp-emblem.svg">' in home
    assert (built_site / "assets" / "images" / "ecp-emblem.svg").is_file()


@pytest.mark.slow
def test_site_map_lists_every_page_of_the_menu(built_site: Path) -> None:
    page = (built_site / "site-map.html").read_text("utf-8")
    body = re.search(r'<div class="ecp-site-map">(.*?)</div>', page, re.S)
    assert body
    links = set(re.findall(r'href="([^"#]+)"', body.group(1)))
    assert links == {Path(rel).with_suffix(".html").as_posix() for _, rel in _nav_pages()}
    assert "网站地图" in _text(page)


# --- a site with every mark set and a site_url ---------------------------------------------

@pytest.fixture(scope="module")
def marked_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini site's pages built by mkdocs with every mark, 承办单位 and an emblem set, and
    site_url given (links to the open-data files are not checked: they are not written)."""
    root = tmp_path_factory.mktemp("marked")
    data = mini_site_data()
    emblem = root / "city-emblem.svg"
    emblem.write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"/>', "utf-8")
    s = data.settings
    settings = dataclasses.replace(
        s, site=dataclasses.replace(s.site, emblem=emblem, **MARKS),
        organisation=dataclasses.replace(s.organisation, operator=OPERATOR))
    docs, site = root / "docs", root / "site"
    for rel, text in render_pages(PATHS, dataclasses.replace(data, settings=settings)).items():
        (docs / rel).parent.mkdir(parents=True, exist_ok=True)
        (docs / rel).write_text(text, "utf-8")
    shutil.copytree(PATHS.site_src / "assets", docs / "assets", dirs_exist_ok=True)
    config = load_mkdocs_config(PATHS.mkdocs_yml, docs, site, settings, (),
                                generated_dates(BUILD_DAY, "2024-03", "2024-04"))
    config["site_url"] = SITE_URL
    config["strict"] = False
    run_mkdocs(config)
    return site


@pytest.mark.slow
def test_set_marks_render_in_the_footer(marked_site: Path) -> None:
    page = (marked_site / "guides" / "noise.html").read_text("utf-8")
    footer = re.search(r'<div class="md-copyright ecp-footer">.*?</div>', page, re.S)
    assert footer
    text = footer.group(0)
    assert f"承办单位：{OPERATOR}" in text
    assert "网站标识码：1100000001" in text
    assert '<a href="https://beian.miit.gov.cn/" rel="noopener">京ICP备05012345号-1</a>' in text
    assert ('<a href="https://beian.mps.gov.cn/#/query/webSearch?code=11010802012345" '
            'rel="noopener">京公网安备11010802012345号</a>') in text
    assert (f'<a href="{html.escape(MARKS["error_report_url"])}" rel="noopener">'
            "我为政府网站找错</a>") in text
    assert '<img src="../assets/images/ecp-emblem-site.svg" alt="">' in page
    assert (marked_site / "assets" / "images" / "ecp-emblem-site.svg").is_file()
    # nothing is loaded from the registries: they are plain links, no image or script
    assert not re.search(r'(src|href)="[^"]*beian[^"]*\.(png|js|css)', page)


@pytest.mark.slow
def test_sitemap_xml_lists_every_page_when_site_url_is_set(marked_site: Path) -> None:
    tree = ElementTree.parse(marked_site / "sitemap.xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    listed = {loc.text for loc in tree.getroot().findall("s:url/s:loc", ns)}
    pages = {SITE_URL + p.relative_to(marked_site).as_posix()
             for p in _html_pages(marked_site)}
    assert len(pages) > 100
    assert listed == pages


# --- print ---------------------------------------------------------------------------------

def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@pytest.mark.slow
@pytest.mark.browser
def test_a_printed_guide_keeps_its_footer_and_outside_link_addresses(
        built_site: Path, chromium_browser: Any, tmp_path: Path) -> None:
    """Chromium's print to PDF of a guide, read back with pypdf: the whole page down to the
    footer's 主办单位 and the page dates; an outside link's address printed after its text,
    an internal link's not."""
    pypdf = pytest.importorskip("pypdf", reason="需要 Python 包 pypdf（pyproject 的 test 依赖）")
    settings = load_settings(SETTINGS, ROOT)
    context = chromium_browser.new_context()
    try:
        page = context.new_page()
        page.goto((built_site / "guides" / "noise.html").resolve().as_uri())
        # one outside link, as a guide citing a standard's publisher would have
        page.evaluate("""document.querySelector('.md-content__inner h1').insertAdjacentHTML(
            'afterend', '<p>来源：<a href="https://www.mee.gov.cn/">生态环境部</a></p>')""")
        last = page.evaluate("""[...document.querySelectorAll('.md-content__inner h2')]
            .map(h => h.textContent.trim()).pop()""")
        pdf = tmp_path / "guide.pdf"
        page.pdf(path=str(pdf), prefer_css_page_size=True)
    finally:
        context.close()
    text = _fold("".join(p.extract_text() for p in pypdf.PdfReader(str(pdf)).pages))
    assert _fold(f"主办单位：{settings.organisation.name}") in text
    assert _fold(f"地址：{settings.organisation.address}") in text
    assert _fold("发布日期：") in text and _fold("更新日期：") in text
    assert _fold(last) in text  # the content in full, to its last section
    assert _fold("生态环境部（https://www.mee.gov.cn/）") in text
    assert "how-to-complain.html" not in text and "当前位置" not in text

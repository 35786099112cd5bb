"""Generated pages come from the declarations in generator/site/pages.py, rendered with the
deployment's settings; the mkdocs configuration takes the site's name, organisation and hotline
from the settings."""

from __future__ import annotations

import csv
import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.errors import BuildError, ConfigError
from generator.paths import ProjectPaths
from generator.site.business import BusinessGuide
from generator.site.contexts import DistrictRow
from generator.site.mkdocs_build import load_mkdocs_config
from generator.site.pages import PAGE_TYPES, PageType, SiteData, districts
from generator.site.render import render_pages
from generator.site.reports import periods
from tests.conftest import ROOT
from tests.site_data import MINI, PATHS, mini_site_data


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return render_pages(PATHS, mini_site_data())


def business_guide() -> BusinessGuide:
    facts = mini_site_data().business
    assert facts is not None
    return facts.guide


def test_every_declared_page_type_renders_its_pages(pages: dict[str, str]) -> None:
    slugs = sorted(p.stem for p in (ROOT / "data" / "cases").glob("*.yml"))
    expected = {"index.md", "stats/index.md", "stats/districts.md", "stats/methodology.md",
                "stats/open-data.md", "cases/index.md", *(f"cases/{s}.md" for s in slugs),
                "stats/data-dictionary.md",
                *(f"stats/districts/{d.code}.md" for d in mini_site_data().ref.districts),
                *(f"stats/streets/{s.code}.md" for s in mini_site_data().ref.streets),
                *(f"stats/reports/{p}.md" for _, p, _ in periods(mini_site_data())),
                "stats/reports/index.md", "stats/warnings.md", "stats/hotspots.md",
                "business/consultation.md", "business/index.md", "business/service.md",
                "site-map.md",
                *(f"business/{t.slug}.md" for t in business_guide().types),
                *(f"stats/topics/{m}.md" for m in mini_site_data().metrics.topics
                  if m in mini_site_data().agg.months)}
    generated = {rel for page_type in PAGE_TYPES for rel, _ in page_type.pages(mini_site_data())}
    assert generated == expected
    hand_written = {p.relative_to(PATHS.site_src).as_posix()
                    for p in PATHS.site_src.rglob("*.md")}
    assert set(pages) == expected | hand_written
    for rel in expected:
        assert pages[rel].strip(), rel
        assert "{{" not in pages[rel] and "{%" not in pages[rel], rel


def test_one_page_per_case_from_one_declaration(pages: dict[str, str]) -> None:
    (case_type,) = [p for p in PAGE_TYPES if p.path == "cases/{case.slug}.md"]
    made = list(case_type.pages(mini_site_data()))
    assert len(made) == len(list((ROOT / "data" / "cases").glob("*.yml")))
    for rel, context in made:
        assert rel == f"cases/{context.case.slug}.md"
        assert pages[rel].startswith(f"# {context.case.title}\n")


def test_a_page_type_fans_out_per_district() -> None:
    """How a later issue adds per-district pages: one declaration, one context per district."""
    def per_district(data: SiteData) -> Iterator[DistrictRow]:
        for page in districts(data):
            yield from page.districts

    page_type = PageType("区页面", "pages/district.md.j2",
                         "stats/districts/{district_code}.md", per_district)
    made = dict(page_type.pages(mini_site_data()))
    with (ROOT / "data" / "reference" / "districts.csv").open(encoding="utf-8") as f:
        codes = [row["district_code"] for row in csv.DictReader(f)]
    assert list(made) == [f"stats/districts/{code}.md" for code in codes]
    assert [r.district_code for r in made.values()] == codes


def test_home_totals_are_the_package_rows(pages: dict[str, str]) -> None:
    with (MINI / "complaints.csv").open(encoding="utf-8") as f:
        rows = sum(1 for _ in csv.DictReader(f))
    card = re.search(r'data-metric="total".*?</section>', pages["index.md"], re.S)
    assert card is not None and f"{rows:,}<span" in card.group(0)


def test_a_hand_written_page_cannot_replace_a_generated_one(tmp_path: Path) -> None:
    (tmp_path / "site_src" / "cases").mkdir(parents=True)
    (tmp_path / "site_src" / "cases" / "index.md").write_text("# 我的案例\n", "utf-8")
    with pytest.raises(BuildError) as err:
        render_pages(ProjectPaths(tmp_path), mini_site_data())
    assert err.value.message == (
        "页面 cases/index.md 重复：“典型案例列表”要生成的页面已存在"
        "（site_src/ 中有同名的手写页面，或两个案例的 slug 相同）。"
        "请改名或删除 site_src/ 中的同名文件。")


def _other_city() -> SiteData:
    data = mini_site_data()
    s = data.settings
    settings = dataclasses.replace(
        s,
        site=dataclasses.replace(s.site, name="某市生态环境诉求公开门户", city="某市",
                                 slug="", deadlines_source="", weights_source=""),
        hotline=dataclasses.replace(s.hotline, number="12319", name="12319 城建服务热线"),
        reference=dataclasses.replace(s.reference, population_source="2021 年统计年鉴常住人口"))
    return dataclasses.replace(data, settings=settings)


def test_pages_say_what_the_settings_say() -> None:
    pages = render_pages(PATHS, _other_city())
    home = pages["index.md"]
    assert "\n# 某市生态环境诉求公开门户\n" in home
    assert 'href="tel:12319">12319</a>（城建服务热线）' in home and "拨打 12319 或网上反映" in home
    assert "12345" not in home
    method = pages["stats/methodology.md"]
    assert "统计基于 12319 城建服务热线等渠道转来的" in method
    assert "权重和基本满意的折算系数保存在配置文件 `data/metrics.yml` 中" in method
    assert "时限依据" not in method and "北京" not in method
    assert "每万人诉求数按 2021 年统计年鉴常住人口计算" in pages["stats/districts.md"]
    index = pages["cases/index.md"]
    assert "这里收录某市生态环境领域接诉即办的典型案例" in index
    assert "市民通过 12319 热线或网络等渠道反映" in index
    # hand-written pages: the hotline and the city where they are the deployment's
    assert "直接拨打 12319 即可" in pages["guides/noise.md"]
    assert "\n## 打 12319\n" in pages["how-to-complain.md"]
    assert "本站公开某市生态环境领域" in pages["about.md"]
    assert "拨打 **12319**。" in pages["faq.md"]


def test_templates_and_site_code_hold_nothing_of_one_deployment() -> None:
    pattern = re.compile(r"北京|12345|1101")
    folders = [ROOT / "generator" / "templates", ROOT / "generator" / "site"]
    found = [f"{p.relative_to(ROOT)}:{n}" for folder in folders for p in sorted(folder.rglob("*"))
             if p.is_file() and p.suffix in {".py", ".j2", ".html"}
             for n, line in enumerate(p.read_text("utf-8").splitlines(), 1)
             if pattern.search(line)]
    assert found == []


def test_mkdocs_config_takes_the_site_and_organisation_from_the_settings(
        tmp_path: Path) -> None:
    settings = _other_city().settings
    (tmp_path / "docs").mkdir()
    config = load_mkdocs_config(PATHS.mkdocs_yml, tmp_path / "docs", tmp_path / "site", settings)
    assert config["site_name"] == "某市生态环境诉求公开门户"
    assert config["site_description"] == settings.site.description
    assert config["extra"]["hotline"] == {"number": "12319", "name": "12319 城建服务热线"}
    org = settings.organisation
    assert config["extra"]["org"] == {
        "name": org.name, "address": org.address, "postcode": org.postcode,
        "phone": org.phone, "email": org.email, "hours": org.hours, "operator": ""}


def test_an_organisation_left_in_mkdocs_yml_is_refused(tmp_path: Path) -> None:
    mkdocs_yml = tmp_path / "mkdocs.yml"
    text = PATHS.mkdocs_yml.read_text("utf-8").replace(
        "extra:\n", "extra:\n  org:\n    name: 旧的主办单位\n")
    text = text.replace("custom_dir: generator/templates/theme",
                        f"custom_dir: {ROOT / 'generator' / 'templates' / 'theme'}")
    mkdocs_yml.write_text(text, "utf-8")
    (tmp_path / "docs").mkdir()
    settings = PATHS.settings
    with pytest.raises(ConfigError) as err:
        load_mkdocs_config(mkdocs_yml, tmp_path / "docs", tmp_path / "site", settings)
    assert err.value.message == (
        f"网站配置 {mkdocs_yml} 中的 extra.org 已不再使用：主办单位和热线改在 "
        f"{settings.source} 的 organisation 和 hotline 下填写。请删除 mkdocs.yml 中的 extra.org。")


def test_a_broken_mkdocs_yml_names_the_problem(tmp_path: Path) -> None:
    with pytest.raises(BuildError) as err:
        load_mkdocs_config(PATHS.mkdocs_yml, tmp_path / "missing", tmp_path / "site",
                           PATHS.settings)
    assert err.value.message == (
        f"网站配置 {PATHS.mkdocs_yml} 有误：Config value 'docs_dir': The path "
        f"'{tmp_path / 'missing'}' isn't an existing directory。请对照 README 修正。")


def _without_caller_identity() -> SiteData:
    """The mini package as an export that records no caller and no follow-up call."""
    from generator.dataset.validate import validate_package
    from generator.stats.aggregate import aggregate

    data = mini_site_data()
    report = validate_package(MINI, PATHS.reference, today=data.updated,
                              settings=PATHS.settings.data)
    assert report.frame is not None
    unrecorded = {"complainant_key", "revisit_valid", "contacted", "resolved", "satisfaction"}
    frame = report.frame.copy()
    for name in unrecorded:
        frame[name] = None
    return dataclasses.replace(data, agg=aggregate(frame, data.metrics, data.ref,
                                                   unrecorded=frozenset(unrecorded)))


def test_methodology_says_how_disclosure_counts_without_caller_identity() -> None:
    pages = render_pages(PATHS, _without_caller_identity())
    method = pages["stats/methodology.md"]
    assert ("导出数据没有记录诉求人标识，无法区分不同的诉求人，因此这里按诉求件数计算："
            "一个单元格（如某区某月某类诉求件数）背后的市民诉求少于 5 件时，该数字不公布；"
            "比率背后的有效回访少于 5 件时也不公布。") in method
    assert "背后的不同诉求人少于" not in method
    assert ("数据来源的导出文件没有记录以下字段：`complainant_key`、`contacted`、`resolved`、"
            "`revisit_valid`、`satisfaction`。这些字段在数据包中留空，需要它们的指标"
            "（响应率、解决率、满意率、综合成绩）在表中显示为“未记录”（开放数据中为 "
            "`unrecorded`），表示没有记录，不是 0。") in method
    assert "| 未记录 | `unrecorded` | 未记录：" in method
    home = pages["index.md"]
    for metric in ("responded_rate", "composite_score"):
        card = re.search(rf'data-metric="{metric}".*?</section>', home, re.S)
        assert card is not None and 'data-search-exclude>未记录' in card.group(0), metric
    assert "少于 5 件诉求，或为防止推算而隐藏" in pages["stats/index.md"]


def test_with_caller_identity_the_methodology_counts_people(pages: dict[str, str]) -> None:
    method = pages["stats/methodology.md"]
    assert "背后的不同诉求人少于 5 名时，该数字不公布" in method
    assert "按诉求件数计算" not in method and "没有记录的字段" not in method
    assert "| 未记录 |" not in method

"""District portraits and street pages, read from the built HTML and checked against the
open-data CSVs of the same build (site/data/*.csv): every district and street has its page,
each figure equals its CSV cell (hidden cells shown as the hidden mark), street pages stay out
of the navigation, and search finds a district page by district and element name."""

from __future__ import annotations

import ast
import csv
import dataclasses
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from generator.site import places_context
from tests.browser_support import (  # noqa: F401 - pytest fixtures
    LocalPage,
    chromium_browser_fixture,
    describe_violations,
    local_page_fixture,
    run_axe,
    site_url_fixture,
)
from tests.conftest import ROOT

HIDDEN, NA = "—", "／"
SEPARATOR = re.compile(r"[\s\u200b\-]+")  # mkdocs.yml search.separator, as lunr splits


class Tables(HTMLParser):
    """Every <table> of a page: caption → rows of cell texts (header row first)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._caption: str | None = None
        self._rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._in_caption = False
        self.nav_hrefs: list[str] = []
        self._nav = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "nav" and "md-nav" in (dict(attrs).get("class") or ""):
            self._nav += 1
        if tag == "a" and self._nav:
            self.nav_hrefs.append(dict(attrs).get("href") or "")
        if tag == "table":
            self._caption, self._rows = "", []
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr":
            self._rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav" and self._nav:
            self._nav -= 1
        if tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table" and self._caption is not None:
            self.tables[self._caption] = self._rows
            self._caption = None

    def handle_data(self, data: str) -> None:
        if self._in_caption and self._caption is not None:
            self._caption += data
        elif self._cell is not None:
            self._cell.append(data)


def page(site: Path, rel: str) -> Tables:
    parser = Tables()
    parser.feed((site / rel).read_text("utf-8"))
    return parser


def read_csv(site: Path, name: str) -> list[dict[str, str]]:
    with (site / "data" / f"{name}.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def count(v: str) -> str:
    return {"suppressed": HIDDEN, "NA": NA}.get(v) or f"{round(float(v)):,}"


def rate(v: str) -> str:
    return {"suppressed": HIDDEN, "NA": NA}.get(v) or f"{float(v) * 100:.2f}%"


def score(v: str) -> str:
    return {"suppressed": HIDDEN, "NA": NA}.get(v) or f"{float(v):.2f}"


def reference(name: str) -> list[dict[str, str]]:
    with (ROOT / "data" / "reference" / f"{name}.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def kpis(built_site: Path) -> dict[tuple[str, str, str], dict[str, str]]:
    return {(r["period"], r["scope_code"], r["metric"]): r
            for r in read_csv(built_site, "kpis")}


def test_every_district_and_street_has_its_page(built_site: Path) -> None:
    districts, streets = reference("districts"), reference("streets")
    assert len(streets) == 349
    for d in districts:
        assert (built_site / "stats" / "districts" / f"{d['district_code']}.html").is_file()
    missing = [s["street_code"] for s in streets
               if not (built_site / "stats" / "streets" / f"{s['street_code']}.html").is_file()]
    assert missing == []


def test_the_overview_links_every_district(built_site: Path) -> None:
    html = (built_site / "stats" / "districts.html").read_text("utf-8")
    for d in reference("districts"):
        assert f'href="districts/{d["district_code"]}.html">{d["district"]}</a>' in html


def test_district_headline_and_categories_equal_the_csv(
        built_site: Path, kpis: dict[tuple[str, str, str], dict[str, str]]) -> None:
    categories = read_csv(built_site, "district_categories")
    for d in reference("districts"):
        name, code = d["district"], d["district_code"]
        tables = page(built_site, f"stats/districts/{code}.html").tables
        head = tables[f"{name}主要指标与全市对比（全部数据期）"]
        kinds = [("total", count), ("responded_rate", rate), ("resolved_rate", rate),
                 ("satisfied_rate", rate), ("composite_score", score), ("ontime_rate", rate)]
        for row, scope in ((head[1], code), (head[2], "city")):
            assert row[1:] == [f(kpis[("all", scope, m)]["value"]) for m, f in kinds]
        rates = tables[f"{name}全部数据期各项比率、样本量 n 与 95% 区间"]
        for row, metric in zip(rates[1:], ("responded_rate", "resolved_rate",
                                           "satisfied_rate", "ontime_rate"), strict=True):
            k = kpis[("all", code, metric)]
            assert row[1:] == [rate(k["value"]), count(k["n"]), rate(k["ci_low"]),
                               rate(k["ci_high"]), rate(kpis[("all", "city", metric)]["value"])]
        k = kpis[("all", code, "composite_score")]
        assert tables[f"{name}全部数据期综合成绩、样本量 n 与范围"][1][1:] == [
            score(k["value"]), count(k["n"]), score(k["ci_low"]), score(k["ci_high"]),
            score(kpis[("all", "city", "composite_score")]["value"])]
        mine = [r for r in categories if r["district_code"] == code]
        for element in dict.fromkeys(r["element"] for r in mine):
            table = tables[f"{name} {element}类诉求：各类别件数"]
            shown = {(row[0], h): cell for row in table[1:]
                     for h, cell in zip(table[0][1:], row[1:], strict=True)}
            for r in mine:
                if r["element"] == element:
                    header = "全部数据期" if r["period"] == "all" else f"{r['period']}年"
                    assert shown[(r["category"], header)] == count(r["count"]), r


def test_district_ranking_lists_its_streets_apart_by_status(built_site: Path) -> None:
    ranking = read_csv(built_site, "street_ranking")
    window = ranking[0]["window"]
    for d in reference("districts"):
        tables = page(built_site, f"stats/districts/{d['district_code']}.html").tables
        name = d["district"]
        ranked = {c: t for c, t in tables.items() if c.startswith(f"{name}街乡综合成绩排名")}
        apart = {c: t for c, t in tables.items() if c.startswith(f"{name}不参加排名")}
        rows = {row[1]: row for t in ranked.values() for row in t[1:]}
        rows_apart = {row[0]: row for t in apart.values() for row in t[1:]}
        for r in ranking:
            if r["district"] != d["district"] or r["window"] != window:
                continue
            figures = [count(r["count"]), score(r["composite_score"]), count(r["n"]),
                       score(r["ci_low"]), score(r["ci_high"])]
            if r["status"] == "ranked":
                assert rows[r["street"]][0].startswith(r["rank"])
                assert rows[r["street"]][2:] == figures
            elif r["status"] != "no_requests":
                assert rows_apart[r["street"]][2:] == figures
                assert r["street"] not in rows


def test_street_pages_equal_the_csv_and_mark_hidden_cells(
        built_site: Path, kpis: dict[tuple[str, str, str], dict[str, str]]) -> None:
    ranking = {r["street_code"]: r for r in read_csv(built_site, "street_ranking")}
    hidden_seen = zero_seen = 0
    for s in reference("streets"):
        code = s["street_code"]
        title = f"{s['district']}·{s['street']}"
        tables = page(built_site, f"stats/streets/{code}.html").tables
        totals = tables[f"{title}诉求量（按季度及排名窗口）"]
        periods = sorted({p for (p, c, m) in kpis if c == code and m == "total"})
        assert len(totals) - 1 == len(periods)
        for row in totals[1:]:
            label = row[0]
            period = (ranking[code]["window"] if label.startswith("排名窗口")
                      else f"{label[:4]}Q{label[6]}")
            expected = [count(kpis[(period, code, m)]["value"])
                        for m in ("total", "citizen_total", "proactive_total")]
            assert row[1:] == expected, (code, label)
            hidden_seen += expected[0] == HIDDEN
            zero_seen += expected[0] == "0"
        window = ranking[code]["window"]
        rates = next(t for c, t in tables.items() if c.endswith("各项比率、样本量 n 与 95% 区间"))
        for row, metric in zip(rates[1:], ("responded_rate", "resolved_rate",
                                           "satisfied_rate", "ontime_rate"), strict=True):
            k = kpis[(window, code, metric)]
            assert row[1:] == [rate(k["value"]), count(k["n"]), rate(k["ci_low"]),
                               rate(k["ci_high"]),
                               rate(kpis[(window, s["district_code"], metric)]["value"]),
                               rate(kpis[(window, "city", metric)]["value"])]
        rank = next(t for c, t in tables.items() if "综合成绩排名中的位置" in c)[1]
        r = ranking[code]
        assert rank[2:] == [count(r["count"]), score(r["composite_score"]), count(r["n"]),
                            score(r["ci_low"]), score(r["ci_high"])]
    assert hidden_seen and zero_seen  # the sample has both: zeros are 0, hidden cells —


def test_street_hotspots_and_warnings_are_on_their_pages(built_site: Path) -> None:
    for r in read_csv(built_site, "hotspots"):
        tables = page(built_site, f"stats/streets/{r['street_code']}.html").tables
        rows = tables[f"{r['district']}·{r['street']}重点点位"][1:]
        assert [count(r["places"]), count(r["requests"]), count(r["distinct_complainants"]),
                r["main_category"]] in [row[1:] for row in rows]
    for r in read_csv(built_site, "warnings"):
        tables = page(built_site, f"stats/streets/{r['street_code']}.html").tables
        rows = tables[f"{r['district']}·{r['street']}预警"][1:]
        assert [r["category"], count(r["observed"])] in [row[1:3] for row in rows]


def test_street_pages_are_not_in_the_navigation(built_site: Path) -> None:
    for rel in ("index.html", "stats/districts.html", "stats/streets/110105034.html"):
        hrefs = page(built_site, rel).nav_hrefs
        assert hrefs, rel
        assert not [h for h in hrefs if "streets/" in h], rel


def _tokens(text: str) -> set[str]:
    return {t for t in SEPARATOR.split(re.sub(r"<[^>]+>", " ", text)) if t}


def test_search_finds_the_district_page_by_district_and_element(built_site: Path) -> None:
    index = json.loads((built_site / "search" / "search_index.json").read_text("utf-8"))
    for name, code in (("朝阳区", "110105"), ("海淀区", "110108")):
        for element in ("噪声", "大气"):
            hits = [doc["location"] for doc in index["docs"]
                    if {name, element} <= _tokens(doc["title"]) | _tokens(doc["text"])]
            assert any(h.startswith(f"stats/districts/{code}.html") for h in hits), \
                (name, element, hits[:5])


def test_places_contexts_are_documented_frozen_dataclasses() -> None:
    tree = ast.parse(Path(places_context.__file__).read_text("utf-8"))
    classes = [node for node in tree.body if isinstance(node, ast.ClassDef)]
    assert {c.name for c in classes} >= {"DistrictContext", "StreetContext"}
    for cls in classes:
        obj: Any = getattr(places_context, cls.name)
        params: Any = vars(obj).get("__dataclass_params__")
        assert dataclasses.is_dataclass(obj) and params.frozen, cls.name
        for i, stmt in enumerate(cls.body):
            if isinstance(stmt, ast.AnnAssign):
                after = cls.body[i + 1]
                assert isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant), \
                    f"{cls.name}.{ast.unparse(stmt.target)}"


def test_place_templates_use_exactly_their_context() -> None:
    import jinja2
    from jinja2 import meta

    from generator.site.contexts import SiteContext
    from generator.site.format import FILTERS

    shared = {f.name for f in dataclasses.fields(SiteContext)}
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(ROOT / "generator" / "templates")))
    env.filters.update(FILTERS)
    for template, cls in (("pages/district.md.j2", places_context.DistrictContext),
                          ("pages/street.md.j2", places_context.StreetContext)):
        source = (ROOT / "generator" / "templates" / template).read_text("utf-8")
        names = set(meta.find_undeclared_variables(env.parse(source)))
        own = {f.name for f in dataclasses.fields(cls)}
        assert not shared & own, cls
        assert names <= shared | own, names - shared - own
        assert own <= names, own - names


def test_the_district_map_links_every_district_and_is_a_schematic(built_site: Path) -> None:
    html = (built_site / "stats" / "districts.html").read_text("utf-8")
    tiles = re.findall(r'<a class="ecp-tile[^"]*" href="(districts/\d+\.html)"', html)
    assert sorted(tiles) == sorted(f"districts/{d['district_code']}.html"
                                   for d in reference("districts"))
    assert "示意图" in html
    counts = {r["district"]: count(r["count"]) for r in read_csv(built_site, "by_district")}
    table = page(built_site, "stats/districts.html").tables["各区诉求总量示意图（全部数据期）"]
    assert {row[0]: row[1] for row in table[1:]} == counts


def test_district_trend_charts_carry_the_monthly_kpis(
        built_site: Path, kpis: dict[tuple[str, str, str], dict[str, str]]) -> None:
    months = sorted({p for (p, c, m) in kpis if c == "city" and re.fullmatch(r"\d{4}-\d{2}", p)})
    for d in reference("districts"):
        html = (built_site / "stats" / "districts" / f"{d['district_code']}.html").read_text(
            "utf-8")
        assert html.count("<svg") >= 2 and "<desc" in html
        tables = page(built_site, f"stats/districts/{d['district_code']}.html").tables
        rows = tables[f"{d['district']}逐月诉求量"][1:]
        assert [row[1] for row in rows] == [
            count(kpis[(m, d["district_code"], "total")]["value"]) for m in months]
        rates = tables[f"{d['district']}逐月三率"][1:]
        assert [row[1] for row in rates] == [
            rate(kpis[(m, d["district_code"], "responded_rate")]["value"]) for m in months]


def test_search_finds_every_street_page_by_its_name(built_site: Path) -> None:
    index = json.loads((built_site / "search" / "search_index.json").read_text("utf-8"))
    titles = {doc["location"]: doc["title"] for doc in index["docs"]}
    missing = [s["street"] for s in reference("streets")
               if s["street"] not in _tokens(titles.get(f"stats/streets/{s['street_code']}.html",
                                                        ""))]
    assert missing == []

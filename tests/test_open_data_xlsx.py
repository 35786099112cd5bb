"""Open data staff can open: every open-data CSV has an Excel workbook beside it holding the
same values (read here with openpyxl, cell by cell against the CSV read with the csv
module), Chinese column titles that name the actual months, the same marks; the workbooks
do not change between builds of the same data; the 数据字典 page lists every file of the
data package with its rows recounted from the CSV and its sizes from the files."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from generator.site.opendata_files import open_data_files
from tests.conftest import ROOT, Built
from tests.site_data import mini_site_data


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def read_xlsx(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return [tuple(row) for row in book[sheet].iter_rows(values_only=True)]
    finally:
        book.close()


def same(text: str, cell: Any, kind: str, tokens: set[str]) -> bool:
    """Whether a workbook cell holds what the CSV cell says, as the field's type requires."""
    if text in tokens:
        return cell == text  # a mark stays the CSV's token, as text
    if kind == "integer":
        return type(cell) is int and cell == int(text)
    if kind == "number":
        return type(cell) in (int, float) and float(cell) == float(text)
    if kind == "boolean":
        assert text in ("true", "True", "TRUE", "1", "false", "False", "FALSE", "0"), text
        return type(cell) is bool and cell == (text.lower() in ("true", "1"))
    return type(cell) is str and cell == text


@pytest.mark.slow
def test_every_csv_has_a_workbook_holding_the_same_values(built: Built) -> None:
    data = built.site / "data"
    package = json.loads((data / "datapackage.json").read_text("utf-8"))
    csvs = sorted(p.name for p in data.glob("*.csv"))
    assert csvs == sorted(r["path"] for r in package["resources"])
    assert sorted(p.stem for p in data.glob("*.xlsx")) == [Path(c).stem for c in csvs]
    marks_seen = numbers_seen = 0
    for resource in package["resources"]:
        fields = resource["schema"]["fields"]
        tokens = set(resource["schema"]["missingValues"])
        rows = read_csv(data / resource["path"])
        workbook = data / resource["spreadsheet"]["path"]
        assert resource["spreadsheet"]["bytes"] == workbook.stat().st_size
        sheet = read_xlsx(workbook, resource["spreadsheet"]["sheet"])
        assert rows[0] == [f["name"] for f in fields], resource["path"]
        assert sheet[0] == tuple(f["title"] for f in fields), resource["path"]
        assert len(sheet) == len(rows), resource["path"]
        for number, (line, cells) in enumerate(zip(rows[1:], sheet[1:], strict=True), 2):
            assert len(cells) == len(line) == len(fields), (resource["path"], number)
            for field, text, cell in zip(fields, line, cells, strict=True):
                assert same(text, cell, field["type"], tokens), (
                    resource["path"], number, field["name"], text, cell)
                marks_seen += text in tokens
                numbers_seen += isinstance(cell, int | float) and not isinstance(cell, bool)
        notes = read_xlsx(workbook, "字段说明")
        named = {row[0]: row for row in notes if row and row[0]}
        for field in fields:
            assert named[field["name"]][1] == field["title"], (resource["path"], field["name"])
    assert marks_seen > 1000 and numbers_seen > 10_000  # neither check is vacuous


@pytest.mark.slow
def test_titles_name_the_actual_months_while_names_stay(built: Built) -> None:
    data = built.site / "data"
    months = [row[0] for row in read_csv(data / "monthly.csv")[1:]]
    latest, previous = months[-1], months[-2]

    def zh(month: str) -> str:
        return f"{int(month[:4])}年{int(month[5:])}月"

    package = json.loads((data / "datapackage.json").read_text("utf-8"))
    titles = {(r["path"], f["name"]): f["title"]
              for r in package["resources"] for f in r["schema"]["fields"]}
    for table in ("by_element.csv", "by_category.csv", "by_district.csv"):
        assert titles[(table, "latest_month")].startswith(f"{zh(latest)}件数"), table
    for table in ("by_element.csv", "by_category.csv"):
        assert titles[(table, "previous_month")] == f"{zh(previous)}件数", table
        assert read_csv(data / table)[0][-2:] == ["latest_month", "previous_month"]
    header = read_xlsx(data / "by_element.xlsx", "数据")[0]
    assert header[-1] == f"{zh(previous)}件数" and "最近一月" not in "".join(header)


class _Rows(HTMLParser):
    """Every table row of a page as its cells' text and links."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[tuple[str, list[str]]]] = []
        self._cell: list[str] | None = None
        self._links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell, self._links = [], []
        elif tag == "a" and self._cell is not None:
            self._links.append(str(found.get("href")))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(("".join(self._cell).strip(), self._links))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def size_text(size: int) -> str:
    if size < 1024:
        return f"{size} 字节"
    return f"{size / 1024:.1f} KB" if size < 1024 ** 2 else f"{size / 1024 ** 2:.1f} MB"


@pytest.mark.slow
def test_the_data_dictionary_lists_every_file_with_its_rows_from_the_csv(built: Built) -> None:
    data = built.site / "data"
    package = json.loads((data / "datapackage.json").read_text("utf-8"))
    page = (built.site / "stats" / "data-dictionary.html").read_text("utf-8")
    parser = _Rows()
    parser.feed(page)
    by_csv = {cells[2][1][0]: cells for cells in parser.rows
              if len(cells) == 5 and cells[2][1] and cells[2][1][0].endswith(".csv")}
    assert set(by_csv) == {f"../data/{r['path']}" for r in package["resources"]}
    for resource in package["resources"]:
        csv_name, xlsx_name = resource["path"], resource["spreadsheet"]["path"]
        cells = by_csv[f"../data/{csv_name}"]
        rows = len(read_csv(data / csv_name)) - 1
        assert cells[1][0] == f"{rows:,}", csv_name
        assert cells[0][0] == resource["title"] and cells[0][1] == [f"#{resource['name']}"]
        assert cells[2][0] == f"{csv_name}（{size_text((data / csv_name).stat().st_size)}）"
        assert cells[3][0] == f"{xlsx_name}（{size_text((data / xlsx_name).stat().st_size)}）"
        assert cells[3][1] == [f"../data/{xlsx_name}"]
        anchor = resource["name"]
        assert anchor in parser.ids, anchor
        section = page[page.index(f'id="{anchor}"'):]
        end = section.find("<h2", 10)
        section = html.unescape(section if end < 0 else section[:end])
        for field in resource["schema"]["fields"]:
            assert f"<code>{field['name']}</code></td>\n<td>{field['title']}</td>" in section, (
                csv_name, field["name"])
    opendata = (built.site / "stats" / "open-data.html").read_text("utf-8")
    assert 'href="data-dictionary.html"' in opendata
    assert 'href="../data/kpis.xlsx"' in opendata


def test_the_data_dictionary_is_in_the_navigation_beside_open_data() -> None:
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("", lambda *_: None)  # mkdocs' !!python tags
    nav = yaml.load((ROOT / "mkdocs.yml").read_text("utf-8"), Loader=Loader)["nav"]
    stats = next(item for item in nav if "数据统计" in item)["数据统计"]
    pages = [next(iter(item.values())) for item in stats if isinstance(item, dict)]
    assert pages.index("stats/data-dictionary.md") == pages.index("stats/open-data.md") + 1


def test_workbooks_are_the_same_bytes_for_the_same_data() -> None:
    data = mini_site_data()
    first = open_data_files(data.agg, data.metrics.min_complainants, data.settings)
    again = open_data_files(data.agg, data.metrics.min_complainants, data.settings)
    assert [t.xlsx for t in first.tables] == [t.xlsx for t in again.tables]
    with zipfile.ZipFile(io.BytesIO(first.tables[0].xlsx)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode("utf-8")
    end = data.agg.latest_cutoff or data.agg.latest_month
    assert re.search(rf"<dcterms:created[^>]*>{end[:7]}", core), core


def test_text_stays_text_and_formulas_are_never_made(tmp_path: Path) -> None:
    """Codes, months and a text starting with = stay text in the workbook."""
    import pandas as pd

    from generator.site.opendata_xlsx import xlsx_bytes

    text = pd.DataFrame({"code": ["110101", "=1+1"], "month": ["2026-10", "2026-09"],
                         "count": ["12", "suppressed"], "share": ["0.125", "NA"],
                         "tied": ["true", "false"]})
    fields = [("code", "string", "代码", ""), ("month", "string", "月份", ""),
              ("count", "integer", "件数", ""), ("share", "number", "占比", ""),
              ("tied", "boolean", "并列", "")]
    path = tmp_path / "t.xlsx"
    path.write_bytes(xlsx_bytes(text, fields, "测试", "说明", csv_name="t.csv", source="某局",
                                created=pd.Timestamp("2026-10-31").to_pydatetime()))
    rows = read_xlsx(path, "数据")
    assert rows == [("代码", "月份", "件数", "占比", "并列"),
                    ("110101", "2026-10", 12, 0.125, True),
                    ("=1+1", "2026-09", "suppressed", "NA", False)]
    with zipfile.ZipFile(path) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")  # no formula anywhere


def test_a_table_too_long_for_one_worksheet_stops_the_build(monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    """XlsxWriter silently drops rows past Excel's limit: the build must not publish a workbook
    that holds less than its CSV."""
    import pandas as pd

    from generator.errors import BuildError
    from generator.site import opendata_xlsx

    monkeypatch.setattr(opendata_xlsx, "EXCEL_ROWS", 3)
    text = pd.DataFrame({"count": ["1", "2", "3"]})
    with pytest.raises(BuildError, match=r"big\.csv 有 3 行，超过 Excel 工作表最多 2 行"):
        opendata_xlsx.xlsx_bytes(text, [("count", "integer", "件数", "")], "t", "d",
                                 csv_name="big.csv", source="某局",
                                 created=pd.Timestamp("2026-10-31").to_pydatetime())

"""The open-data files of a build, made once in memory from the declarations of
generator.site.opendata: each table's CSV (standard UTF-8, LF, the contract's column names),
its workbook beside it (generator.site.opendata_xlsx, for spreadsheet users) and the data
package describing both (datapackage.json).

The build makes them before rendering, so the data dictionary page (stats/data-dictionary.md)
can name each file's rows and size, and writes them into site/data/ with the pages.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.settings import Settings
from generator.site.format import MISSING_VALUES, csv_cell
from generator.site.opendata import Field, marks_note, package_name, resources, tables
from generator.site.opendata_levels import hidden_share
from generator.site.opendata_xlsx import DATA_SHEET, MEDIATYPE, xlsx_bytes
from generator.stats.aggregate import Aggregates

PACKAGE_FILE = "datapackage.json"


@dataclass(frozen=True)
class TableFile:
    """One open-data table: its CSV and its workbook, with what the data package says."""

    name: str
    title: str
    description: str
    """The resource's description, with its hidden share."""
    fields: tuple[Field, ...]
    rows: int
    hidden_share: float
    csv: bytes
    xlsx: bytes

    @property
    def csv_name(self) -> str:
        return f"{self.name}.csv"

    @property
    def xlsx_name(self) -> str:
        return f"{self.name}.xlsx"


@dataclass(frozen=True)
class OpenDataFiles:
    """Every table's files, in publishing order, and the data package."""

    tables: tuple[TableFile, ...]
    package: dict[str, Any]

    def write(self, folder: Path) -> int:
        """Write every file into `folder`; returns the number of files written."""
        folder.mkdir(parents=True, exist_ok=True)
        for table in self.tables:
            (folder / table.csv_name).write_bytes(table.csv)
            (folder / table.xlsx_name).write_bytes(table.xlsx)
        (folder / PACKAGE_FILE).write_text(
            json.dumps(self.package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return 2 * len(self.tables) + 1


def data_end(agg: Aggregates) -> dt.datetime:
    """The end of the data period: the export's cut-off day, else the latest month's last
    day (the workbooks' creation time, so they do not change between builds of one data)."""
    if agg.latest_cutoff:
        return dt.datetime.fromisoformat(agg.latest_cutoff)
    year, month = (int(part) for part in agg.latest_month.split("-"))
    return dt.datetime(year, month, calendar.monthrange(year, month)[1])


def open_data_files(agg: Aggregates, k: int, settings: Settings) -> OpenDataFiles:
    """Every table's CSV and workbook and the data package, from the declarations."""
    published = tables(agg)
    created, source = data_end(agg), settings.organisation.name
    files: list[TableFile] = []
    for name, (title, description, fields) in resources(agg, k, settings).items():
        frame = published[name]
        share = hidden_share(frame)
        description += f"本表隐去的单元格占 {share:.1%}。"
        text = frame[[f[0] for f in fields]].map(csv_cell)
        csv = text.to_csv(index=False, lineterminator="\n").encode("utf-8")
        workbook = xlsx_bytes(text, fields, title, description, csv_name=f"{name}.csv",
                              source=source, created=created)
        files.append(TableFile(name, title, description, tuple(fields), len(text), share, csv,
                               workbook))
    return OpenDataFiles(tuple(files), _package(agg, k, settings, files))


def _resource(table: TableFile) -> dict[str, Any]:
    return {
        "name": table.name.replace("_", "-"),
        "path": table.csv_name,
        "title": table.title,
        "description": table.description,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "bytes": len(table.csv),
        "hash": "sha256:" + hashlib.sha256(table.csv).hexdigest(),
        "profile": "tabular-data-resource",
        "hiddenShare": round(table.hidden_share, 4),
        "spreadsheet": {
            "path": table.xlsx_name,
            "format": "xlsx",
            "mediatype": MEDIATYPE,
            "bytes": len(table.xlsx),
            "hash": "sha256:" + hashlib.sha256(table.xlsx).hexdigest(),
            "sheet": DATA_SHEET,
            "description": (f"与 {table.csv_name} 内容相同的 Excel 工作簿：“{DATA_SHEET}”表"
                            "第一行为各列中文标题（title），以下各行与 CSV 一一对应，数字为数值，"
                            "标记与 CSV 相同；“字段说明”表列出字段名、类型和含义"),
        },
        "schema": {
            "fields": [{"name": n, "type": t, "title": ti, "description": d}
                       for n, t, ti, d in table.fields],
            "missingValues": list(MISSING_VALUES),
        },
    }


def _package(agg: Aggregates, k: int, settings: Settings, files: list[TableFile]
             ) -> dict[str, Any]:
    incomplete = (f"最近一月 {agg.latest_month} 的数据只到 {agg.latest_cutoff}，该月不完整。"
                  if agg.latest_cutoff else "")
    return {
        "name": package_name(settings.site),
        "title": f"{settings.site.city}生态环境接诉即办统计数据",
        "description": (
            f"由匿名化工单汇总的统计表（{agg.months[0]} 至 {agg.latest_month}）；"
            f"不含任何个人信息。单元格取值：{marks_note(k, agg)}。" + incomplete
            + "每个 CSV 文件（UTF-8 编码）旁有同名的 .xlsx 工作簿（spreadsheet），供电子表格软件"
            "直接打开。"),
        "licenses": [{"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
                      "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "resources": [_resource(table) for table in files],
    }

"""The 依据与来源 (sources) section at the end of every page that shows data/limits.yml.

No page calls it, so none can forget it: while a page renders, the `limits` it sees records
every table reached as `limits.<standard>.<table>` (L.table, L.cell, L.cite all go through
it), and every table L.table renders leaves its `<!-- limits-table: id -->` marker (business
pages get their tables from data/business.yml). The section lists exactly those tables,
grouped by standard or law in the order the page first uses them: the document once with its
publisher, then each table with its article and title, and the 二手资料 / 未能核实 flag on
the tables that are not `checked` — the one place a page shows those flags.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import jinja2

from generator.site.limits import chinese_date

MACROS = "macros/limits.md.j2"
MARKER = re.compile(r"<!-- limits-table: ([\w.]+) -->")
DOCUMENT = re.compile(r"(.*?《[^》]+》（[^）]*）)(.*)", re.S)
"""A cite is 《title》（number, year, dates） followed by the articles or tables used."""
FLAGS = {
    "secondary": ("二手资料", "数值来自新闻报道或官方文本的转载，本站未能对照正式文本逐项核实。"),
    "unverified": ("未能核实", "本站未能核实这一内容。"),
}


@dataclass(frozen=True)
class SourceItem:
    """One table of a standard that the page uses."""

    id: str
    label: str
    """The article, table or chapter (the cite after the document); empty when the cite is
    the document alone."""
    title: str
    flag: str
    """二手资料 / 未能核实, empty for a checked table."""
    remark: str
    """What was and was not found (the table's `verification`), empty for a checked table."""


@dataclass(frozen=True)
class Source:
    """One standard or law (a top-level key of data/limits.yml) the page uses."""

    key: str
    document: str
    effective: str
    """The date it took effect, in words, when the document text does not already say it."""
    publisher: str
    items: tuple[SourceItem, ...]


class _Standard(Mapping[str, Any]):
    """One standard's tables; reading a table records its id."""

    def __init__(self, key: str, tables: Mapping[str, Any], used: list[str]) -> None:
        self._key, self._tables, self._used = key, tables, used

    def __getitem__(self, name: str) -> Any:
        table = self._tables[name]
        self._used.append(f"{self._key}.{name}")
        return table

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)


class Recorder(Mapping[str, Any]):
    """data/limits.yml as a page sees it: `limits.gb22337.boundary` works as on the plain
    mapping and appends "gb22337.boundary" to `used`."""

    def __init__(self, limits: Mapping[str, Mapping[str, Any]], used: list[str]) -> None:
        self._limits, self.used = limits, used

    def __getitem__(self, key: str) -> _Standard:
        return _Standard(key, self._limits[key], self.used)

    def __iter__(self) -> Iterator[str]:
        return iter(self._limits)

    def __len__(self) -> int:
        return len(self._limits)


def split_cite(cite: str) -> tuple[str, str]:
    """(document, the part after it): “《…》（GB 3096-2008，…）表 1” → (“《…》（…）”, “表 1”).
    A cite of another shape is all document."""
    m = DOCUMENT.fullmatch(cite)
    if not m:
        return cite, ""
    return m.group(1), m.group(2).strip().lstrip("，；、").strip()


def page_sources(limits: Mapping[str, Mapping[str, Any]], used: Iterable[str]) -> list[Source]:
    """The sources of the tables `used` (ids, repeats allowed), grouped by standard."""
    order: dict[str, list[dict[str, Any]]] = {}
    for table_id in dict.fromkeys(used):
        key, name = table_id.split(".", 1)
        order.setdefault(key, []).append(limits[key][name])
    return [_source(key, tables) for key, tables in order.items()]


def _source(key: str, tables: list[dict[str, Any]]) -> Source:
    document = split_cite(tables[0]["cite"])[0]
    items = []
    for t in tables:
        own, part = split_cite(t["cite"])
        flag, remark = FLAGS.get(t["confidence"], ("", ""))
        items.append(SourceItem(t["id"], part if own == document else t["cite"], t["title"],
                                flag, t.get("verification", remark) if flag else ""))
    dates = [chinese_date(t["effective"]) for t in tables if "effective" in t]
    effective = dates[0] if dates and dates[0] not in document else ""
    publishers = "、".join(dict.fromkeys(
        name.strip() for t in tables for name in t["publisher"].split("、")))
    return Source(key, document, effective, publishers, tuple(items))


def render_page(env: jinja2.Environment, template: str, context: Mapping[str, Any]) -> str:
    """The page's Markdown, ending with its sources section when it uses any limits table."""
    limits = context.get("limits")
    if limits is None:
        return env.get_template(template).render(context)
    used: list[str] = []
    text = env.get_template(template).render({**context, "limits": Recorder(limits, used)})
    ids = [*used, *MARKER.findall(text)]
    if not ids:
        return text
    sources = page_sources(limits, ids)
    flagged = any(i.flag for s in sources for i in s.items)
    section = env.get_template(MACROS).module.sources(sources, flagged)  # type: ignore[attr-defined]
    return f"{text.rstrip()}\n\n{str(section).strip()}\n"

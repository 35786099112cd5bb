"""A small document model for the pre-visit brief, written as Markdown or as HTML.

The brief carries what a business typed into the form, so every text is escaped for the
output format: a request cannot inject markup into a staff member's browser or break the
Markdown tables.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Heading:
    level: int
    text: str


@dataclass(frozen=True)
class Para:
    text: str
    strong: bool = False


@dataclass(frozen=True)
class Items:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""
    note: str = ""


Block = Heading | Para | Items | Table


@dataclass
class Document:
    title: str
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_MD_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+)([.)]?)")
"""Characters that start markup anywhere, and line starts that make headings or lists."""


def _md_line(line: str) -> str:
    def lead(m: re.Match[str]) -> str:
        if m.group(2).isdigit():  # "1." starts an ordered list: escape the dot
            return m.group(1) + m.group(2) + ("\\" + m.group(3) if m.group(3) else "")
        return f"{m.group(1)}\\{m.group(2)}{m.group(3)}"

    return _MD_LINE_START.sub(lead, _MD_SPECIAL.sub(r"\\\1", line))


def md_text(text: str) -> str:
    """Text as literal Markdown: special characters escaped, line breaks kept as breaks."""
    return "  \n".join(_md_line(line) for line in str(text).splitlines() or [""])


def _md_cell(text: str) -> str:
    """Inside a table cell or after a heading's #, only inline markup needs escaping."""
    return "<br>".join(_MD_SPECIAL.sub(r"\\\1", line) for line in str(text).splitlines()) or " "


def to_markdown(doc: Document) -> str:
    out = [f"# {_md_cell(doc.title)}", ""]
    for block in doc.blocks:
        if isinstance(block, Heading):
            out += [f"{'#' * block.level} {_md_cell(block.text)}", ""]
        elif isinstance(block, Para):
            text = md_text(block.text)
            out += [f"**{text}**" if block.strong else text, ""]
        elif isinstance(block, Items):
            out += [f"- {md_text(item)}" for item in block.items] + [""]
        else:
            if block.caption:
                out += [f"*{md_text(block.caption)}*", ""]
            out.append("| " + " | ".join(_md_cell(c) for c in block.columns) + " |")
            out.append("|" + "---|" * len(block.columns))
            out += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in block.rows]
            out.append("")
            if block.note:
                out += [md_text(block.note), ""]
    return "\n".join(out).rstrip() + "\n"


def _h(text: str) -> str:
    return "<br>".join(html.escape(line) for line in str(text).splitlines())


STYLE = ("body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em;"
         "line-height:1.6}table{border-collapse:collapse;margin:.5em 0 1em}"
         "th,td{border:1px solid #888;padding:.25em .5em;text-align:left;vertical-align:top}"
         "caption{text-align:left;font-weight:bold}.note{color:#444}"
         "@media print{body{margin:0}}")


def to_html(doc: Document) -> str:
    out = ["<!DOCTYPE html>", '<html lang="zh-CN">', "<head>", '<meta charset="utf-8">',
           '<meta name="robots" content="noindex">', f"<title>{_h(doc.title)}</title>",
           f"<style>{STYLE}</style>", "</head>", "<body>", f"<h1>{_h(doc.title)}</h1>"]
    for block in doc.blocks:
        if isinstance(block, Heading):
            out.append(f"<h{block.level}>{_h(block.text)}</h{block.level}>")
        elif isinstance(block, Para):
            text = _h(block.text)
            out.append(f"<p><strong>{text}</strong></p>" if block.strong else f"<p>{text}</p>")
        elif isinstance(block, Items):
            out.append("<ul>" + "".join(f"<li>{_h(i)}</li>" for i in block.items) + "</ul>")
        else:
            out.append("<table>" + (f"<caption>{_h(block.caption)}</caption>"
                                    if block.caption else ""))
            out.append("<thead><tr>" + "".join(f'<th scope="col">{_h(c)}</th>'
                                               for c in block.columns) + "</tr></thead>")
            out.append("<tbody>" + "".join(
                "<tr>" + "".join(f"<td>{_h(c)}</td>" for c in row) + "</tr>"
                for row in block.rows) + "</tbody></table>")
            if block.note:
                out.append(f'<p class="note">{_h(block.note)}</p>')
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"

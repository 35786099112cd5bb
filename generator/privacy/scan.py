"""The personal-data scanner: ``ecoportal scan`` and the build's privacy gate.

Public API (the build calls these): :func:`scan_text`, :func:`scan_paths`, :func:`scan_values`,
:func:`format_report` (plus :func:`format_json`). Values are never reported in full: every
finding carries a masked form only. Each scan takes the deployment's institutional mailboxes
and numbers (`allow`, from settings `privacy`; default: gov.cn, 12345, 12369).
"""

from __future__ import annotations

import bisect
import json
import os
import re
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from generator.errors import DataError
from generator.privacy.detectors import DEFAULT_INSTITUTIONAL, Institutional, detect, mask
from generator.privacy.normalize import (
    DIGIT_LIKE,
    Chain,
    Identity,
    PositionMap,
    html_view,
    json_view,
    normalize,
)
from generator.privacy.places import csv_fields, line_columns
from generator.privacy.xlsx import XLSX_SUFFIXES, xlsx_texts


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())

CSV_SUFFIXES = frozenset({".csv", ".tsv"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".svg"})
JSON_SUFFIXES = frozenset({".json"})
TEXT_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".yml", ".yaml"})
SCANNED_SUFFIXES = CSV_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES | TEXT_SUFFIXES | XLSX_SUFFIXES

_CUE_WORDS = (
    "投诉人|举报人|联系人|来电人|反映人|来访人|诉求人|当事人|申请人|姓名|先生|女士|老师|师傅|阿姨|大爷"
)
#: Raw text without any of these cannot hold a finding.
_PRESCREEN = re.compile(f"[0-9@＠]|{DIGIT_LIKE}|{_CUE_WORDS}")
#: Attributes whose values are text a reader sees or follows; the rest (style, class, d, src…)
#: hold colours, hashes and coordinates.
_TEXT_ATTRIBUTES = _words(
    "title alt content href value placeholder label summary abbr aria-label aria-description"
    " aria-valuetext download"
)
_ATTRIBUTE = re.compile(r"""([^\s"'<>/=]+)\s*=\s*("[^"]*"?|'[^']*'?|[^\s"'=<>`]+)""")
_PARALLEL_BYTES = 16 * 1024 * 1024
_CHUNK_BYTES = 4 * 1024 * 1024
_BATCH_CHARS = 1_000_000


@dataclass(frozen=True)
class Match:
    """One finding in a string; ``start``/``end`` index the original string."""

    kind: str
    start: int
    end: int
    raw: str
    masked: str


@dataclass(frozen=True)
class Finding:
    """One finding in a file or table: 1-based line (CSV: row, header = 1) and column."""

    file: str
    line: int
    column: int
    field: str | None
    kind: str
    masked: str


@dataclass
class ScanReport:
    files_scanned: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def _matches(view: str, position_map: PositionMap, source: str,
             allow: Institutional) -> Iterator[Match]:
    normal, normal_map = normalize(view)
    if not _PRESCREEN.search(normal):
        return
    chain = Chain(normal_map, position_map)
    for kind, start, end, value in detect(normal, allow):
        src_start, src_end = chain.span(start, end)
        yield Match(kind, src_start, src_end, source[src_start:src_end], mask(kind, value))


def scan_text(text: str, allow: Institutional = DEFAULT_INSTITUTIONAL) -> list[Match]:
    """Find personal data in plain text; positions refer to ``text`` itself."""
    if not _PRESCREEN.search(text):
        return []
    return list(_matches(text, Identity(), text, allow))


def scan_values(values: Iterable[tuple[int, str, str]], source: str,
                allow: Institutional = DEFAULT_INSTITUTIONAL) -> list[Finding]:
    """Scan in-memory table cells given as ``(row, field, text)``; ``column`` is the 1-based
    character offset inside the cell.

    Cells are scanned in batches joined by line breaks (no detector crosses a line break), so
    a million cells cost a few regex passes, not a million."""
    findings: list[Finding] = []
    batch: list[tuple[int, str, str]] = []
    size = 0
    for row, name, text in values:
        if not text:
            continue
        batch.append((row, name, text))
        size += len(text) + 1
        if size >= _BATCH_CHARS:
            findings.extend(_scan_batch(batch, source, allow))
            batch, size = [], 0
    findings.extend(_scan_batch(batch, source, allow))
    return findings


def _scan_batch(batch: list[tuple[int, str, str]], source: str,
                allow: Institutional) -> list[Finding]:
    if not batch:
        return []
    joined = "\n".join(text for _, _, text in batch)
    if not _PRESCREEN.search(joined):
        return []
    starts: list[int] = []
    offset = 0
    for _, _, text in batch:
        starts.append(offset)
        offset += len(text) + 1
    findings = []
    for match in _matches(joined, Identity(), joined, allow):
        index = bisect.bisect_right(starts, match.start) - 1
        row, name, _ = batch[index]
        column = match.start - starts[index] + 1
        findings.append(Finding(source, row, column, name, match.kind, match.masked))
    return findings


# -- files -----------------------------------------------------------------------------------


def _in_hidden_markup(view: str, pos: int) -> bool:
    """True when ``pos`` of an HTML view is inside a tag but not in a text attribute."""
    open_at = view.rfind("<", 0, pos)
    if open_at < 0 or view.rfind(">", 0, pos) > open_at:
        return False
    if view.startswith("<!--", open_at):
        return False  # comments are published too
    inside = view[open_at:pos + 1]
    for attribute in _ATTRIBUTE.finditer(inside):
        if attribute.start(2) <= pos - open_at < attribute.end(2) or (
            attribute.end(2) == len(inside) and attribute.start(2) <= pos - open_at
        ):
            name = attribute.group(1).lower()
            if name == "href" and view[pos - 1] in "./":
                return True  # a file name in a link (bundle.1a2b3c4d.css), not text
            return not (name in _TEXT_ATTRIBUTES or name.startswith("data-"))
    return True


def _file_matches(path: Path, text: str, allow: Institutional) -> list[Match]:
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES:
        view, view_map = html_view(text)
        return [
            match for match in _matches(view, view_map, text, allow)
            if not _in_hidden_markup(text, match.start)
        ]
    if suffix in JSON_SUFFIXES:
        view, view_map = json_view(text)
        return list(_matches(view, view_map, text, allow))
    return list(_matches(text, Identity(), text, allow))


def _decode(data: bytes, first: bool) -> str:
    for encoding in ("utf-8-sig" if first else "utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def _read(path: Path) -> str:
    return _decode(path.read_bytes(), True)


def _text_findings(path: Path, text: str, allow: Institutional, line_offset: int = 0
                   ) -> list[Finding]:
    """Findings with physical line and column (CSV rows and fields are resolved later)."""
    if not _PRESCREEN.search(text):
        return []
    matches = sorted(_file_matches(path, text, allow), key=lambda m: m.start)
    places = line_columns(text, [m.start for m in matches])
    return [
        Finding(str(path), line + line_offset, column, None, m.kind, m.masked)
        for m, (line, column) in zip(matches, places, strict=True)
    ]


def _csv_resolve(path: Path, findings: list[Finding]) -> list[Finding]:
    """Turn physical lines into CSV record numbers (header = 1) and add the header name."""
    if not findings:
        return findings
    text = _read(path)
    ordered = sorted(findings, key=lambda f: (f.line, f.column))
    positions: list[int] = []
    line, line_start = 1, 0
    for finding in ordered:
        while line < finding.line:
            line_start = text.index("\n", line_start) + 1
            line += 1
        positions.append(line_start + finding.column - 1)
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    records = csv_fields(text, positions, [f.line for f in ordered], delimiter)
    return [
        Finding(f.file, record, f.column, name, f.kind, f.masked)
        for f, (record, name) in zip(ordered, records, strict=True)
    ]


def scan_file(path: Path, allow: Institutional = DEFAULT_INSTITUTIONAL) -> list[Finding]:
    """Findings in one file (any type in SCANNED_SUFFIXES)."""
    if path.suffix.lower() in XLSX_SUFFIXES:
        return scan_values(xlsx_texts(path), str(path), allow)
    found = _text_findings(path, _read(path), allow)
    return _csv_resolve(path, found) if path.suffix.lower() in CSV_SUFFIXES else found


#: (path, first byte, end byte or -1 for the whole file, lines before the first byte, allow)
_Task = tuple[str, int, int, int, Institutional]


def _tasks(path: Path, allow: Institutional) -> list[_Task]:
    """Split big line-oriented files at line ends (no finding spans a line) for parallelism."""
    size = path.stat().st_size
    if size <= _CHUNK_BYTES or path.suffix.lower() not in CSV_SUFFIXES | TEXT_SUFFIXES:
        return [(str(path), 0, -1, 0, allow)]
    data = path.read_bytes()
    tasks: list[_Task] = []
    start, lines = 0, 0
    while start < len(data):
        cut = data.find(b"\n", start + _CHUNK_BYTES)
        end = len(data) if cut < 0 else cut + 1
        tasks.append((str(path), start, end, lines, allow))
        lines += data.count(b"\n", start, end)
        start = end
    return tasks


def _run_task(task: _Task) -> list[Finding]:
    name, start, end, lines, allow = task
    path = Path(name)
    if path.suffix.lower() in XLSX_SUFFIXES:  # never split: a zip of XML parts
        return scan_values(xlsx_texts(path), name, allow)
    if end < 0:
        return _text_findings(path, _read(path), allow)
    with path.open("rb") as handle:
        handle.seek(start)
        data = handle.read(end - start)
    return _text_findings(path, _decode(data, start == 0), allow, lines)


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Scannable files under ``paths`` (files given directly are scanned whatever their type
    when it is one of the scanned types), in a stable order."""
    for path in paths:
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs.sort()
                for name in sorted(files):
                    candidate = Path(root) / name
                    if candidate.suffix.lower() in SCANNED_SUFFIXES:
                        yield candidate
        elif path.is_file():
            if path.suffix.lower() in SCANNED_SUFFIXES:
                yield path
        else:
            raise DataError(f"找不到要扫描的路径：{path}。请检查路径是否正确。")


def scan_paths(paths: Iterable[Path], allow: Institutional = DEFAULT_INSTITUTIONAL
               ) -> ScanReport:
    """Scan files and folders (recursively); other file types are skipped and not counted.

    Big scans run in worker processes, big CSV/text files in line-aligned chunks."""
    files = list(iter_files(paths))
    report = ScanReport(files_scanned=len(files))
    total = sum(f.stat().st_size for f in files)
    workers = min(os.cpu_count() or 1, 8)
    tasks = [task for path in files for task in _tasks(path, allow)]
    if workers > 1 and total >= _PARALLEL_BYTES and len(tasks) > 1:
        chunk = max(1, len(tasks) // (workers * 4))
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(_run_task, tasks, chunksize=chunk))
    else:
        results = [_run_task(task) for task in tasks]
    by_file: dict[str, list[Finding]] = {}
    for task, found in zip(tasks, results, strict=True):
        by_file.setdefault(task[0], []).extend(found)
    for name, found in by_file.items():
        path = Path(name)
        report.findings.extend(_csv_resolve(path, found) if path.suffix.lower() in CSV_SUFFIXES
                               else found)
    return report


# -- reports ---------------------------------------------------------------------------------


def format_finding(finding: Finding) -> str:
    where = f"{finding.file} 第 {finding.line} 行第 {finding.column} 列"
    if finding.field:
        where += f"（字段“{finding.field}”）"
    return f"{where}：疑似{finding.kind} {finding.masked}"


def format_report(report: ScanReport) -> str:
    """The Chinese text report: one line per finding, then a summary line."""
    lines = [format_finding(f) for f in report.findings]
    if report.findings:
        lines.append(
            f"共扫描 {report.files_scanned} 个文件，发现 {len(report.findings)} 处疑似个人信息"
        )
    else:
        lines.append(f"共扫描 {report.files_scanned} 个文件，未发现个人信息")
    return "\n".join(lines)


def format_json(report: ScanReport) -> str:
    data = {
        "files_scanned": report.files_scanned,
        "findings_count": len(report.findings),
        "findings": [asdict(f) for f in report.findings],
    }
    return json.dumps(data, ensure_ascii=False, indent=2)

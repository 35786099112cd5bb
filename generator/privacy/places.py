"""Where a scanner match is: its line and column in a file, and in a CSV its record number
(header = 1, a quoted field may span lines) and the header name of its field."""

from __future__ import annotations

import bisect
import csv
import io


def line_columns(text: str, positions: list[int]) -> list[tuple[int, int]]:
    """(1-based line, 1-based column) for sorted positions."""
    result = []
    line, last = 1, 0
    for pos in positions:
        line += text.count("\n", last, pos)
        result.append((line, pos - text.rfind("\n", 0, pos)))
        last = pos
    return result


def field_index(record_text: str, delimiter: str) -> int:
    """Index of the field in which ``record_text`` (a record's text up to a point) ends."""
    index, quoted = 0, False
    for char in record_text:
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            index += 1
    return index


def csv_fields(
    text: str, positions: list[int], lines: list[int], delimiter: str
) -> list[tuple[int, str | None]]:
    """(record number, header name) for sorted positions on the given physical lines."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip() for name in next(reader, [])]
    first_lines = [1]  # physical line on which each record starts
    if '"' in text:
        previous = reader.line_num
        for _ in reader:
            first_lines.append(previous + 1)
            previous = reader.line_num
    out: list[tuple[int, str | None]] = []
    for pos, line in zip(positions, lines, strict=True):
        if '"' in text:
            record = bisect.bisect_right(first_lines, line)
            start = pos
            for _ in range(line - first_lines[record - 1] + 1):
                start = text.rfind("\n", 0, start) if start > 0 else -1
            record_text = text[start + 1:pos]
        else:
            record = line
            record_text = text[text.rfind("\n", 0, pos) + 1:pos]
        index = field_index(record_text, delimiter)
        name = header[index] if record > 1 and index < len(header) else None
        out.append((record, name))
    return out

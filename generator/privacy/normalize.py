"""Text views for the personal-data scanner, with positions mapped back to the source.

Detectors run on a *normalised* view: full-width and other compatibility forms of the
characters the detectors look at (digits, Latin letters, ``@``, ``+``, separators) become ASCII
(NFKC), dashes are unified to ``-``, middle dots to ``·``, zero-width and soft characters are
dropped, and runs of Chinese numerals that look like a number (``一三八一二三四五六七八``) become
digits. Punctuation the detectors accept in both widths (``：``, ``（``) is left alone, so
ordinary Chinese text needs no rewriting and the common case costs one regex pass.

Every view carries a map from its positions to the positions of the text it was made from, so a
match can be reported at its place in the original file. HTML files get a view with entities
decoded, ``<script>``/``<style>`` blanked and inline tags between digits removed; JSON files get
one with string escapes (``\\u8054``) decoded.
"""

from __future__ import annotations

import bisect
import codecs
import html
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Protocol

#: Characters removed before matching (zero-width, joiners, soft hyphen, BOM).
DELETED = "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u034f\u180e"
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d"
DOTS = "\u00b7\u2022\u2027\u2219\u22c5\u30fb\uff65"
CHINESE_DIGITS = "〇一二三四五六七八九零幺"
#: Separator characters allowed inside numbers after normalisation.
SEPARATORS = " -.·"
#: A character standing for a removed piece of markup; it separates, never joins.
BOUNDARY = "\x1f"

_RELEVANT = frozenset(
    "0123456789@+-.· abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
)
_CN_DIGIT_TABLE = str.maketrans(CHINESE_DIGITS, "0123456789" + "01")
_MIN_NUMERAL_RUN = 7


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    ranges = [(0x80, 0x10000), (0x1D400, 0x1D800), (0x1F100, 0x1F200)]
    for lo, hi in ranges:
        for cp in range(lo, hi):
            char = chr(cp)
            if 0xD800 <= cp < 0xE000:
                continue
            mapped = unicodedata.normalize("NFKC", char)
            if mapped != char and any(c in _RELEVANT for c in mapped):
                table[cp] = mapped
    for char in DASHES:
        table[ord(char)] = "-"
    for char in DOTS:
        if char != "·":
            table[ord(char)] = "·"
    for char in DELETED:
        table[ord(char)] = ""
    return table


TABLE: dict[int, str] = _build_table()


def _char_class(codes: list[int], *, negate: bool = False) -> str:
    """A regex class of code points written as ranges (the regex engine tests ranges fast)."""
    parts: list[str] = []
    ordered = sorted(set(codes))
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        lo, hi = re.escape(chr(ordered[i])), re.escape(chr(ordered[j]))
        parts.append(lo if i == j else f"{lo}-{hi}")
        i = j + 1
    return "[" + ("^" if negate else "") + "".join(parts) + "]"


def _safe_codes() -> list[int]:
    """ASCII, CJK ideographs and the punctuation of Chinese text that normalisation leaves
    alone; text made only of these needs no rewriting."""
    spans = [(0x00, 0x7F), (0x2018, 0x201F), (0x2026, 0x2026), (0x3001, 0x303F),
             (0x4E00, 0x9FFF), (0xFF01, 0xFFEF)]
    return [cp for lo, hi in spans for cp in range(lo, hi + 1) if cp not in TABLE]


#: Runs of characters that may need rewriting (a superset of TABLE's keys, kept small and
#: negated so the scan is fast); each run is rewritten only if TABLE changes it.
_SIEVE = re.compile(_char_class(_safe_codes(), negate=True) + "+")
#: Any character that is or becomes a digit or ``@``: used to skip text with nothing to find.
DIGIT_LIKE = _char_class(
    [cp for cp, out in TABLE.items() if any(c.isdigit() or c == "@" for c in out)]
    + [ord(c) for c in CHINESE_DIGITS]
)
_NUMERAL_RUN = re.compile(
    f"[{CHINESE_DIGITS}](?:[{re.escape(SEPARATORS)}]{{0,3}}[{CHINESE_DIGITS}0-9])+"
)
_DIGIT_OR_SEP = frozenset("0123456789" + SEPARATORS)


class PositionMap(Protocol):
    """Maps a span of a view back to the span of the text the view was made from."""

    def span(self, start: int, end: int) -> tuple[int, int]: ...


class Identity:
    """The map of a view that is its source."""

    def span(self, start: int, end: int) -> tuple[int, int]:
        return start, end


@dataclass
class OffsetMap:
    """Positions after a list of edits; each edit replaced ``src_len`` source characters at
    ``src`` with ``new_len`` characters at ``new`` (all other characters map one to one)."""

    new: list[int] = field(default_factory=list)
    new_len: list[int] = field(default_factory=list)
    src: list[int] = field(default_factory=list)
    src_len: list[int] = field(default_factory=list)

    def add(self, new: int, new_len: int, src: int, src_len: int) -> None:
        self.new.append(new)
        self.new_len.append(new_len)
        self.src.append(src)
        self.src_len.append(src_len)

    def _point(self, pos: int, *, end: bool) -> int:
        probe = pos - 1 if end else pos
        i = bisect.bisect_right(self.new, probe) - 1
        if i < 0:
            return pos
        after = self.new[i] + self.new_len[i]
        if probe < after:  # inside the output of an edit: cover the whole edit
            return self.src[i] + self.src_len[i] if end else self.src[i]
        return self.src[i] + self.src_len[i] + (pos - after)

    def span(self, start: int, end: int) -> tuple[int, int]:
        if end <= start:
            point = self._point(start, end=False)
            return point, point
        return self._point(start, end=False), self._point(end, end=True)


@dataclass
class Chain:
    """Two maps applied one after the other (view → intermediate → source)."""

    inner: PositionMap
    outer: PositionMap

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.outer.span(*self.inner.span(start, end))


def apply_edits(text: str, edits: list[tuple[int, int, str]]) -> tuple[str, OffsetMap]:
    """Apply sorted, non-overlapping ``(start, end, replacement)`` edits to ``text``."""
    parts: list[str] = []
    mapping = OffsetMap()
    last = 0
    size = 0
    for start, end, replacement in edits:
        parts.append(text[last:start])
        size += start - last
        parts.append(replacement)
        mapping.add(size, len(replacement), start, end - start)
        size += len(replacement)
        last = end
    parts.append(text[last:])
    return "".join(parts), mapping


def _convert_numerals(match: re.Match[str]) -> str:
    run = match.group()
    text = match.string
    start = match.start()
    while start > 0 and text[start - 1] in _DIGIT_OR_SEP:
        start -= 1
    digits = sum(c.isdigit() or c in CHINESE_DIGITS for c in text[start:match.start()] + run)
    return run.translate(_CN_DIGIT_TABLE) if digits >= _MIN_NUMERAL_RUN else run


def normalize(text: str) -> tuple[str, PositionMap]:
    """Return the normalised view of ``text`` and the map back to ``text``."""
    view = text
    position_map: PositionMap = Identity()
    if not text.isascii():
        edits: list[tuple[int, int, str]] = []
        for match in _SIEVE.finditer(text):
            run = match.group()
            out = run.translate(TABLE)
            if out != run:
                edits.append((match.start(), match.end(), out))
        if edits:
            view, position_map = _rewrite(text, edits)
        view = _NUMERAL_RUN.sub(_convert_numerals, view)
    return view, position_map


def _rewrite(text: str, runs: list[tuple[int, int, str]]) -> tuple[str, PositionMap]:
    """Apply rewritten runs; only characters whose length changes need a map entry."""
    if all(end - start == len(out) for start, end, out in runs):
        parts, last = [], 0
        for start, end, out in runs:
            parts += [text[last:start], out]
            last = end
        parts.append(text[last:])
        return "".join(parts), Identity()
    edits: list[tuple[int, int, str]] = []
    for start, end, _ in runs:
        for offset, char in enumerate(text[start:end], start):
            mapped = TABLE.get(ord(char), char)
            if len(mapped) != 1:
                edits.append((offset, offset + 1, mapped))
    view, mapping = apply_edits(text, edits)
    return view.translate(TABLE), mapping


# -- HTML ------------------------------------------------------------------------------------

_INLINE_TAGS = "span|b|strong|em|i|u|s|mark|small|sub|sup|font|abbr|code|a|wbr|ins|del"
# Separate passes, each starting with a literal, are much faster than one alternation.
_SKIPPED = re.compile(r"<(?:script|style|SCRIPT|STYLE)\b.*?</(?:script|style|SCRIPT|STYLE)\s*>",
                      re.DOTALL)
_INLINE = re.compile(rf"(?:</?(?:{_INLINE_TAGS})\b[^<>]*>)+")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_DIGITISH = frozenset("0123456789０１２３４５６７８９" + CHINESE_DIGITS)


def html_view(text: str) -> tuple[str, PositionMap]:
    """Decode entities, blank scripts and styles, drop inline tags that split a number."""
    edits: list[tuple[int, int, str]] = []
    if "<" in text:
        edits += [(m.start(), m.end(), BOUNDARY) for m in _SKIPPED.finditer(text)]
        for match in _INLINE.finditer(text):
            start, end = match.span()
            if start and end < len(text) and (
                text[start - 1] in _DIGITISH and text[end] in _DIGITISH
            ):
                edits.append((start, end, ""))
    if "&" in text:
        for match in _ENTITY.finditer(text):
            decoded = html.unescape(match.group())
            if decoded != match.group():
                edits.append((match.start(), match.end(), decoded))
    if not edits:
        return text, Identity()
    edits.sort()
    kept: list[tuple[int, int, str]] = []
    for edit in edits:  # drop edits inside a blanked script or style
        if kept and edit[0] < kept[-1][1]:
            continue
        kept.append(edit)
    return apply_edits(text, kept)


# -- JSON ------------------------------------------------------------------------------------

_JSON_ESCAPE = re.compile(r"\\(?:u[0-9a-fA-F]{4}|.)", re.DOTALL)
#: Escapes Python's decoder reads differently from JSON (they never occur in valid JSON).
_NOT_JSON_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\(?:[^u\"\\bfnrt]|u(?![0-9a-fA-F]{4}))")


@dataclass
class EscapeMap:
    """Lazy map for a view where each escape sequence of the source became one character."""

    source: str
    _new: list[int] = field(default_factory=list)
    _src: list[int] = field(default_factory=list)
    _lens: list[int] = field(default_factory=list)
    _built: bool = False

    def _build(self) -> None:
        shift = 0
        for match in _JSON_ESCAPE.finditer(self.source):
            start = match.start()
            self._new.append(start - shift)
            self._src.append(start)
            self._lens.append(match.end() - start)
            shift += match.end() - start - 1
        self._built = True

    def _point(self, pos: int, *, end: bool) -> int:
        if not self._built:
            self._build()
        probe = pos - 1 if end else pos
        i = bisect.bisect_right(self._new, probe) - 1
        if i < 0:
            return pos
        if probe == self._new[i]:
            return self._src[i] + (self._lens[i] if end else 0)
        return self._src[i] + self._lens[i] + (pos - self._new[i] - 1)

    def span(self, start: int, end: int) -> tuple[int, int]:
        if end <= start:
            point = self._point(start, end=False)
            return point, point
        return self._point(start, end=False), self._point(end, end=True)


def json_view(text: str) -> tuple[str, PositionMap]:
    """Decode JSON string escapes so ``\\u59d3\\u540d`` reads as ``姓名``."""
    if "\\" not in text:
        return text, Identity()
    if _NOT_JSON_ESCAPE.search(text):
        return text, Identity()
    raw = text.encode("latin-1", "backslashreplace")
    try:
        decoded = str(codecs.decode(raw, "unicode_escape"))
    except UnicodeDecodeError:
        return text, Identity()
    return decoded, EscapeMap(text)

"""Cleaning submitted text before it is checked: one rule for the server and the page script.

NFKC first (full-width digits and letters become ASCII, so a phone typed on a Chinese keyboard
checks like any other; the full-width punctuation of Chinese sentences is kept), then control,
bidi, zero-width and other invisible characters are dropped: a bidi override could make a
stored name read differently from what it is, and a zero-width space would hide inside an
otherwise valid code.
"""

from __future__ import annotations

import re
import unicodedata

_DROP_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cn", "Cs"})
"""Control, format (zero-width, bidi, BOM, soft hyphen), private-use, unassigned, surrogate."""
_LINE_BREAKS = frozenset({"\n", "\u2028", "\u2029", "\x85", "\x0b", "\x0c"})
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_COMMON_BLOCKS = ((0x20, 0x7E), (0x3000, 0x303F), (0x4E00, 0x9FFF), (0xFF00, 0xFFEF))
"""ASCII, CJK punctuation, CJK ideographs, full-width forms: what almost every answer is."""


def _plain_pattern() -> re.Pattern[str]:
    """Text made only of characters of _COMMON_BLOCKS that clean_text keeps unchanged (no
    line break, tab or dropped category): such text skips the character-by-character pass."""
    ranges: list[list[int]] = []
    for low, high in _COMMON_BLOCKS:
        for code in range(low, high + 1):
            ch = chr(code)
            if ch in _LINE_BREAKS or ch == "\t" or unicodedata.category(ch) in _DROP_CATEGORIES:
                continue
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    spans = "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges)
    return re.compile(f"[{spans}]*")


_PLAIN = _plain_pattern()


CHINESE_PUNCTUATION = frozenset("，！？：；（）")
"""Full-width marks Chinese sentences are written with: kept as typed. NFKC would turn a
"，" into "," and a "（" into "(", which reads wrong in Chinese text (and they hide no digit)."""
_KEEP_RE = re.compile(f"([{''.join(sorted(CHINESE_PUNCTUATION))}])")


def nfkc(value: str) -> str:
    """NFKC, except for the Chinese full-width punctuation in CHINESE_PUNCTUATION."""
    if unicodedata.is_normalized("NFKC", value):
        return value  # the common case, checked in C
    return "".join(part if part in CHINESE_PUNCTUATION else unicodedata.normalize("NFKC", part)
                   for part in _KEEP_RE.split(value))


def clean_text(value: str, *, multiline: bool = False) -> str:
    """`value` normalised: NFKC (Chinese punctuation kept), invisible characters dropped,
    ends stripped.

    A tab becomes a space. Line breaks are kept (as LF) in multi-line text and become spaces
    elsewhere; runs of spaces in single-line text collapse to one.
    """
    text = nfkc(value.replace("\r\n", "\n").replace("\r", "\n"))
    if _PLAIN.fullmatch(text):
        # Nothing to drop or convert, and no line break: one line, as the loop would leave it.
        return text.strip() if multiline else _SPACES.sub(" ", text).strip()
    out = []
    for ch in text:
        if ch in _LINE_BREAKS:
            out.append("\n" if multiline else " ")
        elif ch == "\t":
            out.append(" ")
        elif unicodedata.category(ch) not in _DROP_CATEGORIES:
            out.append(ch)
    cleaned = "".join(out)
    if multiline:
        lines = [line.rstrip() for line in cleaned.split("\n")]
        return "\n".join(lines).strip()
    return _SPACES.sub(" ", cleaned).strip()


def digits_only(value: str) -> str:
    return "".join(ch for ch in value if "0" <= ch <= "9")

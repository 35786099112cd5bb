"""Showing an input value inside a message: escaped, shortened, never misleading.

A value copied from a file into an error message must not hide characters (zero-width,
bidi overrides that reorder the line), nor flood a terminal (a 1 MB cell). `shown` makes it
safe to print; messages put it between “ ” quotes.
"""

from __future__ import annotations

import unicodedata

MAX_SHOWN_CHARS = 80
ESCAPED_NOTE = "（\\u 转义表示不可见字符或控制字符）"
"""Appended by messages that show a value in which `shown` escaped something."""


def _needs_escape(ch: str) -> bool:
    # Cc control, Cf format (zero-width, bidi, BOM), Zl/Zp separators, Co/Cn unassigned.
    return unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp", "Co", "Cn"}


def escape_invisible(value: str) -> str:
    """Every control, format (zero-width, bidi) or unassigned character as a \\uXXXX escape."""
    if value.isprintable():
        return value
    return "".join(f"\\u{ord(ch):04x}" if _needs_escape(ch) else ch for ch in value)


def shown(value: object, limit: int = MAX_SHOWN_CHARS) -> str:
    """`value` as text fit for a message: invisible characters escaped, cut to `limit`."""
    text = escape_invisible(str(value))
    if len(text) > limit:
        text = text[:limit] + f"…（共 {len(str(value)):,} 个字符，已截断）"
    return text


def has_escapes(value: object) -> bool:
    """True when `shown(value)` escaped at least one character."""
    return escape_invisible(str(value)) != str(value)

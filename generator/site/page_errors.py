"""Any failure while rendering a page, as one BuildError naming the page, line and fix.

Pages are jinja2 templates written by staff (site_src/) or shipped with the generator
(generator/templates/). Whatever goes wrong inside one (a syntax error, an unknown name, a
helper such as headline() refusing its argument, a TypeError in an expression), the build
stops with "渲染页面 <page> 第 N 行出错：<what>。<fix>" and never with a traceback.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Iterable
from pathlib import Path

import jinja2

from generator.errors import BuildError, PortalError
from generator.text import ESCAPED_NOTE, has_escapes, shown

RENDER_ERRORS = (jinja2.TemplateError, PortalError, TypeError, ValueError, ArithmeticError,
                 LookupError, AttributeError, RecursionError)
"""What rendering a template can raise; anything else is a bug outside the page."""

SYNTAX_FIX = "请检查该页面中的 {{ }} 和 {% %} 模板语法（括号、引号是否成对，标签是否写错）。"
EXPRESSION_FIX = "请检查该行 {{ }} 或 {% %} 中的表达式。"


def _where(exc: BaseException, page: str, folders: Iterable[Path]
           ) -> tuple[int | None, tuple[str, int] | None]:
    """The page's line where `exc` happened, and the innermost other template and line
    (an included template or a macro) when the error happened inside one."""
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.lineno:
        name = exc.name or page
        return (exc.lineno, None) if name == page else (None, (name, exc.lineno))
    roots = [f.resolve() for f in folders]
    hits: list[tuple[str, int]] = []
    for frame in traceback.extract_tb(exc.__traceback__):
        path = Path(frame.filename)
        for root in roots:
            if path.is_absolute() and path.is_relative_to(root) and frame.lineno:
                hits.append((path.relative_to(root).as_posix(), frame.lineno))
    line = next((n for name, n in reversed(hits) if name == page), None)
    inner = hits[-1] if hits and hits[-1][0] != page else None
    return line, inner


def _reason(exc: BaseException, names: Iterable[str]) -> tuple[str, str]:
    """What went wrong, in Chinese, and how to fix it."""
    text = str(exc)
    detail = shown(text) + (ESCAPED_NOTE if has_escapes(text) else "")
    if isinstance(exc, PortalError):  # e.g. headline() with an unknown name: says what exists
        return exc.format_message().rstrip("。"), "请改用上面列出的名称。"
    if isinstance(exc, jinja2.UndefinedError):
        m = re.fullmatch(r"'([^']+)' is undefined", text)
        if m:
            return (f"名称“{shown(m[1])}”未定义",
                    f"请检查拼写；页面可用的名称有：{'、'.join(sorted(names))}。")
        m = re.fullmatch(r"'(.+)' has no attribute '([^']+)'", text)
        if m:
            return f"“{shown(m[1])}”没有属性“{shown(m[2])}”", EXPRESSION_FIX
        return f"使用了不存在的值（{detail}）", EXPRESSION_FIX
    if isinstance(exc, jinja2.TemplateNotFound):
        return (f"找不到被引用的模板“{shown(exc.name)}”",
                "请检查 {% include %} 或 {% import %} 中的文件名，"
                "被引用的文件应在 site_src/ 或 generator/templates/ 中。")
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"模板语法错误（{detail}）", SYNTAX_FIX
    if isinstance(exc, UnicodeDecodeError):
        return (f"页面不是 UTF-8 编码（第 {exc.start + 1} 个字节无效）",
                "请把该页面另存为 UTF-8 编码。")
    kinds = [
        (ZeroDivisionError, "除数为零"), (KeyError, "找不到键"), (IndexError, "下标超出范围"),
        (TypeError, "类型不匹配"), (ValueError, "数值无效"), (AttributeError, "没有这个属性"),
        (RecursionError, "递归过深"), (jinja2.TemplateError, "模板错误"),
    ]
    label = next((lab for cls, lab in kinds if isinstance(exc, cls)), "计算出错")
    return f"{label}（{detail}）", EXPRESSION_FIX


def page_error(exc: BaseException, page: str, folders: Iterable[Path],
               names: Iterable[str]) -> BuildError:
    """The BuildError for `exc` raised while rendering `page` (its template name)."""
    line, inner = _where(exc, page, list(folders))
    # "p.md 第 3 行出错", "p.md 出错", plus the included template or macro that failed.
    where = page + (f" 第 {line} 行" if line else "")
    if inner:
        where += f"（所引用的模板 {inner[0]} 第 {inner[1]} 行）"
    elif not line:
        where += " "
    what, fix = _reason(exc, names)
    return BuildError(f"渲染页面 {where}出错：{what}。{fix}")

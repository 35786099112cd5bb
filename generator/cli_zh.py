"""Chinese for click's own messages (usage errors, help headings), so staff read no English.

click marks its messages for gettext (`from gettext import gettext as _` in each module), but
a gettext catalog would only be found for a Chinese locale, and servers and CI run with
LANG=C. So `install()` points those module-level names at a lookup in the table below; a
message missing from the table (a newer click) stays in English rather than failing.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

SINGULAR: dict[str, str] = {
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本并退出。",
    "%(prog)s, version %(version)s": "%(prog)s，版本 %(version)s",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行 “{command} {option}” 查看用法。",
    "Aborted!": "已取消。",
    "Missing command.": "缺少命令。",
    "No such command {name!r}.": "没有命令 “{name}”。",
    "No such option {name!r}.": "没有选项 “{name}”。",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Invalid value: {message}": "值无效：{message}",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing {param_type}": "缺少{param_type}",
    "Could not open file {filename!r}: {message}": "无法打开文件 “{filename}”：{message}",
    "Option {name!r} does not take a value.": "选项 “{name}” 不接受值。",
    "Argument {name!r} takes {nargs} values.": "参数 “{name}” 需要 {nargs} 个值。",
    "Invalid start character for option ({option})": "选项的起始字符无效（{option}）",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "{name} {filename!r} does not exist.": "{name} “{filename}” 不存在。",
    "{name} {filename!r} is a directory.": "{name} “{filename}” 是文件夹，应为文件。",
    "{name} {filename!r} is a file.": "{name} “{filename}” 是文件，应为文件夹。",
    "{name} {filename!r} is not readable.": "{name} “{filename}” 不可读。",
    "{name} {filename!r} is not writable.": "{name} “{filename}” 不可写。",
    "{name} {filename!r} is not executable.": "{name} “{filename}” 不可执行。",
    "{value!r} is not a valid {number_type}.": "“{value}” 不是有效的数字（{number_type}）。",
    "{value} is not in the range {range}.": "{value} 不在允许的范围 {range} 内。",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
}
PLURAL: dict[str, tuple[str, str]] = {
    "Got unexpected extra argument ({args})": ("多余的参数（{args}）", "多余的参数（{args}）"),
    "Option {name!r} requires an argument.": ("选项 “{name}” 需要一个值。",
                                              "选项 “{name}” 需要 {nargs} 个值。"),
    "{value!r} is not {choice}.": ("“{value}” 不是 {choice}。",
                                   "“{value}” 不是以下之一：{choices}。"),
    "{value!r} does not match the format {format}.": ("“{value}” 不符合格式 {format}。",
                                                      "“{value}” 不符合格式 {formats}。"),
    "Did you mean {possibility}?": ("您是否想输入 {possibility}？",
                                    "（您是否想输入：{possibilities}？）"),
}
_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "types")


def gettext(message: str) -> str:
    return SINGULAR.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    chosen = PLURAL.get(singular)
    if chosen is None:
        return singular if n == 1 else plural
    return chosen[0] if n == 1 else chosen[1]


def install() -> None:
    """Route click's message lookups through the tables above (idempotent)."""
    replacements: dict[str, Callable[..., str]] = {"_": gettext, "ngettext": ngettext}
    for name in _MODULES:
        module = import_module(f"click.{name}")
        for attr, function in replacements.items():
            if hasattr(module, attr):
                setattr(module, attr, function)

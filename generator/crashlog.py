"""The CLI's last resort: an unforeseen exception becomes a short Chinese message and a log.

The traceback goes to a file only the user can read (folder 0700, file 0600) in a per-user
state folder, never to the terminal or CI logs, and every line is passed through the privacy
scanner's masking first: an exception's message may quote a phone number or an ID number
from the data being processed.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
import tempfile
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path

from generator import __version__

LOG_DIR_ENV = "ECOPORTAL_LOG_DIR"
"""Environment variable naming the folder for crash logs (tests, or a shared machine)."""


def log_dir(environ: Mapping[str, str] | None = None) -> Path:
    """$ECOPORTAL_LOG_DIR, else $XDG_STATE_HOME/ecoportal, else ~/.local/state/ecoportal."""
    env = os.environ if environ is None else environ
    if env.get(LOG_DIR_ENV, "").strip():
        return Path(env[LOG_DIR_ENV].strip()).expanduser()
    state = env.get("XDG_STATE_HOME", "").strip()
    base = Path(state) if state and Path(state).is_absolute() else Path.home() / ".local/state"
    return base / "ecoportal"


def mask_personal_data(text: str) -> str:
    """`text` with every phone number, ID number, e-mail address... the scanner finds masked."""
    from generator.privacy.scan import scan_text

    out, last = [], 0
    for match in scan_text(text):
        if match.start < last:
            continue
        out += [text[last:match.start], match.masked]
        last = match.end
    out.append(text[last:])
    return "".join(out)


def _report(exc: BaseException, argv: Sequence[str]) -> str:
    lines = [
        f"ecoportal {__version__} 内部错误日志",
        f"时间：{dt.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"Python {platform.python_version()}，{platform.platform()}",
        f"命令：ecoportal {' '.join(argv)}",
        "",
        *traceback.format_exception(exc),
    ]
    return mask_personal_data("\n".join(line.rstrip("\n") for line in lines) + "\n")


def _write(folder: Path, text: str) -> Path:
    if not folder.is_dir():
        folder.mkdir(mode=0o700, parents=True)
        os.chmod(folder, 0o700)  # mkdir's mode is reduced by the umask, never widened
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = folder / f"crash-{stamp}-{os.getpid()}.log"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(path, 0o600)
    return path


def write_crash_log(exc: BaseException, argv: Sequence[str] | None = None,
                    environ: Mapping[str, str] | None = None) -> Path | None:
    """Write the masked traceback of `exc`; its path, or None when no folder is writable.

    Falls back to a per-user folder under the system temporary folder.
    """
    text = _report(exc, sys.argv[1:] if argv is None else argv)
    fallback = Path(tempfile.gettempdir()) / f"ecoportal-{os.getuid()}"
    for folder in (log_dir(environ), fallback):
        try:
            return _write(folder, text)
        except OSError:
            continue
    return None


def crash_message(exc: BaseException, path: Path | None) -> str:
    """What the user reads (after "错误："): short, no traceback, where the log is."""
    kind = type(exc).__name__
    where = (f"请把日志文件 {path} 发给维护人员" if path is not None
             else f"日志文件无法写入（请检查 {log_dir()} 是否可写），"
                  "请把本条信息和所用命令发给维护人员")
    return (f"程序内部出错（{kind}）。这不是您的操作问题，{where}。"
            "原网站和输入文件未被修改。")

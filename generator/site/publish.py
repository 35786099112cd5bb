"""Where the build may write, its temporary folders, and the final swap into place.

Nothing lost: `check_site_dir` runs before any work and refuses a `--site-dir` that is, holds
or lies inside the project root or one of its sources (the package being published, data/,
site_src/, generator/, mkdocs.yml, tests/, .git/, and .build/ where the build works; symlinks
resolved), an existing file, or a non-empty folder that no earlier build created. A folder
counts as a previous build when it holds the marker file MARKER (written into every new site),
or when it is the project's own default `<root>/site` (sites built before the marker existed).
A missing parent folder is created only after every check passed.

Temporary folders carry the owning process id in their name (`.build/docs-<pid>-*` under the
project root, `.site-new-<pid>-*` and `.site-old-<pid>-*` beside the site). They are removed on
every failure path; one left by a killed build is removed by the next build, and only when no
process with that id is alive, so two builds running at once never delete each other's work.
On Windows, where a process cannot be probed safely, stale folders are left alone.

The swap. A web server serving the site must find it missing for as short a time as the
platform allows. On Linux (kernel 3.15+, a file system supporting it: ext4, xfs, btrfs, tmpfs
and most others) renameat2(RENAME_EXCHANGE) exchanges the new and the old folder in one atomic
step: there is no moment without a site. Elsewhere, or when the file system refuses the
exchange (ENOSYS, EINVAL, EOPNOTSUPP), the old folder is renamed aside and the new one renamed
into place: two renames in the same folder, a gap of microseconds. If the second rename fails
the old folder is renamed back. The old site is deleted only after the new one is in place.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import errno
import json
import os
import re
import secrets
import shutil
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from generator import __version__
from generator.errors import BuildError
from generator.fileio import write_text_atomic
from generator.paths import ProjectPaths
from generator.text import ESCAPED_NOTE, has_escapes, shown

MARKER = ".ecoportal-site.json"
"""Written into every site the build publishes; marks a folder the build may replace."""

DOCS_PREFIX = "docs-"
NEW_PREFIX = ".site-new-"
OLD_PREFIX = ".site-old-"

FIX = "请用 --site-dir 指定一个新的或空的文件夹，或此前由 ecoportal build 生成的网站文件夹。"
OVERLAP = "网站文件夹在每次构建时会被整体替换，不能与项目的源文件重叠。"

_PATH_LIMIT = 260  # paths are shown whole (up to a long Windows path), still escaped


def _show(path: Path) -> str:
    return shown(path, limit=_PATH_LIMIT)


def _refuse(site: Path, reason: str) -> BuildError:
    note = ESCAPED_NOTE if has_escapes(site) else ""
    return BuildError(f"不能把网站输出到 {_show(site)}：{reason}。{FIX}{note}")


def _sources(paths: ProjectPaths, package: Path) -> list[tuple[str, Path]]:
    code = Path(__file__).resolve().parents[1]  # the generator package actually running
    return [
        ("要发布的数据包", package),
        ("项目的数据文件夹", paths.data),
        ("项目的手写页面文件夹", paths.site_src),
        ("项目的程序代码", paths.root / "generator"),
        ("程序代码", code),
        ("项目的网站配置文件", paths.mkdocs_yml),
        ("项目的测试文件夹", paths.root / "tests"),
        ("项目的版本库", paths.root / ".git"),
        ("项目的临时构建文件夹", paths.root / ".build"),
    ]


def _shown_source(paths: ProjectPaths, source: Path) -> str:
    try:
        return _show(source.relative_to(paths.root))
    except ValueError:
        return _show(source)


def is_previous_build(folder: Path) -> bool:
    """True when `folder` holds the marker of a site written by ecoportal build."""
    try:
        marker = json.loads((folder / MARKER).read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(marker, dict) and marker.get("generator") == "ecoportal"


def _is_empty(folder: Path) -> bool:
    with os.scandir(folder) as entries:
        return next(entries, None) is None


def check_site_dir(paths: ProjectPaths, package: Path, site_dir: Path) -> Path:
    """Refuse an unsafe `site_dir` (absolute) with BuildError; return the folder to replace.

    The returned path has its symlinks resolved: a `site` symlink to /srv/www/portal publishes
    into /srv/www/portal and leaves the link itself alone.
    """
    shown_site = Path(os.path.abspath(site_dir))
    target = site_dir.resolve()
    root = paths.root.resolve()
    if target == root:
        raise _refuse(shown_site, "这是项目文件夹本身。" + OVERLAP[:-1])
    if root.is_relative_to(target):
        raise _refuse(shown_site, f"它包含项目文件夹 {_show(root)}。" + OVERLAP[:-1])
    sources = [(label, source, source.resolve()) for label, source in _sources(paths, package)]
    tests = (
        (lambda real: target == real, "这是{}"),
        (lambda real: target.is_relative_to(real), "它位于{} 之内"),
        (lambda real: real.is_relative_to(target), "它包含{}"),
    )
    for overlaps, reason in tests:  # exact match first: `data` is the data folder, not
        for label, source, real in sources:  # "a folder holding the package"
            if overlaps(real):
                where = f"{label} {_shown_source(paths, source)}"
                raise _refuse(shown_site, reason.format(where) + "。" + OVERLAP[:-1])
    if target.exists() and not target.is_dir():
        raise _refuse(shown_site, "这是一个已有的文件，不是文件夹；构建不会删除或替换它")
    if target.is_dir():
        default = target == root / "site"
        if not (default or _is_empty(target) or is_previous_build(target)):
            raise _refuse(shown_site, (
                "该文件夹不是空的，也不是 ecoportal build 生成的网站"
                f"（其中没有标记文件 {MARKER}），整体替换会删除其中原有的文件"))
        return target
    blocker = next(p for p in target.parents if p.exists())
    if not blocker.is_dir():
        raise _refuse(shown_site, f"上级路径 {_show(blocker)} 是一个文件，不是文件夹，"
                                  "无法在其中创建网站文件夹")
    return target


def prepare_parent(target: Path) -> None:
    """Create the missing parents of `target` (after every check passed) or refuse clearly."""
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = "没有写权限" if isinstance(exc, PermissionError) else (exc.strerror or str(exc))
        raise BuildError(
            f"无法创建网站文件夹的上级文件夹 {_show(parent)}：{reason}。"
            "请检查该路径和权限，或用 --site-dir 指定另一个位置。") from exc
    if not os.access(parent, os.W_OK | os.X_OK):
        raise BuildError(
            f"无法在 {_show(parent)} 中写入：没有写权限（新网站先在网站文件夹旁生成，"
            "再换入原位置）。请检查权限，或用 --site-dir 指定另一个位置。")


def write_marker(site: Path) -> None:
    """Mark `site` as written by this build (the next build may replace it)."""
    marker = {
        "generator": "ecoportal",
        "version": __version__,
        "built_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "note": "由 ecoportal build 生成；下次构建会整体替换本文件夹。",
    }
    write_text_atomic(site / MARKER, json.dumps(marker, ensure_ascii=False, indent=2) + "\n")


# --- temporary folders --------------------------------------------------------------------

def _pid_alive(pid: int) -> bool:
    if sys.platform == "win32":  # os.kill would terminate it; never treat a folder as stale
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: alive, owned by someone else
        return True
    return True


def clean_stale(folder: Path, prefixes: Iterable[str]) -> list[Path]:
    """Remove our temporary folders in `folder` whose owning process is gone; return them."""
    # `<prefix><pid>-<token>`; a bare `<prefix><pid>` is what earlier versions left.
    pattern = re.compile("^(?:" + "|".join(re.escape(p) for p in prefixes) + r")(\d+)(?:-|$)")
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = pattern.match(entry.name)
        if not match or not entry.is_dir(follow_symlinks=False):
            continue
        pid = int(match.group(1))
        if pid != os.getpid() and not _pid_alive(pid):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(Path(entry.path))
    return removed


@contextmanager
def temp_folder(parent: Path, prefix: str) -> Iterator[Path]:
    """A fresh folder `<prefix><pid>-*` in `parent`, removed on exit whatever happens."""
    parent.mkdir(parents=True, exist_ok=True)
    while True:  # not tempfile.mkdtemp: its 0700 would hide the site from the web server
        folder = parent / f"{prefix}{os.getpid()}-{secrets.token_hex(4)}"
        try:
            folder.mkdir()  # permissions from the umask, like any folder the user creates
            break
        except FileExistsError:
            continue
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --- the swap -----------------------------------------------------------------------------

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_UNSUPPORTED = {errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP}


def exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two existing folders; False when the platform cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # no libc symbol (old glibc, musl)
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in _UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


def swap(new_site: Path, target: Path) -> None:
    """Put `new_site` in place of `target`; afterwards `new_site` no longer exists.

    On failure `target` is what it was before and BuildError says so.
    """
    try:
        if not target.exists():
            os.rename(new_site, target)
            return
        if exchange(new_site, target):
            shutil.rmtree(new_site, ignore_errors=True)  # now holds the old site
            return
        _two_renames(new_site, target)
    except OSError as exc:
        raise BuildError(
            f"无法把新网站放到 {_show(target)}：{exc.strerror or exc}。原网站保持不变。"
            "请检查该文件夹是否被其他程序占用、是否有写权限，然后重新构建。") from exc


def _two_renames(new_site: Path, target: Path) -> None:
    old = target.with_name(f"{OLD_PREFIX}{os.getpid()}-{secrets.token_hex(4)}")
    os.rename(target, old)
    try:
        os.rename(new_site, target)
    except BaseException:
        if not target.exists():
            os.rename(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)

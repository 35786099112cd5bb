"""Nothing lost: which --site-dir the build refuses (before any work), temporary folders, swap.

Refusals run the real CLI against a small stand-in project (every file digested before and
after, and no new folder may appear) and against the real checkout (safe: refusals happen
before any work). Cases that build use a copy of the project's sources and tmp site folders.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.errors import BuildError
from generator.site import publish
from generator.site.publish import MARKER, clean_stale, exchange, swap, write_marker
from tests.broken_inputs import assert_refused, run_cli, tree_digest
from tests.conftest import BUILD_DAY, ROOT

FIX = "请用 --site-dir 指定一个新的或空的文件夹，或此前由 ecoportal build 生成的网站文件夹。"
OVERLAP = "网站文件夹在每次构建时会被整体替换，不能与项目的源文件重叠。"


def refused(site: Path | str, reason: str) -> str:
    return f"错误：不能把网站输出到 {site}：{reason}。{FIX}"


def overlap(site: Path | str, reason: str) -> str:
    return refused(site, f"{reason}。{OVERLAP[:-1]}")


def snapshot(folder: Path) -> tuple[dict[str, str], list[str]]:
    """Every file's digest and every entry (empty folders and symlinks included)."""
    entries = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))
    return tree_digest(folder), entries


# --- refusals against a stand-in project ---------------------------------------------------

@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project's shape (the CLI uses the current folder as the project root)."""
    root = tmp_path / "project"
    for name in ("data/complaints", "data/reference", "site_src/guides", "generator", "tests",
                 ".git"):
        (root / name).mkdir(parents=True)
        (root / name / "keep.txt").write_text(f"{name}\n", "utf-8")
    (root / "mkdocs.yml").write_text("site_name: 门户\n", "utf-8")
    shutil.copy(ROOT / "data" / "settings.yml", root / "data" / "settings.yml")
    (tmp_path / "notes.txt").write_text("别人的文件\n", "utf-8")
    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "index.html").write_text("<p>别人的网站</p>\n", "utf-8")
    monkeypatch.chdir(root)
    return root


def _refusal_cases(tmp: Path) -> list[tuple[list[str], str]]:
    root = tmp / "project"
    (tmp / "link-to-data").symlink_to(root / "data")
    (tmp / "link-to-notes").symlink_to(tmp / "notes.txt")
    (tmp / "elsewhere" / "pkg").mkdir(parents=True)
    (tmp / "bad-marker").mkdir()
    (tmp / "bad-marker" / MARKER).write_text("not json", "utf-8")
    (tmp / "bad-marker" / "a.html").write_text("x", "utf-8")
    foreign = ("该文件夹不是空的，也不是 ecoportal build 生成的网站"
               f"（其中没有标记文件 {MARKER}），整体替换会删除其中原有的文件")
    return [
        (["."], overlap(root, "这是项目文件夹本身")),
        (["data/complaints"], overlap(root / "data/complaints",
                                      "这是要发布的数据包 data/complaints")),
        (["data"], overlap(root / "data", "这是项目的数据文件夹 data")),
        (["data/reference"], overlap(root / "data/reference",
                                     "它位于项目的数据文件夹 data 之内")),
        (["data/complaints/site"], overlap(root / "data/complaints/site",
                                           "它位于要发布的数据包 data/complaints 之内")),
        (["site_src/guides"], overlap(root / "site_src/guides",
                                      "它位于项目的手写页面文件夹 site_src 之内")),
        (["site_src/new-site"], overlap(root / "site_src/new-site",
                                        "它位于项目的手写页面文件夹 site_src 之内")),
        (["generator"], overlap(root / "generator", "这是项目的程序代码 generator")),
        (["mkdocs.yml"], overlap(root / "mkdocs.yml", "这是项目的网站配置文件 mkdocs.yml")),
        (["tests"], overlap(root / "tests", "这是项目的测试文件夹 tests")),
        ([".git"], overlap(root / ".git", "这是项目的版本库 .git")),
        ([".build"], overlap(root / ".build", "这是项目的临时构建文件夹 .build")),
        ([".."], overlap(tmp, f"它包含项目文件夹 {root}")),
        (["/"], overlap("/", f"它包含项目文件夹 {root}")),
        ([str(tmp / "link-to-data")], overlap(tmp / "link-to-data",
                                              "这是项目的数据文件夹 data")),
        (["--package", str(tmp / "elsewhere" / "pkg"), str(tmp / "elsewhere")],
         overlap(tmp / "elsewhere", f"它包含要发布的数据包 {tmp / 'elsewhere' / 'pkg'}")),
        ([str(tmp / "notes.txt")],
         refused(tmp / "notes.txt", "这是一个已有的文件，不是文件夹；构建不会删除或替换它")),
        ([str(tmp / "link-to-notes")],
         refused(tmp / "link-to-notes", "这是一个已有的文件，不是文件夹；构建不会删除或替换它")),
        ([str(tmp / "www")], refused(tmp / "www", foreign)),
        ([str(tmp / "bad-marker")], refused(tmp / "bad-marker", foreign)),
        ([str(tmp / "notes.txt" / "site")],
         refused(tmp / "notes.txt" / "site",
                 f"上级路径 {tmp / 'notes.txt'} 是一个文件，不是文件夹，无法在其中创建网站文件夹")),
        ([str(tmp / "notes.txt" / "a" / "b" / "site")],
         refused(tmp / "notes.txt" / "a" / "b" / "site",
                 f"上级路径 {tmp / 'notes.txt'} 是一个文件，不是文件夹，无法在其中创建网站文件夹")),
    ]


CASE_COUNT = 22


@pytest.mark.parametrize("case", range(CASE_COUNT))
def test_unsafe_site_dir_is_refused_and_nothing_is_touched(
        project: Path, tmp_path: Path, case: int) -> None:
    cases = _refusal_cases(tmp_path)
    assert len(cases) == CASE_COUNT
    args, message = cases[case]
    *options, site = args
    before = snapshot(tmp_path)
    result = run_cli(["build", *options, "--site-dir", site], untouched=[tmp_path])
    assert_refused(result, message)
    assert snapshot(tmp_path) == before  # no folder created, not even .build/


def test_default_site_symlinked_to_a_foreign_folder_is_refused(
        project: Path, tmp_path: Path) -> None:
    (project / "site").symlink_to(tmp_path / "www")
    before = snapshot(tmp_path)
    result = run_cli(["build"], untouched=[tmp_path])
    assert_refused(result, refused(project / "site", (
        "该文件夹不是空的，也不是 ecoportal build 生成的网站"
        f"（其中没有标记文件 {MARKER}），整体替换会删除其中原有的文件")))
    assert snapshot(tmp_path) == before


def test_serve_refuses_a_folder_or_file_that_is_not_a_site(project: Path) -> None:
    message = f"错误：{project / 'site'} 中没有网站。请先运行 `ecoportal build`。"
    (project / "site").mkdir()
    (project / "site" / "notes.txt").write_text("x", "utf-8")
    assert_refused(run_cli(["serve", "--no-build"], untouched=[project]), message)
    shutil.rmtree(project / "site")
    (project / "site").write_text("a file", "utf-8")
    assert_refused(run_cli(["serve", "--no-build"], untouched=[project]), message)


# --- refusals against the real checkout ----------------------------------------------------

@pytest.mark.parametrize(("site", "message"), [
    (".", overlap(ROOT, "这是项目文件夹本身")),
    ("data/complaints", overlap(ROOT / "data/complaints", "这是要发布的数据包 data/complaints")),
    ("data", overlap(ROOT / "data", "这是项目的数据文件夹 data")),
    ("site_src/guides", overlap(ROOT / "site_src/guides",
                                "它位于项目的手写页面文件夹 site_src 之内")),
    ("generator", overlap(ROOT / "generator", "这是项目的程序代码 generator")),
    ("mkdocs.yml", overlap(ROOT / "mkdocs.yml", "这是项目的网站配置文件 mkdocs.yml")),
    ("..", overlap(ROOT.parent, f"它包含项目文件夹 {ROOT}")),
])
def test_real_project_sources_are_refused(
        monkeypatch: pytest.MonkeyPatch, site: str, message: str) -> None:
    monkeypatch.chdir(ROOT)
    listing = sorted(os.listdir(ROOT))
    build_dir = sorted(os.listdir(ROOT / ".build")) if (ROOT / ".build").exists() else []
    untouched = [ROOT / "data" / "complaints", ROOT / "mkdocs.yml", ROOT / "site_src"]
    assert_refused(run_cli(["build", "--site-dir", site], untouched=untouched), message)
    assert sorted(os.listdir(ROOT)) == listing
    if (ROOT / ".build").exists():
        assert not set(os.listdir(ROOT / ".build")) - set(build_dir)


# --- temporary folders and the swap (no build needed) -------------------------------------

def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_stale_temp_folders_of_dead_processes_only_are_removed(tmp_path: Path) -> None:
    dead, alive, mine = _dead_pid(), 1, os.getpid()
    names = [f".site-new-{dead}-ab12", f".site-old-{dead}-cd34", f".site-new-{alive}-ef56",
             f".site-new-{mine}-0000", ".site-new-notapid", f".site-newer-{dead}-x",
             f"site-new-{dead}-x", f".site-old-{dead}", f".site-old-{dead}x"]
    for name in names:
        (tmp_path / name).mkdir()
        (tmp_path / name / "index.html").write_text("x", "utf-8")
    (tmp_path / f".site-old-{dead}-file").write_text("a file, not ours", "utf-8")
    (tmp_path / f".site-new-{dead}-link").symlink_to(tmp_path / names[2])
    removed = clean_stale(tmp_path, [".site-new-", ".site-old-"])
    assert sorted(p.name for p in removed) == sorted([*names[:2], f".site-old-{dead}"])
    left = {p.name for p in tmp_path.iterdir()}
    assert left == {*names[2:-2], names[-1], f".site-old-{dead}-file", f".site-new-{dead}-link"}


def _site(folder: Path, text: str) -> Path:
    folder.mkdir()
    (folder / "index.html").write_text(text, "utf-8")
    write_marker(folder)
    return folder


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux only")
def test_exchange_swaps_two_folders_atomically(tmp_path: Path) -> None:
    a, b = _site(tmp_path / "a", "A"), _site(tmp_path / "b", "B")
    if not exchange(a, b):
        pytest.skip("this file system does not support RENAME_EXCHANGE")
    assert (a / "index.html").read_text("utf-8") == "B"
    assert (b / "index.html").read_text("utf-8") == "A"


@pytest.mark.parametrize("can_exchange", [True, False])
def test_swap_replaces_the_old_site_and_leaves_no_temp_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, can_exchange: bool) -> None:
    if not can_exchange:
        monkeypatch.setattr(publish, "exchange", lambda a, b: False)
    old, new = _site(tmp_path / "site", "old"), _site(tmp_path / ".site-new-1-x", "new")
    swap(new, old)
    assert (old / "index.html").read_text("utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_failed_second_rename_puts_the_old_site_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(publish, "exchange", lambda a, b: False)
    old, new = _site(tmp_path / "site", "old"), _site(tmp_path / ".site-new-1-x", "new")
    before = tree_digest(old)
    real_rename = os.rename

    def rename(src: object, dst: object) -> None:
        if Path(str(src)) == new:
            raise PermissionError(13, "Permission denied")
        real_rename(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(publish.os, "rename", rename)
    with pytest.raises(BuildError) as info:
        swap(new, old)
    assert info.value.message == (
        f"无法把新网站放到 {old}：Permission denied。原网站保持不变。"
        "请检查该文件夹是否被其他程序占用、是否有写权限，然后重新构建。")
    assert tree_digest(old) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site-new-1-x", "site"]


# --- successful builds: a new, an empty, a previous and the default site ---------------

@pytest.fixture(scope="module")
def small_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from generator.sample import write_sample

    out = tmp_path_factory.mktemp("small") / "complaints"
    write_sample(out, end_month=dt.date(2026, 10, 1), months=6, records=3000, seed=11)
    return out


def _build(root: Path, package: Path, site: Path) -> list[str]:
    from generator.pipeline import build_site

    lines: list[str] = []
    build_site(root, package=package, site_dir=site, echo=lines.append, today=BUILD_DAY)
    return lines


def _assert_complete(site: Path) -> None:
    assert (site / "index.html").is_file()
    assert (site / "data" / "datapackage.json").is_file()
    assert publish.is_previous_build(site)
    assert not [p for p in site.parent.iterdir() if p.name.startswith(".site-")]


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["missing nested", "empty", "previous build"])
def test_build_into_a_new_an_empty_or_a_previous_site(
        small_package: Path, tmp_path: Path, kind: str) -> None:
    site = tmp_path / "a" / "b" / "site" if kind == "missing nested" else tmp_path / "site"
    if kind == "empty":
        site.mkdir()
    if kind == "previous build":
        _site(site, "old")
        (site / "old-page.html").write_text("old", "utf-8")
    _build(ROOT, small_package, site)
    _assert_complete(site)
    assert not (site / "old-page.html").exists()
    assert "old" not in (site / "index.html").read_text("utf-8")[:20]


@pytest.mark.slow
def test_default_site_of_an_older_build_without_marker_is_replaced(
        small_package: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "site_src", project / "site_src")
    shutil.copytree(ROOT / "data", project / "data", ignore=shutil.ignore_patterns("complaints"))
    shutil.copytree(ROOT / "forms", project / "forms")
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    (project / "generator").symlink_to(ROOT / "generator")
    (project / "site").mkdir()
    (project / "site" / "index.html").write_text("older build", "utf-8")
    _build(project, small_package, Path("site"))
    _assert_complete(project / "site")
    # No temporary folder is left; the disclosure engine's kept results may stay.
    assert not [p for p in (project / ".build").iterdir() if p.name != "disclosure"]


@pytest.mark.slow
def test_interrupted_build_removes_its_temp_folders_and_keeps_the_old_site(
        small_package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.site import mkdocs_build

    site = _site(tmp_path / "site", "old")
    before = snapshot(tmp_path)

    def interrupt(config: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(mkdocs_build, "run_mkdocs", interrupt)
    with pytest.raises(KeyboardInterrupt):
        _build(ROOT, small_package, site)
    assert snapshot(tmp_path) == before
    assert not list((ROOT / ".build").glob(f"docs-{os.getpid()}-*"))


# --- sample --out writes only its own files -----------------------------------------------

def test_sample_into_a_folder_with_other_files_leaves_them_alone(tmp_path: Path) -> None:
    out = tmp_path / "pkg"
    (out / "notes").mkdir(parents=True)
    (out / "README.txt").write_text("说明\n", "utf-8")
    (out / "notes" / "a.md").write_text("# 笔记\n", "utf-8")
    others = [out / "README.txt", out / "notes"]
    result = run_cli(["sample", "--out", str(out), "--months", "1", "--records", "20"],
                     untouched=others)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "README.txt", "complaints.csv", "datapackage.json", "notes"]


def test_sample_out_pointing_at_a_file_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "pkg.csv"
    out.write_text("别动我\n", "utf-8")
    result = run_cli(["sample", "--out", str(out), "--months", "1", "--records", "20"],
                     untouched=[tmp_path])
    assert_refused(result, f"错误：无法写出样例数据包：{out} 已存在但不是文件夹。"
                           "请删除或改名该文件，或用 --out 指定另一个文件夹。")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg.csv"]


def test_sample_out_below_a_file_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("别动我\n", "utf-8")
    out = tmp_path / "notes.txt" / "pkg"
    result = run_cli(["sample", "--out", str(out), "--months", "1", "--records", "20"],
                     untouched=[tmp_path])
    assert_refused(result, f"错误：无法写出样例数据包：{tmp_path / 'notes.txt'} "
                           "已存在但不是文件夹。请删除或改名该文件，或用 --out 指定另一个文件夹。")


def test_site_parent_that_cannot_be_created_is_refused(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_permission(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "mkdir", no_permission)
    site = tmp_path / "srv" / "www" / "site"
    result = run_cli(["build", "--site-dir", str(site)], untouched=[tmp_path])
    assert_refused(result, f"错误：无法创建网站文件夹的上级文件夹 {site.parent}：没有写权限。"
                           "请检查该路径和权限，或用 --site-dir 指定另一个位置。")
    assert not (tmp_path / "srv").exists()


def test_site_parent_without_write_permission_is_refused(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "readonly").mkdir()
    site = tmp_path / "readonly" / "site"
    real_access = os.access
    monkeypatch.setattr(publish.os, "access", lambda path, mode, **kw: (
        Path(path) != site.parent and real_access(path, mode, **kw)))
    before = snapshot(tmp_path)
    result = run_cli(["build", "--site-dir", str(site)], untouched=[tmp_path])
    assert_refused(result, f"错误：无法在 {site.parent} 中写入：没有写权限"
                           "（新网站先在网站文件夹旁生成，再换入原位置）。"
                           "请检查权限，或用 --site-dir 指定另一个位置。")
    assert snapshot(tmp_path) == before

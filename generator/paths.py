"""Where a project's files live: one resolver used by every command and stage.

A project is a folder holding mkdocs.yml and data/settings.yml (the checkout, or a bureau's
own copy). The CLI finds it once (`--project`, else the nearest such folder at or above the
current directory) and passes it down; no module guesses paths from the current directory.
There is deliberately no fallback to the checkout the package was installed from: a command
run in the wrong folder must not write into some other project.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from generator.errors import ConfigError
from generator.settings import SETTINGS_FILE, Settings, load_settings


@dataclass(frozen=True)
class ProjectPaths:
    """Where the project's inputs and outputs live."""

    root: Path
    """Project root: the folder holding mkdocs.yml and data/settings.yml (absolute)."""

    @property
    def data(self) -> Path:
        """Data packages, reference data, metrics, limits, cases and profiles."""
        return self.root / "data"

    @property
    def complaints(self) -> Path:
        """The anonymized complaints data package that `build` publishes by default."""
        return self.data / "complaints"

    @property
    def settings_file(self) -> Path:
        """Deployment settings (data/settings.yml)."""
        return self.root / SETTINGS_FILE

    @cached_property
    def settings(self) -> Settings:
        """The deployment settings, read once."""
        return load_settings(self.settings_file, self.root)

    @property
    def reference(self) -> Path:
        """Districts, streets and the category taxonomy (settings `reference.folder`)."""
        return self.settings.reference.folder

    @property
    def metrics_file(self) -> Path:
        """Definitions of the published measures (data/metrics.yml)."""
        return self.data / "metrics.yml"

    @property
    def limits_file(self) -> Path:
        """Legal limits shown in the guides (data/limits.yml)."""
        return self.data / "limits.yml"

    @property
    def releases(self) -> Path:
        """What each earlier release published (data/releases/<YYYY-MM>.jsonl): written by
        the build, committed by staff, read by later builds."""
        return self.data / "releases"

    @property
    def cases(self) -> Path:
        """Typical cases, one YAML file each (data/cases/)."""
        return self.data / "cases"

    @property
    def profiles(self) -> Path:
        """Import profiles of raw exports (data/profiles/)."""
        return self.data / "profiles"

    @property
    def site_src(self) -> Path:
        """Hand-written Markdown pages."""
        return self.root / "site_src"

    @property
    def mkdocs_yml(self) -> Path:
        """The mkdocs configuration."""
        return self.root / "mkdocs.yml"

    @property
    def site(self) -> Path:
        """The published static site (replaced atomically by `build`)."""
        return self.root / "site"

    @property
    def work(self) -> Path:
        """Temporary build folders (.build/, git-ignored)."""
        return self.root / ".build"


def is_project(folder: Path) -> bool:
    return (folder / "mkdocs.yml").is_file() and (folder / SETTINGS_FILE).is_file()


def find_project(explicit: Path | None = None, start: Path | None = None) -> ProjectPaths:
    """`explicit` (--project), else the nearest project at or above `start` (default: the
    current directory)."""
    if explicit is not None:
        root = explicit.resolve()
        if not is_project(root):
            raise ConfigError(
                f"{root} 不是门户项目文件夹：其中应有 mkdocs.yml 和 {SETTINGS_FILE}。"
                "请用 --project 指定项目文件夹（含 data/ 和 site_src/ 的那一层）。")
        return ProjectPaths(root)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if is_project(folder):
            return ProjectPaths(folder)
    raise ConfigError(
        f"找不到门户项目文件夹（含 mkdocs.yml 和 {SETTINGS_FILE}）："
        f"当前文件夹 {here} 及其上级都不是。"
        "请进入项目文件夹运行，或用 --project 指定。")

"""The release manifest (site/data/release.json) and the 本次更新 page's context.

The manifest says what a release was built from and what it published, so anyone can check
that a copy of the site is the one the bureau built: sha256 of every input (the package's
CSV and descriptor, the reference files, the release records of earlier releases) and of
every configuration file, the generator's version (and git commit when run from a checkout),
the build time in the city's time zone, the data period with its provisional months, a
sha256 per published CSV, and the figures revised since earlier releases. Paths are relative
to the project root (a file outside it is named after its role, e.g. `<package>/x.csv`): an
absolute path would publish the machine's layout.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import json
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

import generator
from generator.fileio import write_atomic
from generator.paths import ProjectPaths
from generator.site.contexts import Figure
from generator.site.format import csv_cell, month_zh
from generator.stats.history import Revisions, figure

MANIFEST = "release.json"
FORMAT = "ecoportal-release-manifest/1"
REASONS = {"provisional": "此前为初步数据", "correction": "数据更正"}
"""How the page explains a revision (generator.stats.history.Revisions reasons)."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table as site/data writes it (generator.site.opendata): tokens, LF, no index."""
    text: str = frame.map(csv_cell).to_csv(index=False, lineterminator="\n")
    return text.encode("utf-8")


def _label(path: Path, root: Path, anchors: Mapping[str, Path]) -> str:
    """`path` relative to the project root, else to the first anchor (role) holding it."""
    resolved = path.resolve()
    for name, base in {"": root, **anchors}.items():
        try:
            rel = resolved.relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
        return f"<{name}>/{rel}" if name else rel
    return f"<外部文件>/{path.name}"


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def _hashes(paths: Iterable[Path], root: Path, anchors: Mapping[str, Path]) -> dict[str, str]:
    return {_label(p, root, anchors): sha256_file(p) for p in paths if p.is_file()}


def git_commit(folder: Path) -> str | None:
    """The commit of the git checkout holding `folder` (the generator's own sources), or
    None: no git, not a checkout, or the generator is not tracked there. Never fails."""
    try:
        tracked = subprocess.run(
            ["git", "-C", str(folder), "ls-files", "--error-unmatch", "__init__.py"],
            capture_output=True, timeout=10, check=False)
        if tracked.returncode != 0:
            return None
        head = subprocess.run(["git", "-C", str(folder), "rev-parse", "HEAD"],
                              capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    commit = head.stdout.strip()
    return commit if head.returncode == 0 and len(commit) == 40 else None


def generator_version() -> str:
    """The installed ecoportal version, else the package's own __version__."""
    try:
        return importlib.metadata.version("ecoportal")
    except importlib.metadata.PackageNotFoundError:
        from generator import __version__
        return __version__


def release_manifest(paths: ProjectPaths, *, package_csv: Path, descriptor: Path,
                     data_period: tuple[str, str], provisional_months: Sequence[str],
                     built_at: dt.datetime, tables: Mapping[str, pd.DataFrame],
                     revisions: Revisions | None = None,
                     releases: Path | None = None) -> dict[str, Any]:
    """The manifest of this release (see the module docstring). `tables` are the published
    tables by CSV name (generator.site.opendata.tables); `releases` is the folder of release
    records (default data/releases), of which those earlier than this release are inputs;
    `revisions` (generator.stats.history.revisions) are listed in full; a naive `built_at`
    is taken as local time of the settings' time zone."""
    root, zone = paths.root, paths.settings.data.zone
    anchors = {"package": package_csv.parent, "reference": paths.reference}
    stamp = built_at.replace(tzinfo=zone) if built_at.tzinfo is None else built_at
    records = releases if releases is not None else paths.data / "releases"
    # Only the records this build read (earlier releases): its own record, written after
    # the manifest, is an output.
    earlier = [p for p in _files(records) if p.suffix == ".jsonl" and p.stem < data_period[1]]
    config = [paths.metrics_file, paths.settings_file, paths.limits_file, paths.mkdocs_yml,
              *_files(paths.cases)]
    return {
        "format": FORMAT,
        "release": data_period[1],
        "built_at": stamp.astimezone(zone).isoformat(timespec="seconds"),
        "generator": {"name": "ecoportal", "version": generator_version(),
                      "commit": git_commit(Path(generator.__file__).parent)},
        "data_period": {"first_month": data_period[0], "last_month": data_period[1],
                        "provisional_months": sorted(provisional_months)},
        "inputs": _hashes([package_csv, descriptor, *_files(paths.reference), *earlier],
                          root, anchors),
        "configuration": _hashes(config, root, anchors),
        "published": {f"{name}.csv": hashlib.sha256(csv_bytes(frame)).hexdigest()
                      for name, frame in sorted(tables.items())},
        "revisions": [] if revisions is None else [
            {"table": r.table, "key": dict(zip(r.key_columns, r.key, strict=True)),
             "column": r.column, "old": r.old, "new": r.new, "release": r.release,
             "reason": r.reason} for r in revisions.items],
    }


def write_manifest(site_data_dir: Path, manifest: Mapping[str, Any]) -> Path:
    """site_data_dir/release.json: sorted keys, UTF-8, Chinese as is, written atomically."""
    site_data_dir.mkdir(parents=True, exist_ok=True)
    text = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=2) + "\n"
    return write_atomic(site_data_dir / MANIFEST, text.encode("utf-8"))


# --- the 本次更新 page ----------------------------------------------------------------------

@dataclass(frozen=True)
class RevisedFigure:
    """One published figure that differs from what an earlier release published."""

    table: str
    """The table's Chinese title (核心指标)."""
    file: str
    """Its open-data file, e.g. kpis.csv."""
    cell: str
    """Which row: its key values, months in Chinese (2026年9月 · 全市 · 诉求总量)."""
    column: str
    """The column's Chinese title (数值, 件数…)."""
    old: Figure
    """The value published before (a number or a mark)."""
    new: Figure
    """The value published now."""
    kind: str
    """How both read: count (num), rate (pct), score or decimal."""
    why: str
    """此前为初步数据, or 数据更正 when a final figure changed."""
    release: str
    """The release (YYYY-MM) that published the old value."""


@dataclass(frozen=True)
class UpdatesContext:
    """The 本次更新 page: what this release adds, finalises and revises."""

    release_id: str
    """This release: the last month of its data, YYYY-MM."""
    first_month: str
    """The first month of its data, YYYY-MM."""
    previous_release: str | None
    """The previous release (YYYY-MM), None for the first one."""
    new_months: tuple[str, ...]
    """Months published for the first time."""
    final_months: tuple[str, ...]
    """Months whose figures are final from this release on (they will not change)."""
    provisional_months: tuple[str, ...]
    """Months published as 初步数据 (some requests still open): may still change."""
    revised: tuple[RevisedFigure, ...]
    """Figures that differ from an earlier release, at most `revised_limit` of them."""
    revised_more: int
    """How many more revised figures release.json lists beyond those shown."""
    built_at: str
    """Build time, ISO with the city's offset."""
    generator_version: str
    """The generator version that built the release."""
    manifest: str
    """Link to release.json from the page."""


def _kind(name: str, tokens: Sequence[str]) -> str:
    if name.endswith("_rate") or name == "share":
        return "rate"
    if name == "composite_score":
        return "score"
    if name.endswith("_h") or name in ("expected", "per_10k"):
        return "hours"  # one decimal, as the tables show them
    numbers = [float(t) for t in tokens if isinstance(figure(t), float)]
    return "count" if all(n.is_integer() for n in numbers) else "decimal"


def updates_context(revisions: Revisions, *, release_id: str, first_month: str,
                    provisional_months: Sequence[str], previous_release: str | None,
                    built_at: str, table_titles: Mapping[str, str] | None = None,
                    column_titles: Mapping[str, Mapping[str, str]] | None = None,
                    value_titles: Mapping[str, str] | None = None,
                    manifest: str = f"../data/{MANIFEST}",
                    revised_limit: int = 200) -> UpdatesContext:
    """The page's context. Titles default to the names themselves; `value_titles` names key
    values (e.g. the metric total → 诉求总量, generator.site.pages.MEASURE_TITLES)."""
    tables, columns, values = table_titles or {}, column_titles or {}, value_titles or {}
    shown: list[RevisedFigure] = []
    for r in revisions.items[:revised_limit]:
        key = dict(zip(r.key_columns, r.key, strict=True))
        measured = key["metric"] if "metric" in key and r.column in (
            "value", "ci_low", "ci_high") else r.column
        cell = " · ".join(month_zh(v) if len(v) == 7 and v[4] == "-" else values.get(v, v)
                          for v in r.key)
        shown.append(RevisedFigure(
            table=tables.get(r.table, r.table), file=f"{r.table}.csv", cell=cell,
            column=columns.get(r.table, {}).get(r.column, r.column),
            old=figure(r.old), new=figure(r.new), kind=_kind(measured, [r.old, r.new]),
            why=REASONS[r.reason], release=r.release))
    return UpdatesContext(
        release_id=release_id, first_month=first_month, previous_release=previous_release,
        new_months=revisions.new_months, final_months=revisions.newly_final,
        provisional_months=tuple(sorted(provisional_months)), revised=tuple(shown),
        revised_more=max(0, len(revisions.items) - revised_limit), built_at=built_at,
        generator_version=generator_version(), manifest=manifest)

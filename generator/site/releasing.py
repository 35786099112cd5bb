"""One release, from the build's side: what earlier releases published (an input), which
months are provisional, what this release revises, its manifest and its record.

The record of this release (data/releases/<last month>.jsonl, stats.history) is written only
after every other stage has passed, just before the new site is swapped in; earlier records
are read, never changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from generator.paths import ProjectPaths
from generator.site.release import (
    UpdatesContext,
    release_manifest,
    sha256_file,
    updates_context,
    write_manifest,
)
from generator.stats.history import (
    ReleaseHistory,
    Revisions,
    provisional_months,
    read_history,
    record_release,
    revisions,
    write_record,
)
from generator.stats.periods import calendar_months


@dataclass(frozen=True)
class ReleaseInputs:
    """What the build knows about releases before it aggregates."""

    history: ReleaseHistory
    """Every earlier release's record (data/releases/, ids before this release)."""
    provisional: tuple[str, ...]
    """Months published as 初步数据: some request still open, or cut short by the export."""
    built_at: dt.datetime
    """This build's time in the city's time zone."""
    official: bool
    """Whether this build is a release of the project (is_release): only then is its record
    written."""


def is_release(paths: ProjectPaths, package: Path, site_dir: Path) -> bool:
    """A build is a release of the project when it builds the project's own package into its
    own site folder; builds of another package or into another folder (previews, checks)
    neither read nor write release records."""
    return (package.resolve() == paths.complaints.resolve()
            and site_dir.resolve() == paths.site.resolve())


def release_inputs(paths: ProjectPaths, frame: pd.DataFrame, *, official: bool,
                   now: dt.datetime | None = None) -> ReleaseInputs:
    received = frame["received_at"]
    first, last = f"{received.min():%Y-%m}", f"{received.max():%Y-%m}"
    history = read_history(paths.releases if official else paths.work / "no-releases",
                           before=last)
    months = calendar_months(first, last)
    provisional = provisional_months(frame, months, already_final=history.final_months())
    zone = paths.settings.data.zone
    return ReleaseInputs(history, tuple(provisional), now or dt.datetime.now(zone), official)


@dataclass(frozen=True)
class ReleaseOutputs:
    """What this release publishes about itself."""

    revisions: Revisions
    updates: UpdatesContext


def release_outputs(inputs: ReleaseInputs, published: Mapping[str, pd.DataFrame],
                    months: tuple[str, ...], keys: Mapping[str, list[str]],
                    titles: Mapping[str, str], column_titles: Mapping[str, Mapping[str, str]],
                    value_titles: Mapping[str, str]) -> ReleaseOutputs:
    found = revisions(inputs.history, published, months=months,
                      provisional_months=inputs.provisional, key_columns=keys)
    previous = inputs.history.previous
    updates = updates_context(
        found, release_id=months[-1], first_month=months[0],
        provisional_months=inputs.provisional,
        previous_release=previous.release_id if previous else None,
        built_at=inputs.built_at.isoformat(timespec="seconds"), table_titles=titles,
        column_titles=column_titles, value_titles=value_titles)
    return ReleaseOutputs(found, updates)


def write_release_files(paths: ProjectPaths, inputs: ReleaseInputs, outputs: ReleaseOutputs,
                        published: Mapping[str, pd.DataFrame], months: tuple[str, ...],
                        data_dir: Path, package_csv: Path) -> None:
    """site/data/release.json (inside the new site, before the scan): the manifest, with the
    sha256 of every published CSV and workbook."""
    manifest = release_manifest(
        paths, package_csv=package_csv, descriptor=package_csv.parent / "datapackage.json",
        data_period=(months[0], months[-1]), provisional_months=inputs.provisional,
        built_at=inputs.built_at, tables=published, revisions=outputs.revisions,
        releases=paths.releases)
    # The workbooks beside the CSVs (generator.site.opendata_files) are published files too.
    manifest["published"] = dict(sorted({
        **manifest["published"],
        **{p.name: sha256_file(p) for p in data_dir.glob("*.xlsx")}}.items()))
    write_manifest(data_dir, manifest)


def record(paths: ProjectPaths, inputs: ReleaseInputs, published: Mapping[str, pd.DataFrame],
           months: tuple[str, ...], keys: Mapping[str, list[str]]) -> str | None:
    """Write this release's record; returns what happened (created, unchanged, replaced), or
    None for a build that is not a release."""
    if not inputs.official:
        return None
    written = write_record(paths.releases, record_release(
        published, inputs.provisional, months[-1], first_month=months[0], key_columns=keys))
    return str(written.outcome)

"""Shared fixtures: a small sample package and a site built from it (once per session)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUILD_DAY = dt.date(2026, 11, 28)


@dataclass(frozen=True)
class Built:
    package: Path
    site: Path
    log: str


@pytest.fixture(scope="session")
def sample_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 12-month, 30,000-record sample package (same generator as the bundled data)."""
    from generator.sample import write_sample

    out = tmp_path_factory.mktemp("sample") / "complaints"
    write_sample(out, end_month=dt.date(2026, 10, 1), months=12, records=30_000, seed=7)
    return out


@pytest.fixture(scope="session")
def built(sample_package: Path, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The whole site built from `sample_package` by the real build function."""
    from generator.pipeline import build_site

    site = tmp_path_factory.mktemp("built") / "site"
    lines: list[str] = []
    build_site(ROOT, package=sample_package, site_dir=site, echo=lines.append, today=BUILD_DAY)
    return Built(sample_package, site, "\n".join(lines))


@pytest.fixture(scope="session")
def built_site(built: Built) -> Path:
    """Path of the built site (HTML; use_directory_urls is false)."""
    return built.site

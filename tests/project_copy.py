"""A copy of this project for the tests that build one, break one or edit its configuration.

What a bureau's project holds (mkdocs.yml, data/ without the data package, forms/, site_src/)
is copied, so a test may change any of it; generator/ is linked. One helper, so that a file the
project gains (a new data/*.yml) reaches every such test at once.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import ROOT


def copy_project(root: Path, *, complaints: Path | None = None, link_site_src: bool = False
                 ) -> Path:
    """Make `root` a copy of the project and return it. `complaints` (a package folder)
    becomes data/complaints; `link_site_src` links site_src/ instead of copying it (for a
    test that only reads the hand-written pages)."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(ROOT / "data", root / "data", ignore=shutil.ignore_patterns("complaints"))
    shutil.copytree(ROOT / "forms", root / "forms")
    if link_site_src:
        (root / "site_src").symlink_to(ROOT / "site_src")
    else:
        shutil.copytree(ROOT / "site_src", root / "site_src")
    (root / "generator").symlink_to(ROOT / "generator")
    if complaints is not None:
        shutil.copytree(complaints, root / "data" / "complaints")
    return root

"""The page inputs (SiteData) of the bundled project with the small mini package, built once."""

from __future__ import annotations

from functools import cache

from generator.config import load_metrics
from generator.dataset.validate import validate_package
from generator.paths import ProjectPaths
from generator.reference import load_reference
from generator.site.pages import SiteData
from generator.site.render import site_data
from generator.stats.aggregate import aggregate
from tests.conftest import BUILD_DAY, ROOT

MINI = ROOT / "tests" / "fixtures" / "mini_package"
PATHS = ProjectPaths(ROOT)


@cache
def mini_site_data() -> SiteData:
    report = validate_package(MINI, PATHS.reference, today=BUILD_DAY,
                              settings=PATHS.settings.data)
    assert report.ok and report.frame is not None, report
    metrics = load_metrics(PATHS.metrics_file)
    ref = load_reference(PATHS.reference)
    return site_data(PATHS, aggregate(report.frame, metrics, ref), ref, metrics, BUILD_DAY)

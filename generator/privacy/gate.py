"""The privacy gate: nothing personal reaches the site. There is no switch to skip it.

Three checks, each failing the build with a PrivacyError that lists what was found:
1. the package holds no column outside the data contract (e.g. a caller's phone column);
2. no text field of the package, and nothing in site_src/, looks like personal data;
3. the finished site (HTML pages and open-data files) holds nothing that looks personal.
The deployment's institutional mailboxes and numbers (settings `privacy`) are accepted:
`institutional(settings)` builds the allow-list every check takes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from generator.dataset.schema import FIELD_NAMES, contract_fields
from generator.errors import PrivacyError
from generator.privacy.detectors import DEFAULT_INSTITUTIONAL, Institutional
from generator.privacy.scan import Finding, ScanReport, format_report, scan_paths, scan_values
from generator.settings import PrivacySettings, Settings

PATTERN_ONLY = frozenset(f.name for f in contract_fields() if f.pattern)


def institutional(settings: Settings | PrivacySettings) -> Institutional:
    """The mail domains / addresses and phone numbers the gate accepts, from the settings."""
    privacy = settings.privacy if isinstance(settings, Settings) else settings
    return Institutional.of(privacy.institutional_mail_domains, privacy.institutional_phones)


def check_columns(columns: Sequence[str], source: Path) -> None:
    """Refuse any column that the data contract does not define."""
    extra = [c for c in columns if c not in FIELD_NAMES]
    if extra:
        listed = "、".join(f"“{c}”" for c in extra)
        raise PrivacyError(
            f"隐私检查未通过：{source} 含有数据契约之外的列 {listed}。"
            "这些列可能含有个人信息，不能发布。修正方法：用 `ecoportal import` 从原始导出重新生成"
            "数据包，或删除这些列后再构建。"
        )


def scan_frame(frame: pd.DataFrame, source: Path,
               allow: Institutional = DEFAULT_INSTITUTIONAL) -> list[Finding]:
    """Scan the text columns; each distinct value once, reported at its first row.

    Columns whose contract pattern allows only pseudonym characters (case_id, the keys, codes)
    were already checked by validation and cannot hold a name or number, so they are skipped.
    """
    findings: list[Finding] = []
    for column in frame.columns:
        if column in PATTERN_ONLY:
            continue
        series = frame[column]
        if not (isinstance(series.dtype, pd.CategoricalDtype)
                or pd.api.types.is_string_dtype(series.dtype)):
            continue
        first_rows = series.drop_duplicates().dropna()
        cells = ((int(str(idx)) + 2, column, str(value)) for idx, value in first_rows.items())
        findings.extend(scan_values(cells, str(source), allow))
    return findings


def enforce(findings: Iterable[Finding], files_scanned: int, stage: str) -> None:
    """Raise PrivacyError with the scanner's report when anything was found."""
    found = list(findings)
    if found:
        report = format_report(ScanReport(files_scanned=files_scanned, findings=found))
        raise PrivacyError(
            f"隐私检查未通过（{stage}）：发现疑似个人信息，构建已停止，原网站保持不变。\n"
            f"{report}\n修正方法：删除或改写上述内容后重新构建；数据包请用 `ecoportal import` "
            "重新匿名化。"
        )


def gate_sources(frame: pd.DataFrame, csv_path: Path, site_src: Path,
                 allow: Institutional = DEFAULT_INSTITUTIONAL) -> None:
    """Checks 1 and 2, before anything is rendered."""
    check_columns(list(frame.columns), csv_path)
    enforce(scan_frame(frame, csv_path, allow), 1, "数据包")
    report = scan_paths([site_src], allow)
    enforce(report.findings, report.files_scanned, "site_src 手写页面")


def gate_site(site: Path, allow: Institutional = DEFAULT_INSTITUTIONAL) -> int:
    """Check 3, on the finished site before it is swapped in; returns files scanned."""
    report = scan_paths([site], allow)
    enforce(report.findings, report.files_scanned, "生成的网站")
    return int(report.files_scanned)

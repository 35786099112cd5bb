"""The privacy gate accepts the deployment's institutional mailboxes and numbers (settings
`privacy`), not a hard-wired .gov.cn; personal addresses and numbers still fail."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.errors import PrivacyError
from generator.privacy.detectors import DEFAULT_INSTITUTIONAL, Institutional
from generator.privacy.gate import gate_site, institutional, scan_frame
from generator.privacy.scan import scan_paths, scan_text, scan_values
from generator.settings import PrivacySettings
from tests.conftest import ROOT

OTHER_CITY = Institutional.of(["epb.example.org", "hbj@sz.gov.cn"], ["0755-8888 1234", "12345"])


def found(text: str, allow: Institutional = DEFAULT_INSTITUTIONAL) -> list[tuple[str, str]]:
    return [(m.kind, m.raw) for m in scan_text(text, allow)]


def test_defaults_are_the_bundled_settings() -> None:
    from generator.settings import load_settings

    settings = load_settings(ROOT / "data" / "settings.yml", ROOT)
    assert institutional(settings) == DEFAULT_INSTITUTIONAL
    assert Institutional(("gov.cn",), ("12345", "12369")) == DEFAULT_INSTITUTIONAL


def test_normalisation_of_configured_values() -> None:
    assert Institutional.of([" @EPB.Example.org", ".gov.cn", ""], ["(0755) 8888-1234", "热线"]) \
        == Institutional(("epb.example.org", "gov.cn"), ("075588881234",))


def test_configured_domain_accepts_its_office_mailboxes() -> None:
    assert found("来信请寄 info@epb.example.org。", OTHER_CITY) == []
    assert found("来信请寄 service@air.epb.example.org。", OTHER_CITY) == []
    # Without that setting the same mailbox stops the build.
    assert found("来信请寄 info@epb.example.org。") == [("电子邮箱", "info@epb.example.org")]


def test_a_listed_address_is_accepted_exactly() -> None:
    assert found("邮箱 hbj@sz.gov.cn", OTHER_CITY) == []
    assert found("邮箱 zhangwei@sz.gov.cn", OTHER_CITY) == [
        ("电子邮箱", "zhangwei@sz.gov.cn")]


def test_personal_addresses_still_fail() -> None:
    for text in ("联系 zhangsan@epb.example.org", "联系 info@163.com",
                 "联系 info@example.org.evil.com", "联系 info@notepb.example.org"):
        assert [kind for kind, _ in found(text, OTHER_CITY)] == ["电子邮箱"], text


def test_gov_cn_is_no_longer_built_in() -> None:
    only_org = Institutional.of(["epb.example.org"], [])
    assert found("邮箱 service@sthjj.example.gov.cn", only_org) == [
        ("电子邮箱", "service@sthjj.example.gov.cn")]
    assert found("邮箱 service@sthjj.example.gov.cn") == []


def test_configured_office_numbers_pass_other_numbers_fail() -> None:
    assert found("办公电话 0755-88881234，传真 (0755) 8888 1234 转 802", OTHER_CITY) == []
    assert found("办公电话 0755-88881234") == [("固定电话", "0755-88881234")]
    assert found("电话 0755-88881235", OTHER_CITY) == [("固定电话", "0755-88881235")]
    mobile = Institutional.of([], ["13800138000"])
    assert found("值班手机 +86 138 0013 8000", mobile) == []
    assert [k for k, _ in found("值班手机 +86 138 0013 8001", mobile)] == ["手机号码"]


def test_scan_values_frames_and_files_take_the_list(tmp_path: Path) -> None:
    cells = [(2, "note", "info@epb.example.org")]
    assert scan_values(cells, "t.csv", OTHER_CITY) == []
    assert len(scan_values(cells, "t.csv")) == 1
    frame = pd.DataFrame({"note": ["info@epb.example.org"]})
    assert scan_frame(frame, tmp_path / "c.csv", OTHER_CITY) == []
    page = tmp_path / "site" / "index.html"
    page.parent.mkdir()
    page.write_text("<footer>info@epb.example.org · 0755-88881234</footer>", encoding="utf-8")
    assert scan_paths([page.parent], OTHER_CITY).findings == []
    assert gate_site(page.parent, institutional(PrivacySettings(
        ("epb.example.org",), ("0755-88881234",)))) == 1
    with pytest.raises(PrivacyError) as caught:
        gate_site(page.parent)
    assert "疑似电子邮箱 inf**************org" in caught.value.message
    assert "疑似固定电话 075******234" in caught.value.message


def test_cli_scan_uses_the_project_settings(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    (project / "data").mkdir(parents=True)
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(ROOT / "data" / "reference", project / "data" / "reference")
    settings = (ROOT / "data" / "settings.yml").read_text(encoding="utf-8")
    assert "    - gov.cn\n" in settings
    (project / "data" / "settings.yml").write_text(
        settings.replace("    - gov.cn\n", "    - epb.example.org\n"), encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text("来信请寄 info@epb.example.org\n", encoding="utf-8")
    inside = CliRunner().invoke(main, ["--project", str(project), "scan", str(page)])
    assert (inside.exit_code, inside.output) == (0, "共扫描 1 个文件，未发现个人信息\n")
    outside = CliRunner().invoke(main, ["scan", str(page)])  # cwd: the Beijing checkout
    assert outside.exit_code == 1
    assert outside.output.splitlines()[0] == (
        f"{page} 第 1 行第 6 列：疑似电子邮箱 inf**************org")


def test_cli_scan_outside_any_project_uses_the_defaults(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    page = tmp_path / "page.md"
    page.write_text("来信请寄 service@sthjj.example.gov.cn，热线 12369\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["scan", str(page)])
    assert (result.exit_code, result.output) == (0, "共扫描 1 个文件，未发现个人信息\n")
    broken = CliRunner().invoke(main, ["--project", str(tmp_path), "scan", str(page)])
    assert broken.exit_code == 1
    assert "不是门户项目文件夹" in broken.output

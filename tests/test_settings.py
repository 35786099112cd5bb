"""data/settings.yml: typed, every problem collected, and the project resolver that reads it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.errors import ConfigError
from generator.paths import ProjectPaths, find_project
from generator.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ROOT / "data" / "settings.yml"


def test_bundled_settings_are_beijing() -> None:
    s = load_settings(SETTINGS, ROOT)
    assert s.site.city == "北京市" and s.hotline.number == "12345"
    assert s.organisation.email.endswith(".gov.cn")
    assert s.data.time_zone == "Asia/Shanghai" and s.data.earliest_year == 2015
    assert s.reference.folder == ROOT / "data" / "reference"
    assert s.privacy.institutional_phones == ("12345", "12369")


def test_every_problem_is_listed_with_its_key(tmp_path: Path) -> None:
    text = SETTINGS.read_text("utf-8")
    text = text.replace("earliest_year: 2015", "earliest_year: '2015'\n  earliest: 1")
    text = text.replace("time_zone: Asia/Shanghai", "time_zone: Mars/Olympus")
    text = text.replace("  city: 北京市", "  city: [北京市]")
    text = text.replace("folder: data/reference", "folder: no/such")
    path = tmp_path / "settings.yml"
    path.write_text(text + "colour: green\n", "utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(path, tmp_path)
    assert info.value.message == "\n".join([
        f"设置文件 {path} 有 6 处错误：",
        "  - colour：不是可识别的设置部分。修正方法：请改正拼写或删除该项"
        "（可用的设置部分：site、organisation、hotline、data、reference、privacy）。",
        "  - site.city：值 “[北京市]” 应为一段文字，现为列表。"
        "修正方法：请对照仓库中的 data/settings.yml 及其注释修改。",
        "  - data.earliest：不是可识别的设置项。修正方法：请改正拼写或删除该项"
        "（可用的设置项：earliest_year、time_zone、time_zone_label）。",
        "  - data.time_zone：值 “Mars/Olympus” 不是已知的时区名。"
        "修正方法：请填写 IANA 时区名，例如 Asia/Shanghai。",
        "  - data.earliest_year：值 “2015” 无效：应为 1990 到 2026 之间的年份（数字，不加引号）。"
        "修正方法：例如 2015。",
        "  - reference.folder：值 “no/such” 指向的参考数据文件夹不存在。"
        "修正方法：请填写含 districts.csv、streets.csv 和 taxonomy.yml 的文件夹"
        "（相对于项目文件夹）。",
    ])
    assert [p.key for p in info.value.problems] == [
        "colour", "site.city", "data.earliest", "data.time_zone", "data.earliest_year",
        "reference.folder"]


def test_project_is_found_from_any_folder_inside_it(tmp_path: Path) -> None:
    project = tmp_path / "city"
    (project / "data").mkdir(parents=True)
    shutil.copy(SETTINGS, project / "data" / "settings.yml")
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    (project / "data" / "complaints").mkdir()
    assert find_project(start=project / "data" / "complaints") == ProjectPaths(project)
    assert find_project(explicit=project).root == project
    with pytest.raises(ConfigError) as info:
        find_project(start=tmp_path)
    assert info.value.message == (
        "找不到门户项目文件夹（含 mkdocs.yml 和 data/settings.yml）："
        f"当前文件夹 {tmp_path} 及其上级都不是。请进入项目文件夹运行，或用 --project 指定。")


def test_explicit_project_must_be_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        find_project(explicit=tmp_path)
    assert info.value.message == (
        f"{tmp_path} 不是门户项目文件夹：其中应有 mkdocs.yml 和 data/settings.yml。"
        "请用 --project 指定项目文件夹（含 data/ 和 site_src/ 的那一层）。")


def test_missing_organisation_keys_are_each_named(tmp_path: Path) -> None:
    text = SETTINGS.read_text("utf-8").replace("  hours: 工作日 9:00–17:00\n", "")
    text = text.replace("  postcode: \"100048\"\n", "  postcode: \"\"\n")
    path = tmp_path / "settings.yml"
    path.write_text(text, "utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(path, ROOT)
    assert info.value.message == "\n".join([
        f"设置文件 {path} 有 2 处错误：",
        "  - organisation.postcode：未填写：这一项必须有内容。"
        "修正方法：请对照仓库中的 data/settings.yml 及其注释修改。",
        "  - organisation.hours：未填写：这一项必须有内容。"
        "修正方法：请对照仓库中的 data/settings.yml 及其注释修改。",
    ])

"""Deployment settings: everything city-specific that is not reference data (data/settings.yml).

A bureau edits data/settings.yml (each key is documented there and below); every problem in
it is collected and reported once. Region, street and category lists live in the reference
folder the settings name (data/reference/ by default).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from generator.config import kind_of, read_yaml_mapping, yaml_text
from generator.errors import ConfigError
from generator.problems import ProblemList, render_text

SETTINGS_FILE = Path("data") / "settings.yml"
"""Where a project keeps its settings, relative to the project root."""

DEFAULT_EARLIEST_YEAR = 2015


@dataclass(frozen=True)
class SiteSettings:
    name: str
    """The site's name: page titles, the header, the home page heading."""
    description: str
    """One sentence for search engines and the open-data package."""
    city: str
    """The city as named in sentences, e.g. 北京市 (“北京市的区”)."""
    slug: str = ""
    """Optional ASCII short name (lowercase letters, digits, hyphens), e.g. beijing: the
    open-data package is named `<slug>-eco-complaints-statistics`."""
    deadlines_source: str = ""
    """Optional: where the deadlines in data/metrics.yml come from, said on the methodology
    page under the deadline table (omitted when empty)."""
    weights_source: str = ""
    """Optional: where the rate weights in data/metrics.yml come from, said on the
    methodology page (omitted when empty)."""


@dataclass(frozen=True)
class OrgSettings:
    """The 主办单位 and its contact details, shown on every page's footer."""

    name: str
    """主办单位名称."""
    address: str
    """通信地址."""
    postcode: str
    """邮政编码."""
    phone: str
    """联系电话 (an office number or the hotline: the privacy gate must accept it)."""
    email: str
    """电子邮箱: an office mailbox on a domain in privacy.institutional_mail_domains."""
    hours: str
    """办公时间."""


@dataclass(frozen=True)
class HotlineSettings:
    number: str
    """The citizen hotline's number, e.g. 12345."""
    name: str
    """Its name in sentences, e.g. 12345 市民服务热线."""


@dataclass(frozen=True)
class DataSettings:
    """How validation bounds the dates of a package, and the time zone of its times."""

    earliest_year: int = DEFAULT_EARLIEST_YEAR
    """Times before 1 January of this year are row errors (a typo such as 2102 → 1202)."""
    time_zone: str = "Asia/Shanghai"
    """IANA zone of the city: the package's times are local times of this zone."""
    time_zone_label: str = "北京时间"
    """How pages and messages name that zone."""
    source: Path | None = None
    """The settings file read, or None for the defaults; messages name it."""

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def today(self) -> dt.date:
        """Today's date in the city: the default build date, whatever the machine's clock."""
        return dt.datetime.now(self.zone).date()


@dataclass(frozen=True)
class ReferenceSettings:
    folder: Path
    """Absolute path of the region and taxonomy reference folder."""
    population_source: str
    """Where the populations in districts.csv come from, shown under per-10,000 figures."""


@dataclass(frozen=True)
class PrivacySettings:
    institutional_mail_domains: tuple[str, ...]
    """Mail domains (suffixes) of institutions, whose role mailboxes (service@, info@…) are
    published, not personal; an entry with an @ is one address accepted exactly
    (generator.privacy.detectors.Institutional)."""
    institutional_phones: tuple[str, ...]
    """Hotline and office numbers that may appear on pages (digits only)."""


@dataclass(frozen=True)
class Settings:
    """The whole of data/settings.yml."""

    site: SiteSettings
    organisation: OrgSettings
    hotline: HotlineSettings
    data: DataSettings
    reference: ReferenceSettings
    privacy: PrivacySettings
    source: Path
    """The settings file itself."""


_TEXT_SECTIONS: dict[str, tuple[str, ...]] = {
    "site": ("name", "description", "city"),
    "organisation": ("name", "address", "postcode", "phone", "email", "hours"),
    "hotline": ("number", "name"),
}
_OPTIONAL_TEXTS: dict[str, tuple[str, ...]] = {
    "site": ("slug", "deadlines_source", "weights_source"),
}
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_KNOWN = {**{name: keys + _OPTIONAL_TEXTS.get(name, ()) for name, keys in _TEXT_SECTIONS.items()},
          "data": ("earliest_year", "time_zone", "time_zone_label"),
          "reference": ("folder", "population_source"),
          "privacy": ("institutional_mail_domains", "institutional_phones")}
_FIX = "请对照仓库中的 data/settings.yml 及其注释修改"


class _Reader:
    """Typed access to the raw mapping; every problem goes to one ProblemList."""

    def __init__(self, raw: dict[str, Any], path: Path) -> None:
        self.raw, self.problems = raw, ProblemList(path)
        self.problems.unknown_keys(raw, tuple(_KNOWN), what="设置部分")

    def section(self, name: str) -> dict[str, Any]:
        value = self.raw.get(name)
        if isinstance(value, dict):
            self.problems.unknown_keys(value, _KNOWN[name], prefix=name)
            return value
        if value is None and name not in self.raw:
            self.problems.add("缺少这一部分", _FIX, key=name, code="missing-key")
        else:
            self.problems.add(f"应为映射（每行“名称: 值”），现为{kind_of(value)}", _FIX,
                              key=name, code="type-error")
        return {}

    def text(self, section: dict[str, Any], name: str, key: str) -> str:
        value = section.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)  # a postcode or hotline number written without quotes
        if value is None or (isinstance(value, str) and not value.strip()):
            self.problems.add("未填写：这一项必须有内容", _FIX, key=f"{name}.{key}",
                              code="missing-key")
            return ""
        if not isinstance(value, str):
            self.problems.add(f"应为一段文字，现为{kind_of(value)}", _FIX, key=f"{name}.{key}",
                              value=yaml_text(value), code="type-error")
            return ""
        return value.strip()

    def texts(self, section: dict[str, Any], name: str, key: str) -> tuple[str, ...]:
        value = section.get(key)
        if not isinstance(value, list) or not all(
                isinstance(v, str | int) and not isinstance(v, bool) for v in value):
            self.problems.add(f"应为文字列表，现为{kind_of(value)}", _FIX, key=f"{name}.{key}",
                              code="type-error")
            return ()
        return tuple(str(v).strip() for v in value)


def load_settings(path: Path, root: Path) -> Settings:
    """Read `path`; relative folders in it are relative to the project `root`."""
    raw = read_yaml_mapping(path, "设置文件", "请从仓库恢复 data/settings.yml。")
    r = _Reader(raw, path)
    texts = {name: {k: r.text(sec, name, k) for k in keys}
             | {k: r.text(sec, name, k) for k in _OPTIONAL_TEXTS.get(name, ()) if k in sec}
             for name, keys in _TEXT_SECTIONS.items() for sec in [r.section(name)]}
    slug = texts["site"].get("slug", "")
    if slug and not SLUG_RE.match(slug):
        r.problems.add("应为小写英文字母、数字和连字符组成的短名",
                       "例如 beijing 或 shanghai-pudong", key="site.slug", value=slug,
                       code="invalid-value")
    data = _data(r, path)
    ref = r.section("reference")
    folder_text = r.text(ref, "reference", "folder")
    folder = (root / folder_text).resolve() if folder_text else root / "data" / "reference"
    if folder_text and not folder.is_dir():
        r.problems.add("指向的参考数据文件夹不存在", "请填写含 districts.csv、streets.csv 和 "
                       "taxonomy.yml 的文件夹（相对于项目文件夹）", key="reference.folder",
                       value=folder_text, code="missing-folder")
    reference = ReferenceSettings(folder, r.text(ref, "reference", "population_source"))
    priv = r.section("privacy")
    privacy = PrivacySettings(
        tuple(d.lower().lstrip("@.") for d in r.texts(priv, "privacy",
                                                        "institutional_mail_domains")),
        tuple("".join(ch for ch in p if ch.isdigit())
              for p in r.texts(priv, "privacy", "institutional_phones")))
    if r.problems:
        raise ConfigError(render_text(r.problems, f"设置文件 {path} 有 {len(r.problems)} 处错误："),
                          r.problems.items)
    return Settings(SiteSettings(**texts["site"]), OrgSettings(**texts["organisation"]),
                    HotlineSettings(**texts["hotline"]), data, reference, privacy, path)


def _data(r: _Reader, path: Path) -> DataSettings:
    sec = r.section("data")
    year: Any = sec.get("earliest_year", DEFAULT_EARLIEST_YEAR)
    zone = r.text(sec, "data", "time_zone") if "time_zone" in sec else DataSettings.time_zone
    label = (r.text(sec, "data", "time_zone_label") if "time_zone_label" in sec
             else DataSettings.time_zone_label)
    try:
        this_year = dt.datetime.now(ZoneInfo(zone)).year
    except (ZoneInfoNotFoundError, ValueError):
        r.problems.add("不是已知的时区名", "请填写 IANA 时区名，例如 Asia/Shanghai",
                       key="data.time_zone", value=zone, code="invalid-zone")
        zone, this_year = DataSettings.time_zone, dt.date.today().year
    if isinstance(year, bool) or not isinstance(year, int) or not 1990 <= year <= this_year:
        r.problems.add(f"无效：应为 1990 到 {this_year} 之间的年份（数字，不加引号）",
                       f"例如 {DEFAULT_EARLIEST_YEAR}", key="data.earliest_year",
                       value=yaml_text(year), code="out-of-range")
        year = DEFAULT_EARLIEST_YEAR
    return DataSettings(year, zone, label, path)

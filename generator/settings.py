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
    site_code: str = ""
    """Optional 网站标识码 (ten characters: ten digits, or bm and eight digits), in the footer."""
    icp: str = ""
    """Optional ICP备案号 (e.g. 京ICP备05012345号-1), in the footer, linked to beian.miit.gov.cn."""
    police_record: str = ""
    """Optional 公安备案号 (e.g. 京公网安备11010802012345号), in the footer, linked to
    beian.mps.gov.cn with its fourteen-digit code."""
    error_report_url: str = ""
    """Optional address of the 我为政府网站找错 page (an http(s) link in the footer)."""
    emblem: Path | None = None
    """Optional image shown as the header's emblem and the favicon (absolute path); None: the
    neutral emblem shipped with the theme."""

    @property
    def police_code(self) -> str:
        """The digits of the 公安备案号: the `code` of its beian.mps.gov.cn query link."""
        return "".join(ch for ch in self.police_record if ch.isdigit())


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
    operator: str = ""
    """Optional 承办单位 (the unit running the site for the 主办单位), in the footer."""


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
    "site": ("slug", "deadlines_source", "weights_source", "site_code", "icp", "police_record",
             "error_report_url", "emblem"),
    "organisation": ("operator",),
}
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SITE_CODE_RE = re.compile(r"^(?:\d{10}|bm\d{8})$")
ICP_RE = re.compile(r"^[\u4e00-\u9fff]ICP备\d{4,}号(?:-\d+)?$")
POLICE_RE = re.compile(r"^[\u4e00-\u9fff]公网安备 ?\d{14}号$")
URL_RE = re.compile(r"^https?://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?$")
EMBLEM_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg", ".webp")
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
    _site_marks(r, texts["site"])
    emblem = _emblem(r, texts["site"].pop("emblem", ""), root)
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
    return Settings(SiteSettings(**texts["site"], emblem=emblem),
                    OrgSettings(**texts["organisation"]), HotlineSettings(**texts["hotline"]),
                    data, reference, privacy, path)


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


_SITE_MARKS = (
    ("site_code", SITE_CODE_RE, "应为 10 位网站标识码（10 位数字，或 bm 加 8 位数字）",
     "例如 1100000001，按政府网站管理部门分配的标识码填写；没有时删除这一项"),
    ("icp", ICP_RE, "不是 ICP 备案号的格式",
     "例如 京ICP备05012345号-1（省份简称 + ICP备 + 数字 + 号）"),
    ("police_record", POLICE_RE, "不是公安备案号的格式",
     "例如 京公网安备11010802012345号（省份简称 + 公网安备 + 14 位数字 + 号）"),
    ("error_report_url", URL_RE, "不是网址",
     "请填写“我为政府网站找错”页面的完整网址，以 https:// 或 http:// 开头"),
)


def _site_marks(r: _Reader, site: dict[str, str]) -> None:
    """The government-site marks of `site`, each checked against its published format."""
    for key, pattern, message, fix in _SITE_MARKS:
        value = site.get(key, "")
        if value and not pattern.match(value):
            r.problems.add(message, fix, key=f"site.{key}", value=value, code="invalid-value")


def _emblem(r: _Reader, text: str, root: Path) -> Path | None:
    """The emblem image named by `site.emblem` (relative to the project folder), checked."""
    if not text:
        return None
    path = (root / text).resolve()
    fix = (f"请填写项目文件夹中一张图片的相对路径（{'、'.join(EMBLEM_SUFFIXES)}），"
           "例如 site_src/assets/images/emblem.svg；不填则使用中性的默认徽标")
    if Path(text).is_absolute() or not path.is_relative_to(root.resolve()):
        r.problems.add("应为项目文件夹内的相对路径", fix, key="site.emblem", value=text,
                       code="invalid-value")
    elif path.suffix.lower() not in EMBLEM_SUFFIXES:
        r.problems.add("不是可用的图片格式", fix, key="site.emblem", value=text,
                       code="invalid-value")
    elif not path.is_file():
        r.problems.add("指向的图片文件不存在", fix, key="site.emblem", value=text,
                       code="missing-file")
    else:
        return path
    return None

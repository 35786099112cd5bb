"""District bureaus' consultation contacts (data/bureaus.yml, format documented at its top).

The 开业前咨询 pages list whom a business calls in its own district. These are contacts of
institutions published on purpose, so they are held to the privacy gate's rule at load time:
a phone must be one of settings `privacy.institutional_phones`, a mailbox institutional, and
no text may look like personal data; otherwise the build would only fail later, in the scan
of the finished site, far from the line to fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.config import kind_of, read_yaml_mapping, yaml_text
from generator.errors import ConfigError
from generator.privacy.detectors import Institutional
from generator.privacy.scan import scan_text
from generator.problems import ProblemList, render_text
from generator.reference import Reference

BUREAUS_FILE = Path("data") / "bureaus.yml"
"""Where a project keeps the contacts, relative to its root."""
REQUIRED = ("name", "phone", "address", "hours")
OPTIONAL = ("email", "note")
_FIX = "请按文件开头的格式说明改写"


@dataclass(frozen=True)
class Bureau:
    """One district's consultation contact, in the order of the region reference."""

    district_code: str
    district: str
    """The district's name from the reference (e.g. 朝阳区)."""
    name: str
    phone: str
    address: str
    hours: str
    email: str = ""
    note: str = ""


def load_bureaus(path: Path, ref: Reference, allow: Institutional) -> tuple[Bureau, ...]:
    """Read and check data/bureaus.yml against the reference's districts and the privacy
    allow-lists; collect every problem (key path, value, fix), then raise one ConfigError."""
    raw = read_yaml_mapping(path, "各区咨询联系方式文件", "请从仓库恢复 data/bureaus.yml。")
    problems = ProblemList(path)
    problems.unknown_keys(raw, ("districts",))
    entries = raw.get("districts")
    if not isinstance(entries, dict):
        problems.add(f"应为“区划代码: 联系方式”的映射，现为{kind_of(entries)}", _FIX,
                     key="districts", code="type-error")
        entries = {}
    names = {d.code: d.name for d in ref.districts}
    bureaus: dict[str, Bureau] = {}
    for code, entry in entries.items():
        where = f"districts.{code}"
        if str(code) not in names:
            problems.add("不是区划参考数据中的区划代码",
                         "请改为 data/reference/districts.csv 中 district_code 列的代码"
                         "（写在引号中），或删除这一项", key=where, value=str(code),
                         code="unknown-district")
            continue
        bureau = _entry(str(code), names[str(code)], entry, where, problems, allow)
        if bureau is not None:
            bureaus[bureau.district_code] = bureau
    given = {str(c) for c in entries}
    for code, name in names.items():
        if code not in given:
            problems.add(f"缺少{name}的联系方式",
                         "请为参考数据中的每个区写一项（区划代码写在引号中）",
                         key=f"districts.{code}", code="missing-key")
    if problems:
        heading = f"各区咨询联系方式文件 {path} 有 {len(problems)} 处错误："
        raise ConfigError(render_text(problems, heading), problems.items)
    return tuple(bureaus[d.code] for d in ref.districts)


def _entry(code: str, district: str, entry: Any, where: str, problems: ProblemList,
           allow: Institutional) -> Bureau | None:
    if not isinstance(entry, dict):
        problems.add(f"应为包含 {'、'.join(REQUIRED)} 的映射，现为{kind_of(entry)}", _FIX,
                     key=where, code="type-error")
        return None
    problems.unknown_keys(entry, REQUIRED + OPTIONAL, prefix=where)
    texts: dict[str, str] = {}
    for key in REQUIRED + OPTIONAL:
        value = entry.get(key)
        if value is None:
            if key in REQUIRED:
                problems.add("缺少这一项", "请按文件开头的格式说明补上",
                             key=f"{where}.{key}", code="missing-key")
            texts[key] = ""
        elif not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
            problems.add("应为一段文字（不能为空）", "请写成一段文字；电话号码写在引号中",
                         key=f"{where}.{key}", value=yaml_text(value), code="type-error")
            texts[key] = ""
        else:
            texts[key] = str(value).strip()
    _check_privacy(texts, where, problems, allow)
    return Bureau(code, district, **texts)


def _check_privacy(texts: dict[str, str], where: str, problems: ProblemList,
                   allow: Institutional) -> None:
    """What the site scan would refuse, reported here with its key path."""
    phone = texts["phone"]
    digits = "".join(c for c in phone if c.isdigit())
    if phone and not allow.phone(digits):
        problems.add("不在 data/settings.yml 的 privacy.institutional_phones 中，"
                     "网站的隐私检查会拒绝发布",
                     "请先把该单位号码加入 privacy.institutional_phones，或改用其中已列出的号码",
                     key=f"{where}.phone", value=phone, code="not-institutional")
    for key, text in texts.items():
        if not text or (key == "phone" and digits and allow.phone(digits)):
            continue
        for match in scan_text(text, allow):
            problems.add(f"含有疑似个人信息（{match.kind}：{match.masked}），"
                         "网站的隐私检查会拒绝发布",
                         "只写单位对外公布的联系方式：不写个人姓名、手机号码、个人邮箱或门牌号",
                         key=f"{where}.{key}", code="personal-data")

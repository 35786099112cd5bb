"""Personal-data detectors. They run on the normalised view (see normalize.py): ASCII digits,
ASCII separators, no zero-width characters.

Each pattern starts with a literal or a small character class (no leading look-behind) so the
regex engine can skip quickly; boundaries and checksums are checked in Python on the few
candidates. Every detector yields ``(kind, start, end, value)`` where ``value`` is the compact
form (separators removed) used for masking.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from stdnum.cn import ric, uscc


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())

MOBILE = "手机号码"
LANDLINE = "固定电话"
RESIDENT_ID = "身份证号"
RESIDENT_ID_BAD = "身份证号（校验位不符）"
CREDIT_CODE = "统一社会信用代码"
PLATE = "车牌号"
EMAIL = "电子邮箱"
HOUSE = "门牌地址"
NAME = "姓名"

Candidate = tuple[str, int, int, str]

_SEP = r"(?:[ ]?[\-.·]?[ ]?)"
_ALNUM = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_END = r"(?![0-9A-Za-z])"

#: Cheap first pass: 11+ characters of digits and separators (every phone or ID number, with
#: or without separators, contains such a run); the precise patterns run only around these.
_NUMBER_RUN = re.compile(r"[0-9(（][0-9 \-.·()（）]{10,}+")
_WINDOW_AFTER = 12
_ID18 = re.compile(rf"[1-8](?:{_SEP}[0-9]){{16}}{_SEP}[0-9Xx]{_END}")
_ID15 = re.compile(rf"[1-8](?:{_SEP}[0-9]){{14}}{_END}")
_USCC = re.compile(rf"[1-9ANY][1-9][0-9]{{6}}[0-9A-HJ-NPQRTUWXY]{{10}}{_END}")
_MOBILE = re.compile(rf"1{_SEP}[3-9](?:{_SEP}[0-9]){{9}}{_END}")
_MOBILE_PREFIX = re.compile(r"(?:\+|00)86[ \-]?[)）]?[ ]?$|[(（]\+?86[)）][ \-]?$")
_LANDLINE = re.compile(
    # An opening bracket belongs to the number only when the area code's bracket closes.
    rf"(?:[(（](?=0[0-9]{{2,3}}[)）]))?0(?:10|2[0-9]|[3-9][0-9]{{2}})[)）]?"
    rf"{_SEP}[2-9](?:{_SEP}[0-9]){{6,7}}"
    rf"(?:[ ]?(?:转|分机|ext\.?|EXT\.?|[xX#\-])[ ]?[0-9]{{1,6}})?{_END}"
)
_EMAIL_DOMAIN = re.compile(r"@[A-Za-z0-9](?:[A-Za-z0-9\-]*\.)+[A-Za-z]{2,24}" + _END)
_EMAIL_LOCAL = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ._%+-")
_FILE_SUFFIXES = _words(
    "png jpg jpeg gif svg webp ico css js mjs map woff woff2 ttf eot pdf html htm json"
)
_ROLE_ACCOUNTS = _words(
    "service info contact webmaster admin support noreply no-reply postmaster office hotline"
    " xxgk bgs zxts jubao tousu hbj sthjj sthjt hbt epb"
)


@dataclass(frozen=True)
class Institutional:
    """Contact details of institutions that pages may publish (settings `privacy`).

    `mail_domains` holds domains and full addresses: a role mailbox (service@, info@, hbj@…)
    on a listed domain or one of its subdomains is an office's published mailbox, and so is a
    listed address; any other address is personal. `phones` holds hotline and office numbers
    (digits only) that are not reported as phone numbers.
    """

    mail_domains: tuple[str, ...] = ("gov.cn",)
    phones: tuple[str, ...] = ("12345", "12369")

    @classmethod
    def of(cls, mail_domains: Iterable[str], phones: Iterable[str]) -> Institutional:
        """Normalised: lower-case domains without a leading @ or dot, phones as digits."""
        return cls(tuple(d.strip().lower().lstrip("@.") for d in mail_domains if d.strip()),
                   tuple(p for p in ("".join(c for c in n if c.isdigit()) for n in phones) if p))

    def mailbox(self, local: str, domain: str) -> bool:
        """True for an institutional address (`local`@`domain`, both lower-case)."""
        address = f"{local}@{domain}"
        for entry in self.mail_domains:
            if "@" in entry:
                if address == entry:
                    return True
            elif local in _ROLE_ACCOUNTS and (domain == entry or domain.endswith("." + entry)):
                return True
        return False

    def phone(self, digits: str) -> bool:
        """True for a listed number, with or without the +86 / 0086 country prefix; a listed
        office number of 7 digits or more also covers its extensions (转 8001)."""
        for prefix in ("0086", "86", ""):
            if digits.startswith(prefix):
                rest = digits[len(prefix):]
                if rest in self.phones or any(
                        len(p) >= 7 and rest.startswith(p) for p in self.phones):
                    return True
        return False


DEFAULT_INSTITUTIONAL = Institutional()
"""Used outside a project (`ecoportal scan` elsewhere, crash logs): the bundled settings'
lists (gov.cn; 12345 and 12369)."""
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领"
_PLATE_LETTERS = "A-HJ-NP-Z"
_PLATE = re.compile(
    rf"[{_PROVINCES}][{_PLATE_LETTERS}][ ·.\-]?"
    rf"(?:[{_PLATE_LETTERS}0-9]{{4}}[挂学警港澳]|[{_PLATE_LETTERS}0-9]{{5,6}}){_END}"
)
_HOUSE = re.compile(
    r"[0-9]{1,5}(?:号院|号楼|号|栋|幢|座|单元|层|楼|室|户)"
    r"(?:[ ]?[0-9]{1,5}(?:号院|号楼|号|栋|幢|座|单元|层|楼|室|户))*"
    r"(?:(?<=单元)[0-9]{3,4}(?![0-9]))?"
)
_HOUSE_KEYS = ("号院", "号楼", "单元", "室")
_HOUSE_KEY = re.compile("号院|号楼|单元|室")
_HOUSE_REACH = 40
_CUES = "投诉人|举报人|联系人|来电人|反映人|来访人|诉求人|当事人|申请人|姓名"
_NAME_CUE = re.compile(rf"(?:{_CUES})[ ]*[:：][ ]*([\u4e00-\u9fff]{{2,4}})")
_TITLE = re.compile(r"(?:先生|女士|老师|师傅|阿姨|大爷)(?!们)")

#: Common surnames (single characters).
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜"
    "叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史"
    "陶黎贺顾毛郝龚邵万钱严覃武戴莫孔汤易常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳"
    "翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝"
    "路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑"
    "景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲"
    "虞敖巩明佘池查麻苑迟邝封"
)
#: Surnames that are also common words: not trusted in front of 先生/女士 (先生和女士).
_AMBIGUOUS_SURNAMES = frozenset(
    "和应解成时连车路司师古席米池查麻迟封甘左包宁尚符曲管阳农卓吉简项宗全边商沙荣单安"
)
_TITLE_SURNAMES = SURNAMES - _AMBIGUOUS_SURNAMES
COMPOUND_SURNAMES = (
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文",
    "夏侯", "令狐", "端木", "西门", "南宫", "独孤", "司徒", "司空", "轩辕", "呼延", "澹台",
)
#: Two-character words ending in a surname character ("主任老师" is not 任老师).
_NOT_NAME_BIGRAMS = _words(
    "主任 责任 信任 担任 现任 前任 时任 继任 有关 相关 机关 海关 经常 非常 正常 通常 日常 平常"
    " 异常 感谢 谢谢 多谢 致谢 代谢 女生 同学 全国 安全 完全 健全 成全 文明 说明 证明 发明 表明"
    " 声明 透明 光明 简明 聪明 标明 注明 查明 高中 提高 最高 很高 中华 各位 单位 名单 清单"
    " 订单 账单 简单 孤单 工程 过程 规程 章程 课程 议程 日程 行程 进程 路程 流程 全程 专程 航程"
    " 广场 市场 现场 当时 同时 及时 按时 准时 随时 临时 暂时 平时 小时 届时 适时 定时 此时 那时"
    " 这时 何时 有时 一时 旧时"
)
_NOT_NAMES = _words(
    "不公开 不详 匿名 保密 未知 未留 无 暂无 本人 市民 群众 居民 略 已隐去 隐去 已脱敏"
    " 先生 女士"
)
_NAME_STOP = ("电话", "手机", "反映", "投诉", "举报", "来电", "地址", "联系", "称", "表示",
              "居住", "说", "先生", "女士", "老师", "师傅", "住", "是", "在", "于", "等")


def _left_ok(text: str, start: int) -> bool:
    return start == 0 or text[start - 1] not in _ALNUM


def _decimal_fraction(text: str, start: int) -> bool:
    """True when the digits at ``start`` are the fraction of a decimal number (0.0744…)."""
    return start >= 2 and text[start - 1] == "." and text[start - 2] in "0123456789"


def _compact(raw: str) -> str:
    return "".join(c for c in raw if c not in " -.·()（）")


def _mixed_separators(raw: str) -> bool:
    """Decimal lists like ``13.5 14.2 15.1`` are numbers, not one phone number."""
    return "." in raw and " " in raw.replace(" - ", "-").strip()


def _valid_date(text: str) -> bool:
    try:
        dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return False
    return "1900" <= text[:4] <= "2099"


def _windows(text: str) -> list[tuple[int, int]]:
    windows: list[tuple[int, int]] = []
    for match in _NUMBER_RUN.finditer(text):
        start, end = match.start(), min(len(text), match.end() + _WINDOW_AFTER)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], end)
        else:
            windows.append((start, end))
    return windows


def _right_ok(text: str, end: int) -> bool:
    return end >= len(text) or text[end] not in _ALNUM


def _in_windows(
    pattern: re.Pattern[str], text: str, windows: list[tuple[int, int]]
) -> Iterator[re.Match[str]]:
    for start, end in windows:
        for match in pattern.finditer(text, start, end):
            if _left_ok(text, match.start()) and _right_ok(text, match.end()):
                yield match


def _long_numbers(text: str, windows: list[tuple[int, int]]) -> Iterator[Candidate]:
    for match in _in_windows(_ID18, text, windows):
        raw = match.group()
        if _mixed_separators(raw):
            continue
        value = _compact(raw).upper()
        if not _valid_date(value[6:14]):
            if uscc.is_valid(value):
                yield CREDIT_CODE, match.start(), match.end(), value
            continue
        ok = ric.calc_check_digit(value) == value[-1]
        yield (RESIDENT_ID if ok else RESIDENT_ID_BAD), match.start(), match.end(), value
    for match in _in_windows(_ID15, text, windows):
        raw = match.group()
        value = _compact(raw)
        if not _mixed_separators(raw) and _valid_date("19" + value[6:12]):
            yield RESIDENT_ID, match.start(), match.end(), value
    for match in _USCC.finditer(text):
        value = match.group()
        if _left_ok(text, match.start()) and uscc.is_valid(value):
            yield CREDIT_CODE, match.start(), match.end(), value


def _digits(raw: str) -> str:
    return "".join(c for c in raw if c.isdigit())


def _phones(text: str, windows: list[tuple[int, int]], allow: Institutional
            ) -> Iterator[Candidate]:
    for start, end in windows:
        for match in _MOBILE.finditer(text, start, end):
            begin, raw = match.start(), match.group()
            if _mixed_separators(raw) or not _right_ok(text, match.end()):
                continue
            prefix = _MOBILE_PREFIX.search(text, max(0, begin - 8), begin)
            if prefix:
                begin = prefix.start()
            if _left_ok(text, begin) and not allow.phone(_digits(text[begin:match.end()])):
                yield MOBILE, begin, match.end(), _compact(raw)
    for match in _in_windows(_LANDLINE, text, windows):
        raw = match.group()
        if not _mixed_separators(raw) and not _decimal_fraction(text, match.start()) \
                and not allow.phone(_digits(raw)):
            yield LANDLINE, match.start(), match.end(), _compact(raw)


def _emails(text: str, allow: Institutional) -> Iterator[Candidate]:
    if "@" not in text:
        return
    for match in _EMAIL_DOMAIN.finditer(text):
        start = match.start()
        while start > 0 and text[start - 1] in _EMAIL_LOCAL:
            start -= 1
        while start < match.start() and text[start] in "._%+-":
            start += 1
        if start == match.start():
            continue
        domain = match.group()[1:].lower()
        if domain.rsplit(".", 1)[1] in _FILE_SUFFIXES:
            continue
        local = text[start:match.start()].lower()
        if allow.mailbox(local, domain):
            continue  # an office's published mailbox (service@….gov.cn) is not personal
        yield EMAIL, start, match.end(), text[start:match.end()]


def _plates(text: str) -> Iterator[Candidate]:
    for match in _PLATE.finditer(text):
        value = _compact(match.group())
        tail = value[2:]
        digits = sum(c.isdigit() for c in tail)
        if len(tail) == 6:  # new-energy plates: 京AD12345 (small), 京A12345D (large)
            ok = (tail[0] in "DF" and tail[2:].isdigit()) or (
                tail[:5].isdigit() and tail[5] in "DF"
            )
        else:
            ok = digits >= 3
        if ok:
            yield PLATE, match.start(), match.end(), value


def _houses(text: str) -> Iterator[Candidate]:
    last_end = -1
    for key in _HOUSE_KEY.finditer(text):
        if key.start() < last_end:
            continue
        lo = max(0, key.start() - _HOUSE_REACH, last_end)
        for match in _HOUSE.finditer(text, lo, min(len(text), key.end() + _HOUSE_REACH)):
            start, end = match.start(), match.end()
            if not start <= key.start() < end:
                continue
            last_end = end
            raw = match.group()
            if _house_ok(text, start, end, raw):
                yield HOUSE, start, end, raw.replace(" ", "")
            break


def _house_ok(text: str, start: int, end: int, raw: str) -> bool:
    if start and (text[start - 1] in _ALNUM or text[start - 1] == "第"):
        return False
    if not any(k in raw for k in _HOUSE_KEYS):
        return False
    layout = raw.endswith("室") and "厅" in text[end:end + 3]  # 3室1厅 is a flat's layout
    return not (layout and not any(k in raw for k in _HOUSE_KEYS[:3]))


def _trim_name(name: str) -> str:
    for stop in _NAME_STOP:
        cut = name.find(stop, 1)
        if cut > 0:
            name = name[:cut]
    return name


def _has_surname(name: str) -> bool:
    return name[:2] in COMPOUND_SURNAMES or name[0] in SURNAMES


def _names(text: str) -> Iterator[Candidate]:
    for match in _NAME_CUE.finditer(text):
        name = _trim_name(match.group(1))
        start = match.start(1)
        if (
            len(name) >= 2
            and name not in _NOT_NAMES
            and name[1] not in "某*×○"
            and _has_surname(name)
        ):
            yield NAME, start, start + len(name), name
    for match in _TITLE.finditer(text):
        start = match.start()
        if start >= 2 and text[start - 2:start] in COMPOUND_SURNAMES:
            begin = start - 2
        elif start >= 1 and text[start - 1] in _TITLE_SURNAMES:
            begin = start - 1
            if text[begin - 1:start] in _NOT_NAME_BIGRAMS:
                continue
        else:
            continue
        yield NAME, begin, match.end(), text[begin:match.end()]


def detect(text: str, allow: Institutional = DEFAULT_INSTITUTIONAL) -> list[Candidate]:
    """All non-overlapping candidates in the normalised ``text``, ordered by position;
    institutional mailboxes and numbers (``allow``) are not candidates.

    Detectors run in priority order; a candidate overlapping an accepted one is dropped (an
    ID number is not also reported as a phone number, an e-mail not as a phone number)."""
    windows = _windows(text)
    found: list[Iterator[Candidate]] = [
        _long_numbers(text, windows), _emails(text, allow), _phones(text, windows, allow),
        _plates(text), _houses(text), _names(text),
    ]
    accepted: list[Candidate] = []
    taken: list[tuple[int, int]] = []
    for candidates in found:
        for candidate in candidates:
            _, start, end, _ = candidate
            if any(start < b and a < end for a, b in taken):
                continue
            accepted.append(candidate)
            taken.append((start, end))
    accepted.sort(key=lambda c: (c[1], c[2]))
    return accepted


def mask(kind: str, value: str) -> str:
    """Keep the first and last characters (1–3 each, fewer for short values), star the rest;
    mobile numbers use the familiar 138****5678 form."""
    if kind == MOBILE and len(value) >= 11:
        core = value[-11:]
        return core[:3] + "****" + core[-4:]
    size = len(value)
    if size <= 2:
        return value[:1] + "*" * (size - 1)
    keep = 1 if size <= 5 else 2 if size <= 8 else 3
    return value[:keep] + "*" * (size - 2 * keep) + value[-keep:]

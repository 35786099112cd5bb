"""Property tests: generated personal data embedded in Chinese filler is always found."""

from __future__ import annotations

import datetime as dt
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from generator.privacy.scan import scan_text

ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060", "\ufeff", "\u00ad"]
SEPARATORS = ["", " ", "-", ".", "·", "－", "　", "．"]
# Ordinary Chinese text without numerals, house-number words or Latin letters.
FILLER = st.text(
    alphabet=st.sampled_from(
        "的是在了有人这中大为上个国我以要他时来用们到作地出就分对成会可主发年动同工也能下过子说"
        "产种面而方后多定行学法所民得经之进着等部度家电力里如水化高自理起小物现实加量都体制机当"
        "使点从业本去把性好应开它合还因由其些然前外天政日那社义事平形相全表间样与关各重新线内"
        "，。、；！？（）《》“”"
    ),
    max_size=30,
)
REGIONS = ["110101", "110105", "110108", "310104", "440305", "510107"]
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def iso7064_check(body: str) -> str:
    """ISO 7064 MOD 11-2 check character of a 17-digit body, computed independently."""
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(body))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


@st.composite
def resident_ids(draw: st.DrawFn) -> str:
    birth = draw(st.dates(dt.date(1930, 1, 1), dt.date(2020, 12, 31)))
    body = draw(st.sampled_from(REGIONS)) + birth.strftime("%Y%m%d")
    body += f"{draw(st.integers(0, 999)):03d}"
    number = body + iso7064_check(body)
    assert ric.calc_check_digit(number) == number[-1]  # our arithmetic agrees with stdnum
    return number


@st.composite
def mobiles(draw: st.DrawFn) -> str:
    return "1" + draw(st.sampled_from("3456789")) + draw(st.text("0123456789", min_size=9,
                                                                 max_size=9))


@st.composite
def landlines(draw: st.DrawFn) -> tuple[str, str]:
    area = draw(st.sampled_from(["010", "021", "022", "0755", "0571", "0311"]))
    size = 8 if len(area) == 3 else draw(st.sampled_from([7, 8]))
    local = draw(st.sampled_from("2345678")) + draw(
        st.text("0123456789", min_size=size - 1, max_size=size - 1)
    )
    return area, local


@st.composite
def credit_codes(draw: st.DrawFn) -> str:
    head = draw(st.sampled_from(["91", "92", "93", "11", "12", "51", "52"]))
    body = head + draw(st.sampled_from(REGIONS)) + draw(
        st.text(USCC_ALPHABET, min_size=9, max_size=9)
    )
    return body + uscc.calc_check_digit(body)


def full_width(char: str) -> str:
    return chr(ord(char) + 0xFEE0) if char.isascii() and char.isalnum() else char


@st.composite
def disguise(
    draw: st.DrawFn, value: str, *, separators: bool = True, sep: str | None = None
) -> str:
    """Random separators (one kind), full-width forms and zero-width characters."""
    if sep is None:
        sep = draw(st.sampled_from(SEPARATORS)) if separators else ""
    out = []
    for index, char in enumerate(value):
        if index and sep and draw(st.booleans()):
            out.append(sep)
        if draw(st.integers(0, 5)) == 0:
            out.append(draw(st.sampled_from(ZERO_WIDTH)))
        out.append(full_width(char) if draw(st.booleans()) else char)
    return "".join(out)


CHINESE_NUMERALS = str.maketrans("零〇一二三四五六七八九", "00123456789")


def compact(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw).translate(CHINESE_NUMERALS)
    return "".join(c for c in text if c.isalnum() and c not in ZERO_WIDTH)


def assert_found(before: str, item: str, after: str, kind: str, value: str) -> None:
    text = before + item + after
    matches = scan_text(text)
    inside = [
        m for m in matches
        if m.kind == kind and len(before) <= m.start and m.end <= len(before) + len(item)
    ]
    assert inside, (text, matches)
    assert compact(inside[0].raw).upper() == value
    assert value not in inside[0].masked
    assert text[inside[0].start:inside[0].end] == inside[0].raw


@settings(max_examples=100, deadline=None)
@given(FILLER, FILLER, st.data())
def test_resident_ids_are_found(before: str, after: str, data: st.DataObject) -> None:
    number = data.draw(resident_ids())
    assert_found(before, data.draw(disguise(number)), after, "身份证号", number)


@settings(max_examples=100, deadline=None)
@given(FILLER, FILLER, st.data())
def test_mobiles_are_found(before: str, after: str, data: st.DataObject) -> None:
    number = data.draw(mobiles())
    if data.draw(st.booleans()):
        item = data.draw(disguise(number))
    else:  # written in Chinese numerals
        item = number.translate(str.maketrans("0123456789", "零一二三四五六七八九"))
    assert_found(before, item, after, "手机号码", number)


@settings(max_examples=100, deadline=None)
@given(FILLER, FILLER, st.data())
def test_landlines_are_found(before: str, after: str, data: st.DataObject) -> None:
    area, local = data.draw(landlines())
    sep = data.draw(st.sampled_from(["", "-", " ", "－"]))
    item = data.draw(disguise(area, separators=False)) + sep + data.draw(disguise(local, sep=sep))
    assert_found(before, item, after, "固定电话", area + local)


@settings(max_examples=100, deadline=None)
@given(FILLER, FILLER, st.data())
def test_credit_codes_are_found(before: str, after: str, data: st.DataObject) -> None:
    code = data.draw(credit_codes())
    assert_found(before, data.draw(disguise(code, separators=False)), after,
                 "统一社会信用代码", code)


@settings(max_examples=100, deadline=None)
@given(FILLER, FILLER, FILLER, st.data())
def test_scanning_is_idempotent_and_masks_hold(
    a: str, b: str, c: str, data: st.DataObject
) -> None:
    text = a + data.draw(mobiles()) + b + data.draw(resident_ids()) + c + "，联系人：王小明"
    first = scan_text(text)
    assert scan_text(text) == first
    masked_text = text
    for match in sorted(first, key=lambda m: m.start, reverse=True):
        masked_text = masked_text[:match.start] + match.masked + masked_text[match.end:]
        assert compact(match.raw) not in match.masked
    again = scan_text(masked_text)
    assert all("*" not in m.raw for m in again), again

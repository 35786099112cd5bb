"""Keyed pseudonyms: format, stability, key handling, keygen."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.errors import ConfigError
from generator.privacy.pseudonym import (
    MISSING_KEY_MESSAGE,
    Pseudonymizer,
    generate_key_file,
    load_key,
    normalise_phone,
)

KEY_A = bytes(range(32))
KEY_B = bytes(range(1, 33))


def _hmac(key: bytes, purpose: str, value: str) -> str:
    msg = b"ecoportal/v1/" + purpose.encode() + b"\x00" + value.encode()
    return hmac.new(key, msg, hashlib.sha256).hexdigest()


def test_case_id_is_keyed_hmac_with_prefix() -> None:
    p = Pseudonymizer(KEY_A)
    cid = p.case_id("GD202401010000001", "BJ")
    assert re.fullmatch(r"[A-Z]{2}[0-9A-F]{12}", cid)
    assert cid == "BJ" + _hmac(KEY_A, "case_id", "GD202401010000001")[:12].upper()
    plain = hashlib.sha256(b"GD202401010000001").hexdigest()[:12].upper()
    assert cid[2:] != plain
    assert Pseudonymizer(KEY_B).case_id("GD202401010000001", "BJ") != cid
    assert p.case_id("GD202401010000001", "BJ") == cid  # stable


def test_complainant_key_normalises_phone() -> None:
    p = Pseudonymizer(KEY_A)
    expected = "P" + _hmac(KEY_A, "complainant/phone", "13812345678")[:16]
    for raw in ("13812345678", "138 1234 5678", "+86-138-1234-5678", "１３８１２３４５６７８",
                "0086 13812345678", "138\u200b12345678"):
        assert p.complainant_key(raw, "王伟") == expected, raw
    assert p.complainant_key("13812345678", "李娜") == expected  # the name does not matter
    assert Pseudonymizer(KEY_B).complainant_key("13812345678", "") != expected


def test_complainant_key_falls_back_to_name_and_phone() -> None:
    p = Pseudonymizer(KEY_A)
    masked = p.complainant_key("138****5678", "王伟")
    assert masked == "P" + _hmac(KEY_A, "complainant/name+phone", "王伟\x1f138****5678")[:16]
    assert masked != p.complainant_key("138****5678", "李娜")
    assert p.complainant_key("", "") == ""
    assert re.fullmatch(r"P[0-9a-f]{16}", p.complainant_key("", "王伟"))


def test_domain_separation() -> None:
    p = Pseudonymizer(KEY_A)
    loc = p.location_key("朝阳区", "望京街道", "望京西园 3 区")
    assert loc == "L" + _hmac(KEY_A, "location", "朝阳区\x1f望京街道\x1f望京西园3区")[:16]
    assert p.hexdigest("location", "x") != p.hexdigest("case_id", "x")


def test_normalise_phone() -> None:
    assert normalise_phone("+86 139-0000-1111") == "13900001111"
    assert normalise_phone("010-6512 3456") == "01065123456"
    assert normalise_phone("139****1111") == ""
    assert normalise_phone("无") == ""


def test_missing_key_message() -> None:
    with pytest.raises(ConfigError) as err:
        load_key(None, environ={})
    assert err.value.message == (
        "缺少化名密钥，无法生成化名，已停止导入。请先运行 "
        "`ecoportal keygen --out ~/.ecoportal/pseudonym.key` 生成密钥文件，"
        "再设置环境变量 ECOPORTAL_KEY_FILE=~/.ecoportal/pseudonym.key"
        "（或用 --key-file 指定该文件）。"
        "密钥必须保存在仓库之外，并且每次导入都要用同一个密钥，化名才能前后一致。"
    )
    assert err.value.message == MISSING_KEY_MESSAGE


def test_key_sources(tmp_path: Path) -> None:
    hex_a = KEY_A.hex()
    assert load_key(None, environ={"ECOPORTAL_PSEUDONYM_KEY": hex_a}) == KEY_A
    f = tmp_path / "k.key"
    f.write_text(KEY_B.hex() + "\n")
    assert load_key(None, environ={"ECOPORTAL_KEY_FILE": str(f)}) == KEY_B
    assert load_key(f, environ={"ECOPORTAL_PSEUDONYM_KEY": hex_a}) == KEY_B  # flag wins
    with pytest.raises(ConfigError, match="至少需要 32 字节"):
        load_key(None, environ={"ECOPORTAL_PSEUDONYM_KEY": "ab" * 16})
    with pytest.raises(ConfigError, match="不是十六进制"):
        load_key(None, environ={"ECOPORTAL_PSEUDONYM_KEY": "zz" * 32})
    with pytest.raises(ConfigError, match="找不到化名密钥文件"):
        load_key(tmp_path / "none.key", environ={})


def test_generate_key_file(tmp_path: Path) -> None:
    path = generate_key_file(tmp_path / "sub" / "p.key")
    text = path.read_text()
    assert re.fullmatch(r"[0-9a-f]{64}\n", text)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with pytest.raises(ConfigError, match="已存在，未覆盖"):
        generate_key_file(path)
    assert path.read_text() == text
    assert generate_key_file(tmp_path / "q.key").read_text() != text


def test_keygen_command(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "k.key"
    result = runner.invoke(main, ["keygen", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "已生成化名密钥" in result.output
    assert len(bytes.fromhex(out.read_text().strip())) == 32
    again = runner.invoke(main, ["keygen", "--out", str(out)])
    assert again.exit_code == 1
    assert "已存在，未覆盖" in again.output


def test_bulk_digests_equal_the_hmac_module() -> None:
    p = Pseudonymizer(KEY_A)
    values = ["", "a", "北京市朝阳区", "x" * 300]
    assert p.hexdigests("location", values) == [_hmac(KEY_A, "location", v) for v in values]
    long_key = bytes(range(100))  # longer than the SHA-256 block: hashed first, as in RFC 2104
    assert Pseudonymizer(long_key).hexdigest("case_id", "v") == _hmac(long_key, "case_id", "v")


def test_bulk_operations_equal_the_single_ones() -> None:
    """The importer's bulk calls give exactly the pseudonyms of the one-value methods."""
    p = Pseudonymizer(KEY_A)
    raw_ids = ["GD1", " GD2 ", "", "GD1", "工单３"]
    assert p.case_ids(raw_ids, "NY") == [
        p.case_id(v, "NY") if v.strip() else "" for v in raw_ids]
    assert p.case_ids(["GD1"], "BJ") == ["BJ" + _hmac(KEY_A, "case_id", "GD1")[:12].upper()]
    phones = ["13812345678", "+86 138 1234 5678", "138****5678", "", "", "010-6512 3456",
              "138****5678"]
    names = ["王伟", "李娜", "王伟", "赵敏", "", "", "李娜"]
    keys = p.complainant_keys(phones, names)
    assert keys == [p.complainant_key(ph, nm) for ph, nm in zip(phones, names, strict=True)]
    assert keys[0] == keys[1] == "P" + _hmac(KEY_A, "complainant/phone", "13812345678")[:16]
    assert keys[4] == "" and keys[2] != keys[6]
    districts = ["朝阳区", "朝阳区", "海淀区"]
    streets = ["望京街道", "望京街道", ""]
    addresses = ["望京西园 3 区", "望京西园3区", "某路 1 号"]
    locations = p.location_keys(districts, streets, addresses)
    assert locations == [p.location_key(*t) for t in zip(districts, streets, addresses,
                                                          strict=True)]
    assert locations[0] == locations[1] == (
        "L" + _hmac(KEY_A, "location", "朝阳区\x1f望京街道\x1f望京西园3区")[:16])

"""Keyed pseudonyms (HMAC-SHA256) for case ids, complainants and locations.

Plain hashes are not pseudonyms: 10¹⁰ phone numbers can be hashed in minutes and compared.
Every pseudonym here is an HMAC under a secret key kept outside the repository (environment
variable or key file), and each purpose is domain-separated: the HMAC input is
``ecoportal/v1/<purpose>`` + NUL + value, so the same text never yields related ids in two
roles.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path

from generator.errors import ConfigError
from generator.privacy.normalize import DELETED

KEY_ENV = "ECOPORTAL_PSEUDONYM_KEY"
"""Environment variable holding the key itself, as hex."""
KEY_FILE_ENV = "ECOPORTAL_KEY_FILE"
"""Environment variable naming a file that holds the hex key."""
MIN_KEY_BYTES = 32
DEFAULT_KEY_PATH = "~/.ecoportal/pseudonym.key"

MISSING_KEY_MESSAGE = (
    "缺少化名密钥，无法生成化名，已停止导入。请先运行 "
    f"`ecoportal keygen --out {DEFAULT_KEY_PATH}` 生成密钥文件，"
    f"再设置环境变量 {KEY_FILE_ENV}={DEFAULT_KEY_PATH}（或用 --key-file 指定该文件）。"
    "密钥必须保存在仓库之外，并且每次导入都要用同一个密钥，化名才能前后一致。"
)

_DOMAIN = b"ecoportal/v1/"
# Whitespace plus the characters the scanner also treats as invisible (one list, two users).
_INVISIBLE = re.compile(f"[\\s{re.escape(DELETED)}]+")
_NON_DIGIT = re.compile(r"[^0-9]")
_MASK = re.compile(r"[*＊xX×]")


def parse_key(text: str, *, origin: str) -> bytes:
    """Decode a hex key; `origin` (file or variable name) goes into the error message."""
    cleaned = text.strip()
    try:
        key = bytes.fromhex(cleaned)
    except ValueError as exc:
        raise ConfigError(
            f"{origin} 中的化名密钥不是十六进制文本。请用 "
            f"`ecoportal keygen --out {DEFAULT_KEY_PATH}` 重新生成。"
        ) from exc
    if len(key) < MIN_KEY_BYTES:
        raise ConfigError(
            f"{origin} 中的化名密钥只有 {len(key)} 字节，至少需要 {MIN_KEY_BYTES} 字节"
            f"（{MIN_KEY_BYTES * 2} 个十六进制字符）。请用 "
            f"`ecoportal keygen --out {DEFAULT_KEY_PATH}` 重新生成。"
        )
    return key


def _read_key_file(path: Path, origin: str) -> bytes:
    path = path.expanduser()
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError as exc:
        raise ConfigError(
            f"找不到化名密钥文件 {path}（来自 {origin}）。请检查路径，或运行 "
            f"`ecoportal keygen --out {path}` 生成。"
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"无法读取化名密钥文件 {path}（{exc}）。请检查文件权限和内容。") from exc
    return parse_key(text, origin=f"密钥文件 {path}")


def load_key(key_file: Path | None = None, environ: Mapping[str, str] | None = None) -> bytes:
    """The pseudonym key: --key-file, else $ECOPORTAL_PSEUDONYM_KEY, else $ECOPORTAL_KEY_FILE.

    Raises ConfigError with MISSING_KEY_MESSAGE when none is given.
    """
    env = os.environ if environ is None else environ
    if key_file is not None:
        return _read_key_file(key_file, "--key-file")
    if env.get(KEY_ENV, "").strip():
        return parse_key(env[KEY_ENV], origin=f"环境变量 {KEY_ENV}")
    if env.get(KEY_FILE_ENV, "").strip():
        return _read_key_file(Path(env[KEY_FILE_ENV].strip()), f"环境变量 {KEY_FILE_ENV}")
    raise ConfigError(MISSING_KEY_MESSAGE)


def generate_key_file(path: Path) -> Path:
    """Write 32 random bytes as hex to a new file with mode 0600; never overwrite."""
    path = path.expanduser()
    if path.is_dir():
        raise ConfigError(f"--out {path} 是一个文件夹。请给出密钥文件的路径，"
                          f"如 {DEFAULT_KEY_PATH}。")
    if path.exists():
        raise ConfigError(
            f"密钥文件 {path} 已存在，未覆盖：覆盖会让以后生成的化名与已发布的数据对不上。"
            "如确需新密钥，请换一个文件名。"
        )
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        if path.exists():
            raise ConfigError(f"密钥文件 {path} 已存在，未覆盖。请换一个文件名。") from exc
        raise ConfigError(f"无法创建密钥文件 {path}：路径中的 {_first_file(path.parent)} "
                          "是文件而不是文件夹。请换一个路径。") from exc
    except OSError as exc:
        raise ConfigError(f"无法创建密钥文件 {path}（{exc.strerror or exc}）。"
                          "请检查路径和权限，或换一个路径。") from exc
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(MIN_KEY_BYTES) + "\n")
        os.chmod(path, 0o600)
    except OSError as exc:
        path.unlink(missing_ok=True)  # ours: created just above with O_EXCL
        raise ConfigError(f"无法写入密钥文件 {path}（{exc.strerror or exc}）。"
                          "请检查磁盘空间和权限后重试。") from exc
    return path


def _first_file(folder: Path) -> Path:
    """The first existing non-folder on the way to `folder` (why mkdir failed)."""
    for part in reversed([folder, *folder.parents]):
        if part.exists() and not part.is_dir():
            return part
    return folder


def normalise_text(value: str) -> str:
    """NFKC, zero-width characters removed, all whitespace removed."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", value))


def normalise_phone(value: str) -> str:
    """Digits of a phone number without the +86/0086 prefix; '' if masked or too short."""
    if value.isascii() and value.isdigit():
        digits = value  # the common case, already normal
    else:
        text = normalise_text(value)
        if not text or _MASK.search(text):
            return ""
        digits = _NON_DIGIT.sub("", text)
    if digits.startswith("0086"):
        digits = digits[4:]
    elif len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits if len(digits) >= 7 else ""


def location_message(district: str, street: str, address: str) -> str:
    """The HMAC input of a location_key: district + street + normalised address."""
    return f"{district}\x1f{street}\x1f{normalise_text(address)}"


class Pseudonymizer:
    """HMAC-SHA256 pseudonyms under one key."""

    def __init__(self, key: bytes) -> None:
        if len(key) < MIN_KEY_BYTES:
            raise ConfigError(f"化名密钥至少需要 {MIN_KEY_BYTES} 字节。")
        # HMAC (RFC 2104) with the padded-key states computed once: the same result as
        # hmac.digest, several times faster per value.
        block = key if len(key) <= 64 else hashlib.sha256(key).digest()
        block = block.ljust(64, b"\x00")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def hexdigests(self, purpose: str, values: list[str]) -> list[str]:
        """hexdigest of each value (a tight loop for bulk imports)."""
        prefix = _DOMAIN + purpose.encode("utf-8") + b"\x00"
        inner_base, outer_base = self._inner, self._outer
        result = []
        for value in values:
            inner = inner_base.copy()
            inner.update(prefix + value.encode("utf-8"))
            outer = outer_base.copy()
            outer.update(inner.digest())
            result.append(outer.hexdigest())
        return result

    def hexdigest(self, purpose: str, value: str) -> str:
        """Lower-case hex HMAC-SHA256 of `value` under the domain-separated `purpose`."""
        inner = self._inner.copy()
        inner.update(_DOMAIN + purpose.encode("utf-8") + b"\x00" + value.encode("utf-8"))
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()

    def case_id(self, raw_id: str, prefix: str) -> str:
        """`prefix` (two capital letters) + 12 upper-case hex digits."""
        return prefix + self.hexdigest("case_id", raw_id.strip())[:12].upper()

    def complainant_key(self, phone: str, name: str) -> str:
        """'P' + 16 hex: of the normalised phone, or of name + phone text when there is none.

        Returns '' when neither a name nor a phone is given.
        """
        digits = normalise_phone(phone)
        if digits:
            return self.phone_key(digits)
        name_n, phone_n = normalise_text(name), normalise_text(phone)
        if not name_n and not phone_n:
            return ""
        return "P" + self.hexdigest("complainant/name+phone", f"{name_n}\x1f{phone_n}")[:16]

    def phone_key(self, digits: str) -> str:
        """complainant_key of an already normalised phone number (see normalise_phone)."""
        return "P" + self.hexdigest("complainant/phone", digits)[:16]

    def location_key(self, district: str, street: str, address: str) -> str:
        """'L' + 16 hex of district + street + the normalised address."""
        return "L" + self.hexdigest("location", location_message(district, street, address))[:16]

    # --- bulk operations for imports: each distinct value is hashed once ----------------------

    def case_ids(self, raw_ids: Sequence[str], prefix: str) -> list[str]:
        """case_id of each raw work-order number ('' where it is empty); same as case_id()."""
        stripped = [v.strip() for v in raw_ids]
        digests = self.hexdigests("case_id", stripped)
        return [prefix + h[:12].upper() if v else "" for h, v in zip(digests, stripped,
                                                                       strict=True)]

    def complainant_keys(self, phones: Sequence[str], names: Sequence[str]) -> list[str]:
        """complainant_key of each (phone, name) pair; same as complainant_key().

        Each distinct phone is normalised once and each distinct number hashed once; only
        pairs without a usable number fall back to name + phone.
        """
        digits_of = {phone: normalise_phone(phone) for phone in set(phones)}
        numbers = sorted({d for d in digits_of.values() if d})
        key_of = dict(zip(numbers, ("P" + h[:16] for h in
                                    self.hexdigests("complainant/phone", numbers)), strict=True))
        fallback: dict[tuple[str, str], str] = {}
        keys = []
        for phone, name in zip(phones, names, strict=True):
            digits = digits_of[phone]
            if digits:
                keys.append(key_of[digits])
                continue
            pair = (phone, name)
            if pair not in fallback:
                fallback[pair] = self.complainant_key(phone, name)
            keys.append(fallback[pair])
        return keys

    def location_keys(self, districts: Sequence[str], streets: Sequence[str],
                      addresses: Sequence[str]) -> list[str]:
        """location_key of each (district, street, address); same as location_key()."""
        triples = list(zip(districts, streets, addresses, strict=True))
        distinct = list(dict.fromkeys(triples))
        digests = self.hexdigests("location", [location_message(*t) for t in distinct])
        key_of = {t: "L" + h[:16] for t, h in zip(distinct, digests, strict=True)}
        return [key_of[t] for t in triples]

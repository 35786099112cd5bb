"""Server-side validation of one submission against the form definition.

The input is what a client sent: JSON (values of any JSON type) or a form post (lists of
strings). The output is the cleaned, typed values to store, the problems that block the
submission (one per field, in the definition's order, the field's own Chinese message) and
the warnings that do not (an early credit code failing its checksum).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import InvalidChecksum, ValidationError

from generator.forms.definition import Field, FormDefinition
from generator.forms.normalize import clean_text, digits_only
from generator.problems import Problem, problem
from generator.text import shown

MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")
LANDLINE_RE = re.compile(r"^0[1-9][0-9]{1,2}[2-9][0-9]{6,7}$")
"""Area code (010, 021, 0755…) then a 7- or 8-digit local number."""
PHONE_SEPARATORS = re.compile(r"[\s\-()（）]")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")
USCC_FORMAT = "^[0-9]{8}[0-9A-HJ-NPQRTUWXY]{10}$"
"""GB 32100-2015: eight digits, then ten of the 31 code characters (no I, O, S, V, Z)."""
DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
CONSENT_VALUES = ("yes", "true", "on", "1")
"""What a ticked consent box may send (the HTML checkbox sends "yes"; JSON may send true)."""
FIX = "请按提示修改后重新提交"


@dataclass
class Result:
    """The outcome of checking one submission."""

    values: dict[str, Any] = field(default_factory=dict)
    """Typed values of the stored fields: str, int, list[str], bool or None (not given)."""
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    shown_values: dict[str, str | list[str]] = field(default_factory=dict)
    """The cleaned values as text, to put back into a re-rendered form."""
    honeypot_filled: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems and not self.honeypot_filled


def validate_submission(form: FormDefinition, raw: Mapping[str, object], *,
                        today: dt.date) -> Result:
    """Check `raw` (field name → submitted value) against `form`; dates relative to `today`."""
    result = Result()
    file = f"{form.form}.v{form.version}"
    for name in raw:
        if name not in form.names:
            result.problems.append(problem(
                file, f"表单中没有“{shown(name, 40)}”这一项", "请只提交表单中的各项",
                field=shown(name, 40), code="unknown-field"))
    texts: dict[str, str | list[str]] = {}
    for f in form.fields:
        texts[f.name] = _as_text(f, raw.get(f.name), result, file)
    result.shown_values = dict(texts)
    hp = texts.get(form.honeypot.name)
    result.honeypot_filled = bool(hp)
    # Conditions read unconditional choice fields (the loader checks that), so those first.
    first = [f for f in form.stored if f.type == "choice" and not _conditional(f)]
    for f in first + [f for f in form.stored if not any(f is g for g in first)]:
        if any(p.field == f.name for p in result.problems):
            continue
        if not f.is_shown(result.values):
            result.values[f.name] = None  # not asked for this business type: dropped
            result.shown_values[f.name] = "" if f.type != "multichoice" else []
            continue
        result.values[f.name] = _check(f, texts[f.name], result, file, today, result.values)
    result.values = {f.name: result.values.get(f.name) for f in form.stored}
    order = {name: i for i, name in enumerate(form.names)}
    result.problems.sort(key=lambda p: order.get(p.field or "", -1))
    return result


def _conditional(f: Field) -> bool:
    return f.shown_when is not None or f.required_when is not None


def _as_text(f: Field, value: object, result: Result, file: str) -> str | list[str]:
    """The submitted value as cleaned text (a list for multichoice); type errors reported."""
    multiline = f.type == "textarea"
    if value is None:
        return [] if f.type == "multichoice" else ""
    if isinstance(value, bool) and f.type == "consent":
        return "yes" if value else ""
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str | int) and not isinstance(v, bool) for v in items) \
            or (f.type != "multichoice" and len(items) > 1):
        result.problems.append(problem(file, f"{f.label}的格式不正确", FIX, field=f.name,
                                       code="type-error"))
        return [] if f.type == "multichoice" else ""
    cleaned = [clean_text(str(v), multiline=multiline) for v in items]
    if f.type == "multichoice":
        return [c for c in cleaned if c]
    return cleaned[0] if cleaned else ""


def _fail(f: Field, kind: str, result: Result, file: str) -> None:
    result.problems.append(problem(file, f.message(kind), f.hint or FIX, field=f.name,
                                   code=kind))


def _check(f: Field, text: str | list[str], result: Result, file: str, today: dt.date,
           values: dict[str, Any]) -> Any:
    if not text:
        if f.is_required(values):
            _fail(f, "required", result, file)
        return [] if f.type == "multichoice" else None
    if isinstance(text, list):  # multichoice
        if any(v not in f.option_values for v in text):
            _fail(f, "not_option", result, file)
            return None
        return [o for o in f.option_values if o in text]  # definition order, no duplicates
    checker = _CHECKS.get(f.type, _check_text)
    return checker(f, text, result, file, today, values)


def _check_text(f: Field, text: str, result: Result, file: str, today: dt.date,
                values: dict[str, Any]) -> Any:
    if f.max_length is not None and len(text) > f.max_length:
        _fail(f, "too_long", result, file)
        return None
    return text


def _check_uscc(f: Field, text: str, result: Result, file: str, today: dt.date,
                values: dict[str, Any]) -> Any:
    code = stdnum_uscc.compact(text).upper()
    result.shown_values[f.name] = code
    try:
        stdnum_uscc.validate(code)
    except InvalidChecksum:
        result.warnings.append(problem(file, f.message("checksum"), "如确认无误，可直接提交",
                                       field=f.name, code="checksum"))
    except ValidationError:
        _fail(f, "invalid", result, file)
        return None
    return code


def _check_phone(f: Field, text: str, result: Result, file: str, today: dt.date,
                 values: dict[str, Any]) -> Any:
    compact = PHONE_SEPARATORS.sub("", text)
    for prefix in ("+86", "0086"):
        if compact.startswith(prefix):
            compact = compact[len(prefix):]
    digits = digits_only(compact)
    if digits != compact or not (MOBILE_RE.match(digits) or LANDLINE_RE.match(digits)):
        _fail(f, "invalid", result, file)
        return None
    return digits


def _check_email(f: Field, text: str, result: Result, file: str, today: dt.date,
                 values: dict[str, Any]) -> Any:
    if f.max_length is not None and len(text) > f.max_length:
        _fail(f, "too_long", result, file)
        return None
    if not EMAIL_RE.match(text):
        _fail(f, "invalid", result, file)
        return None
    return text


def _check_option(f: Field, text: str, result: Result, file: str, today: dt.date,
                  values: dict[str, Any]) -> Any:
    if f.type == "street" and f.depends_on:
        district = values.get(f.depends_on)
        if district is None:
            return None  # the district's own problem says what to do
        allowed = f.options_by_group.get(district, frozenset())
    else:
        allowed = frozenset(f.option_values)
    if text not in allowed:
        _fail(f, "not_option", result, file)
        return None
    return text


def _check_integer(f: Field, text: str, result: Result, file: str, today: dt.date,
                   values: dict[str, Any]) -> Any:
    if not (text.isascii() and text.isdigit()):
        _fail(f, "invalid", result, file)
        return None
    number = int(text)
    if (f.min is not None and number < f.min) or (f.max is not None and number > f.max):
        _fail(f, "out_of_range", result, file)
        return None
    return number


def _check_date(f: Field, text: str, result: Result, file: str, today: dt.date,
                values: dict[str, Any]) -> Any:
    try:
        day = dt.date.fromisoformat(text) if DATE_RE.match(text) else None
    except ValueError:
        day = None
    if day is None:
        _fail(f, "invalid", result, file)
        return None
    if ((f.min_days is not None and day < today + dt.timedelta(days=f.min_days))
            or (f.max_days is not None and day > today + dt.timedelta(days=f.max_days))):
        _fail(f, "out_of_range", result, file)
        return None
    earlier = values.get(f.not_before) if f.not_before else None
    if isinstance(earlier, str) and text < earlier:
        _fail(f, "before", result, file)
        return None
    return text


def _check_consent(f: Field, text: str, result: Result, file: str, today: dt.date,
                   values: dict[str, Any]) -> Any:
    if text.lower() not in CONSENT_VALUES:
        _fail(f, "required", result, file)
        return None
    return True


_CHECKS = {"uscc": _check_uscc, "phone": _check_phone, "email": _check_email,
           "district": _check_option, "street": _check_option, "choice": _check_option,
           "integer": _check_integer, "date": _check_date, "consent": _check_consent}

"""The consultation form: one definition (forms/consultation.yml) and everything made from it.

- `load_form` / `load_versions`: the typed definition (generator.forms.definition);
- `validate_submission`: the server's check of one submission (generator.forms.validate);
- `table_schema`: the Table Schema of the staff CSV over every version (generator.forms.schema);
- `render_form`: the form's HTML, for the static page and the server's no-JS error page
  (generator.forms.html);
- `definition_json`: the definition as JSON for the page script, so the browser checks with
  the same rules, limits and messages as the server.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from generator.config import read_yaml_mapping
from generator.errors import ConfigError
from generator.forms.definition import Condition, Field, FormDefinition, Option, load_form
from generator.forms.normalize import CHINESE_PUNCTUATION
from generator.forms.validate import (
    CONSENT_VALUES,
    DATE_RE,
    EMAIL_RE,
    LANDLINE_RE,
    MOBILE_RE,
    USCC_FORMAT,
    Result,
    validate_submission,
)
from generator.problems import problem
from generator.reference import Reference

FORMS_FOLDER = Path("forms")
FORM_FILE = FORMS_FOLDER / "consultation.yml"
"""The current definition, relative to the project root."""
VERSIONS_FOLDER = FORMS_FOLDER / "versions"
"""Earlier versions, kept as forms/versions/consultation.v<N>.yml (their rows stay valid)."""
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""GB 32100-2015 check digit (as stdnum.cn.uscc computes it), for the page script."""

__all__ = ["FORM_FILE", "Condition", "Field", "FormDefinition", "Option", "Result",
           "definition_json", "load_form", "load_versions", "read_yaml_mapping",
           "validate_submission"]


def load_versions(root: Path, reference: Reference) -> tuple[FormDefinition, ...]:
    """Every version of the form, oldest first: forms/versions/*.yml, then the current one."""
    current = load_form(root / FORM_FILE, reference)
    older = [load_form(p, reference) for p in sorted((root / VERSIONS_FOLDER).glob("*.yml"))]
    seen: dict[int, Path] = {}
    for form in [*older, current]:
        if form.version in seen or form.form != current.form:
            fix = "每个版本的文件只能有一个，version 各不相同，form 与当前定义一致"
            what = (f"与 {seen[form.version]} 的 version 相同" if form.version in seen
                    else f"的 form 不是 {current.form}")
            raise ConfigError(f"表单定义文件 {form.source} {what}。{fix}。",
                              [problem(form.source, what, fix, key="version",
                                       code="duplicate")])
        seen[form.version] = form.source
    if older and max(f.version for f in older) >= current.version:
        raise ConfigError(f"表单定义文件 {current.source} 的 version（{current.version}）应大于 "
                          "forms/versions/ 中所有旧版本的 version。请提高 version。")
    return (*sorted(older, key=lambda f: f.version), current)


def definition_json(form: FormDefinition) -> dict[str, Any]:
    """The definition as plain JSON data for the page script (json.dumps it into the page).

    Keys: form, version, title, description, fields (each: name, label, hint, type, required,
    required_when, shown_when ({field, in} or null), max_length, min, max, min_days, max_days,
    not_before, depends_on, autocomplete, options ([{value, group}]), errors (kind → message)),
    and checks: the patterns and check-digit data the server uses, as JavaScript regex source.
    """

    def condition(c: Condition | None) -> dict[str, Any] | None:
        return None if c is None else {"field": c.field, "in": list(c.values)}

    return {
        "form": form.form, "version": form.version, "title": form.title,
        "description": form.description,
        "fields": [{
            "name": f.name, "label": f.label, "hint": f.hint, "type": f.type,
            "required": f.required, "required_when": condition(f.required_when),
            "shown_when": condition(f.shown_when), "max_length": f.max_length, "min": f.min,
            "max": f.max, "min_days": f.min_days, "max_days": f.max_days,
            "not_before": f.not_before, "depends_on": f.depends_on,
            "autocomplete": f.autocomplete,
            "options": [{"value": o.value, "group": o.group} for o in f.options],
            "errors": dict(f.errors)} for f in form.fields],
        "checks": {
            "mobile": MOBILE_RE.pattern, "landline": LANDLINE_RE.pattern,
            "phone_separators": r"[\s\-()（）]", "phone_prefixes": ["+86", "0086"],
            "email": EMAIL_RE.pattern, "date": DATE_RE.pattern,
            "uscc_format": USCC_FORMAT, "uscc_alphabet": USCC_ALPHABET,
            "uscc_weights": list(USCC_WEIGHTS),
            "consent_values": list(CONSENT_VALUES),
            "drop_characters": r"[\p{Cc}\p{Cf}\p{Co}\p{Cn}]",
            "keep_from_nfkc": "".join(sorted(CHINESE_PUNCTUATION)),
        },
    }


def definition_json_text(form: FormDefinition) -> str:
    """definition_json as compact text safe inside <script type="application/json">."""
    text = json.dumps(definition_json(form), ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

"""The form's HTML, from the definition, the submitted values and the problems found.

One renderer for the static form page (empty, at build) and the intake service's no-JS error
page (the values sent and their problems), so both look and read the same. GOV.UK patterns:
an error summary at the top linking to each field, a label, a hint and an error message per
field tied to the control with aria-describedby, radios and checkboxes inside a fieldset with
a legend. Element ids and class names are the page script's API (forms/README.md).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from html import escape

from generator.forms.definition import Condition, Field, FormDefinition
from generator.problems import Problem

RADIO_TYPES = ("choice",)
SELECT_TYPES = ("district", "street")
INPUT_TYPES = {"text": "text", "uscc": "text", "phone": "tel", "email": "email",
               "integer": "text", "date": "date"}
SUMMARY_TITLE = "提交前请修改以下问题"
CHOOSE = "请选择"
HONEYPOT_STYLE = "position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden"
"""Inline, so the trap stays out of sight even where the site's stylesheet is missing."""

Values = Mapping[str, object]


def field_id(name: str) -> str:
    """Id of a field's control (of its first radio or checkbox): the summary links here."""
    return f"f-{name}"


def render_form(form: FormDefinition, *, action: str, privacy_href: str, privacy_version: str,
                values: Values | None = None, problems: Sequence[Problem] = (),
                warnings: Sequence[Problem] = (), submit_label: str = "提交申请") -> str:
    """The error summary (hidden when there are no problems) and the whole <form>."""
    fields = render_fields(form, privacy_href=privacy_href, privacy_version=privacy_version,
                           values=values, problems=problems, warnings=warnings)
    return (f"{render_error_summary(form, problems)}\n"
            f'<form class="cf-form" id="cf-form" method="post" action="{escape(action)}" '
            f'accept-charset="utf-8" novalidate data-form="{escape(form.form)}" '
            f'data-version="{form.version}">\n'
            f'<input type="hidden" name="form_version" value="{form.version}">\n'
            f"{fields}\n"
            f'<button type="submit" class="cf-button" id="cf-submit">{escape(submit_label)}'
            "</button>\n</form>")


def render_error_summary(form: FormDefinition, problems: Sequence[Problem]) -> str:
    """The GOV.UK error summary: one link per problem to its field (text when no field)."""
    items = []
    for p in problems:
        if p.field in form.names and p.field != form.honeypot.name:
            items.append(f'<li><a href="#{field_id(p.field)}">{escape(p.message)}</a></li>')
        else:
            items.append(f"<li>{escape(p.message)}</li>")
    hidden = "" if problems else " hidden"
    return (f'<div class="cf-error-summary" id="cf-error-summary" role="alert" tabindex="-1" '
            f'aria-labelledby="cf-error-summary-title"{hidden}>\n'
            f'<h2 class="cf-error-summary__title" id="cf-error-summary-title">{SUMMARY_TITLE}'
            "</h2>\n"
            f'<ul class="cf-error-summary__list">{"".join(items)}</ul>\n</div>')


def render_fields(form: FormDefinition, *, privacy_href: str, privacy_version: str,
                  values: Values | None = None, problems: Sequence[Problem] = (),
                  warnings: Sequence[Problem] = ()) -> str:
    """Every field's group, in the definition's order."""
    values = values or {}
    errors = {p.field: p.message for p in problems if p.field}
    notes = {p.field: p.message for p in warnings if p.field}
    return "\n".join(_group(f, values.get(f.name), errors.get(f.name), notes.get(f.name),
                            privacy_href, privacy_version,
                            _text(values.get(f.depends_on)) if f.depends_on else "")
                     for f in form.fields)


def _group(f: Field, value: object, error: str | None, warning: str | None,
           privacy_href: str, privacy_version: str, group: str) -> str:
    if f.type == "honeypot":
        return (f'<div class="cf-hp" aria-hidden="true" style="{HONEYPOT_STYLE}">'
                f'<label for="{field_id(f.name)}">{escape(f.label)}</label>'
                f'<input id="{field_id(f.name)}" name="{f.name}" type="text" tabindex="-1" '
                'autocomplete="off" value=""></div>')
    fid = field_id(f.name)
    hint = f.hint
    hint_html = escape(hint)
    if f.type == "consent":
        hint_html = (f'提交前请阅读<a href="{escape(privacy_href)}">《隐私说明》</a>'
                     f"（版本：{escape(privacy_version)}）。")
    described = [f"{fid}-hint"] if hint_html else []
    parts = [f'<div class="cf-hint" id="{fid}-hint">{hint_html}</div>'] if hint_html else []
    kinds = (("error", error), ("warning", warning)) if f.type == "uscc" or warning \
        else (("error", error),)
    for kind, message in kinds:
        text = (f'<span class="cf-visually-hidden">{"错误" if kind == "error" else "提示"}：'
                f"</span>{escape(message)}") if message else ""
        hidden = "" if message else " hidden"
        parts.append(f'<p class="cf-{kind}-message" id="{fid}-{kind}"{hidden}>{text}</p>')
        if message:
            described.append(f"{fid}-{kind}")
    aria = f' aria-describedby="{" ".join(described)}"' if described else ""
    attrs = (f' class="cf-group{" cf-group--error" if error else ""}" id="cf-group-{f.name}" '
             f'data-field="{f.name}" data-type="{f.type}"{_condition_attrs(f)}')
    if f.type in RADIO_TYPES or f.type == "multichoice":
        control = _choices(f, value, error is not None)
        return (f"<div{attrs}>\n<fieldset class=\"cf-fieldset\"{aria}>\n"
                f'<legend class="cf-fieldset__legend">{escape(f.label)}</legend>\n'
                + "\n".join(parts) + f"\n{control}\n</fieldset>\n</div>")
    if f.type == "consent":
        checked = " checked" if value else ""
        control = (f'<div class="cf-checkboxes"><div class="cf-checkboxes__item">'
                   f'<input class="cf-checkboxes__input" id="{fid}" name="{f.name}" '
                   f'type="checkbox" value="yes"{checked}{aria}>'
                   f'<label class="cf-label cf-checkboxes__label" for="{fid}">'
                   f"{escape(f.label)}</label></div></div>")
        return f"<div{attrs}>\n" + "\n".join(parts) + f"\n{control}\n</div>"
    label = f'<label class="cf-label" for="{fid}">{escape(f.label)}</label>'
    return (f"<div{attrs}>\n{label}\n" + "\n".join(parts)
            + f"\n{_control(f, value, error is not None, aria, group)}\n</div>")


def _condition_attrs(f: Field) -> str:
    def attr(name: str, c: Condition | None) -> str:
        if c is None:
            return ""
        data = json.dumps({"field": c.field, "in": list(c.values)}, ensure_ascii=False)
        return f" data-{name}='{escape(data, quote=False)}'"
    return attr("shown-when", f.shown_when) + attr("required-when", f.required_when)


def _text(value: object) -> str:
    if value is None or isinstance(value, list | tuple):
        return ""
    return str(value)


def _control(f: Field, value: object, has_error: bool, aria: str, group: str) -> str:
    fid, text = field_id(f.name), _text(value)
    error_class = " cf-input--error" if has_error else ""
    if f.type == "textarea":
        return (f'<textarea class="cf-textarea{error_class}" id="{fid}" name="{f.name}" '
                f'rows="6"{aria}>{escape(text)}</textarea>')
    if f.type in SELECT_TYPES:
        return (f'<select class="cf-select{error_class}" id="{fid}" name="{f.name}"{aria}'
                + (f' data-depends-on="{f.depends_on}"' if f.depends_on else "")
                + f">\n{_options(f, text, group)}\n</select>")
    extra = ""
    if f.autocomplete:
        extra += f' autocomplete="{escape(f.autocomplete)}"'
    if f.type in ("integer", "phone"):
        extra += ' inputmode="numeric"' if f.type == "integer" else ' inputmode="tel"'
    if f.type in ("email", "uscc"):
        extra += ' spellcheck="false" autocapitalize="off"' if f.type == "email" \
            else ' spellcheck="false" autocapitalize="characters"'
    width = " cf-input--short" if f.type in ("integer", "date") else ""
    return (f'<input class="cf-input{width}{error_class}" id="{fid}" name="{f.name}" '
            f'type="{INPUT_TYPES[f.type]}" value="{escape(text)}"{extra}{aria}>')


def _options(f: Field, selected: str, selected_group: str) -> str:
    def option(value: str, group: str = "") -> str:
        mark = " selected" if value == selected and group == selected_group else ""
        return f'<option value="{escape(value)}"{mark}>{escape(value)}</option>'

    lines = [f'<option value="">{CHOOSE}</option>']
    if f.type != "street":
        lines += [option(o.value) for o in f.options]
        return "\n".join(lines)
    groups: dict[str, list[str]] = {}
    for o in f.options:
        groups.setdefault(o.group, []).append(o.value)
    # Street names repeat across districts; without the script, the group says which is which.
    for group, names in groups.items():
        lines.append(f'<optgroup label="{escape(group)}">'
                     + "".join(option(n, group) for n in names) + "</optgroup>")
    return "\n".join(lines)


def _choices(f: Field, value: object, has_error: bool) -> str:
    kind = "radios" if f.type in RADIO_TYPES else "checkboxes"
    input_type = "radio" if kind == "radios" else "checkbox"
    chosen = {str(v) for v in value} if isinstance(value, list | tuple) else {_text(value)}
    items = []
    for i, o in enumerate(f.options):
        oid = field_id(f.name) if i == 0 else f"{field_id(f.name)}-{i + 1}"
        checked = " checked" if o.value in chosen else ""
        items.append(f'<div class="cf-{kind}__item"><input class="cf-{kind}__input" id="{oid}" '
                     f'name="{f.name}" type="{input_type}" value="{escape(o.value)}"{checked}>'
                     f'<label class="cf-label cf-{kind}__label" for="{oid}">'
                     f"{escape(o.value)}</label></div>")
    return f'<div class="cf-{kind}" data-module="cf-{kind}">' + "".join(items) + "</div>"

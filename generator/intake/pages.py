"""The service's own HTML pages, for browsers posting the form without JavaScript.

An error page re-renders the form (generator.forms.html, the renderer of the static page)
with the error summary at the top; a confirmation page gives the reference and what happens
next; a message page says why a request was refused. Every page gives the phone route, so
nobody is left without a way to ask. Styles are inline: the pages need nothing else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

from generator.forms.definition import FormDefinition
from generator.forms.html import render_form
from generator.intake.config import IntakeConfig
from generator.problems import Problem

STYLE = """
body{font-family:system-ui,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;
margin:0;color:#0b0c0c;line-height:1.6}main{max-width:44rem;margin:0 auto;padding:1rem}
header{background:#1b4f72;color:#fff;padding:.75rem 1rem}header a{color:#fff}
a{color:#1d4f91}a:focus,input:focus,select:focus,textarea:focus,button:focus{outline:3px solid
#fd0;outline-offset:0}.cf-error-summary{border:5px solid #b10e1e;padding:1rem;margin:1rem 0}
.cf-error-summary a{color:#b10e1e;font-weight:bold}.cf-group{margin:0 0 1.5rem}
.cf-group--error{border-left:5px solid #b10e1e;padding-left:.75rem}.cf-label,
.cf-fieldset__legend{display:block;font-weight:bold}.cf-hint{color:#484949}
.cf-error-message{color:#b10e1e;font-weight:bold;margin:.25rem 0}.cf-warning-message{color:#594d00;
font-weight:bold}.cf-input,.cf-select,.cf-textarea{font:inherit;border:2px solid #0b0c0c;
padding:.3rem;width:100%;box-sizing:border-box}.cf-input--short{max-width:12rem}
.cf-input--error{border-color:#b10e1e}.cf-fieldset{border:0;padding:0;margin:0}
.cf-radios__item,.cf-checkboxes__item{margin:.25rem 0}.cf-button{font:inherit;background:#00703c;
color:#fff;border:0;padding:.5rem 1.25rem;cursor:pointer}.cf-visually-hidden{position:absolute;
width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}.panel{border:5px solid #00703c;
padding:1rem;text-align:center}.panel strong{font-size:1.6rem;display:block}.notice{
background:#f3f2f1;padding:.75rem 1rem}
"""


@dataclass(frozen=True)
class PageContext:
    site_name: str
    config: IntakeConfig

    @property
    def form_url(self) -> str:
        return self.config.page_url(self.config.form_page)

    @property
    def privacy_url(self) -> str:
        return self.config.page_url(self.config.privacy_page)


def _document(ctx: PageContext, title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape(title)} - {escape(ctx.site_name)}</title>\n"
            f"<style>{STYLE}</style>\n</head>\n<body>\n"
            f'<header><a href="{escape(ctx.config.page_url(""))}">{escape(ctx.site_name)}'
            f"</a></header>\n<main>\n{body}\n"
            f'<p class="notice">{escape(ctx.config.phone_route)}</p>\n</main>\n</body>\n</html>\n')


def error_page(ctx: PageContext, form: FormDefinition, *, action: str,
               values: Mapping[str, object], problems: Sequence[Problem],
               warnings: Sequence[Problem]) -> str:
    """The form again, with the values sent, the summary and each field's message."""
    body = (f"<h1>{escape(form.title)}</h1>\n"
            + render_form(form, action=action, privacy_href=ctx.privacy_url,
                          privacy_version=ctx.config.privacy_notice_version, values=values,
                          problems=problems, warnings=warnings))
    return _document(ctx, f"错误：{form.title}", body)


def message_page(ctx: PageContext, title: str, message: str, *, back: bool = True) -> str:
    link = (f'<p><a href="{escape(ctx.form_url)}">返回开业前咨询申请表</a></p>' if back else "")
    return _document(ctx, title, f"<h1>{escape(title)}</h1>\n<p>{escape(message)}</p>\n{link}")


def confirmation_page(ctx: PageContext, form: FormDefinition, *, reference: str,
                      received_at: dt.datetime, reply_by: dt.date,
                      warnings: Sequence[Problem]) -> str:
    config = ctx.config
    notes = "".join(f"<p>{escape(w.message)}。</p>\n" for w in warnings)
    body = (f'<div class="panel"><h1>申请已提交</h1>受理编号<strong>{escape(reference)}</strong>'
            "</div>\n"
            f"<p>我们已于 {received_at:%Y年%m月%d日 %H:%M} 收到您的{escape(form.title)}。"
            "请记下受理编号，联系我们时请提供。</p>\n"
            f"{notes}<h2>接下来会怎样</h2>\n"
            f"<p>{escape(config.reply_who)}将在 {config.reply_working_days} 个工作日内"
            f"（{reply_by:%Y年%m月%d日}前）通过您留下的联系电话与您联系，了解情况，"
            "必要时约定上门指导的时间。</p>\n"
            "<p>如需保存回执，请使用浏览器的“打印”功能打印或另存本页。</p>\n"
            f'<p><a href="{escape(ctx.privacy_url)}">我们如何使用和保存您的信息</a></p>')
    return _document(ctx, "申请已提交", body)

"""The intake WSGI app in-process: both paths, every guard, one error shape."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from generator.intake.config import Limit
from tests.conftest import ROOT
from tests.test_intake_support import (
    SITE,
    call,
    form_body,
    js_body,
    make_app,
    post_form,
    post_json,
)

PHONE_ROUTE = ("如无法在线提交，请拨打 12345 市民服务热线，说明需要“开业前咨询”，"
               "我们同样会安排联系。")


def refused(message: str) -> list[dict[str, object]]:
    return [{"field": None, "label": None, "message": message, "code": "refused"}]


def test_a_valid_json_submission_is_stored_and_answered_201(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    reply = post_json(app, js_body())
    assert reply.status == 201
    body = reply.json()
    assert re.fullmatch(r"YQ-\d{8}-0001", body["reference"])
    assert body["reply_working_days"] == 3 and body["warnings"] == []
    assert reply.headers["Access-Control-Allow-Origin"] == SITE
    assert reply.headers["Cache-Control"] == "no-store"
    record = app.store.get(body["reference"])
    assert record is not None and record.values["company"] == "北京示例美食城管理有限公司"
    assert record.privacy_version == "2026-12"
    assert post_json(app, js_body()).json()["reference"].endswith("-0002")


def test_invalid_fields_get_their_messages_in_one_shape(tmp_path: Path) -> None:
    reply = post_json(make_app(tmp_path), js_body(phone="123", company="", extra="x"))
    assert reply.status == 422
    assert reply.json() == {
        "status": 422, "message": "申请表有 3 处需要修改。",
        "errors": [
            {"field": "extra", "label": None, "message": "表单中没有“extra”这一项",
             "code": "unknown-field"},
            {"field": "company", "label": "企业名称", "message": "请输入企业名称",
             "code": "required"},
            {"field": "phone", "label": "联系电话",
             "message": "请输入 11 位手机号码，或带区号的固定电话", "code": "invalid"}],
        "phone_route": PHONE_ROUTE, "warnings": []}


def test_origin_rules_for_json_and_preflight(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    for origin in (None, "http://evil.test", "http://site.test:8080", "null"):
        reply = post_json(app, js_body(), origin=origin)
        assert reply.status == 403, origin
        assert "Access-Control-Allow-Origin" not in reply.headers
        assert reply.json()["errors"] == refused("不接受来自这个网站的提交。"
                                                 "请在本单位网站的开业前咨询页面提交。")
    ask = {"Access-Control-Request-Method": "POST",
           "Access-Control-Request-Headers": "content-type"}
    ok = call(app, "OPTIONS", "/api/consultations", headers={"Origin": SITE, **ask})
    assert ok.status == 204
    assert ok.headers["Access-Control-Allow-Origin"] == SITE
    assert ok.headers["Access-Control-Allow-Methods"] == "POST"
    bad = call(app, "OPTIONS", "/api/consultations", headers={"Origin": "http://evil.test",
                                                               **ask})
    assert bad.status == 403 and "Access-Control-Allow-Origin" not in bad.headers
    other = call(app, "OPTIONS", "/api/consultations",
                 headers={"Origin": SITE, "Access-Control-Request-Method": "PUT"})
    assert other.status == 403
    assert app.store.count() == 0


def test_the_form_post_must_come_from_our_own_pages(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    assert post_form(app, form_body(), origin="http://evil.test").status == 403
    assert post_form(app, form_body(), origin=None).status == 403  # neither Origin nor Referer
    by_referer = post_form(app, form_body(), origin=None,
                           headers={"Referer": f"{SITE}/business/consultation.html"})
    assert by_referer.status == 201
    cross = post_form(app, form_body(), headers={"Sec-Fetch-Site": "cross-site"})
    assert cross.status == 403
    page = cross.text
    assert "<h1>无法受理</h1>" in page and "不接受来自其他网站的提交" in page
    assert PHONE_ROUTE in page
    assert app.store.count() == 1


def test_no_js_errors_re_render_the_form_with_the_summary(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    reply = post_form(app, form_body(phone="123", company="示例 & <公司>"))
    assert reply.status == 422
    assert reply.headers["Content-Type"] == "text/html; charset=utf-8"
    page = reply.text
    assert "<title>错误：开业前咨询申请 - 测试门户</title>" in page
    assert ('<li><a href="#f-phone">请输入 11 位手机号码，或带区号的固定电话</a></li>'
            in page)
    assert 'value="示例 &amp; &lt;公司&gt;"' in page
    assert 'action="/api/consultations"' in page
    assert "default-src 'none'" in reply.headers["Content-Security-Policy"]
    ok = post_form(app, form_body())
    assert ok.status == 201
    assert "<h1>申请已提交</h1>" in ok.text
    reference = re.search(r"<strong>(YQ-\d{8}-\d{4})</strong>", ok.text)
    assert reference and app.store.get(reference.group(1)) is not None
    assert "个工作日内" in ok.text and PHONE_ROUTE in ok.text


def test_honeypot_on_both_paths_and_fill_time_on_the_json_path(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    message = ("表单中供程序检查的隐藏栏目被填写了，无法受理。"
               "如果您是人工填写，请换用其他浏览器重新填写。")
    trapped = post_json(app, js_body(website="http://spam.test"))
    assert trapped.status == 422 and trapped.json()["errors"] == refused(message)
    assert post_form(app, form_body(website="x")).status == 422
    too_fast = post_json(app, js_body(fill_ms=1500))
    assert too_fast.status == 422
    assert too_fast.json()["message"] == (
        "提交得太快了，像是程序自动提交。请核对填写的内容后再次提交。")
    assert post_json(app, js_body(fill_ms=...)).status == 422
    assert post_json(app, js_body(fill_ms="30000")).status == 422
    assert app.store.count() == 0


def test_size_content_type_json_and_version_errors(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    big = post_json(app, js_body(question="问" * 6000))  # 18 KB of UTF-8
    assert big.status == 413
    assert big.json()["message"] == "提交的内容过大（上限 16 KB）。"
    headers = {"Content-Type": "application/json", "Origin": SITE}
    assert call(app, "POST", "/api/consultations", body=b"{", headers=headers).json() == {
        "status": 400, "message": "提交的内容不是有效的 JSON。",
        "errors": refused("提交的内容不是有效的 JSON。"), "phone_route": PHONE_ROUTE,
        "warnings": []}
    assert call(app, "POST", "/api/consultations", body=b"[1]", headers=headers).status == 400
    assert call(app, "POST", "/api/consultations", body=b"\xff\xfe",
                headers=headers).status == 400
    assert call(app, "POST", "/api/consultations", body=b"a=1",
                headers={"Content-Type": "text/plain", "Origin": SITE}).status == 415
    stale = post_json(app, js_body(form_version=0))
    assert stale.status == 409
    assert stale.json()["message"] == "申请表已更新。请刷新页面，按新的表格重新填写后提交。"
    assert call(app, "GET", "/api/consultations").status == 405
    assert call(app, "GET", "/admin").status == 404
    health = call(app, "GET", "/healthz", headers={"Origin": SITE})
    assert health.status == 200 and health.json() == {"status": "ok"}
    assert health.headers["Access-Control-Allow-Origin"] == SITE


def test_rate_limits_per_address_trusting_only_the_proxy(tmp_path: Path) -> None:
    app = make_app(tmp_path, per_ip=Limit(3, 600))
    for _ in range(3):
        assert post_json(app, js_body(), remote="203.0.113.5").status == 201
    limited = post_json(app, js_body(), remote="203.0.113.5")
    assert limited.status == 429 and int(limited.headers["Retry-After"]) > 0
    assert limited.json()["message"].startswith("提交过于频繁，请 ")
    # A forged X-Forwarded-For from the client itself changes nothing...
    forged = post_json(app, js_body(), remote="203.0.113.5",
                       headers={"X-Forwarded-For": "192.0.2.1"})
    assert forged.status == 429
    # ...but behind the trusted proxy (127.0.0.1) the hop it appended is the client.
    for client in ("192.0.2.1", "192.0.2.2"):
        reply = post_json(app, js_body(), remote="127.0.0.1",
                          headers={"X-Forwarded-For": f"10.9.9.9, {client}"})
        assert reply.status == 201, client
    assert app.store.count() == 5


def test_unicode_is_normalised_before_storing(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    reply = post_json(app, js_body(company="\u202e示例\u200b公司（朝阳）",
                                   phone="１３８００１３８０００",
                                   question="想咨询：油烟，噪声！\u0000"))
    assert reply.status == 201
    record = app.store.get(reply.json()["reference"])
    assert record is not None
    assert record.values["company"] == "示例公司（朝阳）"
    assert record.values["phone"] == "13800138000"
    assert record.values["question"] == "想咨询：油烟，噪声！"


def test_the_app_imports_nothing_of_the_build_or_the_statistics() -> None:
    code = ("import sys, generator.intake.app, generator.intake.server, generator.intake.admin,"
            " generator.intake.monthly; "
            "print([m for m in sys.modules if m.split('.')[:2] in "
            "(['generator','stats'], ['generator','site'], ['generator','pipeline'])])")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert json.loads(out.replace("'", '"')) == []
    for path in (ROOT / "generator" / "intake").glob("*.py"):
        imports = re.findall(r"^(?:from|import) (generator[\w.]*)", path.read_text(), re.M)
        assert {i.split(".")[1] for i in imports} <= {"forms", "problems", "errors", "fileio",
                                                       "intake"}, path.name

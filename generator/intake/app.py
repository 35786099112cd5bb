"""The intake service as a WSGI app: POST /api/consultations and GET /healthz.

Two paths share every check. The page script posts JSON (a CORS request from an allowed
origin, with a fill time) and reads JSON; a browser without JavaScript posts the form
(form-encoded, same origin) and reads HTML pages. Each error has one shape: a status, a
Chinese message and one message per field, built from the structured problems. A request is
answered 201 only after its transaction commits. This module imports nothing of the site
build or the statistics.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

from generator.forms.definition import FormDefinition
from generator.forms.validate import validate_submission
from generator.intake import guards
from generator.intake.config import IntakeConfig
from generator.intake.export import CsvRefresher
from generator.intake.pages import PageContext, confirmation_page, error_page, message_page
from generator.intake.store import Store
from generator.intake.workdays import add_working_days
from generator.problems import Problem

LOG = logging.getLogger("ecoportal.intake")
API_PATH = "/api/consultations"
HEALTH_PATH = "/healthz"
MAX_BODY = 16 * 1024
JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"
META_FIELDS = ("form_version", "fill_ms")
"""Sent with the fields but not part of them: the version the page was built from and (JSON
only) the milliseconds the page was open before submitting."""
StartResponse = Callable[..., Any]


@dataclass
class Answer:
    status: int
    message: str
    problems: Sequence[Problem] = ()
    warnings: Sequence[Problem] = ()
    headers: list[tuple[str, str]] = field(default_factory=list)
    reference: str = ""
    received_at: dt.datetime | None = None
    reply_by: dt.date | None = None


REASONS = {200: "OK", 201: "Created", 204: "No Content", 400: "Bad Request",
           403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 409: "Conflict",
           413: "Content Too Large", 415: "Unsupported Media Type",
           422: "Unprocessable Content", 429: "Too Many Requests",
           500: "Internal Server Error", 503: "Service Unavailable"}
HTML_SECURITY = [("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; "
                  "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"),
                 ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin")]


class IntakeApp:
    def __init__(self, form: FormDefinition, config: IntakeConfig, store: Store, *,
                 zone: ZoneInfo, site_name: str, refresher: CsvRefresher | None = None,
                 now: Callable[[], dt.datetime] | None = None) -> None:
        self.form, self.config, self.store, self.zone = form, config, store, zone
        self.refresher = refresher
        self.now = now or (lambda: dt.datetime.now(zone))
        self.limiter = guards.RateLimiter(config.per_ip, config.global_limit)
        self.pages = PageContext(site_name, config)
        self.file = f"{form.form}.v{form.version}"

    def __call__(self, environ: dict[str, Any], start: StartResponse) -> Iterable[bytes]:
        try:
            return self._route(environ, start)
        except Exception as exc:  # a bug: answer in Chinese, log no request data
            LOG.error("处理请求时出错（%s）", type(exc).__name__)
            return self._json(start, Answer(500, "服务出错，您的申请没有提交成功。请稍后再试。"),
                              [("Vary", "Origin")])

    def _route(self, environ: dict[str, Any], start: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        origin = guards.request_origin(environ)
        cors = ([("Access-Control-Allow-Origin", origin or ""), ("Vary", "Origin")]
                if guards.origin_allowed(self.config, origin) else [("Vary", "Origin")])
        if path == HEALTH_PATH:
            if method not in ("GET", "HEAD"):
                return self._json(start, Answer(405, "只支持 GET。", headers=[("Allow", "GET")]),
                                  cors)
            return self._health(start, cors)
        if path != API_PATH:
            return self._json(start, Answer(404, "没有这个地址。"), cors)
        if method == "OPTIONS":
            return self._preflight(environ, start, origin, cors)
        if method != "POST":
            return self._json(start, Answer(405, "只支持 POST。", headers=[("Allow", "POST")]),
                              cors)
        kind = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if kind == FORM_TYPE:
            return self._post_form(environ, start)
        if kind != JSON_TYPE:
            return self._json(start, Answer(415, "请以 JSON 或表单方式提交。"), cors)
        if not guards.origin_allowed(self.config, origin):
            return self._json(start, Answer(403, "不接受来自这个网站的提交。请在本单位网站的"
                                            "开业前咨询页面提交。"), [("Vary", "Origin")])
        return self._post_json(environ, start, cors)

    # --- the two paths -----------------------------------------------------------------

    def _post_json(self, environ: dict[str, Any], start: StartResponse,
                   cors: list[tuple[str, str]]) -> Iterable[bytes]:
        answer, body = self._read(environ)
        data: Any = None
        if answer is None:
            try:
                data = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                answer = Answer(400, "提交的内容不是有效的 JSON。")
            else:
                if not isinstance(data, dict):
                    answer = Answer(400, "提交的内容应为 JSON 对象（字段名: 值）。")
        if answer is None:
            fill = data.pop("fill_ms", None)
            if isinstance(fill, bool) or not isinstance(fill, int | float) \
                    or fill < self.config.min_fill_seconds * 1000:
                answer = Answer(422, "提交得太快了，像是程序自动提交。请核对填写的内容后再次提交。")
        if answer is None:
            answer, _ = self._accept(data, environ)
        return self._json(start, answer, cors)

    def _post_form(self, environ: dict[str, Any], start: StartResponse) -> Iterable[bytes]:
        if not guards.same_origin_post(self.config, environ):
            return self._html(start, Answer(403, "不接受来自其他网站的提交。"
                                            "请在本单位网站的开业前咨询页面填写并提交申请表。"))
        answer, body = self._read(environ)
        data: dict[str, Any] = {}
        if answer is None:
            try:
                data = {k: v for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True,
                                                  errors="strict").items()}
            except (UnicodeDecodeError, ValueError):
                answer = Answer(400, "提交的内容无法读取。")
        if answer is None:
            answer, values = self._accept(data, environ)
            if answer.status == 422 and answer.problems:
                page = error_page(self.pages, self.form, action=self._action(environ),
                                  values=values, problems=answer.problems,
                                  warnings=answer.warnings)
                return self._send(start, 422, page.encode(), "text/html; charset=utf-8",
                                  HTML_SECURITY)
            if answer.status == 201 and answer.received_at and answer.reply_by:
                page = confirmation_page(
                    self.pages, self.form, reference=answer.reference,
                    received_at=answer.received_at, reply_by=answer.reply_by,
                    warnings=answer.warnings)
                return self._send(start, 201, page.encode(), "text/html; charset=utf-8",
                                  HTML_SECURITY)
        return self._html(start, answer)

    # --- shared steps ------------------------------------------------------------------

    def _read(self, environ: dict[str, Any]) -> tuple[Answer | None, bytes]:
        """The body (at most MAX_BODY bytes), or the answer refusing the request."""
        address = guards.client_address(self.config, environ)
        wait = self.limiter.check(address)
        if wait:
            return Answer(429, f"提交过于频繁，请 {int(wait) + 1} 秒后再试。",
                          headers=[("Retry-After", str(int(wait) + 1))]), b""
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY:
            return Answer(413, f"提交的内容过大（上限 {MAX_BODY // 1024} KB）。"), b""
        body = environ["wsgi.input"].read(min(length, MAX_BODY + 1) if length else MAX_BODY + 1)
        if len(body) > MAX_BODY:
            return Answer(413, f"提交的内容过大（上限 {MAX_BODY // 1024} KB）。"), b""
        return None, body

    def _accept(self, data: dict[str, Any], environ: dict[str, Any]
                ) -> tuple[Answer, dict[str, Any]]:
        """Validate and store; the answer carries the reference as its message on 201."""
        version = data.pop("form_version", None)
        if isinstance(version, list):
            version = version[0] if len(version) == 1 else None
        if str(version) != str(self.form.version):
            return Answer(409, "申请表已更新。请刷新页面，按新的表格重新填写后提交。"), {}
        now = self.now()
        result = validate_submission(self.form, data, today=now.astimezone(self.zone).date())
        if result.honeypot_filled:
            return Answer(422, "表单中供程序检查的隐藏栏目被填写了，无法受理。"
                          "如果您是人工填写，请换用其他浏览器重新填写。"), {}
        if result.problems:
            return Answer(422, f"申请表有 {len(result.problems)} 处需要修改。", result.problems,
                          result.warnings), result.shown_values
        warnings = "；".join(w.message for w in result.warnings)
        try:
            record = self.store.add(result.values, form_version=self.form.version,
                                    privacy_version=self.config.privacy_notice_version,
                                    warnings=warnings, now=now)
        except sqlite3.Error as exc:
            LOG.error("保存申请失败（%s）", type(exc).__name__)
            return Answer(503, "暂时无法保存您的申请，申请没有提交成功。请稍后再试。"), {}
        if self.refresher is not None:
            self.refresher.request()
        due = add_working_days(self.config.calendar, record.received_at.date(),
                               self.config.reply_working_days)
        message = (f"申请已提交，受理编号 {record.reference}。{self.config.reply_who}将在 "
                   f"{self.config.reply_working_days} 个工作日内与您联系。")
        return Answer(201, message, warnings=result.warnings, reference=record.reference,
                      received_at=record.received_at, reply_by=due.day), result.shown_values

    def _action(self, environ: dict[str, Any]) -> str:
        """Where the browser posted: the re-rendered form posts there again."""
        return str(environ.get("SCRIPT_NAME", "")) + str(environ.get("PATH_INFO", API_PATH))

    def _health(self, start: StartResponse, cors: list[tuple[str, str]]) -> Iterable[bytes]:
        try:
            self.store.count()
        except sqlite3.Error:
            return self._json(start, Answer(503, "受理数据库暂时无法使用。"), cors)
        return self._send(start, 200, b'{"status":"ok"}', JSON_TYPE, cors)

    def _preflight(self, environ: dict[str, Any], start: StartResponse, origin: str | None,
                   cors: list[tuple[str, str]]) -> Iterable[bytes]:
        """CORS preflight: answered (204) only for an allowed origin asking to POST JSON."""
        wanted = environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD", "")
        headers = {h.strip().lower() for h in
                   environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "").split(",") if h.strip()}
        if not guards.origin_allowed(self.config, origin) or wanted != "POST" \
                or not headers <= {"content-type"}:
            return self._json(start, Answer(403, "不接受来自这个网站的提交。"),
                              [("Vary", "Origin")])
        return self._send(start, 204, b"", None, [
            *cors, ("Access-Control-Allow-Methods", "POST"),
            ("Access-Control-Allow-Headers", "Content-Type"),
            ("Access-Control-Max-Age", "600")])

    def _problems(self, answer: Answer) -> list[dict[str, Any]]:
        names = set(self.form.names)
        return [{"field": p.field, "label": self.form.field(p.field).label
                 if p.field in names else None, "message": p.message, "code": p.code}
                for p in answer.problems]

    def _json(self, start: StartResponse, answer: Answer,
              headers: list[tuple[str, str]]) -> Iterable[bytes]:
        body: dict[str, Any] = {"status": answer.status, "message": answer.message}
        if answer.status == 201 and answer.received_at and answer.reply_by:
            body.update(reference=answer.reference, received_at=answer.received_at.isoformat(),
                        reply_working_days=self.config.reply_working_days,
                        reply_by=answer.reply_by.isoformat(), reply_who=self.config.reply_who)
        else:
            body["errors"] = self._problems(answer) or [
                {"field": None, "label": None, "message": answer.message, "code": "refused"}]
            body["phone_route"] = self.config.phone_route
        body["warnings"] = [{"field": w.field, "message": w.message, "code": w.code}
                            for w in answer.warnings]
        data = json.dumps(body, ensure_ascii=False).encode()
        return self._send(start, answer.status, data, "application/json; charset=utf-8",
                          [*headers, *answer.headers])

    def _html(self, start: StartResponse, answer: Answer) -> Iterable[bytes]:
        title = "暂时无法提交" if answer.status >= 500 else "无法受理"
        page = message_page(self.pages, title, answer.message)
        return self._send(start, answer.status, page.encode(), "text/html; charset=utf-8",
                          [*HTML_SECURITY, *answer.headers])

    def _send(self, start: StartResponse, status: int, body: bytes, kind: str | None,
              headers: list[tuple[str, str]]) -> Iterable[bytes]:
        out = [("Cache-Control", "no-store"), ("Content-Length", str(len(body))), *headers]
        if kind:
            out.append(("Content-Type", kind))
        start(f"{status} {REASONS.get(status, 'Error')}", out)
        return [body]


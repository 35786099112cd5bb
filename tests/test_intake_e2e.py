"""The real server (`ecoportal intake serve` under waitress) on loopback: submissions end up in
the staff CSV, every field's message arrives whole, 8 concurrent clients lose nothing, and
kill -9 under load loses no acknowledged request."""

from __future__ import annotations

import csv
import io
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from generator.intake.export import validate_csv
from generator.intake.store import CSV_NAME
from tests.test_intake_support import SITE, Server, form_body, js_body, make_project, service
from tests.test_intake_support import wait_for as wait_until

pytestmark = pytest.mark.slow
HEADERS = {"Origin": SITE}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path, min_fill_seconds="min_fill_seconds: 2")


@pytest.fixture
def server(project: Path, tmp_path: Path) -> Iterator[Server]:
    running = Server(project, tmp_path / "store").start()
    try:
        yield running
    finally:
        running.stop()


def csv_rows(store: Path) -> list[dict[str, str]]:
    path = store / CSV_NAME
    if not path.exists():
        return []
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def references_in_csv(store: Path) -> set[str]:
    return {r["reference"] for r in csv_rows(store)}


def test_a_submission_reaches_the_staff_csv(server: Server) -> None:
    assert requests.get(f"{server.url}/healthz", timeout=10).json() == {"status": "ok"}
    reply = requests.post(f"{server.url}/api/consultations", json=js_body(), headers=HEADERS,
                          timeout=10)
    assert reply.status_code == 201
    reference = reply.json()["reference"]
    wait_until(lambda: reference in references_in_csv(server.store))
    row = next(r for r in csv_rows(server.store) if r["reference"] == reference)
    assert row["company"] == "北京示例美食城管理有限公司" and row["phone"] == "13800138000"
    assert row["status"] == "待联系" and row["form_version"] == "1"
    # The no-JS path: a confirmation page with the reference, and the row too.
    page = requests.post(f"{server.url}/api/consultations", data=form_body(),
                         headers=HEADERS, timeout=10)
    assert page.status_code == 201 and "<h1>申请已提交</h1>" in page.text
    wait_until(lambda: len(references_in_csv(server.store)) == 2)


INVALID = {
    "company": ("", "请输入企业名称"),
    "uscc": ("ABC", "统一社会信用代码应为 18 位数字或大写字母，请对照营业执照核对"),
    "contact_name": ("名" * 51, "联系人姓名不能超过 50 个字"),
    "phone": ("010-123", "请输入 11 位手机号码，或带区号的固定电话"),
    "email": ("a@b", "请输入正确格式的电子邮箱，应包含 @ 和域名"),
    "district": ("", "请选择拟开业地址所在的区"),
    "street": ("不存在街道", "所选街道（乡镇）不在所选的区内，请重新选择"),
    "address": ("", "请输入拟开业地址"),
    "business_type": ("", "请选择业态"),
    "stoves": ("501", "基准灶头数应在 1 到 500 之间"),
    "stalls": ("", "美食城请输入档口数"),
    "equipment": (["锅炉"], "请从列表中选择设备"),
    "building_type": ("楼", "请从列表中选择所在建筑的类型"),
    "flue": ("", "餐饮和美食城请选择是否有专用烟道"),
    "adjacent_residential": ("", "请选择上下相邻楼层是否有住宅"),
    "renovation_start": ("明年", "计划装修开始日期应为有效日期，按“年-月-日”填写"),
    "opening_date": ("2001-01-01", "计划开业日期应在今天到五年后之间"),
    "question": ("问" * 1001, "咨询事项不能超过 1000 个字"),
    "consent": (False, "请阅读《隐私说明》并勾选同意，否则我们无法处理您的申请"),
}


def test_each_invalid_field_gets_its_whole_message_over_http(server: Server) -> None:
    assert set(INVALID) == {f.name for f in service().form.stored}
    session = requests.Session()
    for name, (value, message) in INVALID.items():
        reply = session.post(f"{server.url}/api/consultations", json=js_body(**{name: value}),
                             headers=HEADERS, timeout=10)
        assert reply.status_code == 422, name
        assert [(e["field"], e["message"]) for e in reply.json()["errors"]] == \
            [(name, message)], name
        if name in ("equipment", "consent"):
            continue  # lists and booleans: JSON only
        page = session.post(f"{server.url}/api/consultations",
                            data=form_body(**{name: value}), headers=HEADERS, timeout=10)
        assert page.status_code == 422, name
        assert f'<li><a href="#f-{name}">{message}</a></li>' in page.text, name
    assert references_in_csv(server.store) == set()


def _client(url: str, count: int, acknowledged: list[str], errors: list[str],
            stop: threading.Event | None = None) -> None:
    session = requests.Session()
    for _ in range(count):
        if stop is not None and stop.is_set():
            return
        try:
            reply = session.post(f"{url}/api/consultations", json=js_body(), headers=HEADERS,
                                 timeout=30)
        except requests.RequestException as exc:
            errors.append(type(exc).__name__)
            if stop is not None:
                return
            continue
        if reply.status_code == 201:
            acknowledged.append(reply.json()["reference"])
        else:
            errors.append(str(reply.status_code))


def test_eight_clients_times_two_hundred_give_exactly_1600_rows(server: Server) -> None:
    acknowledged: list[str] = []
    errors: list[str] = []
    threads = [threading.Thread(target=_client, args=(server.url, 200, acknowledged, errors))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(acknowledged) == len(set(acknowledged)) == 1600
    wait_until(lambda: len(csv_rows(server.store)) == 1600, timeout=60)
    assert references_in_csv(server.store) == set(acknowledged)
    assert validate_csv(server.store / CSV_NAME, service().versions) == []


def test_kill_9_under_load_loses_no_acknowledged_request(project: Path,
                                                          tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = Server(project, store).start()
    acknowledged: list[str] = []
    errors: list[str] = []
    stop = threading.Event()
    threads = [threading.Thread(target=_client,
                                args=(first.url, 10_000, acknowledged, errors, stop))
               for _ in range(6)]
    try:
        for t in threads:
            t.start()
        wait_until(lambda: len(acknowledged) >= 150, timeout=60)
        first.kill()  # SIGKILL in the middle of the load
    finally:
        stop.set()
        for t in threads:
            t.join()
        first.stop()
    seen = set(acknowledged)
    assert len(seen) == len(acknowledged) >= 150
    second = Server(project, store).start()  # the start-up export rebuilds the CSV
    try:
        wait_until(lambda: seen <= references_in_csv(store), timeout=60)
        reply = requests.post(f"{second.url}/api/consultations", json=js_body(),
                              headers=HEADERS, timeout=10)
        assert reply.status_code == 201 and reply.json()["reference"] not in seen
        time.sleep(0.1)
    finally:
        second.stop()
    assert validate_csv(store / CSV_NAME, service().versions) == []

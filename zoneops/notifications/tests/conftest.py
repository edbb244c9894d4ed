"""A small zone on a Wednesday (2026-11-18) with work late and due soon for every kind of
recipient, and a fake group-robot endpoint on 127.0.0.1 that checks what it is sent."""

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import Any

import pytest

from zoneops.enterprises.tests.factories import make_enterprise, make_liaison, make_request
from zoneops.meetings.tests.factories import make_problem
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.models import User
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.tests.factories import make_project

TODAY = date(2026, 11, 18)  # a Wednesday; three working days on: Monday 2026-11-23
FROZEN = "2026-11-18T08:00+08:00"
DING_SECRET = "SECtest-dingtalk-secret"
FEISHU_SECRET = "feishu-test-secret"


def _with(user: User, **fields: str) -> User:
    User.objects.filter(pk=user.pk).update(**fields)
    user.refresh_from_db()
    return user


@pytest.fixture
def zone(org):
    investment, approvals = org["investment"], org["approvals"]
    staff = _with(make_user(RoleCode.STAFF, departments=[investment]), email="staff@zone.cn")
    desk = _with(make_user(RoleCode.STAFF, departments=[approvals]), email="desk@zone.cn")
    leader = _with(make_user(RoleCode.LEADER, departments=[org["zone"]]), email="leader@zone.cn")
    bystander = make_user(RoleCode.STAFF, departments=[org["investment_section"]])
    enterprise = make_enterprise("沧州提醒测试企业")
    enterprise_user = _with(
        make_user(RoleCode.ENTERPRISE, enterprise=enterprise), phone="13800000000"
    )
    project = make_project("提醒测试项目", responsible_department=investment, liaison_leader=leader)
    z = SimpleNamespace(
        org=org,
        staff=staff,
        desk=desk,
        leader=leader,
        bystander=bystander,
        enterprise=enterprise,
        enterprise_user=enterprise_user,
        project=project,
    )
    z.late_problem = make_problem(
        project,
        "用地指标未落实",
        department=investment,
        routed_on=date(2026, 11, 9),
        due_on=date(2026, 11, 16),
    )
    z.soon_problem = make_problem(
        project,
        "施工许可待办",
        department=investment,
        routed_on=date(2026, 11, 13),
        due_on=date(2026, 11, 20),
    )
    z.later_problem = make_problem(
        project,
        "道路配套",
        department=investment,
        routed_on=date(2026, 11, 16),
        due_on=date(2026, 11, 30),
    )
    # Accepted on Monday 11-09 with three working days: due Thursday 11-12, late today.
    z.late_request = make_request(
        enterprise,
        title="原料运输受限",
        accepted=date(2026, 11, 9),
        department=approvals,
        limit_days=3,
    )
    make_liaison(enterprise, person=leader)
    return z


class _Endpoint(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        server: Any = self.server
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length) or b"{}")
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        server.received.append({"path": url.path, "query": query, "body": body})
        status, answer = server.answer(url.path, query, body)
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def check_robot(path: str, query: dict, body: dict) -> tuple[int, dict]:
    """What each robot's server checks: the shape of the message and its signature."""
    if path == "/wecom":
        ok = query.get("key") == "wecom-key" and body.get("msgtype") == "markdown"
        ok = ok and bool(body["markdown"]["content"])
        return 200, {"errcode": 0 if ok else 40008, "errmsg": "ok" if ok else "bad"}
    if path == "/dingtalk":
        timestamp = query.get("timestamp", "")
        expected = base64.b64encode(
            hmac.new(
                DING_SECRET.encode(), f"{timestamp}\n{DING_SECRET}".encode(), hashlib.sha256
            ).digest()
        ).decode()
        ok = query.get("access_token") == "ding-token" and query.get("sign") == expected
        ok = ok and body.get("msgtype") == "markdown" and bool(body["markdown"]["text"])
        return 200, {"errcode": 0 if ok else 310000, "errmsg": "ok" if ok else "sign not match"}
    if path == "/feishu":
        timestamp = body.get("timestamp", "")
        key = f"{timestamp}\n{FEISHU_SECRET}".encode()
        expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
        ok = body.get("sign") == expected and body.get("msg_type") == "text"
        ok = ok and bool(body["content"]["text"]) and len(timestamp) == 10
        return 200, {"code": 0 if ok else 19021, "msg": "success" if ok else "sign match fail"}
    return 500, {"error": "down"}


@pytest.fixture
def robot_server():
    server: Any = ThreadingHTTPServer(("127.0.0.1", 0), _Endpoint)
    server.received = []
    server.answer = check_robot
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.base = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()

"""Many writers at once taking steps on the same enterprise requests (诉求) through
`zoneops serve` on loopback: half on the API with a token, half in the back office's step pages
as people at their browsers. Every answer is a step accepted or the usual stale-version refusal
shown to the writer — never a 500, "database is locked" or a deadlock — and each request's
events and history are exactly the accepted steps, in one chain (none applied twice, none lost).
"""

import json
import re
import threading
import time
from collections import Counter
from functools import partial

import pytest
from django.db import connection
from django.utils import timezone

from zoneops.api.services import api_token_create
from zoneops.common.exceptions import ApplicationError
from zoneops.common.tests.crashes import database_for_child, run_child
from zoneops.common.tests.processes import zoneops_serve
from zoneops.common.tests.web import SERVER_PASSWORD_HASHERS, Browser, api_call, run_all
from zoneops.enterprises.models import EnterpriseRequest, RequestExtension
from zoneops.enterprises.services import requests as requests_services
from zoneops.enterprises.services.requests import (
    request_answer,
    request_ask_extension,
    request_decide_extension,
)
from zoneops.enterprises.tests.factories import make_enterprise, make_request
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.date_free]

WRITERS = 20  # half on the API, half in the back office
ATTEMPTS = 3  # each writer's steps
REQUESTS = 3
STALE = "已被他人修改"
PASSWORD = "Concurrent-Steps-2026!"
LIST = "/admin/enterprises/enterpriserequest/"

# The steps the writers take, each one's events and the status it leaves (rated below 3: the
# request reopens, so that the chain goes on); each writer prefers them in its own order.
STEPS = ["accept", "start", "suspend", "resume", "answer", "rate", "reroute"]
EVENTS = {
    "accept": ["accepted"],
    "start": ["started"],
    "suspend": ["suspended"],
    "resume": ["resumed"],
    "answer": ["answered"],
    "rate": ["rated", "reopened"],
    "reroute": ["rerouted"],
}
STATUS = {
    "accept": "accepted",
    "start": "in_progress",
    "reroute": "accepted",
    "answer": "answered",
    "rate": "in_progress",
}
API_PATHS = {"rate": "rating"}

STORED = """
import json
from zoneops.enterprises.models import EnterpriseRequest
stored = {}
for item in EnterpriseRequest.objects.all():
    events = list(item.events.order_by("pk").values_list("kind", flat=True))
    history = list(item.history.order_by("history_id").values_list("version", flat=True))
    stored[item.pk] = [item.status, item.version, events, history]
print(json.dumps(stored))
"""


class Tally:
    def __init__(self, requests) -> None:
        self.accepted: dict[int, list[tuple[int, str]]] = {r.pk: [] for r in requests}
        self.answers: Counter[str] = Counter()
        self.odd: list = []
        self.lock = threading.Lock()

    def answer(self, edge: str, pk: int, version: int, step: str, outcome: str) -> None:
        with self.lock:
            self.answers[f"{edge} {outcome}"] += 1
            if outcome == "accepted":
                self.accepted[pk].append((version, step))

    def other(self, *what) -> None:
        with self.lock:
            self.odd.append(what)


def _choose(available: set[str], number: int, attempt: int) -> str | None:
    turn = (number + attempt) % len(STEPS)
    return next((step for step in STEPS[turn:] + STEPS[:turn] if step in available), None)


def api_writer(tally, port, token, number, pk, departments) -> None:
    for attempt in range(ATTEMPTS):
        status, item = api_call(port, token, "GET", f"/enterprises/requests/{pk}")
        if status != 200:
            tally.other("api read", status, item)
            return
        step = _choose(set(item["actions"]), number, attempt)
        if step is None:
            continue
        other = next(pk for pk in departments if pk != item["department_id"])
        body = {
            "accept": {"department_id": departments[0], "limit_days": 10},
            "suspend": {"reason": f"请补充材料（接口写入者{number}）"},
            "resume": {"note": "已收到企业邮寄的材料"},
            "answer": {"answer": f"已协调解决（接口写入者{number}）"},
            "rate": {"score": 2, "comment": "问题尚未解决"},
            "reroute": {"department_id": other, "reason": "职责调整"},
        }.get(step, {})
        path = f"/enterprises/requests/{pk}/{API_PATHS.get(step, step)}"
        version = item["version"]
        status, answer = api_call(port, token, "POST", path, {**body, "version": version})
        if status == 200:
            tally.answer("api", pk, version, step, "accepted")
        elif status == 409 and STALE in json.dumps(answer, ensure_ascii=False):
            tally.answer("api", pk, version, step, "stale")
        else:
            tally.other("api", step, status, answer)


def admin_writer(tally, browser, number, pk, departments) -> None:
    """The request's page offers the steps open now (its buttons); the writer opens the step's
    page and sends its form, with the version the page was opened at."""
    record = f"{LIST}{pk}/change/"
    for attempt in range(ATTEMPTS):
        page = browser.get(record)
        if page.status != 200:
            tally.other("admin read", page.status, page.text[:2000])
            return
        offered = set(re.findall(rf'href="{LIST}{pk}/([a-z-]+)/"', page.text))
        step = _choose(offered, number + 1, attempt)
        if step is None:
            continue
        path = f"{LIST}{pk}/{step}/"
        form = browser.open_form(path, having="edit_version")
        if form is None:  # moved on since the record's page was read: the page says why
            continue
        changes = {
            "accept": {"department": str(departments[0])},
            "suspend": {"reason": f"请补充材料（后台写入者{number}）"},
            "answer": {"answer": f"已协调解决（后台写入者{number}）"},
            "rate": {"score": "2", "comment": "问题尚未解决"},
            "reroute": {"reason": "职责调整"},
        }.get(step, {})
        if step == "reroute":  # the first department the list offers
            changes["to_department"] = next(v for v in form.options["to_department"] if v)
        version = int(form.value("edit_version") or 0)
        answer = browser.send_form(path, form, changes)
        if answer.status == 200 and STALE in answer.text:
            tally.answer("admin", pk, version, step, "stale")
        elif answer.status == 200 and answer.redirects[:1] == [record]:
            tally.answer("admin", pk, version, step, "accepted")
        else:
            tally.other("admin", step, answer.status, answer.redirects, answer.text[:3000])


def _expected(steps: list[str]) -> tuple[list[str], str]:
    """The events and the status the steps leave, taken in this order on a filed request."""
    events, status, suspended = ["filed"], "submitted", False
    for step in steps:
        if step == "answer" and suspended:
            events.append("resumed")  # answering ends the suspension first
        events += EVENTS[step]
        suspended = step == "suspend" or (suspended and step not in ("resume", "answer"))
        status = STATUS.get(step, status)
    return events, status


def test_twenty_writers_taking_steps_on_the_same_requests_form_one_chain(org, tmp_path, settings):
    settings.PASSWORD_HASHERS = SERVER_PASSWORD_HASHERS
    desk = make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]])
    clerk = make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]], password=PASSWORD)
    _token, raw = api_token_create(user=desk, name="并发测试")
    enterprise = make_enterprise("沧州明珠塑料股份有限公司")
    today = timezone.localdate()
    requests = [
        make_request(enterprise, title=f"并发诉求{n}", filed_on=today) for n in range(REQUESTS)
    ]
    departments = [org["approvals"].pk, org["investment"].pk]
    tally = Tally(requests)

    with (
        database_for_child(tmp_path) as env,
        zoneops_serve({**env, "ZONEOPS_HTTPS": "false"}) as (port,),
    ):
        browsers = [Browser(port) for _n in range(WRITERS // 2)]
        for browser in browsers:  # each signs in once, before the work starts
            browser.sign_in(clerk.username, PASSWORD)
        failures = run_all(
            *(
                partial(admin_writer, tally, browser, n, requests[n % REQUESTS].pk, departments)
                for n, browser in enumerate(browsers)
            ),
            *(
                partial(api_writer, tally, port, raw, n, requests[n % REQUESTS].pk, departments)
                for n in range(WRITERS // 2)
            ),
        )
        stored = json.loads(run_child(env, STORED).splitlines()[-1])

    assert failures == []
    assert tally.odd == []
    for edge in ("api", "admin"):
        assert tally.answers[f"{edge} accepted"] and tally.answers[f"{edge} stale"], tally.answers
    for item in requests:
        status, version, events, history = stored[str(item.pk)]
        steps = sorted(tally.accepted[item.pk])
        # One chain: each accepted step was taken on the version the one before left.
        assert [read for read, _step in steps] == list(range(item.version, version))
        expected_events, expected_status = _expected([step for _read, step in steps])
        assert events == expected_events
        assert status == expected_status
        assert history == list(range(1, version + 1))  # a history row per accepted step


def _waiting_on_a_lock() -> bool:
    """Whether a session of the test database waits for a row another one holds."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        (count,) = cursor.fetchone()
    return count > 0


def test_deciding_an_extension_while_the_request_is_answered_is_no_deadlock(org, monkeypatch):
    """A head decides an extension the moment the officer answers the request (which lapses
    the pending ask). Both lock the request and the extension: taken in opposite orders,
    PostgreSQL would find each waiting for the other and abort one with "deadlock detected" (a
    500). The decision is held just before it locks the request, the answer runs meanwhile:
    the answer goes through and the decision is refused with its reason."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's writers take turns (IMMEDIATE transactions): none waits holding")
    today = timezone.localdate()
    officer = make_user(RoleCode.STAFF, departments=[org["approvals"]])
    head = make_user(RoleCode.DEPARTMENT_HEAD, departments=[org["approvals"]])
    item = make_request(department=org["approvals"], filed_on=today, accepted=today)
    extension = request_ask_extension(request=item, days=3, reason="需现场核查", by=officer)
    held, go = threading.Event(), threading.Event()
    locked = requests_services._locked

    def held_before_the_request(request, **kwargs):
        if threading.current_thread().name == "decide":
            held.set()
            assert go.wait(30)
        return locked(request, **kwargs)

    monkeypatch.setattr(requests_services, "_locked", held_before_the_request)
    outcomes: dict[str, object] = {}

    def step(name, call):
        try:
            outcomes[name] = call()
        except Exception as error:  # what each writer was answered
            outcomes[name] = error
        finally:
            connection.close()

    decide = threading.Thread(
        name="decide",
        target=step,
        args=(
            "decide",
            lambda: request_decide_extension(
                extension=RequestExtension.objects.get(pk=extension.pk), approve=True, by=head
            ),
        ),
    )
    answer = threading.Thread(
        target=step,
        args=(
            "answer",
            lambda: request_answer(
                request=EnterpriseRequest.objects.get(pk=item.pk), answer="已协调解决。", by=officer
            ),
        ),
    )
    decide.start()
    assert held.wait(30)
    answer.start()
    deadline = time.monotonic() + 30
    while answer.is_alive() and not _waiting_on_a_lock() and time.monotonic() < deadline:
        time.sleep(0.05)
    go.set()
    decide.join(60)
    answer.join(60)

    assert isinstance(outcomes["answer"], EnterpriseRequest), outcomes
    assert isinstance(outcomes["decide"], ApplicationError), outcomes
    assert "不能再次审批" in outcomes["decide"].message
    item.refresh_from_db()
    assert item.status == "answered" and item.extension_days == 0

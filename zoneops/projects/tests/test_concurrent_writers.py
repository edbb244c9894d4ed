"""Many writers at once through `zoneops serve` (a real server on loopback, not the test
client) moving the same projects along the pipeline and editing them — through the API with a
token, and through the back office as people at their browsers (signed in, the CSRF token and
the version taken from the form the page served): every answer is a write accepted or the
usual stale-version refusal, never a 500 or "database is locked", and the stored history is
exactly the accepted writes (no lost update)."""

import json
import threading
from collections import Counter
from datetime import date
from functools import partial

import pytest
from django.utils import timezone

from zoneops.api.services import api_token_create
from zoneops.common.tests.crashes import database_for_child, run_child
from zoneops.common.tests.processes import zoneops_serve
from zoneops.common.tests.web import SERVER_PASSWORD_HASHERS, Browser, api_call, run_all
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.enums import STAGE_ORDER, Stage
from zoneops.projects.tests.factories import make_project

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.date_free]

WRITERS = 20
ATTEMPTS = 4  # each writer's moves
PROJECTS = 3
FORWARD = sorted((s for s in STAGE_ORDER if s != Stage.TERMINATED), key=STAGE_ORDER.get)
STALE = "已被他人修改"
ADMIN = "/admin/projects/project/"
PASSWORD = "Concurrent-Writers-2026!"

STORED = """
import json
from zoneops.projects.models import Project
def moves(project):
    return list(project.stage_moves.order_by("pk").values_list("to_stage", flat=True))
rows = Project.objects.all()
print(json.dumps({p.pk: [p.stage, p.version, moves(p), p.description] for p in rows}))
"""


class Tally:
    """What the writers were answered: each project's accepted writes (the version it was
    read at, the kind, what was written), the count by answer, and anything else."""

    def __init__(self, projects) -> None:
        self.accepted: dict[int, list[tuple[int, str, str]]] = {p.pk: [] for p in projects}
        self.answers: Counter[str] = Counter()
        self.odd: list = []
        self.lock = threading.Lock()

    def accept(self, pk: int, version: int, kind: str, value: str) -> None:
        with self.lock:
            self.answers[f"{kind} accepted"] += 1
            self.accepted[pk].append((version, kind, value))

    def stale(self, kind: str) -> None:
        with self.lock:
            self.answers[f"{kind} stale"] += 1

    def other(self, *what) -> None:
        with self.lock:
            self.odd.append(what)


def _projects(org, officer):
    today = timezone.localdate()
    return [
        make_project(
            f"并发项目{n}",
            moves=[(Stage.LEAD, date(today.year - 1, 1, 10))],
            responsible_department=org["investment"],
            owner=officer,
        )
        for n in range(PROJECTS)
    ]


def _next_stage(stage: str) -> str | None:
    index = FORWARD.index(Stage(stage))
    return str(FORWARD[index + 1]) if index + 1 < len(FORWARD) else None


def api_writer(tally: Tally, port: int, token: str, number: int, pk: int, attempts: int) -> None:
    """Even writers move the project on, odd ones edit its description."""
    today = timezone.localdate()
    for attempt in range(attempts):
        status, project = api_call(port, token, "GET", f"/projects/{pk}")
        if status != 200:
            tally.other(status, project)
            return
        version = project["version"]
        if number % 2:
            kind = "edit"
            value = f"接口写入者{number}第{attempt}次"
            body = {"description": value, "version": version}
            status, answer = api_call(port, token, "PATCH", f"/projects/{pk}", body)
            ok = status == 200
        else:
            kind, value = "move", _next_stage(project["stage"])
            if value is None:
                continue
            body = {"to_stage": value, "on": today.isoformat(), "version": version}
            status, answer = api_call(port, token, "POST", f"/projects/{pk}/moves", body)
            ok = status == 201
        if ok:
            tally.accept(pk, version, kind, value)
        elif status == 409 and STALE in json.dumps(answer, ensure_ascii=False):
            tally.stale(kind)
        else:
            tally.other(kind, status, answer)


def admin_writer(tally: Tally, browser: Browser, number: int, pk: int, attempts: int) -> None:
    """Through the back office: even writers take the move page's first choice (the next
    stage), odd ones edit the description on the project's change form — each form as the
    page served it, with the version it was opened at."""
    change, move = f"{ADMIN}{pk}/change/", f"{ADMIN}{pk}/move/"
    for attempt in range(attempts):
        if number % 2:
            kind = "edit"
            value = f"后台写入者{number}第{attempt}次"
            form = browser.open_form(change, having="edit_version")
            assert form is not None, f"{change} offers no form"
            answer = browser.send_form(change, form, {"description": value})
            # Saved: back to the list; refused: the form again, or the page with the message.
            done = answer.redirects[:1] == [ADMIN]
        else:
            kind = "move"
            form = browser.open_form(move, having="to_stage")
            if form is None:  # in production: nothing left to move to
                continue
            value = form.value("to_stage") or ""
            answer = browser.send_form(move, form)
            done = bool(answer.redirects) and "已推进到" in answer.text
        version = int(form.value("edit_version") or 0)
        if answer.status == 200 and STALE in answer.text:
            tally.stale(kind)
        elif answer.status == 200 and done:
            tally.accept(pk, version, kind, value)
        else:
            tally.other(kind, answer.status, answer.redirects, answer.text[:3000])


def assert_history_is_the_accepted_writes(stored: dict, projects, tally: Tally) -> None:
    for project in projects:
        stage, version, moves, description = stored[str(project.pk)]
        writes = sorted(tally.accepted[project.pk])
        # No lost update: each accepted write was read at the version the one before left.
        assert [read for read, _kind, _value in writes] == list(range(project.version, version))
        assert moves == ["lead", *(value for _read, kind, value in writes if kind == "move")]
        assert stage == moves[-1]
        edits = [value for _read, kind, value in writes if kind == "edit"]
        assert description == (edits[-1] if edits else project.description)


def test_twenty_writers_moving_the_same_projects_lose_no_update(org, tmp_path):
    officer = make_user(RoleCode.STAFF, departments=[org["investment"]])
    _token, raw = api_token_create(user=officer, name="并发测试")
    projects = _projects(org, officer)
    tally = Tally(projects)

    with (
        database_for_child(tmp_path) as env,
        zoneops_serve({**env, "ZONEOPS_HTTPS": "false"}) as (port,),
    ):
        failures = run_all(
            *(
                partial(api_writer, tally, port, raw, n, projects[n % PROJECTS].pk, ATTEMPTS)
                for n in range(WRITERS)
            )
        )
        stored = json.loads(run_child(env, STORED).splitlines()[-1])

    assert failures == []
    assert tally.odd == []
    assert tally.answers["move accepted"] and tally.answers["move stale"], tally.answers
    assert_history_is_the_accepted_writes(stored, projects, tally)


def test_back_office_and_api_writers_on_the_same_projects_lose_no_update(org, tmp_path, settings):
    """Half the writers in the back office (stage move page, change form), half on the API,
    on the same three projects at once."""
    settings.PASSWORD_HASHERS = SERVER_PASSWORD_HASHERS
    officer = make_user(RoleCode.STAFF, departments=[org["investment"]])
    clerk = make_user(RoleCode.STAFF, departments=[org["investment"]], password=PASSWORD)
    _token, raw = api_token_create(user=officer, name="并发测试")
    projects = _projects(org, officer)
    tally = Tally(projects)
    attempts = 3

    with (
        database_for_child(tmp_path) as env,
        zoneops_serve({**env, "ZONEOPS_HTTPS": "false"}) as (port,),
    ):
        # Each person signs in once, before the work starts (a login costs a password hash).
        browsers = [Browser(port) for _n in range(WRITERS // 2)]
        for browser in browsers:
            browser.sign_in(clerk.username, PASSWORD)
        failures = run_all(
            *(
                partial(admin_writer, tally, browser, n, projects[n % PROJECTS].pk, attempts)
                for n, browser in enumerate(browsers)
            ),
            *(
                partial(api_writer, tally, port, raw, n, projects[n % PROJECTS].pk, attempts)
                for n in range(WRITERS // 2)
            ),
        )
        stored = json.loads(run_child(env, STORED).splitlines()[-1])

    assert failures == []
    assert tally.odd == []
    for kind in ("move", "edit"):
        assert tally.answers[f"{kind} accepted"] and tally.answers[f"{kind} stale"], tally.answers
    assert_history_is_the_accepted_writes(stored, projects, tally)

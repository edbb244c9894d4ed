"""Many writers at once through `zoneops serve` (a real server on loopback, not the test
client) moving the same projects along the pipeline and
editing them: every answer is a move accepted or the
usual stale-version refusal, never a 500 or "database is locked", and the stored history is
exactly the accepted moves (no lost update)."""

import json
import threading
import urllib.error
import urllib.request
from collections import Counter
from datetime import date

import pytest
from django.utils import timezone

from zoneops.api.services import api_token_create
from zoneops.common.tests.crashes import database_for_child, run_child
from zoneops.common.tests.processes import zoneops_serve
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

STORED = """
import json
from zoneops.projects.models import Project
def moves(project):
    return list(project.stage_moves.order_by("pk").values_list("to_stage", flat=True))
rows = Project.objects.all()
print(json.dumps({p.pk: [p.stage, p.version, moves(p), p.description] for p in rows}))
"""


def _call(port, token, method, path, body=None):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310  loopback
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        text = error.read().decode(errors="replace")
        try:
            return error.code, json.loads(text)
        except ValueError:
            return error.code, text


def test_twenty_writers_moving_the_same_projects_lose_no_update(org, tmp_path):
    officer = make_user(RoleCode.STAFF, departments=[org["investment"]])
    _token, raw = api_token_create(user=officer, name="并发测试")
    today = timezone.localdate()
    projects = [
        make_project(
            f"并发项目{n}",
            moves=[(Stage.LEAD, date(today.year - 1, 1, 10))],
            responsible_department=org["investment"],
            owner=officer,
        )
        for n in range(PROJECTS)
    ]
    # Each project's accepted writes: (the version it was read at, what was written).
    accepted: dict[int, list[tuple[int, str, str]]] = {p.pk: [] for p in projects}
    answers: Counter[str] = Counter()
    odd: list = []
    lock = threading.Lock()

    def writer(number, port):
        """Even writers move the project on, odd ones edit its description, on the same rows."""
        pk = projects[number % PROJECTS].pk
        for attempt in range(ATTEMPTS):
            status, project = _call(port, raw, "GET", f"/projects/{pk}")
            if status != 200:
                with lock:
                    odd.append((status, project))
                return
            version = project["version"]
            if number % 2:
                text = f"写入者{number}第{attempt}次"
                kind, value = "edit", text
                status, answer = _call(
                    port, raw, "PATCH", f"/projects/{pk}", {"description": text, "version": version}
                )
                ok = status == 200
            else:
                stage = Stage(project["stage"])
                if stage == FORWARD[-1]:
                    continue
                kind, value = "move", str(FORWARD[FORWARD.index(stage) + 1])
                status, answer = _call(
                    port,
                    raw,
                    "POST",
                    f"/projects/{pk}/moves",
                    {"to_stage": value, "on": today.isoformat(), "version": version},
                )
                ok = status == 201
            with lock:
                if ok:
                    answers["accepted"] += 1
                    accepted[pk].append((version, kind, value))
                elif status == 409 and STALE in json.dumps(answer, ensure_ascii=False):
                    answers["stale"] += 1
                else:
                    odd.append((status, answer))

    with (
        database_for_child(tmp_path) as env,
        zoneops_serve({**env, "ZONEOPS_HTTPS": "false"}) as (port,),
    ):
        threads = [threading.Thread(target=writer, args=(n, port)) for n in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        stored = json.loads(run_child(env, STORED).splitlines()[-1])

    assert odd == []
    assert answers["accepted"] and answers["stale"], answers
    for project in projects:
        stage, version, moves, description = stored[str(project.pk)]
        writes = sorted(accepted[project.pk])
        # No lost update: each accepted write was read at the version the one before left.
        assert [read for read, _kind, _value in writes] == list(range(project.version, version))
        assert moves == ["lead", *(value for _read, kind, value in writes if kind == "move")]
        assert stage == moves[-1]
        edits = [value for _read, kind, value in writes if kind == "edit"]
        assert description == (edits[-1] if edits else project.description)

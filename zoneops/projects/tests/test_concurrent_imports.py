"""Several imports of the project register at once, of workbooks that overlap in their rows,
through the back office of `zoneops serve` on loopback, as people do it at their browsers:
upload, preview, 确认导入. Some files update the same stored projects and register the same
new ones (by their 项目编号), some only register new ones, each in its own row order.

Every confirmation is written whole or refused whole with a clear message (the records changed
since the preview, or a new project's code taken meanwhile) — never a 500, "database is locked"
or a deadlock; each new project exists once, and each stored project's history is exactly the
imports that were accepted (no update lost, none written unseen)."""

import json
import random
import threading
from collections import Counter
from functools import partial

import pytest

from zoneops.common.tests.crashes import database_for_child, run_child
from zoneops.common.tests.processes import zoneops_serve
from zoneops.common.tests.web import SERVER_PASSWORD_HASHERS, Browser, page_forms, run_all
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.tests.factories import make_project
from zoneops.projects.tests.test_excel_projects import write

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.date_free]

IMPORTERS = 6
ROUNDS = 3  # a refused importer uploads again, as the message says, in the next round
STORED_PROJECTS = 3
SHARED = [f"BF-COMMON-{n}" for n in range(1, 5)]  # new projects every file registers
LIST = "/admin/projects/project/"
PASSWORD = "Concurrent-Imports-2026!"
HEADER = ["项目编号", "项目名称", "总投资（万元）", "建设内容"]
DONE = "已导入招商项目"
REFUSED = "没有导入，未写入任何数据。"

STORED = """
import json
from zoneops.projects.models import Project
stored = {}
for project in Project.objects.order_by("pk"):
    history = project.history.order_by("history_id").values_list(
        "history_type", "history_change_reason"
    )
    stored[project.code] = {
        "name": project.name,
        "version": project.version,
        "description": project.description,
        "history": [list(row) for row in history],
        "moves": project.stage_moves.count(),
    }
print(json.dumps(stored, ensure_ascii=False))
"""


def _workbook(number: int, turn: int, stored_codes: list[str], updates: bool) -> bytes:
    """The importer's file of this round: the stored projects (when it `updates`), the shared
    new ones and its own, in its own order; each row's 建设内容 names the file."""
    text = f"导入者{number}第{turn}轮"
    rows = [[code, f"共同新项目{code[-1]}", 5000, text] for code in SHARED]
    rows.append([f"BF-W{number}", f"导入者{number}的项目", 3000, text])
    if updates:
        rows += [[code, f"并发项目{i}", 10000, text] for i, code in enumerate(stored_codes)]
    random.Random(number * 10 + turn).shuffle(rows)
    return write([HEADER, *rows])


def importer(browser, number, stored_codes, turns, outcome, barrier) -> None:
    """Each round: upload and preview, wait for the others, confirm together."""
    try:
        _import_rounds(browser, number, stored_codes, turns, outcome, barrier)
    except BaseException:
        barrier.abort()  # the others stop waiting for this one
        raise


def _import_rounds(browser, number, stored_codes, turns, outcome, barrier) -> None:
    done = False
    for turn in range(ROUNDS):
        shown = None
        if not done:
            name = f"import-{number}-{turn}.xlsx"
            data = _workbook(number, turn, stored_codes, updates=number % 2 == 0)
            _form, preview = browser.submit(
                f"{LIST}excel-import/", having="file", files={"file": (name, data)}
            )
            confirm = next((f for f in page_forms(preview.text) if f.has("#import-confirm")), None)
            if preview.status == 200 and preview.redirects and confirm is not None:
                shown = (preview.redirects[-1], confirm)
            else:
                outcome("odd", number, turn, "preview", preview.status, preview.text[:3000])
        barrier.wait()
        if shown is not None:
            answer = browser.send_form(*shown)  # 确认导入 on the preview shown
            if answer.status == 200 and DONE in answer.text and answer.redirects[:1] == [LIST]:
                turns[number] = name
                done = True
                outcome("accepted", number, turn)
            elif answer.status == 200 and REFUSED in answer.text:
                outcome(_refusal(answer.text), number, turn)
            else:
                outcome("odd", number, turn, answer.status, answer.redirects, answer.text[:3000])
        barrier.wait()


def _refusal(page: str) -> str:
    if "在预览之后被修改过" in page:
        return "changed since the preview"
    if "项目编号与刚登记的项目冲突" in page:
        return "code taken meanwhile"
    return "refused otherwise"


def test_imports_of_overlapping_workbooks_at_once_write_each_row_once(org, tmp_path, settings):
    settings.PASSWORD_HASHERS = SERVER_PASSWORD_HASHERS
    officer = make_user(RoleCode.STAFF, departments=[org["investment"]], password=PASSWORD)
    projects = [
        make_project(f"并发项目{n}", investment=10000, responsible_department=org["investment"])
        for n in range(STORED_PROJECTS)
    ]
    stored_codes = [project.code for project in projects]
    answers: Counter[str] = Counter()
    odd: list = []
    accepted: dict[int, str] = {}  # importer → the file it imported
    lock = threading.Lock()

    def outcome(kind, *what):
        with lock:
            answers[kind] += 1
            if kind in ("odd", "refused otherwise"):
                odd.append(what)

    with (
        database_for_child(tmp_path) as env,
        zoneops_serve({**env, "ZONEOPS_HTTPS": "false"}) as (port,),
    ):
        browsers = [Browser(port) for _n in range(IMPORTERS)]
        for browser in browsers:  # each signs in once, before the work starts
            browser.sign_in(officer.username, PASSWORD)
        barrier = threading.Barrier(IMPORTERS, timeout=300)
        failures = run_all(
            *(
                partial(importer, browser, n, stored_codes, accepted, outcome, barrier)
                for n, browser in enumerate(browsers)
            )
        )
        stored = json.loads(run_child(env, STORED).splitlines()[-1])

    assert failures == []
    assert odd == []
    assert answers["accepted"] and answers["changed since the preview"], answers
    files = set(accepted.values())
    imported = {f"Excel 导入：{name}" for name in files}
    # Each new project once, registered with one stage move, by one accepted import and
    # changed by each later one that named it.
    names = Counter(row["name"] for row in stored.values())
    assert all(count == 1 for count in names.values()), names
    for code in SHARED:
        history = stored[code]["history"]
        assert history[0][0] == "+" and stored[code]["moves"] == 1
        assert {reason for _kind, reason in history} == imported
        assert len(history) == len(imported) == stored[code]["version"]
    for number in range(IMPORTERS):
        assert (f"BF-W{number}" in stored) == (number in accepted)
    # The stored projects: changed by exactly the accepted imports that named them, each read
    # at the version the one before left (a history row and a version each), the last one's
    # text standing.
    updating = {f"Excel 导入：{name}" for number, name in accepted.items() if number % 2 == 0}
    for project in projects:
        row = stored[project.code]
        reasons = [reason for kind, reason in row["history"] if kind == "~"]
        assert set(reasons) == updating and len(reasons) == len(updating)
        assert row["version"] == project.version + len(updating)
        if updating:
            last = reasons[-1].removeprefix("Excel 导入：import-").removesuffix(".xlsx")
            number, turn = last.split("-")
            assert row["description"] == f"导入者{number}第{turn}轮"

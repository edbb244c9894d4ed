"""A process killed (SIGKILL) in the middle of a stage move or an import leaves the records as
they were, and the next process carries on (zoneops.common.tests.crashes)."""

from datetime import date

import pytest

from zoneops.common.tests.crashes import (
    changed_tables,
    database_for_child,
    run_child,
    run_killed,
    tables,
)
from zoneops.projects.enums import Stage
from zoneops.projects.tests.factories import make_project

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.date_free]

MOVE = """
from datetime import date
from zoneops.projects.models import Project
from zoneops.projects.services import project_move_stage
project_move_stage(
    project=Project.objects.get(pk={pk}), to_stage="talks", on=date(2019, 3, 1), by=None,
    backdate_reason="历史数据补登",
)
project = Project.objects.get(pk={pk})
print(project.stage, project.version, project.stage_moves.count())
"""


def test_a_stage_move_killed_halfway_leaves_the_project_as_it_was(tmp_path):
    project = make_project("氟化锂晶体项目", moves=[(Stage.LEAD, date(2019, 1, 10))])
    with database_for_child(tmp_path) as env:
        before = tables(env)

        # Killed once the project's row and its history are written, the move's row not yet.
        run_killed(
            env,
            'pause_after("zoneops.projects.services.pipeline", "record_save")\n'
            + MOVE.format(pk=project.pk),
        )

        assert changed_tables(before, tables(env)) == {}
        # The next process moves it as if nothing had happened.
        moved = run_child(env, MOVE.format(pk=project.pk))
        assert moved.split() == ["talks", str(project.version + 1), "2"]


ROWS = 30
LIST = "/admin/projects/project/"
# What a kill legitimately leaves: the job the worker was running and its queue entry (the next
# worker marks the job interrupted), and the dead worker's heartbeat row.
JOB_TABLES = {"common_backgroundjob", "django_tasks_database_dbtaskresult", "common_workerbeat"}

WORKER = """
from django.core.management import call_command
call_command("worker", "--batch", "--no-startup-delay", "--worker-id", "{worker}")
"""

AGAIN = (
    """
from django.utils.module_loading import import_string
from zoneops.common.job_services import job_start
from zoneops.common.models import BackgroundJob, ImportBatch
from zoneops.projects.models import Project, StageMove
killed = BackgroundJob.objects.get(pk={job})
print(ImportBatch.objects.get().status)
again = job_start(
    work=import_string(killed.work), title=killed.title, title_args=killed.title_args,
    by=killed.started_by, params=killed.params,
)
"""
    + WORKER.format(worker="next")
    + """
killed.refresh_from_db()
again.refresh_from_db()
print(killed.status, again.status, again.message)
print(Project.objects.count(), StageMove.objects.count(), ImportBatch.objects.get().status)
"""
)


def test_an_import_killed_halfway_writes_nothing_and_the_next_worker_carries_on(
    tmp_path, settings, org, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from zoneops.common.models import BackgroundJob, ImportBatch
    from zoneops.common.tests.jobs import DATABASE_TASKS, run_worker
    from zoneops.orgs.enums import RoleCode
    from zoneops.orgs.tests.factories import make_user
    from zoneops.projects.tests.test_excel_projects import read, write

    settings.TASKS = DATABASE_TASKS
    settings.ZONEOPS_IMPORT_BACKGROUND_ROWS = 10
    settings.ZONEOPS_IMPORT_CHUNK_ROWS = 7
    officer = make_user(RoleCode.STAFF, departments=[org["investment"]])
    client = Client()
    client.force_login(officer)
    make_project("氟化锂晶体项目", investment=60000, responsible_department=org["investment"])
    rows = read(client.get(f"{LIST}excel-export/").getvalue())
    header, model = rows[0], rows[1]
    new = []
    for number in range(ROWS):
        row = list(model)
        row[0] = ""
        row[header.index("项目名称")] = f"批量导入项目{number:03}"
        row[header.index("补登原因")] = "历史项目补录"
        new.append(row)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"{LIST}excel-import/", {"file": SimpleUploadedFile("项目.xlsx", write([header, *new]))}
        )
    run_worker()  # the preview
    batch = ImportBatch.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{LIST}excel-import/{batch.pk}/")
    job = BackgroundJob.objects.get(status=BackgroundJob.Status.QUEUED)

    with database_for_child(tmp_path) as env:
        before = tables(env)

        # Killed in the first chunk: its projects inserted, their stage rows not yet.
        run_killed(
            env,
            'pause_after("zoneops.projects.excel", "bulk_insert")\n'
            + WORKER.format(worker="killed"),
        )

        changed = changed_tables(before, tables(env))
        assert set(changed) <= JOB_TABLES, changed
        # The next worker sees the job dead at once (its process is gone from this host), and
        # the same file imports whole.
        again = run_child(env, AGAIN.format(job=job.pk)).splitlines()
        assert again[-3:] == [
            "previewed",
            f"interrupted succeeded 已导入招商项目：新增 {ROWS} 条，更新 0 条。",
            f"{ROWS + 1} {ROWS + 1} imported",
        ]

"""A worker killed (SIGKILL) in the middle of the deadlines' recomputation after a calendar
change leaves every deadline as it was, and the next worker runs the recomputation again
(zoneops.common.tests.crashes)."""

from datetime import date

import pytest

from zoneops.approvals.services import case_accept
from zoneops.approvals.tests.factories import make_case, make_item
from zoneops.common.calendar_services import calendar_set_day
from zoneops.common.models import BackgroundJob
from zoneops.common.tests.crashes import (
    changed_tables,
    database_for_child,
    run_child,
    run_killed,
    tables,
)
from zoneops.common.tests.jobs import DATABASE_TASKS
from zoneops.enterprises.tests.factories import make_request

pytestmark = pytest.mark.django_db(transaction=True)

# What a kill legitimately leaves: the job the worker was running and its queue entry, and the
# dead worker's heartbeat row.
JOB_TABLES = {"common_backgroundjob", "django_tasks_database_dbtaskresult", "common_workerbeat"}

WORKER = """
from django.core.management import call_command
call_command("worker", "--batch", "--no-startup-delay", "--worker-id", "{worker}")
"""

AFTER = """
from zoneops.approvals.models import Case
from zoneops.common.models import BackgroundJob
from zoneops.enterprises.models import EnterpriseRequest
print(*BackgroundJob.objects.order_by("pk").values_list("status", flat=True))
print(EnterpriseRequest.objects.get().due_on, Case.objects.get().due_on)
"""


def test_a_recomputation_killed_halfway_moves_no_deadline_and_runs_again(org, settings, tmp_path):
    settings.TASKS = DATABASE_TASKS
    request = make_request(accepted=date(2019, 9, 2), department=org["approvals"])
    case = make_case(make_item(org["approvals"]), received_on=date(2019, 9, 2))
    case = case_accept(case=case, by=None, on=date(2019, 9, 2))
    assert (request.due_on, case.due_on) == (date(2019, 9, 9), date(2019, 9, 17))
    # A Wednesday off: both deadlines move a working day later, by a job left for the worker.
    calendar_set_day(day=date(2019, 9, 4), is_working_day=False, name="停电检修", by=None)
    assert BackgroundJob.objects.get().status == BackgroundJob.Status.QUEUED

    with database_for_child(tmp_path) as env:
        before = tables(env)

        # Killed once the requests' and the cases' deadlines are worked out, the tasks' not yet.
        run_killed(
            env,
            'pause_after("zoneops.approvals.services", "cases_recompute_deadlines")\n'
            + WORKER.format(worker="killed"),
        )

        changed = changed_tables(before, tables(env))
        assert set(changed) <= JOB_TABLES, changed
        # The next worker sees the job dead and runs the recomputation again, whole.
        after = run_child(env, WORKER.format(worker="next") + AFTER).splitlines()
        assert after[-2:] == ["interrupted succeeded", "2019-09-10 2019-09-18"]

"""The demo zone's supervision, loaded once for the module with a `today` (so both the
article's part and the part going on to today are there) and rolled back after it."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from zoneops.demo.loader import load_demo_zone
from zoneops.meetings.models import Decision
from zoneops.supervision.enums import TaskStatus
from zoneops.supervision.models import SupervisionTask
from zoneops.supervision.selectors import (
    checklist_coverage,
    task_counts,
    tasks_cleared_same_day,
    tasks_overdue,
)
from zoneops.supervision.workbench import TaskSource

# The clock stands on TODAY for the load and every test (so another day only repeats them).
pytestmark = [pytest.mark.django_db, pytest.mark.clock_fixed]
TODAY = date(2026, 11, 16)
ZONE = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    at = time_machine.travel(datetime.combine(TODAY, time(10, 0), tzinfo=ZONE), tick=False)
    with at, django_db_blocker.unblock(), transaction.atomic():
        result = load_demo_zone(password="demo-Pass-2020", today=TODAY)
        yield result
        transaction.set_rollback(True)


def test_2019_has_exactly_7030_tasks_handed_over_and_closed_the_same_day():
    assert tasks_cleared_same_day(start=date(2019, 1, 1), end=date(2019, 12, 31)) == 7030
    assert TaskSource().cleared_same_day(start=date(2019, 1, 1), end=date(2019, 12, 31)) == 7030


def test_12_inspectors_keep_checklists_of_19_enterprises_with_visits_and_follow_ups():
    coverage = checklist_coverage(on=date(2020, 6, 30))
    assert (coverage.inspectors, coverage.enterprises) == (12, 19)
    assert coverage.visits == 38
    assert coverage.follow_ups >= 5


def test_every_done_decision_has_its_task_closed_and_open_ones_run():
    decisions = Decision.objects.filter(meeting__status="held")
    assert decisions.exists()
    for decision in decisions.select_related("supervision_task"):
        task = decision.supervision_task
        assert (task.status == TaskStatus.CLOSED) == (decision.done_on is not None), decision


def test_the_zone_goes_on_to_today_with_late_urged_and_escalated_tasks():
    counts = task_counts(on=TODAY)
    assert counts.open >= 5
    assert counts.overdue >= 2 and counts.urged >= 2 and counts.escalated >= 1
    assert tasks_overdue(on=TODAY).exists()
    later = SupervisionTask.objects.filter(assigned_on__year=2025, title__endswith="（示例）")
    assert later.exists()

"""The kernel through the two records that stand on it: a request (with extension and
suspension) and a problem (without them: constants, not columns)."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zoneops.casework.clocks import SUSPENDED_KEY
from zoneops.casework.selectors import clock_of, records_with_clock
from zoneops.casework.services import step_date, step_lock
from zoneops.common.exceptions import ApplicationError, StaleEditError
from zoneops.common.workcalendar import calendar_cache_clear
from zoneops.enterprises.models import EnterpriseRequest
from zoneops.enterprises.services.requests import request_suspend
from zoneops.enterprises.tests.factories import make_request
from zoneops.projects.models import Problem
from zoneops.projects.services.problems import problem_raise
from zoneops.projects.tests.factories import make_project

TODAY = "2026-11-16T10:00+08:00"


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    calendar_cache_clear()
    yield
    calendar_cache_clear()


@pytest.fixture
def project(db):
    return make_project("海纳川沧州汽车零部件产业园")


def raise_problem(project, org, *, routed_on: date, limit_days: int = 5) -> Problem:
    return problem_raise(
        project=project,
        title="电力增容",
        kind="pain_point",
        topic="labour",
        department=org["investment"],
        limit_days=limit_days,
        routed_on=routed_on,
        by=None,
    )


def test_a_problem_keeps_its_columns_the_kernel_adds_none():
    problem_columns = {field.name for field in Problem._meta.concrete_fields}
    request_columns = {field.name for field in EnterpriseRequest._meta.concrete_fields}

    assert {"routed_on", "limit_days", "due_on", "due_provisional", "status"} <= problem_columns
    assert not {"clock_from", "extension_days", "suspended_since", "suspended_days"} & (
        problem_columns
    )
    assert {"clock_from", "extension_days", "suspended_since", "suspended_days"} <= (
        request_columns
    )
    assert not Problem._meta.get_field("due_on").null  # required as before
    assert EnterpriseRequest._meta.get_field("due_on").null


@pytest.mark.time_machine(TODAY, tick=False)
def test_a_problem_counts_from_its_routing_day_and_is_overdue_the_day_after_its_deadline(
    project, org
):
    problem = raise_problem(project, org, routed_on=date(2026, 11, 2))  # Monday; 5 days: Monday 9th

    assert problem.clock_start == date(2026, 11, 2)
    assert problem.due_on == date(2026, 11, 9) == problem.deadline().date
    assert clock_of(problem).key == "red"
    assert list(Problem.objects.overdue(on=date(2026, 11, 9))) == []
    assert list(Problem.objects.overdue(on=date(2026, 11, 10))) == [problem]


@pytest.mark.time_machine(TODAY, tick=False)
def test_a_suspended_request_is_not_overdue_and_its_clock_says_since_when(org):
    request = make_request(accepted=date(2026, 11, 2), department=org["approvals"])
    request_suspend(request=request, reason="请补充营业执照副本", by=None, on=date(2026, 11, 5))

    request = EnterpriseRequest.objects.get(pk=request.pk)
    assert not EnterpriseRequest.objects.overdue(on=date(2026, 12, 31)).exists()
    clock = clock_of(request)
    assert clock.key == SUSPENDED_KEY and clock.level is None
    assert clock.label == "暂停计时（自2026年11月5日起，待企业补充材料）"


@pytest.mark.time_machine(TODAY, tick=False)
def test_a_stale_step_is_refused_and_the_callers_record_is_left_as_it_was(project, org):
    problem = raise_problem(project, org, routed_on=date(2026, 11, 2))
    opened_at = problem.version
    Problem.objects.filter(pk=problem.pk).update(version=opened_at + 1)  # someone else's step

    with pytest.raises(StaleEditError):
        step_lock(problem, expected_version=opened_at)
    assert problem.version == opened_at  # the page still holds what the user opened
    assert step_lock(problem, expected_version=opened_at + 1).version == opened_at + 1


@pytest.mark.time_machine(TODAY, tick=False)
def test_a_step_dated_before_the_last_one_is_refused_in_the_records_words(project, org):
    problem = raise_problem(project, org, routed_on=date(2026, 11, 2))

    with pytest.raises(ApplicationError) as refused:
        step_date(problem, date(2026, 10, 30))
    assert "早于该问题上一次办理记录" in refused.value.message
    assert step_date(problem, None) == date(2026, 11, 16)  # today by default


@pytest.mark.time_machine(TODAY, tick=False)
def test_the_clocks_of_a_page_take_the_same_queries_whatever_its_length(project, org):
    for day in (2, 3, 4):
        raise_problem(project, org, routed_on=date(2026, 11, day))
    records_with_clock(Problem.objects.all())  # loads the calendar years
    with CaptureQueriesContext(connection) as few:
        records_with_clock(Problem.objects.all())
    for day in range(5, 13):
        raise_problem(project, org, routed_on=date(2026, 11, day))
    with CaptureQueriesContext(connection) as many:
        rows = records_with_clock(Problem.objects.all())

    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(rows) == 11 and all(vars(row)["clock"] is not None for row in rows)

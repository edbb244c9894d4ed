"""Problems (问题清单): raising, routing and every step after, each with its event."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from zoneops.common.exceptions import ApplicationError, StaleEditError
from zoneops.common.models import CalendarYear
from zoneops.common.workcalendar import calendar_cache_clear
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.enums import Stage
from zoneops.projects.models import Problem, ProblemEvent
from zoneops.projects.services.problems import (
    MAX_LIMIT_DAYS,
    problem_add_note,
    problem_escalate,
    problem_raise,
    problem_reopen,
    problem_reroute,
    problem_resolve,
    problems_recompute_deadlines,
)
from zoneops.projects.tests.factories import make_project

Kind = ProblemEvent.Kind


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    calendar_cache_clear()
    yield
    calendar_cache_clear()


@pytest.fixture
def leader(org):
    return make_user(RoleCode.LEADER, departments=[org["zone"]])


@pytest.fixture
def officer(org):
    return make_user(RoleCode.STAFF, departments=[org["investment"]])


@pytest.fixture
def project(org, leader):
    return make_project(
        "中商高科·沧州产业园（一期）",
        liaison_leader=leader,
        responsible_department=org["investment"],
        moves=[(Stage.SIGNED, date(2018, 8, 20)), (Stage.STARTED, date(2019, 4, 22))],
    )


def raise_problem(project, department, *, by=None, routed_on=date(2019, 9, 27), limit_days=5):
    return problem_raise(
        project=project,
        title="施工许可证办理",
        kind="bottleneck",
        topic="approvals",
        department=department,
        limit_days=limit_days,
        routed_on=routed_on,
        by=by,
    )


def kinds(problem):
    return list(problem.events.order_by("on", "id").values_list("kind", flat=True))


def test_raising_routes_the_problem_with_a_deadline_counted_from_the_next_working_day(
    project, org, officer
):
    # Accepted on Friday 2019-09-27: Sunday 09-29 is a 调休 working day, 10-01..07 the holiday.
    problem = raise_problem(project, org["approvals"], by=officer)

    assert problem.due_on == date(2019, 10, 10)
    assert problem.due_provisional is False
    assert problem.status == Problem.Status.ROUTED
    assert problem.raised_on == problem.routed_on == date(2019, 9, 27)
    event = problem.events.get()
    assert (event.kind, event.on, event.to_department, event.by) == (
        Kind.RAISED,
        date(2019, 9, 27),
        org["approvals"],
        officer,
    )
    assert "2019年10月10日" in event.note
    assert problem.history.count() == 1


def test_raising_without_a_date_routes_today(project, org):
    problem = raise_problem(project, org["approvals"], routed_on=None)

    assert problem.routed_on == timezone.localdate()


# Accepted in December: the limit runs into next year, which nobody has entered.
@pytest.mark.time_machine("2026-12-01T10:00+08:00", tick=False)
def test_a_deadline_in_a_year_not_entered_is_provisional(project, org):
    today = timezone.localdate()
    CalendarYear.objects.filter(year__gt=today.year).delete()

    problem = raise_problem(project, org["approvals"], routed_on=today, limit_days=MAX_LIMIT_DAYS)

    assert problem.due_on.year > today.year
    assert problem.due_provisional is True
    assert "节假日未录入" in problem.events.get().note


def test_a_provisional_deadline_is_worked_out_again_once_the_year_is_entered(project, org):
    problem = raise_problem(project, org["approvals"], routed_on=date(2019, 9, 27))
    Problem.objects.filter(pk=problem.pk).update(due_on=date(2019, 10, 4), due_provisional=True)

    assert problems_recompute_deadlines() == 1

    problem.refresh_from_db()
    assert (problem.due_on, problem.due_provisional) == (date(2019, 10, 10), False)
    assert problems_recompute_deadlines() == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"routed_on": date(2999, 1, 4)}, "routed_on"),
        ({"raised_on": date(2019, 10, 1)}, "raised_on"),
        ({"limit_days": 0}, "limit_days"),
        ({"limit_days": MAX_LIMIT_DAYS + 1}, "limit_days"),
        ({"title": "  "}, "title"),
    ],
)
def test_raising_refuses_bad_input_naming_the_field(project, org, changes, field):
    arguments = {
        "project": project,
        "title": "用地手续",
        "kind": "hard_problem",
        "topic": "land",
        "department": org["approvals"],
        "limit_days": 10,
        "routed_on": date(2019, 9, 27),
        "by": None,
        **changes,
    }
    with pytest.raises(ApplicationError) as refused:
        problem_raise(**arguments)

    assert refused.value.field == field
    assert not Problem.objects.exists()


def test_no_problem_is_raised_on_a_terminated_project(org):
    dropped = make_project(
        "已终止项目", moves=[(Stage.TALKS, date(2019, 1, 7)), (Stage.TERMINATED, date(2019, 3, 1))]
    )

    with pytest.raises(ApplicationError, match="已终止") as refused:
        raise_problem(dropped, org["approvals"])

    assert refused.value.field == "project"


def test_a_reroute_keeps_the_deadline_and_needs_a_reason(project, org, officer):
    problem = raise_problem(project, org["investment"])
    problem_add_note(problem=problem, text="已对接", on=date(2019, 9, 29), by=officer)

    with pytest.raises(ApplicationError) as refused:
        problem_reroute(problem=problem, to_department=org["approvals"], reason=" ", by=officer)
    assert refused.value.field == "reason"

    rerouted = problem_reroute(
        problem=problem,
        to_department=org["approvals"],
        reason="属审批事项，由行政审批局办理",
        on=date(2019, 9, 30),
        by=officer,
    )

    assert rerouted.department == org["approvals"]
    assert rerouted.due_on == date(2019, 10, 10)
    assert rerouted.routed_on == date(2019, 9, 27)
    assert rerouted.status == Problem.Status.ROUTED  # the new department has not started
    event = rerouted.events.get(kind=Kind.REROUTED)
    assert (event.from_department, event.to_department) == (org["investment"], org["approvals"])
    assert event.note == "属审批事项，由行政审批局办理"


def test_a_reroute_with_a_new_limit_restarts_the_clock(project, org):
    problem = raise_problem(project, org["investment"])

    rerouted = problem_reroute(
        problem=problem,
        to_department=org["approvals"],
        reason="改由审批局办理",
        limit_days=3,
        on=date(2019, 10, 8),
        by=None,
    )

    assert (rerouted.routed_on, rerouted.limit_days) == (date(2019, 10, 8), 3)
    assert rerouted.due_on == date(2019, 10, 11)
    assert "重新计时" in rerouted.events.get(kind=Kind.REROUTED).note


def test_a_reroute_to_the_same_department_is_refused(project, org):
    problem = raise_problem(project, org["approvals"])

    with pytest.raises(ApplicationError) as refused:
        problem_reroute(problem=problem, to_department=org["approvals"], reason="x", by=None)

    assert refused.value.field == "to_department"


def test_the_first_note_starts_the_work_and_later_notes_only_add_events(project, org, officer):
    problem = raise_problem(project, org["approvals"])

    problem_add_note(problem=problem, text="已受理，材料齐全", on=date(2019, 9, 29), by=officer)
    problem.refresh_from_db()
    assert problem.status == Problem.Status.IN_PROGRESS
    version = problem.version

    problem_add_note(problem=problem, text="已现场踏勘", on=date(2019, 10, 8), by=officer)

    problem.refresh_from_db()
    assert problem.version == version
    assert kinds(problem) == [Kind.RAISED, Kind.NOTE, Kind.NOTE]
    with pytest.raises(ApplicationError) as empty:
        problem_add_note(problem=problem, text="", by=officer)
    assert empty.value.field == "text"


def test_escalation_goes_to_the_liaison_leader_who_then_sees_the_problem(
    project, org, leader, officer
):
    problem = raise_problem(project, org["approvals"])
    stranger = make_user(RoleCode.LEADER, departments=[org["city"]])
    assert not Problem.objects.visible_to(stranger).exists()

    escalated = problem_escalate(problem=problem, on=date(2019, 10, 8), by=officer)

    assert (escalated.escalated_to, escalated.escalated_on) == (leader, date(2019, 10, 8))
    assert escalated.events.get(kind=Kind.ESCALATED).note.startswith("提级至包联领导")
    assert list(Problem.objects.visible_to(leader)) == [problem]
    with pytest.raises(ApplicationError, match="已于"):
        problem_escalate(problem=problem, by=officer)


def test_escalation_is_refused_when_the_project_has_no_liaison_leader(org):
    orphan = make_project("无包联领导的项目", moves=[(Stage.SIGNED, date(2019, 3, 1))])
    problem = raise_problem(orphan, org["approvals"])

    with pytest.raises(ApplicationError, match="未确定包联领导") as refused:
        problem_escalate(problem=problem, by=None)

    assert refused.value.field == "project"
    assert kinds(problem) == [Kind.RAISED]


def test_resolving_needs_the_resolution_and_closes_the_problem(project, org, officer):
    problem = raise_problem(project, org["approvals"])

    with pytest.raises(ApplicationError) as refused:
        problem_resolve(problem=problem, resolution="", by=officer)
    assert refused.value.field == "resolution"

    resolved = problem_resolve(
        problem=problem, resolution="已核发施工许可证", on=date(2019, 10, 9), by=officer
    )

    assert resolved.status == Problem.Status.RESOLVED
    assert (resolved.resolved_on, resolved.resolution) == (date(2019, 10, 9), "已核发施工许可证")
    for step in (
        lambda: problem_add_note(problem=problem, text="x", by=officer),
        lambda: problem_escalate(problem=problem, by=officer),
        lambda: problem_resolve(problem=problem, resolution="x", by=officer),
        lambda: problem_reroute(
            problem=problem, to_department=org["investment"], reason="x", by=officer
        ),
    ):
        with pytest.raises(ApplicationError, match="问题已解决"):
            step()


def test_reopening_needs_a_reason_and_restarts_the_clock(project, org, officer):
    problem = raise_problem(project, org["approvals"])
    problem_resolve(problem=problem, resolution="已答复", on=date(2019, 10, 9), by=officer)

    with pytest.raises(ApplicationError) as refused:
        problem_reopen(problem=problem, reason="", by=officer)
    assert refused.value.field == "reason"

    reopened = problem_reopen(
        problem=problem, reason="企业反映证照仍未领取", on=date(2019, 10, 14), by=officer
    )

    assert reopened.status == Problem.Status.IN_PROGRESS
    assert (reopened.resolved_on, reopened.resolution) == (None, "")
    assert (reopened.routed_on, reopened.limit_days) == (date(2019, 10, 14), 5)
    assert reopened.due_on == date(2019, 10, 21)
    assert kinds(problem) == [Kind.RAISED, Kind.RESOLVED, Kind.REOPENED]
    with pytest.raises(ApplicationError, match="尚未解决"):
        problem_reopen(problem=problem, reason="x", by=officer)


def test_a_step_dated_in_the_future_or_before_the_last_step_is_refused(project, org, officer):
    problem = raise_problem(project, org["approvals"])
    problem_add_note(problem=problem, text="已受理", on=date(2019, 10, 8), by=officer)

    with pytest.raises(ApplicationError, match="晚于今天") as future:
        problem_resolve(
            problem=problem,
            resolution="x",
            on=timezone.localdate() + timedelta(days=1),
            by=officer,
        )
    assert future.value.field == "on"
    with pytest.raises(ApplicationError, match="早于该问题上一次办理记录"):
        problem_resolve(problem=problem, resolution="x", on=date(2019, 10, 7), by=officer)


def test_a_step_from_a_stale_version_is_refused(project, org, officer):
    problem = raise_problem(project, org["approvals"])
    seen = problem.version
    problem_add_note(problem=problem, text="已受理", on=date(2019, 9, 29), by=officer)

    with pytest.raises(StaleEditError):
        problem_resolve(problem=problem, resolution="x", by=officer, expected_version=seen)

    problem.refresh_from_db()
    assert problem.status == Problem.Status.IN_PROGRESS
    assert kinds(problem) == [Kind.RAISED, Kind.NOTE]


def test_a_deadline_follows_a_day_off_entered_afterwards(
    project, org, django_capture_on_commit_callbacks
):
    from zoneops.common.calendar_services import calendar_set_day

    # Routed Monday 2019-06-03, 5 working days; 端午节 (Friday 06-07) is off: due Tuesday 06-11.
    problem = raise_problem(project, org["approvals"], routed_on=date(2019, 6, 3), limit_days=5)
    assert problem.due_on == date(2019, 6, 11)

    with django_capture_on_commit_callbacks(execute=True):
        calendar_set_day(day=date(2019, 6, 4), is_working_day=False, name="停电检修", by=None)

    problem.refresh_from_db()
    assert problem.due_on == date(2019, 6, 12)

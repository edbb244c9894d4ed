from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from zoneops.common.exceptions import ApplicationError, PermissionDeniedError, StaleEditError
from zoneops.common.models import CalendarDay, CalendarYear
from zoneops.common.workcalendar import calendar_cache_clear, calendar_changed
from zoneops.enterprises.enums import LiaisonKind
from zoneops.enterprises.tests.factories import make_enterprise, make_liaison, make_request
from zoneops.meetings.enums import MeetingKind
from zoneops.meetings.services import decision_create, decision_done, meeting_hold
from zoneops.meetings.tests.factories import make_meeting, make_problem
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.tests.factories import make_project
from zoneops.supervision.enums import TaskSource, TaskStatus
from zoneops.supervision.models import SupervisionTask, TaskEvent
from zoneops.supervision.selectors import task_available_steps
from zoneops.supervision.services import (
    checklist_create,
    checklist_follow_up,
    checklist_visit_record,
    task_close,
    task_escalate,
    task_from_decision,
    task_from_problem,
    task_from_request,
    task_progress,
    task_report,
    task_return,
    task_review,
    task_sign,
    task_urge,
)

pytestmark = pytest.mark.time_machine("2020-06-15T10:00+08:00", tick=False)
S = TaskStatus


def _work_through(task, people, *, close=True):
    worker, supervisor = people["worker"], people["supervisor"]
    task = task_sign(task=task, by=worker, on=date(2020, 6, 2))
    task = task_progress(task=task, text="已对接供电公司", by=worker, on=date(2020, 6, 3))
    task = task_report(task=task, feedback="扩容完成", by=worker, on=date(2020, 6, 4))
    task = task_review(task=task, by=supervisor, on=date(2020, 6, 5))
    if close:
        task = task_close(task=task, by=supervisor, on=date(2020, 6, 5))
    return task


def test_a_task_runs_from_assignment_to_closing_with_an_event_per_step(make_task, people):
    task = make_task()
    assert (task.status, task.limit_days, task.due_on) == (S.ASSIGNED, 5, date(2020, 6, 8))

    task = _work_through(task, people)

    assert task.status == S.CLOSED and task.closed_on == date(2020, 6, 5)
    kinds = list(task.events.values_list("kind", flat=True))
    assert kinds == ["assigned", "signed", "progress", "reported", "reviewed", "closed"]
    assert task.clock(on=date(2020, 6, 15)).on_time
    assert task.history.count() >= 6


def test_a_deadline_given_as_a_date_becomes_working_days(make_task):
    task = make_task(due_on=date(2020, 6, 7))  # a Sunday: the Friday before
    assert (task.limit_days, task.due_on) == (4, date(2020, 6, 5))


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"limit_days": 5, "due_on": date(2020, 6, 9)}, "limit_days"),
        ({"limit_days": 0}, "limit_days"),
        ({"limit_days": 99999}, "limit_days"),
        ({"due_on": date(2020, 5, 1)}, "due_on"),
        ({"due_on": date(9999, 12, 31)}, "due_on"),
        ({"title": "推进\x00供电"}, "title"),
        ({"title": "   "}, "title"),
        ({"assigned_on": date(2030, 1, 1)}, "assigned_on"),
        ({"source": "nonsense"}, "source"),
    ],
)
def test_bad_input_is_refused_with_its_field_and_nothing_is_written(make_task, values, field):
    with pytest.raises(ApplicationError) as refused:
        make_task(**values)
    assert refused.value.field == field
    assert not SupervisionTask.objects.exists()


def test_only_the_owner_department_signs_and_works_the_task(make_task, people):
    task = make_task()
    with pytest.raises(PermissionDeniedError):
        task_sign(task=task, by=people["other"])
    with pytest.raises(PermissionDeniedError):
        task_sign(task=task, by=people["inspector"])
    assert task_available_steps(task=task, user=people["worker"]) == {"sign"}
    assert task_available_steps(task=task, user=people["other"]) == set()


def test_only_the_supervisor_closes_and_sends_back(make_task, people):
    task = _work_through(make_task(), people, close=False)
    for someone in (people["worker"], people["inspector"], people["leader"]):
        with pytest.raises(PermissionDeniedError):
            task_close(task=task, by=someone)
        with pytest.raises(PermissionDeniedError):
            task_return(task=task, reason="不实", by=someone)
    assert task_available_steps(task=task, user=people["supervisor"]) == {"return", "close"}


def test_a_task_sent_back_is_worked_again_with_the_reason(make_task, people):
    task = _work_through(make_task(), people, close=False)
    with pytest.raises(ApplicationError) as refused:
        task_return(task=task, reason=" ", by=people["supervisor"])
    assert refused.value.field == "reason"

    task = task_return(
        task=task, reason="佐证材料不全", by=people["supervisor"], on=date(2020, 6, 8)
    )

    assert task.status == S.IN_PROGRESS and task.reported_on is None
    assert task.events.last().note == "佐证材料不全"
    with pytest.raises(ApplicationError):
        task_close(task=task, by=people["supervisor"])


def test_an_inspector_reviews_but_does_not_close(make_task, people):
    task = make_task()
    task = task_sign(task=task, by=people["worker"], on=date(2020, 6, 2))
    task = task_report(task=task, feedback="完成", by=people["worker"], on=date(2020, 6, 3))
    task = task_review(task=task, by=people["inspector"], on=date(2020, 6, 3))
    assert task.status == S.REVIEWED
    with pytest.raises(PermissionDeniedError):
        task_close(task=task, by=people["inspector"])


def test_a_stale_step_is_refused(make_task, people):
    task = make_task()
    version = task.version
    task_sign(task=task, by=people["worker"], on=date(2020, 6, 2))
    with pytest.raises(StaleEditError):
        task_progress(task=task, text="x", by=people["worker"], expected_version=version)


def test_progress_keeps_evidence_files_and_refuses_the_wrong_ones(make_task, people):
    task = task_sign(task=make_task(), by=people["worker"], on=date(2020, 6, 2))
    pdf = SimpleUploadedFile("现场照片.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
    task = task_progress(task=task, text="已完成一半", files=[pdf], by=people["worker"])
    event = task.events.get(kind=TaskEvent.Kind.PROGRESS)
    assert [e.filename for e in event.evidence.all()] == ["现场照片.pdf"]
    assert event.evidence.get().file.read() == b"%PDF-1.4 evidence"

    for bad in (SimpleUploadedFile("x.exe", b"MZ"), SimpleUploadedFile("empty.pdf", b"")):
        with pytest.raises(ApplicationError) as refused:
            task_progress(task=task, text="再次", files=[bad], by=people["worker"])
        assert refused.value.field == "files"
    assert task.events.filter(kind=TaskEvent.Kind.PROGRESS).count() == 1


def test_a_late_task_is_urged_and_escalated_to_the_leader_in_charge(make_task, people):
    task = make_task()  # due 2020-06-08, today 2020-06-15
    with pytest.raises(PermissionDeniedError):
        task_urge(task=task, by=people["worker"])
    task = task_urge(task=task, by=people["inspector"])
    task = task_urge(task=task, by=people["supervisor"])
    assert task.urge_count == 2
    assert task.events.filter(kind=TaskEvent.Kind.URGED).count() == 2

    task = task_escalate(task=task, by=people["supervisor"])

    assert task.escalated_to == people["leader"]
    assert SupervisionTask.objects.visible_to(people["leader"]).filter(pk=task.pk).exists()
    with pytest.raises(ApplicationError) as again:
        task_escalate(task=task, by=people["supervisor"])
    assert again.value.code == "escalated"


def test_a_task_not_late_is_not_urged_and_one_without_a_leader_is_not_escalated(
    make_task, people, org
):
    task = make_task(assigned_on=date(2020, 6, 15), limit_days=5)
    with pytest.raises(ApplicationError) as refused:
        task_urge(task=task, by=people["supervisor"])
    assert refused.value.code == "not_late"
    other = make_task(department=org["approvals"])
    with pytest.raises(ApplicationError) as no_leader:
        task_escalate(task=other, by=people["supervisor"])
    assert no_leader.value.code == "no_leader"


def test_a_meeting_held_makes_its_decisions_tasks_and_closing_one_marks_the_decision_done(
    people, org
):
    host = people["supervisor"]
    meeting = make_meeting(MeetingKind.MONTHLY, held_on=date(2020, 6, 1), by=host, host=host)
    decision = decision_create(
        meeting=meeting,
        text="协调供电扩容",
        owner=people["worker"],
        owner_department=org["investment"],
        due_on=date(2020, 6, 10),
        by=host,
    )

    meeting_hold(meeting=meeting, minutes="纪要", by=host)

    task = SupervisionTask.objects.get(decision=decision)
    assert (task.source, task.supervisor, task.owner) == (
        TaskSource.MEETING,
        host,
        people["worker"],
    )
    assert task.due_on == date(2020, 6, 10)
    assert task_from_decision(decision=decision, by=host) == task  # one task per decision
    # Meetings asks supervision (meetings.followers): the task, not meetings, finishes it.
    with pytest.raises(ApplicationError) as followed:
        decision_done(decision=decision, by=host, done_on=date(2020, 6, 3))
    assert followed.value.code == "followed"
    message = followed.value.message
    assert "已转督办" in message and "请在督办事项中办结/销号" in message
    decision.refresh_from_db()
    assert decision.done_on is None
    _work_through(task, people)
    decision.refresh_from_db()
    assert decision.done_on == date(2020, 6, 5)


def test_a_meeting_is_not_held_when_a_decision_cannot_become_a_task_and_says_which_and_why(
    people, org
):
    host = people["supervisor"]
    meeting = make_meeting(MeetingKind.MONTHLY, held_on=date(2020, 6, 1), by=host, host=host)
    decision_create(
        meeting=meeting,
        text="协调供电扩容",
        owner_department=org["investment"],
        due_on=date(2020, 6, 10),
        by=host,
    )
    org["investment"].is_active = False
    org["investment"].save(update_fields=["is_active"])

    with pytest.raises(ApplicationError) as refused:
        meeting_hold(meeting=meeting, minutes="纪要", by=host)

    message = refused.value.message
    assert "议定事项“协调供电扩容”不能转为督办事项" in message and "已停用" in message
    meeting.refresh_from_db()
    assert meeting.status == "planned" and not SupervisionTask.objects.exists()


def test_a_problem_and_a_request_become_one_task_each(people, org):
    project = make_project("测试项目", owner=people["worker"])
    problem = make_problem(
        project, department=org["investment"], routed_on=date(2020, 6, 1), due_on=date(2020, 6, 30)
    )
    task = task_from_problem(problem=problem, by=people["supervisor"])
    assert (task.source, task.department, task.due_on) == (
        TaskSource.PROBLEM,
        org["investment"],
        date(2020, 6, 30),
    )
    assert task_from_problem(problem=problem, by=people["supervisor"]) == task

    request = make_request(
        accepted=date(2020, 6, 10), department=org["investment"], filed_on=date(2020, 6, 10)
    )
    from_request = task_from_request(request=request, by=people["supervisor"])
    assert from_request.request == request and from_request.source == TaskSource.REQUEST
    assert task_from_request(request=request, by=people["supervisor"]) == from_request
    assert SupervisionTask.objects.count() == 2


def test_an_inspector_keeps_a_checklist_of_an_enterprise_he_liaises_with(people, org):
    inspector = people["inspector"]
    enterprise = make_enterprise()
    with pytest.raises(ApplicationError) as refused:
        checklist_create(enterprise=enterprise, inspector=inspector, by=inspector)
    assert refused.value.field == "inspector"
    make_liaison(
        enterprise, kind=LiaisonKind.INSPECTOR, person=inspector, started_on=date(2020, 1, 2)
    )

    checklist = checklist_create(
        enterprise=enterprise,
        inspector=inspector,
        by=inspector,
        items=["安全生产", "环保整改"],
        started_on=date(2020, 6, 1),
    )
    visit = checklist_visit_record(
        checklist=checklist, findings="消防通道堵塞", by=inspector, visited_on=date(2020, 6, 10)
    )
    task = checklist_follow_up(
        visit=visit, title="清理消防通道", department=org["investment"], by=inspector
    )

    assert list(checklist.items.values_list("text", flat=True)) == ["安全生产", "环保整改"]
    assert (task.source, task.supervisor, task.visit) == (TaskSource.CHECKLIST, inspector, visit)
    with pytest.raises(PermissionDeniedError):
        checklist_visit_record(checklist=checklist, findings="x", by=people["worker"])
    with pytest.raises(ApplicationError):
        checklist_create(enterprise=enterprise, inspector=inspector, by=inspector)


def test_an_enterprise_user_cannot_be_the_owner_or_supervisor(make_task, org):
    enterprise = make_enterprise()
    outsider = make_user(RoleCode.ENTERPRISE, enterprise=enterprise)
    with pytest.raises(ApplicationError) as refused:
        make_task(supervisor=outsider)
    assert refused.value.field == "supervisor"


def test_the_work_source_lists_owned_and_supervised_tasks_and_same_day_ones(make_task, people, org):
    from zoneops.supervision.workbench import TaskSource as Source

    mine = make_task(owner=people["worker"])
    closed_same_day = make_task(assigned_on=date(2020, 6, 10))
    worker = people["worker"]
    closed_same_day = task_sign(task=closed_same_day, by=worker, on=date(2020, 6, 10))
    closed_same_day = task_report(
        task=closed_same_day, feedback="好", by=worker, on=date(2020, 6, 10)
    )
    closed_same_day = task_review(
        task=closed_same_day, by=people["supervisor"], on=date(2020, 6, 10)
    )
    task_close(task=closed_same_day, by=people["supervisor"], on=date(2020, 6, 10))
    source = Source()
    today = date(2020, 6, 15)

    own = source.items(user=worker, on=today, until=today, departments=None)
    supervised = source.items(user=people["supervisor"], on=today, until=today, departments=None)
    by_department = source.items(
        user=people["leader"], on=today, until=today, departments={org["investment"].pk}
    )

    assert [(i.pk, i.supervised, i.standing(today)) for i in own] == [(mine.pk, False, "late")]
    assert [(i.pk, i.supervised) for i in supervised] == [(mine.pk, True)]
    assert [i.pk for i in by_department] == [mine.pk]
    assert own[0].clock.level == "red"
    finished = source.finished(user=people["supervisor"], on=date(2020, 6, 10), departments=None)
    assert [i.pk for i in finished] == [closed_same_day.pk]
    assert source.cleared_same_day(start=date(2020, 6, 1), end=date(2020, 6, 30)) == 1
    assert source.cleared_same_day(start=date(2020, 6, 11), end=date(2020, 6, 30)) == 0


@pytest.fixture
def calendar_reloaded():
    """The frozen clock leaves a year's stamp as it was: reload the calendar after the change
    and again after the test (its day is rolled back)."""
    yield calendar_cache_clear
    calendar_cache_clear()


def test_running_tasks_deadlines_follow_the_work_calendar(make_task, people, calendar_reloaded):
    running = make_task()
    closed = _work_through(make_task(), people)
    assert running.due_on == closed.due_on == date(2020, 6, 8)

    with transaction.atomic():
        CalendarDay.objects.create(date=date(2020, 6, 3), is_working_day=False, name="临时调休")
        calendar_reloaded()
        calendar_changed.send(sender=CalendarYear, years=frozenset({2020}))

    running.refresh_from_db()
    closed.refresh_from_db()
    assert running.due_on == date(2020, 6, 9)  # one working day less before it
    assert closed.due_on == date(2020, 6, 8)  # done: its clock is history

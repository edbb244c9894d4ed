from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from zoneops.common.exceptions import ApplicationError, StaleEditError
from zoneops.meetings.enums import MeetingKind, MeetingStatus
from zoneops.meetings.selectors import (
    ceremony_totals,
    decision_supervision_draft,
    decisions_overdue,
)
from zoneops.meetings.services import (
    ceremony_attach_projects,
    ceremony_detach_projects,
    decision_create,
    decision_done,
    decision_remove,
    decision_update,
    meeting_cancel,
    meeting_hold,
    meeting_update,
)
from zoneops.meetings.tests.factories import make_meeting
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.enums import Stage
from zoneops.projects.tests.factories import make_project

SIGNING_DAY = date(2020, 5, 8)


@pytest.fixture
def officer(org):
    return make_user(RoleCode.STAFF, departments=[org["investment"]])


def _refusal(call, **kwargs) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        call(**kwargs)
    return caught.value


# --- meetings -----------------------------------------------------------------------------------


def test_a_meeting_is_organised_by_the_schedulers_department_by_default(officer, org):
    meeting = make_meeting(MeetingKind.WEEKLY_DOCKING, by=officer, attendees=[officer])

    assert meeting.status == MeetingStatus.PLANNED
    assert meeting.organiser == org["investment"]
    assert meeting.created_by == officer
    assert list(meeting.attendees.all()) == [officer]
    assert not meeting.online


def test_online_talks_are_held_online_in_the_online_hall(officer):
    meeting = make_meeting(MeetingKind.ONLINE_TALKS, by=officer)

    assert meeting.online
    assert meeting.location == "线上会客厅"
    error = _refusal(make_meeting, kind=MeetingKind.CLOUD_SIGNING, online=False, by=officer)
    assert error.field == "online"


def test_the_same_meeting_twice_on_a_day_is_refused(officer):
    make_meeting(MeetingKind.MONTHLY, title="3月月例会", held_on=date(2020, 3, 30), by=officer)

    error = _refusal(
        make_meeting,
        kind=MeetingKind.MONTHLY,
        title="3月月例会",
        held_on=date(2020, 3, 30),
        by=officer,
    )

    assert error.field == "title"
    assert "已有一场名为“3月月例会”的月例会" in error.message


def test_a_blank_title_and_a_zero_duration_are_refused(officer):
    assert _refusal(make_meeting, title="  ", by=officer).field == "title"
    error = _refusal(make_meeting, title="周对接", duration_minutes=0, by=officer)
    assert error.field == "duration_minutes"


def test_a_stale_edit_is_refused(officer):
    meeting = make_meeting(by=officer)
    meeting_update(meeting=meeting, by=officer, expected_version=1, location="管委会三楼会议室")

    with pytest.raises(StaleEditError):
        meeting_update(meeting=meeting, by=officer, expected_version=1, location="二楼")


def test_holding_a_meeting_needs_its_minutes_and_a_past_date(officer):
    meeting = make_meeting(by=officer)
    assert _refusal(meeting_hold, meeting=meeting, by=officer, minutes=" ").field == "minutes"

    held = meeting_hold(
        meeting=meeting, by=officer, minutes="会议议定三件事。", duration_minutes=90
    )

    assert held.status == MeetingStatus.HELD
    assert (held.minutes, held.duration_minutes, held.version) == ("会议议定三件事。", 90, 2)
    assert _refusal(meeting_hold, meeting=held, by=officer, minutes="再开").field == "status"

    tomorrow = timezone.localdate() + timedelta(days=1)
    future = make_meeting(held_on=tomorrow, by=officer)
    error = _refusal(meeting_hold, meeting=future, by=officer, minutes="纪要")
    assert error.field == "held_on"


def test_cancelling_needs_a_reason_and_ends_the_meeting(officer):
    meeting = make_meeting(by=officer)
    assert _refusal(meeting_cancel, meeting=meeting, by=officer, reason="").field == "reason"

    cancelled = meeting_cancel(meeting=meeting, by=officer, reason="领导外出")

    assert cancelled.status == MeetingStatus.CANCELLED
    assert cancelled.history.first().history_change_reason == "取消会议：领导外出"
    error = _refusal(meeting_update, meeting=cancelled, by=officer, title="改名")
    assert "已取消" in error.message
    assert _refusal(meeting_hold, meeting=cancelled, by=officer, minutes="x").field == "status"


def test_a_meeting_with_decisions_cannot_be_cancelled(officer, org):
    meeting = make_meeting(by=officer)
    decision_create(
        meeting=meeting,
        text="拟议",
        due_on=meeting.held_on,
        owner_department=org["investment"],
        by=officer,
    )
    assert _refusal(meeting_cancel, meeting=meeting, by=officer, reason="改期").field == "status"


def test_the_kind_changes_only_within_what_the_meeting_holds(officer, org):
    meeting = make_meeting(by=officer)
    decision_create(
        meeting=meeting,
        text="拟议",
        due_on=meeting.held_on,
        owner_department=org["investment"],
        by=officer,
    )
    error = _refusal(meeting_update, meeting=meeting, by=officer, kind=MeetingKind.SIGNING)
    assert error.field == "kind"
    assert meeting_update(meeting=meeting, by=officer, kind=MeetingKind.MONTHLY).kind == "monthly"


# --- decisions ----------------------------------------------------------------------------------


def test_a_decision_gets_an_owner_a_department_and_a_deadline(officer, org):
    meeting = make_meeting(MeetingKind.MONTHLY, held_on=date(2020, 3, 30), by=officer)

    decision = decision_create(
        meeting=meeting,
        text="4月10日前完成土地摘牌",
        owner=officer,
        due_on=date(2020, 4, 10),
        by=officer,
    )

    assert decision.owner_department == org["investment"]  # the owner's department
    assert (decision.due_on, decision.done_on) == (date(2020, 4, 10), None)


def test_a_deadline_before_the_meeting_is_refused(officer, org):
    meeting = make_meeting(MeetingKind.MONTHLY, held_on=date(2020, 3, 30), by=officer)

    error = _refusal(
        decision_create,
        meeting=meeting,
        text="补办手续",
        owner_department=org["approvals"],
        due_on=date(2020, 3, 29),
        by=officer,
    )

    assert error.field == "due_on"
    assert error.message == "完成时限（2020年3月29日）不能早于会议日期（2020年3月30日）。"
    assert _refusal(
        decision_create, meeting=meeting, text="无部门", due_on=date(2020, 4, 1), by=officer
    ).field == ("owner_department")


def test_moving_the_meeting_after_a_deadline_is_refused(officer, org):
    meeting = make_meeting(held_on=date(2020, 3, 30), by=officer)
    decision_create(
        meeting=meeting,
        text="一周内答复",
        owner_department=org["approvals"],
        due_on=date(2020, 4, 3),
        by=officer,
    )

    error = _refusal(meeting_update, meeting=meeting, by=officer, held_on=date(2020, 4, 6))

    assert error.field == "held_on"
    assert "一周内答复" in error.message


@pytest.mark.usefixtures("unfollowed")
def test_a_decision_is_done_once_on_a_day_after_the_meeting(officer, org):
    meeting = make_meeting(held_on=date(2020, 3, 30), by=officer)
    decision = decision_create(
        meeting=meeting,
        text="协调供电",
        owner_department=org["approvals"],
        due_on=date(2020, 4, 15),
        by=officer,
    )
    error = _refusal(decision_done, decision=decision, by=officer, done_on=date(2020, 4, 1))
    assert "尚未召开" in error.message
    meeting_hold(meeting=meeting, by=officer, minutes="纪要")

    early = _refusal(decision_done, decision=decision, by=officer, done_on=date(2020, 3, 1))
    later = timezone.localdate() + timedelta(days=2)
    future = _refusal(decision_done, decision=decision, by=officer, done_on=later)
    assert (early.field, future.field) == ("done_on", "done_on")
    assert "不能早于会议日期（2020年3月30日）" in early.message
    assert "尚未发生的事不能登记" in future.message  # the rule every step shares
    done = decision_done(decision=decision, by=officer, done_on=date(2020, 4, 12))

    assert done.done_on == date(2020, 4, 12)
    assert "已于2020年4月12日完成" in _refusal(decision_done, decision=done, by=officer).message
    assert _refusal(decision_update, decision=done, by=officer, text="改").field == "done_on"
    assert _refusal(decision_remove, decision=done, by=officer).field == "done_on"


@pytest.mark.usefixtures("unfollowed")
def test_overdue_decisions_as_of_a_date(officer, org):
    meeting = make_meeting(held_on=date(2020, 3, 30), by=officer)
    late = decision_create(
        meeting=meeting,
        text="逾期事项",
        owner_department=org["approvals"],
        due_on=date(2020, 4, 3),
        by=officer,
    )
    decision_create(
        meeting=meeting,
        text="未到期事项",
        owner_department=org["approvals"],
        due_on=date(2020, 5, 3),
        by=officer,
    )
    meeting_hold(meeting=meeting, by=officer, minutes="纪要")
    decision_done(decision=late, by=officer, done_on=date(2020, 4, 20))

    assert list(decisions_overdue(as_of=date(2020, 4, 10))) == [late]
    assert list(decisions_overdue(as_of=date(2020, 4, 21))) == []


def test_a_decision_gives_the_draft_of_its_supervision_task(officer, org):
    meeting = make_meeting(MeetingKind.MONTHLY, title="3月月例会", by=officer)
    decision = decision_create(
        meeting=meeting,
        text="协调供电",
        owner=officer,
        due_on=date(2020, 4, 15),
        by=officer,
    )

    draft = decision_supervision_draft(decision=decision)

    assert (draft.source, draft.decision_id, draft.due_on) == (
        "meeting_decision",
        decision.pk,
        date(2020, 4, 15),
    )
    assert (draft.department_id, draft.assignee_id) == (org["investment"].pk, officer.pk)
    assert draft.description == "2020年3月30日3月月例会议定：协调供电"


# --- ceremonies ---------------------------------------------------------------------------------


@pytest.fixture
def signed(officer):
    return [
        make_project(
            "汽车座椅项目",
            owner=officer,
            investment=30000,
            moves=[(Stage.TALKS, date(2020, 2, 3)), (Stage.SIGNED, SIGNING_DAY)],
        ),
        make_project(
            "已签约项目",
            owner=officer,
            investment=5000,
            moves=[(Stage.SIGNED, date(2019, 11, 4)), (Stage.STARTED, date(2020, 3, 2))],
        ),
    ]


def test_a_cloud_signing_lists_projects_signed_that_day_and_gives_its_totals(officer, signed):
    ceremony = make_meeting(
        MeetingKind.CLOUD_SIGNING, held_on=SIGNING_DAY, duration_minutes=40, by=officer
    )

    added = ceremony_attach_projects(meeting=ceremony, projects=signed, by=officer)
    again = ceremony_attach_projects(meeting=ceremony, projects=signed, by=officer)
    totals = ceremony_totals(ceremony)

    assert (len(added), again) == (2, [])
    assert (totals.count, totals.investment_wan, totals.investment_yi) == (
        2,
        Decimal("35000.00"),
        Decimal("3.50"),
    )
    assert totals.line == "签约项目2个，总投资3.5亿元，用时40分钟"


def test_a_project_not_yet_signed_is_refused_by_name_and_nothing_is_added(officer, signed):
    ceremony = make_meeting(MeetingKind.SIGNING, held_on=SIGNING_DAY, by=officer)
    talks = make_project("氟化锂晶体项目", owner=officer, moves=[(Stage.TALKS, date(2020, 1, 6))])
    later = make_project("后来登记的项目", owner=officer, moves=[(Stage.LEAD, date(2020, 6, 1))])

    error = _refusal(
        ceremony_attach_projects, meeting=ceremony, projects=[*signed, talks, later], by=officer
    )

    assert error.field == "projects"
    assert "“氟化锂晶体项目”在2020年5月8日处于“洽谈”阶段，尚未签约，不能列入签约仪式。" in (
        error.message
    )
    assert "“后来登记的项目”在2020年5月8日尚未登记" in error.message
    assert ceremony.projects.count() == 0


def test_a_concentrated_start_lists_projects_started_by_that_day(officer, signed):
    start_day = date(2020, 4, 20)
    ceremony = make_meeting(MeetingKind.GROUNDBREAKING, held_on=start_day, by=officer)

    error = _refusal(ceremony_attach_projects, meeting=ceremony, projects=signed, by=officer)
    assert "“汽车座椅项目”在2020年4月20日处于“洽谈”阶段，尚未开工，不能列入集中开工。" in (
        error.message
    )
    ceremony_attach_projects(meeting=ceremony, projects=signed[1:], by=officer)
    assert ceremony_totals(ceremony).line == "开工项目1个，总投资0.5亿元"


def test_moving_a_ceremony_before_its_projects_reached_the_stage_is_refused(officer, signed):
    ceremony = make_meeting(MeetingKind.CLOUD_SIGNING, held_on=SIGNING_DAY, by=officer)
    ceremony_attach_projects(meeting=ceremony, projects=signed, by=officer)

    error = _refusal(meeting_update, meeting=ceremony, by=officer, held_on=date(2020, 5, 7))

    assert error.field == "held_on"
    assert "汽车座椅项目" in error.message


def test_a_ceremony_is_held_with_its_projects_and_keeps_one(officer, signed):
    ceremony = make_meeting(MeetingKind.CLOUD_SIGNING, held_on=SIGNING_DAY, by=officer)
    assert _refusal(meeting_hold, meeting=ceremony, by=officer).field == "projects"
    ceremony_attach_projects(meeting=ceremony, projects=signed, by=officer)
    ceremony = meeting_hold(meeting=ceremony, by=officer, duration_minutes=40)

    assert ceremony_detach_projects(meeting=ceremony, projects=signed[:1], by=officer) == 1
    error = _refusal(ceremony_detach_projects, meeting=ceremony, projects=signed, by=officer)
    assert error.field == "projects"


def test_only_a_ceremony_has_projects_and_totals(officer, signed):
    meeting = make_meeting(by=officer)

    assert _refusal(
        ceremony_attach_projects, meeting=meeting, projects=signed, by=officer
    ).field == ("projects")
    assert _refusal(ceremony_totals, meeting=meeting).field == "kind"


def test_the_status_is_changed_only_by_hold_and_cancel(officer):
    meeting = make_meeting(by=officer)

    error = _refusal(meeting_update, meeting=meeting, by=officer, status=MeetingStatus.HELD)

    assert (error.field, error.message) == ("status", "“状态”不能在此修改。")

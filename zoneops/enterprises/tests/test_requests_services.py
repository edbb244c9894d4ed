"""Enterprise requests (诉求): filing, acceptance with its working-day clock, every step after it
with its event, extensions approved by a supervisor, the clock suspended while the enterprise
supplies materials, the rating and the reopening it may bring.

Steps are dated in the past (`on=`), so that no test depends on the day it runs.
"""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from zoneops.common.exceptions import ApplicationError, PermissionDeniedError, StaleEditError
from zoneops.common.models import CalendarYear
from zoneops.common.workcalendar import calendar_cache_clear
from zoneops.enterprises.enums import RequestChannel, RequestKind, RequestStatus
from zoneops.enterprises.models import (
    EnterpriseRequest,
    RequestEvent,
    RequestExtension,
    RequestKindLimit,
)
from zoneops.enterprises.services.requests import (
    request_accept,
    request_add_note,
    request_answer,
    request_ask_extension,
    request_deadline,
    request_decide_extension,
    request_file,
    request_limit_days,
    request_limits_seed,
    request_rate,
    request_reroute,
    request_resume,
    request_return,
    request_start,
    request_suspend,
    requests_recompute_deadlines,
)
from zoneops.enterprises.tests.factories import make_enterprise, make_request
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.tests.factories import make_project

Kind = RequestEvent.Kind
Status = RequestStatus


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    calendar_cache_clear()
    yield
    calendar_cache_clear()


@pytest.fixture
def enterprise(db):
    return make_enterprise("北京现代沧州工厂")


@pytest.fixture
def officer(org):
    return make_user(RoleCode.STAFF, departments=[org["investment"]])


@pytest.fixture
def head(org):
    """A department head: holds enterprises.approve_extension."""
    return make_user(RoleCode.DEPARTMENT_HEAD, departments=[org["approvals"]])


@pytest.fixture
def other_head(org):
    return make_user(RoleCode.DEPARTMENT_HEAD, departments=[org["investment"]])


@pytest.fixture
def enterprise_user(enterprise):
    return make_user(RoleCode.ENTERPRISE, enterprise=enterprise)


def file(enterprise, *, by=None, **fields):
    fields.setdefault("filed_on", date(2026, 3, 2))
    return request_file(
        enterprise=enterprise,
        title=fields.pop("title", "物流车辆进园受限"),
        description=fields.pop("description", "原材料运输车辆白天不能进园。"),
        kind=fields.pop("kind", RequestKind.HELP),
        category=fields.pop("category", "bottleneck"),
        topic=fields.pop("topic", "logistics"),
        by=by,
        **fields,
    )


def accepted(enterprise, org, *, on=date(2026, 3, 2), by=None, **fields):
    """Filed and accepted on `on` (a Monday by default): HELP, 5 working days → due 2026-03-09."""
    request = file(enterprise, filed_on=on, **fields)
    return request_accept(request=request, department=org["approvals"], on=on, by=by)


def kinds(request):
    return list(request.events.order_by("on", "id").values_list("kind", flat=True))


# --- filing -------------------------------------------------------------------------------------


def test_staff_file_on_the_enterprises_behalf_through_liaison_by_default(enterprise, officer):
    request = file(enterprise, by=officer, contact_person=" 张经理 ")

    assert request.status == Status.SUBMITTED
    assert request.channel == RequestChannel.LIAISON
    assert request.filed_on == date(2026, 3, 2)
    assert request.contact_person == "张经理"
    assert request.created_by == officer
    event = request.events.get()
    assert (event.kind, event.on, event.by) == (Kind.FILED, date(2026, 3, 2), officer)
    assert request.history.count() == 1


def test_staff_may_name_the_channel_a_request_came_through(enterprise, officer):
    request = file(enterprise, by=officer, channel=RequestChannel.HOTLINE)

    assert request.channel == RequestChannel.HOTLINE


def test_staff_cannot_file_as_the_enterprises_own_self_service(enterprise, officer):
    with pytest.raises(ApplicationError) as refused:
        file(enterprise, by=officer, channel=RequestChannel.SELF_SERVICE)

    assert refused.value.field == "channel"


def test_enterprise_user_files_for_its_own_enterprise_as_self_service_today(
    enterprise, enterprise_user
):
    request = file(enterprise, by=enterprise_user, channel=RequestChannel.HOTLINE, filed_on=None)

    assert request.channel == RequestChannel.SELF_SERVICE
    assert request.filed_on == timezone.localdate()
    assert request.created_by == enterprise_user


def test_enterprise_user_cannot_file_for_another_enterprise(enterprise_user):
    other = make_enterprise("嘉诚汽车内饰")

    with pytest.raises(PermissionDeniedError) as refused:
        file(other, by=enterprise_user, filed_on=None)

    assert refused.value.field == "enterprise"
    assert not EnterpriseRequest.objects.exists()


def test_enterprise_user_backdates_a_request_only_with_a_reason(enterprise, enterprise_user):
    with pytest.raises(ApplicationError) as refused:
        file(enterprise, by=enterprise_user, filed_on=date(2026, 3, 2))
    assert refused.value.field == "filed_on"

    request = file(
        enterprise, by=enterprise_user, filed_on=date(2026, 3, 2), backdate_reason="系统上线前提交"
    )

    assert (request.filed_on, request.channel) == (date(2026, 3, 2), RequestChannel.SELF_SERVICE)
    assert "补登：系统上线前提交" in request.history.get().history_change_reason


def test_a_linked_project_must_be_the_enterprises_own(enterprise):
    own = make_project("现代汽车零部件项目", investor_enterprise=enterprise)
    foreign = make_project("别家的项目", investor_enterprise=make_enterprise("别家企业"))

    assert file(enterprise, project=own).project == own
    with pytest.raises(ApplicationError) as refused:
        file(enterprise, project=foreign)
    assert refused.value.field == "project"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "  "}, "title"),
        ({"description": ""}, "description"),
        ({"kind": "wish"}, "kind"),
        ({"topic": "weather"}, "topic"),
        ({"category": "unknown"}, "category"),
        ({"filed_on": date(2999, 1, 1)}, "filed_on"),
    ],
)
def test_filing_names_the_field_it_refuses(enterprise, fields, field):
    with pytest.raises(ApplicationError) as refused:
        file(enterprise, **fields)

    assert refused.value.field == field
    assert refused.value.message


# --- acceptance and the clock -------------------------------------------------------------------


def test_deadline_counts_from_the_next_working_day_over_national_day(enterprise, org, officer):
    # Monday 2026-09-28: 09-29, 09-30, then the holiday 10-01..08, then Friday 10-09 and the
    # 调休 Saturday 10-10 is the fifth working day.
    request = accepted(enterprise, org, on=date(2026, 9, 28), by=officer)

    assert request.status == Status.ACCEPTED
    assert request.department == org["approvals"]
    assert request.accepted_on == request.clock_from == date(2026, 9, 28)
    assert (request.limit_days, request.extension_days) == (5, 0)
    assert request.due_on == date(2026, 10, 10)
    assert request.due_provisional is False
    event = request.events.get(kind=Kind.ACCEPTED)
    assert (event.to_department, event.by) == (org["approvals"], officer)
    assert "2026年10月10日" in event.note


def test_acceptance_uses_the_limit_the_administrators_set_for_the_kind(enterprise, org):
    RequestKindLimit.objects.filter(kind=RequestKind.COMPLAINT).update(limit_days=3)

    request = accepted(enterprise, org, kind=RequestKind.COMPLAINT)

    assert request.limit_days == 3
    assert request.due_on == date(2026, 3, 5)


def test_a_kind_without_a_setting_falls_back_to_the_default_limit(db):
    RequestKindLimit.objects.all().delete()

    assert request_limit_days(kind=RequestKind.CONSULTATION) == 1
    assert request_limit_days(kind=RequestKind.HELP) == 5
    assert request_limit_days(kind=RequestKind.COMPLAINT) == 10


def test_seeding_the_limits_adds_a_missing_kind_and_keeps_an_administrators_limit(db):
    RequestKindLimit.objects.filter(kind=RequestKind.COMPLAINT).update(limit_days=3)
    RequestKindLimit.objects.filter(kind=RequestKind.HELP).delete()

    assert request_limits_seed() == 1

    limits = dict(RequestKindLimit.objects.values_list("kind", "limit_days"))
    assert limits[RequestKind.COMPLAINT] == 3
    assert limits[RequestKind.HELP] == 5


@pytest.mark.django_db(transaction=True)
def test_a_flushed_database_has_every_kinds_limit_again():
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)

    limits = dict(RequestKindLimit.objects.values_list("kind", "limit_days"))
    assert limits == {RequestKind.CONSULTATION: 1, RequestKind.HELP: 5, RequestKind.COMPLAINT: 10}


def test_acceptance_may_set_its_own_limit_within_bounds(enterprise, org):
    request = file(enterprise)
    request_accept(
        request=request, department=org["approvals"], limit_days=2, on=date(2026, 3, 2), by=None
    )
    assert request.due_on == date(2026, 3, 4)

    other = file(enterprise)
    with pytest.raises(ApplicationError) as refused:
        request_accept(request=other, department=org["approvals"], limit_days=0, by=None)
    assert refused.value.field == "limit_days"


# Accepted in December: the limit runs into next year, which nobody has entered.
@pytest.mark.time_machine("2026-12-01T10:00+08:00", tick=False)
def test_a_deadline_in_a_year_not_entered_is_provisional(enterprise, org):
    today = timezone.localdate()
    CalendarYear.objects.filter(year__gt=today.year).delete()
    request = file(enterprise, filed_on=today)

    request_accept(request=request, department=org["approvals"], limit_days=250, on=today, by=None)

    assert request.due_on.year > today.year
    assert request.due_provisional is True
    assert "节假日未录入" in request.events.get(kind=Kind.ACCEPTED).note


def test_a_provisional_deadline_is_worked_out_again_once_the_year_is_entered(enterprise, org):
    request = accepted(enterprise, org, on=date(2026, 9, 28))
    EnterpriseRequest.objects.filter(pk=request.pk).update(
        due_on=date(2026, 10, 5), due_provisional=True
    )

    assert requests_recompute_deadlines() == 1

    request.refresh_from_db()
    assert (request.due_on, request.due_provisional) == (date(2026, 10, 10), False)
    assert requests_recompute_deadlines() == 0


def test_only_a_submitted_request_is_accepted(enterprise, org):
    request = accepted(enterprise, org)

    with pytest.raises(ApplicationError) as refused:
        request_accept(request=request, department=org["investment"], on=date(2026, 3, 3), by=None)

    assert refused.value.field == "status"


def test_enterprise_user_cannot_take_the_committees_steps(enterprise, org, enterprise_user):
    request = file(enterprise)

    with pytest.raises(PermissionDeniedError):
        request_accept(request=request, department=org["approvals"], by=enterprise_user)
    with pytest.raises(PermissionDeniedError):
        request_add_note(request=request, note="补充材料", by=enterprise_user)
    with pytest.raises(PermissionDeniedError):
        request_return(request=request, reason="撤回", by=enterprise_user)


def test_a_step_dated_before_the_previous_step_is_refused(enterprise, org):
    request = file(enterprise, filed_on=date(2026, 3, 5))

    with pytest.raises(ApplicationError) as refused:
        request_accept(request=request, department=org["approvals"], on=date(2026, 3, 4), by=None)

    assert refused.value.field == "on"
    assert "2026-03-05" in refused.value.message


def test_a_step_in_the_future_is_refused(enterprise, org):
    request = file(enterprise)

    with pytest.raises(ApplicationError) as refused:
        request_accept(request=request, department=org["approvals"], on=date(2999, 1, 1), by=None)

    assert refused.value.field == "on"


def test_a_stale_edit_is_refused_and_changes_nothing(enterprise, org):
    request = file(enterprise)
    seen = request.version
    request_accept(request=request, department=org["approvals"], on=date(2026, 3, 2), by=None)

    with pytest.raises(StaleEditError):
        request_return(request=request, reason="重复提交", expected_version=seen, by=None)

    request.refresh_from_db()
    assert request.status == Status.ACCEPTED


def test_every_step_writes_history_with_a_new_version(enterprise, org):
    request = accepted(enterprise, org)
    request_start(request=request, on=date(2026, 3, 3), by=None)
    request_answer(
        request=request, answer="已协调交警部门办理通行证。", on=date(2026, 3, 4), by=None
    )

    request.refresh_from_db()
    assert request.version == 4
    assert request.history.count() == 4
    assert kinds(request) == [Kind.FILED, Kind.ACCEPTED, Kind.STARTED, Kind.ANSWERED]


# --- the work -----------------------------------------------------------------------------------


def test_reroute_keeps_the_clock_and_needs_a_reason(enterprise, org, head):
    request = accepted(enterprise, org)
    request_start(request=request, on=date(2026, 3, 3), by=None)

    with pytest.raises(ApplicationError) as refused:
        request_reroute(request=request, to_department=org["investment"], reason=" ", by=head)
    assert refused.value.field == "reason"

    request_reroute(
        request=request,
        to_department=org["investment"],
        reason="属招商局职责",
        on=date(2026, 3, 4),
        by=head,
    )

    request.refresh_from_db()
    assert request.department == org["investment"]
    assert request.status == Status.ACCEPTED  # the new department starts again
    assert (request.clock_from, request.due_on) == (date(2026, 3, 2), date(2026, 3, 9))
    event = request.events.get(kind=Kind.REROUTED)
    assert (event.from_department, event.to_department, event.note) == (
        org["approvals"],
        org["investment"],
        "属招商局职责",
    )


def test_reroute_to_the_same_department_is_refused(enterprise, org):
    request = accepted(enterprise, org)

    with pytest.raises(ApplicationError) as refused:
        request_reroute(request=request, to_department=org["approvals"], reason="x", by=None)

    assert refused.value.field == "to_department"


def test_a_note_may_be_internal_and_needs_text(enterprise, org, officer):
    request = accepted(enterprise, org)

    event = request_add_note(
        request=request, note="与交警支队电话沟通", internal=True, on=date(2026, 3, 3), by=officer
    )

    assert (event.kind, event.internal, event.by) == (Kind.NOTE, True, officer)
    with pytest.raises(ApplicationError) as refused:
        request_add_note(request=request, note="", by=None)
    assert refused.value.field == "note"


def test_no_note_on_an_answered_request(enterprise, org):
    request = make_request(enterprise, accepted=date(2026, 3, 2), answered=date(2026, 3, 3))

    with pytest.raises(ApplicationError) as refused:
        request_add_note(request=request, note="补记", on=date(2026, 3, 4), by=None)

    assert refused.value.field == "status"


def test_answering_stops_the_clock(enterprise, org):
    request = accepted(enterprise, org)

    request_answer(request=request, answer="已办理通行证。", on=date(2026, 3, 6), by=None)

    assert request.status == Status.ANSWERED
    assert (request.answered_on, request.answer) == (date(2026, 3, 6), "已办理通行证。")
    with pytest.raises(ApplicationError) as refused:
        request_answer(request=request, answer="再答复", on=date(2026, 3, 6), by=None)
    assert refused.value.field == "status"


def test_return_needs_a_reason_and_closes_the_request(enterprise, org):
    request = accepted(enterprise, org)

    with pytest.raises(ApplicationError) as refused:
        request_return(request=request, reason="", by=None)
    assert refused.value.field == "reason"

    request_return(request=request, reason="属司法程序，不予受理。", on=date(2026, 3, 3), by=None)

    assert request.status == Status.RETURNED
    assert (request.returned_on, request.return_reason) == (
        date(2026, 3, 3),
        "属司法程序，不予受理。",
    )
    assert kinds(request)[-1] == Kind.RETURNED


def test_an_answered_request_cannot_be_returned(enterprise, org):
    request = make_request(enterprise, accepted=date(2026, 3, 2), answered=date(2026, 3, 3))

    with pytest.raises(ApplicationError) as refused:
        request_return(request=request, reason="x", on=date(2026, 3, 4), by=None)

    assert refused.value.field == "status"


# --- extensions ---------------------------------------------------------------------------------


def test_an_extension_counts_only_once_approved(enterprise, org, officer, head):
    request = accepted(enterprise, org)

    extension = request_ask_extension(
        request=request, days=3, reason="需现场核查", on=date(2026, 3, 4), by=officer
    )
    request.refresh_from_db()
    assert extension.decision == RequestExtension.Decision.PENDING
    assert (request.extension_days, request.due_on) == (0, date(2026, 3, 9))

    request_decide_extension(extension=extension, approve=True, on=date(2026, 3, 5), by=head)

    request.refresh_from_db()
    extension.refresh_from_db()
    assert extension.decision == RequestExtension.Decision.APPROVED
    assert (extension.decided_by, extension.decided_on) == (head, date(2026, 3, 5))
    assert (request.extension_days, request.due_on) == (3, date(2026, 3, 12))
    assert kinds(request)[-2:] == [Kind.EXTENSION_ASKED, Kind.EXTENSION_APPROVED]


def test_extension_needs_a_supervisor_who_is_not_the_asker(enterprise, org, officer, head):
    request = accepted(enterprise, org)
    extension = request_ask_extension(
        request=request, days=2, reason="等待材料", on=date(2026, 3, 3), by=head
    )

    with pytest.raises(PermissionDeniedError) as by_himself:
        request_decide_extension(extension=extension, approve=True, by=head)
    with pytest.raises(PermissionDeniedError) as by_staff:
        request_decide_extension(extension=extension, approve=True, by=officer)

    assert "本人" in by_himself.value.message
    assert by_staff.value.field == "by"
    extension.refresh_from_db()
    assert extension.decision == RequestExtension.Decision.PENDING


def test_only_one_extension_may_wait_for_a_decision(enterprise, org, officer):
    request = accepted(enterprise, org)
    request_ask_extension(
        request=request, days=2, reason="等待材料", on=date(2026, 3, 3), by=officer
    )

    with pytest.raises(ApplicationError) as refused:
        request_ask_extension(
            request=request, days=1, reason="再等", on=date(2026, 3, 3), by=officer
        )

    assert refused.value.field == "days"
    assert "待审批" in refused.value.message


def test_an_extension_is_asked_only_while_the_clock_runs(enterprise, org, officer):
    submitted = file(enterprise)

    with pytest.raises(ApplicationError) as refused:
        request_ask_extension(request=submitted, days=2, reason="x", by=officer)

    assert refused.value.field == "status"


def test_an_extension_is_asked_by_the_deadline_not_after_it(enterprise, org, officer, head):
    request = accepted(enterprise, org)  # due 2026-03-09
    version = request.version

    with pytest.raises(ApplicationError) as late:
        request_ask_extension(
            request=request, days=10, reason="补报延期", on=date(2026, 3, 10), by=officer
        )

    # Asked after the deadline and approved, it would turn the overdue request back to on time.
    assert (late.value.field, late.value.code) == ("on", "overdue")
    assert "2026年3月9日" in late.value.message
    request.refresh_from_db()
    assert (request.version, request.due_on) == (version, date(2026, 3, 9))
    assert not request.extensions.exists()
    assert Kind.EXTENSION_ASKED not in kinds(request)

    # On the last day it is still in time, and an approval after the deadline still counts.
    extension = request_ask_extension(
        request=request, days=2, reason="需会签", on=date(2026, 3, 9), by=officer
    )
    request_decide_extension(extension=extension, approve=True, on=date(2026, 3, 10), by=head)
    request.refresh_from_db()
    assert request.due_on == date(2026, 3, 11)


def test_refusing_an_extension_needs_a_note_and_leaves_the_deadline(enterprise, org, officer, head):
    request = accepted(enterprise, org)
    extension = request_ask_extension(
        request=request, days=2, reason="等待材料", on=date(2026, 3, 3), by=officer
    )

    with pytest.raises(ApplicationError) as refused:
        request_decide_extension(extension=extension, approve=False, by=head)
    assert refused.value.field == "note"

    request_decide_extension(
        extension=extension, approve=False, note="材料已齐", on=date(2026, 3, 4), by=head
    )

    request.refresh_from_db()
    assert extension.decision == RequestExtension.Decision.REFUSED
    assert (request.extension_days, request.due_on) == (0, date(2026, 3, 9))
    assert request.events.get(kind=Kind.EXTENSION_REFUSED).note == "材料已齐"
    with pytest.raises(ApplicationError) as again:
        request_decide_extension(extension=extension, approve=True, by=head)
    assert again.value.field == "extension"


def test_answering_lets_a_pending_extension_lapse(enterprise, org, officer, head):
    request = accepted(enterprise, org)
    extension = request_ask_extension(
        request=request, days=2, reason="等待材料", on=date(2026, 3, 3), by=officer
    )

    request_answer(request=request, answer="已解决", on=date(2026, 3, 4), by=officer)

    extension.refresh_from_db()
    assert extension.decision == RequestExtension.Decision.REFUSED
    assert extension.decided_by is None
    assert "已答复" in extension.decision_note
    # a new ask is possible in a reopened round
    assert not request.extensions.filter(decision=RequestExtension.Decision.PENDING).exists()


# --- rating -------------------------------------------------------------------------------------


def test_a_satisfied_rating_closes_the_request(enterprise, org, officer):
    request = make_request(enterprise, accepted=date(2026, 3, 2), answered=date(2026, 3, 4))

    request_rate(request=request, score=4, comment="很及时", on=date(2026, 3, 5), by=officer)

    assert request.status == Status.RATED
    assert (request.rating, request.rating_comment, request.rated_on) == (
        4,
        "很及时",
        date(2026, 3, 5),
    )
    event = request.events.get(kind=Kind.RATED)
    assert (event.score, event.note) == (4, "很及时")


def test_unsatisfied_rating_reopens_and_restarts_the_clock(enterprise, org, officer, head):
    request = accepted(enterprise, org)
    extension = request_ask_extension(
        request=request, days=3, reason="需现场核查", on=date(2026, 3, 3), by=officer
    )
    request_decide_extension(extension=extension, approve=True, on=date(2026, 3, 3), by=head)
    request_answer(request=request, answer="已协调", on=date(2026, 3, 10), by=None)

    request_rate(
        request=request, score=2, comment="通行证仍未办下来", on=date(2026, 3, 16), by=officer
    )

    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS
    assert request.reopen_count == 1
    assert request.clock_from == date(2026, 3, 16)
    assert (request.limit_days, request.extension_days) == (5, 0)
    assert request.due_on == date(2026, 3, 23)
    assert request.accepted_on == date(2026, 3, 2)
    assert (request.answered_on, request.answer, request.rating) == (None, "", None)
    assert kinds(request)[-2:] == [Kind.RATED, Kind.REOPENED]
    rated = request.events.get(kind=Kind.RATED)
    assert (rated.score, rated.note) == (2, "通行证仍未办下来")
    assert "2026年3月23日" in request.events.get(kind=Kind.REOPENED).note


def test_an_unsatisfied_rating_needs_a_comment(enterprise, org):
    request = make_request(enterprise, accepted=date(2026, 3, 2), answered=date(2026, 3, 4))

    with pytest.raises(ApplicationError) as refused:
        request_rate(request=request, score=1, comment=" ", on=date(2026, 3, 5), by=None)

    assert refused.value.field == "comment"
    request.refresh_from_db()
    assert request.status == Status.ANSWERED
    assert not request.events.filter(kind=Kind.RATED).exists()


@pytest.mark.parametrize("score", [0, 6, True, "5"])
def test_a_score_outside_one_to_five_is_refused(enterprise, org, score):
    request = make_request(enterprise, accepted=date(2026, 3, 2), answered=date(2026, 3, 4))

    with pytest.raises(ApplicationError) as refused:
        request_rate(request=request, score=score, comment="x", on=date(2026, 3, 5), by=None)

    assert refused.value.field == "score"


def test_a_request_not_yet_answered_cannot_be_rated(enterprise, org):
    request = accepted(enterprise, org)

    with pytest.raises(ApplicationError) as refused:
        request_rate(request=request, score=5, on=date(2026, 3, 5), by=None)

    assert refused.value.field == "status"


def test_enterprise_user_rates_its_own_answered_request(enterprise, org, enterprise_user):
    request = make_request(enterprise, accepted=date(2026, 3, 2), answered=date(2026, 3, 4))

    request_rate(request=request, score=5, by=enterprise_user)

    assert request.status == Status.RATED
    assert request.rated_on == timezone.localdate()
    assert request.events.get(kind=Kind.RATED).by == enterprise_user


def test_enterprise_user_rates_on_the_day_it_rates_not_an_earlier_one(
    enterprise, org, enterprise_user
):
    request = make_request(enterprise, accepted=date(2026, 3, 2), answered=date(2026, 3, 4))
    version = request.version

    with pytest.raises(ApplicationError) as backdated:
        request_rate(
            request=request, score=1, comment="没解决", on=date(2026, 3, 4), by=enterprise_user
        )

    # Dated back, the reopened round would start months ago and be overdue at once.
    assert backdated.value.field == "on"
    request.refresh_from_db()
    assert (request.status, request.version) == (Status.ANSWERED, version)
    assert Kind.RATED not in kinds(request)

    # A rating recorded afterwards (补登) says why; staff date a return visit as it was.
    request_rate(
        request=request,
        score=5,
        on=date(2026, 3, 5),
        by=enterprise_user,
        backdate_reason="线下评价表补录",
    )
    request.refresh_from_db()
    assert (request.status, request.rated_on) == (Status.RATED, date(2026, 3, 5))
    assert "线下评价表补录" in request.history.first().history_change_reason


def test_enterprise_user_cannot_rate_another_enterprises_request(org, enterprise_user):
    other = make_request(
        make_enterprise("嘉诚汽车内饰"), accepted=date(2026, 3, 2), answered=date(2026, 3, 4)
    )

    with pytest.raises(PermissionDeniedError) as refused:
        request_rate(request=other, score=5, by=enterprise_user)

    assert refused.value.field == "request"
    other.refresh_from_db()
    assert other.status == Status.ANSWERED


# --- the clock suspended while the enterprise supplies materials (请企业补充材料) ----------------


def suspended(enterprise, org, *, on=date(2026, 3, 4), by=None, **fields):
    """Accepted Monday 2026-03-02 (due 03-09) and suspended on `on`."""
    request = accepted(enterprise, org, **fields)
    return request_suspend(request=request, reason="请补充车辆行驶证和驾驶员名单。", on=on, by=by)


def test_suspending_stops_the_clock_and_tells_the_enterprise_what_to_supply(
    enterprise, org, officer
):
    request = suspended(enterprise, org, by=officer)

    request.refresh_from_db()
    assert request.suspended_since == date(2026, 3, 4)
    assert (request.suspended_days, request.due_on) == (0, date(2026, 3, 9))
    assert request.status == Status.ACCEPTED
    event = request.events.get(kind=Kind.SUSPENDED)
    assert (event.on, event.by, event.note) == (
        date(2026, 3, 4),
        officer,
        "请补充车辆行驶证和驾驶员名单。",
    )
    assert event.internal is False  # the enterprise must see what to supply
    assert "暂停计时" in request.history.first().history_change_reason


def test_resuming_moves_the_deadline_by_the_working_days_the_clock_stood(enterprise, org):
    # Stopped Wednesday 03-04, running again Monday 03-09: Thursday, Friday and Monday stood,
    # the weekend between did not; 5 + 3 working days from 03-02 end on Thursday 03-12.
    request = suspended(enterprise, org)

    request_resume(request=request, note="材料已邮寄。", on=date(2026, 3, 9), by=None)

    request.refresh_from_db()
    assert request.suspended_since is None
    assert (request.suspended_days, request.due_on) == (3, date(2026, 3, 12))
    assert request.due_on == request_deadline(request=request).date
    event = request.events.get(kind=Kind.RESUMED)
    assert event.note.startswith("材料已邮寄。")
    assert "3 个工作日" in event.note and "2026年3月12日" in event.note
    assert event.internal is False


def test_a_weekend_in_the_suspension_does_not_move_the_deadline(enterprise, org):
    # Stopped Friday 03-06, running again Monday 03-09: only Monday stood.
    request = suspended(enterprise, org, on=date(2026, 3, 6))

    request_resume(request=request, on=date(2026, 3, 9), by=None)

    request.refresh_from_db()
    assert (request.suspended_days, request.due_on) == (1, date(2026, 3, 10))


@pytest.mark.time_machine("2026-11-16T10:00+08:00", tick=False)
def test_a_holiday_in_the_suspension_does_not_move_the_deadline(enterprise, org):
    # Accepted 2026-09-28, due the 调休 Saturday 10-10. Stopped 09-30 and running again 10-08
    # after the National Day holiday: only 10-08 stood, so the deadline moves one working day,
    # over the Sunday, to Monday 10-12.
    request = accepted(enterprise, org, on=date(2026, 9, 28))
    request_suspend(request=request, reason="请补充消防验收材料。", on=date(2026, 9, 30), by=None)

    request_resume(request=request, on=date(2026, 10, 8), by=None)

    request.refresh_from_db()
    assert (request.suspended_days, request.due_on) == (1, date(2026, 10, 12))


def test_the_clock_may_stand_more_than_once_and_the_days_add_up(enterprise, org):
    request = suspended(enterprise, org, on=date(2026, 3, 3))
    request_resume(request=request, on=date(2026, 3, 4), by=None)  # 1 day
    request_suspend(request=request, reason="再补充一份委托书。", on=date(2026, 3, 5), by=None)
    request_resume(request=request, on=date(2026, 3, 9), by=None)  # 03-06 and 03-09

    request.refresh_from_db()
    assert (request.suspended_days, request.due_on) == (3, date(2026, 3, 12))
    assert kinds(request)[-4:] == [Kind.SUSPENDED, Kind.RESUMED, Kind.SUSPENDED, Kind.RESUMED]


def test_suspending_is_refused_without_a_reason_twice_or_before_acceptance(enterprise, org):
    request = accepted(enterprise, org)

    with pytest.raises(ApplicationError) as no_reason:
        request_suspend(request=request, reason=" ", on=date(2026, 3, 4), by=None)
    assert no_reason.value.field == "reason"

    request_suspend(request=request, reason="请补充材料。", on=date(2026, 3, 4), by=None)
    with pytest.raises(ApplicationError) as twice:
        request_suspend(request=request, reason="再补充。", on=date(2026, 3, 5), by=None)
    assert (twice.value.field, twice.value.code) == ("status", "suspended")

    submitted = file(enterprise)
    with pytest.raises(ApplicationError) as not_running:
        request_suspend(request=submitted, reason="请补充材料。", by=None)
    assert not_running.value.field == "status"


def test_an_overdue_request_cannot_stop_its_clock(enterprise, org):
    request = accepted(enterprise, org)  # due 2026-03-09
    version = request.version

    with pytest.raises(ApplicationError) as late:
        request_suspend(request=request, reason="请补充材料。", on=date(2026, 3, 10), by=None)

    assert (late.value.field, late.value.code) == ("on", "overdue")
    request.refresh_from_db()
    assert (request.version, request.suspended_since) == (version, None)
    # On the deadline itself it is still in time.
    request_suspend(request=request, reason="请补充材料。", on=date(2026, 3, 9), by=None)
    assert request.suspended_since == date(2026, 3, 9)


def test_enterprise_user_cannot_stop_the_clock(enterprise, org, enterprise_user):
    request = accepted(enterprise, org)

    with pytest.raises(PermissionDeniedError):
        request_suspend(request=request, reason="我们暂停一下", by=enterprise_user)


def test_the_enterprise_supplies_its_materials_with_a_reply_on_the_day(
    enterprise, org, enterprise_user
):
    today = timezone.localdate()
    request = make_request(enterprise, accepted=today, department=org["approvals"])
    request_suspend(request=request, reason="请补充营业执照副本。", on=today, by=None)
    due = request.due_on

    with pytest.raises(ApplicationError) as no_reply:
        request_resume(request=request, note=" ", by=enterprise_user)
    assert no_reply.value.field == "note"
    with pytest.raises(ApplicationError) as backdated:
        request_resume(
            request=request, note="已上传", on=today - timedelta(days=1), by=enterprise_user
        )
    assert backdated.value.field == "on"

    request_resume(request=request, note="营业执照副本已送至服务大厅。", by=enterprise_user)

    request.refresh_from_db()
    assert (request.suspended_since, request.suspended_days, request.due_on) == (None, 0, due)
    event = request.events.get(kind=Kind.RESUMED)
    assert (event.on, event.by) == (today, enterprise_user)
    assert event.note.startswith("营业执照副本已送至服务大厅。")


def test_enterprise_user_cannot_resume_another_enterprises_request(org, enterprise_user):
    other = make_request(
        make_enterprise("嘉诚汽车内饰"), accepted=timezone.localdate(), department=org["approvals"]
    )
    request_suspend(request=other, reason="请补充材料。", by=None)

    with pytest.raises(PermissionDeniedError) as refused:
        request_resume(request=other, note="替别人补充", by=enterprise_user)

    assert refused.value.field == "request"
    other.refresh_from_db()
    assert other.suspended_since is not None


def test_a_clock_that_runs_is_not_resumed(enterprise, org):
    request = accepted(enterprise, org)

    with pytest.raises(ApplicationError) as refused:
        request_resume(request=request, on=date(2026, 3, 4), by=None)

    assert (refused.value.field, refused.value.code) == ("status", "not_suspended")


def test_a_stale_resume_is_refused(enterprise, org):
    request = suspended(enterprise, org)
    seen = request.version
    request_reroute(
        request=request, to_department=org["investment"], reason="属招商局职责", by=None
    )

    with pytest.raises(StaleEditError):
        request_resume(request=request, on=date(2026, 3, 6), expected_version=seen, by=None)

    request.refresh_from_db()
    assert request.suspended_since == date(2026, 3, 4)  # a reroute keeps the clock standing


def test_answering_a_suspended_request_ends_the_suspension_first(enterprise, org, officer):
    # Stood from 03-04 to the answer on 03-11: 03-05, 03-06, 03-09, 03-10, 03-11.
    request = suspended(enterprise, org)

    request_answer(request=request, answer="已协调办理。", on=date(2026, 3, 11), by=officer)

    request.refresh_from_db()
    assert request.suspended_since is None
    assert (request.suspended_days, request.due_on) == (5, date(2026, 3, 16))
    assert request.answered_on <= request.due_on  # answered in time
    assert kinds(request)[-3:] == [Kind.SUSPENDED, Kind.RESUMED, Kind.ANSWERED]
    assert "答复" in request.events.get(kind=Kind.RESUMED).note


def test_returning_a_suspended_request_ends_the_suspension_first(enterprise, org):
    request = suspended(enterprise, org)

    request_return(request=request, reason="企业未能提供材料。", on=date(2026, 3, 5), by=None)

    request.refresh_from_db()
    assert (request.status, request.suspended_since, request.suspended_days) == (
        Status.RETURNED,
        None,
        1,
    )
    assert kinds(request)[-2:] == [Kind.RESUMED, Kind.RETURNED]


def test_a_reopened_round_starts_without_the_days_the_clock_stood(enterprise, org):
    request = suspended(enterprise, org)
    request_resume(request=request, on=date(2026, 3, 9), by=None)
    request_answer(request=request, answer="已协调", on=date(2026, 3, 10), by=None)

    request_rate(request=request, score=1, comment="仍未解决", on=date(2026, 3, 16), by=None)

    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS
    assert (request.suspended_since, request.suspended_days) == (None, 0)
    assert (request.clock_from, request.due_on) == (date(2026, 3, 16), date(2026, 3, 23))


def test_no_extension_is_asked_while_the_clock_stands(enterprise, org, officer):
    request = suspended(enterprise, org)

    with pytest.raises(ApplicationError) as refused:
        request_ask_extension(
            request=request, days=2, reason="等材料", on=date(2026, 3, 5), by=officer
        )

    assert (refused.value.field, refused.value.code) == ("status", "suspended")
    assert not request.extensions.exists()


def test_extensions_and_suspensions_both_move_the_deadline(enterprise, org, officer, head):
    request = suspended(enterprise, org)
    request_resume(request=request, on=date(2026, 3, 9), by=None)  # +3: due 03-12
    extension = request_ask_extension(
        request=request, days=2, reason="需现场核查", on=date(2026, 3, 10), by=officer
    )

    request_decide_extension(extension=extension, approve=True, on=date(2026, 3, 10), by=head)

    request.refresh_from_db()
    assert (request.extension_days, request.suspended_days) == (2, 3)
    assert request.due_on == date(2026, 3, 16)  # 5 + 2 + 3 working days from 03-02


def test_a_provisional_deadline_worked_out_again_keeps_the_days_the_clock_stood(enterprise, org):
    request = suspended(enterprise, org)
    request_resume(request=request, on=date(2026, 3, 9), by=None)
    EnterpriseRequest.objects.filter(pk=request.pk).update(
        due_on=date(2026, 3, 9), due_provisional=True
    )

    assert requests_recompute_deadlines() == 1

    request.refresh_from_db()
    assert (request.due_on, request.due_provisional) == (date(2026, 3, 12), False)


def test_a_running_deadline_follows_a_day_off_entered_afterwards(
    enterprise, org, django_capture_on_commit_callbacks
):
    from zoneops.common.calendar_services import calendar_set_day

    # Accepted Monday 2019-06-03 with 5 working days; 端午节 (Friday 06-07) is off: due 06-11.
    request = make_request(
        enterprise, accepted=date(2019, 6, 3), department=org["approvals"], limit_days=5
    )
    answered = make_request(
        enterprise,
        accepted=date(2019, 6, 3),
        department=org["approvals"],
        limit_days=5,
        answered=date(2019, 6, 5),
    )
    assert request.due_on == answered.due_on == date(2019, 6, 11)

    with django_capture_on_commit_callbacks(execute=True):
        calendar_set_day(day=date(2019, 6, 4), is_working_day=False, name="停电检修", by=None)

    request.refresh_from_db()
    answered.refresh_from_db()
    assert request.due_on == date(2019, 6, 12)
    assert answered.due_on == date(2019, 6, 11)  # answered: its deadline stands as it was

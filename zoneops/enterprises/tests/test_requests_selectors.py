"""Reads of enterprise requests (诉求): the clock and its warning levels (and the clock that
stands while the enterprise supplies materials), what each user sees of a request and may do with
it, the overdue list, and the statistics on a handmade set."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zoneops.common.exceptions import ApplicationError
from zoneops.common.workcalendar import calendar_cache_clear
from zoneops.enterprises.enums import RequestKind, RequestStatus
from zoneops.enterprises.models import EnterpriseRequest
from zoneops.enterprises.selectors.requests import (
    RequestClock,
    overdue_requests,
    request_available_actions,
    request_clock,
    request_events_for,
    request_suspension_ask,
    request_working_days_used,
    requests_at_clock_level,
    requests_awaiting_materials,
    requests_statistics,
    requests_visible,
    requests_with_clock,
)
from zoneops.enterprises.services.requests import (
    request_add_note,
    request_answer,
    request_ask_extension,
    request_decide_extension,
    request_rate,
    request_resume,
    request_suspend,
)
from zoneops.enterprises.tests.factories import make_enterprise, make_request
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user

MARCH = (date(2026, 3, 1), date(2026, 3, 31))


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    calendar_cache_clear()
    yield
    calendar_cache_clear()


@pytest.fixture
def enterprise(db):
    return make_enterprise("北京现代沧州工厂")


@pytest.fixture
def enterprise_user(enterprise):
    return make_user(RoleCode.ENTERPRISE, enterprise=enterprise)


@pytest.fixture
def approvals_staff(org):
    return make_user(RoleCode.STAFF, departments=[org["approvals"]])


@pytest.fixture
def head(org):
    return make_user(RoleCode.DEPARTMENT_HEAD, departments=[org["approvals"]])


@pytest.fixture
def other_head(org):
    return make_user(RoleCode.DEPARTMENT_HEAD, departments=[org["zone"]])


# --- the clock ----------------------------------------------------------------------------------


def test_there_is_no_clock_before_acceptance_nor_for_a_returned_request(enterprise):
    submitted = make_request(enterprise)
    returned = make_request(enterprise, accepted=True, returned=date(2026, 3, 3))

    assert request_clock(submitted, on=date(2026, 3, 3)) is None
    assert request_clock(returned, on=date(2026, 3, 3)) is None


def test_the_clock_turns_yellow_with_a_fifth_of_the_limit_left_and_red_once_overdue(
    enterprise, org
):
    # 10 working days from Monday 2026-03-02: due Monday 2026-03-16.
    request = make_request(
        enterprise, kind=RequestKind.COMPLAINT, accepted=True, department=org["approvals"]
    )

    normal = request_clock(request, on=date(2026, 3, 12))
    yellow = request_clock(request, on=date(2026, 3, 13))
    last_day = request_clock(request, on=date(2026, 3, 16))
    red = request_clock(request, on=date(2026, 3, 18))

    assert isinstance(normal, RequestClock)
    assert (normal.level, normal.due_on, normal.days_left) == ("normal", date(2026, 3, 16), 2)
    assert (yellow.level, yellow.days_left, yellow.label) == ("yellow", 1, "临期：剩1个工作日")
    assert (last_day.level, last_day.label) == ("yellow", "临期：今日到期")
    assert (red.level, red.days_overdue, red.key, red.label) == ("red", 2, "red", "逾期2天")


def test_an_approved_extension_moves_the_clocks_deadline(enterprise, org, approvals_staff, head):
    request = make_request(enterprise, accepted=True, department=org["approvals"])
    extension = request_ask_extension(
        request=request, days=3, reason="需现场核查", on=date(2026, 3, 4), by=approvals_staff
    )
    assert request_clock(request, on=date(2026, 3, 10)).level == "red"

    request_decide_extension(extension=extension, approve=True, on=date(2026, 3, 5), by=head)

    request.refresh_from_db()
    clock = request_clock(request, on=date(2026, 3, 10))
    assert (clock.level, clock.due_on, clock.days_left) == ("normal", date(2026, 3, 12), 2)


def suspend(request, on=date(2026, 3, 4), reason="请补充车辆行驶证。"):
    return request_suspend(request=request, reason=reason, on=on, by=None)


def test_a_suspended_clock_has_no_warning_and_says_since_when(enterprise, org):
    request = suspend(make_request(enterprise, accepted=True, department=org["approvals"]))

    clock = request_clock(request, on=date(2026, 3, 5))
    long_after = request_clock(request, on=date(2026, 4, 30))  # the deadline 03-09 long past

    assert (clock.level, clock.key) == (None, "suspended")
    assert clock.label == "暂停计时（自2026年3月4日起，待企业补充材料）"
    assert (clock.due_on, clock.days_left, clock.days_overdue) == (date(2026, 3, 9), 3, None)
    assert long_after == clock  # it stands: never yellow nor red while it waits


@pytest.mark.time_machine("2026-11-16T10:00+08:00", tick=False)
def test_after_resuming_the_clock_counts_to_the_deadline_moved_over_a_holiday(enterprise, org):
    # 10 working days from Monday 2026-09-21 end on Monday 10-12 (中秋 09-25 and National Day
    # 10-01..07 off, the 调休 Saturday 10-10 on). Stopped Thursday 09-24 and running again
    # Friday 10-09, 16 calendar days: only 09-28, 09-29, 09-30, 10-08 and 10-09 stood, so the
    # deadline moves 5 working days to Monday 10-19.
    request = make_request(
        enterprise,
        kind=RequestKind.COMPLAINT,
        accepted=date(2026, 9, 21),
        department=org["approvals"],
    )
    assert request.due_on == date(2026, 10, 12)
    suspend(request, on=date(2026, 9, 24))
    request_resume(request=request, on=date(2026, 10, 9), by=None)
    request.refresh_from_db()

    assert (request.suspended_days, request.due_on) == (5, date(2026, 10, 19))
    clock = request_clock(request, on=date(2026, 10, 12))
    assert (clock.level, clock.due_on, clock.days_left) == ("normal", date(2026, 10, 19), 5)
    # Yellow at a fifth of the limit (2 of 10 days), not of the limit and the days it stood.
    assert request_clock(request, on=date(2026, 10, 15)).level == "normal"
    assert request_clock(request, on=date(2026, 10, 16)).level == "yellow"
    assert request_clock(request, on=date(2026, 10, 20)).level == "red"


def test_a_suspended_request_is_in_no_overdue_list(enterprise, org, approvals_staff):
    waiting = suspend(make_request(enterprise, accepted=True, department=org["approvals"]))
    late = make_request(enterprise, accepted=True, department=org["approvals"])

    assert list(overdue_requests(user=approvals_staff, on=date(2026, 4, 30))) == [late]
    statistics = requests_statistics(
        user=None, start=MARCH[0], end=MARCH[1], by="topic", on=date(2026, 4, 30)
    )
    assert (statistics.total.open, statistics.total.overdue) == (2, 1)
    request_resume(request=waiting, on=date(2026, 4, 30), by=None)
    assert waiting.due_on > date(2026, 4, 30)  # running again, with the days it stood
    assert list(overdue_requests(user=approvals_staff, on=date(2026, 4, 30))) == [late]


def test_what_was_asked_of_the_enterprise_is_read_with_the_suspended_requests(
    enterprise, enterprise_user, org
):
    first = suspend(make_request(enterprise, accepted=True), reason="请补充营业执照。")
    second = make_request(enterprise, accepted=True)
    suspend(second, on=date(2026, 3, 3), reason="请补充环评批复。")
    resumed = suspend(make_request(enterprise, accepted=True))
    request_resume(request=resumed, on=date(2026, 3, 5), by=None)
    make_request(enterprise, accepted=True)  # running
    suspend(make_request(make_enterprise("嘉诚汽车内饰"), accepted=True))

    rows = list(requests_awaiting_materials(user=enterprise_user))

    assert [(row, row.materials_asked) for row in rows] == [
        (second, "请补充环评批复。"),
        (first, "请补充营业执照。"),
    ]
    assert request_suspension_ask(request=first).note == "请补充营业执照。"
    assert request_suspension_ask(request=resumed) is None


def test_an_answered_request_says_whether_it_was_answered_in_time(enterprise):
    in_time = make_request(enterprise, accepted=True, answered=date(2026, 3, 9))
    late = make_request(
        enterprise, accepted=True, answered=date(2026, 3, 10), rated=date(2026, 3, 10)
    )

    assert (request_clock(in_time).key, request_clock(in_time).label) == ("answered", "按期答复")
    assert late.status == RequestStatus.RATED
    assert (request_clock(late).key, request_clock(late).label) == ("answered_late", "逾期答复")


def test_the_clocks_of_a_list_take_a_fixed_number_of_queries(enterprise, org):
    make_request(enterprise, accepted=True, department=org["approvals"])
    make_request(enterprise)

    with CaptureQueriesContext(connection) as few:
        rows = requests_with_clock(requests_visible(user=None), on=date(2026, 3, 5))
    assert sorted(row.clock is None for row in rows) == [False, True]
    for _ in range(5):
        make_request(enterprise, accepted=True, department=org["approvals"])
    with CaptureQueriesContext(connection) as many:
        rows = requests_with_clock(requests_visible(user=None), on=date(2026, 3, 5))

    assert len(rows) == 7
    assert len(many.captured_queries) == len(few.captured_queries)
    assert sum(row.clock is not None for row in rows) == 6


# --- what a user sees ---------------------------------------------------------------------------


def test_enterprise_user_sees_only_its_own_enterprises_requests(enterprise, enterprise_user):
    own = make_request(enterprise)
    make_request(make_enterprise("嘉诚汽车内饰"))

    assert list(requests_visible(user=enterprise_user)) == [own]


def test_department_staff_see_the_requests_routed_to_their_department(
    enterprise, org, approvals_staff
):
    routed = make_request(enterprise, accepted=True, department=org["approvals"])
    make_request(enterprise, accepted=True, department=org["investment"])
    make_request(enterprise)  # not routed yet

    assert list(requests_visible(user=approvals_staff)) == [routed]


def test_enterprise_user_never_sees_internal_notes(enterprise, enterprise_user, approvals_staff):
    request = make_request(enterprise, accepted=True)
    request_add_note(request=request, note="公开进展", on=date(2026, 3, 3), by=None)
    request_add_note(request=request, note="内部：协调难度大", internal=True, by=None)

    seen_by_enterprise = [e.note for e in request_events_for(request=request, user=enterprise_user)]
    seen_by_staff = [e.note for e in request_events_for(request=request, user=approvals_staff)]

    assert "公开进展" in seen_by_enterprise
    assert "内部：协调难度大" not in seen_by_enterprise
    assert "内部：协调难度大" in seen_by_staff
    assert len(seen_by_staff) == len(seen_by_enterprise) + 1


# --- what a user may do -------------------------------------------------------------------------


def test_enterprise_user_may_only_rate_its_own_answered_request(enterprise, enterprise_user):
    running = make_request(enterprise, accepted=True)
    answered = make_request(enterprise, accepted=True, answered=date(2026, 3, 4))
    foreign = make_request(
        make_enterprise("嘉诚汽车内饰"), accepted=True, answered=date(2026, 3, 4)
    )

    assert request_available_actions(request=running, user=enterprise_user) == set()
    assert request_available_actions(request=answered, user=enterprise_user) == {"rate"}
    assert request_available_actions(request=foreign, user=enterprise_user) == set()


def test_staff_are_offered_the_steps_of_the_requests_state(enterprise, org, approvals_staff):
    submitted = make_request(enterprise, by=approvals_staff)
    today = timezone.localdate()
    accepted = make_request(enterprise, accepted=today, department=org["approvals"])
    overdue = make_request(enterprise, accepted=True, department=org["approvals"])
    answered = make_request(
        enterprise, accepted=True, department=org["approvals"], answered=date(2026, 3, 4)
    )
    rated = make_request(
        enterprise,
        accepted=True,
        department=org["approvals"],
        answered=date(2026, 3, 4),
        rated=date(2026, 3, 5),
    )

    assert request_available_actions(request=submitted, user=approvals_staff) == {
        "accept",
        "note",
        "return",
    }
    assert request_available_actions(request=accepted, user=approvals_staff) == {
        "reroute",
        "start",
        "note",
        "extend",
        "suspend",
        "answer",
        "return",
    }
    # Past its deadline a request is answered, not extended nor suspended.
    assert request_available_actions(request=overdue, user=approvals_staff) == {
        "reroute",
        "start",
        "note",
        "answer",
        "return",
    }
    assert request_available_actions(request=answered, user=approvals_staff) == {"rate"}
    assert request_available_actions(request=rated, user=approvals_staff) == set()


def test_a_suspended_request_is_resumed_not_extended_nor_suspended_again(
    enterprise, org, approvals_staff, enterprise_user
):
    today = timezone.localdate()
    own = make_request(enterprise, accepted=today, department=org["approvals"])
    request_suspend(request=own, reason="请补充材料。", by=None)
    foreign = make_request(
        make_enterprise("嘉诚汽车内饰"), accepted=today, department=org["approvals"]
    )
    request_suspend(request=foreign, reason="请补充材料。", by=None)

    assert request_available_actions(request=own, user=approvals_staff) == {
        "reroute",
        "start",
        "note",
        "resume",
        "answer",
        "return",
    }
    # The enterprise supplies the materials of its own requests only.
    assert request_available_actions(request=own, user=enterprise_user) == {"resume"}
    assert request_available_actions(request=foreign, user=enterprise_user) == set()
    request_resume(request=own, note="已补充", by=enterprise_user)
    assert request_available_actions(request=own, user=enterprise_user) == set()
    assert {"suspend", "extend"} <= request_available_actions(request=own, user=approvals_staff)


def test_staff_outside_the_requests_scope_are_offered_nothing(enterprise, org, approvals_staff):
    elsewhere = make_request(enterprise, accepted=True, department=org["investment"])

    assert request_available_actions(request=elsewhere, user=approvals_staff) == set()


def test_a_pending_extension_is_decided_by_another_supervisor_only(
    enterprise, org, head, other_head, approvals_staff
):
    request = make_request(enterprise, accepted=True, department=org["approvals"])
    request_ask_extension(request=request, days=2, reason="等待材料", on=date(2026, 3, 3), by=head)

    assert "decide_extension" not in request_available_actions(request=request, user=head)
    assert "extend" not in request_available_actions(request=request, user=head)
    assert "decide_extension" in request_available_actions(request=request, user=other_head)
    assert "decide_extension" not in request_available_actions(
        request=request, user=approvals_staff
    )


# --- overdue ------------------------------------------------------------------------------------


def test_overdue_requests_are_the_running_ones_past_their_deadline(
    enterprise, org, approvals_staff
):
    late = make_request(enterprise, accepted=date(2026, 3, 2), department=org["approvals"])
    later = make_request(enterprise, accepted=date(2026, 3, 4), department=org["approvals"])
    make_request(enterprise, accepted=date(2026, 3, 9), department=org["approvals"])  # due 16th
    make_request(
        enterprise,
        accepted=date(2026, 3, 2),
        department=org["approvals"],
        answered=date(2026, 3, 4),
    )
    make_request(enterprise, accepted=date(2026, 3, 2), department=org["investment"])

    overdue = overdue_requests(user=approvals_staff, on=date(2026, 3, 12))

    assert list(overdue) == [late, later]


# --- statistics ---------------------------------------------------------------------------------


@pytest.fixture
def handmade(enterprise, org):
    """Six requests filed in March 2026 (HELP: 5 working days, due 03-09) and one in May.

    land:    A answered 03-06 in time (4 working days), rated 5;
             B answered 03-11 late, rated 2 → reopened 03-12 (due 03-19), answered 03-13
               in time (1 working day), rated 4;
             G answered 03-10 late (6 working days), not rated;
             E (consultation, 1 day) returned 03-04.
    finance: C in progress, overdue; D submitted, not routed.
    """
    investment, approvals = org["investment"], org["approvals"]
    accepted = date(2026, 3, 2)
    make_request(
        enterprise,
        topic="land",
        department=investment,
        accepted=accepted,
        answered=date(2026, 3, 6),
        rated=date(2026, 3, 6),
        score=5,
    )
    b = make_request(
        enterprise,
        topic="land",
        department=investment,
        accepted=accepted,
        answered=date(2026, 3, 11),
        rated=date(2026, 3, 12),
        score=2,
        comment="仍未落实",
    )
    request_answer(request=b, answer="已落实", on=date(2026, 3, 13), by=None)
    request_rate(request=b, score=4, on=date(2026, 3, 16), by=None)
    make_request(
        enterprise,
        topic="land",
        department=investment,
        accepted=accepted,
        answered=date(2026, 3, 10),
    )
    make_request(
        enterprise,
        topic="land",
        kind=RequestKind.CONSULTATION,
        department=approvals,
        accepted=accepted,
        returned=date(2026, 3, 4),
    )
    make_request(
        enterprise, topic="finance", department=approvals, accepted=accepted, started=accepted
    )
    make_request(enterprise, topic="finance")
    make_request(enterprise, topic="finance", filed_on=date(2026, 5, 4))  # outside the period
    return {"b": b}


def _figures(row):
    return {
        "filed": row.filed,
        "open": row.open,
        "overdue": row.overdue,
        "answered": row.answered,
        "on_time_rate": row.on_time_rate,
        "average_working_days": row.average_working_days,
        "average_score": row.average_score,
        "satisfaction_rate": row.satisfaction_rate,
        "reopen_rate": row.reopen_rate,
        "returned": row.returned,
    }


def test_statistics_by_topic_on_a_handmade_set(handmade):
    statistics = requests_statistics(
        user=None, start=MARCH[0], end=MARCH[1], by="topic", on=date(2026, 4, 30)
    )

    assert [row.label for row in statistics.rows] == ["用地", "融资"]
    land, finance = statistics.rows
    assert _figures(land) == {
        "filed": 4,
        "open": 0,
        "overdue": 0,
        "answered": 3,
        "on_time_rate": Decimal("66.7"),  # A and B (its second answer) in time, G late
        "average_working_days": Decimal("3.7"),  # (4 + 1 + 6) / 3
        "average_score": Decimal("3.7"),  # (5 + 2 + 4) / 3: the unsatisfied rating counts
        "satisfaction_rate": Decimal("66.7"),  # 2 of 3 ratings at 3 or more
        "reopen_rate": Decimal("33.3"),  # B of A, B, G
        "returned": 1,
    }
    assert _figures(finance) == {
        "filed": 2,
        "open": 2,
        "overdue": 1,
        "answered": 0,
        "on_time_rate": None,
        "average_working_days": None,
        "average_score": None,
        "satisfaction_rate": None,
        "reopen_rate": None,
        "returned": 0,
    }
    total = statistics.total
    assert (total.label, total.filed, total.open, total.overdue, total.answered) == (
        "合计",
        6,
        2,
        1,
        3,
    )
    assert (total.on_time_rate, total.satisfaction_rate, total.reopen_rate) == (
        Decimal("66.7"),
        Decimal("66.7"),
        Decimal("33.3"),
    )
    assert (total.working_days_used, total.ratings, total.score_total) == (11, 3, 11)


def test_statistics_by_department_put_the_requests_not_yet_routed_last(handmade, org):
    statistics = requests_statistics(
        user=None, start=MARCH[0], end=MARCH[1], by="department", on=date(2026, 4, 30)
    )

    assert [(row.label, row.filed, row.answered, row.overdue) for row in statistics.rows] == [
        ("招商局", 3, 3, 0),
        ("行政审批局", 2, 0, 1),
        ("未受理", 1, 0, 0),
    ]
    assert statistics.rows[0].key == org["investment"].pk
    assert statistics.rows[-1].key is None


def test_statistics_cover_only_what_the_user_may_see(handmade, approvals_staff, enterprise_user):
    staff = requests_statistics(
        user=approvals_staff, start=MARCH[0], end=MARCH[1], by="kind", on=date(2026, 4, 30)
    )
    own = requests_statistics(
        user=make_user(RoleCode.ENTERPRISE, enterprise=make_enterprise("别家企业")),
        start=MARCH[0],
        end=MARCH[1],
        by="enterprise",
    )
    enterprise = requests_statistics(
        user=enterprise_user, start=MARCH[0], end=MARCH[1], by="enterprise"
    )

    assert staff.total.filed == 2  # C and E, routed to 行政审批局
    assert [(row.label, row.filed) for row in staff.rows] == [("咨询", 1), ("求助", 1)]
    assert own.rows == [] and own.total.filed == 0
    assert [(row.label, row.filed) for row in enterprise.rows] == [("北京现代沧州工厂", 6)]


def test_working_days_used_leave_out_the_days_the_clock_stood(enterprise, org):
    # Accepted 03-02 (due 03-09), stood 03-04 → 03-09 (3 days, due 03-12), answered 03-11:
    # 7 working days from the start, 4 of them worked; in time against the moved deadline.
    request = make_request(enterprise, accepted=True, department=org["approvals"])
    suspend(request)
    request_resume(request=request, on=date(2026, 3, 9), by=None)
    request_answer(request=request, answer="已办结", on=date(2026, 3, 11), by=None)
    make_request(
        enterprise, accepted=True, department=org["approvals"], answered=date(2026, 3, 6)
    )  # 4 working days, no suspension

    statistics = requests_statistics(
        user=None, start=MARCH[0], end=MARCH[1], by="topic", on=date(2026, 4, 30)
    )

    total = statistics.total
    assert (total.answered, total.answered_on_time, total.working_days_used) == (2, 2, 8)
    assert (total.on_time_rate, total.average_working_days) == (Decimal("100.0"), Decimal("4.0"))


def test_statistics_count_working_days_less_the_days_the_clock_stood(enterprise, org):
    def answered(on, suspended_days=0, accepted=date(2026, 3, 2)):
        request = make_request(
            enterprise, topic="land", department=org["investment"], accepted=accepted, answered=on
        )
        EnterpriseRequest.objects.filter(pk=request.pk).update(suspended_days=suspended_days)
        return request

    answered(date(2026, 3, 6))  # Monday to Friday: 4 working days
    answered(date(2026, 3, 6), accepted=date(2026, 3, 3))  # 3
    answered(date(2026, 3, 9), suspended_days=2)  # 5, less 2 days stood
    answered(date(2026, 3, 6), suspended_days=9)  # stood longer than it ran: 0, not -5

    statistics = requests_statistics(
        user=None, start=MARCH[0], end=MARCH[1], by="topic", on=date(2026, 4, 30)
    )

    (land,) = statistics.rows
    rule = [
        request_working_days_used(
            clock_from=r.clock_from, answered_on=r.answered_on, suspended_days=r.suspended_days
        )
        for r in EnterpriseRequest.objects.all()
    ]
    assert sorted(rule) == [0, 3, 3, 4]
    assert land.working_days_used == statistics.total.working_days_used == 10
    assert land.average_working_days == Decimal("2.5")


def test_statistics_take_a_fixed_number_of_queries(enterprise, org):
    def run():
        with CaptureQueriesContext(connection) as queries:
            requests_statistics(
                user=None, start=MARCH[0], end=MARCH[1], by="department", on=date(2026, 4, 30)
            )
        return len(queries.captured_queries)

    make_request(enterprise, accepted=True, answered=date(2026, 3, 4), rated=date(2026, 3, 5))
    few = run()
    for day in (3, 4, 5, 6):
        make_request(
            enterprise,
            department=org["approvals"],
            accepted=date(2026, 3, day),
            answered=date(2026, 3, 9),
            rated=date(2026, 3, 9),
        )

    assert run() == few


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"by": "colour", "start": MARCH[0], "end": MARCH[1]}, "by"),
        ({"by": "topic", "start": MARCH[1], "end": MARCH[0]}, "end"),
    ],
)
def test_statistics_refuse_an_unknown_grouping_or_a_reversed_period(db, arguments, field):
    with pytest.raises(ApplicationError) as refused:
        requests_statistics(user=None, **arguments)

    assert refused.value.field == field


def test_requests_at_a_clock_level_are_the_running_ones_whose_clock_is_at_it(enterprise, org):
    # 10 working days from Monday 2026-03-02: due Monday 2026-03-16.
    running = make_request(
        enterprise, kind=RequestKind.COMPLAINT, accepted=True, department=org["approvals"]
    )
    make_request(
        enterprise,
        kind=RequestKind.COMPLAINT,
        accepted=True,
        department=org["approvals"],
        answered=date(2026, 3, 5),
    )
    queryset = EnterpriseRequest.objects.all()

    def at(level, on):
        return list(requests_at_clock_level(queryset, level=level, on=on))

    assert at("normal", date(2026, 3, 12)) == [running]
    assert at("yellow", date(2026, 3, 12)) == []
    assert at("yellow", date(2026, 3, 13)) == [running]
    assert at("red", date(2026, 3, 13)) == []
    assert at("red", date(2026, 3, 18)) == [running]


def test_the_requests_answered_on_acceptance_day_are_counted_per_department_in_one_query(
    enterprise, org
):
    from zoneops.enterprises.selectors.today import (
        requests_answered_on_acceptance_day,
        requests_answered_on_acceptance_day_by_department,
    )

    investment, approvals = org["investment"], org["approvals"]
    for department, accepted, answered in (
        (investment, date(2026, 3, 2), date(2026, 3, 2)),
        (investment, date(2026, 3, 9), date(2026, 3, 9)),
        (approvals, date(2026, 3, 2), date(2026, 3, 2)),
        (approvals, date(2026, 3, 2), date(2026, 3, 3)),  # answered the next day
        (approvals, date(2026, 4, 1), date(2026, 4, 1)),  # accepted after the period
    ):
        make_request(enterprise, accepted=accepted, department=department, answered=answered)
    period = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}

    with CaptureQueriesContext(connection) as queries:
        counted = requests_answered_on_acceptance_day_by_department(**period)

    assert len(queries) == 1
    assert counted == {investment.pk: 2, approvals.pk: 1}
    for department in (investment, approvals):
        asked = requests_answered_on_acceptance_day(**period, departments=[department.pk])
        assert asked == counted[department.pk]

"""Problems (问题清单): overdue as of any day, warning levels, lists and counts."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from zoneops.common.workcalendar import calendar_cache_clear
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.enums import Stage
from zoneops.projects.selectors.problems import (
    department_problem_counts,
    department_problem_list,
    overdue_problems,
    problem_clock,
    project_problems,
)
from zoneops.projects.services.problems import (
    problem_add_note,
    problem_raise,
    problem_reopen,
    problem_reroute,
    problem_resolve,
)
from zoneops.projects.tests.factories import make_project


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    calendar_cache_clear()
    yield
    calendar_cache_clear()


@pytest.fixture
def project(org):
    return make_project(
        "京津冀整车智能物流中心",
        responsible_department=org["investment"],
        moves=[(Stage.SIGNED, date(2019, 1, 21)), (Stage.STARTED, date(2019, 5, 20))],
    )


def make_problem(project, department, *, title="问题", routed_on, limit_days=5, **extra):
    return problem_raise(
        project=project,
        title=title,
        kind="bottleneck",
        topic="utilities",
        department=department,
        limit_days=limit_days,
        routed_on=routed_on,
        by=None,
        **extra,
    )


def overdue_titles(as_of, user=None):
    return [p.title for p in overdue_problems(as_of=as_of, user=user)]


def test_overdue_today_means_open_with_a_deadline_before_today(project, org):
    make_problem(project, org["approvals"], title="逾期未办", routed_on=date(2019, 3, 4))
    done = make_problem(project, org["approvals"], title="已解决", routed_on=date(2019, 3, 4))
    problem_resolve(problem=done, resolution="已办结", on=date(2019, 3, 8), by=None)
    today = make_problem(project, org["approvals"], title="今天交办", routed_on=None)

    overdue = overdue_problems(as_of=timezone.localdate())

    assert [p.title for p in overdue] == ["逾期未办"]
    assert overdue[0].due_as_of == date(2019, 3, 11)
    # A day ahead: what will be overdue then unless resolved before.
    assert today.title in overdue_titles(date(2999, 1, 4))


def test_as_of_a_past_day_a_problem_resolved_later_was_open_then(project, org):
    problem = make_problem(project, org["approvals"], title="电力增容", routed_on=date(2019, 3, 4))
    problem_resolve(problem=problem, resolution="已送电", on=date(2019, 4, 1), by=None)

    assert overdue_titles(date(2019, 3, 1)) == []  # not raised yet
    assert overdue_titles(date(2019, 3, 11)) == []  # the deadline day itself
    assert overdue_titles(date(2019, 3, 12)) == ["电力增容"]
    assert overdue_titles(date(2019, 3, 29)) == ["电力增容"]
    assert overdue_titles(date(2019, 4, 1)) == []  # resolved that day
    assert overdue_titles(timezone.localdate()) == []


def test_as_of_a_past_day_a_reopened_problem_runs_on_the_clock_of_that_day(project, org):
    problem = make_problem(
        project, org["approvals"], title="天然气接入", routed_on=date(2019, 3, 4)
    )
    problem_resolve(problem=problem, resolution="已通气", on=date(2019, 3, 8), by=None)
    problem_reopen(problem=problem, reason="压力不足", on=date(2019, 3, 20), by=None)  # due 03-27

    assert overdue_titles(date(2019, 3, 15)) == []  # resolved then
    assert overdue_titles(date(2019, 3, 26)) == []  # reopened, not yet due
    overdue = overdue_problems(as_of=date(2019, 3, 28))
    assert [(p.title, p.due_as_of) for p in overdue] == [("天然气接入", date(2019, 3, 27))]


def test_as_of_a_day_before_a_restarted_clock_the_earlier_deadline_counts(project, org):
    problem = make_problem(project, org["investment"], title="用地手续", routed_on=date(2019, 3, 4))
    problem_reroute(
        problem=problem,
        to_department=org["approvals"],
        reason="改由审批局办理",
        limit_days=10,
        on=date(2019, 3, 18),
        by=None,
    )  # new deadline 2019-04-01

    assert [(p.title, p.due_as_of) for p in overdue_problems(as_of=date(2019, 3, 13))] == [
        ("用地手续", date(2019, 3, 11))
    ]
    assert overdue_titles(date(2019, 3, 20)) == []
    assert overdue_titles(date(2019, 4, 2)) == ["用地手续"]


def test_a_problem_raised_but_not_yet_routed_is_not_overdue(project, org):
    make_problem(
        project,
        org["approvals"],
        title="月例会提出",
        raised_on=date(2019, 2, 20),
        routed_on=date(2019, 3, 4),
    )

    assert overdue_titles(date(2019, 3, 1)) == []
    assert overdue_titles(date(2019, 3, 12)) == ["月例会提出"]


def test_overdue_problems_are_limited_to_the_users_scope(project, org):
    make_problem(project, org["approvals"], title="审批局的问题", routed_on=date(2019, 3, 4))
    other = make_project("别的项目", responsible_department=org["city"])
    make_problem(other, org["city"], title="市里的问题", routed_on=date(2019, 3, 4))
    approvals_staff = make_user(RoleCode.STAFF, departments=[org["approvals"]])

    assert overdue_titles(date(2019, 4, 1), user=approvals_staff) == ["审批局的问题"]
    assert set(overdue_titles(date(2019, 4, 1))) == {"审批局的问题", "市里的问题"}


def test_the_warning_turns_yellow_at_a_fifth_of_the_limit_and_red_when_overdue(project, org):
    # Routed 2019-06-03 with 10 working days: 06-07 is the Dragon Boat holiday, due 06-18.
    problem = make_problem(project, org["approvals"], routed_on=date(2019, 6, 3), limit_days=10)
    assert problem.due_on == date(2019, 6, 18)

    start = problem_clock(problem=problem, today=date(2019, 6, 4))
    assert (start.level, start.days_left, start.label) == ("normal", 9, "正常：剩9个工作日")
    assert problem_clock(problem=problem, today=date(2019, 6, 14)).level == "normal"
    day_before = problem_clock(problem=problem, today=date(2019, 6, 17))
    assert (day_before.level, day_before.label) == ("yellow", "临期：剩1个工作日")
    last_day = problem_clock(problem=problem, today=date(2019, 6, 18))
    assert (last_day.level, last_day.label) == ("yellow", "临期：今日到期")
    late = problem_clock(problem=problem, today=date(2019, 6, 21))
    assert (late.level, late.days_overdue, late.label) == ("red", 3, "逾期3天")

    problem_resolve(problem=problem, resolution="已解决", on=date(2019, 6, 20), by=None)
    problem.refresh_from_db()
    resolved = problem_clock(problem=problem, today=date(2019, 7, 1))
    assert (resolved.level, resolved.on_time, resolved.key, resolved.label) == (
        None,
        False,
        "resolved_late",
        "逾期解决",
    )


def test_a_department_list_puts_open_problems_first_and_the_overdue_on_top(project, org):
    approvals = org["approvals"]
    resolved = make_problem(project, approvals, title="已解决", routed_on=date(2019, 3, 4))
    problem_resolve(problem=resolved, resolution="已办结", on=date(2019, 3, 6), by=None)
    make_problem(project, approvals, title="正常", routed_on=date(2019, 6, 3), limit_days=20)
    make_problem(project, approvals, title="逾期较久", routed_on=date(2019, 5, 6))
    make_problem(project, approvals, title="刚逾期", routed_on=date(2019, 5, 20))
    make_problem(project, org["investment"], title="别的部门", routed_on=date(2019, 5, 6))

    listing = department_problem_list(department_ids=[approvals.pk], today=date(2019, 6, 4))

    assert [p.title for p in listing.open] == ["逾期较久", "刚逾期", "正常"]
    assert [p.clock.level for p in listing.open] == ["red", "red", "normal"]
    assert [p.title for p in listing.resolved] == ["已解决"]
    assert listing.resolved_total == 1
    by_project = project_problems(project=project, today=date(2019, 6, 4))
    assert [p.title for p in by_project][:3] == ["逾期较久", "别的部门", "刚逾期"]
    assert [p.title for p in by_project][-1] == "已解决"


def test_counts_per_department_give_open_overdue_and_the_on_time_rate(project, org):
    approvals = org["approvals"]
    for title, resolved_on in [("按期一", date(2019, 3, 8)), ("按期二", date(2019, 3, 11))]:
        problem = make_problem(project, approvals, title=title, routed_on=date(2019, 3, 4))
        problem_resolve(problem=problem, resolution="已办结", on=resolved_on, by=None)
    late = make_problem(project, approvals, title="逾期解决", routed_on=date(2019, 3, 4))
    problem_resolve(problem=late, resolution="已办结", on=date(2019, 3, 12), by=None)
    make_problem(project, approvals, title="未解决", routed_on=date(2019, 3, 4))
    waiting = make_problem(project, org["investment"], title="在办", routed_on=date(2019, 6, 3))
    problem_add_note(problem=waiting, text="正在协调", on=date(2019, 6, 4), by=None)

    counts = {row.department: row for row in department_problem_counts(today=date(2019, 6, 5))}

    assert counts["行政审批局"].open == 1
    assert counts["行政审批局"].overdue == 1
    assert (counts["行政审批局"].resolved, counts["行政审批局"].resolved_on_time) == (3, 2)
    assert counts["行政审批局"].on_time_rate == Decimal("66.7")
    assert (counts["招商局"].open, counts["招商局"].overdue) == (1, 0)
    assert counts["招商局"].on_time_rate is None


def test_a_department_list_reads_in_the_same_queries_whatever_its_length(
    project, org, django_assert_max_num_queries
):
    def add(count, start):
        for index in range(count):
            problem = make_problem(
                project, org["approvals"], title=f"问题{start + index}", routed_on=date(2019, 5, 6)
            )
            if index % 2:
                problem_resolve(problem=problem, resolution="已办结", on=date(2019, 5, 9), by=None)

    add(3, 0)
    department_problem_list(department_ids=[org["approvals"].pk])  # loads the calendar years
    with django_assert_max_num_queries(10) as few:
        department_problem_list(department_ids=[org["approvals"].pk])
    add(30, 3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        listing = department_problem_list(department_ids=[org["approvals"].pk])
    assert len(listing.open) == 17

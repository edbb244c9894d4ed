"""Each source of the existing kinds: what is on a person's day, on his departments' day, what
was finished on a day, and what was finished on the day it arrived."""

from datetime import date

import pytest

from zoneops.casework.workbench import LATE, SOON, work_sources
from zoneops.casework.workbench import TODAY as DUE_TODAY
from zoneops.workbench.tests.conftest import FROZEN, TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(FROZEN, tick=False)]
UNTIL = date(2026, 11, 23)


def _source(key):
    return next(source for source in work_sources() if source.key == key)


def _keys(items):
    return {(item.source, item.pk) for item in items}


def test_the_existing_kinds_declare_their_sources():
    keys = [source.key for source in work_sources()]
    assert {"requests", "problems", "milestones", "decisions"} <= set(keys)


def test_problems_on_a_staff_members_day_are_his_departments(world):
    items = _source("problems").items(user=world.staff, on=TODAY, until=UNTIL, departments=None)
    assert _keys(items) == {
        ("problems", world.late_problem.pk),
        ("problems", world.today_problem.pk),
    }
    standing = {item.pk: item.standing(TODAY) for item in items}
    assert standing == {world.late_problem.pk: LATE, world.today_problem.pk: DUE_TODAY}
    late = next(item for item in items if item.pk == world.late_problem.pk)
    assert late.clock.key == "red" and not late.supervised
    assert late.url.endswith(f"/projects/problem/{world.late_problem.pk}/change/")


def test_problems_by_department(world):
    approvals = {world.org["approvals"].pk}
    items = _source("problems").items(
        user=world.leader, on=TODAY, until=UNTIL, departments=approvals
    )
    assert _keys(items) == {("problems", world.soon_problem.pk)}
    assert items[0].standing(TODAY) == SOON


def test_problems_finished_and_cleared_same_day(world):
    source = _source("problems")
    finished = source.finished(user=world.staff, on=TODAY, departments=None)
    assert _keys(finished) == {("problems", world.cleared_problem.pk)}
    assert source.cleared_same_day(start=TODAY, end=TODAY) == 1
    assert (
        source.cleared_same_day(start=TODAY, end=TODAY, departments={world.org["approvals"].pk})
        == 0
    )


def test_a_milestone_is_its_departments_and_the_liaison_leaders(world):
    source = _source("milestones")
    items = source.items(user=world.staff, on=TODAY, until=UNTIL, departments=None)
    assert _keys(items) == {("milestones", world.milestone.pk)}
    assert items[0].clock is None and items[0].department == "招商局"
    assert source.items(user=world.other, on=TODAY, until=UNTIL, departments=None) == []


def test_decisions_owned_by_department_and_supervised_by_the_host(world):
    source = _source("decisions")
    mine = source.items(user=world.other, on=TODAY, until=UNTIL, departments=None)
    assert _keys(mine) == {("decisions", world.decision.pk)}
    assert not mine[0].supervised
    hosted = source.items(user=world.leader, on=TODAY, until=UNTIL, departments=None)
    assert [item.supervised for item in hosted] == [True]
    assert source.cleared_same_day(start=date(2026, 11, 1), end=TODAY) == 1
    assert source.finished(user=world.other, on=TODAY, departments=None) == []


def test_requests_owned_by_the_handling_department_and_followed_by_the_liaison(world):
    source = _source("requests")
    mine = source.items(user=world.other, on=TODAY, until=UNTIL, departments=None)
    assert _keys(mine) == {("requests", world.request.pk)}
    assert mine[0].clock is not None and mine[0].standing(TODAY) == DUE_TODAY
    liaised = source.items(user=world.leader, on=TODAY, until=UNTIL, departments=None)
    assert [item.supervised for item in liaised] == [True]
    assert source.items(user=world.staff, on=TODAY, until=UNTIL, departments=None) == []
    assert source.cleared_same_day(start=date(2026, 11, 1), end=TODAY) == 0


def test_no_source_shows_what_the_user_may_not_read(world, org):
    """Asked for another bureau's departments, a staff member gets only what he may read of
    theirs: the problem on his own department's project, not their decision or request."""
    approvals = {org["approvals"].pk}
    seen = set()
    for source in work_sources():
        seen |= _keys(source.items(user=world.staff, on=TODAY, until=UNTIL, departments=approvals))
        assert source.finished(user=world.staff, on=TODAY, departments=approvals) == []
    assert seen == {("problems", world.soon_problem.pk)}


def test_a_request_answered_the_day_it_was_accepted_is_cleared_that_day(world, org):
    from zoneops.enterprises.tests.factories import make_request

    answered = make_request(
        title="当日答复", accepted=TODAY, department=org["approvals"], limit_days=1, answered=TODAY
    )
    source = _source("requests")
    assert _keys(source.finished(user=world.other, on=TODAY, departments=None)) == {
        ("requests", answered.pk)
    }
    assert source.cleared_same_day(start=TODAY, end=TODAY) == 1
    assert source.cleared_same_day(start=TODAY, end=TODAY, departments={org["investment"].pk}) == 0


def test_a_milestone_reached_on_its_planned_day_is_cleared_that_day(world):
    from zoneops.meetings.tests.factories import make_milestone

    reached = make_milestone(
        world.project,
        "设备安装",
        planned_on=TODAY,
        actual_on=TODAY,
        responsible_department=world.org["investment"],
    )
    source = _source("milestones")
    assert _keys(source.finished(user=world.staff, on=TODAY, departments=None)) == {
        ("milestones", reached.pk)
    }
    assert source.cleared_same_day(start=TODAY, end=TODAY) == 1

"""A zone loaded years later than today is a working zone too, and the same day always gives
the same zone (its own module: the load here starts from an empty zone).

Sameness is checked on the plan the load writes from (every project's story, the key projects'
schedules, the requests, problems and meetings): the records follow from it through the
services, which draw no chance of their own; loading twice to compare the tables cost 90 s."""

from datetime import date

import pytest
from django.db import transaction

from zoneops.demo import living
from zoneops.demo.loader import load_demo_zone
from zoneops.demo.tests.test_demo_living import PASSWORD, at, check_a_working_zone

pytestmark = pytest.mark.clock_fixed

LATER = date(2031, 3, 15)  # a Saturday, in a year the work calendar does not cover yet


@pytest.mark.django_db
def test_a_zone_loaded_years_later_is_a_working_zone():
    with at(LATER), transaction.atomic():
        load_demo_zone(password=PASSWORD, today=LATER)
        check_a_working_zone(LATER)
        transaction.set_rollback(True)


def _plan(today: date) -> tuple[object, ...]:
    stories = living.stories(today=today)
    schedules = [
        living._schedule(story, year=year, today=today, opening=story.investment, index=index)
        for year in range(2021, today.year + 1)
        for index, code in enumerate(living._key_codes(stories, year=year, today=today))
        for story in (stories[code],)
    ]
    return (
        living.new_projects(today=today),
        stories,
        schedules,
        living._request_specs(today=today),
        living._problem_specs(stories, today=today),
        living._meeting_specs(stories, today=today),
    )


@pytest.mark.django_db  # the requests' days read the work calendar
@pytest.mark.parametrize("today", [date(2026, 12, 6), LATER])
def test_the_same_day_gives_the_same_zone_and_a_later_day_keeps_the_past(today):
    plan = _plan(today)
    assert plan == _plan(today)
    # A zone loaded later tells the same story of the years before (up to the earlier day).
    earlier, later = living.stories(today=date(2026, 12, 6)), living.stories(today=LATER)
    assert earlier.keys() <= later.keys()
    assert all(
        [move for move in later[code].moves if move[1] <= date(2026, 12, 6)]
        == [move for move in story.moves if move[1] <= date(2026, 12, 6)]
        for code, story in earlier.items()
    )

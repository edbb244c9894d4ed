"""The demo meetings: the article's two ceremonies come out of their own records, and a meeting of
each cadence is there with its agenda and decisions."""

from collections import Counter
from decimal import Decimal

import pytest
from django.db import transaction

from zoneops.demo import pipeline
from zoneops.demo.loader import load_demo_zone
from zoneops.demo.meetings import MEETINGS, load_meetings
from zoneops.meetings.enums import MeetingKind, MeetingStatus
from zoneops.meetings.models import Meeting
from zoneops.meetings.selectors import ceremony_totals

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        result = load_demo_zone(password="demo-Pass-2020")
        load_meetings(result=result)
        yield result
        transaction.set_rollback(True)


def _ceremony(kind):
    return Meeting.objects.get(kind=kind)


def test_the_cloud_signing_reads_56_projects_83_yi_in_40_minutes():
    totals = ceremony_totals(_ceremony(MeetingKind.CLOUD_SIGNING))

    assert (totals.count, totals.investment_wan, totals.duration_minutes) == (
        56,
        Decimal("830000.00"),
        40,
    )
    assert totals.investment_yi == Decimal("83.00")
    assert totals.line == "签约项目56个，总投资83亿元，用时40分钟"


def test_the_spring_start_reads_8_projects_9_76_yi():
    meeting = _ceremony(MeetingKind.GROUNDBREAKING)
    totals = ceremony_totals(meeting)

    assert (totals.count, totals.investment_wan) == (8, Decimal("97600.00"))
    assert totals.line == "开工项目8个，总投资9.76亿元"
    assert set(meeting.projects.values_list("code", flat=True)) == set(pipeline.SPRING_START_CODES)
    assert meeting.minutes.startswith("开工项目8个，总投资9.76亿元。")


def test_every_cadence_has_meetings_held_with_minutes(demo):
    kinds = Counter(
        Meeting.objects.filter(status=MeetingStatus.HELD).values_list("kind", flat=True)
    )

    assert kinds[MeetingKind.WEEKLY_DOCKING] >= 3
    assert kinds[MeetingKind.MONTHLY] >= 3
    assert kinds[MeetingKind.QUARTERLY_TOUR] >= 3
    assert kinds[MeetingKind.ONLINE_TALKS] >= 2
    assert not Meeting.objects.filter(status=MeetingStatus.HELD, minutes="").exists()
    assert demo.created["meetings"] == len(MEETINGS)


def test_illustrative_meetings_are_marked_and_the_ceremonies_are_not():
    for meeting in Meeting.objects.all():
        is_ceremony = meeting.kind in (MeetingKind.CLOUD_SIGNING, MeetingKind.GROUNDBREAKING)
        assert meeting.title.endswith(pipeline.SAMPLE_SUFFIX) != is_ceremony


def test_the_monthly_meeting_has_an_agenda_and_decisions_with_owners():
    meeting = Meeting.objects.get(title=f"2019年12月重点项目调度月例会{pipeline.SAMPLE_SUFFIX}")

    assert meeting.organiser.code == "czkfq"
    assert meeting.agenda_items.exists()
    decisions = list(meeting.decisions.select_related("owner_department"))
    assert [d.owner_department.code for d in decisions] == ["jfj", "zsj"]
    assert all(d.done_on is not None and d.due_on >= meeting.held_on for d in decisions)


def test_online_talks_take_place_in_the_online_hall_before_the_signing():
    talks = Meeting.objects.filter(kind=MeetingKind.ONLINE_TALKS)

    assert {t.location for t in talks} == {"线上会客厅"}
    assert all(t.online and t.held_on.year == 2020 for t in talks)


def test_loading_again_creates_nothing(demo):
    before = Meeting.objects.count()
    again = type(demo)(password="x")

    load_meetings(result=again)

    assert again.created_total == 0
    assert Meeting.objects.count() == before

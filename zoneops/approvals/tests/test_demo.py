"""The article's 2019 figures come out of the demo zone's records through the selectors, and the
zone goes on working cases up to the day it is loaded (one load for the module)."""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from zoneops.approvals.models import Case
from zoneops.approvals.selectors import approval_figures
from zoneops.approvals.workbench import CaseSource
from zoneops.demo.loader import load_demo_zone
from zoneops.orgs.models import User
from zoneops.projects.selectors.scheduling import key_projects

TODAY = date(2026, 12, 6)  # a Sunday, as the living demo test
ZONE = ZoneInfo("Asia/Shanghai")

pytestmark = pytest.mark.django_db


def at(day: date) -> time_machine.travel:
    return time_machine.travel(datetime.combine(day, time(10, 0), tzinfo=ZONE), tick=False)


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), at(TODAY), transaction.atomic():
        yield load_demo_zone(password="demo-Pass-2020", today=TODAY)
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _frozen():
    with at(TODAY):
        yield


def test_the_2019_figures_are_the_articles():
    figures = approval_figures(start=date(2019, 1, 1), end=date(2019, 12, 31))
    total = figures.total
    assert total.concluded == 1790
    assert figures.cleared_same_day == 1020
    assert total.promised_ratio == Decimal("50.0")
    assert total.centre_share == Decimal("53.0")
    assert total.taken_over == 88
    assert total.on_time_rate is not None and total.on_time_rate > Decimal("95")
    assert CaseSource().cleared_same_day(start=date(2019, 1, 1), end=date(2019, 12, 31)) == 1020


def test_key_projects_of_2019_have_cases():
    projects = key_projects(year=2019)
    assert Case.objects.filter(project__in=projects, received_on__year=2019).count() >= 10


def test_the_zone_goes_on_working_cases_up_to_today():
    running = Case.objects.running()
    assert Case.objects.filter(received_on=date(2026, 12, 4)).exists()  # Friday
    assert running.filter(suspended_since__isnull=False).exists()  # waiting for 补正
    assert Case.objects.overdue(on=TODAY).exists()  # some late
    assert not Case.objects.filter(received_on__gt=TODAY).exists()
    assert not Case.objects.filter(concluded_on__gt=TODAY).exists()
    officer = User.objects.get(username="spj_staff")
    items = CaseSource().items(user=officer, on=TODAY, until=date(2026, 12, 9), departments=None)
    assert items and any(item.due_on < TODAY for item in items)


def test_a_second_load_creates_no_case_twice():
    before = Case.objects.count()
    result = load_demo_zone(password="demo-Pass-2020", today=TODAY)
    assert Case.objects.count() == before
    assert result.created["approval cases"] == 0

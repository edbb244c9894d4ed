"""The article's support funds and the city's target come out of the demo's records."""

from datetime import date

import pytest
from django.db import transaction

from zoneops.demo.loader import load_demo_zone
from zoneops.funds.selectors import fund_totals
from zoneops.targets.selectors import targets_progress, targets_visible

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield load_demo_zone(password="demo-Pass-2020")
        transaction.set_rollback(True)


def test_2019_funds_from_four_levels_and_projects_won():
    totals = fund_totals(start=date(2019, 1, 1), end=date(2019, 12, 31))
    assert totals.total.paid == 12300  # 1.23亿元
    assert all(row.paid > 0 for row in totals.by_level)  # 中央、省、市、区
    assert totals.total.projects_won >= 10  # 研发和示范项目10余个


def test_city_target_for_2019_and_2020():
    found = targets_progress(targets=targets_visible(), today=date(2020, 12, 31))
    progress = {p.target.year: p for p in found}
    assert progress[2019].actual == 3 and progress[2019].standing == "done"
    # The article's zone ends mid-2020: the 5亿+ industrial projects signed by then (云签约).
    assert progress[2020].actual == 2, [i.project.name for i in progress[2020].records]

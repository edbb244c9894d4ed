"""Two loads of the demo zone on the same day give the same zone, and a zone loaded years later
than today is a working zone too (its own module: each load here starts from an empty zone)."""

from datetime import date

import pytest
from django.db import transaction

from zoneops.demo.loader import load_demo_zone
from zoneops.demo.tests.test_demo_living import PASSWORD, at, check_a_working_zone, fingerprint

LATER = date(2031, 3, 15)  # a Saturday, in a year the work calendar does not cover yet

pytestmark = pytest.mark.django_db


def test_two_loads_on_the_same_later_day_give_the_same_working_zone():
    fingerprints = []
    for _load in range(2):
        with at(LATER), transaction.atomic():
            load_demo_zone(password=PASSWORD, today=LATER)
            fingerprints.append(fingerprint())
            check_a_working_zone(LATER)
            transaction.set_rollback(True)

    assert fingerprints[0] == fingerprints[1]

"""Occupancy of a park as of a day, worked out from its units' leases."""

from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps

from zoneops.parks.enums import CarrierKind
from zoneops.parks.models import Building, Lease, Park, Unit
from zoneops.parks.selectors import parks_occupancy


@pytest.fixture
def park(db):
    park = Park.objects.create(name="中日韩产业园", kind=CarrierKind.PARK)
    building = Building.objects.create(park=park, name="1号厂房")
    for name, area in (("101", 1000), ("102", 600), ("201", 400)):
        Unit.objects.create(building=building, name=name, area_m2=Decimal(area))
    return park


def _tenant(name: str):
    # The register sits a floor above parks: named by its label, not imported.
    return apps.get_model("enterprises", "Enterprise").objects.create(name=name)


def test_occupancy_counts_the_leases_running_on_the_day(park):
    units = {unit.name: unit for unit in Unit.objects.filter(building__park=park)}
    Lease.objects.create(unit=units["101"], tenant=_tenant("甲公司"), starts_on=date(2019, 3, 1))
    Lease.objects.create(
        unit=units["102"],
        tenant=_tenant("乙公司"),
        starts_on=date(2019, 1, 1),
        ends_on=date(2019, 12, 31),
    )

    on_2019 = parks_occupancy(on=date(2019, 6, 30))[park.pk]
    assert (on_2019.units, on_2019.units_leased) == (3, 2)
    assert (on_2019.area_m2, on_2019.area_leased_m2) == (Decimal(2000), Decimal(1600))
    assert on_2019.rate == Decimal("80.0")
    assert on_2019.area_free_m2 == Decimal(400)

    on_2020 = parks_occupancy(on=date(2020, 1, 1))[park.pk]  # 乙 left on the last day of 2019
    assert (on_2020.units_leased, on_2020.area_leased_m2, on_2020.rate) == (
        1,
        Decimal(1000),
        Decimal("50.0"),
    )
    before = parks_occupancy(on=date(2018, 12, 31))[park.pk]
    assert (before.units_leased, before.rate) == (0, Decimal("0.0"))


def test_a_park_without_units_has_no_rate(park, db):
    empty = Park.objects.create(name="航空航天产业园", kind=CarrierKind.PARK)
    occupancy = parks_occupancy(on=date(2020, 1, 1), parks=[empty.pk, park.pk])
    assert occupancy[empty.pk].units == 0
    assert occupancy[empty.pk].rate is None
    assert occupancy[park.pk].units == 3

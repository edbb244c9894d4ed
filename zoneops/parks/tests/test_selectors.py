"""Occupancy history and free space, worked out from the leases as they change."""

from datetime import date
from decimal import Decimal

from zoneops.parks.models import Lease, Park
from zoneops.parks.selectors import (
    park_buildings,
    park_free_space,
    park_occupancy_history,
    parks_with_occupancy,
)


def _leases(zone):
    units = zone["units"]
    Lease.objects.create(
        unit=units["101"],
        tenant=zone["tenant"],
        starts_on=date(2019, 5, 10),
        ends_on=date(2020, 8, 31),
    )
    Lease.objects.create(
        unit=units["101"], tenant=zone["other_tenant"], starts_on=date(2020, 11, 1)
    )
    Lease.objects.create(unit=units["201"], tenant=zone["tenant"], starts_on=date(2021, 2, 1))


def test_history_follows_the_leases_month_by_month_and_by_year_end(zone):
    _leases(zone)
    history = park_occupancy_history(park=zone["park"], on=date(2021, 3, 15), months=12)
    by_day = {point.day: point for point in history}
    # Year ends before the months: 2019 (the first lease's year).
    assert [p.day for p in history if p.by_year] == [date(2019, 12, 31)]
    assert by_day[date(2019, 12, 31)].occupancy.area_leased_m2 == Decimal(1000)
    assert history[-1].day == date(2021, 3, 15)  # the last point is the day asked
    assert len([p for p in history if not p.by_year]) == 12
    # September and October 2020: unit 101 was between tenants.
    assert by_day[date(2020, 9, 30)].occupancy.units_leased == 0
    assert by_day[date(2020, 9, 30)].occupancy.rate == Decimal("0.0")
    assert by_day[date(2020, 11, 30)].occupancy.area_leased_m2 == Decimal(1000)
    assert by_day[date(2021, 2, 28)].occupancy.area_leased_m2 == Decimal(1400)
    assert by_day[date(2021, 3, 15)].occupancy.rate == Decimal("70.0")


def test_history_of_a_park_without_leases_is_the_months_only(zone):
    history = park_occupancy_history(park=zone["park"], on=date(2021, 3, 15), months=3)
    assert [p.day for p in history] == [date(2021, 1, 31), date(2021, 2, 28), date(2021, 3, 15)]
    assert all(p.occupancy.units == 3 and p.occupancy.units_leased == 0 for p in history)


def test_buildings_show_the_tenant_of_the_day_and_free_space(zone):
    _leases(zone)
    rows = park_buildings(park=zone["park"], on=date(2020, 6, 1))
    tenants = {r.unit.name: r.lease.tenant.name if r.lease else None for b in rows for r in b.units}
    assert tenants == {"101": "沧州韩泰汽车部件", "102": None, "201": None}
    free = park_free_space(park=zone["park"], on=date(2021, 3, 15))
    assert [(row.building.name, row.free_area_m2) for row in free] == [("1号厂房", Decimal(600))]


def test_list_annotation_counts_leased_and_total_area(zone, django_assert_num_queries):
    _leases(zone)
    with django_assert_num_queries(1):
        park = parks_with_occupancy(Park.objects.all(), on=date(2021, 3, 15)).get()
    assert (park.area_total, park.area_leased) == (Decimal(2000), Decimal(1400))

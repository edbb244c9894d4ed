"""A small zone with one park managed by the investment bureau: two buildings, three units, and
staff of the managing bureau, of another bureau, a principal leader and an enterprise user."""

from datetime import date
from decimal import Decimal

import pytest

from zoneops.enterprises.tests.factories import make_enterprise
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.parks.enums import CarrierKind
from zoneops.parks.models import Building, Park, Unit
from zoneops.pytest_clock import frozen_on

TODAY = date(2021, 3, 15)


_frozen = frozen_on(TODAY)


@pytest.fixture
def zone(org):
    park = Park.objects.create(
        name="中日韩产业园",
        kind=CarrierKind.PARK,
        managing_department=org["investment"],
        floor_area_m2=Decimal(5000),
    )
    first = Building.objects.create(park=park, name="1号厂房", order=1)
    second = Building.objects.create(park=park, name="2号厂房", order=2)
    units = {
        "101": Unit.objects.create(building=first, name="101", area_m2=Decimal(1000)),
        "102": Unit.objects.create(building=first, name="102", area_m2=Decimal(600)),
        "201": Unit.objects.create(building=second, name="201", area_m2=Decimal(400)),
    }
    tenant = make_enterprise("沧州韩泰汽车部件")
    other_tenant = make_enterprise("沧州日东精工")
    return {
        **org,
        "park": park,
        "buildings": (first, second),
        "units": units,
        "tenant": tenant,
        "other_tenant": other_tenant,
        "manager": make_user(RoleCode.STAFF, departments=[org["investment"]]),
        "other": make_user(RoleCode.STAFF, departments=[org["approvals"]]),
        "principal": make_user(RoleCode.PRINCIPAL, departments=[org["zone"]]),
        "enterprise_user": make_user(RoleCode.ENTERPRISE, enterprise=tenant),
    }

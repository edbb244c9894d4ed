"""The request desk (受理部门): new requests wait there, and its staff follow every request."""

import pytest

from zoneops.enterprises.models import EnterpriseRequest
from zoneops.enterprises.selectors.requests import requests_visible
from zoneops.enterprises.tests.factories import make_enterprise, make_request
from zoneops.orgs.enums import DepartmentKind, RoleCode
from zoneops.orgs.services import department_create
from zoneops.orgs.tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(org):
    return department_create(
        name="企业服务局",
        code="desk",
        kind=DepartmentKind.BUREAU,
        parent=org["zone"],
        receives_enterprise_requests=True,
    )


def test_a_new_request_waits_at_the_desk(desk):
    request = make_request(make_enterprise())

    assert request.department == desk
    assert request.status == "submitted"


def test_the_desk_follows_requests_it_routed_to_other_departments(desk, org):
    routed = make_request(make_enterprise(), accepted=True, department=org["approvals"])
    desk_officer = make_user(RoleCode.STAFF, departments=[desk])
    other_officer = make_user(RoleCode.STAFF, departments=[org["investment"]])
    approvals_officer = make_user(RoleCode.STAFF, departments=[org["approvals"]])

    assert routed.department == org["approvals"]
    assert list(requests_visible(user=desk_officer)) == [routed]
    assert list(requests_visible(user=approvals_officer)) == [routed]
    assert not requests_visible(user=other_officer).exists()
    assert EnterpriseRequest.objects.visible_to(desk_officer).count() == 1


def test_a_desk_that_stops_receiving_requests_no_longer_sees_them(desk, org):
    make_request(make_enterprise(), accepted=True, department=org["approvals"])
    desk_officer = make_user(RoleCode.STAFF, departments=[desk])
    desk.receives_enterprise_requests = False
    desk.save()

    assert not requests_visible(user=desk_officer).exists()

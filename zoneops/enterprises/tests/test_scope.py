"""The data-scope matrix of the enterprise register's records, in the style of
zoneops/orgs/tests/test_scope.py: which role sees which figures and liaison assignments.

Figures are not public: they reach the zone-wide roles, the enterprise itself, the people who
liaise with the enterprise (the leader himself, the members of a liaising department and those
whose scope covers it), and the department that manages the enterprise's park. The liaison
roster is read by every staff member; an enterprise user sees his own enterprise's.
"""

from datetime import date

import pytest
from django.test import Client

from zoneops.common.scope import can_see, scope_queryset
from zoneops.common.services import record_save
from zoneops.enterprises.enums import LiaisonKind
from zoneops.enterprises.models import Enterprise, EnterpriseFigure, LiaisonAssignment
from zoneops.enterprises.services import liaison_end
from zoneops.enterprises.tests.factories import make_enterprise, make_liaison, make_monthly_figures
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_department, make_user
from zoneops.parks.enums import CarrierKind
from zoneops.parks.models import Park


def _figure(enterprise: Enterprise) -> EnterpriseFigure:
    return make_monthly_figures(enterprise, year=2019, monthly_revenue=10, months=1)[0]


@pytest.fixture
def world(org):
    leaders_office = make_department("领导班子", parent=org["zone"])
    hyundai = make_enterprise("北京现代沧州工厂")
    liaised = make_enterprise("北汽倍摩斯")
    by_department = make_enterprise("嘉诚汽车内饰")
    in_park = make_enterprise(
        "韩国株山",
        park=record_save(
            instance=Park(
                name="中日韩产业园", kind=CarrierKind.PARK, managing_department=org["approvals"]
            ),
            by=None,
        ),
    )
    formerly = make_enterprise("龙山汽车配件")
    other = make_enterprise("其他企业（示例）", is_sample=True)

    viewers = {
        "administrator": make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]]),
        # a leader with no 分管 of the departments below: only what he liaises with
        "leader": make_user(RoleCode.LEADER, departments=[leaders_office]),
        # in charge of 招商局 (分管): its department's liaisons reach him
        "leader_in_charge": make_user(
            RoleCode.LEADER, departments=[leaders_office], in_charge_of=[org["investment"]]
        ),
        "department_head": make_user(RoleCode.DEPARTMENT_HEAD, departments=[org["investment"]]),
        # a member of the section below 招商局: a department's liaison is not his section's
        "section_staff": make_user(RoleCode.STAFF, departments=[org["investment_section"]]),
        "approvals_staff": make_user(RoleCode.STAFF, departments=[org["approvals"]]),
        "inspector": make_user(RoleCode.INSPECTOR, departments=[org["zone"]]),
        "statistician": make_user(RoleCode.STATISTICIAN, departments=[org["zone"]]),
        "enterprise": make_user(RoleCode.ENTERPRISE, enterprise=hyundai),
    }
    own_liaison = make_liaison(hyundai, person=viewers["leader_in_charge"])
    make_liaison(liaised, person=viewers["leader"], started_on=date(2019, 1, 1))
    department_liaison = make_liaison(
        by_department, kind=LiaisonKind.DEPARTMENT, department=org["investment"]
    )
    ended = make_liaison(formerly, person=viewers["leader"], started_on=date(2018, 1, 1))
    liaison_end(assignment=ended, on=date(2018, 12, 31), by=None)
    other_liaison = make_liaison(other, kind=LiaisonKind.INSPECTOR, person=viewers["inspector"])
    return {
        "viewers": viewers,
        "records": {
            "figure_own": _figure(hyundai),
            "figure_liaised": _figure(liaised),
            "figure_department": _figure(by_department),
            "figure_park": _figure(in_park),
            "figure_formerly": _figure(formerly),
            "figure_other": _figure(other),
            "liaison_own": own_liaison,
            "liaison_department": department_liaison,
            "liaison_other": other_liaison,
        },
    }


FIGURES = {
    "figure_own",
    "figure_liaised",
    "figure_department",
    "figure_park",
    "figure_formerly",
    "figure_other",
}
ROSTER = {"liaison_own", "liaison_department", "liaison_other"}
ALL = FIGURES | ROSTER

EXPECTED = {
    "administrator": ALL,
    "inspector": ALL,
    "statistician": ALL,
    # liaises with 北汽倍摩斯 today; his 龙山汽车配件 liaison ended: out of reach again
    "leader": ROSTER | {"figure_liaised"},
    # liaises with Hyundai; 分管 招商局, whose 部门包联 is 嘉诚汽车内饰
    "leader_in_charge": ROSTER | {"figure_own", "figure_department"},
    # 招商局's head: his department liaises with 嘉诚汽车内饰
    "department_head": ROSTER | {"figure_department"},
    "section_staff": ROSTER,
    # 审批局 manages the 中日韩产业园, where 韩国株山 sits
    "approvals_staff": ROSTER | {"figure_park"},
    # only his own enterprise, nothing of the committee
    "enterprise": {"figure_own", "liaison_own"},
}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_sees_exactly_its_scope(world, role):
    viewer = world["viewers"][role]
    visible = {name for name, record in world["records"].items() if can_see(viewer, record)}
    assert visible == EXPECTED[role]


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_lists_are_filtered_like_single_records(world, role):
    viewer = world["viewers"][role]
    records = world["records"]
    for model in (EnterpriseFigure, LiaisonAssignment):
        visible_ids = set(scope_queryset(model.objects.all(), viewer).values_list("pk", flat=True))
        for name, record in records.items():
            if isinstance(record, model):
                assert (record.pk in visible_ids) == (name in EXPECTED[role]), (model, name)


def test_every_staff_member_reads_the_register_an_enterprise_user_only_his_own(world):
    enterprises = set(Enterprise.objects.values_list("pk", flat=True))
    for role, viewer in world["viewers"].items():
        visible = set(Enterprise.objects.visible_to(viewer).values_list("pk", flat=True))
        if role == "enterprise":
            assert visible == {viewer.enterprise_id}
        else:
            assert visible == enterprises


def test_admin_figure_list_follows_the_same_scope(world):
    client = Client()
    client.force_login(world["viewers"]["department_head"])
    response = client.get("/admin/enterprises/enterprisefigure/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "嘉诚汽车内饰" in body
    assert "北汽倍摩斯" not in body and "韩国株山" not in body
    outside = world["records"]["figure_liaised"]
    page = client.get(f"/admin/enterprises/enterprisefigure/{outside.pk}/change/")
    assert page.status_code in (302, 404)


def test_api_figure_list_follows_the_same_scope(world):
    client = Client()
    client.force_login(world["viewers"]["leader"])
    items = client.get("/api/v1/enterprises/figures?limit=100").json()["items"]
    assert {item["enterprise_name"] for item in items} == {"北汽倍摩斯"}
    outside = world["records"]["figure_department"]
    assert client.get(f"/api/v1/enterprises/{outside.enterprise_id}/figures?year=2019").json() == []


def test_scoped_list_query_count_does_not_grow_with_rows(world, django_assert_num_queries):
    viewer = world["viewers"]["leader"]
    list(scope_queryset(EnterpriseFigure.objects.all(), viewer))  # his scope, once per request
    for _ in range(20):
        enterprise = make_enterprise()
        make_liaison(enterprise, person=viewer)
        _figure(enterprise)
    with django_assert_num_queries(1):
        assert len(list(scope_queryset(EnterpriseFigure.objects.all(), viewer))) == 21

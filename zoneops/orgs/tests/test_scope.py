"""The data-scope matrix: which role sees whose records, for every model so far.

Every later model joins this matrix (add a row to RECORDS and its expectation per viewer).
"""

import pytest
from django.test import Client

from zoneops.api.models import ApiToken
from zoneops.api.services import api_token_create
from zoneops.common.scope import can_see, scope_queryset
from zoneops.common.services import record_save
from zoneops.enterprises.models import Enterprise
from zoneops.orgs.enums import DepartmentKind, RoleCode
from zoneops.orgs.models import Department, Role, User
from zoneops.orgs.tests.factories import make_department, make_user
from zoneops.parks.enums import CarrierKind
from zoneops.parks.models import Park


@pytest.fixture
def world(org):
    """Records owned across the tree, and one viewer per role."""
    leaders_office = make_department("领导班子", parent=org["zone"])
    hyundai = record_save(instance=Enterprise(name="北京现代沧州工厂"), by=None)
    other_firm = record_save(instance=Enterprise(name="其他企业（示例）", is_sample=True), by=None)
    park = record_save(instance=Park(name="中日韩产业园", kind=CarrierKind.PARK), by=None)

    section_member = make_user(RoleCode.STAFF, departments=[org["investment_section"]])
    approvals_member = make_user(RoleCode.STAFF, departments=[org["approvals"]])
    viewers = {
        "administrator": make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]]),
        "leader": make_user(
            RoleCode.LEADER, departments=[leaders_office], in_charge_of=[org["investment"]]
        ),
        "department_head": make_user(RoleCode.DEPARTMENT_HEAD, departments=[org["investment"]]),
        "staff": make_user(RoleCode.STAFF, departments=[org["investment"]]),
        "inspector": make_user(RoleCode.INSPECTOR, departments=[org["zone"]]),
        "statistician": make_user(RoleCode.STATISTICIAN, departments=[org["zone"]]),
        "enterprise": make_user(RoleCode.ENTERPRISE, enterprise=hyundai),
    }
    own_token, _raw = api_token_create(user=viewers["staff"], name="对接")
    other_token, _raw = api_token_create(user=approvals_member, name="对接")
    return {
        "viewers": viewers,
        "records": {
            "department": org["approvals"],
            "role": Role.objects.get(code=RoleCode.STAFF),
            "park": park,
            "user_in_section": section_member,
            "user_in_approvals": approvals_member,
            "own_enterprise": hyundai,
            "other_enterprise": other_firm,
            "staff_token": own_token,
            "other_token": other_token,
        },
    }


ALL = {
    "department",
    "role",
    "park",
    "user_in_section",
    "user_in_approvals",
    "own_enterprise",
    "other_enterprise",
    "staff_token",
    "other_token",
}
REFERENCE = {"department", "role", "park", "own_enterprise", "other_enterprise"}

EXPECTED = {
    "administrator": ALL,
    "inspector": ALL,
    "statistician": ALL,
    # 分管 招商局: its section's people are in reach, the approvals bureau is not.
    "leader": REFERENCE | {"user_in_section"},
    # own department and below
    "department_head": REFERENCE | {"user_in_section"},
    # own department only: the section below is out of reach; his own token is his record
    "staff": REFERENCE | {"staff_token"},
    # only his own enterprise, nothing of the committee
    "enterprise": {"own_enterprise"},
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
    for model in (Department, Role, Park, User, Enterprise, ApiToken):
        visible_ids = set(scope_queryset(model.objects.all(), viewer).values_list("pk", flat=True))
        for name, record in records.items():
            if isinstance(record, model):
                assert (record.pk in visible_ids) == (name in EXPECTED[role]), (model, name)


def test_custom_department_scope_reaches_chosen_departments_and_below(world, org):
    role = Role.objects.get(code=RoleCode.STAFF)
    role.data_scope = "custom"
    record_save(instance=role, by=None)
    role.custom_departments.set([org["investment"]])
    viewer = make_user(RoleCode.STAFF, departments=[org["approvals"]])
    assert can_see(viewer, world["records"]["user_in_section"])
    assert not can_see(viewer, world["records"]["user_in_approvals"])


def test_self_scope_sees_only_own_records(world, org):
    role = Role.objects.get(code=RoleCode.STAFF)
    role.data_scope = "self"
    record_save(instance=role, by=None)
    viewer = make_user(RoleCode.STAFF, departments=[org["approvals"]])
    token, _raw = api_token_create(user=viewer, name="自用")
    assert can_see(viewer, token)
    assert can_see(viewer, viewer)
    assert not can_see(viewer, world["records"]["user_in_approvals"])


def test_user_in_several_departments_sees_both(world, org):
    viewer = make_user(RoleCode.STAFF, departments=[org["investment_section"], org["approvals"]])
    assert can_see(viewer, world["records"]["user_in_section"])
    assert can_see(viewer, world["records"]["user_in_approvals"])


def test_admin_user_list_shows_only_scoped_users(world):
    client = Client()
    client.force_login(world["viewers"]["department_head"])
    response = client.get("/admin/orgs/user/")
    assert response.status_code == 200
    body = response.content.decode()
    assert world["records"]["user_in_section"].username in body
    assert world["records"]["user_in_approvals"].username not in body


def test_admin_refuses_object_page_outside_scope(world):
    client = Client()
    client.force_login(world["viewers"]["department_head"])
    outside = world["records"]["user_in_approvals"]
    response = client.get(f"/admin/orgs/user/{outside.pk}/change/", follow=True)
    assert response.redirect_chain  # Django's admin sends an unknown object back to the list
    assert outside.username not in response.content.decode()
    assert client.get(f"/admin/orgs/user/{outside.pk}/history/").status_code == 404


def test_api_user_list_follows_the_same_scope(world):
    client = Client()
    client.force_login(world["viewers"]["department_head"])
    response = client.get("/api/v1/orgs/users?limit=100")
    assert response.status_code == 200
    usernames = {item["username"] for item in response.json()["items"]}
    assert world["records"]["user_in_section"].username in usernames
    assert world["records"]["user_in_approvals"].username not in usernames
    outside = world["records"]["user_in_approvals"]
    assert client.get(f"/api/v1/orgs/users/{outside.pk}").status_code == 404


def test_enterprise_user_cannot_reach_the_back_office(world):
    client = Client()
    client.force_login(world["viewers"]["enterprise"])
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize("url", ["/admin/orgs/user/", "/api/v1/orgs/users?limit=100"])
def test_list_query_count_does_not_grow_with_rows(world, org, url, django_assert_max_num_queries):
    client = Client()
    client.force_login(world["viewers"]["leader"])
    with django_assert_max_num_queries(30) as few:
        assert client.get(url).status_code == 200
    for index in range(30):
        make_user(RoleCode.STAFF, departments=[org["investment_section"]], username=f"bulk{index}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(url).content.decode()
    assert "bulk29" in body


def test_kinds_of_department_tree(org):
    assert org["investment_section"].parent == org["investment"]
    assert org["city"].kind == DepartmentKind.CITY


def test_any_colleague_can_be_picked_but_not_read(world):
    from zoneops.common.scope import pickable_queryset

    staff = world["viewers"]["staff"]
    outside = world["records"]["user_in_approvals"]
    assert pickable_queryset(User.objects.all(), staff).filter(pk=outside.pk).exists()
    assert not can_see(staff, outside)
    enterprise_user = world["viewers"]["enterprise"]
    assert not pickable_queryset(User.objects.all(), enterprise_user).exists()

    client = Client()
    client.force_login(world["viewers"]["department_head"])
    found = client.get(
        "/admin/autocomplete/",
        {
            "term": outside.display_name,
            "app_label": "projects",
            "model_name": "project",
            "field_name": "liaison_leader",
        },
    ).json()
    assert [item["id"] for item in found["results"]] == [str(outside.pk)]
    assert client.get(f"/admin/orgs/user/{outside.pk}/history/").status_code == 404

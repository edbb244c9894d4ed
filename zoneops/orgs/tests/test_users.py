"""Users: the rules that tie roles to the kind of user, and the trace of every change."""

import pytest
from django.test import Client

from zoneops.common.exceptions import ApplicationError, StaleEditError
from zoneops.common.services import record_save
from zoneops.enterprises.models import Enterprise
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.models import Membership, Role, User
from zoneops.orgs.services import (
    role_update,
    user_set_departments,
    user_set_roles,
    user_update,
)
from zoneops.orgs.tests.admin_forms import change_form_data
from zoneops.orgs.tests.factories import make_user


@pytest.fixture
def administrator(org):
    return make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]])


@pytest.fixture
def admin_client(administrator):
    client = Client()
    client.force_login(administrator)
    return client


@pytest.fixture
def enterprise(db):
    return record_save(instance=Enterprise(name="北京现代沧州工厂"), by=None)


def role_pk(code: RoleCode) -> int:
    return Role.objects.get(code=code).pk


def change_url(user: User) -> str:
    return f"/admin/orgs/user/{user.pk}/change/"


def snapshot(user: User) -> tuple:
    user = User.objects.get(pk=user.pk)
    return (
        user.version,
        user.is_staff,
        user.is_superuser,
        user.enterprise_id,
        sorted(user.role_codes),
        sorted(user.groups.values_list("name", flat=True)),
        user.history.count(),
    )


def form_errors(response) -> dict[str, list[str]]:
    assert response.status_code == 200, response.status_code
    return response.context["adminform"].form.errors


# -- the rules, through the admin change form ------------------------------------------


def test_admin_refuses_administrator_role_for_enterprise_user(admin_client, enterprise):
    user = make_user(RoleCode.ENTERPRISE, enterprise=enterprise)
    before = snapshot(user)
    data = change_form_data(admin_client, change_url(user))
    data["roles"] = [role_pk(RoleCode.ENTERPRISE), role_pk(RoleCode.ADMINISTRATOR)]

    response = admin_client.post(change_url(user), data)

    assert form_errors(response)["roles"] == ["企业用户只能拥有“企业用户”角色。"]
    assert "企业用户只能拥有“企业用户”角色。" in response.content.decode()
    assert snapshot(user) == before
    assert not User.objects.get(pk=user.pk).has_perm("orgs.change_user")


def test_admin_refuses_superuser_for_enterprise_user(enterprise):
    # Only a superuser is offered the checkbox at all (test_scope_widening).
    superuser = User.objects.create_superuser("root", password="x")
    client = Client()
    client.force_login(superuser)
    user = make_user(RoleCode.ENTERPRISE, enterprise=enterprise)
    before = snapshot(user)
    data = change_form_data(client, change_url(user))
    data["is_superuser"] = True

    response = client.post(change_url(user), data)

    assert form_errors(response)["is_superuser"] == ["企业用户不能是超级用户。"]
    assert snapshot(user) == before


def test_admin_refuses_enterprise_role_without_an_enterprise(admin_client, org):
    user = make_user(RoleCode.STAFF, departments=[org["investment"]])
    before = snapshot(user)
    data = change_form_data(admin_client, change_url(user))
    data["roles"] = [role_pk(RoleCode.ENTERPRISE)]

    response = admin_client.post(change_url(user), data)

    assert form_errors(response)["enterprise"] == ["“企业用户”角色必须绑定所属企业。"]
    assert snapshot(user) == before


def test_admin_refuses_an_enterprise_for_a_user_with_staff_roles(admin_client, org, enterprise):
    user = make_user(RoleCode.STAFF, departments=[org["investment"]])
    before = snapshot(user)
    data = change_form_data(admin_client, change_url(user))
    data["enterprise"] = enterprise.pk

    response = admin_client.post(change_url(user), data)

    assert form_errors(response)["roles"] == ["企业用户只能拥有“企业用户”角色。"]
    assert snapshot(user) == before


def test_admin_moving_a_user_to_an_enterprise_takes_back_office_access_away(
    admin_client, org, enterprise
):
    user = make_user(RoleCode.STAFF, departments=[org["investment"]])
    data = change_form_data(admin_client, change_url(user))
    data["enterprise"] = enterprise.pk
    data["roles"] = [role_pk(RoleCode.ENTERPRISE)]
    data["is_staff"] = True  # read-only on the page: a posted value is ignored

    response = admin_client.post(change_url(user), data)

    assert response.status_code == 302
    user = User.objects.get(pk=user.pk)
    assert (user.enterprise_id, user.is_staff, user.role_codes) == (
        enterprise.pk,
        False,
        {RoleCode.ENTERPRISE},
    )
    assert list(user.groups.values_list("name", flat=True)) == ["role:enterprise"]


def test_admin_adds_a_user_through_the_service(admin_client, administrator):
    response = admin_client.post(
        "/admin/orgs/user/add/",
        {
            "username": "newcomer",
            "usable_password": "true",
            "password1": "Zone-ops-2026!x",
            "password2": "Zone-ops-2026!x",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="newcomer")
    assert user.is_staff and user.check_password("Zone-ops-2026!x")
    assert user.history.get().history_user == administrator


# -- the rules, in the services -------------------------------------------------------


def test_set_roles_refuses_administrator_for_enterprise_user(enterprise):
    user = make_user(RoleCode.ENTERPRISE, enterprise=enterprise)
    before = snapshot(user)
    with pytest.raises(ApplicationError) as refused:
        user_set_roles(user=user, role_codes=[RoleCode.ADMINISTRATOR])
    assert refused.value.field == "roles"
    assert snapshot(user) == before


def test_set_roles_refuses_enterprise_role_for_staff(org):
    user = make_user(RoleCode.STAFF, departments=[org["investment"]])
    with pytest.raises(ApplicationError) as refused:
        user_set_roles(user=user, role_codes=[RoleCode.STAFF, RoleCode.ENTERPRISE])
    assert refused.value.field == "enterprise"
    assert user.role_codes == {RoleCode.STAFF}


def test_update_keeps_is_staff_following_the_enterprise(org, enterprise):
    user = make_user(RoleCode.ENTERPRISE, enterprise=enterprise)
    user_update(user=user, by=None, expected_version=user.version, enterprise=None, roles=["staff"])
    user.refresh_from_db()
    assert user.is_staff and user.role_codes == {RoleCode.STAFF}
    with pytest.raises(TypeError):
        user_update(user=user, by=None, is_staff=False)


def test_update_from_an_old_version_is_refused_and_nothing_changes(org):
    user = make_user(RoleCode.STAFF, departments=[org["investment"]])
    old_version = user.version
    user_update(user=user, by=None, expected_version=old_version, title="科员")
    stale = User.objects.get(pk=user.pk)
    with pytest.raises(StaleEditError):
        user_update(
            user=stale, by=None, expected_version=old_version, roles=[RoleCode.ADMINISTRATOR]
        )
    assert User.objects.get(pk=user.pk).role_codes == {RoleCode.STAFF}


# -- the trace ---------------------------------------------------------------------------


def test_granting_a_role_in_the_admin_is_one_history_row_shown_on_the_history_page(
    admin_client, administrator, org
):
    user = make_user(RoleCode.STAFF, departments=[org["investment"]])
    rows_before = user.history.count()
    data = change_form_data(admin_client, change_url(user))
    data["roles"] = [role_pk(RoleCode.STAFF), role_pk(RoleCode.ADMINISTRATOR)]

    assert admin_client.post(change_url(user), data).status_code == 302

    assert user.history.count() == rows_before + 1
    latest, previous = user.history.all()[:2]
    assert latest.history_user == administrator
    changes = {change.field: change for change in latest.diff_against(previous).changes}
    assert set(changes) == {"roles"}
    assert [row["role"] for row in changes["roles"].new] == sorted(
        [role_pk(RoleCode.STAFF), role_pk(RoleCode.ADMINISTRATOR)]
    )

    page = admin_client.get(f"/admin/orgs/user/{user.pk}/history/")
    assert page.status_code == 200
    row = page.context["page_obj"].object_list[0]
    shown = {change["field"]: change for change in row.history_delta_changes}
    assert str(shown["角色"]["old"]) == "[工作人员]"
    assert str(shown["角色"]["new"]) in ("[工作人员, 系统管理员]", "[系统管理员, 工作人员]")
    assert "系统管理员" in page.content.decode()


def test_creation_records_the_roles_and_responsibilities_given(org):
    leader = make_user(RoleCode.LEADER, departments=[org["zone"]], in_charge_of=[org["investment"]])
    created, given = leader.history.order_by("history_id")
    assert (created.history_type, given.history_type) == ("+", "~")
    changes = {change.field for change in given.diff_against(created).changes}
    assert {"roles", "in_charge_of"} <= changes


def test_change_of_in_charge_is_recorded(org, administrator):
    leader = make_user(RoleCode.LEADER, departments=[org["zone"]])
    user_update(user=leader, by=administrator, in_charge_of=[org["approvals"]])
    latest, previous = leader.history.all()[:2]
    assert latest.history_user == administrator
    change = next(c for c in latest.diff_against(previous).changes if c.field == "in_charge_of")
    assert (change.old, [row["department"] for row in change.new]) == ([], [org["approvals"].pk])


def test_department_memberships_keep_their_history_and_show_on_the_user_page(
    admin_client, administrator, org
):
    user = make_user(RoleCode.STAFF, departments=[org["investment"]])
    user_set_departments(
        user=user, departments=[org["approvals"], org["investment"]], by=administrator
    )
    user_set_departments(user=user, departments=[org["approvals"]], by=administrator)

    rows = list(
        Membership.history.filter(user_id=user.pk)
        .order_by("history_id")
        .values_list("history_type", "department_id", "is_primary")
    )
    investment, approvals = org["investment"].pk, org["approvals"].pk
    assert rows == [
        ("+", investment, True),
        ("~", investment, False),
        ("+", approvals, True),
        ("-", investment, False),
    ]
    body = admin_client.get(f"/admin/orgs/user/{user.pk}/history/").content.decode()
    assert "所在部门的变更" in body and "行政审批局" in body


def test_membership_edited_in_the_admin_inline_is_recorded(admin_client, administrator, org):
    user = make_user(RoleCode.STAFF, departments=[org["investment"]])
    data = change_form_data(admin_client, change_url(user))
    data["membership_set-0-position"] = "科长"
    assert admin_client.post(change_url(user), data).status_code == 302
    latest = Membership.history.filter(user_id=user.pk).latest()
    assert (latest.history_type, latest.position, latest.history_user) == (
        "~",
        "科长",
        administrator,
    )


def test_role_custom_departments_change_is_one_history_row(org, administrator):
    role = Role.objects.get(code=RoleCode.STAFF)
    rows_before = role.history.count()
    role_update(
        role=role,
        by=administrator,
        expected_version=role.version,
        data_scope="custom",
        custom_departments=[org["investment"]],
    )
    assert role.history.count() == rows_before + 1
    latest, previous = role.history.all()[:2]
    fields = {change.field for change in latest.diff_against(previous).changes}
    assert {"data_scope", "custom_departments"} <= fields


def test_history_page_of_a_user_outside_scope_is_not_found(org):
    head = make_user(RoleCode.DEPARTMENT_HEAD, departments=[org["investment"]])
    outsider = make_user(RoleCode.STAFF, departments=[org["approvals"]])
    client = Client()
    client.force_login(head)
    assert client.get(f"/admin/orgs/user/{outsider.pk}/history/").status_code == 404
    version = outsider.history.latest().history_id
    assert client.get(f"/admin/orgs/user/{outsider.pk}/history/{version}/").status_code == 404


def test_past_version_page_cannot_revert(admin_client, org):
    user = make_user(RoleCode.STAFF, departments=[org["investment"]])
    version = user.history.earliest().history_id
    url = f"/admin/orgs/user/{user.pk}/history/{version}/"
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"username": "reverted"}).status_code == 403


def test_roles_and_responsibilities_changed_from_the_other_side_are_recorded_per_user(org):
    user = make_user(RoleCode.STAFF, departments=[org["investment"]])
    leader_role = Role.objects.get(code=RoleCode.LEADER)
    rows = user.history.count()

    leader_role.users.add(user)
    org["approvals"].leaders_in_charge.add(user)
    org["approvals"].leaders_in_charge.clear()

    assert user.history.count() == rows + 3
    newest = user.history.all()[:3]
    assert [row.in_charge_of.count() for row in newest] == [0, 1, 0]
    assert {row.role_id for row in newest[0].roles.all()} == {
        Role.objects.get(code=RoleCode.STAFF).pk,
        leader_role.pk,
    }


def test_a_refusal_only_the_service_sees_is_a_message_not_an_error_page(
    admin_client, org, monkeypatch
):
    user = make_user(RoleCode.STAFF, departments=[org["investment"]])
    before = snapshot(user)

    def refuse(**kwargs):
        raise ApplicationError("别人刚刚改过这个用户。", field="version")

    monkeypatch.setattr("zoneops.orgs.admin.user_update", refuse)
    data = change_form_data(admin_client, change_url(user))
    data["title"] = "科长"

    response = admin_client.post(change_url(user), data, follow=True)

    assert response.redirect_chain[-1][0] == change_url(user)
    assert "别人刚刚改过这个用户。" in response.content.decode()
    assert snapshot(user) == before

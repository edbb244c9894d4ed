"""Nobody widens his own scope: a user's roles, 分管 and departments are changed by someone
else; superuser status and superusers' accounts are a superuser's; a role's holder may narrow
it but not widen it — in the services and in the back office alike."""

import pytest
from django.contrib.auth.models import Permission

from zoneops.common.exceptions import PermissionDeniedError
from zoneops.orgs.enums import DataScopeKind, RoleCode
from zoneops.orgs.models import Membership, Role, User
from zoneops.orgs.services import (
    role_create,
    role_set_permissions,
    role_update,
    user_set_departments,
    user_set_roles,
    user_update,
)
from zoneops.orgs.tests.admin_forms import change_form_data
from zoneops.orgs.tests.factories import make_user, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def user_admin(org):
    """A department's user administrator: he may change users, within his department."""
    role = role_create(
        code="user_admin",
        name="用户管理员",
        data_scope=DataScopeKind.DEPT,
        permissions=Permission.objects.filter(
            content_type__app_label="orgs", codename__in=["view_user", "change_user"]
        ),
    )
    return make_user(role.code, departments=[org["investment"]])


def test_a_user_admin_cannot_give_himself_a_role(user_admin):
    with pytest.raises(PermissionDeniedError):
        user_set_roles(
            user=user_admin, role_codes=["user_admin", RoleCode.ADMINISTRATOR], by=user_admin
        )
    assert User.objects.get(pk=user_admin.pk).role_codes == {"user_admin"}


def test_a_user_admin_cannot_join_or_take_charge_of_departments_himself(user_admin, org):
    with pytest.raises(PermissionDeniedError):
        user_set_departments(
            user=user_admin, departments=[org["investment"], org["approvals"]], by=user_admin
        )
    with pytest.raises(PermissionDeniedError):
        user_update(user=user_admin, in_charge_of=[org["approvals"]], by=user_admin)
    assert set(Membership.objects.filter(user=user_admin).values_list("department", flat=True)) == {
        org["investment"].pk
    }
    assert not user_admin.in_charge_of.exists()


def test_a_user_admin_edits_his_own_phone_but_not_his_roles_in_the_back_office(user_admin):
    client = signed_in(user_admin)
    url = f"/admin/orgs/user/{user_admin.pk}/change/"
    data = change_form_data(client, url)
    data["phone"] = "13800000000"
    data["roles"] = [Role.objects.get(code=RoleCode.ADMINISTRATOR).pk]
    data["is_superuser"] = "on"

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    user_admin.refresh_from_db()
    assert user_admin.phone == "13800000000"
    assert user_admin.role_codes == {"user_admin"} and not user_admin.is_superuser


def test_a_user_admin_gives_a_colleague_no_more_than_he_has(user_admin, org):
    colleague = make_user(RoleCode.STAFF, departments=[org["investment"]])
    with pytest.raises(PermissionDeniedError):
        user_set_roles(user=colleague, role_codes=[RoleCode.ADMINISTRATOR], by=user_admin)
    with pytest.raises(PermissionDeniedError):
        user_update(user=colleague, in_charge_of=[org["approvals"]], by=user_admin)
    with pytest.raises(PermissionDeniedError):
        user_update(user=colleague, is_superuser=True, by=user_admin)
    colleague = User.objects.get(pk=colleague.pk)
    assert colleague.role_codes == {RoleCode.STAFF.value} and not colleague.is_superuser
    assert not colleague.in_charge_of.exists()

    user_set_roles(user=colleague, role_codes=["user_admin"], by=user_admin)  # what he holds
    assert User.objects.get(pk=colleague.pk).role_codes == {"user_admin"}


def test_a_superusers_account_is_a_superusers_to_change(user_admin, org):
    root = User.objects.create_superuser("root", password="x")
    Membership.objects.create(user=root, department=org["investment"], is_primary=True)
    with pytest.raises(PermissionDeniedError):
        user_update(user=root, phone="1", by=user_admin)
    client = signed_in(user_admin)
    assert client.post(f"/admin/orgs/user/{root.pk}/password/", {}).status_code == 403


def test_a_roles_holder_may_narrow_it_but_not_widen_it(user_admin):
    role = Role.objects.get(code="user_admin")
    change_user = Permission.objects.get(codename="change_user")
    view_user = Permission.objects.get(codename="view_user")
    add_user = Permission.objects.get(codename="add_user")

    with pytest.raises(PermissionDeniedError):
        role_set_permissions(
            role=role, permissions=[view_user, change_user, add_user], by=user_admin
        )
    with pytest.raises(PermissionDeniedError):
        role_update(role=role, data_scope=DataScopeKind.ALL, by=user_admin)
    role_set_permissions(role=role, permissions=[view_user], by=user_admin)

    role.refresh_from_db()
    assert role.data_scope == DataScopeKind.DEPT
    assert set(role.group.permissions.values_list("codename", flat=True)) == {"view_user"}

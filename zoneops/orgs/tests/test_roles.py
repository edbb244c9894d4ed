"""Roles in the back office: their permissions, edited by an administrator, and kept."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import translation

from zoneops.common.exceptions import ApplicationError
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.models import Role, User
from zoneops.orgs.selectors import permission_label, role_assignable_permissions
from zoneops.orgs.services import role_set_permissions, role_update, roles_sync
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


def permission(app_label: str, codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def role_url(role: Role) -> str:
    return f"/admin/orgs/role/{role.pk}/change/"


def test_permission_removed_in_the_admin_takes_effect_and_is_not_granted_again(
    admin_client, administrator, org
):
    role = Role.objects.get(code=RoleCode.STAFF)
    staff = make_user(RoleCode.STAFF, departments=[org["investment"]])
    assert staff.has_perm("parks.add_park")
    view_park = permission("parks", "view_park").pk
    add_park = permission("parks", "add_park").pk
    data = change_form_data(admin_client, role_url(role))
    assert add_park in data["permissions"]
    data["permissions"] = [pk for pk in data["permissions"] if pk != add_park]

    response = admin_client.post(role_url(role), data)

    assert response.status_code == 302
    assert not User.objects.get(pk=staff.pk).has_perm("parks.add_park")
    assert User.objects.get(pk=staff.pk).has_perm("parks.view_park")
    roles_sync()
    assert not User.objects.get(pk=staff.pk).has_perm("parks.add_park")
    assert view_park in role.group.permissions.values_list("pk", flat=True)

    latest = role.history.latest()
    assert latest.history_user == administrator
    with translation.override("zh-hans"):
        assert "移除权限：园区与产业链 | 园区与载体 | 新增" in latest.history_change_reason
        body = admin_client.get(f"/admin/orgs/role/{role.pk}/history/").content.decode()
    assert "移除权限" in body


def test_permission_granted_in_the_admin_reaches_the_role_users(admin_client, org):
    role = Role.objects.get(code=RoleCode.INSPECTOR)
    inspector = make_user(RoleCode.INSPECTOR, departments=[org["zone"]])
    assert not inspector.has_perm("parks.change_park")
    data = change_form_data(admin_client, role_url(role))
    data["permissions"] = [*data["permissions"], permission("parks", "change_park").pk]

    assert admin_client.post(role_url(role), data).status_code == 302

    assert User.objects.get(pk=inspector.pk).has_perm("parks.change_park")


def test_built_in_role_keeps_its_code(admin_client, administrator):
    role = Role.objects.get(code=RoleCode.STAFF)
    data = change_form_data(admin_client, role_url(role))
    assert "code" not in data  # read-only on the page
    data["code"] = "clerk"
    assert admin_client.post(role_url(role), data).status_code == 302
    assert Role.objects.filter(code=RoleCode.STAFF).exists()

    role.code = "clerk"
    with pytest.raises(ApplicationError) as refused:
        role_update(role=role, by=administrator)
    assert refused.value.field == "code"
    assert Role.objects.get(pk=role.pk).code == RoleCode.STAFF


def test_administrator_creates_a_role_with_permissions_in_the_admin(admin_client):
    view_park = permission("parks", "view_park").pk
    response = admin_client.post(
        "/admin/orgs/role/add/",
        {
            "name": "园区联络员",
            "code": "park_liaison",
            "data_scope": "dept",
            "permissions": [view_park],
        },
    )
    assert response.status_code == 302
    role = Role.objects.get(code="park_liaison")
    assert not role.is_builtin
    assert role.group.name == "role:park_liaison"
    assert list(role.group.permissions.values_list("pk", flat=True)) == [view_park]


def test_role_permission_choices_are_in_chinese_and_limited_to_our_apps(admin_client):
    role = Role.objects.get(code=RoleCode.ADMINISTRATOR)
    response = admin_client.get(role_url(role))
    field = response.context["adminform"].form.fields["permissions"]
    labels = [label for _pk, label in field.choices]
    assert "园区与产业链 | 园区与载体 | 查看" in labels
    assert "登录安全 | 登录尝试 | 删除" in labels
    assert not [label for label in labels if "Can " in label or "historical" in label]
    apps_offered = set(field.queryset.values_list("content_type__app_label", flat=True))
    assert {"parks", "orgs", "auth", "axes"} <= apps_offered
    assert not apps_offered & {"sessions", "contenttypes", "admin"}


def test_permissions_outside_the_assignable_ones_are_refused(administrator):
    role = Role.objects.get(code=RoleCode.STAFF)
    session_permission = Permission.objects.filter(content_type__app_label="sessions").first()
    with pytest.raises(ApplicationError) as refused:
        role_set_permissions(
            role=role, permissions=[*role.group.permissions.all(), session_permission], by=None
        )
    assert refused.value.field == "permissions"


def test_role_set_permissions_writes_nothing_when_nothing_changes(administrator):
    role = Role.objects.get(code=RoleCode.LEADER)
    rows = role.history.count()
    role_set_permissions(role=role, permissions=role.group.permissions.all(), by=administrator)
    assert role.history.count() == rows


def test_view_only_users_read_the_permissions_of_a_role(org):
    staff = make_user(RoleCode.STAFF, departments=[org["investment"]])
    client = Client()
    client.force_login(staff)
    role = Role.objects.get(code=RoleCode.INSPECTOR)
    body = client.get(role_url(role)).content.decode()
    with translation.override("zh-hans"):
        assert permission_label(permission("parks", "view_park")) in body


def test_axes_is_named_in_chinese(admin_client):
    with translation.override("zh-hans"):
        assert str(apps.get_app_config("axes").verbose_name) == "登录安全"
    body = admin_client.get("/admin/axes/accessattempt/").content.decode()
    assert "登录安全" in body
    assert ">Axes<" not in body and "Axes</" not in body
    assert role_assignable_permissions().filter(content_type__app_label="axes").exists()

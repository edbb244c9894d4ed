"""Writes of the organisation: departments, users, their roles and memberships."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from zoneops.common.exceptions import ApplicationError
from zoneops.common.services import record_save
from zoneops.orgs.enums import DepartmentKind, RoleCode
from zoneops.orgs.models import Department, Membership, Role, RoleDefaultGrant, User
from zoneops.orgs.roles import ROLE_DEFAULTS, RoleDefault


def _app_labels(*, system: bool) -> list[str]:
    labels = []
    for config in apps.get_app_configs():
        group = getattr(config, "nav_group", None)
        if group is None:
            continue
        if (group == "system") == system:
            labels.append(config.label)
    return labels


def _default_permissions(default: RoleDefault) -> Q:
    condition = Q(pk__in=[])
    for labels, actions in (
        (_app_labels(system=False), default.business_actions),
        (_app_labels(system=True), default.system_actions),
        *(([label], acts) for label, acts in default.app_actions),
    ):
        for action in actions:
            condition |= Q(content_type__app_label__in=labels, codename__startswith=f"{action}_")
    if default.code == RoleCode.ADMINISTRATOR:
        condition |= Q(content_type__app_label__in=["auth", "axes"])
    return condition


def roles_sync(*, using: str = "default") -> list[Role]:
    """Create the built-in roles and grant the default permissions they lack. Idempotent.

    A default permission is granted once: one that an administrator later took away from a
    role stays away; permissions of models added later are granted on the next migrate.
    """
    roles = []
    with transaction.atomic(using=using):
        for default in ROLE_DEFAULTS:
            role = Role.objects.using(using).filter(code=default.code).first()
            if role is None:
                group, _created = Group.objects.using(using).get_or_create(
                    name=f"role:{default.code}"
                )
                role = Role.objects.using(using).create(
                    code=default.code,
                    name=str(default.code.label),
                    data_scope=default.data_scope,
                    group=group,
                    is_builtin=True,
                )
            wanted = set(
                Permission.objects.using(using)
                .filter(_default_permissions(default))
                .values_list("pk", flat=True)
            )
            granted_before = set(
                RoleDefaultGrant.objects.using(using)
                .filter(role=role)
                .values_list("permission_id", flat=True)
            )
            new = wanted - granted_before
            if new:
                role.group.permissions.add(*new)
                RoleDefaultGrant.objects.using(using).bulk_create(
                    [RoleDefaultGrant(role=role, permission_id=pk) for pk in new]
                )
            roles.append(role)
    return roles


def department_create(
    *,
    name: str,
    code: str,
    kind: DepartmentKind | str,
    parent: Department | None = None,
    short_name: str = "",
    order: int = 0,
    by: Any = None,
) -> Department:
    department = Department(
        name=name, code=code, kind=kind, parent=parent, short_name=short_name, order=order
    )
    return record_save(instance=department, by=by)


@transaction.atomic
def user_create(
    *,
    username: str,
    display_name: str,
    password: str | None = None,
    departments: Sequence[Department] = (),
    roles: Iterable[RoleCode | str] = (),
    in_charge_of: Iterable[Department] = (),
    enterprise: Any = None,
    title: str = "",
    phone: str = "",
    email: str = "",
    by: Any = None,
) -> User:
    """Create a user; staff get the back office, an enterprise user only his enterprise's pages."""
    role_codes = [str(code) for code in roles]
    if enterprise is not None and role_codes and role_codes != [RoleCode.ENTERPRISE]:
        raise ApplicationError(_("企业用户只能拥有“企业用户”角色。"), field="roles")
    if enterprise is None and RoleCode.ENTERPRISE in role_codes:
        raise ApplicationError(_("“企业用户”角色必须绑定所属企业。"), field="enterprise")
    if User.objects.filter(username=username).exists():
        raise ApplicationError(
            _("用户名“%(username)s”已存在。") % {"username": username}, field="username"
        )
    user = User(
        username=username,
        display_name=display_name,
        first_name=display_name[:150],
        email=email,
        title=title,
        phone=phone,
        enterprise=enterprise,
        is_staff=enterprise is None,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user._history_user = by if by is not None and by.pk else None  # type: ignore[attr-defined]
    user.save()
    if enterprise is not None and not role_codes:
        role_codes = [RoleCode.ENTERPRISE]
    user_set_roles(user=user, role_codes=role_codes)
    user_set_departments(user=user, departments=departments)
    if in_charge_of:
        user.in_charge_of.set(in_charge_of)
    return user


@transaction.atomic
def user_set_roles(*, user: User, role_codes: Iterable[str]) -> User:
    codes = list(dict.fromkeys(str(code) for code in role_codes))
    roles = list(Role.objects.filter(code__in=codes).select_related("group"))
    unknown = set(codes) - {role.code for role in roles}
    if unknown:
        raise ApplicationError(
            _("未知的角色：%(codes)s") % {"codes": "、".join(sorted(unknown))}, field="roles"
        )
    user.roles.set(roles)
    user.groups.set([role.group for role in roles])
    return user


@transaction.atomic
def user_set_departments(*, user: User, departments: Sequence[Department]) -> User:
    """The first department is the primary one."""
    Membership.objects.filter(user=user).exclude(department__in=departments).delete()
    existing = set(Membership.objects.filter(user=user).values_list("department_id", flat=True))
    Membership.objects.bulk_create(
        [
            Membership(user=user, department=department, is_primary=index == 0)
            for index, department in enumerate(departments)
            if department.pk not in existing
        ]
    )
    if departments:
        Membership.objects.filter(user=user).update(is_primary=False)
        Membership.objects.filter(user=user, department=departments[0]).update(is_primary=True)
    return user


def role_for(code: RoleCode | str) -> Role:
    return Role.objects.get(code=str(code))


def user_set_password(*, user: User, password: str) -> User:
    """Set a password; only the password column is written (history leaves passwords out)."""
    if not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    return user

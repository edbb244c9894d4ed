"""Writes of the organisation: departments, users, their roles and memberships."""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from zoneops.common.exceptions import ApplicationError, PermissionDeniedError
from zoneops.common.scope import scope_for
from zoneops.common.services import acting_user, record_check_version, record_save
from zoneops.orgs.enums import DataScopeKind, DepartmentKind, RoleCode
from zoneops.orgs.models import Department, Membership, Role, RoleDefaultGrant, User
from zoneops.orgs.roles import ACTIONS, ROLE_DEFAULTS, RoleDefault, app_grants
from zoneops.orgs.selectors import permission_label, role_assignable_permissions


def _app_labels(*, system: bool, administrators: bool = False) -> list[str]:
    """Apps of the business areas, or of 系统管理; apps marked `admin_only` (API tokens) only
    for the administrator's role."""
    labels = []
    for config in apps.get_app_configs():
        group = getattr(config, "nav_group", None)
        if group is None or (getattr(config, "admin_only", False) and not administrators):
            continue
        if (group == "system") == system:
            labels.append(config.label)
    return labels


def _system_settings() -> Q:
    """The settings that business apps keep for administrators (a model saying
    `system_setting = True`, e.g. the limits of enterprise requests): granted like 系统管理."""
    condition = Q(pk__in=[])
    for model in apps.get_models():
        if getattr(model, "system_setting", False):
            condition |= Q(
                content_type__app_label=model._meta.app_label,
                content_type__model=model._meta.model_name,
            )
    return condition


def _default_permissions(default: RoleDefault) -> Q:
    condition = Q(pk__in=[])
    settings = _system_settings()
    for labels, actions, scope in (
        (_app_labels(system=False), default.business_actions, ~settings),
        (
            _app_labels(system=True, administrators=default.code == RoleCode.ADMINISTRATOR),
            default.system_actions,
            Q(),
        ),
    ):
        for action in actions:
            condition |= (
                Q(content_type__app_label__in=labels, codename__startswith=f"{action}_") & scope
            )
    for action in default.system_actions:
        condition |= settings & Q(codename__startswith=f"{action}_")
    for app_label, entry in app_grants(default.code):
        if entry in ACTIONS:
            # An action on every model of the app, its system settings aside.
            condition |= (
                Q(content_type__app_label=app_label, codename__startswith=f"{entry}_") & ~settings
            )
        else:
            condition |= Q(content_type__app_label=app_label, codename=entry)
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
                    name=_group_name(default.code)
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
    receives_enterprise_requests: bool = False,
    by: User | None = None,
) -> Department:
    department = Department(
        name=name,
        code=code,
        kind=kind,
        parent=parent,
        short_name=short_name,
        order=order,
        receives_enterprise_requests=receives_enterprise_requests,
    )
    return record_save(instance=department, by=by)


# What an edit of a user may change (is_staff is not among them: it follows from the enterprise).
USER_EDITABLE_FIELDS = frozenset(
    {
        "username",
        "display_name",
        "title",
        "phone",
        "email",
        "is_active",
        "is_superuser",
        "enterprise",
        "roles",
        "in_charge_of",
        "departments",
    }
)


# What decides what a user may see and do: nobody changes these of his own account.
USER_SCOPE_FIELDS = ("roles", "in_charge_of", "departments", "is_superuser", "enterprise")


def user_scope_changes(*, user: User, fields: dict[str, Any]) -> set[str]:
    """Which of the scope-giving fields an edit really changes (a form sends them all)."""
    changed: set[str] = set()
    if user.pk is None:
        return set(fields) & set(USER_SCOPE_FIELDS)
    stored = User._base_manager.get(pk=user.pk)
    for name in USER_SCOPE_FIELDS:
        if name not in fields:
            continue
        value = fields[name]
        if name in ("roles", "in_charge_of", "departments"):
            before = list(getattr(stored, name).values_list("pk", flat=True))
            after = [_pk_of(item) for item in value]
            if set(before) != set(after):
                changed.add(name)
            elif name == "departments" and after:
                # The first department is the primary one: a new order changes it.
                primary = Membership.objects.filter(user=stored, is_primary=True)
                if primary.values_list("department_id", flat=True).first() != after[0]:
                    changed.add(name)
        elif name == "enterprise":
            if stored.enterprise_id != _pk_of(value):
                changed.add(name)
        elif getattr(stored, name) != value:
            changed.add(name)
    return changed


def _pk_of(value: Any) -> Any:
    if isinstance(value, Role):
        return value.pk
    return getattr(value, "pk", value)


def user_check_scope_change(*, user: User, by: User | None, changed: Iterable[str]) -> None:
    """Nobody widens his own scope, and nobody reaches past his own rank: a user's roles, 分管,
    departments, enterprise and superuser status are changed by someone else; superuser status
    is given and taken, and a superuser's account changed, only by a superuser."""
    actor = acting_user(by)
    if actor is None or actor.is_superuser:
        return
    changed = sorted(changed)
    if actor.pk == user.pk and changed:
        raise PermissionDeniedError(
            _("不能修改本人的角色、分管部门、所在部门或超级用户状态，请由其他管理员办理。"),
            field=changed[0],
        )
    if "is_superuser" in changed:
        raise PermissionDeniedError(
            _("只有超级用户可以授予或取消超级用户状态。"), field="is_superuser"
        )
    if user.pk is not None and User._base_manager.filter(pk=user.pk, is_superuser=True).exists():
        raise PermissionDeniedError(_("超级用户的账号只能由超级用户修改。"))


def user_check_grant(*, user: User, by: User | None, fields: dict[str, Any]) -> None:
    """Nobody gives more than he has: a role given to someone holds no permission the giver
    lacks and no wider data scope than his own; 分管 and departments given lie within the
    giver's scope. (A superuser, and the system itself, give anything.)"""
    actor = acting_user(by)
    if actor is None or actor.is_superuser:
        return
    scope = scope_for(actor)
    stored = User._base_manager.filter(pk=user.pk).first() if user.pk else None
    if fields.get("roles") is not None:
        before = set(stored.roles.values_list("pk", flat=True)) if stored else set()
        wanted = {_pk_of(role) for role in fields["roles"]}
        held = actor.get_all_permissions()
        for role in Role.objects.filter(pk__in=wanted - before).prefetch_related(
            "group__permissions__content_type", "custom_departments"
        ):
            perms = {
                f"{p.content_type.app_label}.{p.codename}" for p in role.group.permissions.all()
            }
            wider = role.data_scope == DataScopeKind.ALL and not scope.everything
            outside = not scope.everything and any(
                department.pk not in scope.department_ids
                for department in role.custom_departments.all()
            )
            if not perms <= held or wider or outside:
                raise PermissionDeniedError(
                    _("不能授予比本人权限或数据范围更大的角色“%(role)s”。") % {"role": role},
                    field="roles",
                )
    if scope.everything:
        return
    for name in ("in_charge_of", "departments"):
        if fields.get(name) is None:
            continue
        before = set(getattr(stored, name).values_list("pk", flat=True)) if stored else set()
        added = {_pk_of(department) for department in fields[name]} - before
        if added - scope.department_ids:
            raise PermissionDeniedError(
                _("只能在本人数据范围内的部门中安排分管或所在部门。"), field=name
            )


def user_check_departments(
    *, user: User, by: User | None, departments: Sequence[Department]
) -> None:
    """The rules for giving a user these departments: not his own account, nothing beyond the
    giver's scope (the back office's membership rows ask it too)."""
    given = {"departments": list(departments)}
    user_check_scope_change(user=user, by=by, changed=user_scope_changes(user=user, fields=given))
    user_check_grant(user=user, by=by, fields=given)


def user_may_change_scope_of(*, user: User, by: User | None) -> bool:
    """Whether `by` may change what decides `user`'s scope (the back office's form asks)."""
    try:
        user_check_scope_change(user=user, by=by, changed=("roles", "in_charge_of", "departments"))
    except PermissionDeniedError:
        return False
    return True


def user_check_roles(
    *, enterprise: Any, role_codes: Iterable[RoleCode | str], is_superuser: bool = False
) -> None:
    """The rules that tie roles to the kind of user; raises ApplicationError naming the field.

    An enterprise user reaches only his enterprise: he may hold the 企业用户 role and nothing
    else, and is never a superuser; the 企业用户 role in turn needs an enterprise.
    """
    codes = {str(code) for code in role_codes}
    enterprise_role = RoleCode.ENTERPRISE.value
    if enterprise is not None:
        if codes - {enterprise_role}:
            raise ApplicationError(_("企业用户只能拥有“企业用户”角色。"), field="roles")
        if is_superuser:
            raise ApplicationError(_("企业用户不能是超级用户。"), field="is_superuser")
    elif enterprise_role in codes:
        raise ApplicationError(_("“企业用户”角色必须绑定所属企业。"), field="enterprise")


@transaction.atomic
def user_create(
    *,
    username: str,
    display_name: str,
    password: str | None = None,
    departments: Sequence[Department] = (),
    roles: Iterable[Role | RoleCode | str] = (),
    in_charge_of: Iterable[Department] = (),
    enterprise: Any = None,
    title: str = "",
    phone: str = "",
    email: str = "",
    by: User | None = None,
) -> User:
    """Create a user; staff get the back office, an enterprise user only his enterprise's pages.

    History: the "+" row holds the user's fields; when roles or 分管 come with him, one more
    row records them, so his 变更记录 shows what he was given.
    """
    role_codes = _role_codes(roles)
    if enterprise is not None and not role_codes:
        role_codes = [RoleCode.ENTERPRISE.value]
    user_check_roles(enterprise=enterprise, role_codes=role_codes)
    user_check_grant(
        user=User(),
        by=by,
        fields={
            "roles": list(Role.objects.filter(code__in=role_codes)),
            "in_charge_of": list(in_charge_of),
            "departments": list(departments),
        },
    )
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
    user = record_save(instance=user, by=by, exclude_validation=["password"])
    in_charge_of = list(in_charge_of)
    changed = _user_write_roles(user=user, role_codes=role_codes)
    if in_charge_of:
        with _m2m_history_paused(user):
            user.in_charge_of.set(in_charge_of)
    user_set_departments(user=user, departments=departments, by=by)
    if changed or in_charge_of:
        record_save(instance=user, by=by, exclude_validation=["password"])
    return user


@transaction.atomic
def user_update(
    *, user: User, by: User | None, expected_version: int | None = None, **fields: Any
) -> User:
    """Change a user: his fields, roles (codes or Role), 分管 and departments, in one history row.

    The same rules as `user_create` hold for the result: an enterprise user holds only the
    企业用户 role, that role needs an enterprise, and back-office access (is_staff) follows
    from having no enterprise. A stale `expected_version` is refused and nothing changes.
    """
    unknown = set(fields) - USER_EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"user_update() cannot change: {', '.join(sorted(unknown))}")
    record_check_version(instance=user, expected_version=expected_version)
    user_check_scope_change(user=user, by=by, changed=user_scope_changes(user=user, fields=fields))
    user_check_grant(user=user, by=by, fields=fields)
    roles = fields.pop("roles", None)
    in_charge_of = fields.pop("in_charge_of", None)
    departments = fields.pop("departments", None)
    for name, value in fields.items():
        setattr(user, name, value)
    if "display_name" in fields:
        user.first_name = user.display_name[:150]
    user.is_staff = user.enterprise_id is None
    role_codes = (
        _role_codes(roles) if roles is not None else list(user.roles.values_list("code", flat=True))
    )
    user_check_roles(
        enterprise=user.enterprise_id, role_codes=role_codes, is_superuser=user.is_superuser
    )
    if roles is not None:
        _user_write_roles(user=user, role_codes=role_codes)
    if in_charge_of is not None:
        with _m2m_history_paused(user):
            user.in_charge_of.set(list(in_charge_of))
    if departments is not None:
        user_set_departments(user=user, departments=list(departments), by=by)
    # Saved last, so that its history row holds the roles and 分管 as they now are.
    return record_save(
        instance=user, by=by, expected_version=expected_version, exclude_validation=["password"]
    )


@transaction.atomic
def user_set_roles(
    *, user: User, role_codes: Iterable[Role | RoleCode | str], by: User | None = None
) -> User:
    """Give the user exactly these roles (and their permission groups), under user_create's rules.

    A change is recorded as one history row of the user, listing the roles before and after.
    """
    codes = _role_codes(role_codes)
    roles = {"roles": list(Role.objects.filter(code__in=codes))}
    user_check_scope_change(user=user, by=by, changed=user_scope_changes(user=user, fields=roles))
    user_check_grant(user=user, by=by, fields=roles)
    if _user_write_roles(user=user, role_codes=codes):
        record_save(instance=user, by=by, exclude_validation=["password"])
    return user


def _role_codes(roles: Iterable[Role | RoleCode | str]) -> list[str]:
    return list(dict.fromkeys(role.code if isinstance(role, Role) else str(role) for role in roles))


def _user_write_roles(*, user: User, role_codes: list[str]) -> bool:
    """Set roles and groups under the rules, without a history row of their own; True if changed."""
    roles = list(Role.objects.filter(code__in=role_codes).select_related("group"))
    unknown = set(role_codes) - {role.code for role in roles}
    if unknown:
        raise ApplicationError(
            _("未知的角色：%(codes)s") % {"codes": "、".join(sorted(unknown))}, field="roles"
        )
    user_check_roles(
        enterprise=user.enterprise_id,
        role_codes=role_codes,
        is_superuser=user.is_superuser,
    )
    before = set(user.roles.values_list("pk", flat=True))
    with _m2m_history_paused(user):
        user.roles.set(roles)
        user.groups.set([role.group for role in roles])
    return before != {role.pk for role in roles}


@contextmanager
def _m2m_history_paused(instance: models.Model) -> Iterator[None]:
    """Many-to-many writes make no history row each: the caller saves the record once after
    them, and that one row holds the final sets (django-simple-history's own switch)."""
    instance.skip_history_when_saving = True  # type: ignore[attr-defined]
    try:
        yield
    finally:
        del instance.skip_history_when_saving  # type: ignore[attr-defined]


@transaction.atomic
def user_set_departments(
    *, user: User, departments: Sequence[Department], by: User | None = None
) -> User:
    """The first department is the primary one. Each membership change leaves a history row."""
    user_check_departments(user=user, by=by, departments=departments)
    wanted = list(dict.fromkeys(departments))
    wanted_ids = [department.pk for department in wanted]
    current = {m.department_id: m for m in Membership.objects.filter(user=user)}
    changes: list[tuple[Membership, bool]] = [
        (membership, True)
        for department_id, membership in current.items()
        if department_id not in wanted_ids
    ]
    for index, department in enumerate(wanted):
        primary = index == 0
        membership = current.get(department.pk)
        if membership is None:
            membership = Membership(user=user, department=department, is_primary=primary)
        elif membership.is_primary == primary:
            continue
        membership.is_primary = primary
        changes.append((membership, False))
    # Leaving and stepping down before joining, so at most one primary department at any time.
    changes.sort(key=lambda change: (not change[1], change[0].is_primary))
    for membership, remove in changes:
        if by is not None and getattr(by, "pk", None):
            membership._history_user = by  # type: ignore[attr-defined]
        if remove:
            membership.delete()
        else:
            membership.save()
    return user


def role_for(code: RoleCode | str) -> Role:
    return Role.objects.get(code=str(code))


def user_set_password(*, user: User, password: str) -> User:
    """Set a password; only the password column is written (history leaves passwords out)."""
    if not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    return user


ROLE_EDITABLE_FIELDS = frozenset(
    {"name", "code", "data_scope", "custom_departments", "permissions"}
)


@transaction.atomic
def role_create(
    *,
    code: str,
    name: str,
    data_scope: DataScopeKind | str = DataScopeKind.DEPT,
    custom_departments: Iterable[Department] = (),
    permissions: Iterable[Permission] = (),
    by: User | None = None,
) -> Role:
    """A role of the zone's own, with its permission group (named after the code)."""
    if Role.objects.filter(code=code).exists():
        raise ApplicationError(_("角色编码“%(code)s”已存在。") % {"code": code}, field="code")
    group = Group.objects.filter(name=_group_name(code), role__isnull=True).first()
    if group is None:
        group = Group.objects.create(name=_group_name(code))
    role = record_save(
        instance=Role(code=code, name=name, data_scope=data_scope, group=group), by=by
    )
    custom_departments = list(custom_departments)
    if custom_departments:
        with _m2m_history_paused(role):
            role.custom_departments.set(custom_departments)
    reason = _role_write_permissions(role=role, permissions=permissions)
    if custom_departments or reason:
        record_save(instance=role, by=by, reason=reason)
    return role


@transaction.atomic
def role_update(
    *, role: Role, by: User | None, expected_version: int | None = None, **fields: Any
) -> Role:
    """Change a role: name, code, data scope, custom departments, permissions; one history row.

    A built-in role keeps its code (the standard roles are found by it); its permissions may
    change like any role's.
    """
    unknown = set(fields) - ROLE_EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"role_update() cannot change: {', '.join(sorted(unknown))}")
    record_check_version(instance=role, expected_version=expected_version)
    role_check_not_widened_by_holder(role=role, by=by, changes=fields)
    stored_code = Role.objects.filter(pk=role.pk).values_list("code", flat=True).get()
    permissions = fields.pop("permissions", None)
    custom_departments = fields.pop("custom_departments", None)
    for name, value in fields.items():
        setattr(role, name, value)
    if role.code != stored_code:
        if role.is_builtin:
            raise ApplicationError(_("内置角色的编码不能修改。"), field="code")
        _group_rename(role=role)
    if custom_departments is not None:
        with _m2m_history_paused(role):
            role.custom_departments.set(list(custom_departments))
    reason = ""
    if permissions is not None:
        reason = _role_write_permissions(role=role, permissions=permissions)
    # Saved last, so that its history row holds the departments as they now are.
    return record_save(instance=role, by=by, expected_version=expected_version, reason=reason)


@transaction.atomic
def role_set_permissions(
    *,
    role: Role,
    permissions: Iterable[Permission],
    by: User | None,
    expected_version: int | None = None,
) -> Role:
    """Give the role exactly these of the assignable permissions (others it holds stay).

    The role's users have them at their next request. A change is one history row of the
    role whose reason names what was added and removed; a default permission taken away
    from a built-in role is not granted again by `roles_sync`.
    """
    permissions = list(permissions)
    record_check_version(instance=role, expected_version=expected_version)
    role_check_not_widened_by_holder(role=role, by=by, changes={"permissions": permissions})
    reason = _role_write_permissions(role=role, permissions=permissions)
    if reason:
        record_save(instance=role, by=by, expected_version=expected_version, reason=reason)
    return role


def role_check_not_widened_by_holder(
    *, role: Role, by: User | None, changes: dict[str, Any]
) -> None:
    """Nobody widens his own scope: a role's holder may take from it (a permission, a custom
    department) but not add to it nor change its data scope; a superuser has everything already.
    """
    actor = acting_user(by)
    if actor is None or actor.is_superuser or not role.users.filter(pk=actor.pk).exists():
        return
    stored = Role._base_manager.get(pk=role.pk)
    widened = "data_scope" in changes and changes["data_scope"] != stored.data_scope
    if "custom_departments" in changes:
        before = set(stored.custom_departments.values_list("pk", flat=True))
        widened |= bool({_pk_of(d) for d in changes["custom_departments"]} - before)
    if "permissions" in changes:
        before = set(stored.group.permissions.values_list("pk", flat=True))
        widened |= bool({_pk_of(p) for p in changes["permissions"]} - before)
    if widened:
        raise PermissionDeniedError(
            _("不能扩大本人所持有的角色“%(role)s”的权限或数据范围，请由其他管理员办理。")
            % {"role": stored}
        )


def _role_write_permissions(*, role: Role, permissions: Iterable[Permission]) -> str:
    """Write the group's permissions; returns what changed, in words ("" when nothing did)."""
    wanted = {permission.pk for permission in permissions}
    assignable = set(role_assignable_permissions().values_list("pk", flat=True))
    held_all = set(role.group.permissions.values_list("pk", flat=True))
    if wanted - assignable - held_all:
        raise ApplicationError(_("所选权限中有不能分配给角色的权限。"), field="permissions")
    held = held_all & assignable
    wanted &= assignable
    added, removed = wanted - held, held - wanted
    if not added and not removed:
        return ""
    role.group.permissions.remove(*removed)
    role.group.permissions.add(*added)
    default = next((d for d in ROLE_DEFAULTS if d.code == role.code), None)
    if role.is_builtin and default is not None and removed:
        # A default an administrator took away stays away: mark it as granted once already.
        taken = Permission.objects.filter(_default_permissions(default), pk__in=removed)
        RoleDefaultGrant.objects.bulk_create(
            [RoleDefaultGrant(role=role, permission=permission) for permission in taken],
            ignore_conflicts=True,
        )
    labels = {
        permission.pk: permission_label(permission)
        for permission in Permission.objects.filter(pk__in=added | removed).select_related(
            "content_type"
        )
    }
    parts = []
    if added:
        parts.append(
            _("新增权限：%(list)s") % {"list": "、".join(sorted(labels[pk] for pk in added))}
        )
    if removed:
        parts.append(
            _("移除权限：%(list)s") % {"list": "、".join(sorted(labels[pk] for pk in removed))}
        )
    return "；".join(parts)


def _group_name(code: str) -> str:
    return f"role:{code}"


def _group_rename(*, role: Role) -> None:
    """The permission group is named after the role's code; a new code renames it."""
    name = _group_name(role.code)
    if Group.objects.filter(name=name).exclude(pk=role.group_id).exists():
        raise ApplicationError(
            _("角色编码“%(code)s”已被占用。") % {"code": role.code}, field="code"
        )
    Group.objects.filter(pk=role.group_id).update(name=name)

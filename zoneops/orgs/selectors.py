"""Reads of the organisation: the department tree, a user's data scope, role permissions."""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalChanges

from zoneops.common.scope import DataScope
from zoneops.orgs.enums import DataScopeKind, RoleCode
from zoneops.orgs.models import Department, Membership, User

# Apps without a sidebar group whose permissions a role may still hold.
ROLE_PERMISSION_EXTRA_APPS = ("auth", "axes")

PERMISSION_ACTIONS = {"view": _("查看"), "add": _("新增"), "change": _("修改"), "delete": _("删除")}


def department_tree() -> dict[int | None, list[int]]:
    """Children by parent id, in one query (an organisation has hundreds of nodes)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in Department.objects.values_list("pk", "parent_id"):
        children[parent_id].append(pk)
    return children


def department_descendant_ids(
    *, department_ids: Iterable[int], tree: dict[int | None, list[int]] | None = None
) -> set[int]:
    """The given departments and every department below them."""
    tree = department_tree() if tree is None else tree
    found: set[int] = set()
    stack = list(department_ids)
    while stack:
        pk = stack.pop()
        if pk in found:
            continue
        found.add(pk)
        stack.extend(tree.get(pk, ()))
    return found


def user_data_scope(*, user: User) -> DataScope:
    """The union of what the user's roles, departments and responsibilities let him see."""
    if user.is_superuser:
        return DataScope(user_id=user.pk, everything=True)
    if user.enterprise_id is not None:
        return DataScope(user_id=user.pk, enterprise_id=user.enterprise_id, is_staff=False)

    roles = list(user.roles.prefetch_related("custom_departments"))
    scopes = {role.data_scope for role in roles}
    if DataScopeKind.ALL in scopes:
        return DataScope(user_id=user.pk, everything=True)

    own = set(Membership.objects.filter(user=user).values_list("department_id", flat=True))
    tree = department_tree()
    visible: set[int] = set()
    if DataScopeKind.DEPT in scopes:
        visible |= own
    if DataScopeKind.DEPT_AND_BELOW in scopes:
        visible |= department_descendant_ids(department_ids=own, tree=tree)
    for role in roles:
        if role.data_scope == DataScopeKind.CUSTOM:
            custom = [d.pk for d in role.custom_departments.all()]
            visible |= department_descendant_ids(department_ids=custom, tree=tree)
    # Responsibility: a leader sees the departments he is in charge of (分管) and what is below.
    in_charge = user.in_charge_of.values_list("pk", flat=True)
    visible |= department_descendant_ids(department_ids=in_charge, tree=tree)
    return DataScope(user_id=user.pk, department_ids=frozenset(visible), member_of=frozenset(own))


def sole_department(*, user: Any) -> Department | None:
    """The user's department when he belongs to exactly one (the keeper of what he adds where
    nobody else is named), else None."""
    departments = list(user.departments.all()[:2]) if getattr(user, "pk", None) else []
    return departments[0] if len(departments) == 1 else None


def users_in_departments(*, department_ids: Iterable[int]) -> QuerySet[User]:
    return User.objects.filter(membership__department_id__in=list(department_ids)).distinct()


def role_assignable_permissions() -> QuerySet[Permission]:
    """The permissions an administrator may give a role: those of ZoneOps's apps (the ones
    with a sidebar group), auth and axes. History tables are left out: their permissions
    are not checked (SIMPLE_HISTORY_ENFORCE_HISTORY_MODEL_PERMISSIONS is off)."""
    labels = [
        config.label for config in apps.get_app_configs() if getattr(config, "nav_group", None)
    ]
    content_types = [
        content_type.pk
        for content_type in ContentType.objects.filter(
            app_label__in=[*labels, *ROLE_PERMISSION_EXTRA_APPS]
        )
        if (model := content_type.model_class()) is not None
        and not issubclass(model, HistoricalChanges)
    ]
    return (
        Permission.objects.filter(content_type__in=content_types)
        .select_related("content_type")
        .order_by("content_type__app_label", "content_type__model", "codename")
    )


def permission_label(permission: Permission) -> str:
    """A permission in the user's language: 园区与产业链 | 园区与载体 | 查看.

    Django stores a permission's name in English at migrate time ("Can view ..."), so the
    label is built from the app's and model's verbose names instead.
    """
    content_type = permission.content_type
    model = content_type.model_class()
    if model is None:
        return permission.name
    app = apps.get_app_config(content_type.app_label).verbose_name
    action, _sep, model_name = permission.codename.partition("_")
    what = PERMISSION_ACTIONS.get(action) if model_name == model._meta.model_name else None
    return f"{app} | {model._meta.verbose_name} | {what or permission.name}"


def user_membership_history(*, user_id: int) -> QuerySet:
    """Every change of the user's departments (joined, left, primary, position), newest first."""
    return (
        Membership.history.filter(user_id=user_id)
        .select_related("department", "history_user")
        .order_by("-history_date", "-history_id")
    )


def member_department_ids(*, user_id: int) -> QuerySet[Membership, Any]:
    """The ids of the departments the user belongs to, as a subquery (`department__in=...`)."""
    return Membership.objects.filter(user_id=user_id).values("department_id")


def departments_overseen(*, user: User) -> set[int]:
    """The departments a person answers for beyond his own desk, with those below them: the
    departments a department head belongs to, those a leader is in charge of (分管), and every
    department for the zone's principal leaders. Empty for anyone else."""
    codes = user.role_codes
    if RoleCode.PRINCIPAL in codes:
        return set(Department.objects.filter(is_active=True).values_list("pk", flat=True))
    heads = set()
    if RoleCode.DEPARTMENT_HEAD in codes:
        heads |= set(Membership.objects.filter(user=user).values_list("department_id", flat=True))
    heads |= set(user.in_charge_of.values_list("pk", flat=True))
    return department_descendant_ids(department_ids=heads) if heads else set()

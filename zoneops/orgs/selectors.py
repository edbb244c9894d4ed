"""Reads of the organisation: the department tree and a user's data scope."""

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import QuerySet

from zoneops.common.scope import DataScope
from zoneops.orgs.enums import DataScopeKind
from zoneops.orgs.models import Department, Membership, User


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
    return DataScope(user_id=user.pk, department_ids=frozenset(visible))


def users_in_departments(*, department_ids: Iterable[int]) -> QuerySet[User]:
    return User.objects.filter(membership__department_id__in=list(department_ids)).distinct()

"""Data scope: the one mechanism that decides which records a user may see.

A user's scope (`DataScope`) is worked out once per request by
`zoneops.orgs.selectors.user_data_scope` from his roles (all / own department and below /
own department / own records / chosen departments), the departments he is in charge of (分管)
and, through registered providers, what he liaises with (包联).

A model says through which of its fields a user reaches it (`scope_department_fields`,
`scope_owner_fields`, `scope_enterprise_field`, `scope_public`, see `BusinessModel`), and every
list — admin, pages, API, exports — filters with `Model.objects.visible_to(user)` or
`scope_queryset(queryset, user)`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import models
from django.db.models import Q


@dataclass(frozen=True)
class DataScope:
    user_id: int | None
    everything: bool = False
    department_ids: frozenset[int] = field(default_factory=frozenset)
    enterprise_id: int | None = None
    is_staff: bool = True

    @property
    def is_enterprise_user(self) -> bool:
        return self.enterprise_id is not None


NOTHING = DataScope(user_id=None, is_staff=False)

# Providers add the records a user reaches by responsibility (e.g. 包联) for a model.
ScopeProvider = Callable[[type[models.Model], DataScope], Q | None]
_providers: list[ScopeProvider] = []


def register_scope_provider(provider: ScopeProvider) -> ScopeProvider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def scope_for(user: Any) -> DataScope:
    """The user's data scope, computed once and kept on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    cached = getattr(user, "_zoneops_scope", None)
    if cached is None:
        from zoneops.orgs.selectors import user_data_scope

        cached = user_data_scope(user=user)
        user._zoneops_scope = cached
    return cached


def _field_q(model: type[models.Model], field_name: str, values: Any) -> Q:
    """Q for `field IN values`; through a subquery for many-to-many so rows never repeat."""
    model_field = model._meta.get_field(field_name.split("__")[0])
    lookup = f"{field_name}__in" if isinstance(values, list | set | frozenset) else field_name
    if model_field.many_to_many or model_field.one_to_many:
        subquery = model._base_manager.filter(**{lookup: values}).values("pk")
        return Q(pk__in=subquery)
    return Q(**{lookup: values})


def scope_filter(model: type[models.Model], scope: DataScope) -> Q | None:
    """The filter that limits `model` to `scope`; None means no limit."""
    if getattr(model, "scope_public", False) and scope.is_staff:
        return None
    if scope.everything and scope.is_staff:
        return None
    if scope.is_enterprise_user:
        enterprise_field = getattr(model, "scope_enterprise_field", None)
        if enterprise_field is None:
            return Q(pk__in=[])
        return _field_q(model, enterprise_field, scope.enterprise_id)
    if not scope.is_staff or scope.user_id is None:
        return Q(pk__in=[])
    condition = Q(pk__in=[])
    for name in getattr(model, "scope_department_fields", ()):
        if scope.department_ids:
            condition |= _field_q(model, name, set(scope.department_ids))
    for name in getattr(model, "scope_owner_fields", ()):
        condition |= _field_q(model, name, scope.user_id)
    for provider in _providers:
        extra = provider(model, scope)
        if extra is not None:
            condition |= extra
    return condition


Q_ = TypeVar("Q_", bound=models.QuerySet)


def scope_queryset(queryset: Q_, user: Any) -> Q_:
    condition = scope_filter(queryset.model, scope_for(user))
    return queryset if condition is None else queryset.filter(condition)


def can_see(user: Any, instance: models.Model) -> bool:
    """Whether one record lies in the user's scope (one query, or none when unlimited)."""
    condition = scope_filter(type(instance), scope_for(user))
    if condition is None:
        return True
    return type(instance)._base_manager.filter(condition, pk=instance.pk).exists()


def pickable_queryset(queryset: Q_, user: Any) -> Q_:
    """Records a user may choose from when filling a form (a host, an owner, a liaison leader).

    Mostly the same as what he may see; a model that says `scope_pickable_by_staff` (people)
    offers every active colleague to any staff member, so that work can be handed across
    departments without widening what he may read.
    """
    scope = scope_for(user)
    if (
        getattr(queryset.model, "scope_pickable_by_staff", False)
        and scope.is_staff
        and scope.user_id
    ):
        return queryset.filter(is_active=True, is_staff=True)
    return scope_queryset(queryset, user)


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> "ScopedQuerySet":
        return scope_queryset(self, user)


def ensure_allowed(user: Any, action: str, model: type[models.Model], instance: Any = None) -> None:
    """The one check before an action: the role's model permission, then the record's scope.

    `action` is Django's permission verb (view, add, change, delete); pages, the API and
    the CLI call this, the admin gets the same from its ModelAdmin and `ScopedAdminMixin`.
    """
    from django.core.exceptions import PermissionDenied

    codename = f"{model._meta.app_label}.{action}_{model._meta.model_name}"
    if not user.has_perm(codename):
        raise PermissionDenied
    if instance is not None and not can_see(user, instance):
        raise PermissionDenied

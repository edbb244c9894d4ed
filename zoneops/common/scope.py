"""Data scope: the one mechanism that decides which records a user may see.

A user's scope (`DataScope`) is worked out once per request by the builder the organisation
app registers (`orgs.selectors.user_data_scope`) from his roles (all / own department and below /
own department / own records / chosen departments), the departments he is in charge of (分管)
and, through registered providers, what he liaises with (包联).

A model says through which of its fields a user reaches it (`scope_department_fields`,
`scope_owner_fields`, `scope_enterprise_field`, `scope_public`, see `BusinessModel`), and every
list — admin, pages, API, exports — filters with `Model.objects.visible_to(user)` or
`scope_queryset(queryset, user)`.

Reading is not writing. The same mechanism answers "may he change it?" with `write=True`
(`can_write`, `writable_queryset`, `ensure_allowed` for change and delete): a record every
colleague reads (`scope_public`) is changed only by its owners — the fields named by
`scope_write_department_fields` / `scope_write_owner_fields` / `scope_write_enterprise_field`
where a model declares them (else the reading ones), or its parent's writers
(`scope_write_parent`) — and by a user whose scope is the whole zone.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import connections, models
from django.db.models import Q
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class DataScope:
    user_id: int | None
    everything: bool = False
    department_ids: frozenset[int] = field(default_factory=frozenset)
    enterprise_id: int | None = None
    is_staff: bool = True
    # The departments he is a member of, when the builder read them (None: not read): what a
    # department's responsibility (部门包联) reaches him through, given as values, not a subquery.
    member_of: frozenset[int] | None = None

    @property
    def is_enterprise_user(self) -> bool:
        return self.enterprise_id is not None


NOTHING = DataScope(user_id=None, is_staff=False)

# Providers add the records a user reaches by responsibility (e.g. 包联) for a model; the flag
# says whether the question is writing.
ScopeProvider = Callable[[type[models.Model], DataScope, bool], Q | None]
_providers: list[ScopeProvider] = []


# Providers whose reach lasts with the user's post (the request desk), unlike a responsibility
# that is given and ended (liaison): only these count as reaching a record "of his own".
_lasting: list[ScopeProvider] = []


def register_scope_provider(provider: ScopeProvider, *, lasting: bool = False) -> ScopeProvider:
    if provider not in _providers:
        _providers.append(provider)
    if lasting and provider not in _lasting:
        _lasting.append(provider)
    return provider


# How a user's scope is worked out from his roles and departments: the organisation app's to
# say (it registers `orgs.selectors.user_data_scope` when it is ready); nothing here knows it.
_scope_builder: Callable[..., DataScope] | None = None


def scope_covers(outer: DataScope, inner: DataScope) -> bool:
    """Whether everything `inner` reaches by department or zone-wide, `outer` reaches too
    (nobody gives, or acts through, more than he has)."""
    if outer.everything:
        return True
    return not inner.everything and inner.department_ids <= outer.department_ids


def may_act_as(actor: Any, other: Any) -> bool:
    """Whether `actor` may do all that `other` may: his permissions and data scope hold
    `other`'s (a token for `other`, say, acts as `other`). A superuser may; nobody acts as one."""
    if actor.is_superuser:
        return True
    if other.is_superuser:
        return False
    return other.get_all_permissions() <= actor.get_all_permissions() and scope_covers(
        scope_for(actor), scope_for(other)
    )


def register_scope_builder(builder: Callable[..., DataScope]) -> None:
    global _scope_builder
    _scope_builder = builder


def scope_for(user: Any) -> DataScope:
    """The user's data scope, computed once and kept on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    cached = getattr(user, "_zoneops_scope", None)
    if cached is None:
        if _scope_builder is None:
            raise RuntimeError("No scope builder registered (is zoneops.orgs installed?)")
        cached = _scope_builder(user=user)
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


_READ_DEFAULTS: dict[str, Any] = {
    "department_fields": (),
    "owner_fields": (),
    "enterprise_field": None,
}


def scope_fields(model: type[models.Model], name: str, *, write: bool = False) -> Any:
    """A model's scope declaration (`department_fields`, `owner_fields`, `enterprise_field`):
    for writing, its `scope_write_<name>` where it declares one, else the reading one."""
    if write and hasattr(model, f"scope_write_{name}"):
        return getattr(model, f"scope_write_{name}")
    return getattr(model, f"scope_{name}", _READ_DEFAULTS[name])


def scope_filter(
    model: type[models.Model], scope: DataScope, *, write: bool = False, providers: bool = True
) -> Q | None:
    """The filter that limits `model` to what `scope` may read (or, with `write`, change);
    None means no limit. Without `providers`, only what the record's own fields and the lasting
    providers give (not what a responsibility such as liaison adds for a while)."""
    if not write and getattr(model, "scope_public", False) and scope.is_staff:
        return None
    if scope.everything and scope.is_staff:
        return None
    parent = getattr(model, "scope_write_parent", None) if write else None
    if parent is not None:
        # Written by whoever may write the record it belongs to (figures: their enterprise).
        related: Any = model._meta.get_field(parent).related_model
        inner = scope_filter(related, scope, write=True)
        return None if inner is None else Q(**{f"{parent}__in": _writable_pks(related, inner)})
    if scope.is_enterprise_user:
        enterprise_field = scope_fields(model, "enterprise_field", write=write)
        if enterprise_field is None:
            return Q(pk__in=[])
        return _field_q(model, enterprise_field, scope.enterprise_id)
    if not scope.is_staff or scope.user_id is None:
        return Q(pk__in=[])
    condition = Q(pk__in=[])
    for name in scope_fields(model, "department_fields", write=write):
        if scope.department_ids:
            condition |= _field_q(model, name, set(scope.department_ids))
    for name in scope_fields(model, "owner_fields", write=write):
        condition |= _field_q(model, name, scope.user_id)
    for provider in _providers if providers else _lasting:
        extra = provider(model, scope, write)
        if extra is not None:
            condition |= extra
    return condition


def _writable_pks(model: type[models.Model], condition: Q) -> models.QuerySet:
    return model._base_manager.filter(condition).values("pk")


Q_ = TypeVar("Q_", bound=models.QuerySet)

# The most ids a subquery of a scope may give to be written as its ids (`inline_small_sets`).
SMALL_SET = 2_000


def scope_queryset(
    queryset: Q_, user: Any, *, write: bool = False, inline_small_sets: bool = False
) -> Q_:
    """`queryset` limited to what the user may read (or, with `write`, change).

    `inline_small_sets`, on PostgreSQL: each subquery of the scope (the enterprises he liaises
    with, the tasks his departments work on beside another) that gives at most SMALL_SET ids is
    read first (one small query each) and written as its ids. For a read of one page of rows
    through the indexes (the search box): the planner prices a subquery beside the other
    conditions as reaching half the table, so for a narrow reader it walked the whole table
    newest first looking for rows he may see; given the ids it sees how few they are, and reads
    them through their indexes. A larger set stays a subquery (its ids would cost more to send
    and to price than they save)."""
    condition = scope_filter(queryset.model, scope_for(user), write=write)
    if condition is None:
        return queryset
    if inline_small_sets and connections[queryset.db].vendor == "postgresql":
        condition = _small_sets_inlined(condition)
    return queryset.filter(condition)


def _small_sets_inlined(condition: Q) -> Q:
    """The same condition, each `<field>__in=<queryset>` of at most SMALL_SET ids given as ids."""
    inlined = Q()
    inlined.connector, inlined.negated = condition.connector, condition.negated
    for child in condition.children:
        if isinstance(child, Q):
            child = _small_sets_inlined(child)
        elif (
            isinstance(child, tuple)
            and child[0].endswith("__in")
            and isinstance(child[1], models.QuerySet)
        ):
            ids = _first_ids(child[1], SMALL_SET + 1)
            if len(ids) <= SMALL_SET:
                child = (child[0], ids)
        inlined.children.append(child)
    return inlined


def _first_ids(queryset: models.QuerySet, limit: int) -> list[Any]:
    """Up to `limit` values of a subquery's one column (or its records' keys)."""
    rows = list(queryset.order_by()[:limit])
    return [
        next(iter(row.values())) if isinstance(row, dict) else getattr(row, "pk", row)
        for row in rows
    ]


def writable_queryset(queryset: Q_, user: Any) -> Q_:
    """The records of `queryset` the user may change (his role's permission aside)."""
    return scope_queryset(queryset, user, write=True)


def can_see(user: Any, instance: models.Model) -> bool:
    """Whether one record lies in the user's scope (one query, or none when unlimited)."""
    return _in_scope(user, instance, write=False)


def can_write(user: Any, instance: models.Model) -> bool:
    """Whether the user may change one record, by its owners (his role's permission aside).

    A record not saved yet is his to add when he may write its parent (`scope_write_parent`,
    e.g. an enterprise's figures); without a parent, the add permission alone decides here and
    the record's service checks the rest (e.g. who may assign liaison)."""
    return _in_scope(user, instance, write=True)


def _in_scope(user: Any, instance: models.Model, *, write: bool) -> bool:
    model = type(instance)
    condition = scope_filter(model, scope_for(user), write=write)
    if condition is None:
        return True
    parent = getattr(model, "scope_write_parent", None) if write else None
    # The record as it will be: its parent (new, or moved to) is the user's to write.
    if (
        parent is not None
        and getattr(instance, f"{parent}_id", None) is not None
        and not _in_scope(user, getattr(instance, parent), write=True)
    ):
        return False
    if instance.pk is None or instance._state.adding:
        return write and (parent is None or getattr(instance, f"{parent}_id", None) is not None)
    return model._base_manager.filter(condition, pk=instance.pk).exists()


def check_not_widening_own_scope(user: Any, instance: models.Model) -> None:
    """Nobody widens his own scope by an edit: a change that names the user himself (or one of
    his departments) in a field the record's scope follows (its owner, its department) is
    refused unless he already reached the record through its own fields — not only through
    responsibility such as liaison — or his scope is the whole zone. Raises
    PermissionDeniedError naming the field."""
    if instance.pk is None or instance._state.adding:
        return
    model = type(instance)
    new_values = {
        name: getattr(instance, f"{name}_id")
        for name in _direct_scope_fields(model)
        if f"{name}_id" in instance.__dict__
    }
    name = scope_widening_field(user, model, instance.pk, new_values)
    if name is not None:
        from zoneops.common.exceptions import PermissionDeniedError

        raise PermissionDeniedError(widening_message(model, name), field=name)


def scope_widening_field(
    user: Any, model: type[models.Model], pk: Any, new_values: dict[str, Any]
) -> str | None:
    """The first of `new_values` (a scope field's name → the id it is to hold) whose change
    would widen the user's own scope (see check_not_widening_own_scope), else None."""
    scope = scope_for(user)
    if scope.everything or not scope.is_staff or scope.user_id is None:
        return None
    owners = set(scope_fields(model, "owner_fields", write=True))
    named = [
        name
        for name, value in new_values.items()
        if value is not None
        and (value == scope.user_id if name in owners else value in scope.department_ids)
    ]
    if not named:
        return None
    stored = model._base_manager.filter(pk=pk)
    before = stored.values(*[f"{name}_id" for name in named]).first() or {}
    changed = [name for name in named if before.get(f"{name}_id") != new_values[name]]
    if not changed or kept_by_own_fields(user, model, [pk]):
        return None
    return changed[0]


def kept_by_own_fields(user: Any, model: type[models.Model], pks: Iterable[Any]) -> set[Any]:
    """Which of these records the user keeps by their own fields (their owner, their
    department) or a lasting reach, or by a zone-wide scope — not only through a
    responsibility such as liaison that is given and ended. One query."""
    wanted = set(pks)
    condition = scope_filter(model, scope_for(user), write=True, providers=False)
    if condition is None or not wanted:
        return wanted
    kept = model._base_manager.filter(condition, pk__in=wanted).values_list("pk", flat=True)
    return set(kept)


def widening_message(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    return _("不能把本人或本人所在、分管的部门填为“%(field)s”：这会扩大本人的数据范围。") % {
        "field": getattr(field, "verbose_name", name)
    }


def _direct_scope_fields(model: type[models.Model]) -> list[str]:
    """The record's own scope fields that are its foreign keys (an owner, a department)."""
    names = [
        *scope_fields(model, "owner_fields", write=True),
        *scope_fields(model, "department_fields", write=True),
    ]
    return [name for name in names if "__" not in name and _is_fk(model, name)]


def _is_fk(model: type[models.Model], name: str) -> bool:
    field = model._meta.get_field(name)
    return bool(field.many_to_one)


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
    """The one check before an action: the role's model permission, then the record's scope —
    to read it for view, to change it (its owners, not its readers) for add, change and delete.

    `action` is Django's permission verb (view, add, change, delete); pages, the API and
    the CLI call this, the admin gets the same from its ModelAdmin and `ScopedAdminMixin`.
    An unsaved `instance` with add is judged by its parent (`scope_write_parent`).
    """
    from django.core.exceptions import PermissionDenied

    codename = f"{model._meta.app_label}.{action}_{model._meta.model_name}"
    if not user.has_perm(codename):
        raise PermissionDenied
    if instance is None:
        return
    allowed = can_see(user, instance) if action == "view" else can_write(user, instance)
    if not allowed:
        raise PermissionDenied

"""Shared reads."""

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar, overload

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, PermissionDenied
from django.db.models import Count, Expression, F, Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.constants import LOOKUP_SEP
from django.db.models.fields.files import FieldFile
from django.db.models.functions import Coalesce

from zoneops.common.files import ProtectedFileMixin, original_name
from zoneops.common.models import SavedView
from zoneops.common.scope import ensure_allowed


def saved_views_for(*, user: Any, page: str) -> QuerySet[SavedView]:
    """The user's own saved views of a page and the ones others shared."""
    return (
        SavedView.objects.filter(page=page)
        .filter(Q(user=user) | Q(shared=True))
        .select_related("user")
        .order_by("-shared", "name")
    )


def stored_file_for(*, user: Any, model: str, pk: int, field: str) -> tuple[FieldFile, str]:
    """A stored upload and the name to offer it under, for a user who may view the record it
    belongs to (the role's permission and the data scope, see zoneops.common.files).

    PermissionDenied when he may not, ObjectDoesNotExist when there is no such file; the edge
    answers both alike, so that nobody learns what exists outside his scope.
    """
    try:
        model_class = apps.get_model(model)
        model_field = model_class._meta.get_field(field)
    except (LookupError, ValueError) as error:  # FieldDoesNotExist is a LookupError
        raise ObjectDoesNotExist(model) from error
    if not isinstance(model_field, ProtectedFileMixin):
        raise PermissionDenied
    queryset = model_class._base_manager.all()
    if model_field.owner:
        queryset = queryset.select_related(model_field.owner)
    instance = queryset.get(pk=pk)
    owner = instance
    for step in filter(None, model_field.owner.split("__")):
        owner = getattr(owner, step)
    if owner is None:
        raise ObjectDoesNotExist(model)
    ensure_allowed(user, "view", type(owner), owner)
    stored = getattr(instance, field)
    if not stored:
        raise ObjectDoesNotExist(model)
    name = getattr(instance, model_field.name_field, "") if model_field.name_field else ""
    return stored, original_name(name) or original_name(stored.name)


def related_count(model: type[Model], path: str, *, condition: Q | None = None) -> Expression:
    """How many distinct rows each `model` row reaches along `path` (those meeting `condition`
    only, if given), as an annotation counted for the rows read alone. Counting two to-many
    paths in one join multiplies them (every enterprise of a chain node by every project of
    it): on a large zone that turned a list of twenty rows into seconds.

    One step (a node's `projects`, its `enterprises`) is counted where the rows are, through
    the index of their key back to the row; a longer path from the row, grouped by its key."""
    direct = _counted_directly(model, path, condition)
    if direct is not None:
        return Coalesce(Subquery(direct), 0)
    counted = (
        model._default_manager.filter(pk=OuterRef("pk"))
        .order_by()
        .values("pk")  # grouped by the key alone, not by every column of the row
        .annotate(n=Count(path, filter=condition, distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


def _counted_directly(model: type[Model], path: str, condition: Q | None) -> QuerySet | None:
    """The count of `related_count` read from the related rows themselves, when `path` is one
    to-many step and `condition` names only fields beyond it; else None."""
    if LOOKUP_SEP in path:
        return None
    try:
        relation: Any = model._meta.get_field(path)  # a relation, forward or reverse
    except FieldDoesNotExist:
        return None
    if not (relation.one_to_many or relation.many_to_many):
        return None
    back = relation.remote_field.name if relation.auto_created else relation.related_query_name()
    if relation.many_to_many and condition is None:
        # The links alone answer (the related rows unread): the distinct rows they point to.
        field = relation.remote_field if relation.auto_created else relation
        here, there = field.m2m_reverse_field_name(), field.m2m_field_name()
        if not relation.auto_created:
            here, there = there, here
        links = field.remote_field.through._base_manager.filter(**{here: OuterRef("pk")})
        return links.order_by().values(here).annotate(n=Count(there, distinct=True)).values("n")
    # The base manager, as a join would read them: no manager's filter drops a row.
    related = relation.related_model._base_manager.filter(**{back: OuterRef("pk")})
    if condition is not None:
        beyond = _beyond(condition, f"{path}{LOOKUP_SEP}")
        if beyond is None:
            return None
        related = related.filter(beyond)
    # A related row reached by its key once; through a link table, once per link.
    distinct = bool(relation.many_to_many)
    return related.order_by().values(back).annotate(n=Count("pk", distinct=distinct)).values("n")


def _beyond(condition: Q, prefix: str) -> Q | None:
    """`condition` with `prefix` taken off every lookup (None if one does not start with it)."""
    children: list[Any] = []
    child: Any
    for child in condition.children:
        if isinstance(child, Q):
            inner = _beyond(child, prefix)
            if inner is None:
                return None
            children.append(inner)
        elif child[0].startswith(prefix):
            children.append((child[0][len(prefix) :], child[1]))
        else:
            return None
    return Q(*children, _connector=condition.connector, _negated=condition.negated)


T = TypeVar("T")
U = TypeVar("U")


class LazyRows(Sequence[T], Generic[T]):
    """Rows built from a queryset a slice at a time. A paginator (Django's, ninja's) counts the
    queryset in one query and builds the page's rows only, in the few queries `build` takes for
    any number of rows; iterating builds them all at once. Slices step forward only."""

    def __init__(self, queryset: QuerySet, build: Callable[[QuerySet], list[T]]) -> None:
        self._queryset = queryset
        self._build = build
        self._count: int | None = None
        self._all: list[T] | None = None

    def __len__(self) -> int:
        if self._all is not None:
            return len(self._all)
        if self._count is None:
            self._count = self._queryset.count()
        return self._count

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if self._all is not None:
            return self._all[index]
        if isinstance(index, slice):
            return self._build(self._queryset[index])
        if index < 0:
            index += len(self)
        rows = self._build(self._queryset[index : index + 1]) if index >= 0 else []
        if not rows:
            raise IndexError(index)
        return rows[0]

    def __iter__(self) -> Iterator[T]:
        if self._all is None:
            self._all = self._build(self._queryset)
        return iter(self._all)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal to a list, so no hash

    def map(self, function: Callable[[T], U]) -> "LazyRows[U]":
        """The same rows, each passed through `function` (an API's output), still a page at a
        time."""
        build = self._build
        return LazyRows(self._queryset, lambda rows: [function(row) for row in build(rows)])


def counts_by_department(queryset: QuerySet, department: Any = "department_id") -> dict[Any, int]:
    """How many rows of `queryset` each department holds (`department`: a field or an
    expression giving the department id), in one grouped query."""
    key = F(department) if isinstance(department, str) else department
    rows = queryset.order_by().values(by_department=key).annotate(rows=Count("pk"))
    return {row["by_department"]: row["rows"] for row in rows}

"""Records that an API payload names by id: found within what the caller may pick, else a
refusal naming the field. One place for every router (meetings, scheduling, problems, ...)."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils.translation import gettext as _

from zoneops.common.exceptions import ApplicationError
from zoneops.common.scope import pickable_queryset


def pick_one(model: type[Model], pk: int | None, *, user: Any, field: str) -> Any:
    """The record `pk` names, among those the user may pick; None stays None."""
    if pk is None:
        return None
    return pick_many(model, [pk], user=user, field=field)[0]


def storable_ids(model: type[Model], ids: list[int]) -> list[int]:
    """The ids a primary key of `model` can hold: a larger one (a payload may carry any integer)
    names no record, and the database would refuse it in a query instead of finding nothing."""
    kind = model._meta.pk.get_internal_type()
    if kind not in connection.ops.integer_field_ranges:
        return ids
    low, high = connection.ops.integer_field_range(kind)
    return [pk for pk in ids if isinstance(pk, int) and low <= pk <= high]


def pick_many(model: type[Model], ids: list[int], *, user: Any, field: str) -> list[Any]:
    """The records the ids name, in the given order, in one query."""
    wanted = list(dict.fromkeys(ids))
    queryset = pickable_queryset(model._default_manager.all(), user)
    found = {obj.pk: obj for obj in queryset.filter(pk__in=storable_ids(model, wanted))}
    missing = [str(pk) for pk in wanted if pk not in found]
    if missing:
        raise ApplicationError(
            _("未找到编号为%(pks)s的%(what)s，或您无权选用。")
            % {"pks": "、".join(missing), "what": model._meta.verbose_name},
            field=field,
        )
    return [found[pk] for pk in wanted]


@contextmanager
def payload_names(names: dict[str, str]) -> Iterator[None]:
    """A service's refusal names the payload's field (`department_id`), not the service's
    argument (`department`): `names` maps the one to the other."""
    try:
        yield
    except ApplicationError as error:
        error.field = names.get(error.field or "", error.field)
        raise

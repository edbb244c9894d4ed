"""Records that an API payload names by id: found within what the caller may pick, else a
refusal naming the field. One place for every router (meetings, scheduling, problems, ...)."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db.models import Model
from django.utils.translation import gettext as _

from zoneops.common.exceptions import ApplicationError
from zoneops.common.scope import pickable_queryset


def pick_one(model: type[Model], pk: int | None, *, user: Any, field: str) -> Any:
    """The record `pk` names, among those the user may pick; None stays None."""
    if pk is None:
        return None
    return pick_many(model, [pk], user=user, field=field)[0]


def pick_many(model: type[Model], ids: list[int], *, user: Any, field: str) -> list[Any]:
    """The records the ids name, in the given order, in one query."""
    wanted = list(dict.fromkeys(ids))
    found = {
        obj.pk: obj
        for obj in pickable_queryset(model._default_manager.all(), user).filter(pk__in=wanted)
    }
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

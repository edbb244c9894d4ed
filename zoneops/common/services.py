"""Writes shared by every app: saving and deleting a business record with its audit trail.

`record_save` is the one place where a record's version is checked (optimistic concurrency)
and where who-changed-it is filled in; the history row is written by django-simple-history in
the same transaction.
"""

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from zoneops.common.exceptions import ApplicationError, StaleEditError
from zoneops.common.inputs import DateKind, date_error
from zoneops.common.models import SavedView
from zoneops.common.scope import check_not_widening_own_scope

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

M = TypeVar("M", bound=models.Model)
U = TypeVar("U", bound="AbstractUser")


# --- checks every service makes on what it is given ------------------------------------------


def acting_user(by: U | None) -> U | None:
    """The user to record as the actor: None for the system (a command, the demo loader) and
    for one not saved (an anonymous visitor)."""
    return by if getattr(by, "pk", None) else None


def required_text(text: str, *, field: str, message: str) -> str:
    """The text stripped; empty is refused with `message` on `field`."""
    text = (text or "").strip()
    if not text:
        raise ApplicationError(message, field=field)
    return text


def check_happened(on: date, *, field: str) -> None:
    """A step is recorded on a day that has come — today or earlier — and not before the zone's
    records begin (DateKind.PAST)."""
    problem = date_error(on, DateKind.PAST)
    if problem:
        raise ApplicationError(problem, field=field)


def record_current_version(*, instance: models.Model, lock: bool = False) -> int:
    """The version now stored for the record; raises when the record is gone."""
    queryset = type(instance)._base_manager.filter(pk=instance.pk)
    if lock:
        queryset = queryset.select_for_update()
    current = queryset.values_list("version", flat=True).first()
    if current is None:
        raise ApplicationError(
            _("“%(label)s”已被删除，无法保存。") % {"label": instance}, code="gone"
        )
    return int(current)


def record_check_version(*, instance: models.Model, expected_version: int | None) -> None:
    """Refuse an edit that started from an older version than the one stored."""
    if expected_version is None or instance.pk is None or instance._state.adding:
        return
    current = record_current_version(instance=instance)
    if current != expected_version:
        raise StaleEditError(label=str(instance), current_version=current)


@transaction.atomic
def record_save(
    *,
    instance: M,
    by: "AbstractUser | None",
    expected_version: int | None = None,
    exclude_validation: Iterable[str] | None = None,
    reason: str = "",
) -> M:
    """Validate and save a business record: version check, audit fields, history row."""
    record: Any = instance  # any model with a `version` field (BusinessModel, User)
    adding = instance.pk is None or instance._state.adding
    if adding:
        record.version = 1
        if hasattr(instance, "created_by_id") and by is not None and by.pk:
            record.created_by = by
    else:
        current = record_current_version(instance=instance, lock=True)
        if expected_version is not None and current != expected_version:
            raise StaleEditError(label=str(instance), current_version=current)
        if getattr(by, "pk", None):
            check_not_widening_own_scope(by, instance)
        record.version = current + 1
    if hasattr(instance, "updated_by_id") and by is not None and getattr(by, "pk", None):
        record.updated_by = by
    try:
        instance.full_clean(exclude=list(exclude_validation or ()))
    except ValidationError:
        if not adding:
            record.version -= 1
        raise
    _attach_history(instance, by=by, reason=reason)
    instance.save()
    return instance


def record_apply(*, instance: models.Model, changes: dict[str, Any]) -> None:
    """Set the fields an edit changes (an API PATCH); an empty value for a required field is
    refused with the field's name instead of reaching the database."""
    for name, value in changes.items():
        field = instance._meta.get_field(name)
        if value is None and not field.null:
            raise ApplicationError(
                _("“%(field)s”不能为空。") % {"field": getattr(field, "verbose_name", name)},
                field=name,
            )
        setattr(instance, name, value)


@transaction.atomic
def record_delete(
    *, instance: models.Model, by: "AbstractUser | None", expected_version: int | None = None
) -> None:
    record_check_version(instance=instance, expected_version=expected_version)
    _attach_history(instance, by=by, reason="")
    try:
        instance.delete()
    except models.ProtectedError as error:
        blockers = sorted({str(obj._meta.verbose_name) for obj in error.protected_objects})
        raise ApplicationError(
            _("“%(label)s”仍被以下记录引用，不能删除：%(blockers)s")
            % {"label": instance, "blockers": "、".join(blockers)},
            code="protected",
        ) from error


@transaction.atomic
def records_bulk_create(
    *, model: type[M], instances: list[M], by: "AbstractUser | None", batch_size: int = 2000
) -> list[M]:
    """Insert many records at once (imports), each with its history row and audit fields."""
    record: Any
    for record in instances:
        record.version = 1
        if by is not None and getattr(by, "pk", None):
            record.created_by = by
            record.updated_by = by
    return bulk_create_with_history(
        instances,
        model,
        batch_size=batch_size,
        default_user=by if getattr(by, "pk", None) else None,
    )


@transaction.atomic
def records_bulk_update(
    *,
    model: type[M],
    instances: list[M],
    fields: list[str],
    by: "AbstractUser | None",
    batch_size: int = 2000,
) -> int:
    """Update many records at once (re-imports), bumping versions and writing history rows."""
    record: Any
    for record in instances:
        record.version += 1
        if by is not None and getattr(by, "pk", None):
            record.updated_by = by
    return bulk_update_with_history(
        instances,
        model,
        [*fields, "version", "updated_by"],
        batch_size=batch_size,
        default_user=by if getattr(by, "pk", None) else None,
    )


def _attach_history(instance: models.Model, *, by: "AbstractUser | None", reason: str) -> None:
    """Tell django-simple-history who made the change when there is no request (CLI, imports)."""
    if by is not None and getattr(by, "pk", None):
        instance._history_user = by  # type: ignore[attr-defined]
    instance._change_reason = reason  # type: ignore[attr-defined]


def saved_view_save(
    *, user: Any, page: str, name: str, query: str, shared: bool = False
) -> SavedView:
    """Save (or overwrite by name) the filters of a list for a user."""
    name = name.strip()
    if not name:
        raise ApplicationError(_("请填写视图名称。"), field="name")
    view, _created = SavedView.objects.update_or_create(
        user=user, page=page, name=name, defaults={"query": query.lstrip("?"), "shared": shared}
    )
    return view


def saved_view_delete(*, user: Any, view_id: int) -> None:
    deleted, _rows = SavedView.objects.filter(user=user, pk=view_id).delete()
    if not deleted:
        raise ApplicationError(_("只能删除自己保存的视图。"), field="view")

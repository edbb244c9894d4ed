"""Writes shared by every app: saving and deleting a business record with its audit trail.

`record_save` is the one place where a record's version is checked (optimistic concurrency);
the history row is written by django-simple-history in the same transaction. Who changed it,
the version and the history row's who and why follow one rule (`audit_fields`,
`history_audit`), which the bulk writes here and the importer's writer
(zoneops.common.importing.writer) follow too.
"""

from collections.abc import Iterable
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from zoneops.common.caching import models_changed
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


# --- the audit trail: one rule for every write of a business record ----------------------------


def actor_id(by: "AbstractUser | None") -> int | None:
    """The id of `acting_user`: None for the system."""
    user = acting_user(by)
    return user.pk if user is not None else None


@cache
def _audited(model: type[models.Model]) -> frozenset[str]:
    names = {field.attname for field in model._meta.concrete_fields}
    return frozenset(names & {"version", "created_by_id", "updated_by_id"})


def audit_fields(
    *,
    model: type[models.Model],
    by: "AbstractUser | None",
    creating: bool,
    stored_version: int = 0,
) -> dict[str, Any]:
    """What a write stamps on a record, by attname: a new record is version 1 and names its
    creator; a change is the stored version + 1; both name who wrote last. The system (no
    user) names no one and leaves the names as they are. A model stamps only the fields it has
    (a user has a version, no creator). When it was written is the fields' own rule
    (`auto_now_add`, `auto_now`), which the ORM and the importer's writer both apply."""
    audited = _audited(model)
    fields: dict[str, Any] = {}
    if "version" in audited:
        fields["version"] = 1 if creating else stored_version + 1
    who = actor_id(by)
    if who is not None:
        if creating and "created_by_id" in audited:
            fields["created_by_id"] = who
        if "updated_by_id" in audited:
            fields["updated_by_id"] = who
    return fields


def _stamp(record: models.Model, stamp: dict[str, Any], *, by: "AbstractUser | None") -> None:
    """Set `audit_fields` on an instance; who is set as the user itself, so that reading it
    back costs no query."""
    for name, value in stamp.items():
        if name.endswith("_by_id"):
            setattr(record, name.removesuffix("_id"), by)
        else:
            setattr(record, name, value)


def history_audit(*, by: "AbstractUser | None", reason: str) -> dict[str, Any]:
    """Who and why on a record's history row, by attname: the user (None for the system) and
    the reason (None when none is given)."""
    return {"history_user_id": actor_id(by), "history_change_reason": reason or None}


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
    current = 0
    if not adding:
        current = record_current_version(instance=instance, lock=True)
        if expected_version is not None and current != expected_version:
            raise StaleEditError(label=str(instance), current_version=current)
        if getattr(by, "pk", None):
            check_not_widening_own_scope(by, instance)
    stamp = audit_fields(model=type(instance), by=by, creating=adding, stored_version=current)
    before = {name: getattr(record, name) for name in stamp}
    _stamp(record, stamp, by=by)
    try:
        instance.full_clean(exclude=list(exclude_validation or ()))
    except ValidationError:
        for name, value in before.items():
            setattr(record, name, value)
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
    stamp = audit_fields(model=model, by=by, creating=True)
    for record in instances:
        _stamp(record, stamp, by=by)
    models_changed([model])  # a bulk write sends no signal
    return bulk_create_with_history(
        instances,
        model,
        batch_size=batch_size,
        default_user=acting_user(by),
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
        stamp = audit_fields(
            model=model, by=by, creating=False, stored_version=getattr(record, "version", 0)
        )
        _stamp(record, stamp, by=by)
    models_changed([model])  # a bulk write sends no signal
    return bulk_update_with_history(
        instances,
        model,
        [*fields, "version", "updated_by"],
        batch_size=batch_size,
        default_user=acting_user(by),
    )


def _attach_history(instance: models.Model, *, by: "AbstractUser | None", reason: str) -> None:
    """Tell django-simple-history who made the change and why (`history_audit`); without a
    user (the system) it names the request's user, if any."""
    stamp = history_audit(by=by, reason=reason)
    if stamp["history_user_id"] is not None:
        instance._history_user = by  # type: ignore[attr-defined]
    instance._change_reason = stamp["history_change_reason"]  # type: ignore[attr-defined]


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

"""The helpers every step of a clocked record uses, inside the step's `transaction.atomic`:

    record = step_lock(record, expected_version=expected_version)
    step_check_status(record, allowed, refusal=_("诉求当前为“%(status)s”，不能%(doing)s。"),
                      doing=_("答复"))
    on = step_date(record, on)
    ... change the record, record_save(...) ...
    step_event(RequestEvent, request=record, kind=Kind.ANSWERED, on=on, by=by, note=answer)

The words of each refusal are the app's: a request says 诉求, a problem says 问题.
"""

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, TypeVar

from django.db import models
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.common.exceptions import ApplicationError, StaleEditError
from zoneops.common.models import BusinessModel
from zoneops.common.services import acting_user, check_happened, records_bulk_update
from zoneops.common.workcalendar import WorkingDayResult, calendar_pinned

M = TypeVar("M", bound=BusinessModel)
E = TypeVar("E", bound=models.Model)

# About a year of working days: a longer limit is a typo, not a deadline.
MAX_LIMIT_DAYS = 250


def step_lock(
    record: M,
    *,
    expected_version: int | None,
    in_place: bool = False,
    select_related: tuple[str, ...] = (),
) -> M:
    """The record's row, locked for the rest of the transaction (select_for_update), at the
    version expected (a stale step is refused with StaleEditError, nothing changed).

    Returns a fresh instance; with `in_place` the caller's instance is read again instead (so
    that it shows the step once done) and returned.
    """
    manager: Any = type(record)._default_manager
    queryset: models.QuerySet[M] = manager.select_for_update().select_related(*select_related)
    if in_place:
        record.refresh_from_db(from_queryset=queryset)
        locked = record
    else:
        locked = queryset.get(pk=record.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleEditError(label=str(locked), current_version=locked.version)
    return locked


def step_date(record: Any, on: date | None) -> date:
    """The day of a new step: today by default, a day that has come, and not before the
    record's last step (the latest `on` of its events) nor the day it came in
    (`arrived_on_field`) — so that the events read in date order tell its state on any day.
    The refusal is the record's `step_too_early`."""
    on = on or timezone.localdate()
    check_happened(on, field="on")
    last = record.events.aggregate(last=Max("on"))["last"]
    arrived = getattr(record, record.arrived_on_field) if record.arrived_on_field else None
    earliest = max(filter(None, (last, arrived)), default=None)
    if earliest is not None and on < earliest:
        raise ApplicationError(
            str(record.step_too_early) % {"on": on, "after": earliest}, field="on"
        )
    return on


def step_check_status(
    record: Any,
    allowed: tuple[str, ...],
    *,
    refusal: str,
    code: str = "status",
    **words: Any,
) -> None:
    """Refuse a step the record's status does not allow; `refusal` may name the record's
    status as %(status)s and any of `words` (e.g. %(doing)s)."""
    if record.status not in allowed:
        values = {"status": record.get_status_display(), **words}
        raise ApplicationError(refusal % values, field="status", code=code)


def step_check_limit(limit_days: int | None, *, field: str = "limit_days") -> int:
    """A limit of 1 to MAX_LIMIT_DAYS working days."""
    if limit_days is None or not 1 <= limit_days <= MAX_LIMIT_DAYS:
        raise ApplicationError(
            _("办理时限应为 1 至 %(max)s 个工作日。") % {"max": MAX_LIMIT_DAYS}, field=field
        )
    return limit_days


def step_event(event_model: type[E], *, by: Any, on: date, **values: Any) -> E:
    """Write the step's event (who, the day, what) in the caller's transaction: `values`
    name the record (`request=...`), the `kind`, and the note, departments and whatever else
    the event carries."""
    return event_model._default_manager.create(on=on, by=acting_user(by), **values)


def deadlines_recompute(
    running: models.QuerySet,
    *,
    years: Iterable[int] | None,
    by: Any,
    deadline: Callable[[Any], WorkingDayResult] | None = None,
) -> int:
    """Work out again the stored deadlines of `running` clocked records after the work calendar
    changed: a record whose clock runs through one of `years` (from its clock's start to its
    deadline), or whose deadline is still provisional; without `years`, the provisional ones
    only. The limit stays; the date moves. The rows are locked in key order and written in one
    bulk update, inside the caller's transaction. `deadline` is how a record's deadline is
    worked out when not by its own `deadline()`. Returns how many deadlines moved."""
    model = running.model
    condition = Q(due_provisional=True)
    changed_years = list(years or ())
    if changed_years:
        first, last = min(changed_years), max(changed_years)
        started = {f"{model.clock_start_field}__lte": date(last, 12, 31)}
        condition |= Q(**started, due_on__gte=date(first, 1, 1))
    records = list(running.filter(condition).select_for_update().order_by("pk"))
    changed = []
    with calendar_pinned():
        for record in records:
            due = deadline(record) if deadline is not None else record.deadline()
            if (due.date, due.provisional) != (record.due_on, record.due_provisional):
                record.due_on, record.due_provisional = due.date, due.provisional
                changed.append(record)
    if changed:
        records_bulk_update(
            model=model, instances=changed, fields=["due_on", "due_provisional"], by=by
        )
    return len(changed)

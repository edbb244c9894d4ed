"""The clock of clocked records in lists: each record of a page gets its `clock` from one
reading of the work calendar, and a page's columns read it back with `clock_of`.

The filters (running, overdue on a day) are `ClockedQuerySet` methods and
`ClockedRecord.overdue_q`; the clock of one record is `ClockedRecord.clock(on=...)`.
"""

from collections.abc import Iterable
from datetime import date
from typing import Any, TypeVar

from django.utils import timezone

from zoneops.casework.clocks import DeadlineClock
from zoneops.casework.models import ClockedRecord
from zoneops.common.workcalendar import calendar_pinned

R = TypeVar("R", bound=ClockedRecord)

# The attribute `records_with_clock` sets on each record of a list.
CLOCK_ATTRIBUTE = "clock"


def records_with_clock(records: Iterable[R], *, on: date | None = None) -> list[R]:
    """The records of a list, each with its `clock` (its clock class, or None while no clock
    runs) set for `on` (today by default), reading the work calendar once for them all. Given
    a queryset, its own cached rows get the clock."""
    on = on or timezone.localdate()
    rows = list(records)
    with calendar_pinned():
        for record in rows:
            vars(record)[CLOCK_ATTRIBUTE] = record.clock(on=on)
    return rows


def clock_of(record: ClockedRecord, *, on: date | None = None) -> Any:
    """The clock `records_with_clock` set on the record, or worked out now."""
    if CLOCK_ATTRIBUTE in vars(record):
        return vars(record)[CLOCK_ATTRIBUTE]
    clock: DeadlineClock | None = record.clock(on=on or timezone.localdate())
    return clock

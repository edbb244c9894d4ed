"""What each clocked or dated record contributes to a person's day (今日事项, 日清日结).

The page of what is due today, due within three working days, or late — across requests,
problems, approval cases, supervision tasks, milestones and meeting decisions — names none of
those apps. Each app declares its sources on its AppConfig:

    workbench_sources = ("zoneops.<app>.workbench.<SourceClass>", ...)

A source is a class with a `key` (stable, used in URLs and carry-over records), a `label`
(its kind in the zone's words, e.g. 企业诉求), an `order` on the page, and two reads:

- `open_items(*, user, on, until, departments)`: the open items due on or before `until`
  (late, due today, due soon), unread, as `OpenItems`: their queryset, the field of their due
  day and the field (or expression) of their department, and how records become WorkItem
  rows. With `departments=None` they are the items the user owns or supervises (his own
  day); with a set of department ids they are every item those departments own (a head's or
  a leader's view). The day's page reads each one's id, due day and department (one query),
  counts them and builds only the rows it lists (one more).
- `items(...)`: the same, read: every open item as a WorkItem row (`OpenItemsSource` gives
  it). One or two queries, never one per row.
- `finished(*, user, on, departments)`: the items finished on the day `on` (the day's
  cleared list), same scope rule as `items`.
- `cleared_same_day(*, start, end, departments)`: how many of its items were finished on the
  day they arrived (收到当日办结), arrival between `start` and `end` inclusive: the zone's
  日清日结 count over a period.
- `cleared_same_day_by_department(*, start, end)` (optional): the same count per department
  id (None for items without one), in one query, so the page's lines by department take one
  query per kind; a source without it is asked `cleared_same_day` once per line.
- `notices_beyond_staff(*, on, until)` (optional): the people outside the staff's own day who
  must hear of the source's open items (the reminders, zoneops.notifications): for an
  enterprise request, the enterprise's own users. A list of `OutsideNotice`, in one or two
  queries; the owners and supervisors are already on their day (`items`) and are not repeated.

Nothing here is an app's rule: the sources read through their app's selectors.
"""

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, ClassVar, Protocol

from django.apps import apps
from django.db.models import F, QuerySet
from django.db.models.expressions import Combinable
from django.utils.module_loading import import_string

from zoneops.common.workcalendar import add_working_days

# Where an open item stands on the day (its colour on the page).
LATE, TODAY, SOON = "late", "today", "soon"
# "Due soon" reaches this many working days after the day (三个工作日内到期): the day's page
# and the reminders (due soon, overdue) read the same horizon.
SOON_WORKING_DAYS = 3


def soon_until(on: date) -> date:
    """The last day of "due within three working days" counted from `on`."""
    return add_working_days(on, SOON_WORKING_DAYS).date


@dataclass(frozen=True)
class WorkItem:
    """One open item on someone's day."""

    source: str  # the source's key
    pk: int
    title: str
    url: str  # where it is worked (its change page)
    due_on: date
    department_id: int | None
    department: str
    owner: str  # the person it is handed to, if any
    status: str  # its status, in words
    clock: Any = None  # its DeadlineClock when it runs one (the badge shows its label)
    supervised: bool = False  # the user supervises it rather than owns it

    def standing(self, on: date) -> str:
        """late, today or soon, on the day `on`."""
        if self.due_on < on:
            return LATE
        return TODAY if self.due_on == on else SOON


@dataclass(frozen=True)
class OutsideNotice:
    """A notice of an open item for people who do not work it (an enterprise's own users),
    in the source's words (they speak to the outside) with the link of their own pages."""

    source: str
    pk: int
    user_ids: tuple[int, ...]
    title: str
    text: str
    url: str
    due_on: date | None
    # What the notice is about, once per item and deadline (e.g. "late", "materials").
    reason: str
    late: bool = False


@dataclass(frozen=True)
class OpenItems:
    """A source's open items on a day, not read yet: the day's page reads each one's id, due
    day and department (to count them and pick the rows it lists), then builds only those."""

    records: QuerySet
    due: str  # the field of the due day
    department: str | Combinable  # the department's id: a field, or an expression
    # WorkItem rows of some of `records` (reading what they show, their clocks once for all).
    rows: Callable[[list[Any]], list[WorkItem]]

    def ids_due(self) -> list[tuple[int, date, int | None]]:
        """Each open item's (id, due day, department id), in one query, no record built."""
        department = F(self.department) if isinstance(self.department, str) else self.department
        return list(
            self.records.order_by()
            .annotate(work_department=department)
            .values_list("pk", self.due, "work_department")
        )

    def read(self, pks: Collection[int] | None = None) -> list[WorkItem]:
        """The WorkItem rows of the open items with these ids, or of all of them."""
        records = self.records if pks is None else self.records.filter(pk__in=list(pks))
        return self.rows(list(records))


class OpenItemsSource:
    """A source's `items`, read from its `open_items`: what every source does the same way."""

    def open_items(
        self, *, user: Any, on: date, until: date, departments: Collection[int] | None
    ) -> OpenItems:
        raise NotImplementedError

    def items(
        self, *, user: Any, on: date, until: date, departments: Collection[int] | None
    ) -> list[WorkItem]:
        return self.open_items(user=user, on=on, until=until, departments=departments).read()


class WorkSource(Protocol):
    key: ClassVar[str]
    label: ClassVar[Any]
    order: ClassVar[int]

    def open_items(
        self, *, user: Any, on: date, until: date, departments: Collection[int] | None
    ) -> OpenItems: ...

    def items(
        self, *, user: Any, on: date, until: date, departments: Collection[int] | None
    ) -> list[WorkItem]: ...

    def finished(
        self, *, user: Any, on: date, departments: Collection[int] | None
    ) -> list[WorkItem]: ...

    def cleared_same_day(
        self, *, start: date, end: date, departments: Collection[int] | None = None
    ) -> int: ...


@cache
def work_sources() -> tuple[WorkSource, ...]:
    """Every source the installed apps declare, in their `order`."""
    sources = [
        import_string(path)()
        for config in apps.get_app_configs()
        for path in getattr(config, "workbench_sources", ())
    ]
    return tuple(sorted(sources, key=lambda source: (source.order, source.key)))

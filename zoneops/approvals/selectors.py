"""Reads of government services: the catalogue, the cases a user may see with their clock, the
steps a case offers, a project's and an enterprise's cases, the day's work and the figures the
article reports for any period (DESIGN "Working-day clocks": zone figures).

How the figures are computed (`approval_figures`), for the days `start`..`end`:
- 办结 (cases handled): cases concluded in the period;
- 按时办结率: of those, the share concluded by their promised deadline (moved by the days the
  clock stood suspended);
- 平均用时: working days from acceptance to conclusion, less the days suspended;
- 承诺/法定: Σ promised limits ÷ Σ statutory limits over the items in the catalogue at the
  period's end (the article's "办理时限压缩至法定时限的50%");
- 进驻率: items in the service centre ÷ items in the catalogue at the period's end (53%);
- 承接下放: items in the catalogue at the period's end taken over from the city by then (88).
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from zoneops.approvals.enums import CaseStatus
from zoneops.approvals.models import (
    DONE_STATUSES,
    OPEN_STATUSES,
    RUNNING_STATUSES,
    Case,
    CaseEvent,
    ServiceItem,
)
from zoneops.casework.selectors import clock_of as clock_of
from zoneops.casework.selectors import records_with_clock
from zoneops.common.caching import cached_selector
from zoneops.common.scope import scope_queryset
from zoneops.common.selectors import counts_by_department
from zoneops.common.workcalendar import (
    calendar_pinned,
    working_day_numbers,
    working_days_between,
    working_days_used_sql,
)
from zoneops.orgs.models import Department

Status = CaseStatus


def _scoped(queryset: QuerySet, user: Any) -> QuerySet:
    return queryset if user is None else scope_queryset(queryset, user)


# --- the catalogue ----------------------------------------------------------------------------


def service_items_visible(*, user: Any = None) -> QuerySet[ServiceItem]:
    return _scoped(ServiceItem.objects.select_related("department"), user)


# --- cases --------------------------------------------------------------------------------------


def _for_lists(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("item", "department", "enterprise", "project", "handler")


def cases_visible(*, user: Any = None) -> QuerySet[Case]:
    """The cases a user may see (an enterprise user: its own enterprise's), for lists."""
    return _for_lists(_scoped(Case.objects.all(), user))


def case_detail_queryset(*, user: Any = None) -> QuerySet[Case]:
    """One case's page: the list's relations and its events."""
    events = CaseEvent.objects.select_related("by")
    return cases_visible(user=user).prefetch_related(Prefetch("events", queryset=events))


def cases_with_clock(cases: Any, *, on: date | None = None) -> list[Case]:
    return records_with_clock(cases, on=on)


def case_available_steps(*, case: Case, on: date | None = None) -> list[str]:
    """The steps the case's state offers on `on` (today), in the order they are taken; a case
    past its promised deadline can no longer stop its clock."""
    on = on or timezone.localdate()
    status = case.status
    if status == Status.RECEIVED:
        return ["accept", "refuse"]
    if status in (Status.ACCEPTED, Status.REVIEWING):
        if case.suspended_since is not None:
            return ["resume"]
        steps = ["review"] if status == Status.ACCEPTED else []
        if case.due_on is None or case.due_on >= on:
            steps.append("suspend")
        return [*steps, "decide"]
    if status == Status.DECIDED:
        return ["conclude"]
    return []


def project_cases(*, project: Any, user: Any = None, on: date | None = None) -> list[Case]:
    """A project's cases, open ones first with the latest deadline last, each with its clock."""
    on = on or timezone.localdate()
    queryset = (
        cases_visible(user=user)
        .filter(project=project)
        .order_by("concluded_on", "due_on", "-received_on", "pk")
    )
    return cases_with_clock(queryset, on=on)


def overdue_cases(*, on: date, user: Any = None) -> QuerySet[Case]:
    """Running, not suspended, past the promised deadline on `on` (current state)."""
    return cases_visible(user=user).filter(Case.overdue_q(on=on)).order_by("due_on", "pk")


# --- the day's work -------------------------------------------------------------------------------


def cases_due(*, user: Any, until: date, departments: Collection[int] | None) -> QuerySet[Case]:
    """Running cases with a deadline on or before `until`, their clock not standing: with
    `departments`, those the departments handle; without, those handed to the user, and those
    of his departments handed to nobody yet."""
    queryset = _for_lists(Case.objects.all()).filter(
        status__in=RUNNING_STATUSES, suspended_since__isnull=True, due_on__lte=until
    )
    return queryset.filter(_whose(user, departments)).order_by("due_on", "pk")


def _whose(user: Any, departments: Collection[int] | None) -> Q:
    if departments is not None:
        return Q(department_id__in=list(departments))
    own = Q(handler_id=user.pk)
    return own | Q(handler__isnull=True, department__in=user.departments.values("pk"))


def cases_finished_on(
    *, user: Any, on: date, departments: Collection[int] | None
) -> QuerySet[Case]:
    """Cases concluded or refused on the day `on`, same rule as `cases_due`."""
    queryset = _for_lists(Case.objects.all()).filter(
        Q(status=Status.CONCLUDED, concluded_on=on) | Q(status=Status.REFUSED, refused_on=on)
    )
    return queryset.filter(_whose(user, departments)).order_by("pk")


def _cases_concluded_on_receipt(*, start: date, end: date) -> QuerySet[Case]:
    # The conclusion's range, implied, lets PostgreSQL read it from an index as SQLite does.
    return Case.objects.filter(
        received_on__range=(start, end),
        concluded_on__range=(start, end),
        status__in=DONE_STATUSES,
        concluded_on=F("received_on"),
    )


def cases_cleared_same_day(
    *, start: date, end: date, departments: Collection[int] | None = None
) -> int:
    """Cases received between `start` and `end` and concluded the day they were received."""
    queryset = _cases_concluded_on_receipt(start=start, end=end)
    if departments is not None:
        queryset = queryset.filter(department_id__in=list(departments))
    return queryset.count()


def cases_cleared_same_day_by_department(*, start: date, end: date) -> dict[int | None, int]:
    """`cases_cleared_same_day` per department, in one query."""
    return counts_by_department(_cases_concluded_on_receipt(start=start, end=end))


# --- the figures ---------------------------------------------------------------------------------


def _percent(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _average(total: int, count: int) -> Decimal | None:
    if not count:
        return None
    return (Decimal(total) / count).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class FigureRow:
    """The figures of one item, one department or the whole zone over a period."""

    key: Any
    label: str
    concluded: int = 0
    on_time: int = 0
    days_used: int = 0
    items: int = 0
    in_centre: int = 0
    taken_over: int = 0
    promised: int = 0
    statutory: int = 0
    one_visit: int = 0
    online: int = 0

    @property
    def on_time_rate(self) -> Decimal | None:
        return _percent(self.on_time, self.concluded)

    @property
    def average_days(self) -> Decimal | None:
        return _average(self.days_used, self.concluded)

    @property
    def promised_ratio(self) -> Decimal | None:
        return _percent(self.promised, self.statutory)

    @property
    def centre_share(self) -> Decimal | None:
        return _percent(self.in_centre, self.items)


@dataclass
class Figures:
    start: date
    end: date
    total: FigureRow
    departments: list[FigureRow] = field(default_factory=list)
    items: list[FigureRow] = field(default_factory=list)
    received: int = 0
    cleared_same_day: int = 0


# Per item and department: cases concluded in the period, those concluded by their deadline, and
# the working days used (the days between the clock's start and the conclusion, by their
# numbers in the calendar, less the days suspended, never below nil; a clock started before the
# first day numbered counts none), summed in the database; last, the earliest clock started
# before that day. The period's days drive the join: each day reads its cases through
# the index on (status, concluded_on), where a range in the cases' own filter made SQLite
# scan the days for every case.
_CONCLUDED_SQL = """
    WITH day_numbers (day, number) AS (VALUES {days})
    SELECT c.item_id, c.department_id, COUNT(*),
        SUM(CASE WHEN c.concluded_on <= c.due_on THEN 1 ELSE 0 END),
        SUM(CASE WHEN c.clock_from >= %s THEN {used} ELSE 0 END),
        MIN(CASE WHEN c.clock_from < %s THEN c.clock_from END)
    FROM day_numbers u
    JOIN ({cases}) c ON c.concluded_on = u.day
    JOIN day_numbers f ON f.day = CASE WHEN c.clock_from >= %s AND c.clock_from <= c.concluded_on
        THEN c.clock_from ELSE c.concluded_on END
    WHERE u.day BETWEEN %s AND %s
    GROUP BY c.item_id, c.department_id
"""


def _concluded_by_item_and_department(
    cases: QuerySet[Case], *, start: date, end: date
) -> list[tuple[int, int, int, int, int]]:
    """(item, department, concluded, on time, working days used) of the `cases` concluded
    between `start` and `end`, the days numbered from `start`; the days used by the cases
    whose clock started before it are summed again from the earliest start (one more query
    when there are any)."""
    with calendar_pinned():  # one reading of the calendar for both sums
        groups, earliest = _concluded_sums(cases, first=start, start=start, end=end)
        if earliest is None:
            return groups
        earlier = cases.filter(clock_from__lt=start)
        started = earlier.filter(concluded_on__range=(start, end))
        days = started.order_by().values_list("clock_from", flat=True).distinct()
        before = {day for day in days if day is not None}
        more, _ = _concluded_sums(earlier, first=earliest, start=start, end=end, before=before)
    used = {(item, department): days for item, department, _, _, days in more}
    return [
        (item, department, concluded, on_time, days + used.get((item, department), 0))
        for item, department, concluded, on_time, days in groups
    ]


def _concluded_sums(
    cases: QuerySet[Case], *, first: date, start: date, end: date, before: Iterable[date] = ()
) -> tuple[list[tuple[int, int, int, int, int]], date | None]:
    # The period's days numbered from `start`, and only the days before it that a clock
    # started on, numbered backwards: never every day since the oldest clock (a clock entered
    # in year 1 would have sent the database more parameters than it takes).
    numbers = working_day_numbers(start, end)
    numbers.update({day: -working_days_between(day, start).days for day in before})
    columns = ("item_id", "department_id", "clock_from", "concluded_on", "due_on")
    inner, inner_params = (
        cases.order_by().values(*columns, "suspended_days").query.sql_with_params()
    )
    days = ", ".join(["(%s, %s)"] * len(numbers))
    used = working_days_used_sql(
        end_number="u.number", start_number="f.number", suspended_days="c.suspended_days"
    )
    # Placeholders, the calendar's rule and Django's own SQL: no value is formatted in.
    sql = _CONCLUDED_SQL.format(days=days, cases=inner, used=used)
    params = [value for pair in numbers.items() for value in pair]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, first, first, *inner_params, first, start, end])
        rows = cursor.fetchall()
    groups = [
        (item, department, int(concluded), int(on_time or 0), int(used or 0))
        for item, department, concluded, on_time, used, _ in rows
    ]
    # SQLite gives the day as its text, PostgreSQL as a date.
    earliest = [date.fromisoformat(str(row[-1])) for row in rows if row[-1] is not None]
    return groups, min(earliest, default=None)


@cached_selector("approvals", "projects", "enterprises")
def approval_figures(*, start: date, end: date, user: Any = None) -> Figures:
    """The zone's government-service figures for the days `start`..`end` (see the module's
    note for each), in total, per department and per item; within `user`'s scope when given.
    Four queries whatever the number of cases, seven when some clocks started before `start`."""
    catalogue: Any = service_items_visible(user=user)
    items = list(
        catalogue.in_force(on=end)
        .order_by("department__order", "code")
        .values(
            "pk",
            "code",
            "name",
            "department_id",
            "department__name",
            "statutory_days",
            "promised_days",
            "in_centre",
            "one_visit",
            "online",
            "taken_over",
            "taken_over_on",
        )
    )
    total = FigureRow(key=None, label="")
    by_department: dict[int, FigureRow] = {}
    by_item: dict[int, FigureRow] = {}

    def rows_for(item_id: int, department_id: int, department: str) -> list[FigureRow]:
        dept = by_department.setdefault(department_id, FigureRow(department_id, department))
        return [total, dept, by_item[item_id]] if item_id in by_item else [total, dept]

    for item in items:
        by_item[item["pk"]] = FigureRow(item["pk"], f"{item['code']} {item['name']}")
        taken = item["taken_over"] and (item["taken_over_on"] or end) <= end
        for row in rows_for(item["pk"], item["department_id"], item["department__name"]):
            row.items += 1
            row.in_centre += item["in_centre"]
            row.one_visit += item["one_visit"]
            row.online += item["online"]
            row.taken_over += bool(taken)
            row.promised += item["promised_days"]
            row.statutory += item["statutory_days"]

    cases = _scoped(Case.objects.all(), user)
    done = cases.filter(status__in=DONE_STATUSES)  # the period's days are the query's own
    groups = _concluded_by_item_and_department(done, start=start, end=end)
    names = dict(Department.objects.values_list("pk", "name"))
    # Items withdrawn by the period's end still show the cases they had in it.
    withdrawn = {group[0] for group in groups} - set(by_item)
    for pk, code, name in ServiceItem.objects.filter(pk__in=withdrawn).values_list(
        "pk", "code", "name"
    ):
        by_item[pk] = FigureRow(pk, f"{code} {name}")
    for item_id, department_id, concluded, on_time, days_used in groups:
        for row in rows_for(item_id, department_id, names.get(department_id, "")):
            row.concluded += concluded
            row.on_time += on_time
            row.days_used += days_used
    counts = cases.filter(received_on__range=(start, end)).aggregate(
        received=Count("pk"),
        same_day=Count(
            "pk",
            filter=Q(status__in=DONE_STATUSES, concluded_on=F("received_on")),
        ),
    )
    for department_id, row in by_department.items():
        row.label = row.label or names.get(department_id, "")
    return Figures(
        start=start,
        end=end,
        total=total,
        departments=sorted(by_department.values(), key=lambda row: (-row.concluded, row.label)),
        items=sorted(by_item.values(), key=lambda row: (-row.concluded, row.label)),
        received=counts["received"],
        cleared_same_day=counts["same_day"],
    )


def cases_open_count(*, user: Any = None) -> int:
    return _scoped(Case.objects.filter(status__in=OPEN_STATUSES), user).count()


def items_total(*, on: date) -> dict[str, Any]:
    """The catalogue's counts on a day (the demo's checks and the API)."""
    return ServiceItem.objects.in_force(on=on).aggregate(
        items=Count("pk"),
        in_centre=Count("pk", filter=Q(in_centre=True)),
        taken_over=Count("pk", filter=Q(taken_over=True, taken_over_on__lte=on)),
        promised=Sum("promised_days"),
        statutory=Sum("statutory_days"),
    )

"""Reads of the day's page (今日事项) and of the same-day count (日清日结), across every kind of
work the installed apps declare (`casework.workbench.work_sources`); nothing here names an app.

Whose day. Everyone has his own day: what he owns or supervises (each source says what that is
for its records). A department head, a leader and the principal leaders switch to "by
department": every item of the departments they head or are in charge of (分管, with those
below). An inspector sees, besides his own day, the overdue items of the whole zone. Every
source reads within the user's data scope: nothing shows that he may not read.
"""

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoneops.casework.workbench import (
    LATE,
    SOON,
    TODAY,
    WorkItem,
    WorkSource,
    soon_until,
    work_sources,
)
from zoneops.common.periods import Period
from zoneops.common.scope import scope_for, scope_queryset
from zoneops.common.workcalendar import calendar_pinned
from zoneops.orgs.enums import DepartmentKind, RoleCode
from zoneops.orgs.models import Department
from zoneops.orgs.selectors import department_descendant_ids, department_tree, departments_overseen
from zoneops.workbench.models import CarryOver

# The page's views: one's own day, the departments one answers for, the zone's overdue items.
MINE, DEPARTMENTS, ZONE_OVERDUE = "mine", "departments", "overdue"
VIEW_TITLES = {
    MINE: gettext_lazy("我的事项"),
    DEPARTMENTS: gettext_lazy("按部门"),
    ZONE_OVERDUE: gettext_lazy("全区逾期"),
}


def sources_by_key() -> dict[str, WorkSource]:
    return {source.key: source for source in work_sources()}


def board_views(*, user: Any) -> list[str]:
    """The views of the page the user may switch to, his own day first."""
    views = [MINE]
    if departments_overseen(user=user):
        views.append(DEPARTMENTS)
    if user.has_role(RoleCode.INSPECTOR) or user.is_superuser:
        views.append(ZONE_OVERDUE)
    return views


def _view_departments(*, user: Any, view: str) -> Collection[int] | None:
    if view == DEPARTMENTS:
        return departments_overseen(user=user)
    if view == ZONE_OVERDUE:
        return set(Department.objects.values_list("pk", flat=True))
    return None


@dataclass
class Row:
    """One item on the page, with the words of its kind and its latest carry-over."""

    item: WorkItem
    kind: str
    standing: str
    days_late: int
    carry_over: CarryOver | None = None


@dataclass
class DepartmentCount:
    department_id: int | None
    name: str
    late: int = 0
    today: int = 0
    soon: int = 0

    @property
    def total(self) -> int:
        return self.late + self.today + self.soon


@dataclass
class Board:
    """The day's page: the open items by where they stand — each section counted in full and
    listed earliest due first, at most ROWS_LISTED rows unless all are asked for — those
    finished that day (the day's cleared list), and counts by department when the view is a
    head's or a leader's."""

    on: date
    until: date
    view: str
    views: list[str]
    late: list[Row] = field(default_factory=list)
    today: list[Row] = field(default_factory=list)
    soon: list[Row] = field(default_factory=list)
    late_count: int = 0
    today_count: int = 0
    soon_count: int = 0
    carried: int = 0  # due on the day and carried over that day
    finished: list[Row] = field(default_factory=list)
    departments: list[DepartmentCount] = field(default_factory=list)

    @property
    def not_cleared(self) -> int:
        """Due on the day, neither finished nor carried over (未清 once the day is over)."""
        return self.today_count - self.carried

    @property
    def finished_due_today(self) -> list[Row]:
        return [row for row in self.finished if row.item.due_on == self.on]


# The most rows a section of the page lists unless asked for all: the earliest due first, so the
# longest overdue always show; the tiles and the department counts still count every row.
ROWS_LISTED = 100


def _latest_carry_overs(rows: Iterable[Row], *, on: date) -> None:
    """Each row's latest carry-over up to `on`, in one query."""
    rows = list(rows)
    if not rows:
        return
    wanted = Q()
    for source, pks in _pks_by_source(rows).items():
        wanted |= Q(source=source, record_pk__in=pks)
    latest: dict[tuple[str, int], CarryOver] = {}
    for carry_over in CarryOver.objects.filter(wanted, day__lte=on).select_related("user"):
        key = (carry_over.source, carry_over.record_pk)
        if key not in latest or (carry_over.day, carry_over.pk) > (
            latest[key].day,
            latest[key].pk,
        ):
            latest[key] = carry_over
    for row in rows:
        row.carry_over = latest.get((row.item.source, row.item.pk))


def _pks_by_source(rows: Iterable[Row]) -> dict[str, list[int]]:
    pks: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        pks[row.item.source].append(row.item.pk)
    return pks


def _row(item: WorkItem, *, kind: str, on: date) -> Row:
    return Row(
        item=item,
        kind=kind,
        standing=item.standing(on),
        days_late=max((on - item.due_on).days, 0),
    )


def day_board(*, user: Any, on: date, view: str = MINE, every: bool = False) -> Board:
    """The user's day on `on`: late, due today, due within three working days — across every
    source, within his scope — and what was finished that day. `view` is one of `board_views`
    (an unknown or refused view is his own day); `every` lists every open row, not only the
    ROWS_LISTED earliest due of each section."""
    with calendar_pinned():  # one reading of the work calendar for every source's clocks
        return _day_board(user=user, on=on, view=view, every=every)


def _day_board(*, user: Any, on: date, view: str, every: bool) -> Board:
    views = board_views(user=user)
    view = view if view in views else MINE
    departments = _view_departments(user=user, view=view)
    until = on - timedelta(days=1) if view == ZONE_OVERDUE else soon_until(on)
    board = Board(on=on, until=until, view=view, views=views)
    limit = None if every else ROWS_LISTED
    carried = set(CarryOver.objects.filter(day=on).values_list("source", "record_pk"))
    rows: list[Row] = []
    by_department: dict[int | None, DepartmentCount] = {}
    for source in work_sources():
        kind = str(source.label)
        open_items = source.open_items(user=user, on=on, until=until, departments=departments)
        # Each open item's id, due day and department: counted here, and the earliest due of
        # each section picked to be listed (the only rows built).
        sections: dict[str, list[tuple[date, int]]] = {LATE: [], TODAY: [], SOON: []}
        for pk, due_on, department_id in open_items.ids_due():
            standing = LATE if due_on < on else TODAY if due_on == on else SOON
            sections[standing].append((due_on, pk))
            count = by_department.setdefault(department_id, DepartmentCount(department_id, ""))
            setattr(count, standing, getattr(count, standing) + 1)
            if standing == TODAY and (source.key, pk) in carried:
                board.carried += 1
        board.late_count += len(sections[LATE])
        board.today_count += len(sections[TODAY])
        board.soon_count += len(sections[SOON])
        listed = [pk for keys in sections.values() for _due, pk in sorted(keys)[:limit]]
        if listed:
            rows.extend(_row(item, kind=kind, on=on) for item in open_items.read(listed))
        if view != ZONE_OVERDUE:
            finished = source.finished(user=user, on=on, departments=departments)
            board.finished.extend(_row(item, kind=kind, on=on) for item in finished)
    rows.sort(key=lambda row: (row.item.due_on, row.kind, row.item.pk))
    for row in rows:
        getattr(board, {LATE: "late", TODAY: "today", SOON: "soon"}[row.standing]).append(row)
    for section in ("late", "today", "soon"):
        setattr(board, section, getattr(board, section)[:limit])
    _latest_carry_overs([*board.late, *board.today, *board.soon], on=on)
    if view != MINE:
        board.departments = _department_counts(by_department)
    return board


def _department_counts(counts: dict[int | None, DepartmentCount]) -> list[DepartmentCount]:
    names = dict(
        Department.objects.filter(pk__in=[pk for pk in counts if pk is not None]).values_list(
            "pk", "name"
        )
    )
    for pk, count in counts.items():
        count.name = names.get(pk, "") if pk is not None else _("（未指定部门）")
    return sorted(
        (count for count in counts.values() if count.total),
        key=lambda count: (-count.late, -count.total, count.name),
    )


def board_item(*, user: Any, source: str, pk: int, on: date) -> WorkItem | None:
    """The open item on the user's day (his own, or his departments' as a head or a leader)
    due within three working days or late, or None when it is not on his page."""
    found = sources_by_key().get(source)
    if found is None:
        return None
    until = soon_until(on)
    reaches: list[Collection[int] | None] = [None]
    overseen = departments_overseen(user=user)
    if overseen:
        reaches.append(overseen)
    for departments in reaches:
        open_items = found.open_items(user=user, on=on, until=until, departments=departments)
        if any(open_pk == pk for open_pk, _due, _department in open_items.ids_due()):
            return next(iter(open_items.read([pk])), None)
    return None


# --- 日清日结 over a period ------------------------------------------------------------------


@dataclass
class ClearedLine:
    name: str
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class ClearedCounts:
    """Items finished on the day they arrived (收到当日办结) in a period: per kind, per department
    (a bureau with the sections below it), and in all."""

    period: Period
    kinds: list[str]
    lines: list[ClearedLine]
    total: ClearedLine


def cleared_same_day_total(
    *, start: date, end: date, departments: Collection[int] | None = None
) -> int:
    """Every source's items that arrived between `start` and `end` and were finished the day
    they arrived, summed (the zone's 日清日结 count, e.g. 8000+ in 2019)."""
    return sum(
        source.cleared_same_day(start=start, end=end, departments=departments)
        for source in work_sources()
    )


def _cleared_counter(
    source: WorkSource, *, start: date, end: date
) -> Callable[[Collection[int] | None], int]:
    """The source's same-day count for a set of departments (None: all): summed from its
    count per department, read once, when it gives one; else asked each time."""
    by_department = getattr(source, "cleared_same_day_by_department", None)
    if by_department is None:
        return lambda departments: source.cleared_same_day(
            start=start, end=end, departments=departments
        )
    per_department: dict[int | None, int] = by_department(start=start, end=end)

    def count(departments: Collection[int] | None) -> int:
        if departments is None:
            return sum(per_department.values())
        return sum(per_department.get(pk, 0) for pk in set(departments))

    return count


def cleared_same_day_counts(*, user: Any, period: Period) -> ClearedCounts:
    """The same-day count of the period in the user's scope: the zone's for a zone-wide scope,
    else his departments'; per kind and per bureau (its sections counted with it); a line for
    the departments above or outside the bureaus when they hold any."""
    sources = work_sources()
    scope = scope_for(user)
    reach: set[int] | None = None if scope.everything else set(scope.department_ids)
    counters = [_cleared_counter(source, start=period.start, end=period.end) for source in sources]

    def counts(departments: Collection[int] | None) -> list[int]:
        return [count(departments) for count in counters]

    total = ClearedLine(_("合计"), counts(reach))
    tree = department_tree()
    bureaus = scope_queryset(
        Department.objects.filter(kind=DepartmentKind.BUREAU, is_active=True), user
    ).order_by("order", "id")
    lines = []
    for bureau in bureaus:
        below = department_descendant_ids(department_ids=[bureau.pk], tree=tree)
        if reach is not None:
            below &= reach
        if not below:
            continue
        line = ClearedLine(str(bureau), counts(below))
        if line.total:
            lines.append(line)
    rest = [t - sum(line.counts[i] for line in lines) for i, t in enumerate(total.counts)]
    if any(rest):
        lines.append(ClearedLine(_("其他部门"), rest))
    return ClearedCounts(
        period=period, kinds=[str(source.label) for source in sources], lines=lines, total=total
    )

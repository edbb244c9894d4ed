"""The work calendar: working days, deadlines in working days and their warning levels.

Weekends are off; a `CalendarDay` row overrides that rule for one date (a weekday holiday, or a
调休 weekend working day). A year without a `CalendarYear` row has not been entered yet: it
counts weekends only and every result whose counted days fall in it is marked provisional and
names the year — never an error.

Each call reads one stamp, `year` and `updated_at` of every `CalendarYear` row (a few dozen
rows, one query), and serves the entered years from process memory, loading again (one query
per year) only a year whose row changed since it was loaded; an unentered year is arithmetic on
weekdays, with neither query nor memory. Every write bumps its year's row — the services save
it, the receivers at the bottom touch it for a day written directly — so an administrator's
change reaches every web and background worker at its next call, without a restart.
`calendar_pinned()` reads the stamp once for a block of calls (a list's warnings).
"""

import threading
from bisect import bisect_right
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import Signal, receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zoneops.common.exceptions import ApplicationError
from zoneops.common.job_services import JobOutcome, job_progress, job_start, job_work
from zoneops.common.models import CalendarDay, CalendarYear

WarningLevel = Literal["normal", "yellow", "red"]

# Far beyond any limit in working days (a few hundred at most); keeps a typo from scanning
# millennia.
MAX_WORKING_DAYS = 10_000


@dataclass(frozen=True)
class WorkingDayResult:
    """A deadline: the N-th working day after a start date."""

    date: date
    provisional: bool
    provisional_years: tuple[int, ...]


@dataclass(frozen=True)
class WorkingDayCount:
    """The number of working days in (start, end]."""

    days: int
    provisional: bool
    provisional_years: tuple[int, ...]


def _weekdays_through(ordinal: int) -> int:
    """Mondays to Fridays among the ordinals 1..ordinal (ordinal 1, 0001-01-01, is a Monday)."""
    weeks, rest = divmod(ordinal, 7)
    return weeks * 5 + min(rest, 5)


def _nth_weekday(count: int) -> int:
    """The ordinal of the `count`-th Monday-to-Friday day since 0001-01-01."""
    weeks, rest = divmod(count, 5)
    return weeks * 7 - 2 if rest == 0 else weeks * 7 + rest


@dataclass(frozen=True)
class _Year:
    """One year of the calendar; an unentered year is weekends only and costs no memory."""

    entered: bool
    overrides: dict[date, bool]  # only the days that break the weekend rule
    working: tuple[int, ...] | None  # ordinals of the working days of an entered year

    def count(self, after: int, through: int) -> int:
        """Working days among the ordinals in (after, through]; `after` may be New Year's Eve."""
        if self.working is None:
            return _weekdays_through(through) - _weekdays_through(after)
        return bisect_right(self.working, through) - bisect_right(self.working, after)

    def nth_after(self, after: int, n: int) -> int:
        """The ordinal of the n-th working day after `after`; the caller knows it is this year's."""
        if self.working is None:
            return _nth_weekday(_weekdays_through(after) + n)
        return self.working[bisect_right(self.working, after) + n - 1]


_UNENTERED = _Year(entered=False, overrides={}, working=None)

# year -> updated_at of its CalendarYear row: what the calendar looks like from this process.
_Stamp = dict[int, datetime]

_lock = threading.Lock()
# Entered years as loaded, each with the `updated_at` it was loaded at; a year whose row has
# changed since (in any process) is loaded again, the others are kept.
_years: dict[int, tuple[datetime, _Year]] = {}


def calendar_cache_clear() -> None:
    """Forget everything loaded in this process; the next read queries the database again."""
    with _lock:
        _years.clear()


def _load_year(year: int) -> _Year:
    overrides = dict(
        CalendarDay.objects.filter(date__range=(date(year, 1, 1), date(year, 12, 31)))
        .values_list("date", "is_working_day")
        .order_by()
    )
    working = tuple(
        ordinal
        for ordinal in range(date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal() + 1)
        if overrides.get(date.fromordinal(ordinal), (ordinal - 1) % 7 < 5)
    )
    return _Year(entered=True, overrides=overrides, working=working)


class _Calendar:
    """The calendar as one call sees it: the stamp read at its start, years loaded on demand."""

    def __init__(self, stamp: _Stamp) -> None:
        self.stamp = stamp

    def entered(self, year: int) -> bool:
        return year in self.stamp

    def year(self, year: int) -> _Year:
        changed_at = self.stamp.get(year)
        if changed_at is None:
            return _UNENTERED
        with _lock:
            cached = _years.get(year)
        if cached is not None and cached[0] == changed_at:
            return cached[1]
        loaded = _load_year(year)
        with _lock:
            _years[year] = (changed_at, loaded)
            for gone in _years.keys() - self.stamp.keys():  # years deleted since
                del _years[gone]
        return loaded


_pinned: ContextVar[_Calendar | None] = ContextVar("workcalendar_pinned", default=None)


def _calendar() -> _Calendar:
    """The stamp: one small query per top-level call, the only one once its years are loaded.

    Every write to the calendar changes its year's row (services save it, the receivers below
    touch it for a day saved or deleted directly, a deleted year is gone), so a change made by
    any process is seen by the next call of every process. Each row's own `updated_at` is
    compared, not their maximum, so neither clocks that differ between servers nor a
    transaction that commits after a later one can hide a change.
    """
    pinned = _pinned.get()
    if pinned is not None:
        return pinned
    return _Calendar(dict(CalendarYear.objects.order_by().values_list("year", "updated_at")))


@contextmanager
def calendar_pinned() -> Iterator[None]:
    """Read the calendar's stamp once for a block of calls, such as the warnings of a list.

    Inside the block every call uses the stamp read at its start: one query in all (and one per
    year not loaded yet) instead of one per call. A change made during the block may be missed
    by it; the next call after the block sees it.
    """
    if _pinned.get() is not None:
        yield
        return
    token = _pinned.set(_calendar())
    try:
        yield
    finally:
        _pinned.reset(token)


def weekend_rule_says_working(day: date) -> bool:
    """What the day would be without any calendar entry: Monday to Friday work."""
    return day.weekday() < 5


def is_working_day(day: date) -> bool:
    return _calendar().year(day.year).overrides.get(day, weekend_rule_says_working(day))


def is_year_entered(year: int) -> bool:
    """Whether someone has entered (or seeded) the official calendar of the year."""
    return _calendar().entered(year)


def _provisional_years(calendar: _Calendar, start: date, end: date) -> tuple[int, ...]:
    """The unentered years among the days in (start, end]."""
    if end <= start:
        return ()
    first = (start + timedelta(days=1)).year
    return tuple(year for year in range(first, end.year + 1) if not calendar.entered(year))


def _last_ordinal(year: int) -> int:
    return date(year, 12, 31).toordinal()


def add_working_days(start: date, days: int) -> WorkingDayResult:
    """The deadline of a limit of `days` working days for something accepted on `start`.

    Counting starts on the first working day after `start` (受理次日起算) and the deadline is
    the `days`-th working day; `days=0` gives `start` itself.
    """
    if days < 0:
        raise ApplicationError(_("工作日天数不能为负数。"), field="days")
    if days > MAX_WORKING_DAYS:
        raise ApplicationError(
            _("工作日天数不能超过 %(max)s。") % {"max": MAX_WORKING_DAYS}, field="days"
        )
    if days == 0:
        return WorkingDayResult(date=start, provisional=False, provisional_years=())
    return _add_working_days(_calendar(), start, days)


def _add_working_days(calendar: _Calendar, start: date, days: int) -> WorkingDayResult:
    year, after, remaining = start.year, start.toordinal(), days
    while True:
        this_year = calendar.year(year)
        last = _last_ordinal(year)
        available = this_year.count(after, last)
        if remaining <= available:
            due = date.fromordinal(this_year.nth_after(after, remaining))
            break
        if year == date.max.year:
            raise ApplicationError(_("日期超出可计算的范围。"), field="days")
        year, after, remaining = year + 1, last, remaining - available
    provisional = _provisional_years(calendar, start, due)
    return WorkingDayResult(date=due, provisional=bool(provisional), provisional_years=provisional)


def working_days_between(start: date, end: date) -> WorkingDayCount:
    """The number of working days in (start, end]: `add_working_days` read backwards."""
    if end < start:
        raise ApplicationError(_("结束日期不能早于开始日期。"), field="end")
    return _working_days_between(_calendar(), start, end)


def _working_days_between(calendar: _Calendar, start: date, end: date) -> WorkingDayCount:
    days = 0
    after = start.toordinal()
    for year in range(start.year, end.year + 1):
        through = min(end.toordinal(), _last_ordinal(year))
        days += calendar.year(year).count(after, through)
        after = through
    provisional = _provisional_years(calendar, start, end)
    return WorkingDayCount(days=days, provisional=bool(provisional), provisional_years=provisional)


def working_days_used(start: date, end: date, *, suspended_days: int = 0) -> int:
    """用时: the working days a clock ran from `start` to `end` (in (start, end]), less the
    working days it stood suspended; never below zero, and zero for an end before the start.
    The statistics sum it in SQL over day numbers with `working_days_used_sql`, the same rule."""
    if end < start:
        return 0
    return max(0, working_days_between(start, end).days - suspended_days)


def working_days_used_sql(*, end_number: str, start_number: str, suspended_days: str) -> str:
    """`working_days_used` as an SQL expression on the numbers `working_day_numbers` gives
    the start and the end (the start's number taken as the end's when it falls after it)."""
    ran = f"{end_number} - {start_number}"
    return f"CASE WHEN {ran} > {suspended_days} THEN {ran} - {suspended_days} ELSE 0 END"


def working_day_numbers(start: date, end: date) -> dict[date, int]:
    """Each day from `start` to `end` with the number of working days in (start, day]: the
    working days between two of them (`working_days_between`) are the difference of their
    numbers, so a sum over many records can be taken in SQL against this table."""
    calendar = _calendar()
    numbers: dict[date, int] = {}
    number = 0
    for ordinal in range(start.toordinal(), end.toordinal() + 1):
        day = date.fromordinal(ordinal)
        if ordinal > start.toordinal():
            number += calendar.year(day.year).count(ordinal - 1, ordinal)
        numbers[day] = number
    return numbers


def working_day_warning(
    accepted_on: date, limit_days: int, today: date, suspended_days: int = 0
) -> WarningLevel:
    """Normal, yellow or red for a limit of `limit_days` working days accepted on `accepted_on`.

    Suspended working days (补正, expert review, public notice) push the deadline later. Red
    once `today` is past the deadline; yellow when the working days left, today included, are
    at most 20% of the limit — and always on the last working day, however short the limit.
    """
    with calendar_pinned():  # the deadline and the days left from one reading of the stamp
        due = add_working_days(accepted_on, limit_days + suspended_days).date
        if today > due:
            return "red"
        left = working_days_between(today - timedelta(days=1), due).days
    if left <= max(1, limit_days // 5):
        return "yellow"
    return "normal"


# Sent after a transaction that changed the calendar of `years` commits: the apps work out again
# the deadlines they store (a problem's, a request's) whose working days fall in those years.
calendar_changed = Signal()


# The recomputation reads and rewrites every open record's deadline over the years: a background
# job (zoneops worker), started once the calendar's change commits.
RECOMPUTE_TITLE = gettext_noop("工作日历已修改：重新计算%(years)s年的办理期限")


def _announce(years: set[int], using: str | None) -> None:
    transaction.on_commit(lambda: _recompute_later(frozenset(years)), using=using)


def _recompute_later(years: frozenset[int]) -> None:
    job_start(
        work=calendar_changed_work,
        title=RECOMPUTE_TITLE,
        title_args={"years": "、".join(str(year) for year in sorted(years))},
        by=None,
        params={"years": sorted(years)},
    )


@job_work(rerun=True)
def calendar_changed_work(*, job: Any, years: list[int]) -> JobOutcome:
    """Announce the calendar's change to the apps (`calendar_changed`): each works out again the
    deadlines it stores over those years. All in one transaction: a worker killed halfway
    leaves no app's deadlines moved and another's not, and its job is run again."""
    job_progress(stage=_("正在重新计算受影响记录的办理期限"))
    with transaction.atomic():
        calendar_changed.send(sender=CalendarYear, years=frozenset(years))
    return JobOutcome(
        message=_("已按修改后的工作日历重新计算%(years)s年的办理期限。")
        % {"years": "、".join(str(year) for year in sorted(years))}
    )


@receiver(post_save, sender=CalendarYear, dispatch_uid="workcalendar_year_saved")
@receiver(post_delete, sender=CalendarYear, dispatch_uid="workcalendar_year_deleted")
def _calendar_year_changed(
    instance: CalendarYear, using: str | None = None, raw: bool = False, **kwargs: Any
) -> None:
    # Every service that changes days saves its year too (seeding, entering, a day set, moved,
    # cleared, a year deleted); a year saved by loaddata (raw) announces nothing.
    if not raw:
        _announce({instance.year}, using)


def _touch_years(years: set[int], using: str | None) -> None:
    """Mark the years' rows changed, so that every process reloads them at its next call."""
    CalendarYear.objects.using(using).filter(year__in=years).update(updated_at=timezone.now())


# A day saved or deleted without the services (the shell, a data fix, loaddata) must still
# reach every process: its year's row is touched, after the write so no reader caches the old
# days under the new stamp. A day moved to another year touches the year it left as well.


@receiver(pre_save, sender=CalendarDay, dispatch_uid="workcalendar_day_saving")
def _calendar_day_saving(instance: CalendarDay, using: str | None = None, **kwargs: Any) -> None:
    if instance.pk is not None and not instance._state.adding:
        stored = CalendarDay.objects.using(using).filter(pk=instance.pk).values_list("date")
        instance.__dict__["_workcalendar_stored_years"] = {day.year for (day,) in stored}


@receiver(post_save, sender=CalendarDay, dispatch_uid="workcalendar_day_saved")
@receiver(post_delete, sender=CalendarDay, dispatch_uid="workcalendar_day_deleted")
def _calendar_day_changed(instance: CalendarDay, using: str | None = None, **kwargs: Any) -> None:
    stored: set[int] = instance.__dict__.pop("_workcalendar_stored_years", set())
    day = CalendarDay._meta.get_field("date").to_python(instance.date)  # may be a str here
    _touch_years(stored | {day.year}, using)

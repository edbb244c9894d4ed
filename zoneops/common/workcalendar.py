"""The work calendar: working days, deadlines in working days and their warning levels.

Weekends are off; a `CalendarDay` row overrides that rule for one date (a weekday holiday, or a
调休 weekend working day). A year without a `CalendarYear` row has not been entered yet: it
counts weekends only and every result whose counted days fall in it is marked provisional and
names the year — never an error.

Reads are cached in process memory: the set of entered years (one query) and, per entered year,
its working days (one query per year); an unentered year is arithmetic on weekdays, with neither
query nor memory. The receivers at the bottom drop the cache whenever a
`CalendarYear` or `CalendarDay` is saved or deleted; services that write in bulk (which sends no
signals) call `calendar_cache_clear()` themselves.
"""

import threading
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext as _

from zoneops.common.exceptions import ApplicationError
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

_lock = threading.Lock()
_generation = 0
_entered_years: frozenset[int] | None = None
_years: dict[int, _Year] = {}  # entered years only, so it is as small as the CalendarYear table


def calendar_cache_clear() -> None:
    """Forget everything loaded; the next read queries the database again."""
    global _generation, _entered_years
    with _lock:
        _generation += 1
        _entered_years = None
        _years.clear()


def _entered() -> frozenset[int]:
    global _entered_years
    with _lock:
        if _entered_years is not None:
            return _entered_years
        generation = _generation
    loaded = frozenset(CalendarYear.objects.values_list("year", flat=True))
    with _lock:
        # A write that happened while we were reading must not be hidden behind old data.
        if generation == _generation:
            _entered_years = loaded
    return loaded


def _year(year: int) -> _Year:
    with _lock:
        cached = _years.get(year)
        generation = _generation
    if cached is not None:
        return cached
    if year not in _entered():
        return _UNENTERED
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
    loaded = _Year(entered=True, overrides=overrides, working=working)
    with _lock:
        if generation == _generation:
            _years[year] = loaded
    return loaded


def weekend_rule_says_working(day: date) -> bool:
    """What the day would be without any calendar entry: Monday to Friday work."""
    return day.weekday() < 5


def is_working_day(day: date) -> bool:
    return _year(day.year).overrides.get(day, weekend_rule_says_working(day))


def is_year_entered(year: int) -> bool:
    """Whether someone has entered (or seeded) the official calendar of the year."""
    return year in _entered()


def _provisional_years(start: date, end: date) -> tuple[int, ...]:
    """The unentered years among the days in (start, end]."""
    if end <= start:
        return ()
    entered = _entered()
    first = (start + timedelta(days=1)).year
    return tuple(year for year in range(first, end.year + 1) if year not in entered)


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
    year, after, remaining = start.year, start.toordinal(), days
    while True:
        calendar = _year(year)
        last = _last_ordinal(year)
        available = calendar.count(after, last)
        if remaining <= available:
            due = date.fromordinal(calendar.nth_after(after, remaining))
            break
        if year == date.max.year:
            raise ApplicationError(_("日期超出可计算的范围。"), field="days")
        year, after, remaining = year + 1, last, remaining - available
    provisional = _provisional_years(start, due)
    return WorkingDayResult(date=due, provisional=bool(provisional), provisional_years=provisional)


def working_days_between(start: date, end: date) -> WorkingDayCount:
    """The number of working days in (start, end]: `add_working_days` read backwards."""
    if end < start:
        raise ApplicationError(_("结束日期不能早于开始日期。"), field="end")
    days = 0
    after = start.toordinal()
    for year in range(start.year, end.year + 1):
        through = min(end.toordinal(), _last_ordinal(year))
        days += _year(year).count(after, through)
        after = through
    provisional = _provisional_years(start, end)
    return WorkingDayCount(days=days, provisional=bool(provisional), provisional_years=provisional)


def working_day_warning(
    accepted_on: date, limit_days: int, today: date, suspended_days: int = 0
) -> WarningLevel:
    """Normal, yellow or red for a limit of `limit_days` working days accepted on `accepted_on`.

    Suspended working days (补正, expert review, public notice) push the deadline later. Red
    once `today` is past the deadline; yellow when the working days left, today included, are
    at most 20% of the limit — and always on the last working day, however short the limit.
    """
    due = add_working_days(accepted_on, limit_days + suspended_days).date
    if today > due:
        return "red"
    left = working_days_between(today - timedelta(days=1), due).days
    if left <= max(1, limit_days // 5):
        return "yellow"
    return "normal"


@receiver(post_save, sender=CalendarYear, dispatch_uid="workcalendar_year_saved")
@receiver(post_delete, sender=CalendarYear, dispatch_uid="workcalendar_year_deleted")
@receiver(post_save, sender=CalendarDay, dispatch_uid="workcalendar_day_saved")
@receiver(post_delete, sender=CalendarDay, dispatch_uid="workcalendar_day_deleted")
def _calendar_changed(**kwargs: Any) -> None:
    # Now for this transaction's own reads, and again at commit so that a read by another
    # thread between the write and the commit cannot keep the old calendar.
    calendar_cache_clear()
    transaction.on_commit(calendar_cache_clear, using=kwargs.get("using"))

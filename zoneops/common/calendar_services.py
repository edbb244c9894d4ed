"""Writes to the work calendar: seeding a year from `chinesecalendar`, and an administrator's edits.

Only days that break the weekend rule are stored (see `zoneops.common.workcalendar`). A year
changed by hand is marked `CalendarYear.Source.MANUAL`, and seeding leaves such a year alone
unless forced — that is how an administrator's days survive a re-import without a field on
every day.
"""

from datetime import date
from typing import TYPE_CHECKING, Any, Literal, overload

import chinese_calendar
from chinese_calendar.constants import Holiday
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from zoneops.common.exceptions import ApplicationError
from zoneops.common.models import CalendarDay, CalendarYear
from zoneops.common.workcalendar import weekend_rule_says_working

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser


def calendar_package_years() -> range:
    """The years the installed `chinesecalendar` package covers."""
    years = {day.year for day in chinese_calendar.holidays} | {
        day.year for day in chinese_calendar.workdays
    }
    return range(min(years), max(years) + 1)


def _holiday_name(value: Any) -> str:
    holiday = value if isinstance(value, Holiday) else Holiday(value)
    return str(holiday.chinese)


def calendar_package_days(*, year: int) -> list[CalendarDay]:
    """The package's days of `year` that break the weekend rule, as unsaved rows."""
    days = [
        CalendarDay(date=day, is_working_day=False, name=_holiday_name(value))
        for day, value in chinese_calendar.holidays.items()
        if day.year == year and weekend_rule_says_working(day)
    ]
    days += [
        CalendarDay(date=day, is_working_day=True, name=f"{_holiday_name(value)}调休")
        for day, value in chinese_calendar.workdays.items()
        if day.year == year and not weekend_rule_says_working(day)
    ]
    return sorted(days, key=lambda row: row.date)


def _year_range(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


@transaction.atomic
def calendar_seed_year(*, year: int, force: bool = False) -> CalendarYear:
    """Enter `year` from the `chinesecalendar` package, replacing the days stored for it.

    A year an administrator has changed by hand (source MANUAL) is returned untouched unless
    `force`, which discards the manual days and makes the year PACKAGE again. Running it twice
    gives the same rows. A year the package does not cover is refused.
    """
    covered = calendar_package_years()
    if year not in covered:
        raise ApplicationError(
            _("chinesecalendar 数据包没有 %(year)s 年的数据（仅有 %(first)s–%(last)s 年）。")
            % {"year": year, "first": covered[0], "last": covered[-1]},
            field="year",
        )
    calendar_year = CalendarYear.objects.select_for_update().filter(year=year).first()
    manual = CalendarYear.Source.MANUAL
    if calendar_year is not None and calendar_year.source == manual and not force:
        return calendar_year
    CalendarDay.objects.filter(date__range=_year_range(year)).delete()
    CalendarDay.objects.bulk_create(calendar_package_days(year=year))
    if calendar_year is None:
        calendar_year = CalendarYear(year=year)
    calendar_year.source = CalendarYear.Source.PACKAGE
    calendar_year.note = f"chinesecalendar {chinese_calendar.__version__}"
    # Saving bumps updated_at: every process reloads the year (bulk_create sends no signal).
    calendar_year.save()
    return calendar_year


def calendar_seed_if_empty(*, using: str = "default") -> int:
    """Enter every year the package covers into a work calendar that holds no year at all.

    Run after every migrate (like the built-in roles), so a database emptied by `flush` keeps
    working deadlines. A calendar holding any year is left as it is: an administrator who
    removed some years removed them on purpose. Returns the number of years entered.
    """
    if CalendarYear.objects.using(using).exists():
        return 0
    years = calendar_package_years()
    note = f"chinesecalendar {chinese_calendar.__version__}"
    with transaction.atomic(using=using):
        CalendarDay.objects.using(using).bulk_create(
            [day for year in years for day in calendar_package_days(year=year)], batch_size=500
        )
        CalendarYear.objects.using(using).bulk_create(
            [
                CalendarYear(year=year, source=CalendarYear.Source.PACKAGE, note=note)
                for year in years
            ]
        )
    return len(years)


def _mark_year_manual(*, year: int, note: str) -> CalendarYear:
    calendar_year, _created = CalendarYear.objects.select_for_update().get_or_create(
        year=year, defaults={"source": CalendarYear.Source.MANUAL}
    )
    calendar_year.source = CalendarYear.Source.MANUAL
    calendar_year.note = note[:200]
    calendar_year.save()
    return calendar_year


def _who(by: "AbstractUser | None") -> str:
    return str(getattr(by, "display_name", "") or by or _("系统"))


@transaction.atomic
def calendar_year_enter(*, year: int, by: "AbstractUser | None", note: str = "") -> CalendarYear:
    """Declare `year` entered by hand, so its deadlines are no longer provisional."""
    if not 1 <= year <= 9999:
        raise ApplicationError(_("年份无效。"), field="year")
    return _mark_year_manual(year=year, note=note or _("%(user)s 人工录入") % {"user": _who(by)})


def calendar_check_day(*, day: date, is_working_day: bool) -> None:
    """Refuse to enter a day the weekend rule already gives (a working Monday, a free Sunday).

    Such a row would change nothing, and a reader of the list would take it for a real entry.
    """
    if is_working_day == weekend_rule_says_working(day):
        kind = _("工作日") if is_working_day else _("休息日")
        raise ApplicationError(
            _("%(day)s 是%(weekday)s，按周末规则本来就是%(kind)s，无需录入。")
            % {"day": f"{day:%Y-%m-%d}", "weekday": date_format(day, "l"), "kind": kind},
            field="is_working_day",
        )


def _store_day(
    *, calendar_day: CalendarDay, day: date, is_working_day: bool, name: str
) -> CalendarDay:
    calendar_day.date = day
    calendar_day.is_working_day = is_working_day
    calendar_day.name = name
    calendar_day.full_clean(validate_unique=False)
    calendar_day.save()
    return calendar_day


def _kind(is_working_day: bool) -> str:
    return _("上班") if is_working_day else _("休息")


@overload
def calendar_set_day(
    *,
    day: date,
    is_working_day: bool,
    name: str = "",
    by: "AbstractUser | None",
    clear_if_default: Literal[False] = ...,
) -> CalendarDay: ...
@overload
def calendar_set_day(
    *,
    day: date,
    is_working_day: bool,
    name: str = "",
    by: "AbstractUser | None",
    clear_if_default: bool,
) -> CalendarDay | None: ...
@transaction.atomic
def calendar_set_day(
    *,
    day: date,
    is_working_day: bool,
    name: str = "",
    by: "AbstractUser | None",
    clear_if_default: bool = False,
) -> CalendarDay | None:
    """Make `day` a working day or a day off, and mark its year as entered by hand.

    A day that the weekend rule already gives is refused (`calendar_check_day`), unless
    `clear_if_default`: then its row, if any, is deleted and None is returned.
    """
    calendar_day: CalendarDay | None = None
    if clear_if_default and is_working_day == weekend_rule_says_working(day):
        CalendarDay.objects.filter(date=day).delete()
    else:
        calendar_check_day(day=day, is_working_day=is_working_day)
        calendar_day = _store_day(
            calendar_day=CalendarDay.objects.select_for_update().filter(date=day).first()
            or CalendarDay(),
            day=day,
            is_working_day=is_working_day,
            name=name,
        )
    _mark_year_manual(
        year=day.year,
        note=_("%(user)s 将 %(day)s 设为%(kind)s")
        % {"user": _who(by), "day": f"{day:%Y-%m-%d}", "kind": _kind(is_working_day)},
    )
    return calendar_day


@transaction.atomic
def calendar_move_day(
    *, from_day: date, to_day: date, is_working_day: bool, name: str, by: "AbstractUser | None"
) -> CalendarDay:
    """Move the entry of `from_day` to `to_day` (a holiday announced on the wrong date).

    `from_day` returns to the weekend rule; both years are marked as entered by hand. The
    entry keeps its row. Moving onto a date that has its own entry is refused.
    """
    calendar_day = CalendarDay.objects.select_for_update().filter(date=from_day).first()
    if calendar_day is None:
        raise ApplicationError(
            _("%(day)s 没有录入，无法移动。") % {"day": f"{from_day:%Y-%m-%d}"},
            field="from_day",
        )
    if to_day != from_day and CalendarDay.objects.filter(date=to_day).exists():
        raise ApplicationError(
            _("%(day)s 已有录入，请先修改或删除该日。") % {"day": f"{to_day:%Y-%m-%d}"},
            field="to_day",
        )
    calendar_check_day(day=to_day, is_working_day=is_working_day)
    _store_day(calendar_day=calendar_day, day=to_day, is_working_day=is_working_day, name=name)
    user = _who(by)
    if to_day.year != from_day.year:
        _mark_year_manual(
            year=from_day.year,
            note=_("%(user)s 将 %(from)s 移到 %(to)s")
            % {"user": user, "from": f"{from_day:%Y-%m-%d}", "to": f"{to_day:%Y-%m-%d}"},
        )
    _mark_year_manual(
        year=to_day.year,
        note=_("%(user)s 将 %(from)s 移到 %(to)s，设为%(kind)s")
        % {
            "user": user,
            "from": f"{from_day:%Y-%m-%d}",
            "to": f"{to_day:%Y-%m-%d}",
            "kind": _kind(is_working_day),
        },
    )
    return calendar_day


@transaction.atomic
def calendar_clear_day(*, day: date, by: "AbstractUser | None") -> None:
    """Return `day` to the weekend rule, and mark its year as entered by hand."""
    CalendarDay.objects.filter(date=day).delete()
    _mark_year_manual(
        year=day.year,
        note=_("%(user)s 将 %(day)s 恢复为按周末规则")
        % {"user": _who(by), "day": f"{day:%Y-%m-%d}"},
    )


@transaction.atomic
def calendar_year_delete(*, calendar_year: CalendarYear, by: "AbstractUser | None") -> None:
    """Forget a year: its days go with it, and it counts as not entered (provisional) again."""
    CalendarDay.objects.filter(date__range=_year_range(calendar_year.year)).delete()
    calendar_year.delete()

"""Dates and periods as Chinese reports write them: 2019年3月1日, 2019年1-10月, 2019年."""

from datetime import date

from django.utils.translation import gettext as _


def format_day(day: date) -> str:
    return _("%(year)d年%(month)d月%(day)d日") % {
        "year": day.year,
        "month": day.month,
        "day": day.day,
    }


def format_months(year: int, first_month: int, last_month: int) -> str:
    """2019, 1, 10 → "2019年1-10月"; a single month → "2019年10月"."""
    if first_month == last_month:
        return _("%(year)d年%(month)d月") % {"year": year, "month": last_month}
    return _("%(year)d年%(first)d-%(last)d月") % {
        "year": year,
        "first": first_month,
        "last": last_month,
    }


def format_year(year: int) -> str:
    return _("%(year)d年") % {"year": year}


def format_period(*, year: int, first_month: int, last_month: int, today: date) -> str:
    """Months of a year as a report names them on `today`.

    January to December of a year that is over is the year, "2019年"; any other span, and a
    year still running, are months: "2026年1-12月" on 2026-12-06, "2026年1-10月", "2026年3月".
    """
    if (first_month, last_month) == (1, 12) and today > date(year, 12, 31):
        return format_year(year)
    return format_months(year, first_month, last_month)


def format_as_of(*, year: int, as_of: date, today: date) -> str:
    """The period of a table as of a day: the whole year once it is over, else "截至…".

    On December 31st itself the year still runs: "截至2026年12月31日", as `format_period` keeps
    "2026年1-12月" until then.
    """
    if as_of == date(year, 12, 31) and today > as_of:
        return format_year(year)
    return _("截至%(day)s") % {"day": format_day(as_of)}

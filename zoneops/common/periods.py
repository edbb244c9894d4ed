"""Dates and periods as Chinese reports write them: 2019年3月1日, 2019年1-10月, 2019年."""

import calendar
from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.utils.functional import lazy
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


def _month_label(month: int) -> str:
    return _("%(month)d月") % {"month": month}


# A month picker's choices (1月 … 12月), in the language of the request that shows them.
MONTH_CHOICES = [(month, lazy(_month_label, str)(month)) for month in range(1, 13)]


def month_start(day: date) -> date:
    """The first day of the day's month."""
    return day.replace(day=1)


def month_before(day: date) -> date:
    """The first day of the month before the day's: the last month over, the one statistics
    have published by `day` (2026-12-06 → 2026-11-01)."""
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def month_end(day: date) -> date:
    """The last day of the day's month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


@dataclass(frozen=True)
class Period:
    """Months of one year as Chinese reports count them: 1-N月 (January to month N, the
    cumulative figure statistics report), one month, any span of months, or the year's own
    report (年报, `annual`: the year as a whole, not December's 1-12月 cumulative).

    The one reporting period of the figures, the monthly reports and the statistics pages:
    its days (`start`, `end`), its name as reports write it (`label`, `label_on`) and the same
    period a year earlier (`year_before`).
    """

    year: int
    first_month: int = 1
    last_month: int = 12
    annual: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.first_month <= self.last_month <= 12:
            raise ValueError(f"months {self.first_month}-{self.last_month} of {self.year}")
        if self.annual and (self.first_month, self.last_month) != (1, 12):
            raise ValueError("an annual period runs from January to December")

    @classmethod
    def months_to(cls, year: int, month: int) -> "Period":
        """1-N月: January to `month` (2019, 10 → 2019年1-10月)."""
        return cls(year, 1, month)

    @classmethod
    def of_month(cls, day: date) -> "Period":
        """The one month a day falls in (2019-10-01 → 2019年10月)."""
        return cls(day.year, day.month, day.month)

    @classmethod
    def of_year(cls, year: int) -> "Period":
        """The year's own report (2019 → 2019年)."""
        return cls(year, annual=True)

    @classmethod
    def reported(cls, year: int, month: int | None) -> "Period":
        """The period a figures row stands for: 1-N月 for month N, the year without one."""
        return cls.of_year(year) if month is None else cls.months_to(year, month)

    @property
    def start(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def end(self) -> date:
        return month_end(date(self.year, self.last_month, 1))

    @property
    def label(self) -> str:
        """ "2019年", "2019年1-10月", "2019年10月"; December's cumulative stays "2019年1-12月"."""
        if self.annual:
            return format_year(self.year)
        return format_months(self.year, self.first_month, self.last_month)

    def label_on(self, today: date) -> str:
        """The name on `today`: January to December of a year that is over is the year
        (`format_period`)."""
        if self.annual:
            return format_year(self.year)
        return format_period(
            year=self.year, first_month=self.first_month, last_month=self.last_month, today=today
        )

    def year_before(self) -> "Period":
        """The same months (or the year's report) a year earlier: 1-N月 against 1-N月."""
        return replace(self, year=self.year - 1)

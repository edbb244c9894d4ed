"""Reads of the indicators: each indicator's year month by month, with the single month, 同比,
环比 and the share of its target worked out from the figures (never typed in), and the zone's
economy at a glance for a period (经济运行情况)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Max, QuerySet
from django.utils import timezone

from zoneops.common.growth import month_from_cumulative, schedule_share, share_percent, yoy_percent
from zoneops.common.periods import format_months, month_end
from zoneops.common.scope import scope_queryset
from zoneops.enterprises.selectors import figures_latest_month, figures_monthly_sums
from zoneops.indicators.models import Indicator, IndicatorTarget, IndicatorValue

MONTHS = range(1, 13)


@dataclass(frozen=True)
class IndicatorMonth:
    """One month of an indicator. For a flow `value` is 1-N月 and `month_value` the month
    alone (当月); for a stock both are the month's end."""

    year: int
    month: int
    is_flow: bool
    value: Decimal | None
    month_value: Decimal | None
    previous: Decimal | None  # the same period a year earlier
    yoy: Decimal | None  # 同比 of `value`, %
    month_yoy: Decimal | None  # 当月同比, %
    mom: Decimal | None  # 环比: the month against the month before, %

    @property
    def period_label(self) -> str:
        """ "2019年1-10月" for a flow; "2019年10月" (its end) for a stock."""
        first = 1 if self.is_flow else self.month
        return format_months(self.year, first, self.month)


@dataclass(frozen=True)
class IndicatorYear:
    """An indicator's twelve months of a year, with its target for the year."""

    indicator: Indicator
    year: int
    months: tuple[IndicatorMonth, ...]
    target: Decimal | None

    def latest(self, up_to: int = 12) -> IndicatorMonth | None:
        """The last month up to `up_to` that has a figure."""
        for month in reversed(self.months[:up_to]):
            if month.value is not None:
                return month
        return None

    def completion(self, up_to: int = 12) -> Decimal | None:
        """完成率: the latest figure up to `up_to` as a share of the year's target, %."""
        latest = self.latest(up_to)
        return share_percent(latest.value if latest else None, self.target)

    def schedule(self, up_to: int = 12) -> Decimal | None:
        """序时进度 of a flow at its latest month (a stock has none)."""
        latest = self.latest(up_to)
        if not self.indicator.is_flow or latest is None or self.target is None:
            return None
        return schedule_share(as_of=month_end(date(self.year, latest.month, 1)))

    def behind(self, up_to: int = 12) -> bool:
        """A flow behind its target: its completion below 序时进度 (above it where lower is
        better). A stock, with no 序时进度, and an indicator without a target never are."""
        completion, schedule = self.completion(up_to), self.schedule(up_to)
        if completion is None or schedule is None:
            return False
        if self.indicator.higher_is_better:
            return completion < schedule
        return completion > schedule


def indicators_visible(*, user: Any = None) -> QuerySet[Indicator]:
    queryset = Indicator.objects.select_related("department")
    return queryset if user is None else scope_queryset(queryset, user)


def _figures(
    indicators: list[Indicator], years: Iterable[int]
) -> dict[tuple[int, int, int], Decimal]:
    """(indicator, year, month) → the stored or rolled-up figure, two queries in all."""
    years = list(years)
    found: dict[tuple[int, int, int], Decimal] = {}
    typed = [indicator.pk for indicator in indicators if not indicator.is_rolled_up]
    if typed:
        rows = IndicatorValue.objects.filter(indicator__in=typed, year__in=years).values_list(
            "indicator", "year", "month", "value"
        )
        found.update({(pk, year, month): value for pk, year, month, value in rows})
    rolled = [indicator for indicator in indicators if indicator.is_rolled_up]
    if rolled:
        sums = figures_monthly_sums(
            years=years, metrics={indicator.enterprise_metric for indicator in rolled}
        )
        for indicator in rolled:
            scale = Decimal(indicator.roll_up_scale())
            for (year, month), values in sums.items():
                if indicator.enterprise_metric in values:
                    total = Decimal(values[indicator.enterprise_metric]) / scale
                    found[(indicator.pk, year, month)] = total
    return found


def _months(
    indicator: Indicator, year: int, figures: dict[tuple[int, int, int], Decimal]
) -> tuple[IndicatorMonth, ...]:
    def figure(year: int, month: int) -> Decimal | None:
        if month == 0:
            year, month = year - 1, 12
        return figures.get((indicator.pk, year, month))

    def single(year: int, month: int) -> Decimal | None:
        if not indicator.is_flow:
            return figure(year, month)
        if month == 0:
            year, month = year - 1, 12
        return month_from_cumulative(
            month=month, cumulative=figure(year, month), cumulative_before=figure(year, month - 1)
        )

    months = []
    for month in MONTHS:
        value, previous = figure(year, month), figure(year - 1, month)
        month_value = single(year, month)
        months.append(
            IndicatorMonth(
                year=year,
                month=month,
                is_flow=indicator.is_flow,
                value=value,
                month_value=month_value,
                previous=previous,
                yoy=yoy_percent(value, previous),
                month_yoy=yoy_percent(month_value, single(year - 1, month))
                if indicator.is_flow
                else None,
                mom=yoy_percent(month_value, single(year, month - 1)),
            )
        )
    return tuple(months)


def indicator_years(*, indicators: Iterable[Indicator], year: int) -> list[IndicatorYear]:
    """Each indicator's year (and the year before, for 同比), in the order given: a fixed
    number of queries however many indicators."""
    indicators = list(indicators)
    figures = _figures(indicators, (year - 2, year - 1, year))
    targets = dict(
        IndicatorTarget.objects.filter(indicator__in=indicators, year=year).values_list(
            "indicator", "value"
        )
    )
    return [
        IndicatorYear(
            indicator=indicator,
            year=year,
            months=_months(indicator, year, figures),
            target=targets.get(indicator.pk),
        )
        for indicator in indicators
    ]


def indicator_year(*, indicator: Indicator, year: int) -> IndicatorYear:
    return indicator_years(indicators=[indicator], year=year)[0]


def indicators_latest_month(*, year: int, today: date | None = None) -> int | None:
    """The latest month of `year` with any figure (typed, or the enterprises' for a roll-up),
    not after `today`'s month: the period the economy page opens on."""
    today = today or timezone.localdate()
    if year > today.year:
        return None
    last = 12 if year < today.year else today.month
    found = IndicatorValue.objects.filter(year=year, month__lte=last).aggregate(m=Max("month"))
    months = [found["m"]]
    if Indicator.objects.rolled_up().exists():
        months.append(figures_latest_month(year=year, up_to=last))
    return max((month for month in months if month is not None), default=None)


def economy_month(*, year: int, today: date | None = None) -> int:
    """The month an economy of `year` is read to when none is asked for: the latest with any
    figure; without one, the last month over (December of a past year)."""
    today = today or timezone.localdate()
    found = indicators_latest_month(year=year, today=today)
    if found is not None:
        return found
    if year < today.year:
        return 12
    return max(today.month - 1, 1)  # in January, January itself


def indicator_values_visible(*, user: Any = None) -> QuerySet[IndicatorValue]:
    """The typed figures of the indicators the user reads."""
    queryset = IndicatorValue.objects.select_related("indicator")
    if user is None:
        return queryset
    return queryset.filter(indicator__in=indicators_visible(user=user))


@dataclass(frozen=True)
class EconomyRow:
    """An indicator on the economy page: its figure for the period and where it stands."""

    year: IndicatorYear
    up_to: int  # the period is 1-`up_to`月
    month: IndicatorMonth | None  # the period's own month, or the latest before it

    @property
    def indicator(self) -> Indicator:
        return self.year.indicator

    @property
    def completion(self) -> Decimal | None:
        return self.year.completion(self.up_to)

    @property
    def schedule(self) -> Decimal | None:
        return self.year.schedule(self.up_to)

    @property
    def behind(self) -> bool:
        return self.year.behind(self.up_to)


@dataclass(frozen=True)
class Economy:
    year: int
    month: int
    rows: list[EconomyRow]

    @property
    def period_label(self) -> str:
        return format_months(self.year, 1, self.month)


def economy_overview(*, year: int, month: int, user: Any = None) -> Economy:
    """经济运行情况 for 1-`month`月 of `year`: every indicator the user reads, with its figure
    for the period (or its latest before it), 同比, target and 序时进度."""
    years = indicator_years(indicators=indicators_visible(user=user), year=year)
    rows = [EconomyRow(year=item, up_to=month, month=item.latest(month)) for item in years]
    return Economy(year=year, month=month, rows=rows)

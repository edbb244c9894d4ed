"""Periods as Chinese reports write them."""

from datetime import date

import pytest

from zoneops.common.periods import (
    Period,
    format_as_of,
    format_months,
    format_period,
    format_year,
)


def test_a_cumulative_and_a_single_month():
    assert format_months(2019, 1, 10) == "2019年1-10月"
    assert format_months(2019, 10, 10) == "2019年10月"
    assert format_year(2019) == "2019年"


def test_january_to_december_is_the_year_once_it_is_over():
    assert format_period(year=2019, first_month=1, last_month=12, today=date(2026, 12, 6)) == (
        "2019年"
    )
    assert format_period(year=2026, first_month=1, last_month=12, today=date(2027, 1, 1)) == (
        "2026年"
    )


def test_a_year_still_running_is_a_cumulative_even_in_december():
    for today in (date(2026, 12, 6), date(2026, 12, 31)):
        assert format_period(year=2026, first_month=1, last_month=12, today=today) == (
            "2026年1-12月"
        )
    assert format_period(year=2026, first_month=1, last_month=11, today=date(2027, 3, 1)) == (
        "2026年1-11月"
    )
    assert format_period(year=2026, first_month=3, last_month=3, today=date(2026, 12, 6)) == (
        "2026年3月"
    )


def test_a_table_as_of_the_years_last_day_is_the_year_only_once_that_day_is_over():
    last_day = date(2026, 12, 31)

    assert format_as_of(year=2026, as_of=last_day, today=last_day) == "截至2026年12月31日"
    assert format_as_of(year=2026, as_of=last_day, today=date(2027, 1, 1)) == "2026年"
    assert format_as_of(year=2026, as_of=date(2026, 3, 1), today=date(2027, 1, 1)) == (
        "截至2026年3月1日"
    )


def test_a_period_names_its_months_as_reports_do():
    assert Period.months_to(2019, 10).label == "2019年1-10月"
    assert Period.of_month(date(2019, 10, 15)).label == "2019年10月"
    assert Period.of_year(2019).label == "2019年"
    assert Period.reported(2019, 12).label == "2019年1-12月"  # December's cumulative
    assert Period.reported(2019, None) == Period.of_year(2019)  # the year's own report


def test_a_period_knows_its_days_and_the_same_months_a_year_earlier():
    february = Period.months_to(2020, 2)
    assert (february.start, february.end) == (date(2020, 1, 1), date(2020, 2, 29))
    assert february.year_before() == Period.months_to(2019, 2)
    assert february.year_before().end == date(2019, 2, 28)
    assert Period(2019, 3, 5).end == date(2019, 5, 31)


def test_a_whole_year_of_months_reads_as_the_year_once_it_is_over():
    months = Period(2026, 1, 12)
    assert months.label_on(date(2026, 12, 31)) == "2026年1-12月"
    assert months.label_on(date(2027, 1, 1)) == "2026年"
    assert Period(2026, 3, 3).label_on(date(2027, 1, 1)) == "2026年3月"


def test_a_period_refuses_months_out_of_order():
    with pytest.raises(ValueError):
        Period(2019, 5, 3)
    with pytest.raises(ValueError):
        Period(2019, 1, 13)
    with pytest.raises(ValueError):
        Period(2019, 1, 6, annual=True)

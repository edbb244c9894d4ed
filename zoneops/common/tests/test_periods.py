"""Periods as Chinese reports write them."""

from datetime import date

from zoneops.common.periods import format_as_of, format_months, format_period, format_year


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

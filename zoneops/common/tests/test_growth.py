"""同比, 当月 and 序时进度 as Chinese statistics work them out."""

from datetime import date
from decimal import Decimal

from zoneops.common.growth import month_from_cumulative, schedule_share, share_percent, yoy_percent


def test_yoy_is_the_change_over_the_base_in_percent():
    assert yoy_percent(Decimal("21.7"), Decimal("16.662")) == Decimal("30.24")
    assert yoy_percent(Decimal(90), Decimal(100)) == Decimal("-10.00")
    # A loss that shrinks is growth: the base's size, not its sign, divides.
    assert yoy_percent(Decimal(-50), Decimal(-100)) == Decimal("50.00")
    assert yoy_percent(Decimal(1), 0) is None
    assert yoy_percent(None, Decimal(1)) is None


def test_a_single_month_is_the_difference_of_two_cumulatives():
    assert month_from_cumulative(month=1, cumulative=Decimal(7), cumulative_before=None) == 7
    assert (
        month_from_cumulative(month=5, cumulative=Decimal(50), cumulative_before=Decimal(42)) == 8
    )
    assert month_from_cumulative(month=5, cumulative=Decimal(50), cumulative_before=None) is None
    assert month_from_cumulative(month=5, cumulative=None, cumulative_before=Decimal(1)) is None


def test_completion_and_schedule_are_shares_with_one_decimal():
    assert share_percent(Decimal("26.24"), Decimal(30)) == Decimal("87.5")
    assert share_percent(Decimal(1), None) is None
    assert schedule_share(as_of=date(2026, 11, 30)) == Decimal("91.7")
    assert schedule_share(as_of=date(2026, 12, 31)) == Decimal(100)

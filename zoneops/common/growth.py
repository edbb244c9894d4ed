"""Growth as Chinese statistics report it: 同比 and 环比 in percent, and a single month (当月)
worked out from two 1-N月 cumulatives. Never typed in: always computed from the figures."""

import calendar
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)
PERCENT_PLACES = Decimal("0.01")
TENTH = Decimal("0.1")


def yoy_percent(current: Decimal | int | None, previous: Decimal | int | None) -> Decimal | None:
    """The change from `previous` to `current` in percent, two decimals (同比, 环比); none when
    either side is missing or the base is zero."""
    if current is None or previous is None or Decimal(previous) == 0:
        return None
    change = (Decimal(current) - Decimal(previous)) / abs(Decimal(previous)) * HUNDRED
    return change.quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP)


def share_percent(part: Decimal | int | None, whole: Decimal | int | None) -> Decimal | None:
    """`part` as a percent of `whole`, one decimal (完成率); none without a whole."""
    if part is None or whole is None or Decimal(whole) == 0:
        return None
    return (Decimal(part) / Decimal(whole) * HUNDRED).quantize(TENTH, rounding=ROUND_HALF_UP)


def month_from_cumulative(
    *, month: int, cumulative: Decimal | int | None, cumulative_before: Decimal | int | None
) -> Decimal | None:
    """当月: January's 1-1月 is the month itself; any later month is its 1-N月 less the
    1-(N-1)月, and unknown when either is missing."""
    if cumulative is None:
        return None
    if month == 1:
        return Decimal(cumulative)
    if cumulative_before is None:
        return None
    return Decimal(cumulative) - Decimal(cumulative_before)


def schedule_share(*, as_of: date, year: int | None = None) -> Decimal:
    """序时进度 in %, one decimal: month / 12 at the end of a month, else the share of the
    year's days gone by `as_of`; 0 before the year, 100 once it is over."""
    year = year or as_of.year
    if as_of < date(year, 1, 1):
        return Decimal(0).quantize(TENTH)
    if as_of >= date(year, 12, 31):
        return HUNDRED.quantize(TENTH)
    if (as_of + timedelta(days=1)).day == 1:
        share = Decimal(as_of.month) * HUNDRED / Decimal(12)
    else:
        elapsed = (as_of - date(year, 1, 1)).days + 1
        share = Decimal(elapsed) * HUNDRED / Decimal(366 if calendar.isleap(year) else 365)
    return share.quantize(TENTH, rounding=ROUND_HALF_UP)

from django.db import models
from django.utils.translation import gettext_lazy as _


class IndicatorKind(models.TextChoices):
    """How a figure runs through the year. A flow (产值, 收入, 产量) is reported as 1-N月: the
    sum from January; its single month is worked out. A stock (累计产量, 从业人员) is the value
    at the month's end."""

    FLOW = "flow", _("流量（1-N月累计）")
    STOCK = "stock", _("存量（月末数）")


# The units a roll-up of the enterprises' figures can be given in, with how many of the
# figures' own unit (万元, 人) make one.
ROLL_UP_UNITS: dict[str, dict[str, int]] = {
    "amount": {"万元": 1, "亿元": 10_000},
    "people": {"人": 1, "万人": 10_000},
}

"""Amounts as Chinese reports write them: exact decimals in 万元, shown in 亿元 or 万元."""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext as _

WAN_PER_YI = Decimal(10000)


class AmountField(models.DecimalField):
    """An amount in 万元 (ten thousand yuan), exact to the fen, never negative."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 16)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("validators", [MinValueValidator(Decimal(0))])
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("validators", None)
        return name, path, args, kwargs


def wan_to_yi(amount_wan: Decimal | int | None, places: int = 2) -> Decimal:
    """万元 → 亿元, rounded half up like a statistics table."""
    value = Decimal(amount_wan or 0) / WAN_PER_YI
    quantum = Decimal(1).scaleb(-places)
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


def _trim(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_yi(amount_wan: Decimal | int | None, places: int = 2) -> str:
    """12345678 万元 → "1234.57亿元"; trailing zeros dropped ("23亿元", "61.16亿元")."""
    return _("%(amount)s亿元") % {"amount": _trim(wan_to_yi(amount_wan, places))}


def format_wan(amount_wan: Decimal | int | None, places: int = 2) -> str:
    quantum = Decimal(1).scaleb(-places)
    value = Decimal(amount_wan or 0).quantize(quantum, rounding=ROUND_HALF_UP)
    return _("%(amount)s万元") % {"amount": _trim(value)}


def exact_wan(amount_wan: Decimal | int | None) -> Decimal:
    """An amount in 万元 with its two decimal places, whatever the database's sum returned."""
    return Decimal(amount_wan or 0).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

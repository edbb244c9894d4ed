"""Template filters for amounts and lookups, shared by every page."""

from decimal import Decimal
from typing import Any

from django import template

from zoneops.common.amounts import wan_to_yi

register = template.Library()


@register.filter
def yi(amount_wan: Decimal | int | None) -> str:
    """万元 → the number of 亿元 with two decimals, as report tables print it."""
    return f"{wan_to_yi(amount_wan):,.2f}"


@register.filter
def get_item(mapping: dict, key: Any) -> Any:
    return mapping.get(key) if mapping else None

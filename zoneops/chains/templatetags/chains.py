from decimal import Decimal

from django import template

from zoneops.common.amounts import format_yi

register = template.Library()


@register.filter
def cm_yi(amount_wan: Decimal | None) -> str:
    """万元 shown in 亿元 the Chinese way."""
    return format_yi(amount_wan)


@register.filter
def cm_depth(depth: int) -> int:
    """Indentation steps drawn: three at most."""
    return min(int(depth), 3)

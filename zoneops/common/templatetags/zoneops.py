"""Template filters for amounts and lookups, shared by every page."""

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

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


@register.inclusion_tag("zoneops/pager.html")
def pager(page: Any, param: str, pager_id: str, noun: str, **keep: Any) -> dict[str, Any]:
    """上一页 / 第 n / m 页，共 N 个项目 / 下一页 for one list of a page (`noun`: what it counts,
    with its measure word, 个项目): the links set `param` and keep the other lists' pages or
    the page's filters given as `keep` (name=value)."""

    def link(number: int) -> str:
        return "?" + urlencode(sorted({**keep, param: number}.items()))

    return {
        "page": page,
        "pager_id": pager_id,
        "noun": noun,
        "previous": link(page.previous_page_number()) if page.has_previous() else "",
        "next": link(page.next_page_number()) if page.has_next() else "",
    }

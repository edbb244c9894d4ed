"""The bell in the back office's header: the signed-in person's unread notices (one query)."""

from typing import Any

from django import template

from zoneops.notifications.selectors import notifications_unread_count

register = template.Library()


@register.inclusion_tag("notifications/_bell.html", takes_context=True)
def notification_bell(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"unread": notifications_unread_count(user=user) if user is not None else 0}


@register.simple_tag(takes_context=True)
def notifications_unread(context: template.Context) -> int:
    """The signed-in person's unread notices (the enterprise pages' menu)."""
    request = context.get("request")
    return notifications_unread_count(user=getattr(request, "user", None))

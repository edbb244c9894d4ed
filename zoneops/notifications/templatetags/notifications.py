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

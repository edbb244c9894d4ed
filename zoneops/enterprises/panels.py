"""The enterprises of a park on its page in the back office (common.panels)."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.common.panels import Panel
from zoneops.enterprises.selectors.register import park_enterprises as _park_enterprises


def park_enterprises(*, request: HttpRequest, obj: Any) -> Panel | None:
    """入园企业: registered in the park or leasing a unit of it today."""
    if not request.user.has_perm("enterprises.view_enterprise"):
        return None
    today = timezone.localdate()
    enterprises = list(_park_enterprises(park=obj, on=today, user=request.user)[:200])
    return Panel(
        title=_("入园企业"),
        template="enterprises/park_enterprises.html",
        context={"enterprises": enterprises},
        order=50,
    )

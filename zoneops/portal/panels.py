"""The hall inquiry under the lead it started, on the project's page in the back office: only
for whoever may read the lead (the contact's name and mobile with it), with its origin, the
first-response clock, the reply and its online meetings with their outcome."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.casework.admin import clock_badge, clock_colours
from zoneops.common.panels import Panel
from zoneops.portal.models import ResponseClock
from zoneops.portal.selectors import inquiry_of_project
from zoneops.projects.enums import SourceChannel


def project_inquiry(*, request: HttpRequest, obj: Any) -> Panel | None:
    if obj.source_channel != SourceChannel.ONLINE_HALL:
        return None
    inquiry = inquiry_of_project(project=obj, user=request.user)
    if inquiry is None:
        return None
    clock = clock_badge(inquiry.clock(on=timezone.localdate()), clock_colours(ResponseClock))
    return Panel(
        title=_("来源：线上会客厅 %(reference)s") % {"reference": inquiry.reference},
        template="portal/panel_inquiry.html",
        context={"inquiry": inquiry, "clock": clock},
        order=5,
    )

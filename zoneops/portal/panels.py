"""The hall inquiry under the lead it started, on the project's page in the back office: only
for whoever may read the lead (the contact's name and mobile with it)."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from zoneops.common.panels import Panel
from zoneops.portal.selectors import inquiry_of_project
from zoneops.projects.enums import SourceChannel


def project_inquiry(*, request: HttpRequest, obj: Any) -> Panel | None:
    if obj.source_channel != SourceChannel.ONLINE_HALL:
        return None
    inquiry = inquiry_of_project(project=obj, user=request.user)
    if inquiry is None:
        return None
    return Panel(
        title=_("线上会客厅咨询"),
        template="portal/panel_inquiry.html",
        context={"inquiry": inquiry},
        order=5,
    )

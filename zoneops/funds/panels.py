"""The fund applications under an enterprise's and a project's page in the back office."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from zoneops.common.panels import Panel
from zoneops.funds.selectors import applications_of

SHOWN = 20


def _panel(request: HttpRequest, queryset: Any) -> Panel | None:
    if not request.user.has_perm("funds.view_fundapplication"):
        return None
    rows = list(queryset[: SHOWN + 1])
    return Panel(
        title=_("扶持资金申报"),
        template="funds/panel.html",
        context={"rows": rows[:SHOWN], "more": len(rows) > SHOWN},
        order=60,
    )


def enterprise_applications(*, request: HttpRequest, obj: Any) -> Panel | None:
    """The enterprise's applications, its own and its projects'."""
    return _panel(request, applications_of(user=request.user, enterprise_id=obj.pk))


def project_applications(*, request: HttpRequest, obj: Any) -> Panel | None:
    return _panel(request, applications_of(user=request.user, project_id=obj.pk))

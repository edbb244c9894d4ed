"""The supervised task shown on a decision's, a problem's and a request's page, or the link
that makes one (转督办): those apps cannot name supervision (common.panels)."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.casework.admin import clock_badge, clock_colours
from zoneops.common.panels import Panel
from zoneops.common.scope import can_see
from zoneops.supervision.models import TaskClock
from zoneops.supervision.selectors import task_of_record

TEMPLATE = "supervision/_record_task.html"


def _panel(*, request: HttpRequest, obj: Any, field: str, kind: str) -> Panel | None:
    user: Any = request.user
    if not user.has_perm("supervision.view_supervisiontask"):
        return None
    task = task_of_record(field=field, pk=obj.pk)
    if task is not None and not can_see(user, task):
        return None
    context: dict[str, Any] = {"task": task}
    if task is not None:
        context["url"] = reverse("admin:supervision_supervisiontask_change", args=[task.pk])
        context["badge"] = clock_badge(
            task.clock(on=timezone.localdate()), clock_colours(TaskClock)
        )
    elif user.has_perm("supervision.add_supervisiontask"):
        context["convert_url"] = reverse(
            "admin:supervision_supervisiontask_convert", args=[kind, obj.pk]
        )
    else:
        return None
    return Panel(title=_("督办事项"), template=TEMPLATE, context=context, order=60)


def decision_task(*, request: HttpRequest, obj: Any) -> Panel | None:
    return _panel(request=request, obj=obj, field="decision", kind="decision")


def problem_task(*, request: HttpRequest, obj: Any) -> Panel | None:
    return _panel(request=request, obj=obj, field="problem", kind="problem")


def request_task(*, request: HttpRequest, obj: Any) -> Panel | None:
    return _panel(request=request, obj=obj, field="request", kind="request")

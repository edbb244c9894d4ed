"""The cases of a project on its page in the back office (common.panels)."""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.approvals import selectors
from zoneops.common.panels import Panel


def project_cases(*, request: HttpRequest, obj: Any) -> Panel | None:
    """审批办件: the project's cases with their clock; a late one is marked 逾期办件, a problem
    of the project. Nothing for a user who may not read cases, or a project without any."""
    if not request.user.has_perm("approvals.view_case"):
        return None
    from zoneops.approvals.admin import CLOCK_COLOURS

    today = timezone.localdate()
    cases = selectors.project_cases(project=obj, user=request.user, on=today)
    if not cases:
        return None
    late = sum(1 for case in cases if getattr(vars(case).get("clock"), "key", "") == "red")
    return Panel(
        title=_("审批办件"),
        template="approvals/project_cases.html",
        context={"cases": cases, "late": late, "colours": CLOCK_COLOURS, "today": today},
        order=60,
    )

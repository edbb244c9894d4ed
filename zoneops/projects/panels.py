"""The projects of a park on its page in the back office (common.panels)."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from zoneops.common.panels import Panel
from zoneops.projects.selectors.pipeline import park_projects as _park_projects
from zoneops.projects.selectors.pipeline import park_projects_by_stage

# A park's page lists this many of its projects; the rest are one click away (its list).
SHOWN = 20


def park_projects(*, request: HttpRequest, obj: Any) -> Panel | None:
    """落地项目: how many projects the park holds at each stage, the first of them by stage,
    and a link to all of them in the projects' list."""
    if not request.user.has_perm("projects.view_project"):
        return None
    stages = park_projects_by_stage(park=obj, user=request.user)
    return Panel(
        title=_("落地项目"),
        template="projects/park_projects.html",
        context={
            "stages": stages,
            "total": sum(count for _stage, _label, count in stages),
            "projects": list(_park_projects(park=obj, user=request.user)[:SHOWN]),
            "all_url": reverse("admin:projects_project_changelist") + f"?park__id__exact={obj.pk}",
        },
        order=60,
    )

"""The projects of a park on its page in the back office (common.panels)."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from zoneops.common.panels import Panel
from zoneops.projects.selectors.pipeline import park_projects as _park_projects


def park_projects(*, request: HttpRequest, obj: Any) -> Panel | None:
    """落地项目: the projects placed in the park, by stage."""
    if not request.user.has_perm("projects.view_project"):
        return None
    projects = list(_park_projects(park=obj, user=request.user)[:200])
    return Panel(
        title=_("落地项目"),
        template="projects/park_projects.html",
        context={"projects": projects},
        order=60,
    )

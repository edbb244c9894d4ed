"""The cockpit's pages (/admin/cockpit/): the page with its panels, a full-screen mode for a
wall display that refreshes itself, and each panel drawn by a request of its own (htmx).
The app holds no table."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from unfold.views import UnfoldModelAdminViewMixin

from zoneops.cockpit.apps import VIEW
from zoneops.cockpit.selectors import PANELS, cockpit_panel
from zoneops.common.admin_base import standalone_host

WALL_REFRESH_SECONDS = 300


class CockpitView(UnfoldModelAdminViewMixin, TemplateView):
    """领导驾驶舱: the panels load one by one; ?wall=1 shows them full screen and reloads every
    five minutes."""

    title = gettext_lazy("领导驾驶舱")
    permission_required = (VIEW,)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(model_admin=standalone_host(), **kwargs)

    def get_template_names(self) -> list[str]:
        wall = self.request.GET.get("wall") == "1"
        return ["cockpit/wall.html" if wall else "cockpit/index.html"]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            panels=[(key, title) for key, (title, _build) in PANELS.items()],
            today=timezone.localdate(),
            refresh=WALL_REFRESH_SECONDS,
            refresh_minutes=WALL_REFRESH_SECONDS // 60,
            **kwargs,
        )


def cockpit_panel_view(request: HttpRequest, key: str) -> HttpResponse:
    if key not in PANELS:
        raise Http404
    panel = cockpit_panel(key=key, user=request.user, today=timezone.localdate())
    return render(request, "cockpit/panel.html", {"panel": panel})

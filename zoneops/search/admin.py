"""The 全局搜索 page in the back office: one box, the hits grouped by kind, each linking to its
record page with the text that matched. Mounted by `search.urls` under /admin/search/."""

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from unfold.views import UnfoldModelAdminViewMixin

from zoneops.common.exceptions import ApplicationError
from zoneops.search.kinds import search_kinds
from zoneops.search.selectors import MAX_LENGTH, SCAN_ROWS, search


class _Host:
    """What the admin's layout needs of a page's ModelAdmin: its site (no register here)."""

    admin_site = admin.site


class SearchView(UnfoldModelAdminViewMixin, TemplateView):
    title = gettext_lazy("全局搜索")
    template_name = "search/index.html"
    # Whoever reads any searchable kind may search (checked in dispatch).
    permission_required = ()

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(model_admin=_Host(), **kwargs)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not any(user.has_perm(kind.view_permission) for kind in search_kinds()):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        text = self.request.GET.get("q", "")
        results, error = None, None
        try:
            results = search(user=self.request.user, text=text)
        except ApplicationError as refused:
            error = refused.message
        return super().get_context_data(
            q=text if error is None else text[:MAX_LENGTH],
            results=results,
            error=error,
            scan_rows=SCAN_ROWS,
            kinds=[kind.label for kind in search_kinds()],
            **kwargs,
        )

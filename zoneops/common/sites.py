"""The back office's admin site: unfold's, with Django's app list built only when read.

Django's `each_context` builds the whole app list (four permission checks and two URLs per
register) for every page; the sidebar (common.navigation) replaces it, so the app list is read
only where a template still shows it (the app index, a user without sidebar items). Its
lists draw through common.unfold_lists.
"""

from typing import Any

from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from unfold.sites import UnfoldAdminSite


class BackOfficeSite(UnfoldAdminSite):
    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> Any:
        build = super().get_app_list
        return SimpleLazyObject(lambda: build(request, app_label))


class BackOfficeAdminConfig(AdminConfig):
    """`django.contrib.admin` with the back office's site as `admin.site`."""

    default_site = "zoneops.common.sites.BackOfficeSite"

    def ready(self) -> None:
        super().ready()
        from zoneops.common.unfold_lists import install

        install()  # lists without the work unfold repeats on every row

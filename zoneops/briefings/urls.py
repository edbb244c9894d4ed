"""The briefing pages inside the back office (/admin/briefings/...), behind the admin's login
and the permission to read the zone's figures."""

from django.contrib import admin
from django.contrib.auth.decorators import permission_required
from django.urls import path

from zoneops.briefings.admin import BriefingView, FigureCheckView, briefing_download
from zoneops.briefings.apps import VIEW

app_name = "briefings"

site = admin.site
urlpatterns = [
    path("", site.admin_view(BriefingView.as_view()), name="index"),
    path("check/", site.admin_view(FigureCheckView.as_view()), name="check"),
    path(
        "download/",
        site.admin_view(permission_required(VIEW, raise_exception=True)(briefing_download)),
        name="download",
    ),
]

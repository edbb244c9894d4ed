"""The cockpit inside the back office (/admin/cockpit/...), behind the admin's login and the
permission to read the zone's figures (cockpit.apps.VIEW)."""

from django.contrib import admin
from django.contrib.auth.decorators import permission_required
from django.urls import path

from zoneops.cockpit.admin import CockpitView, cockpit_panel_view
from zoneops.cockpit.apps import VIEW

app_name = "cockpit"

site = admin.site
urlpatterns = [
    path("", site.admin_view(CockpitView.as_view()), name="index"),
    path(
        "panels/<slug:key>/",
        site.admin_view(permission_required(VIEW, raise_exception=True)(cockpit_panel_view)),
        name="panel",
    ),
]

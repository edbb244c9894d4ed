"""The chain pages inside the back office (/admin/chains/...), behind the admin's login."""

from django.contrib import admin
from django.urls import path

from zoneops.chains.admin import (
    ChainIndexView,
    ChainMapView,
    GapListView,
    StartLeadView,
    gaps_export,
)

app_name = "chains"

site = admin.site
urlpatterns = [
    path("", site.admin_view(ChainIndexView.as_view()), name="index"),
    path("<id:pk>/", site.admin_view(ChainMapView.as_view()), name="map"),
    path("gaps/", site.admin_view(GapListView.as_view()), name="gaps"),
    path("gaps/export/", site.admin_view(gaps_export), name="gaps_export"),
    path("nodes/<id:pk>/lead/", site.admin_view(StartLeadView.as_view()), name="start_lead"),
]

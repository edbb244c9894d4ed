from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import path

from zoneops.common.admin_base import BusinessAdmin
from zoneops.common.scope import scope_for
from zoneops.parks.map import ParkMapView
from zoneops.parks.models import Park
from zoneops.parks.services import park_save


@admin.register(Park)
class ParkAdmin(BusinessAdmin):
    list_display = ["name", "kind", "area_mu", "floor_area_m2", "managing_department"]
    list_filter = ["kind"]
    search_fields = ["name", "target_industries"]
    list_select_related = ["managing_department"]
    autocomplete_fields = ["managing_department"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and not scope_for(request.user).everything:
            readonly.append("managing_department")  # decided zone-wide (parks.services)
        return readonly

    def save_model(self, request: HttpRequest, obj: Park, form: Any, change: bool) -> None:
        expected = form.cleaned_data.get("edit_version") if change else None
        park_save(park=obj, by=request.user, expected_version=expected)

    def get_urls(self):
        park_map = self.admin_site.admin_view(ParkMapView.as_view(model_admin=self))
        return [path("map/", park_map, name="parks_park_map"), *super().get_urls()]

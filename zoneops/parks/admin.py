from django.contrib import admin

from zoneops.common.admin_base import BusinessAdmin
from zoneops.parks.models import Park


@admin.register(Park)
class ParkAdmin(BusinessAdmin):
    list_display = ["name", "kind", "area_mu", "floor_area_m2", "managing_department"]
    list_filter = ["kind"]
    search_fields = ["name", "target_industries"]
    list_select_related = ["managing_department"]
    autocomplete_fields = ["managing_department"]

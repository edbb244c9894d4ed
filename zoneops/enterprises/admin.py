from django.contrib import admin

from zoneops.common.admin_base import BusinessAdmin
from zoneops.enterprises.models import Enterprise


@admin.register(Enterprise)
class EnterpriseAdmin(BusinessAdmin):
    list_display = ["name", "credit_code", "park", "country", "is_sample"]
    list_filter = ["park", "is_sample"]
    search_fields = ["name", "credit_code"]
    list_select_related = ["park"]
    autocomplete_fields = ["park"]

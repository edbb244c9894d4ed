from django.contrib import admin

from zoneops.common.admin_base import BusinessAdmin
from zoneops.industry.models import IndustryCategory


@admin.register(IndustryCategory)
class IndustryCategoryAdmin(BusinessAdmin):
    list_display = ["name", "code", "gb_section", "is_strategic_emerging", "is_lead", "order"]
    list_filter = ["is_strategic_emerging", "is_lead"]
    search_fields = ["name", "code"]
    nav_order = 20

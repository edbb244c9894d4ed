from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndustryConfig(AppConfig):
    name = "zoneops.industry"
    label = "industry"
    verbose_name = _("产业")
    nav_group = "parks"
    nav_icons = {"industrycategory": "category"}

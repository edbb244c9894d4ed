from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "zoneops.api"
    label = "api"
    verbose_name = _("接口")
    nav_group = "system"
    nav_icons = {"apitoken": "key"}
    # Tokens act for other systems with a user's rights: only administrators see and issue them.
    admin_only = True

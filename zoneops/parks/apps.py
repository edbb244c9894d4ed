from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParksConfig(AppConfig):
    name = "zoneops.parks"
    label = "parks"
    verbose_name = _("园区与产业链")
    nav_group = "parks"
    nav_icons = {"park": "location_city"}
    # (title, url name, icon, permission, order)
    nav_pages = [(_("园区分布图"), "admin:parks_park_map", "map", "parks.view_park", 10)]

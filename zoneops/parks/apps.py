from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParksConfig(AppConfig):
    name = "zoneops.parks"
    label = "parks"
    verbose_name = _("园区与产业链")
    nav_group = "parks"
    nav_icons = {
        "park": "location_city",
        "parkphase": "timeline",
        "building": "apartment",
        "unit": "meeting_room",
        "lease": "key",
    }
    # The park's page: its occupancy and history, phases, buildings and tenants, free space and
    # boundary (the enterprises and projects apps add theirs).
    record_panels = {
        "parks.park": (
            "zoneops.parks.panels.park_occupancy",
            "zoneops.parks.panels.park_phases_and_buildings",
            "zoneops.parks.panels.park_free_space",
            "zoneops.parks.panels.park_boundary",
        )
    }
    # (title, url name, icon, permission, order)
    nav_pages = [(_("园区分布图"), "admin:parks_park_map", "map", "parks.view_park", 10)]

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BlockersConfig(AppConfig):
    name = "zoneops.blockers"
    label = "blockers"
    verbose_name = _("共性堵点")
    # Handled beside the requests they mostly group, in the enterprises' area of the sidebar.
    nav_group = "enterprises"
    nav_icons = {"systemicblocker": "hub"}
    # (title, url name, icon, permission, order among the area's pages)
    nav_pages = [
        (
            _("候选共性问题"),
            "admin:blockers_systemicblocker_candidates",
            "hub",
            "blockers.add_systemicblocker",
            40,
        ),
    ]
    # Its API stays where other systems found it: /api/v1/enterprises/blockers.
    api_prefix = "enterprises"

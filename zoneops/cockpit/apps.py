from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The cockpit shows the zone's work as a whole: whoever reads the zone's figures (every colleague,
# never an enterprise user) may open it, and sees it within his data scope.
VIEW = "indicators.view_indicator"


class CockpitConfig(AppConfig):
    name = "zoneops.cockpit"
    label = "cockpit"
    verbose_name = _("领导驾驶舱")
    nav_group = "indicators"
    nav_pages = [(_("领导驾驶舱"), "cockpit:index", "dashboard", VIEW, 1)]

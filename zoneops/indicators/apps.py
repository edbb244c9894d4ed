from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zoneops.orgs.enums import RoleCode

VIEW = "indicators.view_indicator"


class IndicatorsConfig(AppConfig):
    name = "zoneops.indicators"
    label = "indicators"
    verbose_name = _("经济指标")
    nav_group = "indicators"
    nav_icons = {
        "indicator": "monitoring",
        "indicatorvalue": "table_chart",
        "indicatortarget": "flag",
    }
    # The statistician keeps the indicators, their figures and targets; the others read them.
    role_grants = {RoleCode.STATISTICIAN: ("add", "change", "delete")}
    nav_pages = [(_("经济运行情况"), "admin:indicators_indicator_overview", "monitoring", VIEW, 5)]

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The briefing reads every area; whoever reads the zone's figures may write one.
VIEW = "indicators.view_indicator"


class BriefingsConfig(AppConfig):
    name = "zoneops.briefings"
    label = "briefings"
    verbose_name = _("工作简报")
    nav_group = "indicators"
    nav_pages = [
        (_("工作简报"), "briefings:index", "article", VIEW, 30),
        (_("数据核对"), "briefings:check", "fact_check", VIEW, 31),
    ]

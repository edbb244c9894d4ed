from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    name = "zoneops.common"
    label = "common"
    verbose_name = _("系统管理")
    nav_group = "system"

    def ready(self) -> None:
        from zoneops.common import workcalendar  # noqa: F401  connects the cache invalidation
        from zoneops.common.lookups import register_integer_lookups

        register_integer_lookups()

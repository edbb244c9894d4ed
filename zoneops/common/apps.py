from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    name = "zoneops.common"
    label = "common"
    verbose_name = _("系统管理")
    nav_group = "system"
    nav_icons = {"calendaryear": "calendar_month", "calendarday": "event", "savedview": "bookmark"}

    def ready(self) -> None:
        from django.urls import register_converter

        from zoneops.common import workcalendar  # noqa: F401  connects the cache invalidation
        from zoneops.common.lookups import register_integer_lookups

        register_integer_lookups()
        from zoneops.common.inputs import IdConverter

        # `<id:pk>` in the pages' URLs: a record's id, never a number no record can have.
        register_converter(IdConverter, "id")

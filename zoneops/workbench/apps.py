from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zoneops.orgs.enums import RoleCode

VIEW = "workbench.view_carryover"


class WorkbenchConfig(AppConfig):
    """The day's page (今日事项), the first page after login, and 日清日结: every kind of work the
    apps declare (casework.workbench), read through their sources; nothing here names an app."""

    name = "zoneops.workbench"
    label = "workbench"
    verbose_name = _("今日事项")
    nav_group = "supervision"
    nav_icons = {"carryover": "update"}
    # Leaders answer for their departments' day too: they carry over what they supervise.
    role_grants = {
        RoleCode.PRINCIPAL: ("add_carryover",),
        RoleCode.LEADER: ("add_carryover",),
    }
    # (title, url name, icon, permission, order)
    nav_pages = [
        (_("今日事项"), "admin:index", "today", VIEW, 1),
        (_("日清日结统计"), "admin:workbench_carryover_cleared", "fact_check", VIEW, 60),
    ]

    def ready(self) -> None:
        from django.contrib import admin

        from zoneops.workbench.admin import today_index

        # The back office opens on the day's page ("/" and the login land on the admin index).
        admin.site.index = today_index  # type: ignore[method-assign]

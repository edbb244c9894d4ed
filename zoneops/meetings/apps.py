from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "zoneops.meetings"
    label = "meetings"
    verbose_name = _("会议与活动")
    nav_group = "projects"
    nav_icons = {"meeting": "groups", "decision": "task_alt"}
    # What the app puts on a person's day (今日事项; zoneops.casework.workbench).
    workbench_sources = ("zoneops.meetings.workbench.DecisionSource",)

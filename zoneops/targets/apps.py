from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zoneops.orgs.enums import RoleCode

VIEW = "targets.view_target"


class TargetsConfig(AppConfig):
    name = "zoneops.targets"
    label = "targets"
    verbose_name = _("上级任务")
    # Targets join the zone's figures (经济运行): the statistician keeps both.
    nav_group = "indicators"
    nav_icons = {"target": "flag_circle"}
    # The statistician and the leaders keep the targets (the others read them).
    role_grants = {
        RoleCode.STATISTICIAN: ("add", "change", "delete"),
        RoleCode.LEADER: ("add",),
    }
    nav_pages = [(_("上级任务完成情况"), "admin:targets_target_progress", "trending_up", VIEW, 10)]
    # The kinds of target this app follows: code → (label, evaluator); see targets.kinds. The
    # indicators app declares its own kinds (千亿级 revenue) the same way.
    target_kinds = {
        "project_count": (_("项目个数"), "zoneops.targets.progress.project_count"),
    }

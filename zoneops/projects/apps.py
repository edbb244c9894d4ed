from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zoneops.orgs.enums import RoleCode

VIEW = "projects.view_project"


class ProjectsConfig(AppConfig):
    name = "zoneops.projects"
    label = "projects"
    verbose_name = _("招商项目")
    nav_group = "projects"
    # A park's page lists the projects placed in it (common.panels).
    record_panels = {"parks.park": ("zoneops.projects.panels.park_projects",)}
    nav_icons = {
        "project": "business_center",
        "milestone": "flag",
        "annualplan": "event_note",
        "progressreport": "summarize",
        "commandhq": "military_tech",
        "problem": "report",
        "projectplacement": "pin_drop",
    }
    # What the one search box (全局搜索) finds here (see the enterprises app's search_kinds).
    search_kinds = {
        "project": {
            "fields": ("name", "code", "investor_name"),
            "order": 20,
            "scan_whole": True,
        }
    }
    # What the app puts on a person's day (今日事项; zoneops.casework.workbench).
    workbench_sources = (
        "zoneops.projects.workbench.ProblemSource",
        "zoneops.projects.workbench.MilestoneSource",
    )
    # An enterprise user reads its own projects (its pages); the rest as on every business app.
    role_grants = {RoleCode.ENTERPRISE: ("view_project",)}
    # Problems join systemic blockers; resolving one resolves them (zoneops.blockers.members).
    blocker_members = {
        "members": "zoneops.projects.services.blocker_problems.blocker_problems",
        "resolve": "zoneops.projects.services.blocker_problems.blocker_problems_resolve",
    }
    # (title, url name, icon, permission): the app's pages besides its registers.
    nav_pages = [
        (
            _("重点项目调度"),
            "admin:projects_progressreport_schedule",
            "traffic",
            "projects.view_progressreport",
        ),
        (_("招商项目看板"), "admin:projects_project_board", "view_kanban", VIEW),
        (_("招商项目情况表"), "admin:projects_project_summary", "table_chart", VIEW),
        (_("招商漏斗"), "admin:projects_project_funnel", "filter_alt", VIEW),
        (
            _("落地选址统计"),
            "admin:projects_projectplacement_outcomes",
            "pin_drop",
            "projects.view_projectplacement",
        ),
        (
            _("部门问题清单"),
            "admin:projects_problem_department",
            "assignment_late",
            "projects.view_problem",
        ),
    ]

    def ready(self) -> None:
        from zoneops.common.workcalendar import calendar_changed

        calendar_changed.connect(
            _problem_deadlines_follow_the_calendar,
            dispatch_uid="projects.problem_deadlines_follow_the_calendar",
        )


def _problem_deadlines_follow_the_calendar(years: frozenset[int], **kwargs: object) -> None:
    """A holiday entered or a day moved changes the stored deadlines that count over it."""
    from zoneops.projects.services.problems import problems_recompute_deadlines

    problems_recompute_deadlines(years=years)

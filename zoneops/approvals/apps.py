from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zoneops.orgs.enums import RoleCode


class ApprovalsConfig(AppConfig):
    name = "zoneops.approvals"
    label = "approvals"
    verbose_name = _("政务服务")
    nav_group = "approvals"
    nav_icons = {"serviceitem": "list_alt", "case": "approval"}
    # The catalogue gives staff their department's cases; an enterprise user reads its own
    # cases on its pages (read only).
    role_grants = {RoleCode.ENTERPRISE: ("view_case",)}
    nav_pages = [
        (
            _("政务服务统计"),
            "admin:approvals_case_figures",
            "query_stats",
            "approvals.view_case",
            30,
        ),
        (_("逾期办件"), "admin:approvals_case_overdue", "alarm", "approvals.view_case", 40),
    ]
    # A key project's page lists its cases, the late ones marked as problems (逾期办件).
    record_panels = {"projects.project": ("zoneops.approvals.panels.project_cases",)}
    # The enterprise's own pages: its cases.
    selfservice_urls = "zoneops.approvals.urls"
    selfservice_pages = [(_("我的办件"), "cases", "approvals.view_case", "cases")]
    # What the one search box (全局搜索) finds here (see the enterprises app's search_kinds): a
    # case by its applicant or its number; the ID number is not searchable.
    search_kinds = {
        "case": {"fields": ("applicant_name", "id"), "related": ("item", "enterprise"), "order": 40}
    }
    # The day's page (今日事项): the cases due, late and concluded.
    workbench_sources = ("zoneops.approvals.workbench.CaseSource",)

    def ready(self) -> None:
        from zoneops.common.workcalendar import calendar_changed

        calendar_changed.connect(
            _case_deadlines_follow_the_calendar,
            dispatch_uid="approvals.case_deadlines_follow_the_calendar",
        )


def _case_deadlines_follow_the_calendar(years: frozenset[int], **kwargs: object) -> None:
    """A holiday entered or a day moved changes the stored deadlines that count over it."""
    from zoneops.approvals.services import cases_recompute_deadlines

    cases_recompute_deadlines(years=years)

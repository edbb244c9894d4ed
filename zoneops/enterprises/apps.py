from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from zoneops.enterprises.permissions import APPROVE_EXTENSION as _APPROVE
from zoneops.enterprises.permissions import ASSIGN_LIAISON as _ASSIGN
from zoneops.orgs.enums import RoleCode


class EnterprisesConfig(AppConfig):
    name = "zoneops.enterprises"
    label = "enterprises"
    verbose_name = _("企业服务")
    nav_group = "enterprises"
    # A park's page lists the enterprises in it (common.panels).
    record_panels = {"parks.park": ("zoneops.enterprises.panels.park_enterprises",)}
    nav_icons = {
        "enterprise": "factory",
        "enterprisefigure": "monitoring",
        "liaisonassignment": "handshake",
        "enterpriserequest": "support_agent",
        "requestkindlimit": "timer",
        "enterpriseplan": "assignment",
        "planmeasure": "checklist",
    }
    # What the one search box (全局搜索) finds here: model name -> "fields" matched as
    # substrings ("id": the record's number, matched whole), optional "related" (the rows its
    # title reads), "order" among the kinds and "scan_whole" (a term too short for the index
    # scans the whole register, not only its newest rows).
    search_kinds = {
        "enterprise": {
            "fields": ("name", "former_names", "credit_code"),
            "order": 10,
            "scan_whole": True,  # short names (旭阳, 明珠) find every enterprise
        },
        "enterpriserequest": {"fields": ("title", "id"), "order": 30},
    }
    # What the app puts on a person's day (今日事项; zoneops.casework.workbench).
    workbench_sources = ("zoneops.enterprises.workbench.RequestSource",)
    # What a role gets here besides what it gets on every business app (orgs.roles).
    role_grants = {
        # Supervisors approve a department's ask for more time on a request.
        RoleCode.ADMINISTRATOR: (_APPROVE, _ASSIGN),
        RoleCode.PRINCIPAL: (_APPROVE, _ASSIGN),
        RoleCode.LEADER: (_APPROVE,),
        # A department head assigns liaison for the enterprises his department answers for.
        RoleCode.DEPARTMENT_HEAD: (_APPROVE, _ASSIGN),
        # An enterprise user reads its enterprise and its requests, and files requests.
        RoleCode.ENTERPRISE: ("view_enterprise", "view_enterpriserequest", "add_enterpriserequest"),
    }
    # Requests join systemic blockers; resolving one answers them (zoneops.blockers.members).
    blocker_members = {
        "members": "zoneops.enterprises.services.blocker_requests.blocker_requests",
        "resolve": "zoneops.enterprises.services.blocker_requests.blocker_requests_resolve",
    }
    # (title, url name, icon, permission, order): the app's pages besides its registers; the
    # order places them among the area's pages (the blockers app's 候选共性问题 is 40).
    nav_pages = [
        (
            _("我的包联"),
            "admin:enterprises_liaisonassignment_mine",
            "handshake",
            "enterprises.view_liaisonassignment",
            10,
        ),
        (
            _("包联情况表"),
            "admin:enterprises_liaisonassignment_coverage",
            "table_chart",
            "enterprises.view_liaisonassignment",
            20,
        ),
        (
            _("诉求统计"),
            "admin:enterprises_enterpriserequest_statistics",
            "query_stats",
            "enterprises.view_enterpriserequest",
            30,
        ),
        (
            _("逾期诉求"),
            "admin:enterprises_enterpriserequest_overdue",
            "alarm",
            "enterprises.view_enterpriserequest",
            50,
        ),
    ]

    def ready(self) -> None:
        from zoneops.common.scope import register_scope_provider
        from zoneops.enterprises.selectors import liaison_scope
        from zoneops.enterprises.selectors.requests import intake_desk_scope

        # Liaison widens a person's data scope to the enterprises he liaises with (包联).
        register_scope_provider(liaison_scope)
        # The request desk follows every request after routing it (a reach that lasts).
        register_scope_provider(intake_desk_scope, lasting=True)

        from zoneops.common.workcalendar import calendar_changed

        calendar_changed.connect(
            _request_deadlines_follow_the_calendar,
            dispatch_uid="enterprises.request_deadlines_follow_the_calendar",
        )

        # Like the built-in roles: every kind of request has its limit row after a migrate
        # (and after a `flush`), an administrator's limits left as they are.
        post_migrate.connect(
            _request_limits_after_migrate, weak=False, dispatch_uid="enterprises.request_limits"
        )


def _request_limits_after_migrate(sender: AppConfig, **kwargs: object) -> None:
    if sender.name == EnterprisesConfig.name:
        from zoneops.enterprises.services.requests import request_limits_seed

        request_limits_seed(using=str(kwargs.get("using", "default")))


def _request_deadlines_follow_the_calendar(years: frozenset[int], **kwargs: object) -> None:
    """A holiday entered or a day moved changes the stored deadlines that count over it."""
    from zoneops.enterprises.services.requests import requests_recompute_deadlines

    requests_recompute_deadlines(years=years)

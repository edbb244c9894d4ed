from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zoneops.orgs.enums import RoleCode


class PortalConfig(AppConfig):
    """线上会客厅: the public investment hall (zone profile, industries and chain gaps, parks,
    policies, news, the inquiry form) and its back office (policies, hall inquiries)."""

    name = "zoneops.portal"
    label = "portal"
    verbose_name = _("线上会客厅")
    nav_group = "projects"
    nav_icons = {
        "policy": "policy",
        "inquiry": "contact_mail",
        "meetingslot": "event_available",
        "meetingbooking": "video_call",
        "hallsettings": "settings",
    }
    # A department head reviews and publishes his department's policies (a colleague writes
    # them); the principal leaders may too. The rest as on every business app.
    role_grants = {
        RoleCode.DEPARTMENT_HEAD: ("review_policy", "publish_policy"),
        RoleCode.PRINCIPAL: ("review_policy", "publish_policy"),
    }
    # A lead that came from the hall shows its inquiry on the project's page (common.panels).
    record_panels = {"projects.project": ("zoneops.portal.panels.project_inquiry",)}

    def ready(self) -> None:
        from zoneops.common.workcalendar import calendar_changed

        calendar_changed.connect(
            _response_deadlines_follow_the_calendar,
            dispatch_uid="portal.response_deadlines_follow_the_calendar",
        )


def _response_deadlines_follow_the_calendar(years: frozenset[int], **kwargs: object) -> None:
    """A holiday entered or a day moved changes the first-response deadlines over it."""
    from zoneops.portal.services import inquiries_recompute_deadlines

    inquiries_recompute_deadlines(years=years)

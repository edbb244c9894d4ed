from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zoneops.orgs.enums import RoleCode


class SupervisionConfig(AppConfig):
    name = "zoneops.supervision"
    label = "supervision"
    verbose_name = _("督查督办")
    nav_group = "supervision"
    nav_icons = {
        "supervisiontask": "assignment_turned_in",
        "checklist": "fact_check",
        "checklistvisit": "directions_walk",
    }
    # Inspectors supervise (督查督办): they hand over tasks, keep checklists and record visits.
    role_grants = {RoleCode.INSPECTOR: ("view", "add", "change")}
    # The day's page (今日事项) reads the tasks through this source.
    workbench_sources = ("zoneops.supervision.workbench.TaskSource",)
    # The task of a decision, a problem or a request, or the link that makes one (转督办).
    record_panels = {
        "meetings.decision": ("zoneops.supervision.panels.decision_task",),
        "projects.problem": ("zoneops.supervision.panels.problem_task",),
        "enterprises.enterpriserequest": ("zoneops.supervision.panels.request_task",),
    }

    def ready(self) -> None:
        from zoneops.meetings.signals import meeting_held

        meeting_held.connect(_decisions_become_tasks, dispatch_uid="supervision.meeting_held")


def _decisions_become_tasks(meeting: object, by: object, **kwargs: object) -> None:
    """A meeting's decisions become supervised tasks when the meeting is held (its minutes)."""
    from zoneops.supervision.services import tasks_from_meeting

    tasks_from_meeting(meeting=meeting, by=by)  # type: ignore[arg-type]

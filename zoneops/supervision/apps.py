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
    # What the one search box (全局搜索) finds here (see the enterprises app's search_kinds).
    search_kinds = {"supervisiontask": {"fields": ("title", "id"), "order": 50}}
    # The day's page (今日事项) reads the tasks through this source.
    workbench_sources = ("zoneops.supervision.workbench.TaskSource",)
    # The task of a decision, a problem or a request, or the link that makes one (转督办).
    record_panels = {
        "meetings.decision": ("zoneops.supervision.panels.decision_task",),
        "projects.problem": ("zoneops.supervision.panels.problem_task",),
        "enterprises.enterpriserequest": ("zoneops.supervision.panels.request_task",),
    }

    # A decision that became a task is marked done by the task's 销号, not in meetings.
    decision_followers = ("zoneops.supervision.selectors.decision_task_open",)

    def ready(self) -> None:
        from zoneops.common.workcalendar import calendar_changed
        from zoneops.meetings.signals import meeting_held

        meeting_held.connect(_decisions_become_tasks, dispatch_uid="supervision.meeting_held")
        calendar_changed.connect(
            _task_deadlines_follow_the_calendar,
            dispatch_uid="supervision.task_deadlines_follow_the_calendar",
        )


def _decisions_become_tasks(meeting: object, by: object, **kwargs: object) -> None:
    """A meeting's decisions become supervised tasks when the meeting is held (its minutes)."""
    from zoneops.supervision.services import tasks_from_meeting

    tasks_from_meeting(meeting=meeting, by=by)  # type: ignore[arg-type]


def _task_deadlines_follow_the_calendar(years: frozenset[int], **kwargs: object) -> None:
    """A holiday entered or a day moved changes the stored deadlines that count over it."""
    from zoneops.supervision.services import tasks_recompute_deadlines

    tasks_recompute_deadlines(years=years)

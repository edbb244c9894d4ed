"""Test data for meetings: meetings through the services, and the records an agenda reads."""

from datetime import date, timedelta

from zoneops.common.services import record_save
from zoneops.meetings.enums import MeetingKind
from zoneops.meetings.models import Meeting
from zoneops.meetings.services import meeting_schedule
from zoneops.projects.enums import BlockerKind, BlockerTopic
from zoneops.projects.models import Milestone, Problem, Project


def make_meeting(
    kind: MeetingKind | str = MeetingKind.WEEKLY_DOCKING,
    *,
    title: str = "",
    held_on: date = date(2020, 3, 30),
    by=None,
    **fields,
) -> Meeting:
    return meeting_schedule(
        kind=kind,
        title=title or f"{MeetingKind(kind).label}（{held_on:%Y-%m-%d}）",
        held_on=held_on,
        by=by,
        **fields,
    )


def make_milestone(
    project: Project, name: str = "主体封顶", *, planned_on: date, actual_on=None, **fields
) -> Milestone:
    return record_save(
        instance=Milestone(
            project=project, name=name, planned_on=planned_on, actual_on=actual_on, **fields
        ),
        by=None,
    )


def make_problem(
    project: Project,
    title: str = "用地指标未落实",
    *,
    department,
    routed_on: date,
    due_on: date,
    resolved_on=None,
) -> Problem:
    """A problem as the problems service leaves it (its clock fixed by hand for the test)."""
    problem = Problem(
        project=project,
        title=title,
        kind=BlockerKind.values[0],
        topic=BlockerTopic.values[0],
        department=department,
        raised_on=routed_on - timedelta(days=1),
        routed_on=routed_on,
        limit_days=5,
        due_on=due_on,
    )
    if resolved_on is not None:
        problem.status = Problem.Status.RESOLVED
        problem.resolved_on = resolved_on
        problem.resolution = "已解决"
    return record_save(instance=problem, by=None)

"""Reads for the day's page (今日事项, 日清日结): the open problems and milestones due by a day
that a person owns or supervises (or that given departments own), those finished on a day, and
how many were finished on the day they arrived.

Who owns what. A problem is routed to a department: its members own it, and so does the
project's owner (项目负责人); the project's liaison leader and the leader it was escalated to
supervise it. A milestone is its responsible department's (the project's responsible
department when it names none) and the project owner's; the liaison leader supervises it.
Arrival (for 日清日结): a problem arrives when it is routed (交办), a milestone on its planned day.
"""

from collections.abc import Collection
from datetime import date
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import Coalesce

from zoneops.common.scope import scope_queryset
from zoneops.common.selectors import counts_by_department
from zoneops.orgs.selectors import member_department_ids
from zoneops.projects.enums import ProblemStatus
from zoneops.projects.models import Milestone, Problem
from zoneops.projects.selectors.problems import problems_visible


def _owned(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


# --- problems -----------------------------------------------------------------------------------


def _problem_owners_q(*, user: Any, departments: Collection[int] | None) -> tuple[Q, Q]:
    """(whose it is, who supervises it) as filters."""
    if departments is not None:
        return Q(department_id__in=list(departments)), Q(pk__in=[])
    own = Q(department_id__in=member_department_ids(user_id=user.pk)) | Q(project__owner=user)
    return own, Q(project__liaison_leader=user) | Q(escalated_to=user)


def _problems_of(
    *, user: Any, departments: Collection[int] | None, queryset: QuerySet
) -> QuerySet[Problem]:
    own, supervised = _problem_owners_q(user=user, departments=departments)
    return (
        queryset.filter(own | supervised)
        .annotate(owned=_owned(own))
        .select_related("project", "department", "escalated_to")
        .order_by("due_on", "id")
    )


def problems_due_by(
    *, user: Any, until: date, departments: Collection[int] | None = None
) -> QuerySet[Problem]:
    """Open problems due on or before `until`, within the user's scope, that he owns or
    supervises (or, with `departments`, routed to those departments); each with `owned`."""
    running = problems_visible(user=user).filter(
        status__in=Problem.running_statuses, due_on__lte=until
    )
    return _problems_of(user=user, departments=departments, queryset=running)


def problems_resolved_on(
    *, user: Any, on: date, departments: Collection[int] | None = None
) -> QuerySet[Problem]:
    """The problems resolved on the day, same reach as `problems_due_by`."""
    resolved = problems_visible(user=user).filter(status=ProblemStatus.RESOLVED, resolved_on=on)
    return _problems_of(user=user, departments=departments, queryset=resolved)


def problems_resolved_same_day(
    *, start: date, end: date, departments: Collection[int] | None = None
) -> int:
    """How many problems routed between `start` and `end` were resolved the day they were
    routed (交办当日解决)."""
    problems = _problems_resolved_on_routing(start=start, end=end)
    if departments is not None:
        problems = problems.filter(department_id__in=list(departments))
    return problems.count()


def problems_resolved_same_day_by_department(*, start: date, end: date) -> dict[int | None, int]:
    """`problems_resolved_same_day` per department, in one query."""
    return counts_by_department(_problems_resolved_on_routing(start=start, end=end))


def _problems_resolved_on_routing(*, start: date, end: date) -> QuerySet[Problem]:
    return Problem.objects.filter(
        routed_on__range=(start, end), status=ProblemStatus.RESOLVED, resolved_on=F("routed_on")
    )


# --- milestones ---------------------------------------------------------------------------------


def _milestone_departments_q(departments: Any) -> Q:
    return Q(responsible_department_id__in=departments) | Q(
        responsible_department__isnull=True, project__responsible_department_id__in=departments
    )


def _milestone_owners_q(*, user: Any, departments: Collection[int] | None) -> tuple[Q, Q]:
    if departments is not None:
        return _milestone_departments_q(list(departments)), Q(pk__in=[])
    own = _milestone_departments_q(member_department_ids(user_id=user.pk)) | Q(project__owner=user)
    return own, Q(project__liaison_leader=user)


def _milestones_of(
    *, user: Any, departments: Collection[int] | None, queryset: QuerySet
) -> QuerySet[Milestone]:
    own, supervised = _milestone_owners_q(user=user, departments=departments)
    return (
        scope_queryset(queryset, user)
        .filter(own | supervised)
        .annotate(owned=_owned(own))
        .select_related(
            "project", "project__responsible_department", "project__owner", "responsible_department"
        )
        .order_by("planned_on", "id")
    )


def milestones_due_by(
    *, user: Any, until: date, departments: Collection[int] | None = None
) -> QuerySet[Milestone]:
    """Milestones not reached, planned on or before `until`, of projects not dropped, within
    the user's scope, that he owns or supervises (or, with `departments`, those departments'
    milestones); each with `owned`."""
    open_ = Milestone.objects.filter(
        actual_on__isnull=True, planned_on__lte=until, project__terminated_on__isnull=True
    )
    return _milestones_of(user=user, departments=departments, queryset=open_)


def milestones_reached_on(
    *, user: Any, on: date, departments: Collection[int] | None = None
) -> QuerySet[Milestone]:
    """The milestones reached on the day, same reach as `milestones_due_by`."""
    reached = Milestone.objects.filter(actual_on=on)
    return _milestones_of(user=user, departments=departments, queryset=reached)


def milestones_reached_on_plan_day(
    *, start: date, end: date, departments: Collection[int] | None = None
) -> int:
    """How many milestones planned between `start` and `end` were reached on their planned
    day (当日节点当日完成)."""
    milestones = _milestones_reached_on_plan(start=start, end=end)
    if departments is not None:
        milestones = milestones.filter(_milestone_departments_q(list(departments)))
    return milestones.count()


def milestones_reached_on_plan_day_by_department(
    *, start: date, end: date
) -> dict[int | None, int]:
    """`milestones_reached_on_plan_day` per department: the milestone's own, else its
    project's (as `_milestone_departments_q` reads it), in one query."""
    department = Coalesce("responsible_department_id", "project__responsible_department_id")
    return counts_by_department(_milestones_reached_on_plan(start=start, end=end), department)


def _milestones_reached_on_plan(*, start: date, end: date) -> QuerySet[Milestone]:
    return Milestone.objects.filter(planned_on__range=(start, end), actual_on=F("planned_on"))

"""What project problems and milestones put on a person's day (今日事项; casework.workbench)."""

from collections.abc import Collection
from datetime import date
from typing import Any

from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zoneops.casework.selectors import records_with_clock
from zoneops.casework.workbench import OpenItems, OpenItemsSource, WorkItem
from zoneops.projects.models import Milestone, Problem
from zoneops.projects.selectors.today import (
    milestones_due_by,
    milestones_reached_on,
    milestones_reached_on_plan_day,
    milestones_reached_on_plan_day_by_department,
    problems_due_by,
    problems_resolved_on,
    problems_resolved_same_day,
    problems_resolved_same_day_by_department,
)


def _name(user: Any) -> str:
    return str(user) if user is not None else ""


class ProblemSource(OpenItemsSource):
    """Problems routed to a department (问题清单), with their working-day clock."""

    key = "problems"
    label = _("项目问题")
    order = 30

    def _item(self, problem: Problem) -> WorkItem:
        return WorkItem(
            source=self.key,
            pk=problem.pk,
            title=f"{problem.title}（{problem.project.name}）",
            url=reverse("admin:projects_problem_change", args=[problem.pk]),
            due_on=problem.due_on,
            department_id=problem.department_id,
            department=str(problem.department),
            owner=_name(problem.escalated_to),
            status=str(problem.get_status_display()),
            clock=vars(problem).get("clock"),
            supervised=not getattr(problem, "owned", True),
        )

    def open_items(
        self, *, user: Any, on: date, until: date, departments: Collection[int] | None
    ) -> OpenItems:
        return OpenItems(
            records=problems_due_by(user=user, until=until, departments=departments),
            due="due_on",
            department="department_id",
            rows=lambda problems: [self._item(p) for p in records_with_clock(problems, on=on)],
        )

    def finished(
        self, *, user: Any, on: date, departments: Collection[int] | None
    ) -> list[WorkItem]:
        problems = problems_resolved_on(user=user, on=on, departments=departments)
        return [self._item(problem) for problem in records_with_clock(problems, on=on)]

    def cleared_same_day(
        self, *, start: date, end: date, departments: Collection[int] | None = None
    ) -> int:
        return problems_resolved_same_day(start=start, end=end, departments=departments)

    def cleared_same_day_by_department(self, *, start: date, end: date) -> dict[int | None, int]:
        return problems_resolved_same_day_by_department(start=start, end=end)


# What a milestone's item shows, the only columns read: a bureau may have hundreds on its day.
MILESTONE_SHOWN = (
    "name",
    "planned_on",
    "actual_on",
    "responsible_person",
    "responsible_department__name",
    "project__name",
    "project__owner__display_name",
    "project__owner__username",
    "project__responsible_department__name",
)


class MilestoneSource(OpenItemsSource):
    """Milestones of the projects' plans (项目节点): no working-day clock, a planned day."""

    key = "milestones"
    label = _("项目节点")
    order = 50

    def _item(self, milestone: Milestone) -> WorkItem:
        project = milestone.project
        department = milestone.responsible_department or project.responsible_department
        return WorkItem(
            source=self.key,
            pk=milestone.pk,
            title=f"{milestone.name}（{project.name}）",
            url=reverse("admin:projects_milestone_change", args=[milestone.pk]),
            due_on=milestone.planned_on,
            department_id=department.pk if department else None,
            department=str(department or ""),
            owner=milestone.responsible_person or _name(project.owner),
            status=str(_("已完成") if milestone.actual_on else _("未完成")),
            supervised=not getattr(milestone, "owned", True),
        )

    def open_items(
        self, *, user: Any, on: date, until: date, departments: Collection[int] | None
    ) -> OpenItems:
        return OpenItems(
            records=milestones_due_by(user=user, until=until, departments=departments).only(
                *MILESTONE_SHOWN
            ),
            due="planned_on",
            # As `_item` says: the milestone's own department, else its project's.
            department=Coalesce("responsible_department", "project__responsible_department"),
            rows=lambda milestones: [self._item(milestone) for milestone in milestones],
        )

    def finished(
        self, *, user: Any, on: date, departments: Collection[int] | None
    ) -> list[WorkItem]:
        milestones = milestones_reached_on(user=user, on=on, departments=departments)
        return [self._item(milestone) for milestone in milestones.only(*MILESTONE_SHOWN)]

    def cleared_same_day(
        self, *, start: date, end: date, departments: Collection[int] | None = None
    ) -> int:
        return milestones_reached_on_plan_day(start=start, end=end, departments=departments)

    def cleared_same_day_by_department(self, *, start: date, end: date) -> dict[int | None, int]:
        return milestones_reached_on_plan_day_by_department(start=start, end=end)

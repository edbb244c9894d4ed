"""Supervised tasks on the day's page (今日事项): the source the page reads them through."""

from collections.abc import Collection
from datetime import date
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zoneops.casework.selectors import records_with_clock
from zoneops.casework.workbench import OpenItems, OpenItemsSource, WorkItem
from zoneops.supervision.models import SupervisionTask
from zoneops.supervision.selectors import (
    tasks_cleared_same_day,
    tasks_cleared_same_day_by_department,
    tasks_closed_on,
    tasks_for_day,
)


def _item(task: SupervisionTask, *, user: Any) -> WorkItem:
    return WorkItem(
        source=TaskSource.key,
        pk=task.pk,
        title=task.title,
        url=reverse("admin:supervision_supervisiontask_change", args=[task.pk]),
        due_on=task.due_on,
        department_id=task.department_id,
        department=str(task.department),
        owner=str(task.owner) if task.owner_id else "",
        status=task.get_status_display(),
        clock=vars(task).get("clock"),
        supervised=task.supervisor_id == user.pk and task.owner_id != user.pk,
    )


class TaskSource(OpenItemsSource):
    """督办事项: open tasks the user owns or supervises (or of the departments), due by the
    day's horizon; the ones closed on a day; the ones closed the day they were handed over."""

    key = "tasks"
    label = _("督办事项")
    order = 40

    def open_items(
        self, *, user: Any, on: date, until: date, departments: Collection[int] | None
    ) -> OpenItems:
        return OpenItems(
            records=tasks_for_day(user=user, until=until, departments=departments),
            due="due_on",
            department="department_id",
            rows=lambda tasks: [
                _item(task, user=user) for task in records_with_clock(tasks, on=on)
            ],
        )

    def finished(
        self, *, user: Any, on: date, departments: Collection[int] | None
    ) -> list[WorkItem]:
        tasks = records_with_clock(
            tasks_closed_on(user=user, on=on, departments=departments), on=on
        )
        return [_item(task, user=user) for task in tasks]

    def cleared_same_day(
        self, *, start: date, end: date, departments: Collection[int] | None = None
    ) -> int:
        return tasks_cleared_same_day(start=start, end=end, departments=departments)

    def cleared_same_day_by_department(self, *, start: date, end: date) -> dict[int | None, int]:
        return tasks_cleared_same_day_by_department(start=start, end=end)

"""What meeting decisions put on a person's day (今日事项; casework.workbench)."""

from collections.abc import Collection
from datetime import date
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zoneops.casework.workbench import OpenItems, OpenItemsSource, WorkItem
from zoneops.meetings.models import Decision
from zoneops.meetings.selectors import (
    decisions_done_on,
    decisions_done_on_meeting_day,
    decisions_done_on_meeting_day_by_department,
    decisions_due_by,
)


class DecisionSource(OpenItemsSource):
    """Decisions in a meeting's minutes (会议议定事项): a deadline, no working-day clock."""

    key = "decisions"
    label = _("会议议定事项")
    order = 60

    def _item(self, decision: Decision) -> WorkItem:
        return WorkItem(
            source=self.key,
            pk=decision.pk,
            title=f"{decision}（{decision.meeting.title}）",
            url=reverse("admin:meetings_decision_change", args=[decision.pk]),
            due_on=decision.due_on,
            department_id=decision.owner_department_id,
            department=str(decision.owner_department),
            owner=str(decision.owner or ""),
            status=str(_("已完成") if decision.done_on else _("未完成")),
            supervised=not getattr(decision, "owned", True),
        )

    def open_items(
        self, *, user: Any, on: date, until: date, departments: Collection[int] | None
    ) -> OpenItems:
        return OpenItems(
            records=decisions_due_by(user=user, until=until, departments=departments),
            due="due_on",
            department="owner_department_id",
            rows=lambda decisions: [self._item(decision) for decision in decisions],
        )

    def finished(
        self, *, user: Any, on: date, departments: Collection[int] | None
    ) -> list[WorkItem]:
        decisions = decisions_done_on(user=user, on=on, departments=departments)
        return [self._item(decision) for decision in decisions]

    def cleared_same_day(
        self, *, start: date, end: date, departments: Collection[int] | None = None
    ) -> int:
        return decisions_done_on_meeting_day(start=start, end=end, departments=departments)

    def cleared_same_day_by_department(self, *, start: date, end: date) -> dict[int | None, int]:
        return decisions_done_on_meeting_day_by_department(start=start, end=end)

"""The cases on a person's day (今日事项): casework.workbench's source for approval cases."""

from collections.abc import Collection
from datetime import date
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zoneops.approvals.models import Case
from zoneops.approvals.selectors import (
    cases_cleared_same_day,
    cases_cleared_same_day_by_department,
    cases_due,
    cases_finished_on,
    cases_with_clock,
)
from zoneops.casework.workbench import OpenItems, OpenItemsSource, WorkItem


def _item(case: Case, *, clock: Any = None) -> WorkItem:
    return WorkItem(
        source=CaseSource.key,
        pk=case.pk,
        title=str(case),
        url=reverse("admin:approvals_case_change", args=[case.pk]),
        due_on=case.due_on or case.received_on,
        department_id=case.department_id,
        department=str(case.department),
        owner=str(case.handler) if case.handler_id else "",
        status=case.get_status_display(),
        clock=clock,
    )


class CaseSource(OpenItemsSource):
    key = "cases"
    label = _("审批办件")
    order = 30

    def open_items(
        self, *, user: Any, on: date, until: date, departments: Collection[int] | None
    ) -> OpenItems:
        return OpenItems(
            records=cases_due(user=user, until=until, departments=departments),
            due="due_on",
            department="department_id",
            rows=lambda cases: [
                _item(case, clock=vars(case).get("clock"))
                for case in cases_with_clock(cases, on=on)
            ],
        )

    def finished(
        self, *, user: Any, on: date, departments: Collection[int] | None
    ) -> list[WorkItem]:
        cases = cases_with_clock(
            cases_finished_on(user=user, on=on, departments=departments), on=on
        )
        return [_item(case, clock=vars(case).get("clock")) for case in cases]

    def cleared_same_day(
        self, *, start: date, end: date, departments: Collection[int] | None = None
    ) -> int:
        return cases_cleared_same_day(start=start, end=end, departments=departments)

    def cleared_same_day_by_department(self, *, start: date, end: date) -> dict[int | None, int]:
        return cases_cleared_same_day_by_department(start=start, end=end)

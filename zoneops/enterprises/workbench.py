"""What enterprise requests put on a person's day (今日事项; casework.workbench)."""

from collections.abc import Collection
from datetime import date
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zoneops.casework.selectors import records_with_clock
from zoneops.casework.workbench import WorkItem
from zoneops.enterprises.models import EnterpriseRequest
from zoneops.enterprises.selectors.today import (
    requests_answered_on,
    requests_answered_on_acceptance_day,
    requests_answered_on_acceptance_day_by_department,
    requests_due_by,
)


class RequestSource:
    """Enterprise requests (企业诉求), with their working-day clock."""

    key = "requests"
    label = _("企业诉求")
    order = 10

    def _item(self, request: EnterpriseRequest) -> WorkItem:
        assert request.due_on is not None  # accepted: its clock has run
        return WorkItem(
            source=self.key,
            pk=request.pk,
            title=f"{request.title}（{request.enterprise.name}）",
            url=reverse("admin:enterprises_enterpriserequest_change", args=[request.pk]),
            due_on=request.due_on,
            department_id=request.department_id,
            department=str(request.department or ""),
            owner="",
            status=str(request.get_status_display()),
            clock=vars(request).get("clock"),
            supervised=not getattr(request, "owned", True),
        )

    def items(
        self, *, user: Any, on: date, until: date, departments: Collection[int] | None
    ) -> list[WorkItem]:
        requests = requests_due_by(user=user, on=on, until=until, departments=departments)
        return [self._item(request) for request in records_with_clock(requests, on=on)]

    def finished(
        self, *, user: Any, on: date, departments: Collection[int] | None
    ) -> list[WorkItem]:
        requests = requests_answered_on(user=user, on=on, departments=departments)
        return [self._item(request) for request in records_with_clock(requests, on=on)]

    def cleared_same_day(
        self, *, start: date, end: date, departments: Collection[int] | None = None
    ) -> int:
        return requests_answered_on_acceptance_day(start=start, end=end, departments=departments)

    def cleared_same_day_by_department(self, *, start: date, end: date) -> dict[int | None, int]:
        return requests_answered_on_acceptance_day_by_department(start=start, end=end)

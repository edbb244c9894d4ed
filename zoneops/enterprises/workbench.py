"""What enterprise requests put on a person's day (今日事项; casework.workbench)."""

from collections.abc import Collection
from datetime import date
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zoneops.casework.selectors import records_with_clock
from zoneops.casework.workbench import OpenItems, OpenItemsSource, OutsideNotice, WorkItem
from zoneops.common.periods import format_day
from zoneops.enterprises.models import EnterpriseRequest
from zoneops.enterprises.selectors.today import (
    requests_answered_on,
    requests_answered_on_acceptance_day,
    requests_answered_on_acceptance_day_by_department,
    requests_due_by,
    requests_the_enterprise_hears_of,
)


class RequestSource(OpenItemsSource):
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

    def open_items(
        self, *, user: Any, on: date, until: date, departments: Collection[int] | None
    ) -> OpenItems:
        return OpenItems(
            records=requests_due_by(user=user, on=on, until=until, departments=departments),
            due="due_on",
            department="department_id",
            rows=lambda requests: [self._item(r) for r in records_with_clock(requests, on=on)],
        )

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

    def notices_beyond_staff(self, *, on: date, until: date) -> list[OutsideNotice]:
        """The enterprise's own users hear of its requests waiting for its materials, and of
        those past their deadline (the zone is late: it says so, and that it follows up)."""
        requests, users = requests_the_enterprise_hears_of(on=on)
        notices = []
        for request in requests:
            user_ids = tuple(users.get(request.enterprise_id, ()))
            if not user_ids:
                continue
            url = reverse("selfservice:request", args=[request.pk])
            if request.suspended_since is not None:
                title = gettext("请补充材料：诉求“%(title)s”") % {"title": request.title}
                text = gettext(
                    "承办部门于%(day)s请贵企业补充材料，补充后继续办理（等待期间不计时）。"
                ) % {"day": format_day(request.suspended_since)}
                reason, late = f"materials:{request.suspended_since.isoformat()}", False
            else:
                assert request.due_on is not None
                title = gettext("诉求“%(title)s”已超过办理期限") % {"title": request.title}
                text = gettext(
                    "办理期限为%(day)s，已督促承办部门尽快答复，给您带来不便，敬请谅解。"
                ) % {"day": format_day(request.due_on)}
                reason, late = "late", True
            notices.append(
                OutsideNotice(
                    source=self.key,
                    pk=request.pk,
                    user_ids=user_ids,
                    title=title,
                    text=text,
                    url=url,
                    due_on=request.due_on,
                    reason=reason,
                    late=late,
                )
            )
        return notices

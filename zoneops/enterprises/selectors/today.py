"""Reads for the day's page (今日事项, 日清日结): the running requests due by a day that a person
owns or supervises (or that given departments handle), those answered on a day, and how many
were answered on the day they were accepted.

Who owns what. A request is handled by the department it was routed to: its members own it;
whoever liaises with the enterprise (包联, in person or through his department) supervises it.
A request waiting for the enterprise's materials (its clock stands) is on nobody's day.
Arrival (for 日清日结): a request arrives when it is accepted (受理).
"""

from collections.abc import Collection
from datetime import date
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet

from zoneops.common.selectors import counts_by_department
from zoneops.enterprises.models import EnterpriseRequest
from zoneops.enterprises.models.requests import ANSWERED_STATUSES, CLOCK_STATUSES
from zoneops.enterprises.selectors.register import liaisons_of
from zoneops.enterprises.selectors.requests import request_suspended_q, requests_visible
from zoneops.orgs.models import User
from zoneops.orgs.selectors import member_department_ids


def _requests_of(
    *, user: Any, on: date, departments: Collection[int] | None, queryset: QuerySet
) -> QuerySet[EnterpriseRequest]:
    if departments is not None:
        own, supervised = Q(department_id__in=list(departments)), Q(pk__in=[])
    else:
        own = Q(department_id__in=member_department_ids(user_id=user.pk))
        supervised = Q(
            enterprise_id__in=liaisons_of(user_id=user.pk, on=on).values("enterprise_id")
        )
    return (
        queryset.filter(own | supervised)
        .annotate(owned=ExpressionWrapper(own, output_field=BooleanField()))
        .order_by("due_on", "id")
    )


def requests_due_by(
    *, user: Any, on: date, until: date, departments: Collection[int] | None = None
) -> QuerySet[EnterpriseRequest]:
    """Requests whose clock runs (not suspended) with a deadline on or before `until`, within
    the user's scope, that he owns or supervises on `on` (or, with `departments`, routed to
    those departments); each with `owned`."""
    running = requests_visible(user=user).filter(
        status__in=CLOCK_STATUSES, suspended_since__isnull=True, due_on__lte=until
    )
    return _requests_of(user=user, on=on, departments=departments, queryset=running)


def requests_answered_on(
    *, user: Any, on: date, departments: Collection[int] | None = None
) -> QuerySet[EnterpriseRequest]:
    """The requests answered on the day (and not reopened since), same reach."""
    answered = requests_visible(user=user).filter(status__in=ANSWERED_STATUSES, answered_on=on)
    return _requests_of(user=user, on=on, departments=departments, queryset=answered)


def _answered_on_acceptance_day(*, start: date, end: date) -> QuerySet[EnterpriseRequest]:
    return EnterpriseRequest.objects.filter(
        status__in=ANSWERED_STATUSES, accepted_on__range=(start, end), answered_on=F("accepted_on")
    )


def requests_answered_on_acceptance_day(
    *, start: date, end: date, departments: Collection[int] | None = None
) -> int:
    """How many requests accepted between `start` and `end` were answered the day they were
    accepted (受理当日答复)."""
    requests = _answered_on_acceptance_day(start=start, end=end)
    if departments is not None:
        requests = requests.filter(department_id__in=list(departments))
    return requests.count()


def requests_answered_on_acceptance_day_by_department(
    *, start: date, end: date
) -> dict[int | None, int]:
    """`requests_answered_on_acceptance_day` per department, in one query."""
    return counts_by_department(_answered_on_acceptance_day(start=start, end=end))


def requests_the_enterprise_hears_of(
    *, on: date
) -> tuple[list[EnterpriseRequest], dict[int, list[int]]]:
    """What an enterprise's own users are reminded of (zoneops.notifications): its requests
    waiting for its materials (待补充材料), and those past their deadline (the zone owes
    the answer); with the active users of each enterprise. Two queries."""
    requests = list(
        EnterpriseRequest.objects.filter(
            request_suspended_q() | EnterpriseRequest.overdue_q(on=on)
        ).order_by("enterprise_id", "id")
    )
    users: dict[int, list[int]] = {}
    for user_id, enterprise_id in User.objects.filter(
        is_active=True, enterprise_id__in={request.enterprise_id for request in requests}
    ).values_list("pk", "enterprise_id"):
        users.setdefault(enterprise_id, []).append(user_id)
    return requests, users

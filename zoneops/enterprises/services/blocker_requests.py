"""Requests grouped in a systemic blocker (zoneops.blockers): which they are, and how they are
resolved with it — declared in EnterprisesConfig.blocker_members."""

from datetime import date
from typing import Any

from zoneops.common.exceptions import naming
from zoneops.enterprises.models import EnterpriseRequest
from zoneops.enterprises.models.requests import EnterpriseRequestQuerySet
from zoneops.enterprises.services.requests import request_answer
from zoneops.orgs.models import User


def blocker_requests(*, blocker: Any) -> EnterpriseRequestQuerySet:
    return EnterpriseRequest.objects.filter(blocker=blocker)


def blocker_requests_resolve(
    *, members: EnterpriseRequestQuerySet, answer: str, by: User | None, on: date
) -> None:
    """Answer every grouped request whose clock runs with the blocker's resolution. One not yet
    accepted keeps its place in the queue: it is answered once accepted, like any other."""
    for request in members.running().order_by("pk"):
        with naming(request):
            request_answer(request=request, answer=answer, by=by, on=on)

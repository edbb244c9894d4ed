"""Test data for the enterprise register: enterprises with valid credit codes, figures, liaison;
enterprise requests (诉求) taken to any step of their life."""

from datetime import date
from decimal import Decimal
from itertools import count

from zoneops.enterprises.enums import LiaisonKind, LiaisonLevel, RequestChannel, RequestKind
from zoneops.enterprises.models import Enterprise, EnterpriseRequest, LiaisonAssignment
from zoneops.enterprises.services import (
    FigureInput,
    enterprise_create,
    enterprise_figures_save,
    liaison_assign,
)
from zoneops.enterprises.services.requests import (
    request_accept,
    request_answer,
    request_file,
    request_rate,
    request_return,
    request_start,
)
from zoneops.enterprises.validators import credit_code_compose
from zoneops.orgs.tests.factories import make_department
from zoneops.projects.enums import BlockerKind, BlockerTopic

_sequence = count(1)


def valid_credit_code(number: int | None = None) -> str:
    return credit_code_compose(
        region="130971", organisation=f"{number or 10_000_000 + next(_sequence):08d}"
    )


def make_enterprise(name: str | None = None, *, by=None, **fields) -> Enterprise:
    fields.setdefault("credit_code", valid_credit_code())
    return enterprise_create(name=name or f"测试企业{next(_sequence)}", by=by, **fields)


def make_liaison(
    enterprise: Enterprise,
    *,
    kind: LiaisonKind = LiaisonKind.LEADER,
    level: LiaisonLevel = LiaisonLevel.DISTRICT,
    person=None,
    department=None,
    started_on: date = date(2019, 1, 1),
    by=None,
) -> LiaisonAssignment:
    return liaison_assign(
        enterprise=enterprise,
        kind=kind,
        level=level,
        person=person,
        department=department,
        started_on=started_on,
        by=by,
    )


def make_monthly_figures(
    enterprise: Enterprise, *, year: int, monthly_revenue: Decimal | int, months: int = 12, by=None
):
    """Months 1..`months` of a year with the same revenue each month, stored cumulatively."""
    rows = [
        FigureInput(
            enterprise.pk,
            year,
            month,
            {"revenue": Decimal(monthly_revenue) * month, "employees": 100 + month},
        )
        for month in range(1, months + 1)
    ]
    return enterprise_figures_save(rows=rows, by=by).records


# A past Monday: steps dated from it never fall in the future, whatever today is.
REQUEST_FILED_ON = date(2026, 3, 2)


def make_request(
    enterprise: Enterprise | None = None,
    *,
    by=None,
    title: str | None = None,
    description: str = "原材料运输车辆进园受限，影响正常生产。",
    kind: RequestKind | str = RequestKind.HELP,
    category: BlockerKind | str = BlockerKind.BOTTLENECK,
    topic: BlockerTopic | str = BlockerTopic.LOGISTICS,
    channel: RequestChannel | str | None = None,
    project=None,
    filed_on: date | None = None,
    accepted: date | bool = False,
    department=None,
    limit_days: int | None = None,
    started: date | None = None,
    answered: date | None = None,
    rated: date | None = None,
    score: int = 5,
    comment: str = "",
    returned: date | None = None,
) -> EnterpriseRequest:
    """A request filed (by staff on the enterprise's behalf unless `by` is its own user) and
    taken through the steps whose dates are given, each through its service.

    `accepted=True` accepts on the filing day; a department is made when none is given.
    `rated` rates the answer with `score` (a score below 3 reopens it: give a `comment`).
    Filed by an enterprise user, the request is filed today: later steps must be dated today.
    """
    enterprise = enterprise or make_enterprise()
    if accepted is True:
        accepted_on: date | None = filed_on or REQUEST_FILED_ON
    else:
        accepted_on = accepted or None
    filed_on = filed_on or accepted_on or REQUEST_FILED_ON
    request = request_file(
        enterprise=enterprise,
        title=title or f"诉求{next(_sequence)}",
        description=description,
        kind=kind,
        category=category,
        topic=topic,
        channel=channel,
        project=project,
        filed_on=None if getattr(by, "enterprise_id", None) else filed_on,
        by=by,
    )
    staff = None if getattr(by, "enterprise_id", None) else by
    if accepted_on:
        department = department or make_department(f"承办部门{next(_sequence)}")
        request_accept(
            request=request, department=department, limit_days=limit_days, on=accepted_on, by=staff
        )
    if started:
        request_start(request=request, on=started, by=staff)
    if answered:
        request_answer(request=request, answer="已协调解决。", on=answered, by=staff)
    if rated:
        request_rate(request=request, score=score, comment=comment, on=rated, by=by)
    if returned:
        request_return(request=request, reason="不属于管委会职责范围。", on=returned, by=staff)
    request.refresh_from_db()
    return request

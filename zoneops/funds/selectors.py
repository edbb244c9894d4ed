"""Reads of support funds: the applications a user may see, and the totals of a period by
level, programme and department (amounts applied, approved and paid; projects won)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from zoneops.common.amounts import AmountSum, exact_wan
from zoneops.common.scope import scope_queryset
from zoneops.funds.enums import PROJECT_KINDS, WON_STATUSES, FundLevel, FundStep
from zoneops.funds.models import FundApplication, FundEvent, FundProgramme

ZERO = Decimal(0)


def applications_visible(*, user: Any = None) -> QuerySet[FundApplication]:
    """Every application, or those in the user's data scope, with what a list shows."""
    queryset = FundApplication.objects.select_related(
        "programme", "programme__department", "enterprise", "project"
    )
    return queryset if user is None else scope_queryset(queryset, user)


def programmes_visible(*, user: Any = None) -> QuerySet[FundProgramme]:
    queryset = FundProgramme.objects.select_related("department")
    return queryset if user is None else scope_queryset(queryset, user)


def applications_of(
    *, user: Any, enterprise_id: int | None = None, project_id: int | None = None
) -> QuerySet[FundApplication]:
    """The applications of an enterprise (its own and its projects') or of a project."""
    queryset = applications_visible(user=user)
    if project_id is not None:
        return queryset.filter(project_id=project_id)
    return queryset.filter(owner_enterprise_id=enterprise_id)


def application_events(*, application: FundApplication) -> QuerySet[FundEvent]:
    return application.events.select_related("by").order_by("on", "id")


@dataclass
class FundRow:
    key: Any
    label: str
    applications: int = 0  # filed in the period
    applied: Decimal = ZERO  # 万元, filed in the period
    won: int = 0  # approved in the period
    approved: Decimal = ZERO  # 万元, approved in the period
    paid: Decimal = ZERO  # 万元, paid in the period
    projects_won: int = 0  # R&D and demonstration projects approved in the period


@dataclass
class FundTotals:
    start: date
    end: date
    by_level: list[FundRow]
    by_programme: list[FundRow]
    by_department: list[FundRow]
    total: FundRow = field(default_factory=lambda: FundRow("total", ""))


def fund_totals(*, start: date, end: date, user: Any = None) -> FundTotals:
    """What the period brought, by level (中央、省、市、区), programme and zone department:
    applications filed (and the amount applied for) by their filing day, won (and the amount
    approved) by their approval day, and the payments made in the period by their day. Four
    queries whatever the number of applications."""
    applications = applications_visible(user=user).order_by()
    filed: dict[int, Any] = {
        row["programme_id"]: row
        for row in applications.filter(applied_on__range=(start, end))
        .values("programme_id")
        .annotate(n=Count("id"), amount=AmountSum("applied_amount"))
    }
    won: dict[int, Any] = {
        row["programme_id"]: row
        for row in applications.filter(approved_on__range=(start, end), status__in=WON_STATUSES)
        .values("programme_id")
        .annotate(n=Count("id"), amount=AmountSum("approved_amount"))
    }
    payments = FundEvent.objects.filter(step=FundStep.PAY, on__range=(start, end))
    if user is not None:
        payments = payments.filter(application__in=applications.values("pk"))
    paid = {
        row["application__programme_id"]: row["amount"]
        for row in payments.order_by()
        .values("application__programme_id")
        .annotate(amount=AmountSum("amount"))
    }
    ids = set(filed) | set(won) | set(paid)
    programmes = FundProgramme.objects.filter(pk__in=ids).select_related("department")
    levels = {level: FundRow(level.value, str(level.label)) for level in FundLevel}
    departments: dict[int, FundRow] = {}
    rows: list[FundRow] = []
    total = FundRow("total", "")
    order = {level.value: index for index, level in enumerate(FundLevel)}
    for programme in sorted(programmes, key=lambda p: (-p.year, order[p.level], p.name)):
        row = FundRow(programme.pk, str(programme))
        row.applications = filed.get(programme.pk, {}).get("n", 0)
        row.applied = exact_wan(filed.get(programme.pk, {}).get("amount"))
        row.won = won.get(programme.pk, {}).get("n", 0)
        row.approved = exact_wan(won.get(programme.pk, {}).get("amount"))
        row.paid = exact_wan(paid.get(programme.pk))
        row.projects_won = row.won if programme.kind in PROJECT_KINDS else 0
        rows.append(row)
        department = departments.setdefault(
            programme.department_id, FundRow(programme.department_id, str(programme.department))
        )
        for group in (levels[FundLevel(programme.level)], department, total):
            _add(group, row)
    return FundTotals(
        start=start,
        end=end,
        by_level=list(levels.values()),
        by_programme=rows,
        by_department=sorted(departments.values(), key=lambda r: -r.paid),
        total=total,
    )


def _add(group: FundRow, row: FundRow) -> None:
    group.applications += row.applications
    group.applied += row.applied
    group.won += row.won
    group.approved += row.approved
    group.paid += row.paid
    group.projects_won += row.projects_won


def applications_won(*, start: date, end: date, user: Any = None) -> QuerySet[FundApplication]:
    """The R&D and demonstration projects won in the period (研发和示范项目)."""
    return applications_visible(user=user).filter(
        Q(approved_on__range=(start, end), status__in=WON_STATUSES)
        & Q(programme__kind__in=PROJECT_KINDS)
    )

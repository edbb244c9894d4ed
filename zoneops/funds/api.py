"""Support funds in the API: programmes, applications with their steps, and a period's totals."""

from datetime import date
from decimal import Decimal

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from zoneops.api.lookups import payload_names, pick_one
from zoneops.api.pagination import Pagination
from zoneops.api.schemas import Id, VersionedIn, model_number
from zoneops.common.amounts import wan_to_yi
from zoneops.common.exceptions import ApplicationError
from zoneops.common.inputs import FIRST_YEAR, LAST_YEAR
from zoneops.common.periods import Period
from zoneops.common.scope import ensure_allowed
from zoneops.enterprises.models import Enterprise
from zoneops.funds.enums import FundApplicationStatus, FundKind, FundLevel
from zoneops.funds.models import FundApplication, FundProgramme
from zoneops.funds.selectors import applications_visible, fund_totals, programmes_visible
from zoneops.funds.services import (
    application_approve,
    application_file,
    application_pay,
    application_reject,
)
from zoneops.projects.models import Project

router = Router(tags=["funds"])


class FundProgrammeOut(Schema):
    id: int
    name: str
    level: FundLevel
    level_label: str = Field(alias="get_level_display")
    year: int
    kind: FundKind
    kind_label: str = Field(alias="get_kind_display")
    issuer: str
    department_id: int


class FundApplicationOut(Schema):
    id: int
    programme_id: int
    title: str
    enterprise_id: int | None
    project_id: int | None
    status: FundApplicationStatus
    status_label: str = Field(alias="get_status_display")
    applied_amount: Decimal
    applied_on: date
    approved_amount: Decimal | None
    approved_on: date | None
    paid_amount: Decimal
    paid_on: date | None
    version: int


class FundApplicationFilter(Schema):
    status: FundApplicationStatus | None = None
    year: int | None = Field(None, ge=FIRST_YEAR, le=LAST_YEAR, description="资金项目年度")
    level: FundLevel | None = None


class FundApplicationIn(Schema):
    programme_id: Id
    title: str = Field(min_length=1, max_length=200)
    enterprise_id: Id | None = None
    project_id: Id | None = None
    applied_amount: model_number(FundApplication, "applied_amount")
    applied_on: date | None = None


class FundApproveIn(VersionedIn):
    amount: model_number(FundApplication, "approved_amount")
    on: date | None = None
    note: str = ""


class FundRejectIn(VersionedIn):
    reason: str = Field(min_length=1)
    on: date | None = None


class FundPayIn(VersionedIn):
    amount: model_number(FundApplication, "paid_amount")
    on: date | None = None
    note: str = ""


class FundTotalsRowOut(Schema):
    key: str
    label: str
    applications: int
    applied: Decimal
    won: int
    approved: Decimal
    paid: Decimal
    paid_yi: Decimal
    projects_won: int


class FundTotalsOut(Schema):
    start: date
    end: date
    total: FundTotalsRowOut
    by_level: list[FundTotalsRowOut]
    by_department: list[FundTotalsRowOut]
    by_programme: list[FundTotalsRowOut]


@router.get("/programmes", response=list[FundProgrammeOut], summary="扶持资金项目")
@paginate(Pagination)
def programmes(request) -> QuerySet:
    ensure_allowed(request.user, "view", FundProgramme)
    return programmes_visible(user=request.user).order_by("-year", "level", "id")


@router.get("/applications", response=list[FundApplicationOut], summary="扶持资金申报")
@paginate(Pagination)
def applications(request, filters: Query[FundApplicationFilter]) -> QuerySet:
    ensure_allowed(request.user, "view", FundApplication)
    queryset = applications_visible(user=request.user)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.year:
        queryset = queryset.filter(programme__year=filters.year)
    if filters.level:
        queryset = queryset.filter(programme__level=filters.level)
    return queryset.order_by("-applied_on", "-id")


@router.get("/applications/{int:application_id}", response=FundApplicationOut, summary="申报详情")
def application(request, application_id: Id) -> FundApplication:
    ensure_allowed(request.user, "view", FundApplication)
    return get_object_or_404(applications_visible(user=request.user), pk=application_id)


@router.post("/applications", response={201: FundApplicationOut}, summary="登记申报")
def application_create(request, payload: FundApplicationIn):
    ensure_allowed(request.user, "add", FundApplication)
    user = request.user
    programme = pick_one(FundProgramme, payload.programme_id, user=user, field="programme_id")
    with payload_names(
        {"programme": "programme_id", "enterprise": "enterprise_id", "project": "project_id"}
    ):
        created = application_file(
            programme=programme,
            title=payload.title,
            applied_amount=payload.applied_amount,
            applied_on=payload.applied_on,
            enterprise=pick_one(
                Enterprise, payload.enterprise_id, user=user, field="enterprise_id"
            ),
            project=pick_one(Project, payload.project_id, user=user, field="project_id"),
            by=user,
        )
    return Status(201, created)


def _writable(request, application_id: int) -> FundApplication:
    application = get_object_or_404(applications_visible(user=request.user), pk=application_id)
    ensure_allowed(request.user, "change", FundApplication, application)
    return application


@router.post(
    "/applications/{int:application_id}/approve", response=FundApplicationOut, summary="获批"
)
def approve(request, application_id: Id, payload: FundApproveIn) -> FundApplication:
    return application_approve(
        application=_writable(request, application_id),
        amount=payload.amount,
        on=payload.on,
        note=payload.note,
        by=request.user,
        expected_version=payload.version,
    )


@router.post(
    "/applications/{int:application_id}/reject", response=FundApplicationOut, summary="未获批"
)
def reject(request, application_id: Id, payload: FundRejectIn) -> FundApplication:
    return application_reject(
        application=_writable(request, application_id),
        reason=payload.reason,
        on=payload.on,
        by=request.user,
        expected_version=payload.version,
    )


@router.post("/applications/{int:application_id}/pay", response=FundApplicationOut, summary="拨付")
def pay(request, application_id: Id, payload: FundPayIn) -> FundApplication:
    return application_pay(
        application=_writable(request, application_id),
        amount=payload.amount,
        on=payload.on,
        note=payload.note,
        by=request.user,
        expected_version=payload.version,
    )


class FundTotalsQuery(Schema):
    year: int = Field(ge=FIRST_YEAR, le=LAST_YEAR)
    first_month: int = Field(1, ge=1, le=12)
    last_month: int = Field(12, ge=1, le=12)


def _row(row) -> FundTotalsRowOut:
    return FundTotalsRowOut(
        key=str(row.key),
        label=row.label,
        applications=row.applications,
        applied=row.applied,
        won=row.won,
        approved=row.approved,
        paid=row.paid,
        paid_yi=wan_to_yi(row.paid),
        projects_won=row.projects_won,
    )


@router.get("/totals", response=FundTotalsOut, summary="扶持资金统计（按级别、部门、资金项目）")
def totals(request, query: Query[FundTotalsQuery]) -> FundTotalsOut:
    ensure_allowed(request.user, "view", FundApplication)
    if query.first_month > query.last_month:
        raise ApplicationError(_("截止月份不能早于起始月份。"), field="last_month")
    period = Period(query.year, query.first_month, query.last_month)
    result = fund_totals(start=period.start, end=period.end, user=request.user)
    return FundTotalsOut(
        start=result.start,
        end=result.end,
        total=_row(result.total),
        by_level=[_row(r) for r in result.by_level],
        by_department=[_row(r) for r in result.by_department],
        by_programme=[_row(r) for r in result.by_programme],
    )

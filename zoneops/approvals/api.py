"""REST API of government services: the catalogue, the cases (list with their clock, detail
with the steps, receiving and every step after it) and the figures of any period."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from zoneops.api.lookups import payload_names, pick_one
from zoneops.api.pagination import Pagination
from zoneops.api.schemas import Id, ZoneDateTime
from zoneops.approvals.enums import CaseStatus, Decision, ItemKind, SuspensionKind
from zoneops.approvals.models import Case, ServiceItem
from zoneops.approvals.selectors import (
    FigureRow,
    approval_figures,
    case_available_steps,
    case_detail_queryset,
    cases_visible,
    cases_with_clock,
    clock_of,
    service_items_visible,
)
from zoneops.approvals.services import (
    Applicant,
    case_accept,
    case_conclude,
    case_decide,
    case_receive,
    case_refuse,
    case_resume,
    case_review,
    case_suspend,
)
from zoneops.casework.api import ClockPagination
from zoneops.common.exceptions import ApplicationError
from zoneops.common.scope import ensure_allowed
from zoneops.enterprises.models import Enterprise
from zoneops.projects.models import Project

router = Router(tags=["approvals"])


class ServiceItemOut(Schema):
    id: int
    code: str
    name: str
    department_id: int
    department_name: str = Field(alias="department.name")
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    statutory_days: int = Field(description="法定办结时限（工作日）")
    promised_days: int = Field(description="承诺办结时限（工作日）")
    one_visit: bool
    online: bool
    in_centre: bool
    taken_over: bool
    taken_over_on: date | None
    taken_over_document: str
    materials: list[str] = Field(alias="material_list")
    fee: str
    listed_on: date
    withdrawn_on: date | None
    version: int


class ItemFilter(Schema):
    kind: ItemKind | None = None
    department_id: Id | None = None
    in_centre: bool | None = None
    taken_over: bool | None = None


class CaseOut(Schema):
    id: int
    item_id: int
    item_name: str = Field(alias="item.name")
    department_id: int
    department_name: str = Field(alias="department.name")
    enterprise_id: int | None
    applicant: str
    project_id: int | None
    handler_id: int | None
    status: str
    status_label: str = Field(alias="get_status_display")
    received_on: date
    accepted_on: date | None
    limit_days: int | None = Field(description="承诺时限（工作日）")
    due_on: date | None = Field(description="承诺期限（按暂停计时顺延）")
    due_provisional: bool
    suspended_since: date | None
    suspension_kind: str
    suspended_days: int
    decision: str
    decided_on: date | None
    concluded_on: date | None
    clock: str | None = Field(None, description="normal/yellow/red/suspended/concluded(_late)")
    clock_label: str = ""
    version: int

    @staticmethod
    def resolve_clock(obj: Case) -> str | None:
        clock = clock_of(obj)
        return clock.key if clock else None

    @staticmethod
    def resolve_clock_label(obj: Case) -> str:
        clock = clock_of(obj)
        return clock.label if clock else ""


class CaseEventOut(Schema):
    id: int
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    on: date
    at: ZoneDateTime
    note: str


class CaseDetailOut(CaseOut):
    refusal_reason: str
    decision_reason: str
    materials_asked_on: date | None
    events: list[CaseEventOut]
    steps: list[str] = Field(description="此时可办理的步骤")

    @staticmethod
    def resolve_events(obj: Case) -> list[Any]:
        return list(obj.events.all())

    @staticmethod
    def resolve_steps(obj: Case) -> list[str]:
        return case_available_steps(case=obj)


class CaseFilter(Schema):
    item_id: Id | None = None
    department_id: Id | None = None
    enterprise_id: Id | None = None
    project_id: Id | None = None
    status: CaseStatus | None = None
    overdue: bool | None = Field(None, description="true：今日已逾期；false：未逾期")
    received_from: date | None = None
    received_to: date | None = None


class CaseIn(Schema):
    item_id: Id
    enterprise_id: Id | None = None
    applicant_name: str = ""
    applicant_id_number: str = ""
    applicant_phone: str = ""
    project_id: Id | None = None
    received_on: date | None = Field(None, description="收件日期，默认今天")


class StepIn(Schema):
    version: int | None = None
    on: date | None = None
    note: str = ""
    reason: str = ""
    suspension_kind: SuspensionKind | None = Field(None, description="暂停计时事由（suspend）")
    decision: Decision | None = Field(None, description="决定（decide）")


class ApprovalFigureOut(Schema):
    label: str
    concluded: int
    on_time: int
    on_time_rate: Decimal | None = Field(None, description="按时办结率（%）")
    average_days: Decimal | None = Field(None, description="平均用时（工作日）")
    items: int
    in_centre: int
    centre_share: Decimal | None = Field(None, description="进驻率（%）")
    taken_over: int
    promised: int
    statutory: int
    promised_ratio: Decimal | None = Field(None, description="承诺时限÷法定时限（%）")


class ApprovalFiguresOut(Schema):
    start: date
    end: date
    received: int
    cleared_same_day: int
    total: ApprovalFigureOut
    departments: list[ApprovalFigureOut]
    items: list[ApprovalFigureOut]


@router.get("/items/", response=list[ServiceItemOut], summary="政务服务事项目录")
@paginate(Pagination)
def items(request, filters: Query[ItemFilter]):
    ensure_allowed(request.user, "view", ServiceItem)
    queryset = service_items_visible(user=request.user).order_by("code")
    for name in ("kind", "department_id", "in_centre", "taken_over"):
        value = getattr(filters, name)
        if value is not None:
            queryset = queryset.filter(**{name: value})
    return queryset


@router.get("/items/{int:item_id}", response=ServiceItemOut, summary="政务服务事项")
def item_detail(request, item_id: Id):
    ensure_allowed(request.user, "view", ServiceItem)
    return get_object_or_404(service_items_visible(user=request.user), pk=item_id)


@router.get("/cases/", response=list[CaseOut], summary="办件")
@paginate(ClockPagination)
def cases(request, filters: Query[CaseFilter]):
    ensure_allowed(request.user, "view", Case)
    queryset = cases_visible(user=request.user)
    for name in ("item_id", "department_id", "enterprise_id", "project_id", "status"):
        value = getattr(filters, name)
        if value is not None:
            queryset = queryset.filter(**{name: value})
    if filters.received_from is not None:
        queryset = queryset.filter(received_on__gte=filters.received_from)
    if filters.received_to is not None:
        queryset = queryset.filter(received_on__lte=filters.received_to)
    if filters.overdue is not None:
        overdue = Case.overdue_q(on=timezone.localdate())
        queryset = queryset.filter(overdue) if filters.overdue else queryset.exclude(overdue)
    return queryset.order_by("-received_on", "-id")


def _case(request: Any, case_id: int, action: str) -> Case:
    case = get_object_or_404(case_detail_queryset(user=request.user), pk=case_id)
    ensure_allowed(request.user, action, Case, case)
    return cases_with_clock([case])[0]


def _detail(case: Case) -> Case:
    return cases_with_clock([case_detail_queryset().get(pk=case.pk)])[0]


@router.get("/cases/{int:case_id}", response=CaseDetailOut, summary="办件及办理记录")
def case_detail(request, case_id: Id):
    return _case(request, case_id, "view")


@router.post("/cases/", response={201: CaseDetailOut}, summary="收件")
def case_create(request, payload: CaseIn):
    ensure_allowed(request.user, "add", Case)
    item = service_items_visible(user=request.user).filter(pk=payload.item_id).first()
    if item is None:
        raise ApplicationError(_("事项不存在。"), field="item_id")
    enterprise = pick_one(
        Enterprise, payload.enterprise_id, user=request.user, field="enterprise_id"
    )
    project = pick_one(Project, payload.project_id, user=request.user, field="project_id")
    with payload_names({"enterprise": "enterprise_id", "project": "project_id", "item": "item_id"}):
        case = case_receive(
            item=item,
            applicant=Applicant(
                enterprise=enterprise,
                name=payload.applicant_name,
                id_number=payload.applicant_id_number,
                phone=payload.applicant_phone,
            ),
            project=project,
            received_on=payload.received_on,
            by=request.user,
        )
    return Status(201, _detail(case))


STEPS = {
    "accept": (case_accept, ("note",)),
    "refuse": (case_refuse, ("reason",)),
    "review": (case_review, ("note",)),
    "suspend": (case_suspend, ("suspension_kind", "reason")),
    "resume": (case_resume, ("note",)),
    "decide": (case_decide, ("decision", "reason")),
    "conclude": (case_conclude, ("note",)),
}


@router.post(
    "/cases/{int:case_id}/{step}",
    response=CaseDetailOut,
    summary="办理一步：accept 受理, refuse 不予受理, review 审查, suspend 暂停计时, "
    "resume 恢复计时, decide 决定, conclude 办结",
)
def case_step(request, case_id: Id, step: str, payload: StepIn):
    if step not in STEPS:
        raise ApplicationError(
            _("没有“%(step)s”这一步；可办理：%(steps)s。")
            % {"step": step[:30], "steps": "、".join(STEPS)},
            field="step",
        )
    case = _case(request, case_id, "change")
    service, names = STEPS[step]
    values = {name: getattr(payload, name) for name in names}
    for name in ("suspension_kind", "decision"):
        if name in values and values[name] is None:
            raise ApplicationError(_("必填"), field=name)
    if "suspension_kind" in values:
        values["kind"] = values.pop("suspension_kind")
    with payload_names({"kind": "suspension_kind"}):
        service(
            case=case, by=request.user, on=payload.on, expected_version=payload.version, **values
        )
    return _detail(case)


def _figure(row: FigureRow) -> dict[str, Any]:
    return {
        name: getattr(row, name)
        for name in (
            "label",
            "concluded",
            "on_time",
            "on_time_rate",
            "average_days",
            "items",
            "in_centre",
            "centre_share",
            "taken_over",
            "promised",
            "statutory",
            "promised_ratio",
        )
    }


@router.get("/figures", response=ApprovalFiguresOut, summary="政务服务统计（任意期间）")
def figures(request, start: date, end: date):
    ensure_allowed(request.user, "view", Case)
    if start > end:
        raise ApplicationError(_("截止日不能早于起始日。"), field="end")
    result = approval_figures(start=start, end=end, user=request.user)
    total = _figure(result.total)
    total["label"] = _("全区合计")
    return {
        "start": result.start,
        "end": result.end,
        "received": result.received,
        "cleared_same_day": result.cleared_same_day,
        "total": total,
        "departments": [_figure(row) for row in result.departments],
        "items": [_figure(row) for row in result.items],
    }

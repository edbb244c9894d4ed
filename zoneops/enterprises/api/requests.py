"""REST API of enterprise requests (诉求): the list with its clock, a request with its steps,
filing, one POST per step, statistics, Excel, and the limit of each kind.

Mounted at /api/v1/enterprises/requests. Enterprise users reach only their own enterprise's
requests and never see internal notes; they rate the answers and supply the materials their
suspended requests wait for (resume). Every rule is the services' and selectors' own.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status
from ninja.pagination import paginate

from zoneops.api.lookups import payload_names, pick_one
from zoneops.api.schemas import Id, VersionedIn, ZoneDateTime
from zoneops.casework.api import ClockPagination
from zoneops.common.excel import xlsx_response
from zoneops.common.exceptions import ApplicationError
from zoneops.common.scope import ensure_allowed
from zoneops.enterprises.api.router import router
from zoneops.enterprises.enums import RequestChannel, RequestKind, RequestStatus
from zoneops.enterprises.models import (
    Enterprise,
    EnterpriseRequest,
    RequestExtension,
    RequestKindLimit,
)
from zoneops.enterprises.request_excel import request_statistics_workbook, requests_workbook
from zoneops.enterprises.selectors.requests import (
    STATISTICS_BY,
    overdue_requests,
    request_available_actions,
    request_clock,
    request_events_for,
    request_suspended_q,
    requests_statistics,
    requests_visible,
    requests_with_clock,
)
from zoneops.enterprises.services.requests import (
    is_enterprise_user,
    request_accept,
    request_add_note,
    request_answer,
    request_ask_extension,
    request_decide_extension,
    request_file,
    request_limit_days,
    request_limit_set,
    request_rate,
    request_reroute,
    request_resume,
    request_return,
    request_start,
    request_suspend,
)
from zoneops.orgs.models import Department
from zoneops.projects.enums import BlockerKind, BlockerTopic
from zoneops.projects.models import Project

# The services name their arguments; the payloads name the ids.
PAYLOAD_FIELDS = {
    "enterprise": "enterprise_id",
    "project": "project_id",
    "department": "department_id",
    "to_department": "department_id",
}


def _step(request, request_id: Id, service: Any, payload: Any, *, action: str = "change"):
    """One step whose payload names the service's arguments (`version` the expected one):
    the request looked up within what the user may `action`, the service, the detail back."""
    record = _record(request, request_id, action)
    values = payload.dict()
    expected_version = values.pop("version", None)
    with payload_names(PAYLOAD_FIELDS):
        service(request=record, by=request.user, expected_version=expected_version, **values)
    return _detail(request, record)


def _enterprise_or_change(request) -> str:
    # The enterprise acts on its own requests (rating, supplying materials) with its read
    # permission; staff doing it for the enterprise (回访, materials received) change the request.
    return "view" if is_enterprise_user(request.user) else "change"


# --- Schemas ---------------------------------------------------------------------------------


class ClockOut(Schema):
    """Where a request stands against its deadline; null before acceptance and once returned."""

    level: str | None = Field(
        None, description="预警：normal/yellow/red（办理中），暂停计时或已答复为 null"
    )
    key: str = Field(
        description="normal、yellow、red；暂停计时（待企业补充材料）为 suspended；"
        "已答复为 answered 或 answered_late"
    )
    label: str
    due_on: date = Field(description="办结期限")
    provisional: bool = Field(description="期限所在年度节假日未录入，暂按周末计算")
    days_left: int | None = Field(
        None, description="剩余工作日（未逾期）；暂停计时时为暂停当日剩余的工作日"
    )
    days_overdue: int | None = Field(None, description="逾期天数")
    on_time: bool | None = Field(None, description="已答复：是否按期")
    suspended_since: date | None = Field(None, description="暂停计时起始日（待企业补充材料）")


class RequestOut(Schema):
    id: int
    enterprise_id: int
    enterprise_name: str = Field(alias="enterprise.name")
    project_id: int | None
    project_name: str | None = None
    title: str
    description: str
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    category: str
    category_label: str = Field(alias="get_category_display")
    topic: str
    topic_label: str = Field(alias="get_topic_display")
    channel: str
    channel_label: str = Field(alias="get_channel_display")
    contact_person: str
    contact_phone: str
    filed_on: date
    status: str
    status_label: str = Field(alias="get_status_display")
    department_id: int | None
    department_name: str | None = None
    accepted_on: date | None
    clock_from: date | None = Field(description="本轮计时起点（受理或重办之日）")
    limit_days: int | None = Field(description="办理时限（工作日）")
    extension_days: int = Field(description="批准延期（工作日）")
    suspended_since: date | None = Field(
        description="暂停计时起始日（等待企业补充材料）；计时未暂停为 null"
    )
    suspended_days: int = Field(description="本轮已暂停计时的工作日（已顺延办结期限）")
    due_on: date | None = Field(description="办结期限")
    due_provisional: bool
    answered_on: date | None
    answer: str
    rating: int | None
    rating_comment: str
    rated_on: date | None
    returned_on: date | None
    return_reason: str
    reopen_count: int
    blocker_id: int | None
    clock: ClockOut | None = None
    version: int

    @staticmethod
    def resolve_project_name(obj: EnterpriseRequest) -> str | None:
        return obj.project.name if obj.project_id else None

    @staticmethod
    def resolve_department_name(obj: EnterpriseRequest) -> str | None:
        return obj.department.name if obj.department_id else None

    @staticmethod
    def resolve_clock(obj: EnterpriseRequest) -> Any:
        clock = vars(obj).get("clock", False)
        return request_clock(obj) if clock is False else clock


class RequestEventOut(Schema):
    id: int
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    on: date
    at: ZoneDateTime
    by_id: int | None
    by_name: str | None = None
    from_department_id: int | None
    to_department_id: int | None
    note: str
    internal: bool
    score: int | None

    @staticmethod
    def resolve_by_name(obj: Any) -> str | None:
        return str(obj.by) if obj.by_id else None


class ExtensionOut(Schema):
    id: int
    days: int
    reason: str
    asked_on: date
    asked_by_id: int
    asked_by_name: str
    decision: str
    decision_label: str = Field(alias="get_decision_display")
    decided_on: date | None
    decided_by_id: int | None
    decided_by_name: str | None = None
    decision_note: str

    @staticmethod
    def resolve_asked_by_name(obj: RequestExtension) -> str:
        return str(obj.asked_by)

    @staticmethod
    def resolve_decided_by_name(obj: RequestExtension) -> str | None:
        return str(obj.decided_by) if obj.decided_by_id else None


class RequestDetailOut(RequestOut):
    events: list[RequestEventOut] = Field(alias="event_rows")
    extensions: list[ExtensionOut] = Field(alias="extension_rows")
    actions: list[str] = Field(
        alias="action_names",
        description="当前用户现在可办理的步骤：accept、reroute、start、note、extend、"
        "decide_extension、suspend、resume、answer、rate、return",
    )


class RequestFilter(Schema):
    status: RequestStatus | None = None
    kind: RequestKind | None = None
    category: BlockerKind | None = None
    topic: BlockerTopic | None = None
    department_id: Id | None = None
    enterprise_id: Id | None = None
    overdue: bool | None = Field(None, description="true：逾期未答复；false：其余")
    suspended: bool | None = Field(None, description="true：暂停计时、待企业补充材料；false：其余")
    filed_from: date | None = Field(None, description="提交日期起")
    filed_to: date | None = Field(None, description="提交日期止")


class RequestIn(Schema):
    enterprise_id: Id
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1)
    kind: RequestKind
    category: BlockerKind
    topic: BlockerTopic
    channel: RequestChannel | None = Field(
        None, description="来源渠道；企业用户提交时为企业自助提交，工作人员代报默认包联人员代报"
    )
    project_id: Id | None = None
    contact_person: str = ""
    contact_phone: str = ""
    filed_on: date | None = Field(None, description="提交日期，默认今天")


class AcceptIn(VersionedIn):
    department_id: Id = Field(description="承办部门")
    limit_days: int | None = Field(None, description="办理时限（工作日），留空按诉求类型")
    note: str = ""
    on: date | None = None


class RequestRerouteIn(VersionedIn):
    department_id: Id = Field(description="改派至")
    reason: str
    on: date | None = None


class StartIn(VersionedIn):
    note: str = ""
    on: date | None = None


class RequestNoteIn(Schema):
    note: str
    internal: bool = Field(False, description="仅内部可见，不向企业展示")
    on: date | None = None


class ExtensionIn(Schema):
    days: int = Field(description="延期（工作日）")
    reason: str
    on: date | None = None


class ExtensionDecisionIn(Schema):
    approve: bool
    note: str = Field("", description="审批意见；不批准时必填")
    on: date | None = None


class SuspendIn(VersionedIn):
    reason: str = Field(description="需企业补充的材料（企业可见）")
    on: date | None = None


class ResumeIn(VersionedIn):
    note: str = Field(
        "", description="补充材料说明；企业用户提交补充材料时必填，工作人员登记收到材料时选填"
    )
    on: date | None = Field(None, description="默认今天；企业用户只能是当天")


class AnswerIn(VersionedIn):
    answer: str
    on: date | None = None


class RatingIn(VersionedIn):
    score: int = Field(description="1-5 分；低于 3 分为不满意，诉求重新办理")
    comment: str = Field("", description="评价意见；不满意时必填")
    on: date | None = None


class ReturnIn(VersionedIn):
    reason: str
    on: date | None = None


class StatisticsQuery(Schema):
    start: date = Field(description="提交日期起")
    end: date = Field(description="提交日期止")
    by: str = Field("topic", description="统计维度：" + "、".join(STATISTICS_BY))


class StatisticsRowOut(Schema):
    key: str | int | None = Field(description="维度取值（部门、企业为编号）；合计行为 null")
    label: str
    filed: int = Field(description="提交（件）")
    answered: int = Field(description="已答复（件）")
    open: int = Field(description="未办结（件）")
    overdue: int = Field(description="逾期未办结（件）")
    returned: int = Field(description="退回（件）")
    answered_on_time: int = Field(description="按期答复（件）")
    on_time_rate: Decimal | None = Field(description="按期答复率（%）")
    average_working_days: Decimal | None = Field(
        description="平均用时（工作日，受理或重办至答复，不含暂停计时的工作日）"
    )
    ratings: int = Field(description="评价（次）")
    average_score: Decimal | None = Field(description="平均评分")
    satisfaction_rate: Decimal | None = Field(description="满意率（%，3 分及以上）")
    reopened: int = Field(description="重办（件）")
    reopen_rate: Decimal | None = Field(description="重办率（%）")


class StatisticsOut(Schema):
    by: str
    by_label: str
    start: date
    end: date
    on: date = Field(description="状态截至日期")
    total: StatisticsRowOut
    rows: list[StatisticsRowOut]

    @staticmethod
    def resolve_by_label(obj: Any) -> str:
        return str(STATISTICS_BY[obj.by])


class LimitOut(Schema):
    kind: str
    kind_label: str
    limit_days: int = Field(description="办理时限（工作日）")


class LimitIn(Schema):
    limit_days: int = Field(description="办理时限（工作日）")


# --- Helpers ---------------------------------------------------------------------------------


def _record(request: Any, request_id: Id, action: str) -> EnterpriseRequest:
    """The request, if the user may see it (else 404) and take `action` on it (else 403)."""
    record = get_object_or_404(requests_visible(user=request.user), pk=request_id)
    ensure_allowed(request.user, action, EnterpriseRequest, record)
    return record


def _detail(request: Any, record: EnterpriseRequest) -> EnterpriseRequest:
    """The request as it stands now, with its steps, extensions and the user's next actions.
    Not limited to the user's scope again: a reroute may take it out of his department, and
    he still gets the answer."""
    fresh = requests_with_clock([requests_visible(user=None).get(pk=record.pk)])[0]
    fresh.event_rows = request_events_for(request=fresh, user=request.user)
    fresh.extension_rows = list(fresh.extensions.select_related("asked_by", "decided_by"))
    fresh.action_names = sorted(request_available_actions(request=fresh, user=request.user))
    return fresh


def _filtered(request: Any, filters: RequestFilter) -> Any:
    if filters.filed_from and filters.filed_to and filters.filed_from > filters.filed_to:
        raise ApplicationError(_("提交日期止不能早于提交日期起。"), field="filed_to")
    queryset = requests_visible(user=request.user)
    if filters.overdue is not None:
        overdue = overdue_requests(user=request.user).values("pk")
        if filters.overdue:
            queryset = queryset.filter(pk__in=overdue)
        else:
            queryset = queryset.exclude(pk__in=overdue)
    if filters.suspended is not None:
        suspended = request_suspended_q()
        queryset = queryset.filter(suspended if filters.suspended else ~suspended)
    for name in ("status", "kind", "category", "topic", "department_id", "enterprise_id"):
        value = getattr(filters, name)
        if value is not None:
            queryset = queryset.filter(**{name: value})
    if filters.filed_from:
        queryset = queryset.filter(filed_on__gte=filters.filed_from)
    if filters.filed_to:
        queryset = queryset.filter(filed_on__lte=filters.filed_to)
    return queryset


def _xlsx(content: bytes, title: str) -> HttpResponse:
    return xlsx_response(content, f"{title}.xlsx")


# --- The list, statistics and Excel (before /requests/{id}) ----------------------------------


@router.get("/requests", response=list[RequestOut], summary="企业诉求（含办理时限预警）")
@paginate(ClockPagination)
def requests_list(request, filters: Query[RequestFilter]):
    ensure_allowed(request.user, "view", EnterpriseRequest)
    return _filtered(request, filters)


@router.get("/requests/export.xlsx", summary="导出企业诉求（Excel）", response={200: None})
def requests_export(request, filters: Query[RequestFilter]):
    ensure_allowed(request.user, "view", EnterpriseRequest)
    return _xlsx(requests_workbook(requests=_filtered(request, filters)), _("企业诉求登记表"))


def _statistics(request: Any, query: StatisticsQuery) -> Any:
    ensure_allowed(request.user, "view", EnterpriseRequest)
    return requests_statistics(user=request.user, start=query.start, end=query.end, by=query.by)


@router.get(
    "/requests/statistics",
    response=StatisticsOut,
    summary="企业诉求办理情况统计（按时答复率、平均用时、满意率、重办率）",
)
def statistics(request, query: Query[StatisticsQuery]):
    return _statistics(request, query)


@router.get(
    "/requests/statistics.xlsx", summary="企业诉求办理情况统计（Excel）", response={200: None}
)
def statistics_xlsx(request, query: Query[StatisticsQuery]):
    result = _statistics(request, query)
    title = _("企业诉求办理情况统计表（按%(by)s）") % {"by": STATISTICS_BY[result.by]}
    return _xlsx(request_statistics_workbook(statistics=result, title=title), title)


# --- One request and its steps ---------------------------------------------------------------


@router.post("/requests", response={201: RequestDetailOut}, summary="提交诉求（企业自助或代报）")
def request_create(request, payload: RequestIn):
    ensure_allowed(request.user, "add", EnterpriseRequest)
    enterprise = pick_one(
        Enterprise, payload.enterprise_id, user=request.user, field="enterprise_id"
    )
    project = pick_one(Project, payload.project_id, user=request.user, field="project_id")
    with payload_names(PAYLOAD_FIELDS):
        record = request_file(
            enterprise=enterprise,
            title=payload.title,
            description=payload.description,
            kind=payload.kind,
            category=payload.category,
            topic=payload.topic,
            channel=payload.channel,
            project=project,
            contact_person=payload.contact_person,
            contact_phone=payload.contact_phone,
            filed_on=payload.filed_on,
            by=request.user,
        )
    return Status(201, _detail(request, record))


@router.get(
    "/requests/{int:request_id}", response=RequestDetailOut, summary="诉求及办理记录、延期申请"
)
def request_detail(request, request_id: Id):
    return _detail(request, _record(request, request_id, "view"))


@router.post("/requests/{int:request_id}/accept", response=RequestDetailOut, summary="受理并交办")
def request_accept_step(request, request_id: Id, payload: AcceptIn):
    record = _record(request, request_id, "change")
    department = pick_one(
        Department, payload.department_id, user=request.user, field="department_id"
    )
    with payload_names(PAYLOAD_FIELDS):
        request_accept(
            request=record,
            department=department,
            limit_days=payload.limit_days,
            note=payload.note,
            on=payload.on,
            by=request.user,
            expected_version=payload.version,
        )
    return _detail(request, record)


@router.post("/requests/{int:request_id}/reroute", response=RequestDetailOut, summary="改派")
def request_reroute_step(request, request_id: Id, payload: RequestRerouteIn):
    record = _record(request, request_id, "change")
    department = pick_one(
        Department, payload.department_id, user=request.user, field="department_id"
    )
    with payload_names(PAYLOAD_FIELDS):
        request_reroute(
            request=record,
            to_department=department,
            reason=payload.reason,
            on=payload.on,
            by=request.user,
            expected_version=payload.version,
        )
    return _detail(request, record)


@router.post("/requests/{int:request_id}/start", response=RequestDetailOut, summary="开始办理")
def request_start_step(request, request_id: Id, payload: StartIn):
    return _step(request, request_id, request_start, payload)


@router.post("/requests/{int:request_id}/notes", response=RequestDetailOut, summary="登记办理记录")
def request_note_step(request, request_id: Id, payload: RequestNoteIn):
    record = _record(request, request_id, "change")
    with payload_names(PAYLOAD_FIELDS):
        request_add_note(
            request=record,
            note=payload.note,
            internal=payload.internal,
            on=payload.on,
            by=request.user,
        )
    return _detail(request, record)


@router.post("/requests/{int:request_id}/extensions", response=RequestDetailOut, summary="申请延期")
def request_extension_step(request, request_id: Id, payload: ExtensionIn):
    record = _record(request, request_id, "change")
    with payload_names(PAYLOAD_FIELDS):
        request_ask_extension(
            request=record, days=payload.days, reason=payload.reason, on=payload.on, by=request.user
        )
    return _detail(request, record)


@router.post(
    "/requests/{int:request_id}/extensions/{int:extension_id}/decision",
    response=RequestDetailOut,
    summary="审批延期申请",
)
def request_extension_decision(
    request, request_id: Id, extension_id: Id, payload: ExtensionDecisionIn
):
    record = _record(request, request_id, "change")
    extension = get_object_or_404(RequestExtension, pk=extension_id, request=record)
    with payload_names(PAYLOAD_FIELDS):
        request_decide_extension(
            extension=extension,
            approve=payload.approve,
            note=payload.note,
            on=payload.on,
            by=request.user,
        )
    return _detail(request, record)


@router.post(
    "/requests/{int:request_id}/suspend",
    response=RequestDetailOut,
    summary="暂停计时（请企业补充材料）",
)
def request_suspend_step(request, request_id: Id, payload: SuspendIn):
    return _step(request, request_id, request_suspend, payload)


@router.post(
    "/requests/{int:request_id}/resume",
    response=RequestDetailOut,
    summary="恢复计时（企业提交补充材料，或工作人员登记收到材料）",
)
def request_resume_step(request, request_id: Id, payload: ResumeIn):
    return _step(
        request, request_id, request_resume, payload, action=_enterprise_or_change(request)
    )


@router.post("/requests/{int:request_id}/answer", response=RequestDetailOut, summary="答复")
def request_answer_step(request, request_id: Id, payload: AnswerIn):
    return _step(request, request_id, request_answer, payload)


@router.post(
    "/requests/{int:request_id}/rating",
    response=RequestDetailOut,
    summary="评价（企业自评，或工作人员登记回访评价）",
)
def request_rating_step(request, request_id: Id, payload: RatingIn):
    return _step(request, request_id, request_rate, payload, action=_enterprise_or_change(request))


@router.post("/requests/{int:request_id}/return", response=RequestDetailOut, summary="退回")
def request_return_step(request, request_id: Id, payload: ReturnIn):
    return _step(request, request_id, request_return, payload)


# --- Limits per kind -------------------------------------------------------------------------


def _limit(kind: RequestKind) -> dict[str, Any]:
    return {
        "kind": kind.value,
        "kind_label": str(kind.label),
        "limit_days": request_limit_days(kind=kind),
    }


@router.get("/request-limits", response=list[LimitOut], summary="各类诉求的办理时限（工作日）")
def request_limits(request):
    ensure_allowed(request.user, "view", RequestKindLimit)
    return [_limit(kind) for kind in RequestKind]


@router.patch(
    "/request-limits/{kind}",
    response=LimitOut,
    summary="修改一类诉求的办理时限（系统管理员；此后受理的诉求适用）",
)
def request_limit_change(request, kind: RequestKind, payload: LimitIn):
    # The limits are a setting of the administrators (granted like 系统管理, see orgs.roles).
    ensure_allowed(request.user, "change", RequestKindLimit)
    request_limit_set(kind=kind, limit_days=payload.limit_days, by=request.user)
    return _limit(kind)

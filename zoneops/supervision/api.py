"""REST API of supervision (督查督办): the tasks with their clock, handing a task over, every
step, 转督办 from a decision, a problem or a request, and the inspectors' checklists."""

from datetime import date
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from zoneops.api.lookups import payload_names, pick_many, pick_one
from zoneops.api.pagination import Pagination
from zoneops.api.schemas import Id, VersionedIn
from zoneops.casework.api import ClockPagination
from zoneops.casework.selectors import clock_of, records_with_clock
from zoneops.common.exceptions import ApplicationError
from zoneops.common.scope import ensure_allowed
from zoneops.enterprises.models import EnterpriseRequest
from zoneops.meetings.models import Decision
from zoneops.orgs.models import Department, User
from zoneops.projects.models import Problem
from zoneops.supervision.enums import TaskSource, TaskStatus
from zoneops.supervision.models import Checklist, SupervisionTask
from zoneops.supervision.selectors import checklists_visible, task_detail_queryset, tasks_visible
from zoneops.supervision.services import (
    task_assign,
    task_close,
    task_escalate,
    task_from_decision,
    task_from_problem,
    task_from_request,
    task_progress,
    task_report,
    task_return,
    task_review,
    task_sign,
    task_urge,
)

router = Router(tags=["督查督办"])

PAYLOAD_FIELDS = {
    "department": "department_id",
    "owner": "owner_id",
    "supervisor": "supervisor_id",
    "co_departments": "co_department_ids",
}


class TaskOut(Schema):
    id: int
    source: str
    source_label: str = Field(alias="get_source_display")
    title: str
    content: str
    department_id: int
    department_name: str = Field(alias="department.name")
    owner_id: int | None
    supervisor_id: int
    assigned_on: date
    limit_days: int = Field(description="办理时限（工作日）")
    due_on: date = Field(description="办结期限")
    due_provisional: bool
    status: str
    status_label: str = Field(alias="get_status_display")
    signed_on: date | None
    reported_on: date | None
    feedback: str
    reviewed_on: date | None
    closed_on: date | None
    urge_count: int = Field(description="催办次数")
    escalated: bool = Field(description="已提级至分管领导")
    escalated_to_id: int | None
    escalated_on: date | None
    decision_id: int | None
    problem_id: int | None
    request_id: int | None
    visit_id: int | None
    warning: str | None = Field(None, description="预警：normal/yellow/red；已销号为 null")
    warning_label: str = ""
    version: int

    @staticmethod
    def resolve_escalated(obj: SupervisionTask) -> bool:
        return obj.escalated_to_id is not None

    @staticmethod
    def resolve_warning(obj: SupervisionTask) -> str | None:
        clock = clock_of(obj)
        return clock.level if clock else None

    @staticmethod
    def resolve_warning_label(obj: SupervisionTask) -> str:
        clock = clock_of(obj)
        return str(clock.label) if clock else ""


class EvidenceOut(Schema):
    id: int
    filename: str


class TaskEventOut(Schema):
    id: int
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    on: date
    by_id: int | None
    note: str
    evidence: list[EvidenceOut]

    @staticmethod
    def resolve_evidence(obj: Any) -> list[Any]:
        return list(obj.evidence.all())


class TaskDetailOut(TaskOut):
    co_department_ids: list[int]
    events: list[TaskEventOut]

    @staticmethod
    def resolve_co_department_ids(obj: SupervisionTask) -> list[int]:
        return [d.pk for d in obj.co_departments.all()]

    @staticmethod
    def resolve_events(obj: SupervisionTask) -> list[Any]:
        return list(obj.events.all())


class TaskFilter(Schema):
    status: TaskStatus | None = None
    source: TaskSource | None = None
    department_id: Id | None = None
    overdue_on: date | None = Field(None, description="只列该日已逾期的")
    escalated: bool | None = None


class TaskIn(Schema):
    source: TaskSource
    title: str = Field(min_length=1, max_length=200)
    content: str = Field("", max_length=20000)
    department_id: Id
    owner_id: Id | None = None
    co_department_ids: list[Id] = Field(default_factory=list, max_length=50)
    supervisor_id: Id
    assigned_on: date | None = Field(None, description="交办日期，默认今天")
    limit_days: int | None = Field(None, description="办理时限（工作日），与办结期限二选一")
    due_on: date | None = Field(None, description="办结期限，与办理时限二选一")


class TaskStepIn(VersionedIn):
    on: date | None = Field(None, description="日期，默认今天")
    note: str = Field("", max_length=20000)


class TaskProgressIn(VersionedIn):
    on: date | None = None
    text: str = Field(max_length=20000)


class ReportIn(VersionedIn):
    on: date | None = None
    feedback: str = Field(max_length=20000)


class TaskReturnIn(VersionedIn):
    on: date | None = None
    reason: str = Field(max_length=20000)


class ChecklistOut(Schema):
    id: int
    enterprise_id: int
    enterprise_name: str = Field(alias="enterprise.name")
    inspector_id: int
    started_on: date
    item_count: int
    visit_count: int


def _task(request: Any, task_id: int, action: str) -> SupervisionTask:
    task = get_object_or_404(task_detail_queryset(user=request.user), pk=task_id)
    ensure_allowed(request.user, action, SupervisionTask, task)
    return task


def _detail(task: SupervisionTask) -> SupervisionTask:
    return records_with_clock([task_detail_queryset().get(pk=task.pk)])[0]


@router.get("/tasks/", response=list[TaskOut], summary="督办事项")
@paginate(ClockPagination)
def tasks(request, filters: Query[TaskFilter]):
    ensure_allowed(request.user, "view", SupervisionTask)
    queryset = tasks_visible(user=request.user)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.source:
        queryset = queryset.filter(source=filters.source)
    if filters.department_id:
        queryset = queryset.filter(department_id=filters.department_id)
    if filters.overdue_on:
        queryset = queryset.filter(SupervisionTask.overdue_q(on=filters.overdue_on))
    if filters.escalated is not None:
        queryset = queryset.filter(escalated_to__isnull=not filters.escalated)
    return queryset.order_by("due_on", "pk")


@router.post("/tasks/", response={201: TaskDetailOut}, summary="交办督办事项")
def task_create(request, payload: TaskIn):
    ensure_allowed(request.user, "add", SupervisionTask)
    department = pick_one(
        Department, payload.department_id, user=request.user, field="department_id"
    )
    helpers = pick_many(
        Department, payload.co_department_ids, user=request.user, field="co_department_ids"
    )
    owner = pick_one(User, payload.owner_id, user=request.user, field="owner_id")
    supervisor = pick_one(User, payload.supervisor_id, user=request.user, field="supervisor_id")
    with payload_names(PAYLOAD_FIELDS):
        task = task_assign(
            source=payload.source,
            title=payload.title,
            content=payload.content,
            department=department,
            owner=owner,
            co_departments=helpers,
            supervisor=supervisor,
            assigned_on=payload.assigned_on,
            limit_days=payload.limit_days,
            due_on=payload.due_on,
            by=request.user,
        )
    return Status(201, _detail(task))


@router.get("/tasks/{int:task_id}", response=TaskDetailOut, summary="督办事项及办理记录")
def task_detail(request, task_id: Id):
    return records_with_clock([_task(request, task_id, "view")])[0]


def _step(request: Any, task_id: int, service: Any, **values: Any) -> SupervisionTask:
    task = _task(request, task_id, "change")
    version = values.pop("version")
    return _detail(service(task=task, by=request.user, expected_version=version, **values))


@router.post("/tasks/{int:task_id}/sign", response=TaskDetailOut, summary="签收")
def task_sign_step(request, task_id: Id, payload: TaskStepIn):
    return _step(request, task_id, task_sign, **payload.dict())


@router.post("/tasks/{int:task_id}/progress", response=TaskDetailOut, summary="登记办理进展")
def task_progress_step(request, task_id: Id, payload: TaskProgressIn):
    return _step(request, task_id, task_progress, **payload.dict())


@router.post("/tasks/{int:task_id}/report", response=TaskDetailOut, summary="反馈")
def task_report_step(request, task_id: Id, payload: ReportIn):
    return _step(request, task_id, task_report, **payload.dict())


@router.post("/tasks/{int:task_id}/review", response=TaskDetailOut, summary="复核")
def task_review_step(request, task_id: Id, payload: TaskStepIn):
    return _step(request, task_id, task_review, **payload.dict())


@router.post("/tasks/{int:task_id}/return", response=TaskDetailOut, summary="退回")
def task_return_step(request, task_id: Id, payload: TaskReturnIn):
    return _step(request, task_id, task_return, **payload.dict())


@router.post("/tasks/{int:task_id}/close", response=TaskDetailOut, summary="销号")
def task_close_step(request, task_id: Id, payload: TaskStepIn):
    return _step(request, task_id, task_close, **payload.dict())


@router.post("/tasks/{int:task_id}/urge", response=TaskDetailOut, summary="催办")
def task_urge_step(request, task_id: Id, payload: TaskStepIn):
    return _step(request, task_id, task_urge, **payload.dict())


@router.post("/tasks/{int:task_id}/escalate", response=TaskDetailOut, summary="提级至分管领导")
def task_escalate_step(request, task_id: Id, payload: TaskStepIn):
    return _step(request, task_id, task_escalate, **payload.dict())


SOURCES: dict[str, tuple[Any, Any]] = {
    "decision": (Decision, task_from_decision),
    "problem": (Problem, task_from_problem),
    "request": (EnterpriseRequest, task_from_request),
}


@router.post(
    "/from/{kind}/{int:record_id}", response={201: TaskDetailOut}, summary="转督办（幂等）"
)
def task_from_record(request, kind: str, record_id: Id):
    ensure_allowed(request.user, "add", SupervisionTask)
    if kind not in SOURCES:
        raise ApplicationError(_("只能由议定事项、项目问题或企业诉求转督办。"), field="kind")
    model, service = SOURCES[kind]
    record = model._default_manager.visible_to(request.user).filter(pk=record_id).first()
    if record is None:
        raise ApplicationError(_("记录不存在，或您无权查看。"), field="record_id")
    task = service(**{kind: record}, by=request.user)
    return Status(201, _detail(task))


@router.get("/checklists/", response=list[ChecklistOut], summary="动态清单")
@paginate(Pagination)
def checklists(request):
    ensure_allowed(request.user, "view", Checklist)
    return checklists_visible(user=request.user)

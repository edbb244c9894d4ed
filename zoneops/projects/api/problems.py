"""REST API of the problem list (问题清单): list and detail, raising, and every step after it.

The collection is `/problems/` (like the projects' `/`): the pipeline's `/{int:project_id}` would
take a bare `/problems` for a project id.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status
from ninja.pagination import paginate

from zoneops.api.lookups import payload_names, pick_one
from zoneops.api.schemas import Id, VersionedIn, ZoneDateTime
from zoneops.casework.api import ClockPagination
from zoneops.common.exceptions import ApplicationError
from zoneops.common.scope import ensure_allowed
from zoneops.orgs.models import Department
from zoneops.projects.api.router import router
from zoneops.projects.enums import BlockerKind, BlockerTopic
from zoneops.projects.models import Problem, Project
from zoneops.projects.selectors.problems import (
    clock_of,
    department_problem_counts,
    overdue_problems,
    problem_detail_queryset,
    problems_in_work_order,
    problems_visible,
    problems_with_clock,
)
from zoneops.projects.services.problems import (
    problem_add_note,
    problem_escalate,
    problem_raise,
    problem_reopen,
    problem_reroute,
    problem_resolve,
)

# The services name their arguments; the payloads name the ids.
PAYLOAD_FIELDS = {"project": "project_id", "department": "department_id"}
STEP_PAYLOAD_FIELDS = {"to_department": "department_id"}


class ProblemOut(Schema):
    id: int
    project_id: int
    project_name: str = Field(alias="project.name")
    title: str
    description: str
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    topic: str
    topic_label: str = Field(alias="get_topic_display")
    department_id: int
    department_name: str = Field(alias="department.name")
    raised_on: date
    routed_on: date
    limit_days: int = Field(description="办理时限（工作日）")
    due_on: date = Field(description="办结期限")
    due_provisional: bool = Field(description="期限所在年度节假日未录入，暂按周末计算")
    status: str
    status_label: str = Field(alias="get_status_display")
    resolved_on: date | None
    resolution: str
    escalated_to_id: int | None
    escalated_to_name: str | None = None
    escalated_on: date | None
    warning: str | None = Field(
        None, description="预警：normal/yellow/red（未解决），已解决为 null"
    )
    warning_label: str = ""
    version: int

    @staticmethod
    def resolve_escalated_to_name(obj: Problem) -> str | None:
        return str(obj.escalated_to) if obj.escalated_to_id else None

    @staticmethod
    def resolve_warning(obj: Problem) -> str | None:
        return clock_of(obj).level

    @staticmethod
    def resolve_warning_label(obj: Problem) -> str:
        return clock_of(obj).label


class ProblemEventOut(Schema):
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

    @staticmethod
    def resolve_by_name(obj: Any) -> str | None:
        return str(obj.by) if obj.by_id else None


class ProblemDetailOut(ProblemOut):
    events: list[ProblemEventOut]

    @staticmethod
    def resolve_events(obj: Problem) -> list[Any]:
        return list(obj.events.all())


class ProblemFilter(Schema):
    project_id: Id | None = None
    department_id: Id | None = None
    status: Problem.Status | None = None
    overdue: bool | None = Field(None, description="true：逾期；false：未逾期")
    as_of: date | None = Field(None, description="逾期的判断日期，默认今天；可查过去某日")


class ProblemIn(Schema):
    project_id: Id
    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    kind: BlockerKind
    topic: BlockerTopic
    department_id: Id
    limit_days: int = Field(description="办理时限（工作日）")
    raised_on: date | None = Field(None, description="提出日期，默认同交办日期")
    routed_on: date | None = Field(None, description="交办日期，默认今天")


class ProblemRerouteIn(VersionedIn):
    department_id: Id
    reason: str
    limit_days: int | None = Field(None, description="留空保持原期限；填写则自改派日重新计时")
    on: date | None = None


class ProblemNoteIn(Schema):
    text: str
    on: date | None = None
    version: int | None = None


class EscalateIn(VersionedIn):
    note: str = ""
    on: date | None = None


class ProblemResolveIn(VersionedIn):
    resolution: str
    on: date | None = None


class ReopenIn(VersionedIn):
    reason: str
    limit_days: int | None = Field(None, description="留空沿用原时限")
    on: date | None = None


class DepartmentCountsOut(Schema):
    department_id: int
    department: str
    open: int
    overdue: int
    resolved: int
    resolved_on_time: int
    on_time_rate: Decimal | None = Field(None, description="按期解决率（%）")


def _problem(request: Any, problem_id: Id, action: str) -> Problem:
    problem = get_object_or_404(problem_detail_queryset(user=request.user), pk=problem_id)
    ensure_allowed(request.user, action, Problem, problem)
    return problems_with_clock([problem])[0]


def _detail(problem: Problem) -> Problem:
    """The problem as it stands after a step, events and all. Not limited to the user's scope
    again: a reroute may take it out of his department, and he still gets the answer."""
    return problems_with_clock([problem_detail_queryset().get(pk=problem.pk)])[0]


@router.get("/problems/", response=list[ProblemOut], summary="问题清单")
@paginate(ClockPagination)
def problems(request, filters: Query[ProblemFilter]):
    ensure_allowed(request.user, "view", Problem)
    today = timezone.localdate()
    queryset = problems_visible(user=request.user)
    if filters.overdue is not None:
        overdue = overdue_problems(as_of=filters.as_of or today, user=request.user)
        if filters.overdue:
            queryset = queryset.filter(pk__in=overdue.values("pk"))
        else:
            queryset = queryset.exclude(pk__in=overdue.values("pk"))
    elif filters.as_of is not None:
        raise ApplicationError(_("截至日期只与“是否逾期”一起使用。"), field="as_of")
    if filters.project_id:
        queryset = queryset.filter(project_id=filters.project_id)
    if filters.department_id:
        queryset = queryset.filter(department_id=filters.department_id)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    return problems_in_work_order(queryset, today=today)


@router.get(
    "/problems/departments",
    response=list[DepartmentCountsOut],
    summary="各部门问题办理情况（未解决、逾期、按期解决率）",
)
def problem_counts(request):
    ensure_allowed(request.user, "view", Problem)
    return department_problem_counts(user=request.user)


@router.post("/problems/", response={201: ProblemDetailOut}, summary="提出问题并交办")
def problem_create(request, payload: ProblemIn):
    ensure_allowed(request.user, "add", Problem)
    project = Project.objects.visible_to(request.user).filter(pk=payload.project_id).first()
    if project is None:
        raise ApplicationError(_("项目不存在，或您无权查看。"), field="project_id")
    department = pick_one(
        Department, payload.department_id, user=request.user, field="department_id"
    )
    with payload_names(PAYLOAD_FIELDS):
        problem = problem_raise(
            project=project,
            title=payload.title,
            description=payload.description,
            kind=payload.kind,
            topic=payload.topic,
            department=department,
            limit_days=payload.limit_days,
            raised_on=payload.raised_on,
            routed_on=payload.routed_on,
            by=request.user,
        )
    return Status(201, _detail(problem))


@router.get("/problems/{int:problem_id}", response=ProblemDetailOut, summary="问题及办理记录")
def problem_detail(request, problem_id: Id):
    return _problem(request, problem_id, "view")


@router.post("/problems/{int:problem_id}/reroute", response=ProblemDetailOut, summary="改派")
def problem_reroute_step(request, problem_id: Id, payload: ProblemRerouteIn):
    problem = _problem(request, problem_id, "change")
    department = pick_one(
        Department, payload.department_id, user=request.user, field="department_id"
    )
    with payload_names(STEP_PAYLOAD_FIELDS):
        problem_reroute(
            problem=problem,
            to_department=department,
            reason=payload.reason,
            limit_days=payload.limit_days,
            on=payload.on,
            by=request.user,
            expected_version=payload.version,
        )
    return _detail(problem)


@router.post("/problems/{int:problem_id}/notes", response=ProblemDetailOut, summary="登记办理进展")
def problem_note_step(request, problem_id: Id, payload: ProblemNoteIn):
    problem = _problem(request, problem_id, "change")
    problem_add_note(
        problem=problem,
        text=payload.text,
        on=payload.on,
        by=request.user,
        expected_version=payload.version,
    )
    return _detail(problem)


@router.post(
    "/problems/{int:problem_id}/escalate", response=ProblemDetailOut, summary="提级至包联领导"
)
def problem_escalate_step(request, problem_id: Id, payload: EscalateIn):
    problem = _problem(request, problem_id, "change")
    problem_escalate(
        problem=problem,
        note=payload.note,
        on=payload.on,
        by=request.user,
        expected_version=payload.version,
    )
    return _detail(problem)


@router.post("/problems/{int:problem_id}/resolve", response=ProblemDetailOut, summary="办结")
def problem_resolve_step(request, problem_id: Id, payload: ProblemResolveIn):
    problem = _problem(request, problem_id, "change")
    problem_resolve(
        problem=problem,
        resolution=payload.resolution,
        on=payload.on,
        by=request.user,
        expected_version=payload.version,
    )
    return _detail(problem)


@router.post("/problems/{int:problem_id}/reopen", response=ProblemDetailOut, summary="重新办理")
def problem_reopen_step(request, problem_id: Id, payload: ReopenIn):
    problem = _problem(request, problem_id, "change")
    problem_reopen(
        problem=problem,
        reason=payload.reason,
        limit_days=payload.limit_days,
        on=payload.on,
        by=request.user,
        expected_version=payload.version,
    )
    return _detail(problem)

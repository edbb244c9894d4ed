"""REST API of the systemic blockers (共性堵点): the register with its counts, the candidates
(open, ungrouped requests and problems that several enterprises report alike), a blocker with its
members, opening one (with members), editing it, and the steps group / take out / resolve.

Mounted at /api/v1/enterprises/blockers, where it stood before blockers had an app of their own.
Requests and problems are named by id and picked within what the caller may see.
"""

from datetime import date
from typing import Any

from django.db.models import Q
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from zoneops.api.lookups import payload_names, pick_many, pick_one
from zoneops.api.pagination import Pagination
from zoneops.api.schemas import Id, VersionedIn
from zoneops.blockers.models import SystemicBlocker
from zoneops.blockers.selectors import (
    blocker_available_actions,
    blocker_candidates,
    blocker_members,
    blocker_members_by_ids,
    blockers_list,
    blockers_visible,
    blockers_with_counts,
)
from zoneops.blockers.services import (
    blocker_attach,
    blocker_create,
    blocker_detach,
    blocker_resolve,
    blocker_update,
)
from zoneops.common.scope import ensure_allowed
from zoneops.enterprises.models import EnterpriseRequest
from zoneops.orgs.models import Department, User
from zoneops.projects.enums import BlockerKind, BlockerTopic
from zoneops.projects.models import Problem

router = Router(tags=["blockers"])

# The services name their arguments; the payloads name the ids.
PAYLOAD_FIELDS = {
    "owner": "owner_id",
    "department": "department_id",
    "requests": "request_ids",
    "problems": "problem_ids",
}


# --- Schemas ---------------------------------------------------------------------------------


class BlockerOut(Schema):
    id: int
    title: str
    description: str
    category: str
    category_label: str = Field(alias="get_category_display")
    topic: str
    topic_label: str = Field(alias="get_topic_display")
    owner_id: int
    owner_name: str
    department_id: int
    department_name: str = Field(alias="department.name")
    opened_on: date
    status: str
    status_label: str = Field(alias="get_status_display")
    resolved_on: date | None
    resolution: str
    request_count: int = Field(description="归入的诉求")
    problem_count: int = Field(description="归入的项目问题")
    enterprise_count: int = Field(description="涉及企业（去重）")
    open_count: int = Field(description="未办结的诉求和问题")
    overdue_count: int = Field(description="逾期的诉求和问题")
    actions: list[str] = Field(description="现在可以进行的步骤：attach/detach/resolve")
    version: int

    @staticmethod
    def resolve_owner_name(obj: SystemicBlocker) -> str:
        return str(obj.owner)

    @staticmethod
    def resolve_actions(obj: SystemicBlocker) -> list[str]:
        return sorted(blocker_available_actions(blocker=obj))


class MemberRequestOut(Schema):
    id: int
    title: str
    enterprise_id: int
    enterprise_name: str = Field(alias="enterprise.name")
    department_id: int | None
    status: str
    status_label: str = Field(alias="get_status_display")
    due_on: date | None
    overdue: bool = Field(alias="is_overdue")


class MemberProblemOut(Schema):
    id: int
    title: str
    project_id: int
    project_name: str = Field(alias="project.name")
    enterprise_id: int | None = Field(alias="project.investor_enterprise_id")
    department_id: int
    status: str
    status_label: str = Field(alias="get_status_display")
    due_on: date
    overdue: bool = Field(alias="is_overdue")


class BlockerDetailOut(BlockerOut):
    requests: list[MemberRequestOut]
    problems: list[MemberProblemOut]

    @staticmethod
    def resolve_requests(obj: Any) -> list[Any]:
        return obj.members.requests

    @staticmethod
    def resolve_problems(obj: Any) -> list[Any]:
        return obj.members.problems


class BlockerFilter(Schema):
    status: SystemicBlocker.Status | None = None
    category: BlockerKind | None = None
    topic: BlockerTopic | None = None
    department_id: Id | None = None
    owner_id: Id | None = None
    overdue: bool | None = Field(None, description="true：有逾期的诉求或问题")
    q: str | None = Field(None, description="共性问题或描述中的文字")


class MembersIn(Schema):
    request_ids: list[Id] = []
    problem_ids: list[Id] = []


class BlockerIn(MembersIn):
    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    category: BlockerKind
    topic: BlockerTopic
    owner_id: Id
    department_id: Id
    opened_on: date | None = Field(None, description="立项日期，默认今天")


class BlockerUpdateIn(VersionedIn):
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    category: BlockerKind | None = None
    topic: BlockerTopic | None = None
    owner_id: Id | None = None
    department_id: Id | None = None
    opened_on: date | None = None


class MembersStepIn(MembersIn):
    on: date | None = Field(None, description="日期，默认今天")
    version: int | None = Field(None, description="读取时的版本；填写则拒绝过期的操作")


class BlockerResolveIn(VersionedIn):
    resolution: str
    on: date | None = Field(None, description="解决日期，默认今天")


class CandidateRequestOut(Schema):
    id: int
    title: str
    enterprise_id: int
    enterprise_name: str = Field(alias="enterprise.name")
    status: str
    filed_on: date


class CandidateProblemOut(Schema):
    id: int
    title: str
    project_id: int
    project_name: str = Field(alias="project.name")
    enterprise_id: int | None = Field(alias="project.investor_enterprise_id")
    status: str
    raised_on: date


class CandidateOut(Schema):
    topic: str
    topic_label: str
    category: str
    category_label: str
    reporters: int = Field(description="反映的企业（无企业的项目按项目计）")
    reporter_names: list[str] = Field(alias="names")
    requests: list[CandidateRequestOut]
    problems: list[CandidateProblemOut]


class CandidateFilter(Schema):
    topic: BlockerTopic | None = None
    category: BlockerKind | None = None


# --- Routes ----------------------------------------------------------------------------------


def _blocker(request: Any, blocker_id: Id, action: str) -> SystemicBlocker:
    blocker = get_object_or_404(blockers_visible(user=request.user), pk=blocker_id)
    ensure_allowed(request.user, action, SystemicBlocker, blocker)
    return blocker


def _detail(blocker: SystemicBlocker) -> SystemicBlocker:
    """The blocker as it stands after a step, counts and members. Read without the caller's
    scope: a change of lead department may take it out of his, and he still gets the answer."""
    detail = blockers_with_counts(blockers_visible()).get(pk=blocker.pk)
    vars(detail)["members"] = blocker_members(blocker=detail)
    return detail


def _members(request: Any, payload: MembersIn) -> dict[str, list[Any]]:
    return {
        "requests": pick_many(
            EnterpriseRequest, payload.request_ids, user=request.user, field="request_ids"
        ),
        "problems": pick_many(Problem, payload.problem_ids, user=request.user, field="problem_ids"),
    }


@router.get("/blockers", response=list[BlockerOut], summary="共性堵点台账（含归并和逾期情况）")
@paginate(Pagination)
def blockers(request, filters: Query[BlockerFilter]):
    ensure_allowed(request.user, "view", SystemicBlocker)
    queryset = blockers_list(user=request.user)
    for name in ("status", "category", "topic", "department_id", "owner_id"):
        value = getattr(filters, name)
        if value is not None:
            queryset = queryset.filter(**{name: value})
    if filters.overdue is not None:
        queryset = (
            queryset.filter(overdue_count__gt=0)
            if filters.overdue
            else queryset.filter(overdue_count=0)
        )
    if filters.q:
        queryset = queryset.filter(
            Q(title__icontains=filters.q) | Q(description__icontains=filters.q)
        )
    return queryset


@router.get(
    "/blockers/candidates",
    response=list[CandidateOut],
    summary="候选共性问题：两家以上企业（项目）反映的同领域同类别未办结诉求和问题",
)
def candidates(request, filters: Query[CandidateFilter]):
    ensure_allowed(request.user, "view", SystemicBlocker)
    return blocker_candidates(user=request.user, topic=filters.topic, category=filters.category)


@router.post("/blockers", response={201: BlockerDetailOut}, summary="立项共性堵点（可同时归入）")
def blocker_open(request, payload: BlockerIn):
    ensure_allowed(request.user, "add", SystemicBlocker)
    owner = pick_one(User, payload.owner_id, user=request.user, field="owner_id")
    department = pick_one(
        Department, payload.department_id, user=request.user, field="department_id"
    )
    members = _members(request, payload)
    with payload_names(PAYLOAD_FIELDS):
        blocker = blocker_create(
            title=payload.title,
            description=payload.description,
            category=payload.category,
            topic=payload.topic,
            owner=owner,
            department=department,
            opened_on=payload.opened_on,
            by=request.user,
            **members,
        )
    return Status(201, _detail(blocker))


@router.get("/blockers/{int:blocker_id}", response=BlockerDetailOut, summary="共性堵点及归入事项")
def blocker_detail(request, blocker_id: Id):
    return _detail(_blocker(request, blocker_id, "view"))


@router.patch("/blockers/{int:blocker_id}", response=BlockerDetailOut, summary="修改共性堵点")
def blocker_change(request, blocker_id: Id, payload: BlockerUpdateIn):
    blocker = _blocker(request, blocker_id, "change")
    changes = payload.dict(exclude_unset=True, exclude={"version", "owner_id", "department_id"})
    if "owner_id" in payload.model_fields_set:
        changes["owner"] = pick_one(User, payload.owner_id, user=request.user, field="owner_id")
    if "department_id" in payload.model_fields_set:
        changes["department"] = pick_one(
            Department, payload.department_id, user=request.user, field="department_id"
        )
    with payload_names(PAYLOAD_FIELDS):
        blocker_update(
            blocker=blocker, by=request.user, expected_version=payload.version, **changes
        )
    return _detail(blocker)


@router.post(
    "/blockers/{int:blocker_id}/attach", response=BlockerDetailOut, summary="归入诉求或问题"
)
def blocker_attach_step(request, blocker_id: Id, payload: MembersStepIn):
    blocker = _blocker(request, blocker_id, "change")
    members = _members(request, payload)
    with payload_names(PAYLOAD_FIELDS):
        blocker_attach(
            blocker=blocker,
            by=request.user,
            on=payload.on,
            expected_version=payload.version,
            **members,
        )
    return _detail(blocker)


@router.post(
    "/blockers/{int:blocker_id}/detach", response=BlockerDetailOut, summary="移出诉求或问题"
)
def blocker_detach_step(request, blocker_id: Id, payload: MembersStepIn):
    blocker = _blocker(request, blocker_id, "change")
    # The members are the blocker's own: its lead takes out any of them, whoever handles it.
    members = blocker_members_by_ids(
        blocker=blocker, request_ids=payload.request_ids, problem_ids=payload.problem_ids
    )
    with payload_names(PAYLOAD_FIELDS):
        blocker_detach(
            blocker=blocker,
            by=request.user,
            on=payload.on,
            expected_version=payload.version,
            **members,
        )
    return _detail(blocker)


@router.post(
    "/blockers/{int:blocker_id}/resolve",
    response=BlockerDetailOut,
    summary="解决：答复归入的诉求、办结归入的问题",
)
def blocker_resolve_step(request, blocker_id: Id, payload: BlockerResolveIn):
    blocker = _blocker(request, blocker_id, "change")
    blocker_resolve(
        blocker=blocker,
        resolution=payload.resolution,
        on=payload.on,
        by=request.user,
        expected_version=payload.version,
    )
    return _detail(blocker)

"""REST API of meetings and ceremonies, at /api/v1/meetings/: the register, scheduling and edits,
hold and cancel, the agenda (built from the records or by hand), the decisions, and a
ceremony's projects and totals. Every rule is the services'; here input is parsed and the
records an id names are looked up within the user's data scope."""

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from zoneops.api.lookups import pick_many, pick_one
from zoneops.api.pagination import Pagination
from zoneops.api.schemas import VersionedIn, ZoneDateTime
from zoneops.common.amounts import exact_wan
from zoneops.common.exceptions import ApplicationError
from zoneops.common.scope import ensure_allowed
from zoneops.enterprises.models import EnterpriseRequest
from zoneops.meetings.enums import CEREMONIES, MeetingKind, MeetingStatus
from zoneops.meetings.models import AgendaItem, Decision, Meeting
from zoneops.meetings.selectors import (
    DecisionState,
    ceremony_line,
    ceremony_totals,
    decisions_list,
    meeting_detail_queryset,
    meetings_list,
)
from zoneops.meetings.services import (
    agenda_item_add,
    agenda_item_remove,
    ceremony_attach_projects,
    ceremony_detach_projects,
    decision_create,
    decision_done,
    meeting_build_agenda,
    meeting_cancel,
    meeting_hold,
    meeting_schedule,
    meeting_update,
)
from zoneops.orgs.models import Department, User
from zoneops.projects.models import Milestone, Problem, Project

router = Router(tags=["meetings"])


# --- looking up what an id names ----------------------------------------------------------------


def _meeting(request: Any, meeting_id: int, action: str = "view") -> Meeting:
    meeting = get_object_or_404(meeting_detail_queryset(user=request.user), pk=meeting_id)
    ensure_allowed(request.user, action, Meeting, meeting)
    return meeting


def _fresh(meeting_id: int, request: Any) -> Meeting:
    """The meeting again, with what the service just wrote, for the response."""
    return meeting_detail_queryset(user=request.user).get(pk=meeting_id)


# --- schemas ------------------------------------------------------------------------------------

START = (
    "开始时间，带时区的 ISO 8601（如 2026-03-02T09:30:00+08:00）；不带时区的按开发区时区理解，"
    "会议日期随之确定"
)


class MeetingOut(Schema):
    id: int
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    title: str
    held_on: date
    starts_at: ZoneDateTime | None = Field(alias="start", description=START)
    duration_minutes: int | None
    location: str
    online: bool
    status: str
    status_label: str = Field(alias="get_status_display")
    host_id: int | None
    host_name: str | None
    organiser_id: int | None
    organiser_name: str | None
    agenda_count: int
    decision_count: int
    open_decision_count: int
    overdue_decision_count: int
    project_count: int
    project_investment: Decimal = Field(description="签约/开工项目总投资（万元），仅仪式")
    overview: str = Field(description="仪式的统计（如“签约项目56个，总投资83亿元，用时40分钟”）")
    version: int

    @staticmethod
    def resolve_host_name(obj: Any) -> str | None:
        return str(obj.host) if obj.host_id else None

    @staticmethod
    def resolve_organiser_name(obj: Any) -> str | None:
        return obj.organiser.name if obj.organiser_id else None

    @staticmethod
    def resolve_project_investment(obj: Any) -> Decimal:
        return exact_wan(obj.project_investment)

    @staticmethod
    def resolve_overview(obj: Any) -> str:
        if obj.kind not in CEREMONIES:
            return ""
        return ceremony_line(
            kind=obj.kind,
            count=obj.project_count,
            investment_wan=obj.project_investment,
            duration_minutes=obj.duration_minutes,
        )


class AgendaItemOut(Schema):
    id: int
    order: int
    source: str
    source_label: str = Field(alias="get_source_display")
    title: str
    project_id: int | None
    problem_id: int | None
    milestone_id: int | None
    request_id: int | None
    request_title: str | None = Field(description="企业诉求")
    note: str

    @staticmethod
    def resolve_request_title(obj: AgendaItem) -> str | None:
        request = obj.request  # selected with the item: no query
        return request.title if request is not None else None


class DecisionOut(Schema):
    id: int
    meeting_id: int
    agenda_item_id: int | None
    text: str
    owner_id: int | None
    owner_name: str | None
    owner_department_id: int
    owner_department_name: str
    due_on: date
    done_on: date | None
    version: int

    @staticmethod
    def resolve_owner_name(obj: Decision) -> str | None:
        return str(obj.owner) if obj.owner_id else None

    @staticmethod
    def resolve_owner_department_name(obj: Decision) -> str:
        return obj.owner_department.name


class TotalsOut(Schema):
    kind: str
    count: int
    investment_wan: Decimal
    investment_yi: Decimal
    duration_minutes: int | None
    line: str


class MeetingDetailOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    held_on: date
    starts_at: ZoneDateTime | None = Field(description=START)
    duration_minutes: int | None
    location: str
    online: bool
    status: str
    status_label: str
    host_id: int | None
    organiser_id: int | None
    attendee_ids: list[int]
    external_attendees: str
    minutes: str
    agenda: list[AgendaItemOut]
    decisions: list[DecisionOut]
    project_ids: list[int]
    totals: TotalsOut | None
    version: int


def _detail(meeting: Meeting) -> dict[str, Any]:
    return {
        "id": meeting.pk,
        "kind": meeting.kind,
        "kind_label": meeting.get_kind_display(),
        "title": meeting.title,
        "held_on": meeting.held_on,
        "starts_at": meeting.start,
        "duration_minutes": meeting.duration_minutes,
        "location": meeting.location,
        "online": meeting.online,
        "status": meeting.status,
        "status_label": meeting.get_status_display(),
        "host_id": meeting.host_id,
        "organiser_id": meeting.organiser_id,
        "attendee_ids": [user.pk for user in meeting.attendees.all()],
        "external_attendees": meeting.external_attendees,
        "minutes": meeting.minutes,
        "agenda": list(meeting.agenda_items.all()),
        "decisions": list(meeting.decisions.all()),
        "project_ids": [project.pk for project in meeting.projects.all()],
        "totals": ceremony_totals(meeting) if meeting.kind in CEREMONIES else None,
        "version": meeting.version,
    }


class MeetingFilter(Schema):
    kind: MeetingKind | None = None
    status: MeetingStatus | None = None
    held_from: date | None = Field(None, description="日期起")
    held_to: date | None = Field(None, description="日期止")
    q: str | None = Field(None, description="会议名称")


class MeetingIn(Schema):
    kind: MeetingKind
    title: str = Field(min_length=1, max_length=200)
    held_on: date | None = Field(None, description="日期；给出开始时间时可省略")
    starts_at: ZoneDateTime | None = Field(None, description=START)
    duration_minutes: int | None = Field(None, ge=1)
    location: str = Field("", max_length=200)
    online: bool | None = Field(None, description="默认按类型：线上洽谈、云签约为线上")
    host_id: int | None = None
    organiser_id: int | None = Field(None, description="承办部门，默认为登记人所在部门")
    attendee_ids: list[int] = []
    external_attendees: str = ""
    project_ids: list[int] = Field([], description="仪式的签约/开工项目")


class MeetingUpdateIn(VersionedIn):
    kind: MeetingKind | None = None
    title: str | None = Field(None, min_length=1, max_length=200)
    held_on: date | None = None
    starts_at: ZoneDateTime | None = Field(None, description=START)
    duration_minutes: int | None = Field(None, ge=1)
    location: str | None = Field(None, max_length=200)
    online: bool | None = None
    host_id: int | None = None
    organiser_id: int | None = None
    attendee_ids: list[int] | None = None
    external_attendees: str | None = None
    minutes: str | None = None


class HoldIn(VersionedIn):
    minutes: str = Field("", description="会议纪要（会议必填，仪式可不填）")
    duration_minutes: int | None = Field(None, ge=1)


class CancelIn(VersionedIn):
    reason: str = Field(min_length=1, description="取消原因")


class AgendaItemIn(Schema):
    title: str = Field(min_length=1, max_length=300)
    project_id: int | None = None
    problem_id: int | None = None
    milestone_id: int | None = None
    request_id: int | None = Field(None, description="企业诉求；有相关项目的带入其项目")
    note: str = ""


class DecisionIn(Schema):
    text: str = Field(min_length=1)
    due_on: date = Field(description="完成时限，不早于会议日期")
    owner_id: int | None = None
    owner_department_id: int | None = Field(None, description="责任部门，默认为责任人所在部门")
    agenda_item_id: int | None = None


class DecisionDoneIn(VersionedIn):
    done_on: date | None = Field(None, description="完成日期，默认今天")


class DecisionFilter(Schema):
    state: str | None = Field(None, description="open|overdue|done")
    meeting_id: int | None = None
    owner_department_id: int | None = None


class ProjectsIn(Schema):
    project_ids: list[int] = Field(min_length=1)
    version: int | None = None


# --- meetings -----------------------------------------------------------------------------------


def _day_and_time(held_on: date | None, start: datetime | None) -> tuple[date, time | None]:
    """The meeting's day and its time on the zone's clock, from a payload's date and start."""
    if start is None:
        if held_on is None:
            raise ApplicationError(_("请填写会议日期。"), field="held_on")
        return held_on, None
    if held_on is not None and held_on != start.date():
        raise ApplicationError(
            _("开始时间（%(start)s）不在会议日期 %(day)s 当天。")
            % {"start": f"{start:%Y-%m-%d %H:%M}", "day": held_on.isoformat()},
            field="starts_at",
        )
    return start.date(), start.time()


@router.get("/", response=list[MeetingOut], summary="会议与活动列表")
@paginate(Pagination)
def meetings(request, filters: Query[MeetingFilter]) -> QuerySet:
    ensure_allowed(request.user, "view", Meeting)
    return meetings_list(
        user=request.user,
        kind=filters.kind,
        status=filters.status,
        held_from=filters.held_from,
        held_to=filters.held_to,
        q=filters.q,
    )


@router.post("/", response={201: MeetingDetailOut}, summary="安排会议或仪式")
def meeting_create(request, payload: MeetingIn):
    ensure_allowed(request.user, "add", Meeting)
    user = request.user
    projects = pick_many(Project, payload.project_ids, user=user, field="project_ids")
    held_on, starts_at = _day_and_time(payload.held_on, payload.starts_at)
    meeting = meeting_schedule(
        kind=payload.kind,
        title=payload.title,
        held_on=held_on,
        starts_at=starts_at,
        duration_minutes=payload.duration_minutes,
        location=payload.location,
        online=payload.online,
        host=pick_one(User, payload.host_id, user=user, field="host_id"),
        organiser=pick_one(Department, payload.organiser_id, user=user, field="organiser_id"),
        attendees=pick_many(User, payload.attendee_ids, user=user, field="attendee_ids"),
        external_attendees=payload.external_attendees,
        projects=projects,
        by=user,
    )
    return Status(201, _detail(_fresh(meeting.pk, request)))


@router.get("/decisions", response=list[DecisionOut], summary="议定事项台账")
@paginate(Pagination)
def decisions(request, filters: Query[DecisionFilter]) -> QuerySet:
    ensure_allowed(request.user, "view", Decision)
    if filters.state and filters.state not in DecisionState.CHOICES:
        raise ApplicationError(
            _("不支持的办理情况“%(value)s”，可选：%(choices)s")
            % {"value": filters.state, "choices": "、".join(DecisionState.CHOICES)},
            field="state",
        )
    return decisions_list(
        user=request.user,
        state=filters.state,
        meeting_id=filters.meeting_id,
        owner_department_id=filters.owner_department_id,
    )


@router.post("/decisions/{int:decision_id}/done", response=DecisionOut, summary="议定事项办结")
def decision_mark_done(request, decision_id: int, payload: DecisionDoneIn):
    decision = get_object_or_404(Decision.objects.visible_to(request.user), pk=decision_id)
    ensure_allowed(request.user, "change", Decision, decision)
    done = decision_done(
        decision=decision,
        done_on=payload.done_on,
        by=request.user,
        expected_version=payload.version,
    )
    return Decision.objects.select_related("owner", "owner_department").get(pk=done.pk)


@router.get(
    "/{int:meeting_id}", response=MeetingDetailOut, summary="会议详情：议题、议定事项、项目"
)
def meeting_detail(request, meeting_id: int):
    return _detail(_meeting(request, meeting_id))


@router.patch("/{int:meeting_id}", response=MeetingDetailOut, summary="修改会议")
def meeting_change(request, meeting_id: int, payload: MeetingUpdateIn):
    meeting = _meeting(request, meeting_id, "change")
    user = request.user
    data = payload.dict(exclude_unset=True, exclude={"version"})
    changes: dict[str, Any] = {}
    if data.get("starts_at") is not None:
        # A start names its day too: the meeting moves with it.
        data["held_on"], data["starts_at"] = _day_and_time(data.get("held_on"), data["starts_at"])
    for name, value in data.items():
        if name == "host_id":
            changes["host"] = pick_one(User, value, user=user, field=name)
        elif name == "organiser_id":
            changes["organiser"] = pick_one(Department, value, user=user, field=name)
        elif name != "attendee_ids":
            changes[name] = value
    attendees = None
    if "attendee_ids" in data:
        attendees = pick_many(User, data["attendee_ids"] or [], user=user, field="attendee_ids")
    meeting_update(
        meeting=meeting,
        by=user,
        expected_version=payload.version,
        attendees=attendees,
        **changes,
    )
    return _detail(_fresh(meeting_id, request))


@router.post("/{int:meeting_id}/hold", response=MeetingDetailOut, summary="登记召开（纪要）")
def meeting_mark_held(request, meeting_id: int, payload: HoldIn):
    meeting = _meeting(request, meeting_id, "change")
    meeting_hold(
        meeting=meeting,
        minutes=payload.minutes,
        duration_minutes=payload.duration_minutes,
        by=request.user,
        expected_version=payload.version,
    )
    return _detail(_fresh(meeting_id, request))


@router.post("/{int:meeting_id}/cancel", response=MeetingDetailOut, summary="取消会议")
def meeting_mark_cancelled(request, meeting_id: int, payload: CancelIn):
    meeting = _meeting(request, meeting_id, "change")
    meeting_cancel(
        meeting=meeting, reason=payload.reason, by=request.user, expected_version=payload.version
    )
    return _detail(_fresh(meeting_id, request))


# --- the agenda ---------------------------------------------------------------------------------


@router.post(
    "/{int:meeting_id}/agenda/build", response=list[AgendaItemOut], summary="按记录生成议题"
)
def agenda_build(request, meeting_id: int):
    """Adds the red-light key projects, overdue problems, late milestones and overdue enterprise
    requests as of the meeting's date that are not yet on the agenda; returns the items added
    (none on a second call)."""
    meeting = _meeting(request, meeting_id, "change")
    added = meeting_build_agenda(meeting=meeting, by=request.user)
    # Read again with the requests they name, for their titles in one query.
    return list(
        AgendaItem.objects.filter(pk__in=[item.pk for item in added]).select_related("request")
    )


@router.post("/{int:meeting_id}/agenda", response={201: AgendaItemOut}, summary="人工添加议题")
def agenda_add(request, meeting_id: int, payload: AgendaItemIn):
    meeting = _meeting(request, meeting_id, "change")
    user = request.user
    item = agenda_item_add(
        meeting=meeting,
        title=payload.title,
        project=pick_one(Project, payload.project_id, user=user, field="project_id"),
        problem=pick_one(Problem, payload.problem_id, user=user, field="problem_id"),
        milestone=pick_one(Milestone, payload.milestone_id, user=user, field="milestone_id"),
        request=pick_one(EnterpriseRequest, payload.request_id, user=user, field="request_id"),
        note=payload.note,
        by=user,
    )
    return Status(201, item)


@router.delete("/{int:meeting_id}/agenda/{int:item_id}", response={204: None}, summary="删除议题")
def agenda_remove(request, meeting_id: int, item_id: int):
    meeting = _meeting(request, meeting_id, "change")
    item = get_object_or_404(AgendaItem, pk=item_id, meeting=meeting)
    agenda_item_remove(item=item, by=request.user)
    return Status(204, None)


# --- decisions ----------------------------------------------------------------------------------


@router.post("/{int:meeting_id}/decisions", response={201: DecisionOut}, summary="记录议定事项")
def decision_add(request, meeting_id: int, payload: DecisionIn):
    meeting = _meeting(request, meeting_id, "change")
    ensure_allowed(request.user, "add", Decision)
    user = request.user
    agenda_item = None
    if payload.agenda_item_id is not None:
        agenda_item = AgendaItem.objects.filter(pk=payload.agenda_item_id).first()
        if agenda_item is None:
            raise ApplicationError(_("未找到该议题。"), field="agenda_item_id")
    decision = decision_create(
        meeting=meeting,
        text=payload.text,
        due_on=payload.due_on,
        owner=pick_one(User, payload.owner_id, user=user, field="owner_id"),
        owner_department=pick_one(
            Department, payload.owner_department_id, user=user, field="owner_department_id"
        ),
        agenda_item=agenda_item,
        by=user,
    )
    return Status(
        201, Decision.objects.select_related("owner", "owner_department").get(pk=decision.pk)
    )


# --- ceremonies ---------------------------------------------------------------------------------


@router.get(
    "/{int:meeting_id}/totals", response=TotalsOut, summary="仪式统计：项目数、总投资、用时"
)
def totals(request, meeting_id: int):
    meeting = _meeting(request, meeting_id)
    result = ceremony_totals(meeting)
    return {
        "kind": result.kind,
        "count": result.count,
        "investment_wan": result.investment_wan,
        "investment_yi": result.investment_yi,
        "duration_minutes": result.duration_minutes,
        "line": result.line,
    }


@router.post("/{int:meeting_id}/projects", response=MeetingDetailOut, summary="添加仪式项目")
def ceremony_add_projects(request, meeting_id: int, payload: ProjectsIn):
    meeting = _meeting(request, meeting_id, "change")
    projects = pick_many(Project, payload.project_ids, user=request.user, field="project_ids")
    ceremony_attach_projects(
        meeting=meeting, projects=projects, by=request.user, expected_version=payload.version
    )
    return _detail(_fresh(meeting_id, request))


@router.delete(
    "/{int:meeting_id}/projects/{int:project_id}", response=MeetingDetailOut, summary="移除仪式项目"
)
def ceremony_remove_project(request, meeting_id: int, project_id: int):
    meeting = _meeting(request, meeting_id, "change")
    project = get_object_or_404(meeting.projects.all(), pk=project_id)
    ceremony_detach_projects(meeting=meeting, projects=[project], by=request.user)
    return _detail(_fresh(meeting_id, request))

"""REST API of one-enterprise-one-policy plans (一企一策): the plans with their measures counted,
a plan with its measures, drawing one up and editing it, adding, editing, removing and completing
measures, the overdue measures, and completing the plan.

Mounted at /api/v1/enterprises/plans. A measure has its own paths (/plans/measures/{id}) so that
the department responsible for it completes it even when the plan is led elsewhere.
"""

from datetime import date
from typing import Any

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status
from ninja.pagination import paginate

from zoneops.api.lookups import payload_names, pick_one
from zoneops.api.pagination import Pagination
from zoneops.api.schemas import Id, VersionedIn
from zoneops.common.exceptions import ApplicationError
from zoneops.common.scope import ensure_allowed
from zoneops.enterprises.api.router import router
from zoneops.enterprises.enums import MeasureStatus, PlanStatus
from zoneops.enterprises.models import Enterprise, EnterprisePlan, PlanMeasure
from zoneops.enterprises.selectors.plans import (
    measure_available_actions,
    measure_state,
    measures_visible,
    overdue_measures,
    plan_available_actions,
    plan_measures,
    plans_list,
    plans_visible,
    plans_with_counts,
)
from zoneops.enterprises.services.plans import (
    measure_add,
    measure_complete,
    measure_delete,
    measure_update,
    plan_complete,
    plan_create,
    plan_update,
)
from zoneops.orgs.models import Department, User

PAYLOAD_FIELDS = {
    "enterprise": "enterprise_id",
    "owner": "owner_id",
    "department": "department_id",
}


# --- Schemas ---------------------------------------------------------------------------------


class MeasureOut(Schema):
    id: int
    plan_id: int
    content: str
    department_id: int
    department_name: str = Field(alias="department.name")
    owner_id: int | None
    owner_name: str | None = None
    due_on: date = Field(description="完成时限")
    status: str
    status_label: str = Field(alias="get_status_display")
    overdue: bool = Field(alias="is_overdue", description="未完成且已过完成时限")
    state: str = Field(description="open/overdue/done")
    done_on: date | None
    result: str
    actions: list[str] = Field(description="现在可以进行的步骤：complete")
    version: int

    @staticmethod
    def resolve_owner_name(obj: PlanMeasure) -> str | None:
        return str(obj.owner) if obj.owner_id else None

    @staticmethod
    def resolve_state(obj: PlanMeasure) -> str:
        return measure_state(obj)[0]

    @staticmethod
    def resolve_actions(obj: PlanMeasure) -> list[str]:
        return sorted(measure_available_actions(measure=obj))


class MeasureListOut(MeasureOut):
    plan_title: str = Field(alias="plan.title")
    enterprise_id: int = Field(alias="plan.enterprise_id")
    enterprise_name: str = Field(alias="plan.enterprise.name")


class PlanOut(Schema):
    id: int
    enterprise_id: int
    enterprise_name: str = Field(alias="enterprise.name")
    title: str
    background: str
    goal: str
    starts_on: date
    ends_on: date | None
    owner_id: int
    owner_name: str
    department_id: int
    department_name: str = Field(alias="department.name")
    status: str
    status_label: str = Field(alias="get_status_display")
    completed_on: date | None
    summary: str
    measure_count: int
    done_measure_count: int
    open_measure_count: int
    overdue_measure_count: int = Field(description="逾期未完成的措施")
    actions: list[str] = Field(description="现在可以进行的步骤：complete")
    version: int

    @staticmethod
    def resolve_owner_name(obj: EnterprisePlan) -> str:
        return str(obj.owner)

    @staticmethod
    def resolve_actions(obj: EnterprisePlan) -> list[str]:
        return sorted(plan_available_actions(plan=obj))


class PlanDetailOut(PlanOut):
    measures: list[MeasureOut]

    @staticmethod
    def resolve_measures(obj: Any) -> list[Any]:
        return obj.measure_rows


class PlanFilter(Schema):
    enterprise_id: Id | None = None
    status: PlanStatus | None = None
    department_id: Id | None = None
    owner_id: Id | None = None
    overdue: bool | None = Field(None, description="true：有逾期未完成的措施")
    q: str | None = Field(None, description="方案名称或企业名称中的文字")


class PlanIn(Schema):
    enterprise_id: Id
    title: str = Field(min_length=1, max_length=200)
    background: str = ""
    goal: str = ""
    starts_on: date
    ends_on: date | None = None
    owner_id: Id
    department_id: Id


class PlanUpdateIn(VersionedIn):
    title: str | None = Field(None, min_length=1, max_length=200)
    background: str | None = None
    goal: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    owner_id: Id | None = None
    department_id: Id | None = None


class MeasureIn(Schema):
    content: str = Field(min_length=1)
    department_id: Id
    owner_id: Id | None = None
    due_on: date


class MeasureUpdateIn(VersionedIn):
    content: str | None = Field(None, min_length=1)
    department_id: Id | None = None
    owner_id: Id | None = None
    due_on: date | None = None


class MeasureCompleteIn(VersionedIn):
    result: str
    on: date | None = Field(None, description="完成日期，默认今天")


class PlanCompleteIn(VersionedIn):
    summary: str
    on: date | None = Field(None, description="完成日期，默认今天")


class MeasureFilter(Schema):
    plan_id: Id | None = None
    enterprise_id: Id | None = None
    department_id: Id | None = None
    state: str | None = Field(None, description="open/overdue/done")


# --- helpers ---------------------------------------------------------------------------------


def _plan(request: Any, plan_id: Id, action: str) -> EnterprisePlan:
    plan = get_object_or_404(plans_visible(user=request.user), pk=plan_id)
    ensure_allowed(request.user, action, EnterprisePlan, plan)
    return plan


def _plan_detail(plan: EnterprisePlan) -> EnterprisePlan:
    """The plan as it stands after a step, with its counts and measures (not limited to the
    caller's scope again: a change of lead may take it out of his)."""
    detail = plans_with_counts(plans_visible()).get(pk=plan.pk)
    vars(detail)["measure_rows"] = list(plan_measures(plan=detail))
    return detail


def _measure(request: Any, measure_id: Id, action: str) -> PlanMeasure:
    measure = get_object_or_404(measures_visible(user=request.user), pk=measure_id)
    ensure_allowed(request.user, action, PlanMeasure, measure)
    return measure


def _measure_detail(measure: PlanMeasure) -> PlanMeasure:
    return measures_visible().get(pk=measure.pk)


def _people(request: Any, payload: Any) -> dict[str, Any]:
    """The owner and department a payload names (those it sets), picked within what the caller
    may pick."""
    chosen: dict[str, Any] = {}
    fields = payload.model_fields_set
    if "owner_id" in fields:
        chosen["owner"] = pick_one(User, payload.owner_id, user=request.user, field="owner_id")
    if "department_id" in fields:
        chosen["department"] = pick_one(
            Department, payload.department_id, user=request.user, field="department_id"
        )
    return chosen


# --- Plans -----------------------------------------------------------------------------------


@router.get("/plans", response=list[PlanOut], summary="一企一策（含措施完成和逾期情况）")
@paginate(Pagination)
def plans(request, filters: Query[PlanFilter]):
    ensure_allowed(request.user, "view", EnterprisePlan)
    queryset = plans_list(user=request.user)
    for name in ("enterprise_id", "status", "department_id", "owner_id"):
        value = getattr(filters, name)
        if value is not None:
            queryset = queryset.filter(**{name: value})
    if filters.overdue is not None:
        queryset = (
            queryset.filter(overdue_measure_count__gt=0)
            if filters.overdue
            else queryset.filter(overdue_measure_count=0)
        )
    if filters.q:
        queryset = queryset.filter(
            Q(title__icontains=filters.q) | Q(enterprise__name__icontains=filters.q)
        )
    return queryset


@router.post("/plans", response={201: PlanDetailOut}, summary="制定一企一策方案")
def plan_open(request, payload: PlanIn):
    ensure_allowed(request.user, "add", EnterprisePlan)
    enterprise = pick_one(
        Enterprise, payload.enterprise_id, user=request.user, field="enterprise_id"
    )
    people = _people(request, payload)
    with payload_names(PAYLOAD_FIELDS):
        plan = plan_create(
            enterprise=enterprise,
            title=payload.title,
            background=payload.background,
            goal=payload.goal,
            starts_on=payload.starts_on,
            ends_on=payload.ends_on,
            by=request.user,
            **people,
        )
    return Status(201, _plan_detail(plan))


@router.get(
    "/plans/measures",
    response=list[MeasureListOut],
    summary="帮扶措施（可筛选逾期：state=overdue）",
)
@paginate(Pagination)
def measures(request, filters: Query[MeasureFilter]):
    ensure_allowed(request.user, "view", PlanMeasure)
    if filters.state == "overdue":
        return overdue_measures(user=request.user)
    queryset = measures_visible(user=request.user).order_by("due_on", "id")
    if filters.plan_id is not None:
        queryset = queryset.filter(plan_id=filters.plan_id)
    if filters.enterprise_id is not None:
        queryset = queryset.filter(plan__enterprise_id=filters.enterprise_id)
    if filters.department_id is not None:
        queryset = queryset.filter(department_id=filters.department_id)
    if filters.state == "open":
        queryset = queryset.filter(status=MeasureStatus.OPEN)
    elif filters.state == "done":
        queryset = queryset.filter(status=MeasureStatus.DONE)
    elif filters.state is not None:
        raise ApplicationError(_("完成情况应为 open、overdue 或 done。"), field="state")
    return queryset


@router.get("/plans/{int:plan_id}", response=PlanDetailOut, summary="方案及帮扶措施")
def plan_detail(request, plan_id: Id):
    return _plan_detail(_plan(request, plan_id, "view"))


@router.patch("/plans/{int:plan_id}", response=PlanDetailOut, summary="修改方案")
def plan_change(request, plan_id: Id, payload: PlanUpdateIn):
    plan = _plan(request, plan_id, "change")
    changes = payload.dict(exclude_unset=True, exclude={"version", "owner_id", "department_id"})
    changes.update(_people(request, payload))
    with payload_names(PAYLOAD_FIELDS):
        plan_update(plan=plan, by=request.user, expected_version=payload.version, **changes)
    return _plan_detail(plan)


@router.post("/plans/{int:plan_id}/complete", response=PlanDetailOut, summary="完成方案")
def plan_complete_step(request, plan_id: Id, payload: PlanCompleteIn):
    plan = _plan(request, plan_id, "change")
    plan_complete(
        plan=plan,
        summary=payload.summary,
        on=payload.on,
        by=request.user,
        expected_version=payload.version,
    )
    return _plan_detail(plan)


# --- Measures --------------------------------------------------------------------------------


@router.post(
    "/plans/{int:plan_id}/measures", response={201: MeasureListOut}, summary="增加帮扶措施"
)
def measure_create(request, plan_id: Id, payload: MeasureIn):
    plan = _plan(request, plan_id, "change")  # a new measure changes the plan
    ensure_allowed(request.user, "add", PlanMeasure)
    people = _people(request, payload)
    with payload_names(PAYLOAD_FIELDS):
        measure = measure_add(
            plan=plan,
            content=payload.content,
            due_on=payload.due_on,
            department=people["department"],
            owner=people.get("owner"),
            by=request.user,
        )
    return Status(201, _measure_detail(measure))


@router.patch("/plans/measures/{int:measure_id}", response=MeasureListOut, summary="修改措施")
def measure_change(request, measure_id: Id, payload: MeasureUpdateIn):
    measure = _measure(request, measure_id, "change")
    changes = payload.dict(exclude_unset=True, exclude={"version", "owner_id", "department_id"})
    changes.update(_people(request, payload))
    with payload_names(PAYLOAD_FIELDS):
        measure_update(
            measure=measure, by=request.user, expected_version=payload.version, **changes
        )
    return _measure_detail(measure)


@router.delete("/plans/measures/{int:measure_id}", response={204: None}, summary="删除未完成的措施")
def measure_remove(request, measure_id: Id, version: int | None = None):
    measure = _measure(request, measure_id, "delete")
    measure_delete(measure=measure, by=request.user, expected_version=version)
    return Status(204, None)


@router.post(
    "/plans/measures/{int:measure_id}/complete", response=MeasureListOut, summary="完成措施"
)
def measure_complete_step(request, measure_id: Id, payload: MeasureCompleteIn):
    measure = _measure(request, measure_id, "change")
    measure_complete(
        measure=measure,
        result=payload.result,
        on=payload.on,
        by=request.user,
        expected_version=payload.version,
    )
    return _measure_detail(measure)

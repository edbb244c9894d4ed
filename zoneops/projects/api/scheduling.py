"""REST API of key-project scheduling: milestones, annual plans, monthly reports (月度调度), the
lights (红黄绿灯), the key projects not yet reported, and command HQs."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status
from ninja.pagination import paginate

from zoneops.api.lookups import pick_many, pick_one
from zoneops.api.pagination import Pagination
from zoneops.api.schemas import (
    Id,
    VersionedIn,
    Year,
    ZoneDateTime,
    bounded_number,
    model_number,
    model_number_out,
)
from zoneops.common.exceptions import ApplicationError
from zoneops.common.inputs import parse_month
from zoneops.common.scope import ensure_allowed
from zoneops.orgs.models import Department, User
from zoneops.projects.api.router import router
from zoneops.projects.models import AnnualPlan, CommandHQ, Milestone, ProgressReport, Project
from zoneops.projects.selectors.scheduling import (
    Light,
    command_hqs_list,
    key_projects_not_reported,
    key_projects_with_lights,
    milestones_list,
    progress_reports_list,
    progress_share,
)
from zoneops.projects.services.scheduling import (
    OPENING_TOTAL_BOUND,
    OPENING_YEAR_BOUND,
    annual_plan_set,
    command_hq_create,
    command_hq_update,
    format_month,
    milestone_complete,
    milestone_create,
    milestone_update,
    progress_report_save,
    progress_report_start,
    progress_report_submit,
)


def _month(text: str | None, *, field: str = "month") -> date | None:
    """The month a caller sent ("2019-10" → 2019-10-01, `parse_month`), None when he sent none;
    anything else is refused on the field."""
    if not text:
        return None
    try:
        return parse_month(text)
    except ValidationError as error:
        raise ApplicationError(error.messages[0], field=field) from error


def _visible_project(request: Any, project_id: Id, *, field: str = "project_id") -> Project:
    """A project the user may see, or a refusal naming the input."""
    project = Project.objects.visible_to(request.user).filter(pk=project_id).first()
    if project is None:
        raise ApplicationError(_("项目不存在，或您无权查看。"), field=field)
    return project


# --- Milestones ------------------------------------------------------------------------------


class MilestoneOut(Schema):
    id: int
    project_id: int
    project_name: str = Field(alias="project.name")
    name: str
    planned_on: date
    actual_on: date | None
    responsible_department_id: int | None
    responsible_person: str
    order: int
    note: str
    overdue: bool = Field(description="今天是否已逾期")
    version: int

    @staticmethod
    def resolve_overdue(obj: Milestone) -> bool:
        return obj.is_overdue(as_of=timezone.localdate())


class MilestoneIn(Schema):
    project_id: Id
    name: str = Field(min_length=1, max_length=100)
    planned_on: date
    actual_on: date | None = None
    responsible_department_id: Id | None = None
    responsible_person: str = Field("", max_length=50)
    order: int | None = Field(None, ge=0)
    note: str = ""


class MilestoneUpdateIn(VersionedIn):
    name: str | None = Field(None, min_length=1, max_length=100)
    planned_on: date | None = None
    actual_on: date | None = None
    responsible_department_id: Id | None = None
    responsible_person: str | None = Field(None, max_length=50)
    order: int | None = Field(None, ge=0)
    note: str | None = None


class MilestoneCompleteIn(VersionedIn):
    actual_on: date


class MilestoneFilter(Schema):
    project_id: Id | None = None
    department_id: Id | None = None
    overdue_as_of: date | None = Field(None, description="只列出截至该日逾期的节点")


@router.get("/milestones", response=list[MilestoneOut], summary="项目节点")
@paginate(Pagination)
def milestones(request, filters: Query[MilestoneFilter]):
    ensure_allowed(request.user, "view", Milestone)
    return milestones_list(
        user=request.user,
        project_id=filters.project_id,
        department_id=filters.department_id,
        overdue_as_of=filters.overdue_as_of,
    )


@router.post("/milestones", response={201: MilestoneOut}, summary="新增项目节点")
def milestone_add(request, payload: MilestoneIn):
    ensure_allowed(request.user, "add", Milestone)
    milestone = milestone_create(
        project=_visible_project(request, payload.project_id),
        name=payload.name,
        planned_on=payload.planned_on,
        actual_on=payload.actual_on,
        responsible_department=pick_one(
            Department,
            payload.responsible_department_id,
            user=request.user,
            field="responsible_department_id",
        ),
        responsible_person=payload.responsible_person,
        order=payload.order,
        note=payload.note,
        by=request.user,
    )
    return Status(201, milestone)


def _milestone(request: Any, milestone_id: Id, action: str) -> Milestone:
    milestone = get_object_or_404(
        Milestone.objects.visible_to(request.user).select_related("project"), pk=milestone_id
    )
    ensure_allowed(request.user, action, Milestone, milestone)
    return milestone


@router.patch("/milestones/{int:milestone_id}", response=MilestoneOut, summary="修改项目节点")
def milestone_change(request, milestone_id: Id, payload: MilestoneUpdateIn):
    milestone = _milestone(request, milestone_id, "change")
    changes = payload.dict(exclude_unset=True, exclude={"version"})
    if "responsible_department_id" in changes:
        changes["responsible_department"] = pick_one(
            Department,
            changes.pop("responsible_department_id"),
            user=request.user,
            field="responsible_department_id",
        )
    return milestone_update(
        milestone=milestone, by=request.user, expected_version=payload.version, **changes
    )


@router.post("/milestones/{int:milestone_id}/complete", response=MilestoneOut, summary="节点完成")
def milestone_done(request, milestone_id: Id, payload: MilestoneCompleteIn):
    milestone = _milestone(request, milestone_id, "change")
    return milestone_complete(
        milestone=milestone,
        actual_on=payload.actual_on,
        by=request.user,
        expected_version=payload.version,
    )


# --- Annual plans -----------------------------------------------------------------------------


class AnnualPlanOut(Schema):
    id: int
    project_id: int
    project_name: str = Field(alias="project.name")
    year: int
    planned_investment: model_number_out(AnnualPlan, "planned_investment") = Field(
        description="年度计划投资（万元）"
    )
    note: str
    version: int


class AnnualPlanIn(Schema):
    project_id: Id
    year: Year
    planned_investment: model_number(AnnualPlan, "planned_investment") = Field(
        description="年度计划投资（万元）"
    )
    note: str | None = Field(None, max_length=300)
    version: int | None = Field(None, description="修改已有计划时：读取时的版本")


class AnnualPlanFilter(Schema):
    year: Year | None = None
    project_id: Id | None = None


@router.get("/annual-plans", response=list[AnnualPlanOut], summary="年度投资计划")
@paginate(Pagination)
def annual_plans(request, filters: Query[AnnualPlanFilter]):
    ensure_allowed(request.user, "view", AnnualPlan)
    plans = AnnualPlan.objects.visible_to(request.user).select_related("project")
    if filters.year is not None:
        plans = plans.filter(year=filters.year)
    if filters.project_id is not None:
        plans = plans.filter(project_id=filters.project_id)
    return plans.order_by("-year", "project__code")


@router.post("/annual-plans", response=AnnualPlanOut, summary="下达或调整年度投资计划")
def annual_plan_put(request, payload: AnnualPlanIn):
    project = _visible_project(request, payload.project_id)
    existing = AnnualPlan.objects.filter(project=project, year=payload.year).first()
    ensure_allowed(request.user, "change" if existing else "add", AnnualPlan, existing)
    return annual_plan_set(
        project=project,
        year=payload.year,
        planned_investment=payload.planned_investment,
        note=payload.note,
        by=request.user,
        expected_version=payload.version,
    )


# --- Monthly reports --------------------------------------------------------------------------


class ProgressReportOut(Schema):
    id: int
    project_id: int
    project_code: str = Field(alias="project.code")
    project_name: str = Field(alias="project.name")
    month: str = Field(description="YYYY-MM")
    month_label: str = Field(description="如 2019年10月")
    invested_month: model_number_out(ProgressReport, "invested_month") = Field(
        description="本月完成投资（万元）"
    )
    invested_year: model_number_out(ProgressReport, "invested_year") = Field(
        description="本年累计完成投资（万元），系统计算"
    )
    invested_total: model_number_out(ProgressReport, "invested_total") = Field(
        description="开工累计完成投资（万元），系统计算"
    )
    year_plan: model_number_out(ProgressReport, "year_plan") | None = Field(
        description="年度计划投资（万元）"
    )
    share: Decimal | None = Field(description="本年累计占年度计划（%）")
    progress: str
    problems: str
    next_steps: str
    status: str
    submitted_at: ZoneDateTime | None
    submitted_by_id: int | None
    version: int

    @staticmethod
    def resolve_month(obj: ProgressReport) -> str:
        return f"{obj.month:%Y-%m}"

    @staticmethod
    def resolve_month_label(obj: ProgressReport) -> str:
        return format_month(obj.month)

    @staticmethod
    def resolve_share(obj: ProgressReport) -> Decimal | None:
        return progress_share(invested_year=obj.invested_year, year_plan=obj.year_plan)


class ProgressReportFilter(Schema):
    month: str | None = Field(None, description="YYYY-MM")
    project_id: Id | None = None
    status: ProgressReport.Status | None = None


class ProgressReportStartIn(Schema):
    project_id: Id
    month: str = Field(description="YYYY-MM")
    opening_total: bounded_number(OPENING_TOTAL_BOUND) | None = Field(
        None, description="仅首次填报：开工以来至上月末的完成投资（万元）"
    )
    opening_year: bounded_number(OPENING_YEAR_BOUND) | None = Field(
        None, description="仅首次填报且不是1月：本年至上月末的完成投资（万元）"
    )


class ProgressReportSaveIn(VersionedIn):
    invested_month: model_number(ProgressReport, "invested_month") | None = Field(
        None, description="本月完成投资（万元）"
    )
    progress: str | None = None
    problems: str | None = None
    next_steps: str | None = None


class SubmitIn(Schema):
    version: int | None = None
    at: ZoneDateTime | None = Field(
        None, description="补登纸质报送时：当时的报送时间（不带时区的按开发区时区理解）"
    )
    backdate_reason: str = Field("", description="补登原因（报送时间早于今天时必填）")


@router.get("/progress-reports", response=list[ProgressReportOut], summary="月度调度")
@paginate(Pagination)
def progress_reports(request, filters: Query[ProgressReportFilter]):
    ensure_allowed(request.user, "view", ProgressReport)
    return progress_reports_list(
        user=request.user,
        month=_month(filters.month),
        project_id=filters.project_id,
        status=filters.status,
    )


@router.post(
    "/progress-reports",
    response={201: ProgressReportOut},
    summary="开始填报月度调度（按上月和年度计划预填）",
)
def progress_report_add(request, payload: ProgressReportStartIn):
    ensure_allowed(request.user, "add", ProgressReport)
    month = _month(payload.month)
    if month is None:
        raise ApplicationError(_("请填写月份（YYYY-MM）。"), field="month")
    report = progress_report_start(
        project=_visible_project(request, payload.project_id),
        month=month,
        by=request.user,
        opening_total=payload.opening_total,
        opening_year=payload.opening_year,
    )
    return Status(201, report)


class MissingOut(Schema):
    id: int
    code: str
    name: str
    liaison_leader_id: int | None
    responsible_department_id: int | None
    draft_report_id: int | None = Field(description="已开始但未报送的草稿")


@router.get(
    "/progress-reports/missing",
    response=list[MissingOut],
    summary="本月尚未报送月度调度的重点项目",
)
@paginate(Pagination)
def progress_reports_missing(request, month: str | None = None):
    ensure_allowed(request.user, "view", ProgressReport)
    return key_projects_not_reported(month=_month(month), user=request.user)


def _report(request: Any, report_id: Id, action: str) -> ProgressReport:
    report = get_object_or_404(
        ProgressReport.objects.visible_to(request.user).select_related("project"), pk=report_id
    )
    ensure_allowed(request.user, action, ProgressReport, report)
    return report


@router.get("/progress-reports/{int:report_id}", response=ProgressReportOut, summary="月度调度详情")
def progress_report_detail(request, report_id: Id):
    return _report(request, report_id, "view")


@router.patch(
    "/progress-reports/{int:report_id}",
    response=ProgressReportOut,
    summary="填写月度调度（本年累计、开工累计由系统计算）",
)
def progress_report_change(request, report_id: Id, payload: ProgressReportSaveIn):
    report = _report(request, report_id, "change")
    data = payload.dict(exclude_unset=True)
    return progress_report_save(
        report=report,
        invested_month=data.get("invested_month", report.invested_month),
        progress=data.get("progress", report.progress),
        problems=data.get("problems", report.problems),
        next_steps=data.get("next_steps", report.next_steps),
        by=request.user,
        expected_version=payload.version,
    )


@router.post("/progress-reports/{int:report_id}/submit", response=ProgressReportOut, summary="报送")
def progress_report_send(request, report_id: Id, payload: SubmitIn):
    report = _report(request, report_id, "change")
    return progress_report_submit(
        report=report,
        by=request.user,
        expected_version=payload.version,
        at=payload.at,
        backdate_reason=payload.backdate_reason,
    )


# --- Lights -----------------------------------------------------------------------------------


class OverdueMilestoneOut(Schema):
    id: int
    name: str
    planned_on: date
    days_late: int


class LightOut(Schema):
    project_id: int
    project_code: str
    project_name: str
    colour: str = Field(description="green / yellow / red / none")
    colour_label: str
    completion: Decimal | None = Field(description="本年累计占年度计划（%）")
    schedule: Decimal = Field(description="序时进度（%）")
    behind: Decimal | None = Field(description="落后序时进度的百分点（负数为超前）")
    year_plan: Decimal | None
    invested_year: Decimal | None
    report_month: str | None
    overdue_milestones: list[OverdueMilestoneOut]
    reasons: list[str]


class LightQuery(Schema):
    as_of: date | None = Field(None, description="截至日期，默认今天")
    year: Year | None = Field(None, description="重点项目年度，默认截至日期所在年")


def _light_out(project: Project, light: Light) -> dict[str, Any]:
    return {
        "project_id": project.pk,
        "project_code": project.code,
        "project_name": project.name,
        "colour": light.colour,
        "colour_label": light.label,
        "completion": light.completion,
        "schedule": light.schedule,
        "behind": light.behind,
        "year_plan": light.year_plan,
        "invested_year": light.invested_year,
        "report_month": f"{light.report_month:%Y-%m}" if light.report_month else None,
        "overdue_milestones": light.overdue_milestones,
        "reasons": list(light.reasons),
    }


@router.get("/lights", response=list[LightOut], summary="重点项目红黄绿灯（截至某日）")
@paginate(Pagination)
def lights(request, query: Query[LightQuery]):
    # A light judges the monthly reports against the plan: the committee's reading, so it
    # needs the reports' permission (an enterprise user sees its projects, not their lights).
    ensure_allowed(request.user, "view", ProgressReport)
    as_of = query.as_of or timezone.localdate()
    # The page is cut before the lights are judged: the page's projects only.
    pairs = key_projects_with_lights(as_of=as_of, user=request.user, year=query.year)
    return pairs.map(lambda pair: _light_out(*pair))


# --- Command HQs -------------------------------------------------------------------------------


class CommandHQOut(Schema):
    id: int
    name: str
    commander_id: int
    commander_name: str
    member_ids: list[int]
    project_ids: list[int]
    established_on: date | None
    duties: str
    version: int

    @staticmethod
    def resolve_commander_name(obj: CommandHQ) -> str:
        return str(obj.commander)

    @staticmethod
    def resolve_member_ids(obj: CommandHQ) -> list[int]:
        return [member.pk for member in obj.members.all()]

    @staticmethod
    def resolve_project_ids(obj: CommandHQ) -> list[int]:
        return [project.pk for project in obj.projects.all()]


class CommandHQIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    commander_id: Id
    member_ids: list[Id] = []
    project_ids: list[Id] = []
    established_on: date | None = None
    duties: str = ""


class CommandHQUpdateIn(VersionedIn):
    name: str | None = Field(None, min_length=1, max_length=100)
    commander_id: Id | None = None
    member_ids: list[Id] | None = None
    project_ids: list[Id] | None = None
    established_on: date | None = None
    duties: str | None = None


def _hq(request: Any, hq_id: Id) -> CommandHQ:
    return get_object_or_404(command_hqs_list(user=request.user), pk=hq_id)


@router.get("/command-hqs", response=list[CommandHQOut], summary="项目指挥部")
@paginate(Pagination)
def command_hqs(request) -> QuerySet[CommandHQ]:
    ensure_allowed(request.user, "view", CommandHQ)
    return command_hqs_list(user=request.user)


@router.post("/command-hqs", response={201: CommandHQOut}, summary="成立项目指挥部")
def command_hq_add(request, payload: CommandHQIn):
    ensure_allowed(request.user, "add", CommandHQ)
    (commander,) = pick_many(User, [payload.commander_id], user=request.user, field="commander_id")
    hq = command_hq_create(
        name=payload.name,
        commander=commander,
        members=pick_many(User, payload.member_ids, user=request.user, field="member_ids"),
        projects=pick_many(Project, payload.project_ids, user=request.user, field="project_ids"),
        established_on=payload.established_on,
        duties=payload.duties,
        by=request.user,
    )
    return Status(201, _hq(request, hq.pk))


@router.get("/command-hqs/{int:hq_id}", response=CommandHQOut, summary="项目指挥部详情")
def command_hq_detail(request, hq_id: Id):
    ensure_allowed(request.user, "view", CommandHQ)
    return _hq(request, hq_id)


@router.patch("/command-hqs/{int:hq_id}", response=CommandHQOut, summary="修改项目指挥部")
def command_hq_change(request, hq_id: Id, payload: CommandHQUpdateIn):
    hq = _hq(request, hq_id)
    ensure_allowed(request.user, "change", CommandHQ, hq)
    data = payload.dict(exclude_unset=True, exclude={"version"})
    members = data.pop("member_ids", None)
    projects = data.pop("project_ids", None)
    if "commander_id" in data:
        (data["commander"],) = pick_many(
            User, [data.pop("commander_id")], user=request.user, field="commander_id"
        )
    command_hq_update(
        hq=hq,
        by=request.user,
        expected_version=payload.version,
        members=None
        if members is None
        else pick_many(User, members, user=request.user, field="member_ids"),
        projects=None
        if projects is None
        else pick_many(Project, projects, user=request.user, field="project_ids"),
        **data,
    )
    return _hq(request, hq_id)

"""REST API of the pipeline: projects, stage moves and the yearly tables."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status
from ninja.pagination import paginate

from zoneops.api.pagination import Pagination
from zoneops.api.schemas import Id, VersionedIn, Year, ZoneDateTime, model_number, model_number_out
from zoneops.common.amounts import exact_wan, wan_to_yi
from zoneops.common.excel import xlsx_response
from zoneops.common.exceptions import ApplicationError
from zoneops.common.scope import ensure_allowed
from zoneops.common.services import record_apply, record_save
from zoneops.parks.models import Park
from zoneops.projects.api.router import router
from zoneops.projects.enums import SourceChannel, Stage
from zoneops.projects.excel import pipeline_summary_title, pipeline_summary_xlsx
from zoneops.projects.models import Project, StageMove
from zoneops.projects.selectors import (
    DIMENSIONS,
    BoardFilters,
    PipelineSummary,
    pipeline_funnel,
    pipeline_summary,
    projects_filtered,
    stage_durations,
)
from zoneops.projects.services import project_create, project_move_stage
from zoneops.projects.services.placement import project_place


class ProjectOut(Schema):
    id: int
    code: str
    name: str
    parent_id: int | None
    phase: str
    investor_name: str
    investor_country: str
    source_channel: str
    industry_id: int | None
    chain_node_id: int | None = Field(description="产业链环节")
    park_id: int | None
    own_site: bool
    total_investment: model_number_out(Project, "total_investment") = Field(
        description="总投资（万元）"
    )
    stage: str
    stage_label: str = Field(alias="get_stage_display")
    stage_since: date | None
    signed_on: date | None
    started_on: date | None
    completed_on: date | None
    production_on: date | None
    liaison_leader_id: int | None
    responsible_department_id: int | None
    owner_id: int | None
    is_sample: bool
    version: int


class ProjectIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    on: date | None = Field(None, description="登记日期，默认今天")
    stage: Stage = Stage.LEAD
    backdate_reason: str = ""
    investor_name: str = ""
    investor_country: str = "中国"
    source_channel: SourceChannel = SourceChannel.VISIT
    industry_id: Id | None = None
    chain_node_id: Id | None = Field(None, description="产业链环节")
    park_id: Id | None = None
    own_site: bool = False
    placement_reason: str = Field("", description="落地不符合选址规则的建议时的偏离原因")
    total_investment: model_number(Project, "total_investment") = Field(
        Decimal(0), description="总投资（万元）"
    )
    responsible_department_id: Id | None = None
    liaison_leader_id: Id | None = None
    owner_id: Id | None = None
    description: str = ""


class ProjectUpdateIn(VersionedIn):
    name: str | None = Field(None, min_length=1, max_length=200)
    investor_name: str | None = None
    investor_country: str | None = None
    industry_id: Id | None = None
    chain_node_id: Id | None = Field(None, description="产业链环节（null：不在任何环节）")
    park_id: Id | None = None
    own_site: bool | None = None
    placement_reason: str = Field("", description="落地不符合选址规则的建议时的偏离原因")
    total_investment: model_number(Project, "total_investment") | None = None
    fixed_asset_investment: model_number(Project, "fixed_asset_investment") | None = None
    responsible_department_id: Id | None = None
    liaison_leader_id: Id | None = None
    owner_id: Id | None = None
    description: str | None = None


class StageMoveIn(VersionedIn):
    to_stage: Stage
    on: date
    note: str = ""
    backdate_reason: str = ""
    reason: str = Field("", description="终止原因（终止时必填）")


class StageMoveOut(Schema):
    id: int
    from_stage: str
    to_stage: str
    moved_on: date
    recorded_at: ZoneDateTime
    by_id: int | None
    note: str
    backdate_reason: str


class ProjectFilter(Schema):
    """The board's filters (`BoardFilters`); the list keeps dropped projects unless told."""

    stage: Stage | None = None
    industry_id: Id | None = None
    park_id: Id | None = None
    liaison_leader_id: Id | None = None
    responsible_department_id: Id | None = None
    key_year: Year | None = Field(None, description="只列出该年度的重点项目")
    q: str | None = Field(None, description="名称、编号或投资方")
    include_terminated: bool = Field(True, description="含已终止的项目")
    include_samples: bool = Field(True, description="含示例数据")

    def board_filters(self) -> BoardFilters:
        return BoardFilters(**{**self.dict(), "q": (self.q or "").strip()})


class SummaryQuery(Schema):
    year: Year | None = None
    as_of: date | None = None
    dimension: str = Field("stage", description="stage|industry|park|key_level|leader|department")


class SummaryCell(Schema):
    count: int
    investment_wan: Decimal
    investment_yi: Decimal


class SummaryRowOut(Schema):
    key: str
    label: str
    total: SummaryCell
    cells: dict[str, SummaryCell]


class SummaryOut(Schema):
    title: str
    year: int
    as_of: date
    dimension: str
    categories: dict[str, str]
    total: SummaryCell
    rows: list[SummaryRowOut]


def _cell(cell) -> dict:
    return {
        "count": cell.count,
        "investment_wan": exact_wan(cell.investment),
        "investment_yi": wan_to_yi(cell.investment),
    }


def _summary(request, query: SummaryQuery) -> PipelineSummary:
    # The tables, funnel and times in stage are read from the stage history: the committee's
    # own record (with its notes), so they need its permission — an enterprise user has none.
    ensure_allowed(request.user, "view", StageMove)
    if query.dimension not in DIMENSIONS:
        raise ApplicationError(
            _("不支持的分组“%(value)s”，可选：%(choices)s")
            % {"value": query.dimension, "choices": "、".join(DIMENSIONS)},
            field="dimension",
        )
    return pipeline_summary(
        year=query.year, as_of=query.as_of, dimension=query.dimension, user=request.user
    )


@router.get("/summary", response=SummaryOut, summary="招商项目情况表（按年度或截至某日）")
def summary(request, query: Query[SummaryQuery]):
    result = _summary(request, query)
    return {
        "title": pipeline_summary_title(result),
        "year": result.year,
        "as_of": result.as_of,
        "dimension": result.dimension,
        "categories": dict(result.categories),
        "total": _cell(result.total),
        "rows": [
            {
                "key": row.key,
                "label": row.label,
                "total": _cell(row.total),
                "cells": {key: _cell(cell) for key, cell in row.cells.items()},
            }
            for row in result.rows
        ],
    }


@router.get("/summary.xlsx", summary="招商项目情况表（Excel）", response={200: None})
def summary_xlsx(request, query: Query[SummaryQuery]):
    result = _summary(request, query)
    return xlsx_response(pipeline_summary_xlsx(result), f"{pipeline_summary_title(result)}.xlsx")


class FunnelQuery(Schema):
    registered_from: date
    registered_to: date
    as_of: date | None = None
    source_channel: SourceChannel | None = Field(None, description="项目来源（如 online_hall）")


class FunnelStepOut(Schema):
    stage: str
    label: str
    reached: int
    conversion: Decimal | None = Field(None, description="较上一阶段的转化率（%）")


class StageDurationOut(Schema):
    stage: str
    label: str
    finished: int
    average_days: Decimal | None
    ongoing: int
    ongoing_average_days: Decimal | None


@router.get("/funnel", response=list[FunnelStepOut], summary="招商漏斗：登记期内项目的阶段转化")
def funnel(request, query: Query[FunnelQuery]):
    ensure_allowed(request.user, "view", StageMove)
    if query.registered_to < query.registered_from:
        raise ApplicationError(_("结束日期不能早于开始日期。"), field="registered_to")
    return pipeline_funnel(
        registered_from=query.registered_from,
        registered_to=query.registered_to,
        as_of=query.as_of,
        source_channel=query.source_channel,
        user=request.user,
    )


@router.get("/stage-durations", response=list[StageDurationOut], summary="各阶段停留时间")
def durations(request, as_of: date | None = None):
    ensure_allowed(request.user, "view", StageMove)
    return stage_durations(as_of=as_of, user=request.user)


@router.get("/", response=list[ProjectOut], summary="招商项目列表")
@paginate(Pagination)
def projects(request, filters: Query[ProjectFilter]):
    ensure_allowed(request.user, "view", Project)
    return projects_filtered(user=request.user, filters=filters.board_filters())


@router.post("/", response={201: ProjectOut}, summary="登记项目")
def project_register(request, payload: ProjectIn):
    ensure_allowed(request.user, "add", Project)
    data = payload.dict()
    project = project_create(
        name=data.pop("name"),
        on=data.pop("on"),
        stage=data.pop("stage"),
        backdate_reason=data.pop("backdate_reason"),
        by=request.user,
        **data,
    )
    return Status(201, project)


@router.get("/{int:project_id}", response=ProjectOut, summary="项目")
def project_detail(request, project_id: Id):
    ensure_allowed(request.user, "view", Project)
    return get_object_or_404(Project.objects.visible_to(request.user), pk=project_id)


@router.patch("/{int:project_id}", response=ProjectOut, summary="修改项目")
@transaction.atomic
def project_update(request, project_id: Id, payload: ProjectUpdateIn):
    project = get_object_or_404(Project.objects.visible_to(request.user), pk=project_id)
    ensure_allowed(request.user, "change", Project, project)
    changes = payload.dict(exclude_unset=True, exclude={"version", "placement_reason"})
    # A park or own site is placed through the rule (project_place), after the other fields.
    park_id = changes.pop("park_id", project.park_id)
    own_site = changes.pop("own_site", project.own_site)
    record_apply(instance=project, changes=changes)
    project = record_save(instance=project, by=request.user, expected_version=payload.version)
    if (park_id, own_site) == (project.park_id, project.own_site):
        return project
    park = None
    if park_id is not None:
        park = Park.objects.filter(pk=park_id).first()
        if park is None:
            raise ApplicationError(_("所选园区不存在。"), field="park_id")
    try:
        project_place(
            project=project,
            by=request.user,
            park=park,
            own_site=bool(own_site),
            reason=payload.placement_reason,
        )
    except ApplicationError as error:
        error.field = {"reason": "placement_reason", "park": "park_id"}.get(
            error.field or "", error.field
        )
        raise
    project.refresh_from_db()
    return project


@router.get("/{int:project_id}/moves", response=list[StageMoveOut], summary="阶段变更记录")
def project_moves(request, project_id: Id):
    ensure_allowed(request.user, "view", StageMove)
    project = get_object_or_404(Project.objects.visible_to(request.user), pk=project_id)
    return StageMove.objects.filter(project=project).order_by("moved_on", "id")


@router.post("/{int:project_id}/moves", response={201: StageMoveOut}, summary="推进阶段或终止")
def project_move(request, project_id: Id, payload: StageMoveIn):
    project = get_object_or_404(Project.objects.visible_to(request.user), pk=project_id)
    ensure_allowed(request.user, "change", Project, project)
    move = project_move_stage(
        project=project,
        to_stage=payload.to_stage,
        on=payload.on,
        by=request.user,
        note=payload.note,
        backdate_reason=payload.backdate_reason,
        reason=payload.reason,
        expected_version=payload.version,
    )
    return Status(201, move)

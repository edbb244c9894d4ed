"""REST API of the placement rule: a project's suggestion, placing it, the yearly table."""

from datetime import date
from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status

from zoneops.api.schemas import Id, VersionedIn, Year, ZoneDateTime
from zoneops.common.excel import xlsx_response
from zoneops.common.exceptions import ApplicationError
from zoneops.common.scope import ensure_allowed
from zoneops.parks.models import Park
from zoneops.projects.api.router import router
from zoneops.projects.excel_placement import placement_outcomes_title, placement_outcomes_xlsx
from zoneops.projects.models import Project, ProjectPlacement
from zoneops.projects.selectors.placement import (
    PlacementOutcomes,
    placement_outcomes,
    project_placement_state,
)
from zoneops.projects.services.placement import project_place

CENTS = Decimal("0.01")


class CarrierOut(Schema):
    park_id: int
    name: str
    kind: str
    kind_label: str
    industry_listed: bool
    open_to_all: bool
    room_known: bool
    units: int
    units_free: int
    area_m2: Decimal
    area_free_m2: Decimal
    occupancy_rate: Decimal | None = Field(None, description="出租率（%）")


class PlacementOut(Schema):
    id: int
    suggested_kind: str
    suggestion: str
    park_id: int | None
    own_site: bool
    followed: bool
    reason: str
    placed_on: date
    recorded_at: ZoneDateTime
    by_id: int | None


class SuggestionOut(Schema):
    project_id: int
    kind: str
    kind_label: str
    reason: str
    carriers: list[CarrierOut]
    full: list[str] = Field(description="产业匹配但已无空余单元的载体")
    notes: list[str]
    placed: bool
    follows: bool = Field(description="当前落地是否符合建议")
    park_id: int | None
    own_site: bool
    latest: PlacementOut | None


class PlaceIn(VersionedIn):
    park_id: Id | None = Field(None, description="落地园区（与 own_site 二选一）")
    own_site: bool = False
    reason: str = Field("", description="偏离原因（不符合建议时必填）")
    on: date | None = Field(None, description="选址日期，默认今天")


def _project(request, project_id: int, action: str) -> Project:
    project = get_object_or_404(
        Project.objects.visible_to(request.user).select_related("park"), pk=project_id
    )
    ensure_allowed(request.user, action, Project, project)
    return project


@router.get("/{int:project_id}/placement", response=SuggestionOut, summary="落地选址建议与当前落地")
def project_placement(request, project_id: Id):
    ensure_allowed(request.user, "view", ProjectPlacement)
    project = _project(request, project_id, "view")
    state = project_placement_state(project=project, on=timezone.localdate())
    suggestion = state.suggestion
    return {
        "project_id": project.pk,
        "kind": suggestion.kind.value,
        "kind_label": suggestion.kind_label,
        "reason": suggestion.reason,
        "carriers": [
            {
                "park_id": c.park_id,
                "name": c.name,
                "kind": c.kind,
                "kind_label": c.kind_label,
                "industry_listed": c.industry_listed,
                "open_to_all": c.open_to_all,
                "room_known": c.room_known,
                "units": c.occupancy.units,
                "units_free": c.occupancy.units_free,
                "area_m2": c.occupancy.area_m2.quantize(CENTS),
                "area_free_m2": c.occupancy.area_free_m2.quantize(CENTS),
                "occupancy_rate": c.occupancy.rate,
            }
            for c in suggestion.carriers
        ],
        "full": suggestion.full,
        "notes": suggestion.notes,
        "placed": state.placed,
        "follows": state.follows,
        "park_id": project.park_id,
        "own_site": project.own_site,
        "latest": state.latest,
    }


@router.post(
    "/{int:project_id}/placement",
    response={201: PlacementOut},
    summary="落地选址（不符合建议时须说明原因）",
)
def project_placement_set(request, project_id: Id, payload: PlaceIn):
    project = _project(request, project_id, "change")
    park = None
    if payload.park_id is not None:
        park = Park.objects.filter(pk=payload.park_id).first()
        if park is None:
            raise ApplicationError(_("所选园区不存在。"), field="park_id")
    try:
        placement = project_place(
            project=project,
            by=request.user,
            park=park,
            own_site=payload.own_site,
            reason=payload.reason,
            on=payload.on,
            expected_version=payload.version,
        )
    except ApplicationError as error:
        if error.field == "park":
            error.field = "park_id"
        raise
    return Status(201, placement)


class OutcomesQuery(Schema):
    year_from: Year | None = None
    year_to: Year | None = None


class OutcomeRowOut(Schema):
    year: int | None = Field(description="年度；合计行为空")
    suggested: dict[str, int] = Field(description="规则建议：own_site/park/incubator → 项目数")
    total: int
    followed: int
    overridden: int
    unplaced: int


class CarrierRowOut(Schema):
    park_id: int | None = Field(description="园区；独立选址为空")
    label: str
    kind_label: str
    by_year: dict[int, list[int]] = Field(description="年度 → [落位项目数, 其中偏离建议]")
    placed: int
    overridden: int


class OutcomesOut(Schema):
    title: str
    years: list[int]
    total: OutcomeRowOut
    rows: list[OutcomeRowOut]
    carriers: list[CarrierRowOut]


def _outcomes(request, query: OutcomesQuery) -> PlacementOutcomes:
    ensure_allowed(request.user, "view", ProjectPlacement)
    if query.year_from and query.year_to and query.year_to < query.year_from:
        raise ApplicationError(_("结束年度不能早于开始年度。"), field="year_to")
    return placement_outcomes(user=request.user, year_from=query.year_from, year_to=query.year_to)


def _row(row) -> dict:
    return {
        "year": row.year or None,
        "suggested": {str(kind): count for kind, count in row.suggested.items()},
        "total": row.total,
        "followed": row.followed,
        "overridden": row.overridden,
        "unplaced": row.unplaced,
    }


@router.get("/placement-outcomes", response=OutcomesOut, summary="落地选址统计（按年度）")
def outcomes(request, query: Query[OutcomesQuery]):
    result = _outcomes(request, query)
    return {
        "title": placement_outcomes_title(),
        "years": result.years,
        "total": _row(result.total),
        "rows": [_row(row) for row in result.rows],
        "carriers": [
            {
                "park_id": carrier.key or None,
                "label": carrier.label,
                "kind_label": carrier.kind_label,
                "by_year": {year: list(cell) for year, cell in carrier.by_year.items()},
                "placed": carrier.placed,
                "overridden": carrier.overridden,
            }
            for carrier in result.carriers
        ],
    }


@router.get("/placement-outcomes.xlsx", summary="落地选址统计（Excel）", response={200: None})
def outcomes_xlsx(request, query: Query[OutcomesQuery]):
    result = _outcomes(request, query)
    return xlsx_response(placement_outcomes_xlsx(result), f"{placement_outcomes_title()}.xlsx")

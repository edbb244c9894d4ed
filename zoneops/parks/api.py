"""Parks and carriers through the API: the parks with their occupancy, a park's phases,
buildings, units and leases, its boundary as GeoJSON; every write through parks.services (the
version checked, the park's managing department or a zone-wide role)."""

import json
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from django.apps import apps
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import WithJsonSchema

from zoneops.api.lookups import payload_names, pick_one
from zoneops.api.pagination import Pagination
from zoneops.api.schemas import Id, VersionedIn, model_number, model_number_out
from zoneops.common.scope import ensure_allowed
from zoneops.common.services import record_apply
from zoneops.parks.enums import PhaseStatus, UnitUse
from zoneops.parks.map import park_change_link, park_map
from zoneops.parks.models import Building, Lease, Park, ParkPhase, Unit
from zoneops.parks.selectors import park_buildings, parks_occupancy, parks_visible
from zoneops.parks.services import (
    building_save,
    lease_delete,
    lease_save,
    park_clear_boundary,
    park_save,
    park_set_boundary,
    phase_save,
    unit_delete,
    unit_save,
)

router = Router(tags=["parks"])


AreaOut = model_number_out(Park, "floor_area_m2")
RateOut = Annotated[Decimal, WithJsonSchema({"type": "string", "pattern": r"^\d{1,3}(\.\d)?$"})]


class OccupancyOut(Schema):
    units: int
    units_leased: int
    area_m2: AreaOut
    area_leased_m2: AreaOut
    rate: RateOut | None = Field(None, description="出租率（%，按面积）")


class ParkOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    description: str
    area_mu: model_number_out(Park, "area_mu") | None
    floor_area_m2: model_number_out(Park, "floor_area_m2") | None
    target_industries: str
    operator: str
    managing_department_id: int | None
    has_boundary: bool
    occupancy: OccupancyOut | None = None
    version: int

    @staticmethod
    def resolve_has_boundary(obj: Park) -> bool:
        return bool(obj.boundary)


class PhaseOut(Schema):
    id: int
    name: str
    status: str
    area_mu: model_number_out(ParkPhase, "area_mu") | None
    floor_area_m2: model_number_out(ParkPhase, "floor_area_m2") | None
    started_on: date | None
    completed_on: date | None
    version: int


class LeaseOut(Schema):
    id: int
    unit_id: int
    tenant_id: int
    tenant_name: str
    starts_on: date
    ends_on: date | None
    note: str
    version: int

    @staticmethod
    def resolve_tenant_name(obj: Lease) -> str:
        return obj.tenant.name


class UnitOut(Schema):
    id: int
    name: str
    use: str
    area_m2: model_number_out(Unit, "area_m2")
    tenant_id: int | None = None
    tenant_name: str | None = None
    version: int


class BuildingOut(Schema):
    id: int
    name: str
    phase_id: int | None
    floors: int | None
    units: list[UnitOut] = Field(alias="unit_rows")
    version: int


class ParkDetailOut(ParkOut):
    phases: list[PhaseOut] = Field(alias="phase_rows")
    buildings: list[BuildingOut] = Field(alias="building_rows")


class ParkUpdateIn(VersionedIn):
    description: str | None = None
    area_mu: model_number(Park, "area_mu") | None = None
    floor_area_m2: model_number(Park, "floor_area_m2") | None = None
    target_industries: str | None = None
    operator: str | None = None


class PhaseIn(Schema):
    park_id: Id
    name: str = Field(max_length=50)
    status: PhaseStatus = PhaseStatus.PLANNED
    area_mu: model_number(ParkPhase, "area_mu") | None = None
    floor_area_m2: model_number(ParkPhase, "floor_area_m2") | None = None
    started_on: date | None = None
    completed_on: date | None = None


class BuildingIn(Schema):
    park_id: Id
    phase_id: Id | None = None
    name: str = Field(max_length=100)
    floors: int | None = Field(None, ge=0, le=300)


class UnitUpdateIn(VersionedIn):
    name: str | None = Field(None, max_length=50)
    use: UnitUse | None = None
    area_m2: model_number(Unit, "area_m2") | None = None


class UnitIn(Schema):
    building_id: Id
    name: str = Field(max_length=50)
    use: UnitUse = UnitUse.FACTORY
    area_m2: model_number(Unit, "area_m2")


class LeaseIn(Schema):
    unit_id: Id
    tenant_id: Id
    starts_on: date
    ends_on: date | None = None
    note: str = Field("", max_length=200)


class LeaseUpdateIn(VersionedIn):
    starts_on: date | None = None
    ends_on: date | None = None
    note: str | None = Field(None, max_length=200)


class BoundaryIn(VersionedIn):
    geojson: dict[str, Any] | None = Field(
        description="Polygon 或 MultiPolygon（或仅含其一的 Feature/FeatureCollection）；null 清除"
    )


class BoundaryOut(Schema):
    id: int
    boundary: dict[str, Any] | None
    version: int


def _with_occupancy(parks: list[Park]) -> list[Park]:
    occupancy = parks_occupancy(on=timezone.localdate(), parks=[park.pk for park in parks])
    for park in parks:
        park.occupancy = occupancy[park.pk]  # type: ignore[attr-defined]
    return parks


def _park(request: Any, park_id: int) -> Park:
    ensure_allowed(request.user, "view", Park)
    return get_object_or_404(Park.objects.visible_to(request.user), pk=park_id)


@router.get("/", response=list[ParkOut], summary="园区与载体")
@paginate(Pagination)
def parks(request: Any) -> Any:
    ensure_allowed(request.user, "view", Park)
    return Park.objects.visible_to(request.user)


@router.get("/{int:park_id}", response=ParkDetailOut, summary="园区（出租情况、分期、楼宇与单元）")
def park(request: Any, park_id: Id) -> Any:
    park = _with_occupancy([_park(request, park_id)])[0]
    park.phase_rows = list(ParkPhase.objects.filter(park=park))  # type: ignore[attr-defined]
    buildings = []
    for row in park_buildings(park=park, on=timezone.localdate()):
        units = []
        for unit_row in row.units:
            unit, lease = unit_row.unit, unit_row.lease
            unit.tenant_id = lease.tenant_id if lease else None  # type: ignore[attr-defined]
            unit.tenant_name = lease.tenant.name if lease else None  # type: ignore[attr-defined]
            units.append(unit)
        row.building.unit_rows = units  # type: ignore[attr-defined]
        buildings.append(row.building)
    park.building_rows = buildings  # type: ignore[attr-defined]
    return park


@router.patch("/{int:park_id}", response=ParkOut, summary="修改园区")
def park_update(request: Any, park_id: Id, payload: ParkUpdateIn) -> Any:
    park = _park(request, park_id)
    ensure_allowed(request.user, "change", Park, park)
    record_apply(instance=park, changes=payload.dict(exclude_unset=True, exclude={"version"}))
    return park_save(park=park, by=request.user, expected_version=payload.version)


@router.get("/map.svg", summary="园区分布图（SVG）")
def park_map_svg(request):
    ensure_allowed(request.user, "view", Park)
    drawing = park_map(
        parks=parks_visible(user=request.user), on=timezone.localdate(), link=park_change_link
    )
    return HttpResponse(drawing.svg, content_type="image/svg+xml; charset=utf-8")


@router.get("/{int:park_id}/boundary", response=BoundaryOut, summary="园区边界（GeoJSON）")
def boundary(request: Any, park_id: Id) -> Any:
    return _park(request, park_id)


@router.put("/{int:park_id}/boundary", response=BoundaryOut, summary="上传园区边界")
def boundary_put(request: Any, park_id: Id, payload: BoundaryIn) -> Any:
    park = _park(request, park_id)
    ensure_allowed(request.user, "change", Park, park)
    if payload.geojson is None:
        return park_clear_boundary(park=park, by=request.user, expected_version=payload.version)
    content = json.dumps(payload.geojson).encode("utf-8")
    with payload_names({"boundary": "geojson"}):
        return park_set_boundary(
            park=park, content=content, by=request.user, expected_version=payload.version
        )


@router.get("/{int:park_id}/leases", response=list[LeaseOut], summary="园区的租赁")
def park_leases(request: Any, park_id: Id) -> Any:
    park = _park(request, park_id)
    ensure_allowed(request.user, "view", Lease)
    return Lease.objects.filter(unit__building__park=park).select_related("tenant")


@router.post("/phases", response={201: PhaseOut}, summary="登记园区分期")
def phase_create(request: Any, payload: PhaseIn) -> Any:
    ensure_allowed(request.user, "add", ParkPhase)
    park = pick_one(Park, payload.park_id, user=request.user, field="park_id")
    phase = ParkPhase(park=park, **payload.dict(exclude={"park_id"}))
    ensure_allowed(request.user, "add", ParkPhase, phase)
    return Status(201, phase_save(phase=phase, by=request.user))


@router.post("/buildings", response={201: BuildingOut}, summary="登记楼宇")
def building_create(request: Any, payload: BuildingIn) -> Any:
    ensure_allowed(request.user, "add", Building)
    park = pick_one(Park, payload.park_id, user=request.user, field="park_id")
    phase = pick_one(ParkPhase, payload.phase_id, user=request.user, field="phase_id")
    building = Building(park=park, phase=phase, name=payload.name, floors=payload.floors)
    ensure_allowed(request.user, "add", Building, building)
    building = building_save(building=building, by=request.user)
    building.unit_rows = []  # type: ignore[attr-defined]
    return Status(201, building)


def _unit(request: Any, unit_id: int, action: str) -> Unit:
    ensure_allowed(request.user, "view", Unit)
    unit = get_object_or_404(
        Unit.objects.visible_to(request.user).select_related("building__park"), pk=unit_id
    )
    ensure_allowed(request.user, action, Unit, unit)
    return unit


@router.patch("/units/{int:unit_id}", response=UnitOut, summary="修改单元")
def unit_update(request: Any, unit_id: Id, payload: UnitUpdateIn) -> Any:
    unit = _unit(request, unit_id, "change")
    record_apply(instance=unit, changes=payload.dict(exclude_unset=True, exclude={"version"}))
    return unit_save(unit=unit, by=request.user, expected_version=payload.version)


@router.delete("/units/{int:unit_id}", response={204: None}, summary="删除单元（无租赁记录时）")
def unit_remove(request: Any, unit_id: Id, version: int) -> Any:
    unit_delete(unit=_unit(request, unit_id, "delete"), by=request.user, expected_version=version)
    return Status(204, None)


@router.post("/units", response={201: UnitOut}, summary="登记单元")
def unit_create(request: Any, payload: UnitIn) -> Any:
    ensure_allowed(request.user, "add", Unit)
    building = pick_one(Building, payload.building_id, user=request.user, field="building_id")
    unit = Unit(building=building, name=payload.name, use=payload.use, area_m2=payload.area_m2)
    ensure_allowed(request.user, "add", Unit, unit)
    return Status(201, unit_save(unit=unit, by=request.user))


@router.post("/leases", response={201: LeaseOut}, summary="登记租赁")
def lease_create(request: Any, payload: LeaseIn) -> Any:
    ensure_allowed(request.user, "add", Lease)
    unit = pick_one(Unit, payload.unit_id, user=request.user, field="unit_id")
    enterprise_model = apps.get_model("enterprises", "Enterprise")
    tenant = pick_one(enterprise_model, payload.tenant_id, user=request.user, field="tenant_id")
    lease = Lease(
        unit=unit,
        tenant=tenant,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        note=payload.note,
    )
    ensure_allowed(request.user, "add", Lease, lease)
    return Status(201, lease_save(lease=lease, by=request.user))


def _lease(request: Any, lease_id: int, action: str) -> Lease:
    ensure_allowed(request.user, "view", Lease)
    lease = get_object_or_404(
        Lease.objects.visible_to(request.user).select_related("tenant", "unit__building__park"),
        pk=lease_id,
    )
    ensure_allowed(request.user, action, Lease, lease)
    return lease


@router.patch("/leases/{int:lease_id}", response=LeaseOut, summary="修改租赁（如登记退租）")
def lease_update(request: Any, lease_id: Id, payload: LeaseUpdateIn) -> Any:
    lease = _lease(request, lease_id, "change")
    changes = payload.dict(exclude_unset=True, exclude={"version"})
    record_apply(instance=lease, changes=changes)
    return lease_save(lease=lease, by=request.user, expected_version=payload.version)


@router.delete("/leases/{int:lease_id}", response={204: None}, summary="删除租赁")
def lease_remove(request: Any, lease_id: Id, version: int) -> Any:
    lease = _lease(request, lease_id, "delete")
    lease_delete(lease=lease, by=request.user, expected_version=version)
    return Status(204, None)

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from zoneops.api.pagination import Pagination
from zoneops.api.schemas import Id, VersionedIn, model_number, model_number_out
from zoneops.common.scope import ensure_allowed
from zoneops.common.services import record_apply
from zoneops.parks.map import park_change_link, park_map
from zoneops.parks.models import Park
from zoneops.parks.selectors import parks_visible
from zoneops.parks.services import park_save

router = Router(tags=["parks"])


class ParkOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    description: str
    area_mu: model_number_out(Park, "area_mu") | None
    floor_area_m2: model_number_out(Park, "floor_area_m2") | None
    target_industries: str
    version: int


class ParkUpdateIn(VersionedIn):
    description: str | None = None
    area_mu: model_number(Park, "area_mu") | None = None
    floor_area_m2: model_number(Park, "floor_area_m2") | None = None
    target_industries: str | None = None


@router.get("/", response=list[ParkOut], summary="园区与载体")
@paginate(Pagination)
def parks(request):
    ensure_allowed(request.user, "view", Park)
    return Park.objects.visible_to(request.user)


@router.get("/{int:park_id}", response=ParkOut, summary="园区")
def park(request, park_id: Id):
    ensure_allowed(request.user, "view", Park)
    return get_object_or_404(Park.objects.visible_to(request.user), pk=park_id)


@router.patch("/{int:park_id}", response=ParkOut, summary="修改园区")
def park_update(request, park_id: Id, payload: ParkUpdateIn):
    park = get_object_or_404(Park.objects.visible_to(request.user), pk=park_id)
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

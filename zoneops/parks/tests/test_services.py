"""The parks' writes: leases never overlap, units and buildings keep their leases, only the
park's managing department and zone-wide roles write, a boundary file is checked."""

import json
from datetime import date
from decimal import Decimal

import pytest
from simple_history.utils import get_history_model_for_model

from zoneops.common.exceptions import ApplicationError, PermissionDeniedError, TooLargeError
from zoneops.parks.enums import CarrierKind
from zoneops.parks.geojson import boundary_parse
from zoneops.parks.models import Building, Lease, Park, Unit
from zoneops.parks.services import (
    building_delete,
    building_save,
    lease_save,
    park_save,
    park_set_boundary,
    unit_delete,
    unit_save,
)

SQUARE = [[116.9, 38.3], [116.91, 38.3], [116.91, 38.31], [116.9, 38.31], [116.9, 38.3]]


def _lease(zone, unit="101", starts=date(2020, 1, 1), ends=None, tenant="tenant", by="manager"):
    lease = Lease(unit=zone["units"][unit], tenant=zone[tenant], starts_on=starts, ends_on=ends)
    return lease_save(lease=lease, by=zone[by])


def test_overlapping_lease_is_refused_naming_the_unit_and_the_other_tenant(zone):
    _lease(zone, starts=date(2020, 1, 1), ends=date(2020, 12, 31))
    with pytest.raises(ApplicationError) as refused:
        _lease(zone, starts=date(2020, 12, 31), tenant="other_tenant")
    assert "101" in refused.value.message and "沧州韩泰汽车部件" in refused.value.message
    assert refused.value.field == "starts_on"
    # The day after the first lease ends is free; an open-ended lease then blocks later ones.
    _lease(zone, starts=date(2021, 1, 1), tenant="other_tenant")
    with pytest.raises(ApplicationError, match="沧州日东精工"):
        _lease(zone, starts=date(2030, 1, 1))
    assert Lease.objects.count() == 2


def test_editing_a_lease_does_not_collide_with_itself_and_is_kept_in_history(zone):
    lease = _lease(zone)
    lease.ends_on = date(2021, 6, 30)
    lease_save(lease=lease, by=zone["manager"], expected_version=lease.version)
    history = get_history_model_for_model(Lease).objects.filter(id=lease.pk)
    assert history.count() == 2 and history.first().history_user == zone["manager"]


def test_lease_ending_before_it_starts_is_refused(zone):
    with pytest.raises(ApplicationError) as refused:
        _lease(zone, starts=date(2020, 5, 1), ends=date(2020, 4, 1))
    assert refused.value.field == "ends_on"


def test_unit_with_leases_cannot_be_deleted_nor_its_building(zone):
    _lease(zone)
    unit = zone["units"]["101"]
    with pytest.raises(ApplicationError, match="有租赁记录"):
        unit_delete(unit=unit, by=zone["manager"])
    with pytest.raises(ApplicationError, match="有租赁记录"):
        building_delete(building=unit.building, by=zone["manager"])
    unit_delete(unit=zone["units"]["201"], by=zone["manager"])
    assert Unit.objects.count() == 2 and Building.objects.count() == 2


def test_units_may_not_exceed_the_parks_floor_area(zone):
    unit = Unit(building=zone["buildings"][0], name="103", area_m2=Decimal(3001))
    with pytest.raises(ApplicationError, match="建筑面积") as refused:
        unit_save(unit=unit, by=zone["manager"])
    assert refused.value.field == "area_m2"
    unit.area_m2 = Decimal(3000)
    unit_save(unit=unit, by=zone["manager"])


@pytest.mark.parametrize("who", ["manager", "principal"])
def test_managing_department_and_zone_wide_roles_write(zone, who):
    assert _lease(zone, by=who).pk


def test_a_new_park_naming_no_manager_is_kept_by_its_authors_department(zone):
    # Else its author could not add its buildings: only the zone-wide roles would keep it.
    park = park_save(park=Park(name="科创孵化器", kind=CarrierKind.INCUBATOR), by=zone["manager"])
    assert park.managing_department == zone["investment"]
    building = building_save(building=Building(park=park, name="1号楼"), by=zone["manager"])
    assert building.pk
    with pytest.raises(PermissionDeniedError):
        building_save(building=Building(park=park, name="2号楼"), by=zone["other"])
    named = park_save(
        park=Park(name="航空孵化器", kind=CarrierKind.INCUBATOR, managing_department=zone["zone"]),
        by=zone["manager"],
    )
    assert named.managing_department == zone["zone"]  # a department named is kept


@pytest.mark.parametrize("who", ["other", "enterprise_user"])
def test_others_cannot_write_the_parks_space(zone, who):
    with pytest.raises(PermissionDeniedError):
        _lease(zone, by=who)
    unit = Unit(building=zone["buildings"][0], name="104", area_m2=Decimal(10))
    with pytest.raises(PermissionDeniedError):
        unit_save(unit=unit, by=zone[who])
    with pytest.raises(PermissionDeniedError):
        park_set_boundary(park=zone["park"], content=json.dumps({}).encode(), by=zone[who])
    assert not Lease.objects.exists() and not Unit.objects.filter(name="104").exists()


# --- the boundary ------------------------------------------------------------------------------


def _polygon(ring=SQUARE):
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.mark.parametrize(
    "data",
    [
        _polygon(),
        {"type": "MultiPolygon", "coordinates": [[SQUARE]]},
        {"type": "Feature", "properties": {}, "geometry": _polygon()},
        {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": _polygon()}]},
    ],
)
def test_boundary_accepts_a_polygon_in_each_shape(data):
    parsed = boundary_parse(json.dumps(data).encode())
    assert parsed["type"] in ("Polygon", "MultiPolygon")
    assert parsed == boundary_parse(json.dumps(parsed).encode())  # normalised is stable


def test_boundary_drops_altitude_and_a_byte_order_mark():
    ring = [[*position, 12.5] for position in SQUARE]
    parsed = boundary_parse("\ufeff".encode() + json.dumps(_polygon(ring)).encode())
    assert parsed["coordinates"][0][0] == [116.9, 38.3]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "空的"),
        (b"   \n", "空的"),
        (b'{"type": "Polygon"\x00}', "空字符"),
        (b"{not json", "不是有效的 JSON"),
        (b"\xff\xfe{}", "UTF-8"),
        (json.dumps([1, 2]).encode(), "GeoJSON 对象"),
        (json.dumps({"type": "Point", "coordinates": [116.9, 38.3]}).encode(), "Point"),
        (json.dumps({"type": "LineString", "coordinates": SQUARE}).encode(), "LineString"),
        (json.dumps({"type": "FeatureCollection", "features": []}).encode(), "恰好包含一个"),
        (json.dumps({"type": "Feature", "geometry": None}).encode(), "geometry"),
        (json.dumps(_polygon(SQUARE[:-1])).encode(), "未闭合"),
        (json.dumps(_polygon(SQUARE[:3])).encode(), "至少须有4个"),
        (json.dumps(_polygon([[38.3, 116.9]] * 4)).encode(), "不在中国境内"),
        (json.dumps(_polygon([[0, 0]] * 4)).encode(), "不在中国境内"),
        (json.dumps(_polygon([["116.9", 38.3]] * 4)).encode(), "不是数字"),
        (json.dumps(_polygon([[True, 38.3]] * 4)).encode(), "不是数字"),
        (b'{"type": "Polygon", "coordinates": [[[1e400, 38.3]]]}', "至少须有4个"),
        (
            b'{"type":"Polygon","coordinates":[[[1e400,38],[1e400,38],[1e400,38],[1e400,38]]]}',
            "不是有效的经纬度数值",
        ),
        (b'{"type":"Polygon","coordinates":[[[NaN,38],[1,38],[1,38],[1,38]]]}', "JSON"),
        (('{"type":"Polygon","coordinates":[[[' + "9" * 5000 + ",38]]]}").encode(), "JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "JSON"),
    ],
)
def test_bad_boundary_is_refused_with_a_clear_message(content, message):
    with pytest.raises(ApplicationError) as refused:
        boundary_parse(content)
    assert message in refused.value.message and refused.value.field == "boundary"


def test_boundary_too_large_or_with_too_many_positions_is_refused():
    with pytest.raises(TooLargeError, match="1024 KB"):
        boundary_parse(b" " * (1024 * 1024 + 1))
    ring = [[116.9 + index * 1e-5, 38.3] for index in range(5001)] + [[116.9, 38.3]]
    with pytest.raises(TooLargeError, match="5000"):
        boundary_parse(json.dumps(_polygon(ring)).encode())


def test_bad_boundary_changes_nothing_and_a_good_one_is_stored(zone):
    park = zone["park"]
    with pytest.raises(ApplicationError):
        park_set_boundary(park=park, content=b"{", by=zone["manager"])
    park = Park.objects.get(pk=park.pk)
    assert park.boundary is None and park.version == 1
    park_set_boundary(park=park, content=json.dumps(_polygon()).encode(), by=zone["manager"])
    park.refresh_from_db()
    assert park.boundary == _polygon() and park.version == 2

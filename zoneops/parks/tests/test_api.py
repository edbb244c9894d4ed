"""The parks' API: lists and details with occupancy, the boundary, leases and units written
through the services with version and scope checks; bad ids and bodies answered, never a 500."""

import json
from datetime import date

from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user, signed_in
from zoneops.parks.models import Lease, Park

SQUARE = [[116.9, 38.3], [116.91, 38.3], [116.91, 38.31], [116.9, 38.31], [116.9, 38.3]]
HUGE = "99999999999999999999999"


def _json(client, method, url, body):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def test_staff_read_parks_with_occupancy_buildings_and_tenants(zone):
    Lease.objects.create(
        unit=zone["units"]["101"], tenant=zone["tenant"], starts_on=date(2020, 1, 1)
    )
    client = signed_in(zone["other"])
    listed = client.get("/api/v1/parks/")
    assert listed.status_code == 200 and listed.json()["items"][0]["name"] == "中日韩产业园"
    detail = client.get(f"/api/v1/parks/{zone['park'].pk}").json()
    assert detail["occupancy"]["rate"] == "50.0" and detail["occupancy"]["units_leased"] == 1
    units = {u["name"]: u for b in detail["buildings"] for u in b["units"]}
    assert units["101"]["tenant_name"] == "沧州韩泰汽车部件" and units["102"]["tenant_id"] is None
    leases = client.get(f"/api/v1/parks/{zone['park'].pk}/leases").json()
    assert [lease["tenant_name"] for lease in leases] == ["沧州韩泰汽车部件"]


def test_ids_beyond_64_bits_and_unknown_ids_are_not_found_or_refused(zone):
    client = signed_in(zone["manager"])
    for url in (f"/api/v1/parks/{HUGE}", f"/api/v1/parks/{HUGE}/boundary", "/api/v1/parks/0"):
        assert client.get(url).status_code in (404, 422), url
    assert client.get("/api/v1/parks/987654").status_code == 404
    body = {"unit_id": int(HUGE), "tenant_id": zone["tenant"].pk, "starts_on": "2021-01-01"}
    response = _json(client, "post", "/api/v1/parks/leases", body)
    assert response.status_code == 422 and "unit_id" in response.content.decode()


def test_lease_written_through_the_service_with_overlap_and_scope_checks(zone):
    client = signed_in(zone["manager"])
    body = {
        "unit_id": zone["units"]["101"].pk,
        "tenant_id": zone["tenant"].pk,
        "starts_on": "2020-01-01",
    }
    created = _json(client, "post", "/api/v1/parks/leases", body)
    assert created.status_code == 201, created.content
    again = _json(
        client, "post", "/api/v1/parks/leases", {**body, "tenant_id": zone["other_tenant"].pk}
    )
    assert again.status_code == 400
    assert (
        again.json()["errors"][0]["field"] == "starts_on"
        and "沧州韩泰汽车部件" in again.json()["message"]
    )
    lease_id = created.json()["id"]
    stale = _json(
        client, "patch", f"/api/v1/parks/leases/{lease_id}", {"version": 7, "ends_on": "2020-12-31"}
    )
    assert stale.status_code == 409
    ended = _json(
        client, "patch", f"/api/v1/parks/leases/{lease_id}", {"version": 1, "ends_on": "2020-12-31"}
    )
    assert ended.status_code == 200 and ended.json()["ends_on"] == "2020-12-31"
    backwards = _json(
        client, "patch", f"/api/v1/parks/leases/{lease_id}", {"version": 2, "ends_on": "2019-01-01"}
    )
    assert backwards.status_code == 400 and backwards.json()["errors"][0]["field"] == "ends_on"
    year_one = _json(
        client,
        "patch",
        f"/api/v1/parks/leases/{lease_id}",
        {"version": 2, "starts_on": "0001-01-01"},
    )
    assert year_one.status_code in (400, 422)
    # Another bureau reads, but neither adds nor changes.
    other = signed_in(zone["other"])
    body["starts_on"] = "2022-01-01"
    assert _json(other, "post", "/api/v1/parks/leases", body).status_code == 403
    patch = {"version": 2, "note": "改"}
    assert _json(other, "patch", f"/api/v1/parks/leases/{lease_id}", patch).status_code == 403
    assert Lease.objects.count() == 1 and Lease.objects.get().note == ""


def test_bad_bodies_are_answered_with_the_field(zone):
    client = signed_in(zone["manager"])
    url = "/api/v1/parks/units"
    building = zone["buildings"][0].pk
    for body in (
        {},
        {"building_id": building, "name": "x\x00", "area_m2": 10},
        {"building_id": building, "name": "105", "area_m2": 10**20},
        {"building_id": building, "name": "105", "area_m2": -1},
    ):
        response = _json(client, "post", url, body)
        assert response.status_code in (400, 422), (body, response.content)
    response = client.post(url, b"", content_type="application/json")
    assert response.status_code in (400, 422)
    created = _json(client, "post", url, {"building_id": building, "name": "105", "area_m2": 50})
    assert created.status_code == 201


def test_boundary_get_and_put(zone):
    park = zone["park"]
    client = signed_in(zone["manager"])
    url = f"/api/v1/parks/{park.pk}/boundary"
    assert client.get(url).json()["boundary"] is None
    bad = _json(
        client, "put", url, {"version": 1, "geojson": {"type": "Point", "coordinates": [1, 2]}}
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "geojson"
    polygon = {"type": "Polygon", "coordinates": [SQUARE]}
    put = _json(client, "put", url, {"version": 1, "geojson": polygon})
    assert put.status_code == 200 and put.json()["boundary"] == polygon
    assert _json(client, "put", url, {"version": 1, "geojson": polygon}).status_code == 409
    denied = _json(signed_in(zone["other"]), "put", url, {"version": 2, "geojson": None})
    assert denied.status_code == 403
    cleared = _json(client, "put", url, {"version": 2, "geojson": None})
    assert cleared.status_code == 200 and Park.objects.get().boundary is None


def test_an_oversized_boundary_is_refused_by_its_size_and_changes_nothing(zone):
    park = zone["park"]
    client = signed_in(zone["manager"])
    feature = {
        "type": "Feature",
        "properties": {"note": "x" * (1024 * 1024)},
        "geometry": {"type": "Polygon", "coordinates": [SQUARE]},
    }
    url = f"/api/v1/parks/{park.pk}/boundary"
    response = _json(client, "put", url, {"version": 1, "geojson": feature})
    assert response.status_code == 413
    error = response.json()["errors"][0]
    assert error["field"] == "geojson" and "1024 KB" in error["message"]
    park.refresh_from_db()
    assert park.boundary is None and park.version == 1


def test_enterprise_user_reads_no_park_space(zone):
    client = signed_in(zone["enterprise_user"])
    assert client.get(f"/api/v1/parks/{zone['park'].pk}/leases").status_code in (403, 404)


def test_phases_buildings_and_units_through_the_api(zone):
    client = signed_in(zone["manager"])
    park = zone["park"].pk
    phase = _json(
        client,
        "post",
        "/api/v1/parks/phases",
        {"park_id": park, "name": "二期", "status": "preparing"},
    )
    assert phase.status_code == 201, phase.content
    bad_status = _json(
        client, "post", "/api/v1/parks/phases", {"park_id": park, "name": "三期", "status": "x"}
    )
    assert bad_status.status_code == 422 and "status" in bad_status.content.decode()
    building = _json(
        client,
        "post",
        "/api/v1/parks/buildings",
        {"park_id": park, "phase_id": phase.json()["id"], "name": "5号厂房", "floors": 3},
    )
    assert building.status_code == 201 and building.json()["units"] == []
    duplicate = _json(
        client, "post", "/api/v1/parks/buildings", {"park_id": park, "name": "5号厂房"}
    )
    assert duplicate.status_code == 400 and "已经存在" in duplicate.json()["message"]
    unit = zone["units"]["102"]
    changed = _json(
        client, "patch", f"/api/v1/parks/units/{unit.pk}", {"version": 1, "area_m2": 650}
    )
    assert changed.status_code == 200 and changed.json()["area_m2"] == "650"
    too_big = _json(
        client, "patch", f"/api/v1/parks/units/{unit.pk}", {"version": 2, "area_m2": 9000}
    )
    assert too_big.status_code == 400 and too_big.json()["errors"][0]["field"] == "area_m2"
    other = signed_in(zone["other"])
    assert (
        _json(
            other, "patch", f"/api/v1/parks/units/{unit.pk}", {"version": 2, "name": "x"}
        ).status_code
        == 403
    )
    assert other.delete(f"/api/v1/parks/units/{unit.pk}?version=2").status_code == 403
    Lease.objects.create(
        unit=zone["units"]["101"], tenant=zone["tenant"], starts_on=date(2020, 1, 1)
    )
    # Staff do not delete (the role catalogue); the bureau's head does, a unit without leases.
    assert client.delete(f"/api/v1/parks/units/{unit.pk}?version=2").status_code == 403
    client = signed_in(make_user(RoleCode.DEPARTMENT_HEAD, departments=[zone["investment"]]))
    kept = client.delete(f"/api/v1/parks/units/{zone['units']['101'].pk}?version=1")
    assert kept.status_code == 400 and "租赁记录" in kept.json()["message"]
    assert client.delete(f"/api/v1/parks/units/{unit.pk}?version=2").status_code == 204
    assert client.delete(f"/api/v1/parks/units/{HUGE}?version=1").status_code in (404, 422)

"""The park's page in the back office: tenants, free space, history, the enterprises' and
projects' panels, the boundary upload and download; read-only for another bureau."""

import json
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zoneops.common.tests.queries import page_query_counts
from zoneops.orgs.tests.factories import signed_in
from zoneops.parks.models import Lease, Park
from zoneops.projects.tests.factories import make_project

SQUARE = [[116.9, 38.3], [116.91, 38.3], [116.91, 38.31], [116.9, 38.31], [116.9, 38.3]]


def _page(zone, who):
    return signed_in(zone[who]).get(reverse("admin:parks_park_change", args=[zone["park"].pk]))


def test_park_page_shows_tenants_free_space_history_enterprises_and_projects(zone):
    Lease.objects.create(
        unit=zone["units"]["101"], tenant=zone["tenant"], starts_on=date(2020, 1, 1)
    )
    make_project(name="韩泰二期扩建", park=zone["park"], responsible_department=zone["investment"])
    response = _page(zone, "manager")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="park-units"' in html and "沧州韩泰汽车部件" in html
    assert 'id="park-free-space"' in html and "102（600.00）" in html
    assert 'id="occupancy-history"' in html and 'id="occupancy-bars"' in html
    assert "当前出租率 50.0%" in html
    assert 'id="park-enterprises"' in html, html[html.find("入园企业") :][:600]
    assert 'id="park-projects"' in html
    assert "韩泰二期扩建" in html
    assert "上传边界文件" in html  # the managing bureau may upload


def test_another_bureau_reads_the_park_but_cannot_change_it(zone):
    response = _page(zone, "other")
    html = response.content.decode()
    assert response.status_code == 200 and 'id="park-units"' in html
    assert "上传边界文件" not in html and 'name="_save"' not in html
    client = signed_in(zone["other"])
    url = reverse("admin:parks_park_change", args=[zone["park"].pk])
    response = client.post(url, {"name": "改名", "kind": "park", "edit_version": 1})
    assert response.status_code == 403
    boundary = reverse("admin:parks_park_boundary", args=[zone["park"].pk])
    upload = SimpleUploadedFile(
        "b.geojson", json.dumps({"type": "Polygon", "coordinates": [SQUARE]}).encode()
    )
    assert client.post(boundary, {"boundary": upload, "edit_version": 1}).status_code in (403, 404)
    assert Park.objects.get().name == "中日韩产业园" and Park.objects.get().boundary is None


def test_enterprise_user_sees_nothing_of_the_back_office_park_page(zone):
    assert _page(zone, "enterprise_user").status_code in (302, 403, 404)


def test_boundary_upload_and_download(zone):
    client = signed_in(zone["manager"])
    park = zone["park"]
    url = reverse("admin:parks_park_boundary", args=[park.pk])
    assert client.get(url).status_code == 200
    bad = SimpleUploadedFile("b.geojson", b'{"type": "Point", "coordinates": [116.9, 38.3]}')
    response = client.post(url, {"boundary": bad, "edit_version": 1})
    assert response.status_code == 200 and "Point" in response.content.decode()
    wrong_name = SimpleUploadedFile("b.txt", b"{}")
    assert (
        "geojson" in client.post(url, {"boundary": wrong_name, "edit_version": 1}).content.decode()
    )
    empty = SimpleUploadedFile("b.json", b"")
    assert client.post(url, {"boundary": empty, "edit_version": 1}).status_code == 200
    assert Park.objects.get().boundary is None
    good = SimpleUploadedFile(
        "b.geojson", json.dumps({"type": "Polygon", "coordinates": [SQUARE]}).encode()
    )
    response = client.post(url, {"boundary": good, "edit_version": 1})
    assert response.status_code == 302
    download = client.get(reverse("admin:parks_park_boundary_download", args=[park.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/geo+json"
    assert json.loads(download.content)["geometry"]["coordinates"] == [SQUARE]
    # Another bureau reads it too; an id beyond 64 bits is no page.
    assert (
        signed_in(zone["other"])
        .get(reverse("admin:parks_park_boundary_download", args=[park.pk]))
        .status_code
        == 200
    )
    huge = "/admin/parks/park/99999999999999999999999/boundary.geojson"
    assert client.get(huge).status_code == 404
    assert client.get("/admin/parks/park/99999999999999999999999/boundary/").status_code == 404


def test_park_list_shows_occupancy_and_free_area(zone, django_assert_max_num_queries):
    Lease.objects.create(
        unit=zone["units"]["101"], tenant=zone["tenant"], starts_on=date(2020, 1, 1)
    )
    client = signed_in(zone["other"])
    with django_assert_max_num_queries(30):
        response = client.get(reverse("admin:parks_park_changelist"))
    html = response.content.decode()
    assert "50.0%" in html and "1,000.00" in html


def test_registers_of_phases_buildings_units_leases_answer(zone):
    client = signed_in(zone["manager"])
    for name in ("parkphase", "building", "unit", "lease"):
        assert client.get(reverse(f"admin:parks_{name}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:parks_{name}_add")).status_code == 200


def test_overlapping_lease_through_the_admin_is_refused_on_the_form(zone):
    Lease.objects.create(
        unit=zone["units"]["101"], tenant=zone["tenant"], starts_on=date(2020, 1, 1)
    )
    client = signed_in(zone["manager"])
    response = client.post(
        reverse("admin:parks_lease_add"),
        {
            "unit": zone["units"]["101"].pk,
            "tenant": zone["other_tenant"].pk,
            "starts_on": "2021-01-01",
            "note": "",
        },
        follow=True,
    )
    assert Lease.objects.count() == 1
    assert "租期不能重叠" in response.content.decode()


def test_a_busy_park_counts_its_projects_by_stage_and_links_to_all_of_them(zone):
    for index in range(22):
        make_project(
            name=f"入园项目{index:02d}",
            park=zone["park"],
            responsible_department=zone["investment"],
        )
    html = _page(zone, "manager").content.decode()
    table = html[html.index('id="park-projects"') :]
    table = table[: table.index("</table>")]
    assert table.count("入园项目") == 20  # the page stays short
    assert "共 22 个项目：线索 22" in html
    link = reverse("admin:projects_project_changelist") + f"?park__id__exact={zone['park'].pk}"
    assert f'href="{link}"' in html and "查看全部 22 个项目" in html
    listed = signed_in(zone["manager"]).get(link)
    assert listed.status_code == 200 and "入园项目21" in listed.content.decode()


def test_an_oversized_boundary_file_is_refused_before_it_is_read(zone):
    park = zone["park"]
    url = reverse("admin:parks_park_boundary", args=[park.pk])
    big = SimpleUploadedFile("park.geojson", b" " * (1024 * 1024 + 1))
    response = signed_in(zone["manager"]).post(url, {"boundary": big, "edit_version": 1})
    assert response.status_code == 200
    assert "边界文件过大：不能超过 1024 KB。" in response.content.decode()
    park.refresh_from_db()
    assert park.boundary is None and park.version == 1


def test_the_park_page_reads_in_the_same_number_of_queries_however_full_the_park(zone):
    from zoneops.parks.models import Building, Unit

    client = signed_in(zone["manager"])
    urls = [reverse("admin:parks_park_change", args=[zone["park"].pk])]
    page_query_counts(client, urls)  # the session, the permissions and the sidebar are cached

    few = page_query_counts(client, urls)
    tenants = [zone["tenant"], zone["other_tenant"]]
    for index in range(6):
        building = Building.objects.create(park=zone["park"], name=f"新{index}号楼")
        for floor in range(4):
            unit = Unit.objects.create(building=building, name=f"{floor}01", area_m2=10)
            Lease.objects.create(unit=unit, tenant=tenants[floor % 2], starts_on=date(2021, 1, 1))
        make_project(
            name=f"入园项目{index}", park=zone["park"], responsible_department=zone["investment"]
        )
    assert page_query_counts(client, urls) == few


def test_the_space_registers_list_in_the_same_number_of_queries_however_many_rows(zone):
    from zoneops.parks.models import Building, ParkPhase, Unit

    client = signed_in(zone["manager"])
    urls = [
        reverse(f"admin:parks_{model}_changelist")
        for model in ("park", "parkphase", "building", "unit", "lease")
    ]
    page_query_counts(client, urls)  # the session, the permissions and the sidebar are cached

    Lease.objects.create(
        unit=zone["units"]["101"], tenant=zone["tenant"], starts_on=date(2020, 1, 1)
    )
    few = page_query_counts(client, urls)
    for index in range(5):
        park = Park.objects.create(name=f"新园区{index}", kind="park")
        phase = ParkPhase.objects.create(park=park, name="一期")
        building = Building.objects.create(park=park, phase=phase, name="1号楼")
        unit = Unit.objects.create(building=building, name="101", area_m2=10)
        Lease.objects.create(unit=unit, tenant=zone["other_tenant"], starts_on=date(2021, 1, 1))
    assert page_query_counts(client, urls) == few

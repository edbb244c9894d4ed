"""园区分布图: the parks drawn from their boundaries on the server, coloured by occupancy."""

import re
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.urls import reverse

from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user, signed_in
from zoneops.parks.enums import CarrierKind
from zoneops.parks.map import (
    BANDS,
    HEIGHT,
    WIDTH,
    boundary_polygons,
    fit_projection,
    label_size,
    occupancy_band,
    park_map,
)
from zoneops.parks.models import Building, Lease, Park, Unit
from zoneops.pytest_clock import frozen_on

TODAY = date(2026, 3, 2)


_frozen = frozen_on(TODAY)


def _square(lon, lat, size=0.01):
    return [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]


def _units(park, *areas_leased, tenant=None):
    building = Building.objects.create(park=park, name="1号楼")
    for index, (area, leased) in enumerate(areas_leased):
        unit = Unit.objects.create(building=building, name=f"{index + 1}01", area_m2=Decimal(area))
        if leased:
            Lease.objects.create(unit=unit, tenant=tenant, starts_on=date(2025, 1, 1))


@pytest.fixture
def world(org):
    # The register sits a floor above parks: named by its label only.
    tenant = apps.get_model("enterprises", "Enterprise").objects.create(name="承租企业（示例）")
    full = Park.objects.create(
        name="汽车产业园",
        kind=CarrierKind.PARK,
        boundary={"type": "Polygon", "coordinates": [_square(116.80, 38.30, 0.05)]},
    )
    _units(full, (1000, True), (1000, True), tenant=tenant)
    # Two islands, the first with a courtyard (a hole).
    split = Park.objects.create(
        name="新材料园",
        kind=CarrierKind.PARK,
        boundary={
            "type": "MultiPolygon",
            "coordinates": [
                [_square(116.90, 38.30, 0.04), _square(116.91, 38.31, 0.01)[::-1]],
                [_square(116.96, 38.36, 0.02)],
            ],
        },
    )
    _units(split, (600, True), (400, False), tenant=tenant)
    empty = Park.objects.create(
        name="孵化器<一号>",
        kind=CarrierKind.INCUBATOR,
        boundary={"type": "Polygon", "coordinates": [_square(116.85, 38.40, 0.01)]},
    )
    nowhere = Park.objects.create(name="检测中心", kind=CarrierKind.CENTRE)
    broken = Park.objects.create(
        name="边界有误", kind=CarrierKind.PARK, boundary={"type": "Point", "coordinates": [1, 2]}
    )
    return SimpleNamespace(
        full=full,
        split=split,
        empty=empty,
        nowhere=nowhere,
        broken=broken,
        tenant=tenant,
        staff=make_user(RoleCode.STAFF, departments=[org["approvals"]]),
        company=make_user(RoleCode.ENTERPRISE, enterprise=tenant),
    )


def _link(park):
    return f"/park/{park.pk}/"


def _shapes(svg):
    return {
        int(match.group(1)): match.group(0)
        for match in re.finditer(r'<a [^>]*data-park="(\d+)"[^>]*>.*?</a>', svg, re.S)
    }


def test_a_path_per_park_with_its_colour_and_link(world):
    drawing = park_map(parks=Park.objects.all(), on=TODAY, link=_link)
    shapes = _shapes(drawing.svg)
    assert set(shapes) == {world.full.pk, world.split.pk, world.empty.pk}
    assert all(shape.count("<path ") == 1 for shape in shapes.values())
    full = occupancy_band(Decimal(100))
    assert f'fill="{full.colour}"' in shapes[world.full.pk]
    assert f'href="/park/{world.full.pk}/"' in shapes[world.full.pk]
    assert 'fill="#d4d4d8"' in shapes[world.empty.pk]  # no units: grey
    mid = occupancy_band(Decimal(60))
    assert mid.code == "mid" and f'fill="{mid.colour}"' in shapes[world.split.pk]
    # The tooltip: name, kind, occupancy and free area.
    assert (
        "<title>新材料园\n类型：园区\n出租率：60.0%\n空置面积：400.00平方米</title>"
        in (shapes[world.split.pk])
    )
    # Names are escaped, never markup.
    assert "孵化器&lt;一号&gt;" in drawing.svg and "孵化器<一号>" not in drawing.svg


def test_multipolygons_and_holes_are_drawn_in_one_path(world):
    shape = _shapes(park_map(parks=[world.split], on=TODAY, link=_link).svg)[world.split.pk]
    path = re.search(r' d="([^"]+)"', shape).group(1)
    assert path.count("M") == 3 and path.count("Z") == 3
    assert 'fill-rule="evenodd"' in shape


def test_parks_without_a_usable_boundary_are_listed(world):
    drawing = park_map(parks=Park.objects.all(), on=TODAY, link=_link)
    assert [park.name for park, _occupancy, _band in drawing.without_boundary] == [
        "检测中心",
        "边界有误",
    ]


def test_the_projection_keeps_every_point_inside_the_view_box(world):
    drawing = park_map(parks=Park.objects.all(), on=TODAY, link=_link)
    numbers = [
        float(n)
        for shape in drawing.shapes
        for pair in re.findall(r"-?\d+\.\d,-?\d+\.\d", shape.path)
        for n in pair.split(",")
    ]
    xs, ys = numbers[0::2], numbers[1::2]
    assert min(xs) >= 0 and max(xs) <= WIDTH and min(ys) >= 0 and max(ys) <= HEIGHT
    # It fills the box along one side at least (the padding is 30).
    assert max(xs) - min(xs) > WIDTH - 80 or max(ys) - min(ys) > HEIGHT - 80


def test_the_projection_keeps_shapes_square_at_the_zones_latitude():
    # 0.1° of longitude at 60° N is half as long as 0.1° of latitude.
    rings = [[(10.0, 60.0), (10.1, 60.0), (10.1, 60.05), (10.0, 60.05), (10.0, 60.0)]]
    project = fit_projection(rings)
    (x0, y0), (x1, y1) = project(10.0, 60.0), project(10.1, 60.05)
    assert abs((x1 - x0) / (y0 - y1) - 1.0) < 0.01
    assert y1 < y0  # north is up


@pytest.mark.parametrize(
    "boundary",
    [
        None,
        "x",
        {"type": "Polygon"},
        {"type": "Polygon", "coordinates": [[[1, 2], [3, 4]]]},
        {"type": "Polygon", "coordinates": [[[1, 2], [3, 4], [5, "a"], [1, 2]]]},
        {"type": "Polygon", "coordinates": [[[1, 2], [300, 4], [5, 6], [1, 2]]]},
        {"type": "MultiPolygon", "coordinates": [[]]},
        {"type": "Polygon", "coordinates": [[[True, 2], [3, 4], [5, 6], [1, 2]]]},
    ],
)
def test_a_malformed_boundary_draws_nothing(boundary):
    assert boundary_polygons(boundary) == []


def test_labels_shrink_to_fit_their_shape_within_bounds():
    assert label_size("汽车产业园", 400) == 14.0
    assert label_size("中国（沧州）汽车零部件产业示范基地", 170) == pytest.approx(9.0)
    assert label_size("很长很长很长很长很长的名字", 10) == 8.0


def test_bands():
    assert occupancy_band(None).code == "none"
    assert [occupancy_band(Decimal(v)).code for v in ("0", "49.9", "50", "80", "95", "100")] == [
        "low",
        "low",
        "mid",
        "high",
        "full",
        "full",
    ]
    assert len({band.colour for band in BANDS}) == len(BANDS)


def test_the_page_draws_the_map_and_prints(world):
    client = signed_in(world.staff)
    response = client.get(reverse("admin:parks_park_map"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="park-shape"') == 3
    assert reverse("admin:parks_park_change", args=[world.full.pk]) in html
    listed = html.split('id="parks-without-boundary"')[1].split("</ul>")[0]
    assert "检测中心" in listed and "边界有误" in listed and "汽车产业园" not in listed
    assert "@page { size: A4 landscape" in html and "@media print" in html
    assert "http://" not in html.replace("http://www.w3.org/", "")  # no outside call


def test_the_svg_downloads(world):
    response = signed_in(world.staff).get(reverse("admin:parks_park_map"), {"format": "svg"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    assert body.startswith("<svg ") and body.count('class="park-shape"') == 3


def test_the_api_answers_the_svg(world):
    response = signed_in(world.staff).get("/api/v1/parks/map.svg")
    assert response.status_code == 200
    assert response.content.decode().count("<path ") == 3


def test_the_enterprise_user_sees_no_map(world):
    client = signed_in(world.company)
    assert client.get(reverse("admin:parks_park_map")).status_code in (302, 403)
    assert client.get("/api/v1/parks/map.svg").status_code in (401, 403)


def test_the_map_reads_in_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    for index in range(10):
        Park.objects.create(
            name=f"园区{index}",
            kind=CarrierKind.PARK,
            boundary={"type": "Polygon", "coordinates": [_square(117 + index / 10, 38.5)]},
        )
    with django_assert_max_num_queries(2):
        drawing = park_map(parks=Park.objects.all(), on=TODAY, link=_link)
    assert len(drawing.shapes) == 13


def test_a_shape_too_small_for_its_name_carries_it_below_with_a_halo(world):
    tiny = Park.objects.create(
        name="金属新材料实验中心",
        kind=CarrierKind.CENTRE,
        boundary={"type": "Polygon", "coordinates": [_square(116.83, 38.33, 0.0005)]},
    )
    drawing = park_map(parks=Park.objects.all(), on=TODAY, link=lambda park: f"/p/{park.pk}/")
    shapes = {shape.park.pk: shape for shape in drawing.shapes}
    small, large = shapes[tiny.pk], shapes[world.full.pk]
    assert small.label_outside and not large.label_outside
    bottom = max(float(y) for y in re.findall(r",([\d.]+)", small.path))
    assert small.label_y > bottom  # below the shape, not over its neighbours' middle
    label = re.search(r"<text[^>]*>金属新材料实验中心</text>", drawing.svg).group(0)
    assert 'class="label-outside"' in label and 'fill="#111827"' in label
    assert 'class="label-outside"' not in re.search(r"<text[^>]*>汽车产业园</text>", drawing.svg)[0]

"""The placement rule: kind by the thresholds (at and one below each), carriers by industry
fit and room."""

from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps

from zoneops.parks.enums import CarrierKind
from zoneops.parks.models import Building, Lease, Park, Unit
from zoneops.parks.placement import (
    PlacementKind,
    placement_kind,
    placement_kind_of,
    placement_suggest,
)

ON = date(2020, 6, 30)


def kind(investment, land=None, industry=None, tech=False) -> PlacementKind:
    return placement_kind(
        investment=Decimal(investment), land_mu=land, industry_code=industry, is_tech=tech
    )[0]


def test_major_investment_takes_its_own_site_from_the_threshold_on(settings):
    settings.ZONEOPS_MAJOR_PROJECT_THRESHOLD = 100000
    assert kind(100000) == PlacementKind.OWN_SITE
    assert kind(Decimal("99999.99")) == PlacementKind.PARK
    assert kind(10_000_000) == PlacementKind.OWN_SITE  # the largest amount a project holds


def test_major_land_takes_its_own_site_from_the_threshold_on(settings):
    settings.ZONEOPS_MAJOR_PROJECT_LAND_MU = 300
    assert kind(20000, land=Decimal(300)) == PlacementKind.OWN_SITE
    assert kind(20000, land=Decimal("299.99")) == PlacementKind.PARK
    assert kind(20000, land=None) == PlacementKind.PARK


def test_small_tech_goes_into_an_incubator_below_the_small_threshold_only(settings):
    settings.ZONEOPS_SMALL_PROJECT_THRESHOLD = 5000
    settings.ZONEOPS_TECH_INDUSTRIES = ["rnd"]
    assert kind(Decimal("4999.99"), industry="rnd") == PlacementKind.INCUBATOR
    assert kind(5000, industry="rnd") == PlacementKind.PARK
    assert kind(Decimal("4999.99"), industry="auto") == PlacementKind.PARK
    assert kind(Decimal("4999.99"), industry="auto", tech=True) == PlacementKind.INCUBATOR
    assert kind(0, industry=None, tech=True) == PlacementKind.INCUBATOR


def test_own_site_industries_and_the_reason_in_words(settings):
    settings.ZONEOPS_OWN_SITE_INDUSTRIES = ["commercial"]
    chosen, reason = placement_kind(
        investment=Decimal(80000), land_mu=None, industry_code="commercial", is_tech=False
    )
    assert chosen == PlacementKind.OWN_SITE and "独立选址" in reason
    _chosen, reason = placement_kind(
        investment=Decimal(100000), land_mu=None, industry_code=None, is_tech=False
    )
    assert "10亿元" in reason  # the amount the Chinese way


def test_the_kind_of_an_actual_placement():
    assert placement_kind_of(park_kind=None, own_site=True) == PlacementKind.OWN_SITE
    assert placement_kind_of(park_kind=CarrierKind.PARK, own_site=False) == PlacementKind.PARK
    assert placement_kind_of(park_kind=CarrierKind.CENTRE, own_site=False) == (
        PlacementKind.INCUBATOR
    )
    assert placement_kind_of(park_kind=CarrierKind.INSTITUTE, own_site=False) is None
    assert placement_kind_of(park_kind=None, own_site=False) is None


def _industry(code: str):
    model = Park._meta.get_field("industries").related_model
    return model.objects.create(name=code, code=code)


def _units(park: Park, *areas: int) -> list[Unit]:
    building = Building.objects.create(park=park, name=f"{park.name}1号楼")
    return [
        Unit.objects.create(building=building, name=str(i), area_m2=Decimal(area))
        for i, area in enumerate(areas)
    ]


@pytest.fixture
def carriers(db):
    auto, materials = _industry("auto"), _industry("new-materials")
    auto_park = Park.objects.create(name="汽车产业园", kind=CarrierKind.PARK)
    auto_park.industries.add(auto)
    big_auto = Park.objects.create(name="汽车二园", kind=CarrierKind.PARK)
    big_auto.industries.add(auto)
    open_park = Park.objects.create(name="综合产业园", kind=CarrierKind.PARK)
    materials_park = Park.objects.create(name="新材料产业园", kind=CarrierKind.PARK)
    materials_park.industries.add(materials)
    full_park = Park.objects.create(name="已满产业园", kind=CarrierKind.PARK)
    full_park.industries.add(auto)
    centre = Park.objects.create(name="创业中心", kind=CarrierKind.CENTRE)
    _units(auto_park, 1000)
    _units(big_auto, 3000, 500)
    _units(open_park, 9000)
    (unit,) = _units(full_park, 800)
    tenant = apps.get_model("enterprises", "Enterprise").objects.create(name="甲公司")
    Lease.objects.create(unit=unit, tenant=tenant, starts_on=date(2020, 1, 1))
    return {"auto": auto, "materials": materials, "centre": centre}


def test_carriers_fit_the_industry_have_room_and_rank_by_fit_then_free_area(carriers):
    suggestion = placement_suggest(
        investment=Decimal(20000),
        land_mu=None,
        industry_id=carriers["auto"].pk,
        is_tech=False,
        on=ON,
    )
    assert suggestion.kind == PlacementKind.PARK
    assert [c.name for c in suggestion.carriers] == ["汽车二园", "汽车产业园", "综合产业园"]
    assert [c.industry_listed for c in suggestion.carriers] == [True, True, False]
    assert suggestion.carriers[2].open_to_all
    assert suggestion.carriers[0].occupancy.area_free_m2 == Decimal(3500)
    assert suggestion.full == ["已满产业园"]  # fits, but every unit is let on the day
    assert "新材料产业园" not in [c.name for c in suggestion.carriers]
    assert any("不限产业" in note for note in suggestion.notes)


def test_a_full_park_has_room_again_before_its_lease(carriers):
    suggestion = placement_suggest(
        investment=20000,
        land_mu=None,
        industry_id=carriers["auto"].pk,
        is_tech=False,
        on=date(2019, 12, 31),
    )
    assert "已满产业园" in [c.name for c in suggestion.carriers]


def test_incubator_carriers_without_units_are_listed_with_room_unknown(carriers):
    suggestion = placement_suggest(
        investment=1000, land_mu=None, industry_id=carriers["auto"].pk, is_tech=True, on=ON
    )
    assert suggestion.kind == PlacementKind.INCUBATOR
    assert [(c.name, c.room_known) for c in suggestion.carriers] == [("创业中心", False)]
    assert any("空余面积未知" in note for note in suggestion.notes)


def test_own_site_lists_no_carriers(carriers):
    suggestion = placement_suggest(
        investment=200000, land_mu=None, industry_id=carriers["auto"].pk, is_tech=False, on=ON
    )
    assert suggestion.kind == PlacementKind.OWN_SITE and suggestion.carriers == []


def test_a_project_without_industry_gets_every_carrier_of_the_kind_and_a_note(carriers):
    suggestion = placement_suggest(
        investment=20000, land_mu=None, industry_id=None, is_tech=False, on=ON
    )
    assert "新材料产业园" in [c.name for c in suggestion.carriers]
    assert any("未填产业" in note for note in suggestion.notes)

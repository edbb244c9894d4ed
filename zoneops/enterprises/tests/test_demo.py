"""The demo zone's enterprise register reproduces the article's liaison figures and its
"主营业务收入突破1000亿元" from its own records.

The demo zone (with its ~190 projects) is loaded once for the module and rolled back after it.
"""

from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client
from stdnum.cn import uscc

from zoneops.demo.data import HYUNDAI_PLANT
from zoneops.demo.enterprises_data import INSPECTORS, SAMPLE_SUFFIX, load_enterprise_register
from zoneops.demo.loader import load_demo_zone
from zoneops.demo.results import DemoResult
from zoneops.enterprises.models import Enterprise, EnterpriseFigure, LiaisonAssignment
from zoneops.enterprises.selectors import (
    COVERAGE_DISTRICT,
    COVERAGE_INSPECTORS,
    COVERAGE_PROJECTS,
    COVERAGE_PROVINCE_CITY,
    enterprise_figure_series,
    figures_total,
    liaison_coverage,
    my_liaison,
)
from zoneops.orgs.models import User

PASSWORD = "demo-Pass-2020"

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        result = load_demo_zone(password=PASSWORD)
        # Also called by load_demo_zone once it is wired in; a second call creates nothing.
        load_enterprise_register(result=result)
        yield result
        transaction.set_rollback(True)


def test_the_coverage_table_reads_the_articles_figures():
    coverage = liaison_coverage()

    rows = {row.key: row for row in coverage.rows}
    assert rows[COVERAGE_PROJECTS].objects == 31
    assert rows[COVERAGE_PROVINCE_CITY].objects == 44
    assert rows[COVERAGE_DISTRICT].objects == 28
    assert (rows[COVERAGE_INSPECTORS].persons, rows[COVERAGE_INSPECTORS].objects) == (12, 19)


def test_the_coverage_endpoint_gives_the_same_to_a_zone_wide_role():
    client = Client()
    client.force_login(User.objects.get(username="inspector"))
    body = client.get("/api/v1/enterprises/coverage").json()
    rows = {row["key"]: (row["objects"], row["persons"]) for row in body["rows"]}
    assert rows["projects"][0] == 31
    assert rows["province_city"][0] == 44 and rows["district"][0] == 28
    assert rows["inspectors"] == (19, 12)


def test_the_zones_2019_revenue_passes_1000_yi():
    total = figures_total(year=2019)
    assert total.values["revenue"] > Decimal(10_000_000)
    assert total.enterprises == 44


def test_the_anchor_plant_is_filled_in_with_plausible_figures():
    plant = Enterprise.objects.get(name=HYUNDAI_PLANT)
    assert uscc.is_valid(plant.credit_code)
    assert plant.country == "中国（中韩合资）" and plant.is_above_scale_industry
    assert plant.industry_code == "C3611" and plant.users.filter(username="enterprise").exists()
    december = enterprise_figure_series(enterprise=plant, year=2019)[11]
    assert december.period_label == "2019年1-12月"
    assert december.values["revenue"] == Decimal(1520000)  # 16.3万台 at about 9.3万元
    assert december.values["exports"] == Decimal(48400)
    assert december.yoy["revenue"] < 0  # fewer cars than in 2018
    assert "16.3万台" in december.figure.note
    taxes = sum(
        EnterpriseFigure.objects.get(enterprise=plant, year=year, month=12).tax
        for year in (2018, 2019)
    )
    assert taxes == Decimal(135000)


def test_named_enterprises_are_real_generated_ones_marked_and_every_code_valid():
    named = set(Enterprise.objects.filter(is_sample=False).values_list("name", flat=True))
    assert {"现代摩比斯", "北汽倍摩斯", "北汽韩一", "韩国株山", "嘉诚汽车内饰", "隆泰万通"} <= named
    assert not any(name.endswith(SAMPLE_SUFFIX) for name in named)
    samples = Enterprise.objects.filter(is_sample=True)
    assert samples.exists() and all(e.name.endswith(SAMPLE_SUFFIX) for e in samples)
    codes = list(Enterprise.objects.values_list("credit_code", flat=True))
    assert all(code and uscc.is_valid(code) for code in codes)
    assert len(set(codes)) == len(codes)
    korean = Enterprise.objects.filter(park__name="中日韩产业园", country="韩国")
    assert korean.filter(name="韩国株山").exists()
    assert Enterprise.objects.filter(country="日本").exists()


def test_twelve_inspectors_of_the_commission_can_sign_in():
    inspectors = User.objects.filter(username__in=INSPECTORS)
    assert inspectors.count() == 12
    assert all(user.check_password(PASSWORD) for user in inspectors)
    assert all(user.departments.filter(code="jgw").exists() for user in inspectors)


def test_loading_again_creates_nothing():
    again = DemoResult(password=PASSWORD)
    before = (
        Enterprise.objects.count(),
        EnterpriseFigure.objects.count(),
        LiaisonAssignment.objects.count(),
    )
    load_enterprise_register(result=again)
    assert again.created_total == 0
    assert before == (
        Enterprise.objects.count(),
        EnterpriseFigure.objects.count(),
        LiaisonAssignment.objects.count(),
    )


def test_a_leaders_liaison_page_has_enterprises_and_projects():
    leader = User.objects.get(username="leader")
    mine = my_liaison(user=leader)
    names = {row.enterprise.name for row in mine.enterprises}
    assert {"现代摩比斯", "北汽韩一"} <= names
    assert mine.projects and all(row.as_leader for row in mine.projects)
    page = Client()
    page.force_login(leader)
    response = page.get("/admin/enterprises/liaisonassignment/mine/")
    assert response.status_code == 200 and "现代摩比斯" in response.content.decode()

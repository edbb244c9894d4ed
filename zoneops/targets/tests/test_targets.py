"""Targets from above: followed from the projects' stage moves, on the page and in the API."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from zoneops.industry.models import IndustryCategory
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user, signed_in
from zoneops.projects.enums import Stage
from zoneops.projects.tests.factories import make_project
from zoneops.pytest_clock import frozen_on
from zoneops.targets.models import Target
from zoneops.targets.selectors import target_progress

TODAY = date(2020, 7, 1)


_frozen = frozen_on(TODAY)


@pytest.fixture
def target(db):
    return Target.objects.create(
        name="每个县区每年至少落地3个5亿元以上工业项目",
        kind="project_count",
        year=2019,
        required_count=3,
        min_investment=Decimal(50000),
        industrial_only=True,
        landing_stage=Stage.SIGNED,
        issuer="市委市政府",
    )


def _project(name, industry, investment, moves):
    return make_project(name, industry=industry, investment=investment, moves=moves)


def test_counts_industrial_projects_of_the_size_landed_in_the_year(target):
    factory = IndustryCategory.objects.create(name="汽车", code="auto", gb_section="C")
    shop = IndustryCategory.objects.create(name="商业", code="shop", gb_section="F")
    lead = (Stage.LEAD, date(2018, 5, 1))
    _project("签约", factory, 60000, [lead, (Stage.SIGNED, date(2019, 3, 1))])
    _project("直接开工", factory, 50000, [lead, (Stage.STARTED, date(2019, 5, 1))])
    _project("太小", factory, 49999, [lead, (Stage.SIGNED, date(2019, 3, 1))])
    _project("商业", shop, 90000, [lead, (Stage.SIGNED, date(2019, 3, 1))])
    _project("去年签约", factory, 90000, [lead, (Stage.SIGNED, date(2018, 6, 1))])
    _project(
        "年内终止",
        factory,
        90000,
        [lead, (Stage.SIGNED, date(2019, 3, 1)), (Stage.TERMINATED, date(2019, 8, 1))],
    )
    _project(
        "次年终止",
        factory,
        90000,
        [lead, (Stage.SIGNED, date(2019, 4, 1)), (Stage.TERMINATED, date(2020, 2, 1))],
    )
    progress = target_progress(target=target)
    names = [item.project.name for item in progress.records]
    assert names == ["签约", "次年终止", "直接开工"]
    assert progress.actual == 3 and progress.gap == 0 and progress.standing == "done"


def test_page_and_api_do_not_grow_with_targets(target, django_assert_max_num_queries):
    for year in (2020, 2021):
        Target.objects.create(
            name=target.name,
            kind="project_count",
            year=year,
            required_count=3,
            min_investment=Decimal(50000),
            landing_stage=Stage.SIGNED,
        )
    client = signed_in(make_user(RoleCode.STATISTICIAN))
    with django_assert_max_num_queries(20):
        page = client.get(reverse("admin:targets_target_progress"), {"target": target.pk})
    assert page.status_code == 200 and "滞后" in page.content.decode()
    with django_assert_max_num_queries(10):
        listed = client.get("/api/v1/targets/")
    assert listed.json()["count"] == 3
    rows = {row["year"]: row for row in listed.json()["items"]}
    assert rows[2019]["standing"] == "missed" and rows[2019]["gap"] in ("3", 3)
    detail = client.get(f"/api/v1/targets/{target.pk}")
    assert detail.status_code == 200 and detail.json()["records"] == []
    assert client.get("/api/v1/targets/99999999999999999999").status_code in (400, 404, 422)
    # The statistician keeps targets (the role reads every other app only).
    assert client.get(reverse("admin:targets_target_add")).status_code == 200
    inspector = signed_in(make_user(RoleCode.INSPECTOR))
    assert inspector.get(reverse("admin:targets_target_add")).status_code == 403
    assert inspector.get("/api/v1/targets/").status_code == 200

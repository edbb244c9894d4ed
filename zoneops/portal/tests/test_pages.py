"""The hall's public pages: no login, live figures, the metadata previews read, English."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zoneops.enterprises.tests.factories import make_enterprise
from zoneops.parks.models import Building, Lease, Unit
from zoneops.portal.models import Policy
from zoneops.portal.tests.conftest import publish
from zoneops.projects.enums import Stage
from zoneops.projects.tests.factories import make_project

GAP = 'hall-gap">招商机会'
PAGES = ["home", "industries", "parks", "policies", "news", "inquiry"]


@pytest.mark.parametrize("name", PAGES)
def test_every_page_answers_without_login_with_its_metadata(db, hall, name):
    response = Client().get(reverse(f"portal:{name}"))
    assert response.status_code == 200
    html = response.content.decode()
    for tag in ("<title>", 'name="description"', 'property="og:title"', 'property="og:type"'):
        assert tag in html
    url = f"http://testserver{reverse(f'portal:{name}')}"
    assert f'<link rel="canonical" href="{url}">' in html
    assert f'<meta property="og:url" content="{url}">' in html
    assert 'name="viewport"' in html
    assert "<script" not in html  # no JavaScript framework, no script at all
    assert reverse("admin:index") in html  # the staff login stays one link away


def test_the_site_root_is_the_hall_and_the_back_office_still_answers(db, hall):
    assert Client().get("/").templates[0].name == "portal/home.html"
    assert Client().get("/admin/").status_code == 302  # to the staff login
    assert Client().get("/enterprise/").status_code == 302
    assert Client().get("/api/v1/openapi.json").status_code in (200, 401)


def test_home_figures_follow_the_records(db, hall):
    before = Client().get("/").context["profile"]
    figures = {figure.label: figure for figure in before.figures}
    assert figures["今年新开工项目"].value == "1"
    assert figures["园区载体可招商面积"].value == "0.16"
    assert figures["产业链招商机会"].value == "2"
    make_project(
        "新开工项目",
        moves=[(Stage.LEAD, date(2026, 1, 5)), (Stage.STARTED, date(2026, 5, 1))],
        investment=10000,
    )
    unit = Unit.objects.get(name="101")
    Lease.objects.create(unit=unit, tenant=make_enterprise("租户"), starts_on=date(2026, 1, 1))
    after = {f.label: f for f in Client().get("/").context["profile"].figures}
    assert after["今年新开工项目"].value == "2"
    assert after["园区载体可招商面积"].value == "0.06"


def test_a_chain_node_with_a_signed_project_is_no_longer_an_opportunity(db, hall):
    html = Client().get(reverse("portal:industries")).content.decode()
    assert html.count(GAP) == 2
    node = hall["chain"].nodes.get(name="整车制造")
    make_project(
        "整车项目",
        moves=[(Stage.LEAD, date(2026, 1, 5)), (Stage.SIGNED, date(2026, 2, 1))],
        chain_node=node,
    )
    html = Client().get(reverse("portal:industries")).content.decode()
    assert html.count(GAP) == 1


def test_parks_show_their_free_space(db, hall):
    html = Client().get(reverse("portal:parks")).content.decode()
    assert "中日韩产业园" in html
    assert "1600平方米（2间）" in html


def test_only_published_policies_in_force_are_public(db, hall):
    draft = Policy.objects.create(
        title="草稿政策", body="正文", department=hall["investment"], valid_from=date(2026, 1, 1)
    )
    expired = publish(
        Policy(
            title="过期政策",
            body="正文",
            department=hall["investment"],
            valid_from=date(2024, 1, 1),
            valid_to=date(2025, 12, 31),
        ),
        writer=hall["writer"],
        reviewer=hall["head"],
    )
    html = Client().get(reverse("portal:policies")).content.decode()
    assert "汽车零部件企业入驻扶持办法" in html
    assert "草稿政策" not in html and "过期政策" not in html
    assert Client().get(reverse("portal:policy", args=[draft.pk])).status_code == 404
    assert Client().get(reverse("portal:policy", args=[expired.pk])).status_code == 404
    assert Client().get(reverse("portal:policy", args=["9" * 30])).status_code == 404
    page = Client().get(reverse("portal:policy", args=[hall["policy"].pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert '<meta property="og:type" content="article">' in html
    assert '<meta name="description" content="厂房租金前三年减半。">' in html


def test_news_tells_the_signings_and_starts_newest_first(db, hall):
    html = Client().get(reverse("portal:news")).content.decode()
    started = html.index("明珠新材料项目开工建设")
    signed = html.index("沧州韩泰汽车部件项目签约落户")
    assert started < signed  # 2026-04-18 before 2026-03-02
    assert "已有线索" not in html  # a lead is not news


def test_an_english_request_gets_english(db, hall):
    response = Client().get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert '<meta property="og:locale" content="en_US">' in html


@pytest.mark.parametrize("name", ["home", "industries", "parks", "policies", "news"])
def test_query_counts_do_not_grow_with_the_records(
    db, hall, name, django_assert_max_num_queries, settings
):
    settings.ZONEOPS_CACHE_SECONDS = 0  # each read computes its figures: their queries count
    client = Client()
    client.get(reverse(f"portal:{name}"))  # warm up (content types, sessions)
    with CaptureQueriesContext(connection) as first:
        client.get(reverse(f"portal:{name}"))
    for number in range(5):
        node = hall["chain"].nodes.create(name=f"新环节{number}", segment="upstream")
        make_project(
            f"项目{number}",
            moves=[(Stage.LEAD, date(2026, 1, 5)), (Stage.SIGNED, date(2026, 2, number + 1))],
            chain_node=node,
        )
        building = Building.objects.create(park=hall["park"], name=f"{number + 2}号厂房")
        Unit.objects.create(building=building, name="101", area_m2=Decimal(100))
        publish(
            Policy(
                title=f"政策{number}",
                body="正文",
                department=hall["investment"],
                valid_from=date(2026, 1, 1),
            ),
            writer=hall["writer"],
            reviewer=hall["head"],
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse(f"portal:{name}"))

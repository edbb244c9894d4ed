"""The 全局搜索 page, the box in the back office's header and GET /api/v1/search/, through
Django's test client."""

import pytest

from zoneops.orgs.tests.factories import signed_in
from zoneops.search import selectors

PAGE = "/admin/search/"
API = "/api/v1/search/"


def test_the_header_of_every_back_office_page_carries_the_box(zone):
    response = signed_in(zone["investment"]).get("/admin/enterprises/enterprise/")
    assert response.status_code == 200
    assert b'id="global-search"' in response.content
    assert b'action="/admin/search/"' in response.content


def test_the_page_shows_hits_grouped_by_kind_with_the_matching_text(zone):
    response = signed_in(zone["zone_wide"]).get(PAGE, {"q": "华威电子"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="search-enterprisesenterprise"' in page
    assert f'href="/admin/enterprises/enterprise/{zone["huawei"].pk}/change/"' in page
    assert "沧州华为智能科技有限公司" in page
    assert "沧州<mark>华威电子</mark>有限公司" in page


def test_the_page_without_a_query_explains_the_box(zone):
    response = signed_in(zone["zone_wide"]).get(PAGE)
    assert response.status_code == 200
    assert "统一社会信用代码" in response.content.decode()


def test_the_page_says_when_nothing_is_found(zone):
    response = signed_in(zone["approvals"]).get(PAGE, {"q": "供电扩容"})
    assert response.status_code == 200
    assert 'id="search-none"' in response.content.decode()


def test_the_page_says_a_short_query_searched_the_newest_rows_only_without_an_index(
    zone, monkeypatch
):
    response = signed_in(zone["zone_wide"]).get(PAGE, {"q": "华为"})
    assert "沧州华为智能科技有限公司" in response.content.decode()
    assert 'id="search-scanned"' not in response.content.decode()

    monkeypatch.setattr(selectors, "indexed_tables", lambda: set())  # an old SQLite
    response = signed_in(zone["zone_wide"]).get(PAGE, {"q": "华为"})
    assert 'id="search-scanned"' in response.content.decode()


@pytest.mark.parametrize("q", ["华为\x00", "x" * 1000, "\x1b[31m"])
def test_the_page_answers_a_bad_query_with_a_message(zone, q):
    response = signed_in(zone["zone_wide"]).get(PAGE, {"q": q})
    assert response.status_code == 200
    assert 'id="search-error"' in response.content.decode()


def test_the_api_answers_the_box_scoped_to_the_caller(zone):
    body = signed_in(zone["huawei_user"]).get(API, {"q": "有限公司"}).json()
    assert [kind["kind"] for kind in body["kinds"]] == ["enterprises.enterprise"]
    [hit] = body["kinds"][0]["hits"]
    assert hit["id"] == zone["huawei"].pk and hit["match"] == "有限公司"
    body = signed_in(zone["zone_wide"]).get(API, {"q": "园"}).json()
    assert {"projects.project", "supervision.supervisiontask"} <= {
        kind["kind"] for kind in body["kinds"]
    }


@pytest.mark.parametrize("q", ["", "   ", "华为\x00", "y" * 1000])
def test_the_api_refuses_a_bad_query_naming_q(zone, q):
    response = signed_in(zone["zone_wide"]).get(API, {"q": q})
    assert response.status_code in (400, 422)
    assert "q" in response.content.decode()


def test_the_api_needs_a_signed_in_caller(zone):
    from django.test import Client

    assert Client().get(API, {"q": "华为"}).status_code == 401

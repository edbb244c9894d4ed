"""Whatever goes wrong under /api/, the answer is JSON with a Chinese message and a field."""

import pytest
from django.test import Client

from zoneops.api.services import api_token_create
from zoneops.common.services import record_save
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.parks.enums import CarrierKind
from zoneops.parks.models import Park


@pytest.fixture
def admin_user(org):
    return make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]])


@pytest.fixture
def bearer(admin_user):
    _token, raw = api_token_create(user=admin_user, name="测试")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def park(db):
    return record_save(instance=Park(name="新材料产业园", kind=CarrierKind.PARK), by=None)


def assert_json_error(response, status):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["message"]
    return body


def test_unknown_api_path_and_wrong_method_are_json(bearer, park):
    body = assert_json_error(Client().get("/api/v1/no-such-thing", **bearer), 404)
    assert "接口不存在" in body["message"]
    body = assert_json_error(Client().delete(f"/api/v1/parks/{park.pk}", **bearer), 405)
    assert "不支持此请求方法" in body["message"]


def test_null_for_a_required_text_names_the_field_and_changes_nothing(bearer, park):
    response = Client().patch(
        f"/api/v1/parks/{park.pk}",
        {"version": 1, "description": None},
        content_type="application/json",
        **bearer,
    )
    body = assert_json_error(response, 400)
    assert body["errors"][0]["field"] == "description"
    park.refresh_from_db()
    assert park.version == 1


def test_schema_errors_speak_chinese(bearer, park):
    response = Client().patch(
        f"/api/v1/parks/{park.pk}",
        {"version": "一", "area_mu": "三百"},
        content_type="application/json",
        **bearer,
    )
    body = assert_json_error(response, 422)
    messages = {error["field"]: error["message"] for error in body["errors"]}
    assert messages["version"] == "应为整数"
    assert messages["area_mu"] == "应为数字"


def test_pagination_is_bounded(bearer):
    body = assert_json_error(Client().get("/api/v1/parks/?limit=100000", **bearer), 422)
    assert body["errors"][0]["field"] == "limit"
    body = assert_json_error(Client().get(f"/api/v1/parks/?offset={10**23}", **bearer), 422)
    assert body["errors"][0]["field"] == "offset"


def test_session_write_needs_the_csrf_token_and_works_with_it(admin_user, park):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    url = f"/api/v1/parks/{park.pk}"
    refused = client.patch(url, {"version": 1, "description": "x"}, content_type="application/json")
    body = assert_json_error(refused, 403)
    assert "CSRF" in body["message"] and "请刷新页面" in body["message"]

    client.get("/admin/")  # the page a browser would have open; it sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    accepted = client.patch(
        url,
        {"version": 1, "description": "首期395亩"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert accepted.status_code == 200, accepted.content
    park.refresh_from_db()
    assert park.description == "首期395亩"


def test_anonymous_write_is_401_not_a_csrf_error(park):
    response = Client(enforce_csrf_checks=True).patch(
        f"/api/v1/parks/{park.pk}", {"version": 1}, content_type="application/json"
    )
    assert_json_error(response, 401)


def test_api_docs_load_their_assets_locally(db):
    body = Client().get("/api/v1/docs").content.decode()
    assert "cdn.jsdelivr.net" not in body
    assert "/static/" in body


def test_non_api_missing_page_is_a_chinese_page(admin_user):
    client = Client()
    client.force_login(admin_user)
    response = client.get("/nowhere/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()

"""The REST API: tokens and sessions, JSON errors, OpenAPI, health."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from zoneops.api.models import ApiToken
from zoneops.api.services import api_token_create, api_token_revoke
from zoneops.common.exceptions import ApplicationError
from zoneops.common.services import record_save
from zoneops.enterprises.tests.factories import make_enterprise
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.parks.enums import CarrierKind
from zoneops.parks.models import Park


@pytest.fixture
def staff(org):
    return make_user(RoleCode.STAFF, departments=[org["investment"]])


@pytest.fixture
def park(staff):
    return record_save(instance=Park(name="航空航天产业园", kind=CarrierKind.PARK), by=None)


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_openapi_schema_and_docs_are_served(db):
    client = Client()
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/parks/" in paths
    assert "/api/v1/orgs/me" in paths
    assert client.get("/api/v1/docs").status_code == 200


def _properties(schema: dict):
    for name, component in schema["components"]["schemas"].items():
        for field, spec in component.get("properties", {}).items():
            yield f"{name}.{field}", spec
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                yield f"{method} {path} {parameter['name']}", parameter["schema"]


def test_every_number_a_payload_takes_publishes_its_bound_and_digits(db):
    """No number goes out as "a number or any string": an amount says how large it may be
    and how many decimals it has, as a number or as a string."""
    schema = Client().get("/api/v1/openapi.json").json()
    numbers = {}
    for where, spec in _properties(schema):
        branches = spec.get("anyOf", [spec])
        number = [branch for branch in branches if branch.get("type") == "number"]
        if not number:
            continue
        numbers[where] = number[0]
        assert {"minimum", "maximum", "multipleOf"} <= set(number[0]), where
        texts = [branch for branch in branches if branch.get("type") == "string"]
        assert all("pattern" in text for text in texts), where

    assert numbers["ProjectIn.total_investment"] == {
        "type": "number",
        "minimum": 0,
        "maximum": 10000000,
        "multipleOf": 0.01,
    }
    assert numbers["ProgressReportSaveIn.invested_month"]["maximum"] == 1000000
    assert numbers["ProgressReportStartIn.opening_total"]["maximum"] == 10000000
    assert numbers["FigureIn.revenue"]["maximum"] == 100000000
    assert {"AnnualPlanIn.planned_investment", "EnterpriseIn.registered_capital"} <= set(numbers)
    employees = schema["components"]["schemas"]["FigureIn"]["properties"]["employees"]
    assert {"type": "integer", "minimum": 0, "maximum": 1000000} in employees["anyOf"]
    total = schema["components"]["schemas"]["ProjectOut"]["properties"]["total_investment"]
    assert total["type"] == "string" and total["pattern"] == r"^\d{1,8}(\.\d{1,2})?$"


def test_without_credentials_the_answer_is_json_401(db):
    response = Client().get("/api/v1/parks/")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["message"]


def test_token_is_shown_once_and_stored_only_as_a_hash(staff, park):
    token, raw = api_token_create(user=staff, name="市级平台对接")
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw not in {stored.key_hash, stored.prefix, stored.name}
    response = Client().get("/api/v1/parks/", **bearer(raw))
    assert response.status_code == 200
    assert [p["name"] for p in response.json()["items"]] == ["航空航天产业园"]
    me = Client().get("/api/v1/orgs/me", **bearer(raw)).json()
    assert me["username"] == staff.username


def test_revoked_or_expired_token_is_refused(staff):
    token, raw = api_token_create(user=staff, name="对接")
    api_token_revoke(token=token)
    assert Client().get("/api/v1/orgs/me", **bearer(raw)).status_code == 401

    _expired, raw2 = api_token_create(
        user=staff, name="过期", expires_at=timezone.now() - timedelta(days=1)
    )
    assert Client().get("/api/v1/orgs/me", **bearer(raw2)).status_code == 401
    assert Client().get("/api/v1/orgs/me", **bearer("zo_not-a-token")).status_code == 401


def test_session_write_without_csrf_token_is_refused(org, park):
    admin = make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]])
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    response = client.patch(
        f"/api/v1/parks/{park.pk}",
        {"version": 1, "description": "x"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    park.refresh_from_db()
    assert park.description == ""


def test_token_write_needs_the_roles_permission(org, park):
    inspector = make_user(RoleCode.INSPECTOR, departments=[org["zone"]])
    _token, raw = api_token_create(user=inspector, name="只读")
    response = Client().patch(
        f"/api/v1/parks/{park.pk}",
        {"version": 1, "description": "x"},
        content_type="application/json",
        **bearer(raw),
    )
    assert response.status_code == 403
    assert response.json()["message"]


def test_bad_input_names_the_field_and_changes_nothing(org, park):
    admin = make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]])
    _token, raw = api_token_create(user=admin, name="管理")
    response = Client().patch(
        f"/api/v1/parks/{park.pk}",
        {"version": 1, "area_mu": "三百亩"},
        content_type="application/json",
        **bearer(raw),
    )
    assert response.status_code == 422
    body = response.json()
    assert body["errors"][0]["field"] == "area_mu"
    assert "area_mu" in body["message"]

    negative = Client().patch(
        f"/api/v1/parks/{park.pk}",
        {"version": 1, "area_mu": "-5"},
        content_type="application/json",
        **bearer(raw),
    )
    assert negative.status_code == 422  # the schema publishes the minimum and checks it
    assert negative.json()["errors"][0] == {"field": "area_mu", "message": "“占地面积”不能为负数。"}
    park.refresh_from_db()
    assert park.area_mu is None and park.version == 1


def test_malformed_json_and_unknown_record_are_json_errors(org, park):
    admin = make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]])
    _token, raw = api_token_create(user=admin, name="管理")
    broken = Client().generic(
        "PATCH",
        f"/api/v1/parks/{park.pk}",
        "{not json",
        content_type="application/json",
        **bearer(raw),
    )
    assert 400 <= broken.status_code < 500
    assert broken["Content-Type"].startswith("application/json")
    missing = Client().get("/api/v1/parks/999999", **bearer(raw))
    assert missing.status_code == 404
    assert missing.json()["message"]


def test_token_created_in_the_back_office_is_shown_once_and_works(org):
    admin = make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]])
    client = Client()
    client.force_login(admin)
    response = client.post(
        "/admin/api/apitoken/add/", {"user": admin.pk, "name": "市级平台对接"}, follow=True
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"] if "只显示这一次" in str(m)]
    assert len(shown) == 1
    raw = re.search(r"zo_[\w-]+", shown[0]).group(0)
    assert Client().get("/api/v1/orgs/me", **bearer(raw)).json()["username"] == admin.username

    token = ApiToken.objects.get(name="市级平台对接")
    page = client.get(f"/admin/api/apitoken/{token.pk}/change/").content.decode()
    assert raw not in page


@pytest.mark.parametrize("role", [RoleCode.INSPECTOR, RoleCode.STATISTICIAN, RoleCode.STAFF])
def test_only_administrators_see_and_revoke_api_tokens(org, role):
    admin = make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]])
    token, raw = api_token_create(user=admin, name="市级平台对接")
    viewer = make_user(role, departments=[org["zone"]])
    client = Client()
    client.force_login(viewer)
    assert client.get("/admin/api/apitoken/").status_code == 403
    client.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is None
    assert Client().get("/api/v1/orgs/me", **bearer(raw)).status_code == 200


def test_no_token_for_an_enterprise_or_inactive_user_in_the_service_or_the_back_office(org):
    admin = make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]])
    enterprise_user = make_user(RoleCode.ENTERPRISE, enterprise=make_enterprise("沧州明珠"))
    inactive = make_user(RoleCode.STAFF, departments=[org["zone"]])
    inactive.is_active = False
    inactive.save()
    client = Client()
    client.force_login(admin)

    for holder in (enterprise_user, inactive):
        with pytest.raises(ApplicationError) as refused:
            api_token_create(user=holder, name="对接")
        assert refused.value.field == "user"
        page = client.post("/admin/api/apitoken/add/", {"user": holder.pk, "name": "对接"})
        assert page.status_code == 200  # the form again, with the reason at the user field
        assert refused.value.message in page.context["adminform"].form.errors["user"]
    no_back_office = make_user(RoleCode.STAFF, departments=[org["zone"]])
    no_back_office.is_staff = False
    no_back_office.save()
    with pytest.raises(ApplicationError, match="只有能登录管理后台的工作人员账号"):
        api_token_create(user=no_back_office, name="对接")
    assert not ApiToken.objects.exists()


def test_a_token_stops_working_when_its_user_may_no_longer_hold_one(org):
    staff = make_user(RoleCode.STAFF, departments=[org["zone"]])
    _token, raw = api_token_create(user=staff, name="对接")
    assert Client().get("/api/v1/orgs/me", **bearer(raw)).status_code == 200

    staff.enterprise = make_enterprise("沧州明珠")
    staff.is_staff = False
    staff.save()

    assert Client().get("/api/v1/orgs/me", **bearer(raw)).status_code == 401

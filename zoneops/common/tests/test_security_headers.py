"""Every page and API answer says what the browser may load (Content-Security-Policy); those
with people's and enterprises' data say that nothing may be stored (Cache-Control: no-store).
scripts/browser_csp_check.py loads the pages in Chromium and finds no policy violation."""

import pytest
from django.test import Client

from zoneops.api.services import api_token_create
from zoneops.enterprises.tests.factories import make_enterprise
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user


@pytest.fixture
def staff(org):
    return make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]])


@pytest.fixture
def enterprise_client(db):
    client = Client()
    client.force_login(make_user(RoleCode.ENTERPRISE, enterprise=make_enterprise("沧州明珠")))
    return client


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split("; ")}


def test_every_api_answer_is_not_stored_whatever_its_status(staff):
    _token, raw = api_token_create(user=staff, name="对接")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    answers = [
        Client().get("/api/v1/parks/", **bearer),  # 200
        Client().get("/api/v1/parks/"),  # 401 from ninja
        Client().get("/api/v1/no-such-thing", **bearer),  # 404 from Django, made JSON
        Client().get("/api/v1/openapi.json"),
        Client().get("/api/v1/docs"),
    ]
    assert [a.status_code for a in answers] == [200, 401, 404, 200, 200]
    for answer in answers:
        assert _no_store(answer), answer.request["PATH_INFO"]
        assert _directives(answer)["script-src"] == ["'self'"]


def test_every_answer_under_files_is_not_stored_whatever_its_status(staff):
    """An uploaded file's answer (200: tests of the photos) and every refusal: a 404 for a
    record out of sight was stored before (the view's own never_cache did not reach it)."""
    client = Client()
    client.force_login(staff)
    answers = [
        Client().get("/files/projects.progressphoto/1/image"),  # not signed in: to the login
        client.get("/files/projects.progressphoto/1/image"),  # no such photo
        client.get("/files/projects.progressphoto/abc/image"),  # no such address
    ]
    assert [a.status_code for a in answers] == [302, 404, 404]
    for answer in answers:
        assert _no_store(answer), answer.request["PATH_INFO"]


def test_the_enterprise_pages_are_not_stored_and_run_no_foreign_or_inline_script(
    enterprise_client,
):
    pages = [
        Client().get("/enterprise/login/"),
        enterprise_client.get("/enterprise/"),
        enterprise_client.get("/enterprise/profile/"),
    ]
    for page in pages:
        path = page.request["PATH_INFO"]
        assert page.status_code == 200, path
        assert _no_store(page), path
        policy = _directives(page)
        assert policy["script-src"] == ["'self'"]
        assert policy["default-src"] == ["'self'"] and policy["frame-ancestors"] == ["'none'"]


def test_the_back_office_is_not_stored_and_allows_alpines_evaluation(staff):
    client = Client()
    client.force_login(staff)
    for path in ("/admin/", "/admin/login/"):
        page = client.get(path)
        assert _no_store(page), path
        assert _directives(page)["script-src"] == ["'self'", "'unsafe-eval'"]


def test_static_files_keep_their_caching():
    css = Client().get("/static/zoneops/site.css")
    assert css.status_code == 200
    assert not _no_store(css)

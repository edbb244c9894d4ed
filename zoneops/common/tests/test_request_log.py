"""Structured logs: each request has an id (the trusted proxy's, or a new one) echoed in the
answer and written on every log line of the request with its user, and one access line."""

import io
import json
import logging
import re

import pytest
from django.test import Client
from django.urls import reverse

from zoneops.common.requestlog import JsonLinesFormatter, RequestContextFilter
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user, signed_in


@pytest.fixture
def json_lines():
    """A real handler, as settings.LOGGING sets it up for `zoneops serve`, on the root logger;
    the JSON lines it wrote."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLinesFormatter())
    handler.addFilter(RequestContextFilter())
    root, access = logging.getLogger(), logging.getLogger("zoneops.access")
    root.addHandler(handler)
    level = access.level
    access.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    access.setLevel(level)
    root.removeHandler(handler)


def test_every_answer_carries_a_new_request_id(db):
    first = Client().get("/admin/login/")["X-Request-ID"]
    second = Client().get("/admin/login/")["X-Request-ID"]

    assert re.fullmatch(r"[0-9a-f]{32}", first) and re.fullmatch(r"[0-9a-f]{32}", second)
    assert first != second


def test_the_proxys_request_id_is_kept_and_a_malformed_one_replaced(db):
    kept = Client(HTTP_X_REQUEST_ID="4f6c1d2e9a8b7c6d5e4f3a2b1c0d9e8f").get("/admin/login/")
    replaced = Client(HTTP_X_REQUEST_ID="<script>").get("/admin/login/")

    assert kept["X-Request-ID"] == "4f6c1d2e9a8b7c6d5e4f3a2b1c0d9e8f"
    assert re.fullmatch(r"[0-9a-f]{32}", replaced["X-Request-ID"])


def test_the_access_line_has_the_request_id_the_user_and_the_timing(org, json_lines):
    user = make_user(RoleCode.PRINCIPAL, departments=[org["zone"]], username="director")

    response = signed_in(user).get(reverse("cockpit:index"))

    (line,) = [line for line in json_lines() if line["logger"] == "zoneops.access"]
    assert line["request_id"] == response["X-Request-ID"]
    assert (line["user_id"], line["user"]) == (user.pk, "director")
    assert (line["method"], line["path"], line["status"]) == ("GET", "/admin/cockpit/", 200)
    assert line["duration_ms"] >= 0 and line["level"] == "INFO"
    assert line["message"].startswith("GET /admin/cockpit/ 200 ")


def test_a_line_logged_during_the_request_carries_its_id_and_user(org, json_lines):
    user = make_user(RoleCode.PRINCIPAL, departments=[org["zone"]], username="director")

    response = signed_in(user).get(reverse("cockpit:panel", args=["nothing"]))

    assert response.status_code == 404
    (warning,) = [line for line in json_lines() if line["logger"] == "django.request"]
    assert warning["message"].startswith("Not Found: /admin/cockpit/")
    assert warning["request_id"] == response["X-Request-ID"]
    assert (warning["user_id"], warning["user"]) == (user.pk, "director")


def test_an_anonymous_request_is_logged_without_a_user(db, json_lines):
    Client().get("/admin/login/")

    (line,) = [line for line in json_lines() if line["logger"] == "zoneops.access"]
    assert line["user_id"] is None and line["user"] == "-"


def test_a_line_outside_any_request_has_no_request_id(json_lines):
    logging.getLogger("zoneops.test").warning("夜间提醒已发送")

    (line,) = json_lines()
    assert line["message"] == "夜间提醒已发送" and line["request_id"] == "-"


def test_a_lines_time_is_iso_8601_with_its_offset(json_lines):
    logging.getLogger("zoneops.test").warning("x")

    (line,) = json_lines()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d", line["time"])


def test_a_newline_can_neither_ride_in_the_request_id_nor_forge_an_access_line(db, json_lines):
    answer = Client(HTTP_X_REQUEST_ID="abcdefgh\n").get("/admin/login/%0Afake%20200%20line")

    assert answer.status_code == 404
    assert re.fullmatch(r"[0-9a-f]{32}", answer["X-Request-ID"])
    (line,) = [line for line in json_lines() if line["logger"] == "zoneops.access"]
    assert "\n" not in line["message"]
    assert line["message"].startswith("GET /admin/login/\\x0afake 200 line 404 ")

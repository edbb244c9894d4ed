"""The work calendar over the API: deadlines, counts, and bad input answered in JSON."""

from datetime import date

import pytest
from django.test import Client

from zoneops.common.calendar_services import calendar_set_day
from zoneops.common.workcalendar import calendar_cache_clear
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user

ADD = "/api/v1/common/calendar/add-working-days"
COUNT = "/api/v1/common/calendar/working-days"


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    calendar_cache_clear()
    yield
    calendar_cache_clear()


@pytest.fixture
def client(org):
    client = Client()
    client.force_login(make_user(RoleCode.STAFF, departments=[org["approvals"]]))
    return client


def _error_fields(response) -> set:
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["message"]
    return {error["field"] for error in body["errors"]}


def test_deadline_of_five_working_days_from_2026_09_28(client):
    response = client.get(ADD, {"start": "2026-09-28", "days": 5})
    assert response.status_code == 200
    assert response.json() == {
        "start": "2026-09-28",
        "days": 5,
        "due": "2026-10-10",
        "provisional": False,
        "provisional_years": [],
    }


def test_deadline_in_a_year_not_entered_is_provisional(client):
    body = client.get(ADD, {"start": "2030-01-01", "days": 3}).json()
    assert body["due"] == "2030-01-04"
    assert body["provisional"] is True
    assert body["provisional_years"] == [2030]


def test_working_days_between_two_dates(client):
    response = client.get(COUNT, {"start": "2026-09-28", "end": "2026-10-10"})
    assert response.status_code == 200
    body = response.json()
    assert body["working_days"] == 5
    assert body["start"] == "2026-09-28"
    assert body["end"] == "2026-10-10"
    assert body["provisional"] is False
    assert body["provisional_years"] == []


def test_a_day_entered_by_an_administrator_shows_in_the_next_answer(client):
    assert client.get(ADD, {"start": "2026-09-28", "days": 5}).json()["due"] == "2026-10-10"
    calendar_set_day(day=date(2026, 10, 9), is_working_day=False, by=None)
    assert client.get(ADD, {"start": "2026-09-28", "days": 5}).json()["due"] == "2026-10-12"


def test_negative_days_are_refused_in_json_naming_days(client):
    response = client.get(ADD, {"start": "2026-09-28", "days": -1})
    assert response.status_code == 400
    assert _error_fields(response) == {"days"}


def test_a_deadline_too_far_away_is_refused_in_json_naming_days(client):
    response = client.get(ADD, {"start": "2026-09-28", "days": 10_001})
    assert response.status_code == 400
    assert _error_fields(response) == {"days"}


def test_a_start_no_record_can_have_is_refused_in_json_naming_start(client):
    response = client.get(ADD, {"start": "9999-12-31", "days": 1})
    assert response.status_code == 422
    assert _error_fields(response) == {"start"}


def test_end_before_start_is_refused_in_json_naming_end(client):
    response = client.get(COUNT, {"start": "2026-09-28", "end": "2026-09-01"})
    assert response.status_code == 400
    assert _error_fields(response) == {"end"}


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        (ADD, {"start": "2026-13-01", "days": 5}, "start"),
        (ADD, {"start": "28/09/2026", "days": 5}, "start"),
        (ADD, {"start": "2026-09-28", "days": "five"}, "days"),
        (ADD, {"days": 5}, "start"),
        (COUNT, {"start": "2026-09-28", "end": "tomorrow"}, "end"),
    ],
)
def test_malformed_input_is_refused_in_json_naming_the_field(client, path, params, field):
    response = client.get(path, params)
    assert 400 <= response.status_code < 500
    assert field in _error_fields(response)


def test_the_calendar_needs_a_signed_in_user(db):
    response = Client().get(ADD, {"start": "2026-09-28", "days": 5})
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")

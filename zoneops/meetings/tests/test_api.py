import json
from datetime import date

import pytest
from django.test import Client

from zoneops.meetings.enums import AgendaSource, MeetingKind, MeetingStatus
from zoneops.meetings.models import Meeting
from zoneops.meetings.services import decision_create
from zoneops.meetings.tests.factories import make_meeting, make_milestone, make_problem
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.enums import Stage
from zoneops.projects.tests.factories import make_project

URL = "/api/v1/meetings/"
MEETING_DAY = date(2020, 3, 30)


@pytest.fixture
def officer(org):
    return make_user(RoleCode.STAFF, departments=[org["investment"]])


@pytest.fixture
def api(officer):
    client = Client()
    client.force_login(officer)

    class Api:
        def get(self, path, **params):
            return client.get(URL + path, params)

        def post(self, path, body=None):
            return client.post(URL + path, json.dumps(body or {}), content_type="application/json")

        def patch(self, path, body):
            return client.patch(URL + path, json.dumps(body), content_type="application/json")

        def delete(self, path):
            return client.delete(URL + path)

    return Api()


def _fields(response) -> set:
    return {error["field"] for error in response.json()["errors"]}


def test_a_meeting_is_scheduled_read_and_listed(api, officer, org):
    created = api.post(
        "",
        {
            "kind": "monthly",
            "title": "2020年3月重点项目调度月例会",
            "held_on": "2020-03-30",
            "starts_at": "2020-03-30T15:00:00+08:00",
            "attendee_ids": [officer.pk],
        },
    )

    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["kind_label"], body["status"], body["organiser_id"]) == (
        "月例会",
        "planned",
        org["investment"].pk,
    )
    assert body["attendee_ids"] == [officer.pk]
    detail = api.get(f"{body['id']}").json()
    assert detail["title"] == "2020年3月重点项目调度月例会"
    listed = api.get("", kind="monthly").json()
    assert [item["id"] for item in listed["items"]] == [body["id"]]
    assert listed["items"][0]["agenda_count"] == 0


@pytest.mark.parametrize(
    ("sent", "held_on", "answered"),
    [
        ("2020-03-30T15:00:00+08:00", "2020-03-30", "2020-03-30T15:00:00+08:00"),
        ("2020-03-30T15:00:00", "2020-03-30", "2020-03-30T15:00:00+08:00"),  # the zone's clock
        ("2020-03-30T07:00:00Z", "2020-03-30", "2020-03-30T15:00:00+08:00"),
        ("2020-03-29T23:30:00-01:00", "2020-03-30", "2020-03-30T08:30:00+08:00"),  # next day
    ],
)
def test_a_meeting_starts_at_a_moment_read_and_answered_in_the_zone(
    api, officer, sent, held_on, answered
):
    created = api.post("", {"kind": "monthly", "title": "月例会", "starts_at": sent})

    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["held_on"], body["starts_at"]) == (held_on, answered)
    meeting = Meeting.objects.get(pk=body["id"])
    assert (meeting.held_on.isoformat(), meeting.starts_at.isoformat()) == (
        held_on,
        answered[11:19],
    )
    listed = api.get("").json()["items"][0]
    assert listed["starts_at"] == answered


def test_a_start_away_from_the_meeting_day_or_without_a_day_is_refused(api, officer):
    other_day = api.post(
        "",
        {"kind": "monthly", "title": "x", "held_on": "2020-03-30", "starts_at": "2020-03-31T09:00"},
    )
    time_only = api.post(
        "", {"kind": "monthly", "title": "x", "held_on": "2020-03-30", "starts_at": "09:00+08:00"}
    )

    assert (other_day.status_code, _fields(other_day)) == (400, {"starts_at"})
    assert (time_only.status_code, _fields(time_only)) == (422, {"starts_at"})
    assert not Meeting.objects.exists()


def test_a_new_start_moves_the_meeting_and_null_clears_the_time(api, officer):
    meeting = make_meeting(by=officer)

    moved = api.patch(f"{meeting.pk}", {"version": 1, "starts_at": "2020-04-02T01:30:00Z"})
    cleared = api.patch(f"{meeting.pk}", {"version": 2, "starts_at": None})

    assert moved.status_code == 200, moved.content
    assert (moved.json()["held_on"], moved.json()["starts_at"]) == (
        "2020-04-02",
        "2020-04-02T09:30:00+08:00",
    )
    assert (cleared.json()["held_on"], cleared.json()["starts_at"]) == ("2020-04-02", None)


def test_bad_input_names_the_field(api, officer, org):
    missing = api.post("", {"kind": "monthly", "title": "缺日期"})
    wrong_kind = api.post("", {"kind": "party", "title": "x", "held_on": "2020-03-30"})
    unknown_host = api.post(
        "", {"kind": "monthly", "title": "x", "held_on": "2020-03-30", "host_id": 999999}
    )
    offline = api.post(
        "", {"kind": "online_talks", "title": "x", "held_on": "2020-03-30", "online": False}
    )

    assert (missing.status_code, _fields(missing)) == (400, {"held_on"})
    assert (wrong_kind.status_code, _fields(wrong_kind)) == (422, {"kind"})
    assert (unknown_host.status_code, _fields(unknown_host)) == (400, {"host_id"})
    assert "未找到编号为999999的用户" in unknown_host.json()["message"]
    assert (offline.status_code, _fields(offline)) == (400, {"online"})


def test_a_stale_update_is_a_conflict(api, officer):
    meeting = make_meeting(by=officer)

    first = api.patch(f"{meeting.pk}", {"version": 1, "location": "管委会三楼会议室"})
    stale = api.patch(f"{meeting.pk}", {"version": 1, "location": "二楼"})
    blank = api.patch(f"{meeting.pk}", {"version": 2, "title": None})

    assert (first.status_code, first.json()["location"], first.json()["version"]) == (
        200,
        "管委会三楼会议室",
        2,
    )
    assert stale.status_code == 409
    assert _fields(stale) == {"version"}
    assert (blank.status_code, _fields(blank)) == (400, {"title"})
    assert blank.json()["message"] == "“会议名称”不能为空。"  # the field name, not `title`


def test_hold_and_cancel(api, officer):
    meeting = make_meeting(by=officer)
    other = make_meeting(title="另一场", by=officer)

    no_minutes = api.post(f"{meeting.pk}/hold", {"version": 1})
    held = api.post(f"{meeting.pk}/hold", {"version": 1, "minutes": "纪要", "duration_minutes": 60})
    no_reason = api.post(f"{other.pk}/cancel", {"version": 1, "reason": ""})
    cancelled = api.post(f"{other.pk}/cancel", {"version": 1, "reason": "改期"})

    assert (no_minutes.status_code, _fields(no_minutes)) == (400, {"minutes"})
    assert (held.status_code, held.json()["status"], held.json()["minutes"]) == (
        200,
        MeetingStatus.HELD,
        "纪要",
    )
    assert (no_reason.status_code, _fields(no_reason)) == (422, {"reason"})
    assert cancelled.json()["status"] == MeetingStatus.CANCELLED


def test_the_agenda_is_built_once_and_items_are_added_by_hand(api, officer, org):
    project = make_project(
        "中商高科·沧州产业园（一期）",
        responsible_department=org["investment"],
        moves=[(Stage.SIGNED, date(2019, 1, 7))],
    )
    make_milestone(project, "主体封顶", planned_on=date(2020, 3, 1))
    problem = make_problem(
        project, department=org["investment"], routed_on=date(2020, 3, 2), due_on=date(2020, 3, 9)
    )
    meeting = make_meeting(MeetingKind.MONTHLY, held_on=MEETING_DAY, by=officer)

    manual = api.post(f"{meeting.pk}/agenda", {"title": "用地问题专题", "problem_id": problem.pk})
    built = api.post(f"{meeting.pk}/agenda/build")
    again = api.post(f"{meeting.pk}/agenda/build")
    detail = api.get(f"{meeting.pk}").json()

    assert manual.status_code == 201
    assert manual.json()["project_id"] == project.pk
    assert [item["source"] for item in built.json()] == [AgendaSource.LATE_MILESTONE]
    assert again.json() == []
    assert [item["title"] for item in detail["agenda"]] == [
        "用地问题专题",
        "滞后节点：中商高科·沧州产业园（一期）——主体封顶（计划2020年3月1日完成）",
    ]
    removed = api.delete(f"{meeting.pk}/agenda/{detail['agenda'][0]['id']}")
    assert removed.status_code == 204


@pytest.mark.usefixtures("unfollowed")
def test_decisions_are_recorded_and_done(api, officer, org):
    meeting = make_meeting(held_on=MEETING_DAY, by=officer)

    early = api.post(
        f"{meeting.pk}/decisions",
        {"text": "补办手续", "due_on": "2020-03-01", "owner_department_id": org["approvals"].pk},
    )
    created = api.post(
        f"{meeting.pk}/decisions",
        {"text": "协调供电", "due_on": "2020-04-10", "owner_id": officer.pk},
    )
    api.post(f"{meeting.pk}/hold", {"version": 1, "minutes": "纪要"})
    decision = created.json()
    overdue = api.get("decisions", state="overdue").json()
    done = api.post(f"decisions/{decision['id']}/done", {"version": 1, "done_on": "2020-04-08"})
    bad_state = api.get("decisions", state="late")

    assert (early.status_code, _fields(early)) == (400, {"due_on"})
    assert "不能早于会议日期" in early.json()["message"]
    assert created.status_code == 201
    assert decision["owner_department_id"] == org["investment"].pk
    assert [item["id"] for item in overdue["items"]] == [decision["id"]]
    assert (done.status_code, done.json()["done_on"]) == (200, "2020-04-08")
    assert (bad_state.status_code, _fields(bad_state)) == (400, {"state"})


def test_ceremony_projects_and_totals(api, officer):
    signed = make_project(
        "汽车座椅项目", owner=officer, investment=30000, moves=[(Stage.SIGNED, date(2020, 5, 8))]
    )
    talks = make_project("氟化锂晶体项目", owner=officer, moves=[(Stage.TALKS, date(2020, 1, 6))])

    refused = api.post(
        "",
        {
            "kind": "cloud_signing",
            "title": "云签约",
            "held_on": "2020-05-08",
            "duration_minutes": 40,
            "project_ids": [signed.pk, talks.pk],
        },
    )
    created = api.post(
        "",
        {
            "kind": "cloud_signing",
            "title": "云签约",
            "held_on": "2020-05-08",
            "duration_minutes": 40,
            "project_ids": [signed.pk],
        },
    )
    ceremony = created.json()
    totals = api.get(f"{ceremony['id']}/totals").json()
    listed = api.get("", kind="cloud_signing").json()["items"][0]
    again = api.post(f"{ceremony['id']}/projects", {"project_ids": [talks.pk]})

    assert (refused.status_code, _fields(refused)) == (400, {"projects"})
    assert "氟化锂晶体项目" in refused.json()["message"]
    assert not Meeting.objects.filter(title="云签约", projects=talks).exists()
    assert created.status_code == 201
    assert ceremony["totals"]["line"] == "签约项目1个，总投资3亿元，用时40分钟"
    assert totals == {
        "kind": "cloud_signing",
        "count": 1,
        "investment_wan": "30000.00",
        "investment_yi": "3.00",
        "duration_minutes": 40,
        "line": "签约项目1个，总投资3亿元，用时40分钟",
    }
    assert (listed["project_count"], listed["overview"]) == (1, totals["line"])
    assert again.status_code == 400


def test_a_meeting_outside_scope_is_not_found(api, org, officer):
    other = make_meeting(organiser=org["approvals"])

    assert api.get(f"{other.pk}").status_code == 404
    assert api.post(f"{other.pk}/agenda/build").status_code == 404
    assert api.get("").json()["count"] == 0


def test_a_user_without_the_permission_is_refused(org):
    client = Client()
    client.force_login(make_user(None, departments=[org["investment"]]))

    assert client.get(URL).status_code == 403


def test_meeting_list_query_count_does_not_grow(api, officer, django_assert_max_num_queries):
    def add(count: int, start: int) -> None:
        for index in range(start, start + count):
            meeting = make_meeting(title=f"对接{index}", by=officer)
            decision_create(
                meeting=meeting, text="事项", owner=officer, due_on=meeting.held_on, by=officer
            )

    add(3, 0)
    with django_assert_max_num_queries(15) as few:
        assert api.get("").json()["count"] == 3
    add(20, 3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api.get("").json()["items"]) == 23

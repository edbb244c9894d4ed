"""Enterprise requests (诉求) through the REST API, for each kind of user: the enterprise's own
login, department staff, the acceptance desk, a leader through liaison, an inspector who only
reads, and a system with a token."""

from datetime import date, datetime, timedelta
from io import BytesIO

import pytest
from django.test import Client
from django.utils import timezone
from python_calamine import CalamineWorkbook

from zoneops.api.services import api_token_create
from zoneops.common.workcalendar import calendar_cache_clear
from zoneops.enterprises.enums import RequestKind
from zoneops.enterprises.models import EnterpriseRequest, RequestEvent, RequestKindLimit
from zoneops.enterprises.services.requests import (
    request_add_note,
    request_ask_extension,
    request_suspend,
)
from zoneops.enterprises.tests.factories import make_enterprise, make_liaison, make_request
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.tests.factories import make_project

URL = "/api/v1/enterprises/requests"
LIMITS = "/api/v1/enterprises/request-limits"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    calendar_cache_clear()
    yield
    calendar_cache_clear()


@pytest.fixture
def enterprise_a(db):
    return make_enterprise("沧州明珠塑料股份有限公司")


@pytest.fixture
def enterprise_b(db):
    return make_enterprise("华北石化沧州分公司")


@pytest.fixture
def user_a(enterprise_a):
    return make_user(RoleCode.ENTERPRISE, enterprise=enterprise_a)


@pytest.fixture
def user_b(enterprise_b):
    return make_user(RoleCode.ENTERPRISE, enterprise=enterprise_b)


@pytest.fixture
def admin(org):
    """The acceptance desk: sees every request, including those not yet routed."""
    return make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]])


@pytest.fixture
def officer(org):
    return make_user(RoleCode.STAFF, departments=[org["investment"]])


@pytest.fixture
def head(org):
    """Head of the investment bureau: approves extensions."""
    return make_user(RoleCode.DEPARTMENT_HEAD, departments=[org["investment"]])


@pytest.fixture
def leader(org, enterprise_a):
    """A leader of the committee who liaises with enterprise A (包联)."""
    person = make_user(RoleCode.LEADER, departments=[org["zone"]])
    make_liaison(enterprise_a, person=person)
    return person


@pytest.fixture
def inspector(org):
    return make_user(RoleCode.INSPECTOR, departments=[org["zone"]])


@pytest.fixture
def client_for(db):
    def login(user):
        client = Client()
        client.force_login(user)
        return client

    return login


def post(client, url, data, **extra):
    return client.post(url, data, content_type="application/json", **extra)


def fields_of(response):
    return [error["field"] for error in response.json()["errors"]]


def titles(response):
    assert response.status_code == 200, response.json()
    return [item["title"] for item in response.json()["items"]]


def filing(enterprise, **changes):
    return {
        "enterprise_id": enterprise.pk,
        "title": "货车进园限行",
        "description": "原材料运输车辆白天不能进园，影响生产。",
        "kind": "help",
        "category": "bottleneck",
        "topic": "logistics",
        **changes,
    }


def answered_request(enterprise, department, **fields):
    """Filed, accepted and answered in March 2026 by the committee."""
    return make_request(
        enterprise,
        accepted=date(2026, 3, 2),
        department=department,
        started=date(2026, 3, 3),
        answered=date(2026, 3, 5),
        **fields,
    )


# --- the whole life ------------------------------------------------------------------------------


def test_an_enterprise_files_and_the_committee_takes_every_step(
    client_for, user_a, enterprise_a, admin, officer, head, org
):
    enterprise, desk, staff = client_for(user_a), client_for(admin), client_for(officer)

    filed = post(enterprise, URL, filing(enterprise_a, channel="hotline"))
    assert filed.status_code == 201, filed.json()
    body = filed.json()
    assert body["status"] == "submitted"
    assert body["channel"] == "self_service"  # an enterprise's own filing, whatever it says
    assert body["clock"] is None
    assert body["actions"] == []
    url = f"{URL}/{body['id']}"

    accepted = post(
        desk, f"{url}/accept", {"version": body["version"], "department_id": org["investment"].pk}
    )
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["department_name"] == "招商局"
    assert accepted.json()["limit_days"] == 5  # the kind's limit (求助)
    assert accepted.json()["clock"]["level"] == "normal"
    assert accepted.json()["clock"]["days_left"] == 5

    started = post(staff, f"{url}/start", {"version": accepted.json()["version"]})
    assert started.json()["status"] == "in_progress"
    post(staff, f"{url}/notes", {"note": "已联系交警支队", "internal": True})
    noted = post(staff, f"{url}/notes", {"note": "正在协调通行证"})
    assert noted.status_code == 200
    asked = post(staff, f"{url}/extensions", {"days": 3, "reason": "需市交警支队会签"})
    assert asked.status_code == 200, asked.json()
    extension = asked.json()["extensions"][0]
    assert extension["decision"] == "pending"
    assert "extend" not in asked.json()["actions"]

    approved = post(
        client_for(head),
        f"{url}/extensions/{extension['id']}/decision",
        {"approve": True, "note": "同意"},
    )
    assert approved.status_code == 200, approved.json()
    assert approved.json()["extension_days"] == 3
    assert approved.json()["clock"]["days_left"] == 8

    answered = post(
        staff, f"{url}/answer", {"version": approved.json()["version"], "answer": "已办理通行证"}
    )
    assert answered.json()["status"] == "answered"
    assert answered.json()["clock"]["key"] == "answered"
    assert enterprise.get(url).json()["actions"] == ["rate"]

    rated = post(enterprise, f"{url}/rating", {"version": answered.json()["version"], "score": 5})
    assert rated.status_code == 200, rated.json()
    assert rated.json()["status"] == "rated" and rated.json()["rating"] == 5

    events = staff.get(url).json()["events"]
    kinds = [event["kind"] for event in events]
    assert events[0]["at"].endswith("+08:00")  # on the zone's clock, not UTC
    filed = RequestEvent.objects.get(request_id=rated.json()["id"], kind="filed")
    assert filed.at - datetime.fromisoformat(events[0]["at"]) < timedelta(milliseconds=1)
    assert kinds == [
        "filed",
        "accepted",
        "started",
        "note",
        "note",
        "extension_asked",
        "extension_approved",
        "answered",
        "rated",
    ]


def test_staff_file_on_the_enterprises_behalf(client_for, officer, enterprise_b):
    api = client_for(officer)

    default = post(api, URL, filing(enterprise_b, filed_on="2026-03-02"))
    hotline = post(api, URL, filing(enterprise_b, title="用电增容", channel="hotline"))

    assert default.status_code == 201, default.json()
    assert default.json()["channel"] == "liaison"
    assert default.json()["filed_on"] == "2026-03-02"
    assert default.json()["actions"] == ["accept", "note", "return"]
    assert hotline.json()["channel"] == "hotline"
    assert hotline.json()["channel_label"] == "电话热线"


# --- who reaches what ----------------------------------------------------------------------------


def test_enterprise_b_never_reaches_enterprise_as_request(
    client_for, user_a, user_b, enterprise_a, org
):
    request = answered_request(enterprise_a, org["investment"], title="A的诉求")
    version = request.version
    other = client_for(user_b)
    url = f"{URL}/{request.pk}"

    assert titles(other.get(URL)) == []
    assert other.get(url).status_code == 404
    rating = post(other, f"{url}/rating", {"version": version, "score": 1, "comment": "差"})
    assert rating.status_code == 404
    request.refresh_from_db()
    assert (request.status, request.version) == ("answered", version)
    exported = other.get(f"{URL}/export.xlsx")
    assert exported.status_code == 200
    assert "A的诉求" not in cells(exported)
    statistics = other.get(f"{URL}/statistics?start=2026-01-01&end=2026-12-31").json()
    assert statistics["total"]["filed"] == 0

    own = client_for(user_a)
    assert titles(own.get(URL)) == ["A的诉求"]
    assert own.get(url).status_code == 200
    assert "A的诉求" in cells(own.get(f"{URL}/export.xlsx"))


def test_internal_notes_never_reach_the_enterprise(client_for, user_a, officer, enterprise_a, org):
    request = make_request(enterprise_a, accepted=date(2026, 3, 2), department=org["investment"])
    request_add_note(request=request, note="企业资质存疑，内部核实", internal=True, by=officer)
    request_add_note(request=request, note="已现场查看", by=officer)
    url = f"{URL}/{request.pk}"

    seen_by_enterprise = client_for(user_a).get(url)
    seen_by_staff = client_for(officer).get(url).json()

    assert seen_by_enterprise.status_code == 200
    assert "企业资质存疑" not in seen_by_enterprise.content.decode()
    assert [e["note"] for e in seen_by_enterprise.json()["events"] if e["kind"] == "note"] == [
        "已现场查看"
    ]
    internal = [e for e in seen_by_staff["events"] if e["internal"]]
    assert [e["note"] for e in internal] == ["企业资质存疑，内部核实"]


def test_an_enterprise_files_only_for_itself(client_for, user_a, enterprise_a, enterprise_b):
    api = client_for(user_a)
    project_b = make_project("B的项目", investor_enterprise=enterprise_b)

    for_b = post(api, URL, filing(enterprise_b))
    with_b_project = post(api, URL, filing(enterprise_a, project_id=project_b.pk))
    backdated = post(api, URL, filing(enterprise_a, filed_on="2026-03-02"))

    assert for_b.status_code == 400 and fields_of(for_b) == ["enterprise_id"]
    assert with_b_project.status_code == 400 and fields_of(with_b_project) == ["project_id"]
    assert backdated.status_code == 400 and fields_of(backdated) == ["filed_on"]
    assert not EnterpriseRequest.objects.exists()


def test_an_enterprise_takes_none_of_the_committees_steps(client_for, user_a, enterprise_a, org):
    request = make_request(enterprise_a)
    api = client_for(user_a)
    url = f"{URL}/{request.pk}"

    accept = post(api, f"{url}/accept", {"version": 1, "department_id": org["investment"].pk})
    note = post(api, f"{url}/notes", {"note": "催办"})
    back = post(api, f"{url}/return", {"version": 1, "reason": "撤回"})

    assert [accept.status_code, note.status_code, back.status_code] == [403, 403, 403]
    assert list(RequestEvent.objects.values_list("kind", flat=True)) == ["filed"]


def test_the_inspector_reads_everything_and_changes_nothing(
    client_for, inspector, enterprise_a, org
):
    request = answered_request(enterprise_a, org["approvals"], title="审批提速")
    api = client_for(inspector)
    url = f"{URL}/{request.pk}"

    assert titles(api.get(URL)) == ["审批提速"]
    assert api.get(url).json()["actions"] == []
    assert api.get(f"{URL}/statistics?start=2026-01-01&end=2026-12-31").status_code == 200
    assert post(api, URL, filing(enterprise_a)).status_code == 403
    assert post(api, f"{url}/rating", {"version": request.version, "score": 5}).status_code == 403
    assert post(api, f"{url}/notes", {"note": "督办"}).status_code == 403
    assert EnterpriseRequest.objects.get().version == request.version


def test_department_staff_reach_their_departments_requests(client_for, officer, enterprise_a, org):
    ours = make_request(enterprise_a, title="招商局的", accepted=True, department=org["investment"])
    theirs = make_request(
        enterprise_a, title="审批局的", accepted=True, department=org["approvals"]
    )
    api = client_for(officer)

    assert titles(api.get(URL)) == ["招商局的"]
    assert api.get(f"{URL}/{ours.pk}").status_code == 200
    assert api.get(f"{URL}/{theirs.pk}").status_code == 404
    refused = post(api, f"{URL}/{theirs.pk}/start", {"version": theirs.version})
    assert refused.status_code == 404


def test_a_leader_reaches_the_enterprises_he_liaises_with_and_decides_extensions(
    client_for, leader, head, enterprise_a, enterprise_b, org
):
    mine = make_request(
        enterprise_a, title="包联企业的", accepted=True, department=org["approvals"]
    )
    other = make_request(
        enterprise_b, title="其他企业的", accepted=True, department=org["approvals"]
    )
    extension = request_ask_extension(
        request=mine, days=2, reason="需现场核查", on=date(2026, 3, 3), by=head
    )
    api = client_for(leader)

    assert titles(api.get(URL)) == ["包联企业的"]
    assert api.get(f"{URL}/{other.pk}").status_code == 404
    assert "decide_extension" in api.get(f"{URL}/{mine.pk}").json()["actions"]
    decided = post(api, f"{URL}/{mine.pk}/extensions/{extension.pk}/decision", {"approve": True})
    assert decided.status_code == 200, decided.json()
    assert decided.json()["extensions"][0]["decision"] == "approved"
    assert decided.json()["extensions"][0]["decided_by_id"] == leader.pk


def test_a_system_reads_and_acts_with_a_token(officer, enterprise_a, org):
    request = make_request(enterprise_a, accepted=True, department=org["investment"])
    _token, raw = api_token_create(user=officer, name="12345热线对接")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    client = Client(enforce_csrf_checks=True)

    listed = client.get(URL, **bearer)
    started = post(client, f"{URL}/{request.pk}/start", {"version": request.version}, **bearer)

    assert listed.status_code == 200 and listed.json()["count"] == 1
    assert started.status_code == 200, started.json()
    assert started.json()["status"] == "in_progress"
    assert Client().get(URL).status_code == 401
    assert Client().get(URL, HTTP_AUTHORIZATION="Bearer zo_not-a-token").status_code == 401


# --- refusals name the field and change nothing --------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"title": ""}, 422, "title"),
        ({"kind": "colour"}, 422, "kind"),
        ({"topic": None}, 422, "topic"),
        ({"filed_on": "2026-02-30"}, 422, "filed_on"),
        ({"description": "   "}, 400, "description"),
        ({"enterprise_id": 999999}, 400, "enterprise_id"),
        ({"project_id": 999999}, 400, "project_id"),
        ({"channel": "self_service"}, 400, "channel"),
        ({"filed_on": "2099-01-01"}, 400, "filed_on"),
    ],
)
def test_bad_filing_names_the_field_and_files_nothing(
    client_for, officer, enterprise_a, changes, status, field
):
    response = post(client_for(officer), URL, filing(enterprise_a, **changes))

    assert response.status_code == status, response.json()
    assert field in fields_of(response)
    assert not EnterpriseRequest.objects.exists()


def test_a_project_of_another_enterprise_is_refused(client_for, officer, enterprise_a, org):
    foreign = make_project("别家的项目", responsible_department=org["investment"])

    response = post(client_for(officer), URL, filing(enterprise_a, project_id=foreign.pk))

    assert response.status_code == 400 and fields_of(response) == ["project_id"]
    assert not EnterpriseRequest.objects.exists()


def test_steps_refuse_bad_input_and_stale_versions_changing_nothing(
    client_for, officer, enterprise_a, org
):
    request = make_request(enterprise_a, accepted=date(2026, 3, 2), department=org["investment"])
    api = client_for(officer)
    url = f"{URL}/{request.pk}"
    version = request.version
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    approvals = org["approvals"].pk

    cases = [
        ("reroute", {"version": version, "department_id": approvals}, 422, "reason"),
        ("reroute", {"version": version, "department_id": approvals, "reason": " "}, 400, "reason"),
        ("reroute", {"version": version, "department_id": 999999, "reason": "x"}, 400, None),
        (
            "reroute",
            {"version": version, "department_id": org["investment"].pk, "reason": "x"},
            400,
            "department_id",
        ),
        ("start", {"version": version, "on": tomorrow}, 400, "on"),
        ("start", {"version": version, "on": "2026-03-01"}, 400, "on"),
        ("start", {"version": version - 1}, 409, "version"),
        ("start", {}, 422, "version"),
        ("notes", {"note": ""}, 400, "note"),
        ("extensions", {"days": 0, "reason": "x"}, 400, "days"),
        ("extensions", {"days": "三", "reason": "x"}, 422, "days"),
        ("answer", {"version": version, "answer": ""}, 400, "answer"),
        ("rating", {"version": version, "score": 5}, 400, "status"),
        ("accept", {"version": version, "department_id": approvals}, 400, "status"),
        ("return", {"version": version, "reason": ""}, 400, "reason"),
    ]
    for step, payload, status, field in cases:
        response = post(api, f"{url}/{step}", payload)
        assert response.status_code == status, (step, payload, response.json())
        if field:
            assert field in fields_of(response), (step, payload, response.json())
        if step == "reroute" and field is None:
            assert fields_of(response) == ["department_id"]

    stale = post(api, f"{url}/start", {"version": version - 1})
    assert "已被他人修改" in stale.json()["message"]
    request.refresh_from_db()
    assert (request.version, request.status) == (version, "accepted")
    assert list(request.events.values_list("kind", flat=True)) == ["filed", "accepted"]
    assert not request.extensions.exists()


def test_an_unsatisfied_rating_reopens_the_request(client_for, user_a, enterprise_a, org):
    request = answered_request(enterprise_a, org["investment"])
    api = client_for(user_a)
    url = f"{URL}/{request.pk}/rating"

    no_comment = post(api, url, {"version": request.version, "score": 2})
    out_of_range = post(api, url, {"version": request.version, "score": 9})
    assert no_comment.status_code == 400 and fields_of(no_comment) == ["comment"]
    assert out_of_range.status_code == 400 and fields_of(out_of_range) == ["score"]
    assert EnterpriseRequest.objects.get().version == request.version

    reopened = post(api, url, {"version": request.version, "score": 2, "comment": "仍未解决"})

    assert reopened.status_code == 200, reopened.json()
    body = reopened.json()
    assert body["status"] == "in_progress" and body["reopen_count"] == 1
    assert body["clock"]["level"] == "normal"
    assert [e["kind"] for e in body["events"]][-2:] == ["rated", "reopened"]
    assert body["actions"] == []


def test_an_enterprise_cannot_date_its_rating_back(client_for, user_a, enterprise_a, org):
    request = answered_request(enterprise_a, org["investment"])  # answered 2026-03-05

    backdated = post(
        client_for(user_a),
        f"{URL}/{request.pk}/rating",
        {"version": request.version, "score": 1, "comment": "没解决", "on": "2026-03-05"},
    )

    # Dated back to the answer, the reopened round would be overdue the day it starts.
    assert backdated.status_code == 400 and fields_of(backdated) == ["on"]
    request.refresh_from_db()
    assert (request.status, request.reopen_count) == ("answered", 0)


def test_staff_record_a_rating_taken_on_a_return_visit(client_for, officer, enterprise_a, org):
    request = answered_request(enterprise_a, org["investment"])

    rated = post(
        client_for(officer),
        f"{URL}/{request.pk}/rating",
        {"version": request.version, "score": 4, "comment": "回访：满意", "on": "2026-03-10"},
    )

    assert rated.status_code == 200, rated.json()
    assert rated.json()["status"] == "rated" and rated.json()["rated_on"] == "2026-03-10"


def test_extension_decisions_are_refused_with_the_reason(client_for, head, enterprise_a, org):
    request = make_request(enterprise_a, accepted=date(2026, 3, 2), department=org["investment"])
    elsewhere = make_request(enterprise_a, accepted=date(2026, 3, 2), department=org["investment"])
    extension = request_ask_extension(
        request=request, days=2, reason="需会签", on=date(2026, 3, 3), by=head
    )
    api = client_for(head)
    url = f"{URL}/{request.pk}/extensions/{extension.pk}/decision"

    own = post(api, url, {"approve": True})
    wrong_request = post(
        api, f"{URL}/{elsewhere.pk}/extensions/{extension.pk}/decision", {"approve": True}
    )

    assert own.status_code == 403 and "本人" in own.json()["message"]
    assert wrong_request.status_code == 404
    other_head = make_user(RoleCode.DEPARTMENT_HEAD, departments=[org["investment"]])
    no_note = post(client_for(other_head), url, {"approve": False})
    assert no_note.status_code == 400 and fields_of(no_note) == ["note"]
    refused = post(client_for(other_head), url, {"approve": False, "note": "理由不充分"})
    assert refused.json()["extensions"][0]["decision"] == "refused"
    again = post(client_for(other_head), url, {"approve": True})
    assert again.status_code == 400 and fields_of(again) == ["extension"]


# --- the clock suspended while the enterprise supplies materials --------------------------------


def test_the_committee_asks_for_materials_and_the_enterprise_supplies_them(
    client_for, user_a, officer, enterprise_a, org
):
    request = make_request(
        enterprise_a, accepted=timezone.localdate(), department=org["investment"]
    )
    staff, own = client_for(officer), client_for(user_a)
    url = f"{URL}/{request.pk}"
    assert "suspend" in staff.get(url).json()["actions"]

    no_reason = post(staff, f"{url}/suspend", {"version": request.version, "reason": ""})
    assert no_reason.status_code == 400 and fields_of(no_reason) == ["reason"]
    suspended = post(
        staff, f"{url}/suspend", {"version": request.version, "reason": "请补充用地红线图。"}
    )
    assert suspended.status_code == 200, suspended.json()
    body = suspended.json()
    assert body["suspended_since"] == timezone.localdate().isoformat()
    assert body["clock"]["key"] == "suspended" and body["clock"]["level"] is None
    assert body["clock"]["label"].startswith("暂停计时（自")
    assert "resume" in body["actions"] and "suspend" not in body["actions"]
    assert titles(staff.get(f"{URL}?suspended=true")) == [request.title]
    assert titles(staff.get(f"{URL}?suspended=false")) == []

    seen = own.get(url).json()
    assert seen["actions"] == ["resume"]
    assert [e["note"] for e in seen["events"] if e["kind"] == "suspended"] == ["请补充用地红线图。"]
    no_reply = post(own, f"{url}/resume", {"version": seen["version"], "note": " "})
    assert no_reply.status_code == 400 and fields_of(no_reply) == ["note"]
    resumed = post(own, f"{url}/resume", {"version": seen["version"], "note": "红线图已上传。"})
    assert resumed.status_code == 200, resumed.json()
    assert resumed.json()["suspended_since"] is None
    assert resumed.json()["clock"]["key"] == "normal"
    assert resumed.json()["events"][-1]["kind"] == "resumed"
    assert resumed.json()["events"][-1]["by_id"] == user_a.pk
    assert resumed.json()["actions"] == []


def test_enterprise_b_cannot_resume_enterprise_as_request(
    client_for, user_a, user_b, enterprise_a, org
):
    request = make_request(
        enterprise_a, accepted=timezone.localdate(), department=org["investment"]
    )
    request_suspend(request=request, reason="请补充材料。", by=None)
    version = request.version

    other = post(
        client_for(user_b), f"{URL}/{request.pk}/resume", {"version": version, "note": "代为补充"}
    )
    suspend_again = post(
        client_for(user_a), f"{URL}/{request.pk}/suspend", {"version": version, "reason": "x"}
    )

    assert other.status_code == 404
    assert suspend_again.status_code == 403  # the committee's step, not the enterprise's
    request.refresh_from_db()
    assert (request.version, request.suspended_since) == (version, timezone.localdate())


def test_staff_record_materials_received_and_an_overdue_clock_is_not_suspended(
    client_for, officer, enterprise_a, org
):
    waiting = make_request(enterprise_a, accepted=date(2026, 3, 2), department=org["investment"])
    request_suspend(request=waiting, reason="请补充材料。", on=date(2026, 3, 4), by=None)
    overdue = make_request(enterprise_a, accepted=date(2026, 3, 2), department=org["investment"])
    api = client_for(officer)

    received = post(
        api,
        f"{URL}/{waiting.pk}/resume",
        {"version": waiting.version, "on": "2026-03-09", "note": "材料已邮寄至服务大厅"},
    )
    late = post(
        api,
        f"{URL}/{overdue.pk}/suspend",
        {"version": overdue.version, "reason": "请补充材料。", "on": "2026-03-10"},
    )

    assert received.status_code == 200, received.json()
    assert (received.json()["suspended_days"], received.json()["due_on"]) == (3, "2026-03-12")
    assert late.status_code == 400 and fields_of(late) == ["on"]


# --- the list ------------------------------------------------------------------------------------


def test_the_list_filters_by_every_field(client_for, admin, enterprise_a, enterprise_b, org):
    make_request(
        enterprise_a,
        title="逾期未答复",
        kind=RequestKind.COMPLAINT,
        filed_on=date(2026, 3, 2),
        accepted=True,
        department=org["investment"],
    )
    answered_request(enterprise_b, org["approvals"], title="已答复", topic="approvals")
    make_request(enterprise_a, title="待受理", category="pain_point", filed_on=date(2026, 6, 1))
    api = client_for(admin)

    def listed(query=""):
        return set(titles(api.get(f"{URL}?{query}")))

    assert listed() == {"逾期未答复", "已答复", "待受理"}
    assert listed("status=answered") == {"已答复"}
    assert listed("kind=complaint") == {"逾期未答复"}
    assert listed("category=pain_point") == {"待受理"}
    assert listed("topic=approvals") == {"已答复"}
    assert listed(f"department_id={org['investment'].pk}") == {"逾期未答复"}
    assert listed(f"enterprise_id={enterprise_a.pk}") == {"逾期未答复", "待受理"}
    assert listed("overdue=true") == {"逾期未答复"}
    assert listed("overdue=false") == {"已答复", "待受理"}
    assert listed("filed_from=2026-05-01") == {"待受理"}
    assert listed("filed_to=2026-05-01") == {"逾期未答复", "已答复"}
    backwards = api.get(f"{URL}?filed_from=2026-05-01&filed_to=2026-04-01")
    assert backwards.status_code == 400 and fields_of(backwards) == ["filed_to"]
    bad = api.get(f"{URL}?status=lost")
    assert bad.status_code == 422 and fields_of(bad) == ["status"]


def test_each_row_carries_its_clock(client_for, admin, enterprise_a, org):
    overdue = make_request(
        enterprise_a, title="逾期", accepted=date(2026, 3, 2), department=org["investment"]
    )
    make_request(enterprise_a, title="今日受理", accepted=True, filed_on=timezone.localdate())
    make_request(enterprise_a, title="待受理")
    answered_request(enterprise_a, org["investment"], title="按期答复")

    rows = {row["title"]: row for row in client_for(admin).get(URL).json()["items"]}

    late = rows["逾期"]["clock"]
    assert late["level"] == "red" and late["days_overdue"] > 0 and late["days_left"] is None
    assert late["due_on"] == overdue.due_on.isoformat()
    assert late["provisional"] is overdue.due_provisional
    assert late["label"].startswith("逾期")
    fresh = rows["今日受理"]["clock"]
    assert fresh["level"] == "normal" and fresh["days_left"] == 5
    assert rows["待受理"]["clock"] is None
    assert rows["按期答复"]["clock"]["key"] == "answered"
    assert rows["按期答复"]["clock"]["on_time"] is True


def test_the_list_reads_in_the_same_queries_whatever_its_length(
    client_for, admin, enterprise_a, enterprise_b, org, django_assert_max_num_queries
):
    def some(count):
        for index in range(count):
            make_request(
                enterprise_a if index % 2 else enterprise_b,
                title=f"诉求{index}",
                project=None,
                accepted=date(2026, 3, 2),
                department=org["investment"] if index % 2 else org["approvals"],
            )

    api = client_for(admin)
    some(3)
    api.get(URL)  # loads the calendar years
    with django_assert_max_num_queries(15) as few:
        api.get(URL)
    some(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api.get(URL).json()["count"] == 33


# --- statistics and Excel ------------------------------------------------------------------------


def test_statistics_by_department(client_for, admin, enterprise_a, org):
    answered_request(enterprise_a, org["investment"], rated=date(2026, 3, 6), score=4)
    make_request(enterprise_a, accepted=date(2026, 3, 2), department=org["investment"])
    make_request(enterprise_a)
    api = client_for(admin)

    response = api.get(f"{URL}/statistics?start=2026-01-01&end=2026-12-31&by=department")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["by"] == "department" and body["by_label"] == "承办部门"
    total = body["total"]
    assert (total["filed"], total["answered"], total["open"], total["overdue"]) == (3, 1, 2, 1)
    assert total["on_time_rate"] == "100.0" and total["satisfaction_rate"] == "100.0"
    rows = {row["label"]: row for row in body["rows"]}
    assert rows["招商局"]["key"] == org["investment"].pk and rows["招商局"]["filed"] == 2
    assert rows["未受理"]["filed"] == 1


def test_statistics_refuse_bad_periods_and_groupings(client_for, admin):
    api = client_for(admin)

    wrong_by = api.get(f"{URL}/statistics?start=2026-01-01&end=2026-12-31&by=colour")
    backwards = api.get(f"{URL}/statistics?start=2026-12-31&end=2026-01-01")
    missing = api.get(f"{URL}/statistics?end=2026-01-01")

    assert wrong_by.status_code == 400 and fields_of(wrong_by) == ["by"]
    assert backwards.status_code == 400 and fields_of(backwards) == ["end"]
    assert missing.status_code == 422 and fields_of(missing) == ["start"]


def cells(response) -> str:
    """Every cell of the workbook, as one text to search."""
    assert response["Content-Type"] == XLSX
    workbook = CalamineWorkbook.from_filelike(BytesIO(response.content))
    return "\n".join(
        str(value)
        for name in workbook.sheet_names
        for row in workbook.get_sheet_by_name(name).to_python()
        for value in row
        if value not in (None, "")
    )


def test_the_register_and_the_statistics_export_to_excel(client_for, admin, enterprise_a, org):
    answered_request(enterprise_a, org["investment"], title="天然气管道接入")
    make_request(enterprise_a, title="用工招聘", topic="labour")
    api = client_for(admin)

    everything = api.get(f"{URL}/export.xlsx")
    talent = api.get(f"{URL}/export.xlsx?topic=labour")
    statistics = api.get(f"{URL}/statistics.xlsx?start=2026-01-01&end=2026-12-31&by=topic")

    assert "天然气管道接入" in cells(everything) and "用工招聘" in cells(everything)
    assert "用工招聘" in cells(talent) and "天然气管道接入" not in cells(talent)
    assert "attachment" in statistics["Content-Disposition"]
    assert "合计" in cells(statistics)


# --- limits per kind -----------------------------------------------------------------------------


def test_administrators_change_a_kinds_limit(client_for, admin, officer, enterprise_a, org):
    api = client_for(admin)

    changed = api.patch(f"{LIMITS}/help", {"limit_days": 7}, content_type="application/json")

    assert changed.status_code == 200, changed.json()
    assert changed.json() == {"kind": "help", "kind_label": "求助", "limit_days": 7}
    listed = {row["kind"]: row["limit_days"] for row in client_for(officer).get(LIMITS).json()}
    assert listed == {"consultation": 1, "help": 7, "complaint": 10}
    request = make_request(enterprise_a, kind="help", accepted=True, department=org["investment"])
    assert request.limit_days == 7


@pytest.mark.parametrize("role", [RoleCode.STAFF, RoleCode.DEPARTMENT_HEAD, RoleCode.INSPECTOR])
def test_only_administrators_change_the_limits(client_for, org, role):
    user = make_user(role, departments=[org["investment"]])

    response = client_for(user).patch(
        f"{LIMITS}/help", {"limit_days": 30}, content_type="application/json"
    )

    assert response.status_code == 403
    assert RequestKindLimit.objects.get(kind="help").limit_days == 5


def test_a_bad_limit_names_the_field_and_changes_nothing(client_for, admin, user_a):
    api = client_for(admin)

    zero = api.patch(f"{LIMITS}/help", {"limit_days": 0}, content_type="application/json")
    no_kind = api.patch(f"{LIMITS}/urgent", {"limit_days": 3}, content_type="application/json")

    assert zero.status_code == 400 and fields_of(zero) == ["limit_days"]
    assert no_kind.status_code == 422 and fields_of(no_kind) == ["kind"]
    assert RequestKindLimit.objects.get(kind="help").limit_days == 5
    assert client_for(user_a).get(LIMITS).status_code == 403


@pytest.mark.time_machine("2026-11-16T10:00+08:00", tick=False)
def test_the_list_takes_no_more_queries_than_before_the_kernel(
    client_for, admin, enterprise_a, org, django_assert_max_num_queries
):
    # The count before requests stood on zoneops.casework (its clock pagination).
    for index in range(33):
        make_request(
            enterprise_a,
            title=f"诉求{index}",
            project=None,
            accepted=date(2026, 3, 2),
            department=org["approvals"],
        )
    api = client_for(admin)
    api.get(URL)  # loads the calendar years
    with django_assert_max_num_queries(9):
        assert api.get(URL).json()["count"] == 33

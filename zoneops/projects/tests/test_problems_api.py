"""Problems (问题清单) through the REST API, under the same access rules as the pages."""

from datetime import date, datetime, timedelta

import pytest
from django.test import Client

from zoneops.common.workcalendar import calendar_cache_clear
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.enums import Stage
from zoneops.projects.models import Problem, ProblemEvent
from zoneops.projects.services.problems import problem_raise, problem_resolve
from zoneops.projects.tests.factories import make_project

URL = "/api/v1/projects/problems/"


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    calendar_cache_clear()
    yield
    calendar_cache_clear()


@pytest.fixture
def leader(org):
    return make_user(RoleCode.LEADER, departments=[org["zone"]])


@pytest.fixture
def officer(org):
    return make_user(RoleCode.STAFF, departments=[org["investment"]])


@pytest.fixture
def client_for(db):
    def login(user):
        client = Client()
        client.force_login(user)
        return client

    return login


@pytest.fixture
def api(client_for, officer):
    return client_for(officer)


@pytest.fixture
def project(org, officer, leader):
    return make_project(
        "隆泰万通高端管道装备项目",
        owner=officer,
        liaison_leader=leader,
        responsible_department=org["investment"],
        moves=[(Stage.SIGNED, date(2017, 9, 20)), (Stage.STARTED, date(2018, 4, 16))],
    )


def make_problem(project, department, *, title="电力增容", routed_on=date(2019, 3, 4)):
    return problem_raise(
        project=project,
        title=title,
        kind="bottleneck",
        topic="utilities",
        department=department,
        limit_days=5,
        routed_on=routed_on,
        by=None,
    )


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_raise_and_take_every_step_through_the_api(api, project, org, leader):
    created = post(
        api,
        URL,
        {
            "project_id": project.pk,
            "title": "110千伏专线接入",
            "kind": "bottleneck",
            "topic": "utilities",
            "department_id": org["investment"].pk,
            "limit_days": 5,
            "routed_on": "2019-09-27",
        },
    )
    assert created.status_code == 201, created.json()
    problem = created.json()
    assert problem["due_on"] == "2019-10-10"
    assert problem["department_name"] == "招商局"
    assert problem["warning"] == "red"
    assert [e["kind"] for e in problem["events"]] == ["raised"]
    raised_at = problem["events"][0]["at"]
    assert raised_at.endswith("+08:00")  # on the zone's clock, not UTC
    # the same moment, to the millisecond the JSON carries
    assert ProblemEvent.objects.get().at - datetime.fromisoformat(raised_at) < timedelta(
        milliseconds=1
    )
    url = f"{URL}{problem['id']}"

    noted = post(api, f"{url}/notes", {"text": "已与供电公司对接", "on": "2019-09-29"})
    assert noted.status_code == 200 and noted.json()["status"] == "in_progress"
    escalated = post(
        api, f"{url}/escalate", {"version": noted.json()["version"], "on": "2019-10-08"}
    )
    assert escalated.status_code == 200
    assert escalated.json()["escalated_to_id"] == leader.pk
    resolved = post(
        api,
        f"{url}/resolve",
        {"version": escalated.json()["version"], "resolution": "专线已送电", "on": "2019-10-10"},
    )
    assert resolved.json()["status"] == "resolved"
    assert resolved.json()["warning"] is None
    assert resolved.json()["warning_label"] == "按期解决"
    reopened = post(
        api,
        f"{url}/reopen",
        {"version": resolved.json()["version"], "reason": "电压不稳", "on": "2019-10-14"},
    )
    assert reopened.json()["status"] == "in_progress"

    detail = api.get(url).json()
    assert [e["kind"] for e in detail["events"]] == [
        "raised",
        "note",
        "escalated",
        "resolved",
        "reopened",
    ]
    assert detail["events"][1]["note"] == "已与供电公司对接"


def test_a_reroute_answers_even_when_it_leaves_the_users_scope(client_for, org):
    staff = make_user(RoleCode.STAFF, departments=[org["investment"]])
    other = make_project("市里的项目", responsible_department=org["city"])
    problem = make_problem(other, org["investment"])

    response = post(
        client_for(staff),
        f"{URL}{problem.pk}/reroute",
        {"version": problem.version, "department_id": org["approvals"].pk, "reason": "审批事项"},
    )

    assert response.status_code == 200, response.json()
    assert response.json()["department_id"] == org["approvals"].pk
    assert client_for(staff).get(f"{URL}{problem.pk}").status_code == 404


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"limit_days": 0}, 400, "limit_days"),
        ({"raised_on": "2019-10-01"}, 400, "raised_on"),
        ({"department_id": 999999}, 400, "department_id"),
        ({"project_id": 999999}, 400, "project_id"),
        ({"kind": "colour"}, 422, "kind"),
        ({"routed_on": "2019-13-01"}, 422, "routed_on"),
    ],
)
def test_bad_input_is_refused_naming_the_field(api, project, org, changes, status, field):
    payload = {
        "project_id": project.pk,
        "title": "用地问题",
        "kind": "hard_problem",
        "topic": "land",
        "department_id": org["approvals"].pk,
        "limit_days": 5,
        "routed_on": "2019-09-27",
        **changes,
    }

    response = post(api, URL, payload)

    assert response.status_code == status, response.json()
    assert field in [error["field"] for error in response.json()["errors"]]
    assert not Problem.objects.exists()


def test_steps_refuse_missing_text_and_stale_versions(api, project, org):
    problem = make_problem(project, org["investment"])
    url = f"{URL}{problem.pk}"

    no_reason = post(api, f"{url}/reroute", {"version": 1, "department_id": org["approvals"].pk})
    assert no_reason.status_code == 422
    blank = post(
        api,
        f"{url}/reroute",
        {"version": 1, "department_id": org["approvals"].pk, "reason": " "},
    )
    assert blank.status_code == 400 and blank.json()["errors"][0]["field"] == "reason"
    same = post(
        api,
        f"{url}/reroute",
        {"version": 1, "department_id": org["investment"].pk, "reason": "x"},
    )
    assert same.json()["errors"][0]["field"] == "department_id"
    no_resolution = post(api, f"{url}/resolve", {"version": 1, "resolution": ""})
    assert no_resolution.json()["errors"][0]["field"] == "resolution"
    post(api, f"{url}/notes", {"text": "已受理", "on": "2019-03-05"})
    stale = post(api, f"{url}/resolve", {"version": 1, "resolution": "已解决"})
    assert stale.status_code == 409
    assert "已被他人修改" in stale.json()["message"]


def test_escalation_without_a_liaison_leader_is_refused_with_the_reason(api, org, officer):
    orphan = make_project("无包联项目", owner=officer)
    problem = make_problem(orphan, org["investment"])

    response = post(api, f"{URL}{problem.pk}/escalate", {"version": problem.version})

    assert response.status_code == 400
    assert "未确定包联领导" in response.json()["message"]
    assert response.json()["errors"][0]["field"] == "project"


def test_the_list_filters_by_project_department_status_and_overdue(api, project, org):
    late = make_problem(project, org["investment"], title="逾期未办")
    done = make_problem(project, org["approvals"], title="已解决")
    problem_resolve(problem=done, resolution="已办结", on=date(2019, 3, 20), by=None)
    make_problem(project, org["investment"], title="今天交办", routed_on=None)

    def titles(query=""):
        response = api.get(f"{URL}?{query}")
        assert response.status_code == 200, response.json()
        return [item["title"] for item in response.json()["items"]]

    assert titles() == ["逾期未办", "今天交办", "已解决"]
    assert titles("overdue=true") == ["逾期未办"]
    assert titles("overdue=false") == ["今天交办", "已解决"]
    assert set(titles("overdue=true&as_of=2019-03-15")) == {"逾期未办", "已解决"}
    assert titles(f"department_id={org['approvals'].pk}") == ["已解决"]
    assert titles("status=resolved") == ["已解决"]
    assert titles(f"project_id={project.pk}&status=routed") == ["逾期未办", "今天交办"]
    assert api.get(f"{URL}?as_of=2019-03-15").status_code == 400
    assert api.get(f"{URL}{late.pk}").json()["warning"] == "red"


def test_the_list_reads_in_the_same_queries_whatever_its_length(
    api, project, org, django_assert_max_num_queries
):
    for index in range(3):
        make_problem(project, org["investment"], title=f"问题{index}")
    api.get(URL)  # loads the calendar years
    with django_assert_max_num_queries(15) as few:
        api.get(URL)
    for index in range(30):
        make_problem(project, org["investment"], title=f"更多{index}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api.get(URL).json()["count"] == 33


def test_users_see_only_problems_in_their_scope(client_for, project, org):
    make_problem(project, org["investment"], title="招商局的问题")
    approvals_staff = make_user(RoleCode.STAFF, departments=[org["approvals"]])
    hidden = make_problem(project, org["investment"], title="另一个")

    listing = client_for(approvals_staff).get(URL).json()

    assert listing["count"] == 0
    assert client_for(approvals_staff).get(f"{URL}{hidden.pk}").status_code == 404
    enterprise_less = make_user(RoleCode.INSPECTOR, departments=[org["zone"]])
    assert client_for(enterprise_less).get(URL).json()["count"] == 2
    denied = post(
        client_for(enterprise_less),
        f"{URL}{hidden.pk}/notes",
        {"text": "纪检不能登记进展"},
    )
    assert denied.status_code == 403


def test_counts_per_department(api, project, org):
    make_problem(project, org["investment"], title="逾期未办")
    done = make_problem(project, org["investment"], title="按期")
    problem_resolve(problem=done, resolution="已办结", on=date(2019, 3, 8), by=None)

    rows = api.get(f"{URL}departments").json()

    assert rows == [
        {
            "department_id": org["investment"].pk,
            "department": "招商局",
            "open": 1,
            "overdue": 1,
            "resolved": 1,
            "resolved_on_time": 1,
            "on_time_rate": "100.0",
        }
    ]


@pytest.mark.time_machine("2026-11-16T10:00+08:00", tick=False)
def test_the_list_takes_no_more_queries_than_before_the_kernel(
    api, project, org, django_assert_max_num_queries
):
    # The count before problems stood on zoneops.casework (its clock pagination).
    for index in range(33):
        make_problem(project, org["investment"], title=f"问题{index}")
    api.get(URL)  # loads the calendar years
    with django_assert_max_num_queries(12):
        assert api.get(URL).json()["count"] == 33

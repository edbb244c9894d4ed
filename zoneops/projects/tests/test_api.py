from datetime import date, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from python_calamine import CalamineWorkbook

from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.enums import Stage
from zoneops.projects.models import Project, StageMove
from zoneops.projects.tests.factories import make_project


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
def projects_2019(org):
    return [
        make_project(
            "续建A",
            investment=300000,
            responsible_department=org["investment"],
            moves=[(Stage.SIGNED, date(2018, 1, 5)), (Stage.STARTED, date(2018, 3, 1))],
        ),
        make_project(
            "在谈B",
            investment=120000,
            responsible_department=org["investment"],
            moves=[(Stage.DEEP_TALKS, date(2019, 6, 1))],
        ),
        make_project(
            "审批局的项目",
            investment=5000,
            responsible_department=org["approvals"],
            moves=[(Stage.DEEP_TALKS, date(2019, 6, 1))],
        ),
    ]


def test_summary_endpoint_gives_the_yearly_table_in_wan_and_yi(officer, projects_2019, client_for):
    response = client_for(officer).get("/api/v1/projects/summary?year=2019")
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "2019年招商项目情况表"
    rows = {row["key"]: row["total"] for row in body["rows"]}
    assert rows["continuing"] == {
        "count": 1,
        "investment_wan": "300000.00",
        "investment_yi": "30.00",
    }
    assert rows["deep_talks"]["count"] == 1  # the approvals bureau's project is out of scope
    assert body["total"]["count"] == 2


def test_summary_as_of_a_date(officer, projects_2019, client_for):
    body = client_for(officer).get("/api/v1/projects/summary?as_of=2019-03-01").json()
    assert body["title"] == "截至2019年3月1日招商项目情况表"
    assert [row["key"] for row in body["rows"]] == ["continuing"]


@pytest.mark.time_machine("2026-12-31T10:00+08:00", tick=False)
def test_on_the_last_day_of_the_year_its_table_is_as_of_today(officer, client_for):
    body = client_for(officer).get("/api/v1/projects/summary").json()

    assert body["title"] == "截至2026年12月31日招商项目情况表"


@pytest.mark.time_machine("2027-01-01T07:30+08:00", tick=False)
def test_once_the_year_is_over_its_table_is_the_year(officer, client_for):
    body = client_for(officer).get("/api/v1/projects/summary?year=2026").json()

    assert body["title"] == "2026年招商项目情况表"


def test_summary_with_an_unknown_dimension_names_the_field(officer, client_for):
    response = client_for(officer).get("/api/v1/projects/summary?year=2019&dimension=colour")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "dimension"
    bad_date = client_for(officer).get("/api/v1/projects/summary?as_of=2019-13-01")
    assert bad_date.status_code == 422
    assert bad_date.json()["errors"][0]["field"] == "as_of"


def test_summary_exports_as_a_chinese_report_table(officer, projects_2019, client_for, tmp_path):
    response = client_for(officer).get("/api/v1/projects/summary.xlsx?year=2019")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    path = tmp_path / "table.xlsx"
    path.write_bytes(response.content)
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert rows[0][0] == "2019年招商项目情况表"
    assert rows[1][0] == "单位：个、亿元"
    assert rows[2] == ["项目类别", "项目数（个）", "总投资（亿元）"]
    assert rows[3][0] == "合计" and rows[3][1] == 2 and rows[3][2] == pytest.approx(42.0)
    assert ["续建", 1, 30.0] in [row[:3] for row in rows]


def test_summary_by_department_is_a_cross_table(org, projects_2019, client_for, tmp_path):
    admin = make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]])
    response = client_for(admin).get("/api/v1/projects/summary.xlsx?year=2019&dimension=department")
    path = tmp_path / "by_department.xlsx"
    path.write_bytes(response.content)
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert rows[2][:3] == ["责任部门", "合计", ""]
    labels = [row[0] for row in rows[4:]]
    assert labels[0] == "合计" and "招商局" in labels and "行政审批局" in labels


def test_register_and_move_a_project_through_the_api(officer, client_for):
    client = client_for(officer)
    created = client.post(
        "/api/v1/projects/",
        {"name": "钛合金新材料项目", "total_investment": "80000", "stage": "talks"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    project = created.json()
    moved = client.post(
        f"/api/v1/projects/{project['id']}/moves",
        {
            "to_stage": "signed",
            "on": timezone.localdate().isoformat(),
            "version": project["version"],
        },
        content_type="application/json",
    )
    assert moved.status_code == 201, moved.content
    assert Project.objects.get(pk=project["id"]).stage == Stage.SIGNED
    moves = client.get(f"/api/v1/projects/{project['id']}/moves").json()
    assert [m["to_stage"] for m in moves] == ["talks", "signed"]
    recorded = StageMove.objects.get(project_id=project["id"], to_stage=Stage.SIGNED).recorded_at
    assert moves[1]["recorded_at"].endswith("+08:00")  # on the zone's clock, not UTC
    assert recorded - datetime.fromisoformat(moves[1]["recorded_at"]) < timedelta(milliseconds=1)


def test_a_refused_move_names_the_field_and_changes_nothing(officer, client_for):
    project = make_project(
        "某项目", created_by=None, moves=[(Stage.SIGNED, date(2019, 3, 1))], owner=officer
    )
    response = client_for(officer).post(
        f"/api/v1/projects/{project.pk}/moves",
        {
            "to_stage": "talks",
            "on": "2019-04-01",
            "backdate_reason": "补登",
            "version": project.version,
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "to_stage"
    assert Project.objects.get(pk=project.pk).stage == Stage.SIGNED


def test_negative_investment_is_refused(officer, client_for):
    response = client_for(officer).post(
        "/api/v1/projects/",
        {"name": "x", "total_investment": "-1"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "total_investment"
    assert not Project.objects.exists()


def test_projects_outside_scope_are_not_found(org, officer, client_for):
    other = make_project("别人的项目", responsible_department=org["approvals"])
    assert client_for(officer).get(f"/api/v1/projects/{other.pk}").status_code == 404
    listing = client_for(officer).get("/api/v1/projects/?limit=50").json()
    assert other.pk not in [item["id"] for item in listing["items"]]


def test_enterprise_user_sees_only_its_own_projects(org, client_for):
    from zoneops.common.services import record_save
    from zoneops.enterprises.models import Enterprise

    firm = record_save(instance=Enterprise(name="嘉诚汽车内饰"), by=None)
    mine = make_project("嘉诚汽车内饰项目", investor_enterprise=firm, investment=1)
    make_project("别家项目")
    other = make_project("别家项目（二）")
    user = make_user(RoleCode.ENTERPRISE, enterprise=firm)
    client = client_for(user)
    listed = client.get("/api/v1/projects/").json()
    assert [row["id"] for row in listed["items"]] == [mine.pk]
    assert client.get(f"/api/v1/projects/{mine.pk}").status_code == 200
    assert client.get(f"/api/v1/projects/{other.pk}").status_code == 404
    # The stage history with the officers' notes, and the committee's tables built from it,
    # stay the committee's.
    for url in (
        f"/api/v1/projects/{mine.pk}/moves",
        "/api/v1/projects/summary?year=2019",
        "/api/v1/projects/summary.xlsx?year=2019",
        "/api/v1/projects/funnel?registered_from=2019-01-01&registered_to=2019-12-31",
        "/api/v1/projects/stage-durations",
    ):
        assert client.get(url).status_code == 403, url


def test_funnel_and_time_in_stage_endpoints(officer, projects_2019, client_for):
    client = client_for(officer)
    funnel = client.get(
        "/api/v1/projects/funnel?registered_from=2019-01-01&registered_to=2019-12-31"
    ).json()
    assert [step["stage"] for step in funnel][:3] == ["lead", "talks", "deep_talks"]
    assert funnel[0]["reached"] == 1  # only 在谈B of the visible ones was registered in 2019
    backwards = client.get(
        "/api/v1/projects/funnel?registered_from=2019-12-31&registered_to=2019-01-01"
    )
    assert backwards.status_code == 400
    assert backwards.json()["errors"][0]["field"] == "registered_to"
    durations = client.get("/api/v1/projects/stage-durations?as_of=2019-12-31").json()
    started = next(d for d in durations if d["stage"] == "started")
    assert started["ongoing"] == 1


def _board_ids(client, query):
    columns = client.get(f"/admin/projects/project/board/?{query}").context["columns"]
    return sorted(card.pk for column in columns for card in column.cards)


def _api_ids(client, query):
    listing = client.get(f"/api/v1/projects/?limit=100&{query}").json()
    return sorted(row["id"] for row in listing["items"])


def test_the_api_list_and_the_board_give_the_same_projects_for_the_same_filter(
    org, officer, client_for
):
    from zoneops.projects.enums import KeyLevel
    from zoneops.projects.services import project_set_key_levels

    mine = {"responsible_department": org["investment"]}
    talks = make_project("钛合金新材料项目", moves=[(Stage.TALKS, date(2019, 3, 1))], **mine)
    key = make_project("整车物流中心", moves=[(Stage.SIGNED, date(2019, 4, 1))], **mine)
    project_set_key_levels(project=key, year=2019, levels=[KeyLevel.CITY])
    dropped = make_project(
        "钛合金二期",
        moves=[(Stage.TALKS, date(2019, 3, 1)), (Stage.TERMINATED, date(2019, 5, 6))],
        **mine,
    )
    make_project("审批局的钛合金项目", responsible_department=org["approvals"])
    client = client_for(officer)

    cases = {
        "q=钛合金": [talks.pk],
        "q=钛合金&include_terminated=on": [talks.pk, dropped.pk],
        "key_year=2019": [key.pk],
        f"responsible_department={org['investment'].pk}": [talks.pk, key.pk],
    }
    for board_query, expected in cases.items():
        api_query = board_query.replace("responsible_department=", "responsible_department_id=")
        if "include_terminated" not in api_query:
            api_query += "&include_terminated=false"
        api_query = api_query.replace("include_terminated=on", "include_terminated=true")
        assert _board_ids(client, board_query) == sorted(expected), board_query
        assert _api_ids(client, api_query) == sorted(expected), api_query

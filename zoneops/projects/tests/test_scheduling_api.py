from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.enums import KeyLevel, Stage
from zoneops.projects.models import CommandHQ, Milestone, ProgressReport, Project
from zoneops.projects.services import project_set_key_levels
from zoneops.projects.services.scheduling import annual_plan_set, milestone_create
from zoneops.projects.tests.factories import make_project

STARTED = [(Stage.SIGNED, date(2018, 1, 8)), (Stage.STARTED, date(2018, 3, 1))]
JSON = "application/json"


@pytest.fixture
def officer(org):
    return make_user(RoleCode.STAFF, departments=[org["investment"]])


@pytest.fixture
def api(officer):
    client = Client()
    client.force_login(officer)
    return client


@pytest.fixture
def project(org, officer):
    project = make_project(
        "中商高科·沧州产业园（一期）",
        investment=120000,
        moves=STARTED,
        responsible_department=org["investment"],
    )
    project_set_key_levels(project=project, year=2019, levels=[KeyLevel.CITY])
    annual_plan_set(project=project, year=2019, planned_investment=60000, by=officer)
    return project


@pytest.fixture
def elsewhere(org):
    project = make_project("审批局的项目", moves=STARTED, responsible_department=org["approvals"])
    project_set_key_levels(project=project, year=2019, levels=[KeyLevel.DISTRICT])
    return project


def _fill(api, project, month, amount, *, submit=True):
    started = api.post(
        "/api/v1/projects/progress-reports",
        {"project_id": project.pk, "month": month},
        content_type=JSON,
    )
    assert started.status_code == 201, started.content
    report = started.json()
    saved = api.patch(
        f"/api/v1/projects/progress-reports/{report['id']}",
        {"version": report["version"], "invested_month": str(amount), "progress": "主体施工"},
        content_type=JSON,
    )
    assert saved.status_code == 200, saved.content
    if not submit:
        return saved.json()
    sent = api.post(
        f"/api/v1/projects/progress-reports/{report['id']}/submit",
        {"version": saved.json()["version"]},
        content_type=JSON,
    )
    assert sent.status_code == 200, sent.content
    return sent.json()


def test_a_month_is_started_pre_filled_saved_and_submitted(api, project):
    january = _fill(api, project, "2019-01", 3000)
    february = _fill(api, project, "2019-02", 4500)

    assert january["status"] == "submitted"
    assert february["month"] == "2019-02" and february["month_label"] == "2019年2月"
    assert february["invested_year"] == "7500.00"
    assert february["invested_total"] == "7500.00"
    assert february["year_plan"] == "60000.00"
    assert february["share"] == "12.5"
    listing = api.get("/api/v1/projects/progress-reports?month=2019-02").json()
    assert [item["id"] for item in listing["items"]] == [february["id"]]
    by_project = api.get(f"/api/v1/projects/progress-reports?project_id={project.pk}").json()
    assert by_project["count"] == 2


@pytest.mark.parametrize("sent", ["2019-11-05T16:30:00", "2019-11-05T08:30:00Z"])
def test_a_paper_submission_time_is_read_and_answered_in_the_zone(api, project, sent):
    report = _fill(api, project, "2019-10", 100, submit=False)

    sent_back = api.post(
        f"/api/v1/projects/progress-reports/{report['id']}/submit",
        {"version": report["version"], "at": sent, "backdate_reason": "纸质报送补登"},
        content_type=JSON,
    )

    assert sent_back.status_code == 200, sent_back.content
    assert sent_back.json()["submitted_at"] == "2019-11-05T16:30:00+08:00"
    stored = ProgressReport.objects.get(pk=report["id"]).submitted_at
    assert timezone.localtime(stored).isoformat() == "2019-11-05T16:30:00+08:00"


def test_correcting_january_through_the_api_recomputes_february(api, project):
    january = _fill(api, project, "2019-01", 3000)
    february = _fill(api, project, "2019-02", 4500)

    api.patch(
        f"/api/v1/projects/progress-reports/{january['id']}",
        {"version": january["version"], "invested_month": "3500"},
        content_type=JSON,
    )

    again = api.get(f"/api/v1/projects/progress-reports/{february['id']}").json()
    assert again["invested_year"] == "8000.00"
    assert again["version"] == february["version"] + 1


def test_report_input_errors_name_the_field(api, project):
    bad_month = api.post(
        "/api/v1/projects/progress-reports",
        {"project_id": project.pk, "month": "2019-13"},
        content_type=JSON,
    )
    assert bad_month.status_code == 400
    assert bad_month.json()["errors"][0]["field"] == "month"
    future = (timezone.localdate().replace(day=1) + timedelta(days=40)).strftime("%Y-%m")
    ahead = api.post(
        "/api/v1/projects/progress-reports",
        {"project_id": project.pk, "month": future},
        content_type=JSON,
    )
    assert ahead.status_code == 400 and ahead.json()["errors"][0]["field"] == "month"
    _fill(api, project, "2019-10", 1, submit=False)
    twice = api.post(
        "/api/v1/projects/progress-reports",
        {"project_id": project.pk, "month": "2019-10"},
        content_type=JSON,
    )
    assert twice.status_code == 400
    assert twice.json()["message"] == "2019年10月的月度调度已存在。"
    report = ProgressReport.objects.get()
    negative = api.patch(
        f"/api/v1/projects/progress-reports/{report.pk}",
        {"version": report.version, "invested_month": "-1"},
        content_type=JSON,
    )
    assert negative.status_code == 422
    assert negative.json()["errors"][0]["field"] == "invested_month"
    listing = api.get("/api/v1/projects/progress-reports?month=October")
    assert listing.status_code == 400 and listing.json()["errors"][0]["field"] == "month"


def test_a_stale_report_save_is_409_and_changes_nothing(api, project):
    report = _fill(api, project, "2019-01", 100, submit=False)
    stale = api.patch(
        f"/api/v1/projects/progress-reports/{report['id']}",
        {"version": report["version"] - 1, "invested_month": "999"},
        content_type=JSON,
    )
    assert stale.status_code == 409
    assert stale.json()["errors"][0]["field"] == "version"
    assert ProgressReport.objects.get().invested_month == 100


def test_reports_of_projects_outside_scope_are_not_found(api, elsewhere, officer):
    start = api.post(
        "/api/v1/projects/progress-reports",
        {"project_id": elsewhere.pk, "month": "2019-01"},
        content_type=JSON,
    )
    assert start.status_code == 400
    assert start.json()["errors"][0]["field"] == "project_id"
    from zoneops.projects.services.scheduling import progress_report_start

    theirs = progress_report_start(project=elsewhere, month=date(2019, 1, 1), by=None)
    assert api.get(f"/api/v1/projects/progress-reports/{theirs.pk}").status_code == 404


def test_missing_lists_the_key_projects_not_yet_reported(api, project, elsewhere, officer):
    other = make_project("续建项目", moves=STARTED, owner=officer)
    project_set_key_levels(project=other, year=2019, levels=[KeyLevel.CITY])
    _fill(api, project, "2019-10", 100)
    _fill(api, other, "2019-10", 100, submit=False)

    body = api.get("/api/v1/projects/progress-reports/missing?month=2019-10").json()

    assert [item["name"] for item in body["items"]] == ["续建项目"]  # out of scope: not listed
    assert body["items"][0]["draft_report_id"] is not None
    september = api.get("/api/v1/projects/progress-reports/missing?month=2019-09").json()
    assert september["count"] == 2
    assert api.get("/api/v1/projects/progress-reports/missing").status_code == 200


def test_lights_as_of_a_date(api, project):
    for month in range(1, 11):
        _fill(api, project, f"2019-{month:02d}", 3000)  # 30 000 of 60 000 by October
    milestone_create(project=project, name="主体封顶", planned_on=date(2019, 9, 30), by=None)

    body = api.get("/api/v1/projects/lights?as_of=2019-10-31").json()

    assert body["count"] == 1
    (light,) = body["items"]
    assert light["project_name"] == "中商高科·沧州产业园（一期）"
    assert light["colour"] == "red" and light["colour_label"] == "红灯"
    assert (light["completion"], light["schedule"], light["behind"]) == ("50.0", "83.3", "33.3")
    assert light["overdue_milestones"][0]["name"] == "主体封顶"
    assert light["report_month"] == "2019-10"
    assert len(light["reasons"]) == 2
    in_may = api.get("/api/v1/projects/lights?as_of=2019-05-31").json()["items"]
    assert in_may[0]["colour"] == "yellow"  # 25% against 41.7%
    bad = api.get("/api/v1/projects/lights?as_of=2019-02-30")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "as_of"


def test_lights_come_a_page_at_a_time_by_code_with_the_count_of_all(api, project, org):
    other = make_project(
        "韩国蔚山机电汽车天窗项目", moves=STARTED, responsible_department=org["investment"]
    )
    project_set_key_levels(project=other, year=2019, levels=[KeyLevel.CITY])
    _fill(api, project, "2019-09", 3000)
    url = "/api/v1/projects/lights?as_of=2019-10-31&limit=1"

    first = api.get(url).json()
    second = api.get(f"{url}&offset=1").json()

    assert first["count"] == second["count"] == 2
    (one,), (two,) = first["items"], second["items"]
    assert [one["project_code"], two["project_code"]] == sorted([project.code, other.code])
    ours = one if one["project_id"] == project.pk else two
    assert (ours["invested_year"], ours["report_month"]) == ("3000.00", "2019-09")
    assert api.get(f"{url}&offset=2").json() == {"items": [], "count": 2}


def test_milestones_are_planned_changed_and_completed(api, project):
    created = api.post(
        "/api/v1/projects/milestones",
        {"project_id": project.pk, "name": "主体封顶", "planned_on": "2019-09-30"},
        content_type=JSON,
    )
    assert created.status_code == 201, created.content
    milestone = created.json()
    assert milestone["order"] == 1 and milestone["overdue"] is True
    moved = api.patch(
        f"/api/v1/projects/milestones/{milestone['id']}",
        {"version": milestone["version"], "planned_on": "2019-10-31", "responsible_person": "韩冰"},
        content_type=JSON,
    )
    assert moved.status_code == 200 and moved.json()["planned_on"] == "2019-10-31"
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    refused = api.post(
        f"/api/v1/projects/milestones/{milestone['id']}/complete",
        {"version": moved.json()["version"], "actual_on": future},
        content_type=JSON,
    )
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "actual_on"
    done = api.post(
        f"/api/v1/projects/milestones/{milestone['id']}/complete",
        {"version": moved.json()["version"], "actual_on": "2019-10-28"},
        content_type=JSON,
    )
    assert done.status_code == 200 and done.json()["actual_on"] == "2019-10-28"
    stale = api.patch(
        f"/api/v1/projects/milestones/{milestone['id']}",
        {"version": milestone["version"], "note": "旧版本"},
        content_type=JSON,
    )
    assert stale.status_code == 409
    overdue = api.get("/api/v1/projects/milestones?overdue_as_of=2019-10-15").json()
    assert overdue["count"] == 0
    assert api.get("/api/v1/projects/milestones?overdue_as_of=2019-11-01").json()["count"] == 0
    assert Milestone.objects.get().actual_on == date(2019, 10, 28)


def test_milestone_list_query_count_does_not_grow(
    api, project, officer, django_assert_max_num_queries
):
    for index in range(3):
        milestone_create(project=project, name=f"节点{index}", planned_on=date(2019, 3, 1), by=None)
    with django_assert_max_num_queries(20) as few:
        api.get("/api/v1/projects/milestones")
    for index in range(20):
        milestone_create(project=project, name=f"更多{index}", planned_on=date(2019, 3, 1), by=None)
    with django_assert_max_num_queries(len(few.captured_queries)):
        api.get("/api/v1/projects/milestones")


def test_annual_plans_are_set_and_listed(api, project, elsewhere):
    adjusted = api.post(
        "/api/v1/projects/annual-plans",
        {"project_id": project.pk, "year": 2019, "planned_investment": "65000", "version": 1},
        content_type=JSON,
    )
    assert adjusted.status_code == 200, adjusted.content
    assert adjusted.json()["planned_investment"] == "65000.00"
    stale = api.post(
        "/api/v1/projects/annual-plans",
        {"project_id": project.pk, "year": 2019, "planned_investment": "1", "version": 1},
        content_type=JSON,
    )
    assert stale.status_code == 409
    new = api.post(
        "/api/v1/projects/annual-plans",
        {"project_id": project.pk, "year": 2020, "planned_investment": "55000"},
        content_type=JSON,
    )
    assert new.status_code == 200
    refused = api.post(
        "/api/v1/projects/annual-plans",
        {"project_id": elsewhere.pk, "year": 2020, "planned_investment": "1"},
        content_type=JSON,
    )
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "project_id"
    listing = api.get("/api/v1/projects/annual-plans?year=2020").json()
    assert [item["planned_investment"] for item in listing["items"]] == ["55000.00"]


def test_command_hqs_through_the_api(org, project):
    admin_user = make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]])
    leader = make_user(RoleCode.LEADER, departments=[org["zone"]])
    member = make_user(RoleCode.STAFF, departments=[org["investment"]])
    api = Client()
    api.force_login(admin_user)

    created = api.post(
        "/api/v1/projects/command-hqs",
        {
            "name": "中商高科·沧州产业园建设指挥部",
            "commander_id": leader.pk,
            "member_ids": [member.pk],
            "project_ids": [project.pk],
            "established_on": "2019-02-18",
        },
        content_type=JSON,
    )
    assert created.status_code == 201, created.content
    hq = created.json()
    assert hq["member_ids"] == [member.pk] and hq["project_ids"] == [project.pk]
    assert hq["commander_name"] == str(leader)
    bad = api.post(
        "/api/v1/projects/command-hqs",
        {"name": "另一个指挥部", "commander_id": leader.pk, "member_ids": [999999]},
        content_type=JSON,
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "member_ids"
    changed = api.patch(
        f"/api/v1/projects/command-hqs/{hq['id']}",
        {"version": hq["version"], "member_ids": [member.pk, leader.pk], "duties": "统筹"},
        content_type=JSON,
    )
    assert changed.status_code == 200
    assert sorted(changed.json()["member_ids"]) == sorted([member.pk, leader.pk])
    stale = api.patch(
        f"/api/v1/projects/command-hqs/{hq['id']}",
        {"version": hq["version"], "duties": "旧"},
        content_type=JSON,
    )
    assert stale.status_code == 409
    listing = api.get("/api/v1/projects/command-hqs").json()
    assert listing["count"] == 1
    assert CommandHQ.objects.get().duties == "统筹"


def test_an_enterprise_user_cannot_read_the_lights_or_reports(org):
    from zoneops.common.services import record_save
    from zoneops.enterprises.models import Enterprise

    firm = record_save(instance=Enterprise(name="嘉诚汽车内饰"), by=None)
    user = make_user(RoleCode.ENTERPRISE, enterprise=firm)
    api = Client()
    api.force_login(user)

    assert api.get("/api/v1/projects/lights").status_code == 403
    assert api.get("/api/v1/projects/progress-reports").status_code == 403
    assert api.get("/api/v1/projects/progress-reports/missing").status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/projects/",
        "/api/v1/projects/annual-plans?year=2019",
        "/api/v1/projects/progress-reports",
        "/api/v1/projects/progress-reports/missing?month=2019-10",
        "/api/v1/projects/lights?as_of=2019-10-15&year=2019",
        "/api/v1/projects/command-hqs",
    ],
)
def test_project_lists_query_count_does_not_grow_with_rows(
    url, api, org, officer, django_assert_max_num_queries
):
    def grow(n):
        for index in range(n):
            project = make_project(
                f"增长项目{index}-{Project.objects.count()}",
                investment=1000,
                moves=STARTED,
                responsible_department=org["investment"],
            )
            project_set_key_levels(project=project, year=2019, levels=[KeyLevel.CITY])
            annual_plan_set(project=project, year=2019, planned_investment=500, by=officer)
            milestone_create(project=project, name="开工", planned_on=date(2019, 3, 1), by=None)
            _fill(api, project, "2019-09", 100)

    grow(2)
    assert api.get(url).status_code == 200
    with django_assert_max_num_queries(30) as few:
        api.get(url)
    few_count = len(few.captured_queries)  # the next request resets the connection's log
    grow(8)
    with django_assert_max_num_queries(few_count):
        assert api.get(url).status_code == 200


def test_a_dropped_projects_milestone_is_not_flagged_overdue(api, org, project):
    dropped = make_project(
        "终止项目",
        moves=[(Stage.LEAD, date(2019, 1, 10)), (Stage.TERMINATED, date(2019, 5, 6))],
        responsible_department=org["investment"],
    )
    milestone_create(project=dropped, name="土地摘牌", planned_on=date(2019, 3, 31), by=None)
    milestone_create(project=project, name="主体封顶", planned_on=date(2019, 3, 31), by=None)

    listed = api.get("/api/v1/projects/milestones").json()["items"]

    assert {row["project_name"]: row["overdue"] for row in listed} == {
        "终止项目": False,
        "中商高科·沧州产业园（一期）": True,
    }
    overdue = api.get("/api/v1/projects/milestones?overdue_as_of=2019-05-06").json()
    assert [row["project_name"] for row in overdue["items"]] == ["中商高科·沧州产业园（一期）"]

import io
from datetime import date
from decimal import Decimal

import pytest
import xlsxwriter
from django.contrib.auth.models import Permission
from django.test import Client

from zoneops.enterprises.enums import LiaisonKind, LiaisonLevel
from zoneops.enterprises.models import Enterprise, EnterpriseFigure, LiaisonAssignment
from zoneops.enterprises.tests.factories import (
    make_enterprise,
    make_liaison,
    make_monthly_figures,
    valid_credit_code,
)
from zoneops.meetings.tests.factories import make_problem
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.models import Role
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.tests.factories import make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(org):
    return make_user(RoleCode.STAFF, departments=[org["investment"]])


@pytest.fixture
def leader(org):
    return make_user(RoleCode.LEADER, departments=[org["zone"]])


@pytest.fixture
def stats(org):
    return make_user(RoleCode.STATISTICIAN, departments=[org["zone"]])


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_officer_registers_reads_and_updates_an_enterprise(officer):
    client = client_for(officer)
    code = valid_credit_code()
    created = client.post(
        "/api/v1/enterprises/",
        {
            "name": "嘉诚汽车内饰",
            "credit_code": code.lower(),
            "registered_capital": "3000",
            "is_above_scale_industry": True,
            "industry_code": "c3670",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["credit_code"], body["industry_code"], body["version"]) == (code, "C3670", 1)
    assert body["is_above_scale_industry"] is True
    url = f"/api/v1/enterprises/{body['id']}"
    assert client.get(url).json()["name"] == "嘉诚汽车内饰"

    changed = client.patch(
        url, {"version": 1, "address": "沧州经济开发区"}, content_type="application/json"
    )
    assert changed.status_code == 200 and changed.json()["version"] == 2
    stale = client.patch(url, {"version": 1, "address": "别处"}, content_type="application/json")
    assert stale.status_code == 409
    assert "已被他人修改" in stale.json()["message"]
    assert Enterprise.objects.get(pk=body["id"]).address == "沧州经济开发区"


def test_a_bad_credit_code_is_refused_with_the_field_and_reason(officer):
    response = client_for(officer).post(
        "/api/v1/enterprises/",
        {"name": "某企业", "credit_code": "91110000600037341A"},
        content_type="application/json",
    )
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "credit_code"
    assert "统一社会信用代码" in error["message"] and "校验码不符" in error["message"]


def test_the_list_filters_by_flags_and_search_and_shows_active_liaisons(officer, leader):
    korean = make_enterprise("韩国株山", country="韩国", is_above_scale_industry=True)
    make_enterprise("龙山汽车配件")
    make_liaison(korean, person=leader, started_on=date(2019, 1, 1))
    client = client_for(officer)
    body = client.get("/api/v1/enterprises/?is_above_scale_industry=true").json()
    assert [item["name"] for item in body["items"]] == ["韩国株山"]
    assert body["items"][0]["liaisons"][0]["person_id"] == leader.pk
    found = client.get(f"/api/v1/enterprises/?q={korean.credit_code.lower()}").json()
    assert [item["name"] for item in found["items"]] == ["韩国株山"]


def test_the_list_query_count_does_not_grow_with_rows(
    officer, leader, django_assert_max_num_queries
):
    client = client_for(officer)

    def grow(n):
        for _ in range(n):
            enterprise = make_enterprise()
            make_liaison(enterprise, person=leader, started_on=date(2019, 1, 1))

    grow(2)
    client.get("/api/v1/enterprises/")
    with django_assert_max_num_queries(20) as few:
        client.get("/api/v1/enterprises/")
    grow(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/api/v1/enterprises/").json()["count"] == 22


def test_figures_come_with_previous_year_and_yoy(stats):
    enterprise = make_enterprise()
    make_monthly_figures(enterprise, year=2018, monthly_revenue=100)
    make_monthly_figures(enterprise, year=2019, monthly_revenue=125)
    client = client_for(stats)

    listed = client.get("/api/v1/enterprises/figures?year=2019&month=10").json()
    assert listed["count"] == 1
    item = listed["items"][0]
    assert item["period_label"] == "2019年1-10月"
    assert Decimal(item["values"]["revenue"]) == Decimal(1250)
    assert Decimal(item["previous"]["revenue"]) == Decimal(1000)
    assert Decimal(item["yoy"]["revenue"]) == Decimal(25)

    series = client.get(f"/api/v1/enterprises/{enterprise.pk}/figures?year=2019").json()
    assert Decimal(series[4]["month_values"]["revenue"]) == Decimal(125)
    total = client.get("/api/v1/enterprises/figures/total?year=2019").json()
    assert Decimal(total["values"]["revenue"]) == Decimal(1500)
    assert Decimal(total["yoy"]["revenue"]) == Decimal(25)


def test_figures_list_query_count_does_not_grow(stats, django_assert_max_num_queries):
    client = client_for(stats)
    make_monthly_figures(make_enterprise(), year=2019, monthly_revenue=1, months=2)
    client.get("/api/v1/enterprises/figures")
    with django_assert_max_num_queries(20) as few:
        client.get("/api/v1/enterprises/figures")
    for _ in range(5):
        make_monthly_figures(make_enterprise(), year=2019, monthly_revenue=1, months=6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/api/v1/enterprises/figures").json()["count"] == 32


def test_an_officer_puts_a_period_and_a_stale_version_is_refused(officer):
    enterprise = make_enterprise(by=officer)
    client = client_for(officer)
    url = f"/api/v1/enterprises/{enterprise.pk}/figures"
    first = client.put(
        url, {"year": 2019, "month": 3, "revenue": "300"}, content_type="application/json"
    )
    assert first.status_code == 200, first.content
    assert first.json()["version"] == 1
    again = client.put(
        url,
        {"year": 2019, "month": 3, "revenue": "310", "version": 1},
        content_type="application/json",
    )
    assert again.json()["version"] == 2
    stale = client.put(
        url,
        {"year": 2019, "month": 3, "revenue": "320", "version": 1},
        content_type="application/json",
    )
    assert stale.status_code == 409
    assert EnterpriseFigure.objects.get().revenue == Decimal(310)


def test_liaison_is_assigned_listed_and_ended_through_the_api(org, leader):
    head = make_user(RoleCode.DEPARTMENT_HEAD, departments=[org["zone"]])
    enterprise = make_enterprise("北汽倍摩斯", responsible_department=org["investment"])
    client = client_for(head)
    created = client.post(
        "/api/v1/enterprises/liaisons",
        {
            "enterprise_id": enterprise.pk,
            "kind": "leader",
            "level": "province_city",
            "person_id": leader.pk,
            "started_on": "2019-01-02",
            "note": "按2019年包联名单补登",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assignment = created.json()
    assert assignment["kind_label"] == "领导包联" and assignment["enterprise_name"] == "北汽倍摩斯"
    wrong = client.post(
        "/api/v1/enterprises/liaisons",
        {"enterprise_id": enterprise.pk, "kind": "department", "started_on": "2019-01-02"},
        content_type="application/json",
    )
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["field"] == "department"

    ended = client.post(
        f"/api/v1/enterprises/liaisons/{assignment['id']}/end",
        {"version": 1, "on": "2020-06-30", "reason": "工作调整"},
        content_type="application/json",
    )
    assert ended.status_code == 200 and ended.json()["ended_on"] == "2020-06-30"
    listed = client.get("/api/v1/enterprises/liaisons?active_on=2020-07-01").json()
    assert listed["count"] == 0
    assert client.get("/api/v1/enterprises/liaisons").json()["count"] == 1


def test_my_liaison_and_coverage_endpoints(org, leader):
    enterprise = make_enterprise("瑞荣汽车")
    make_liaison(enterprise, person=leader, level=LiaisonLevel.PROVINCE_CITY)
    make_project("瑞荣汽车CKD项目", liaison_leader=leader, responsible_department=org["investment"])
    client = client_for(leader)

    mine = client.get("/api/v1/enterprises/my-liaison").json()
    assert [e["enterprise_name"] for e in mine["enterprises"]] == ["瑞荣汽车"]
    assert [p["project_name"] for p in mine["projects"]] == ["瑞荣汽车CKD项目"]

    coverage = client.get("/api/v1/enterprises/coverage").json()
    rows = {row["key"]: row["objects"] for row in coverage["rows"]}
    assert rows["projects"] == 1 and rows["province_city"] == 1


def test_my_liaison_endpoint_pages_enterprises_and_projects_alike(org, leader):
    for name in ["甲企业", "乙企业", "丙企业"]:
        make_liaison(make_enterprise(name), person=leader)
    for index in range(2):
        make_project(f"包联项目{index}", liaison_leader=leader)
    client = client_for(leader)
    every = client.get("/api/v1/enterprises/my-liaison").json()

    window = client.get("/api/v1/enterprises/my-liaison?limit=1&offset=1").json()

    assert (every["enterprises_count"], every["projects_count"]) == (3, 2)
    assert (window["enterprises_count"], window["projects_count"]) == (3, 2)
    assert window["enterprises"] == every["enterprises"][1:2]
    assert window["projects"] == every["projects"][1:2]
    # Each list pages on its own: the projects from their own offset.
    apart = client.get("/api/v1/enterprises/my-liaison?limit=1&offset=2&projects_offset=0").json()
    assert apart["enterprises"] == every["enterprises"][2:3]
    assert apart["projects"] == every["projects"][0:1]
    assert client.get("/api/v1/enterprises/my-liaison?limit=0").status_code == 422
    bad = client.get("/api/v1/enterprises/my-liaison?projects_offset=-1")
    assert bad.status_code == 422 and "projects_offset" in bad.content.decode()


def test_my_liaison_endpoint_pages_the_open_problems_and_counts_them_all(org, leader):
    project = make_project("包联项目", liaison_leader=leader)
    for day in (12, 30, 20):
        make_problem(
            project,
            f"问题{day}",
            department=org["approvals"],
            routed_on=date(2019, 10, 1),
            due_on=date(2019, 10, day),
        )
    client = client_for(leader)

    window = client.get(
        "/api/v1/enterprises/my-liaison?limit=1&problems_offset=1&on=2019-10-25"
    ).json()

    assert [problem["title"] for problem in window["problems"]] == ["问题20"]
    assert (window["problems_count"], window["problems_overdue"]) == (3, 2)
    assert window["projects"][0]["open_problems"] == 3


def _workbook(headers, *rows) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, headers)
    for index, row in enumerate(rows, start=1):
        sheet.write_row(index, 0, row)
    book.close()
    return buffer.getvalue()


def test_import_through_the_api_previews_then_confirms(officer):
    client = client_for(officer)
    data = _workbook(("统一社会信用代码", "企业名称"), (valid_credit_code(), "泰通机械设备"))
    upload = io.BytesIO(data)
    upload.name = "企业.xlsx"
    preview = client.post("/api/v1/enterprises/import/enterprises", {"file": upload})
    assert preview.status_code == 201, preview.content
    batch = preview.json()
    assert batch["summary"]["counts"]["new"] == 1
    assert not Enterprise.objects.filter(name="泰通机械设备").exists()

    done = client.post(f"/api/v1/enterprises/import/enterprises/{batch['id']}/confirm")
    assert done.status_code == 200 and done.json()["status"] == "imported"
    assert Enterprise.objects.filter(name="泰通机械设备").exists()
    exported = client.get("/api/v1/enterprises/export.xlsx")
    assert exported.status_code == 200 and exported["Content-Type"].startswith("application/vnd")


# --- An enterprise user reaches his own enterprise and nothing else -------------------------


@pytest.fixture
def own_and_other(org, leader):
    own = make_enterprise("北京现代沧州工厂")
    other = make_enterprise("其他企业")
    for enterprise in (own, other):
        make_monthly_figures(enterprise, year=2019, monthly_revenue=10, months=2)
        make_liaison(enterprise, person=leader, started_on=date(2019, 1, 1))
    user = make_user(RoleCode.ENTERPRISE, enterprise=own)
    return own, other, user


def test_an_enterprise_user_reads_only_its_own_enterprise_and_no_committee_register(
    own_and_other,
):
    own, other, user = own_and_other
    client = client_for(user)
    listed = client.get("/api/v1/enterprises/").json()
    assert [row["id"] for row in listed["items"]] == [own.pk]
    assert client.get(f"/api/v1/enterprises/{own.pk}").status_code == 200
    assert client.get(f"/api/v1/enterprises/{other.pk}").status_code == 404
    for url in (
        "/api/v1/enterprises/figures",
        "/api/v1/enterprises/liaisons",
        "/api/v1/enterprises/coverage",
        "/api/v1/enterprises/my-liaison",
    ):
        assert client.get(url).status_code == 403, url


def test_an_enterprise_user_reads_its_record_without_the_committees_remark(own_and_other, officer):
    own, _other, user = own_and_other
    own.note = "拖欠工资投诉两次，走访时注意"
    own.save()
    client = client_for(user)

    listed = client.get("/api/v1/enterprises/").json()["items"]
    detail = client.get(f"/api/v1/enterprises/{own.pk}").json()
    exported = client.get("/api/v1/enterprises/export.xlsx")

    assert [row["note"] for row in listed] == [""] and detail["note"] == ""
    assert detail["name"] == own.name  # the rest of its record, as on its profile page
    assert exported.status_code == 403  # the committee's register template
    staff = client_for(officer).get(f"/api/v1/enterprises/{own.pk}").json()
    assert staff["note"] == "拖欠工资投诉两次，走访时注意"


def test_an_enterprise_user_never_reaches_another_enterprise_even_when_granted_viewing(
    own_and_other,
):
    own, other, user = own_and_other
    role = Role.objects.get(code=RoleCode.ENTERPRISE)
    # Whatever permissions the role is given later (the self-service pages), scope still holds.
    role.group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="enterprises", codename__regex=r"^(view|change|add)_"
        )
    )
    client = client_for(user)

    listed = client.get("/api/v1/enterprises/").json()
    assert [item["id"] for item in listed["items"]] == [own.pk]
    assert client.get(f"/api/v1/enterprises/{other.pk}").status_code == 404
    assert (
        client.patch(
            f"/api/v1/enterprises/{other.pk}",
            {"version": 1, "note": "x"},
            content_type="application/json",
        ).status_code
        == 404
    )
    figures = client.get("/api/v1/enterprises/figures").json()
    assert {item["enterprise_id"] for item in figures["items"]} == {own.pk}
    assert client.get(f"/api/v1/enterprises/{other.pk}/figures?year=2019").status_code == 404
    assert (
        client.put(
            f"/api/v1/enterprises/{other.pk}/figures",
            {"year": 2019, "month": 5},
            content_type="application/json",
        ).status_code
        == 404
    )
    liaisons = client.get("/api/v1/enterprises/liaisons").json()
    assert {item["enterprise_id"] for item in liaisons["items"]} == {own.pk}
    total = client.get("/api/v1/enterprises/figures/total?year=2019&month=2").json()
    assert Decimal(total["values"]["revenue"]) == Decimal(20)  # his own only
    coverage = client.get("/api/v1/enterprises/coverage").json()
    assert coverage["enterprises_total"] == 1
    assert client.get("/api/v1/enterprises/my-liaison").json()["enterprises"] == []
    # The register's workbook (备注 and all) is the committee's template, not the enterprise's.
    assert client.get("/api/v1/enterprises/export.xlsx").status_code == 403
    other_liaison = LiaisonAssignment.objects.get(enterprise=other)
    assert (
        client.post(
            f"/api/v1/enterprises/liaisons/{other_liaison.pk}/end",
            {"version": 1, "on": "2020-01-01"},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/api/v1/enterprises/liaisons",
            {"enterprise_id": other.pk, "kind": LiaisonKind.DEPARTMENT, "started_on": "2020-01-01"},
            content_type="application/json",
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/enterprises/liaisons",
        "/api/v1/enterprises/my-liaison",
        "/api/v1/enterprises/coverage",
    ],
)
def test_liaison_endpoints_query_count_does_not_grow_with_rows(
    url, leader, org, django_assert_max_num_queries
):
    client = client_for(leader)

    def grow(n):
        for index in range(n):
            enterprise = make_enterprise()
            make_liaison(enterprise, person=leader, started_on=date(2019, 1, 1))
            make_liaison(
                enterprise,
                kind=LiaisonKind.DEPARTMENT,
                department=org["investment"],
                started_on=date(2019, 1, 1),
            )
            make_monthly_figures(enterprise, year=2019, monthly_revenue=1, months=2)
            make_project(f"包联项目{index}", liaison_leader=leader)

    grow(2)
    assert client.get(url).status_code == 200
    with django_assert_max_num_queries(25) as few:
        client.get(url)
    grow(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200

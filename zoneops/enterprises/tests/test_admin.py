import io
from datetime import date

import pytest
import xlsxwriter
from django.test import Client

from zoneops.enterprises.admin.register import MyLiaisonView
from zoneops.enterprises.enums import LiaisonLevel
from zoneops.enterprises.models import Enterprise, EnterpriseFigure, LiaisonAssignment
from zoneops.enterprises.selectors import my_liaison
from zoneops.enterprises.tests.factories import (
    make_enterprise,
    make_liaison,
    make_monthly_figures,
    valid_credit_code,
)
from zoneops.meetings.tests.factories import make_problem
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.tests.factories import make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def head(org):
    return make_user(RoleCode.DEPARTMENT_HEAD, departments=[org["investment"]])


@pytest.fixture
def leader(org):
    return make_user(RoleCode.LEADER, departments=[org["zone"]])


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(enterprise: Enterprise | None = None, **changes) -> dict:
    data = {
        "name": "",
        "credit_code": "",
        "former_names": "",
        "legal_representative": "",
        "registered_capital": "",
        "established_on": "",
        "country": "中国",
        "park": "",
        "park_unit": "",
        "responsible_department": "",
        "address": "",
        "industry": "",
        "industry_code": "",
        "contact_person": "",
        "contact_phone": "",
        "note": "",
        "liaisons-TOTAL_FORMS": "0",
        "liaisons-INITIAL_FORMS": "0",
        "figures-TOTAL_FORMS": "0",
        "figures-INITIAL_FORMS": "0",
    }
    if enterprise is not None:
        data.update(
            name=enterprise.name,
            credit_code=enterprise.credit_code or "",
            responsible_department=str(enterprise.responsible_department_id or ""),
            edit_version=str(enterprise.version),
        )
    data.update(changes)
    return data


def test_the_register_lists_with_flag_filters_and_a_fixed_number_of_queries(
    head, leader, django_assert_max_num_queries
):
    korean = make_enterprise("韩国株山", is_above_scale_industry=True)
    make_liaison(korean, person=leader, started_on=date(2019, 1, 1))
    client = client_for(head)
    page = client.get("/admin/enterprises/enterprise/?is_above_scale_industry__exact=1")
    assert page.status_code == 200
    body = page.content.decode()
    assert "韩国株山" in body and str(leader) in body
    assert "规上工业" in body and "专精特新" in body
    with django_assert_max_num_queries(40) as few:
        client.get("/admin/enterprises/enterprise/")
    for _ in range(15):
        make_liaison(make_enterprise(), person=leader, started_on=date(2019, 1, 1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/admin/enterprises/enterprise/")


def test_a_bad_credit_code_is_refused_in_the_form_with_the_reason(head):
    response = client_for(head).post(
        "/admin/enterprises/enterprise/add/",
        _form(name="某企业", credit_code="91110000600037341A"),
    )
    assert response.status_code == 200
    assert "校验码不符" in response.content.decode()
    assert not Enterprise.objects.exists()


def test_an_enterprise_is_added_with_a_liaison_row_saved_as_a_business_record(head, leader):
    code = valid_credit_code()
    response = client_for(head).post(
        "/admin/enterprises/enterprise/add/",
        _form(
            name="龙山汽车配件",
            credit_code=" ".join([code[:9], code[9:]]).lower(),
            responsible_department=str(head.departments.get().pk),
            **{
                "liaisons-TOTAL_FORMS": "1",
                "liaisons-0-kind": "leader",
                "liaisons-0-level": "province_city",
                "liaisons-0-person": str(leader.pk),
                "liaisons-0-started_on": "2019-03-01",
                "liaisons-0-note": "按2019年包联名单补登",
            },
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    enterprise = Enterprise.objects.get(name="龙山汽车配件")
    assert enterprise.credit_code == code and enterprise.created_by == head
    assignment = LiaisonAssignment.objects.get(enterprise=enterprise)
    assert (assignment.person, assignment.created_by, assignment.version) == (leader, head, 1)
    assert assignment.history.count() == 1


def test_an_inspector_liaison_row_for_a_non_inspector_is_refused_in_the_form(head, leader, org):
    enterprise = make_enterprise(responsible_department=org["investment"])
    response = client_for(head).post(
        f"/admin/enterprises/enterprise/{enterprise.pk}/change/",
        _form(
            enterprise,
            **{
                "liaisons-TOTAL_FORMS": "1",
                "liaisons-0-kind": "inspector",
                "liaisons-0-level": "district",
                "liaisons-0-person": str(leader.pk),
                "liaisons-0-started_on": "2019-03-01",
            },
        ),
    )
    assert response.status_code == 200
    assert "纪检监察干部" in response.content.decode()
    assert not LiaisonAssignment.objects.exists()


def test_a_stale_form_is_refused_and_nothing_changes(head, org):
    enterprise = make_enterprise("北汽韩一", responsible_department=org["investment"])
    client = client_for(head)
    stale = _form(enterprise, address="旧表单")
    client.post(
        f"/admin/enterprises/enterprise/{enterprise.pk}/change/", _form(enterprise, address="新")
    )
    response = client.post(f"/admin/enterprises/enterprise/{enterprise.pk}/change/", stale)
    assert response.status_code == 200
    assert "已被他人修改" in response.content.decode()
    enterprise.refresh_from_db()
    assert enterprise.address == "新"


def test_the_figures_list_shows_yoy(org):
    stats = make_user(RoleCode.STATISTICIAN, departments=[org["zone"]])
    enterprise = make_enterprise("瑞荣汽车")
    make_monthly_figures(enterprise, year=2018, monthly_revenue=100, months=2)
    make_monthly_figures(enterprise, year=2019, monthly_revenue=110, months=2)
    page = client_for(stats).get("/admin/enterprises/enterprisefigure/?year=2019")
    assert page.status_code == 200
    body = page.content.decode()
    assert "2019年1-2月" in body and "+10.00%" in body


def test_my_liaison_page_lists_what_the_leader_liaises_with(org, leader):
    enterprise = make_enterprise("嘉诚汽车内饰")
    make_liaison(enterprise, person=leader, level=LiaisonLevel.PROVINCE_CITY)
    make_project(
        "嘉诚汽车内饰项目", liaison_leader=leader, responsible_department=org["investment"]
    )
    page = client_for(leader).get("/admin/enterprises/liaisonassignment/mine/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "我的包联" in body and "嘉诚汽车内饰" in body and "嘉诚汽车内饰项目" in body
    assert "省市确定" in body


def test_my_liaison_page_pages_the_enterprises_and_says_how_many(org, leader, monkeypatch):
    monkeypatch.setattr(MyLiaisonView, "per_page", 2)
    for name in ["甲企业", "乙企业", "丙企业"]:
        make_liaison(make_enterprise(name), person=leader)
    make_project("唯一的项目", liaison_leader=leader)
    client = client_for(leader)
    url = "/admin/enterprises/liaisonassignment/mine/"
    every = [row.enterprise.name for row in my_liaison(user=leader).enterprises]

    first = client.get(url).content.decode()
    second = client.get(f"{url}?enterprises_page=2&projects_page=1").content.decode()
    past = client.get(f"{url}?enterprises_page=9").content.decode()

    assert "包联企业（3）" in first and "第 1 / 2 页，共 3 家企业" in first
    assert "?enterprises_page=2&amp;problems_page=1&amp;projects_page=1" in first
    assert all(name in first for name in every[:2]) and every[2] not in first
    assert every[2] in second and every[0] not in second and "第 2 / 2 页" in second
    assert every[2] in past  # a page past the last shows the last
    assert "唯一的项目" in second and "liaison-projects-pages" not in second
    assert 'id="liaison-problems-pages"' not in first  # no problems: no pager


def test_my_liaison_page_pages_the_open_problems(org, leader, monkeypatch):
    monkeypatch.setattr(MyLiaisonView, "per_page", 2)
    project = make_project("唯一的项目", liaison_leader=leader)
    for day in (3, 1, 2):
        make_problem(
            project,
            f"问题{day}",
            department=org["approvals"],
            routed_on=date(2019, 10, 1),
            due_on=date(2019, 10, day + 10),
        )
    client = client_for(leader)
    url = "/admin/enterprises/liaisonassignment/mine/"

    first = client.get(url).content.decode()
    past = client.get(f"{url}?problems_page=7").content.decode()

    assert "未解决的问题（3" in first and "第 1 / 2 页，共 3 个问题" in first
    assert "问题1" in first and "问题2" in first and "问题3" not in first
    assert "问题3" in past and "问题1" not in past


def test_the_sidebar_offers_my_liaison_and_the_coverage_table(leader):
    body = client_for(leader).get("/admin/").content.decode()
    assert "/admin/enterprises/liaisonassignment/mine/" in body
    assert "/admin/enterprises/liaisonassignment/coverage/" in body


def test_coverage_page_shows_the_table(org, leader):
    make_liaison(make_enterprise(), person=leader, level=LiaisonLevel.PROVINCE_CITY)
    page = client_for(leader).get("/admin/enterprises/liaisonassignment/coverage/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "工业企业包联（省市确定）" in body and "纪检监察干部包联企业" in body


def test_ending_a_liaison_in_the_back_office_keeps_the_row(head, leader, org):
    enterprise = make_enterprise(responsible_department=org["investment"])
    assignment = make_liaison(enterprise, person=leader, started_on=date(2019, 1, 1))
    client = client_for(head)
    url = f"/admin/enterprises/liaisonassignment/{assignment.pk}/end/"
    assert client.get(url).status_code == 200
    refused = client.post(url, {"on": "2018-01-01"})
    assert refused.status_code == 200 and "不能早于开始日期" in refused.content.decode()
    done = client.post(url, {"on": "2020-06-30", "reason": "工作调整"})
    assert done.status_code == 302
    assignment.refresh_from_db()
    assert assignment.ended_on == date(2020, 6, 30)


def test_import_in_the_back_office_previews_then_writes_on_confirm(head):
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["统一社会信用代码", "企业名称"])
    sheet.write_row(1, 0, [valid_credit_code(), "泰通机械设备"])
    sheet.write_row(2, 0, ["123", "代码错的企业"])
    book.close()
    client = client_for(head)
    assert client.get("/admin/enterprises/enterprise/import/").status_code == 200
    buffer.seek(0)
    buffer.name = "企业.xlsx"
    uploaded = client.post("/admin/enterprises/enterprise/import/", {"file": buffer})
    assert uploaded.status_code == 302
    preview = client.get(uploaded["Location"])
    body = preview.content.decode()
    assert "应为18位" in body and "确认导入" not in body
    assert not Enterprise.objects.exists()

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["统一社会信用代码", "企业名称"])
    sheet.write_row(1, 0, [valid_credit_code(), "泰通机械设备"])
    book.close()
    buffer.seek(0)
    buffer.name = "企业.xlsx"
    uploaded = client.post("/admin/enterprises/enterprise/import/", {"file": buffer})
    assert "确认导入" in client.get(uploaded["Location"]).content.decode()
    confirmed = client.post(uploaded["Location"])
    assert confirmed.status_code == 302
    assert Enterprise.objects.filter(name="泰通机械设备").exists()
    exported = client.get("/admin/enterprises/enterprise/export/")
    assert exported.status_code == 200


def test_figures_import_page_and_export(org, settings):
    stats = make_user(RoleCode.DEPARTMENT_HEAD, departments=[org["zone"]])
    kept = make_enterprise(responsible_department=org["zone"])
    make_monthly_figures(kept, year=2019, monthly_revenue=1, months=1, by=stats)
    client = client_for(stats)
    assert client.get("/admin/enterprises/enterprisefigure/import/").status_code == 200
    assert client.get("/admin/enterprises/enterprisefigure/export/").status_code == 200
    assert EnterpriseFigure.objects.count() == 1


def test_an_enterprise_user_cannot_reach_the_register_pages(org):
    enterprise = make_enterprise()
    user = make_user(RoleCode.ENTERPRISE, enterprise=enterprise)
    client = client_for(user)
    for url in (
        "/admin/enterprises/enterprise/",
        f"/admin/enterprises/enterprise/{enterprise.pk}/change/",
        "/admin/enterprises/liaisonassignment/mine/",
        "/admin/enterprises/liaisonassignment/coverage/",
        "/admin/enterprises/enterprise/export/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url


def test_the_add_and_change_pages_render(head, leader, org):
    enterprise = make_enterprise("北汽倍摩斯", responsible_department=org["investment"])
    make_liaison(enterprise, person=leader)
    figure = make_monthly_figures(enterprise, year=2019, monthly_revenue=1, months=1, by=head)[0]
    client = client_for(head)
    for url in (
        "/admin/enterprises/enterprise/add/",
        f"/admin/enterprises/enterprise/{enterprise.pk}/change/",
        "/admin/enterprises/enterprisefigure/add/",
        f"/admin/enterprises/enterprisefigure/{figure.pk}/change/",
        "/admin/enterprises/liaisonassignment/",
        "/admin/enterprises/liaisonassignment/add/",
    ):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    "url",
    [
        "/admin/enterprises/enterprisefigure/",
        "/admin/enterprises/liaisonassignment/",
        "/admin/enterprises/liaisonassignment/mine/",
        "/admin/enterprises/liaisonassignment/coverage/",
    ],
)
def test_figure_and_liaison_pages_query_count_does_not_grow_with_rows(
    url, leader, org, django_assert_max_num_queries
):
    client = client_for(leader)

    def grow(n):
        for index in range(n):
            enterprise = make_enterprise()
            make_liaison(enterprise, person=leader, started_on=date(2019, 1, 1))
            make_monthly_figures(enterprise, year=2019, monthly_revenue=1, months=2)
            make_project(f"包联项目{index}", liaison_leader=leader)

    grow(2)
    assert client.get(url).status_code == 200
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    grow(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200

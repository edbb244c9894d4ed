"""The back office, the API, the enterprise's pages and the catalogue's Excel, each role in its
scope, and list query counts that do not grow with rows."""

import io
import json
from datetime import date

import pytest
import time_machine
from python_calamine import CalamineWorkbook

from zoneops.approvals.enums import CaseStatus
from zoneops.approvals.excel import ServiceItemRegister
from zoneops.approvals.models import Case, ServiceItem
from zoneops.approvals.services import case_accept
from zoneops.approvals.tests.factories import make_case, make_item
from zoneops.common.importing import import_batch_confirm, import_batch_upload, import_preview
from zoneops.common.workcalendar import calendar_cache_clear
from zoneops.enterprises.tests.factories import make_enterprise
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_department, make_user, signed_in
from zoneops.projects.tests.factories import make_project

TODAY = date(2019, 10, 15)


@pytest.fixture(autouse=True)
def _frozen():
    calendar_cache_clear()
    with time_machine.travel(date(2019, 10, 15), tick=False):
        yield
    calendar_cache_clear()


@pytest.fixture
def zone(org):
    housing = make_department("住房和城乡建设局", parent=org["zone"])
    plant = make_enterprise("沧州隆泰万通管道有限公司")
    other = make_enterprise("沧州瑞荣汽车有限公司")
    item = make_item(org["approvals"], in_centre=True)
    works = make_item(housing, name="建筑工程施工许可", statutory_days=15, promised_days=7)
    project = make_project("隆泰万通高端管道装备项目", investor_enterprise=plant)
    officer = make_user(RoleCode.STAFF, departments=[org["approvals"]])
    return {
        "housing": housing,
        "plant": plant,
        "other": other,
        "item": item,
        "works": works,
        "project": project,
        "officer": officer,
    }


def _cases(zone, n=3):
    cases = []
    for day in range(n):
        case = make_case(
            zone["item"],
            enterprise=zone["plant"],
            project=zone["project"],
            received_on=date(2019, 9, 2 + day),
        )
        case_accept(case=case, by=None, on=date(2019, 9, 2 + day))
        cases.append(case)
    return cases


def test_the_officer_receives_accepts_and_concludes_in_the_back_office(zone):
    client = signed_in(zone["officer"])
    response = client.post(
        "/admin/approvals/case/add/",
        {"item": zone["item"].pk, "enterprise": zone["plant"].pk, "received": "2019-10-14"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get()
    page = client.get(f"/admin/approvals/case/{case.pk}/change/")
    assert page.status_code == 200
    assert "受理" in page.content.decode()
    response = client.post(
        f"/admin/approvals/case/{case.pk}/accept/",
        {"edit_version": case.version, "on": "2019-10-15"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    response = client.post(
        f"/admin/approvals/case/{case.pk}/decide/",
        {"edit_version": case.version, "decision": "denied", "reason": ""},
    )
    assert response.status_code == 200 and "不予许可须写明理由" in response.content.decode()


def test_a_person_with_a_wrong_id_number_is_refused_on_the_add_form(zone):
    client = signed_in(zone["officer"])
    response = client.post(
        "/admin/approvals/case/add/",
        {
            "item": zone["item"].pk,
            "applicant_name": "张三",
            "applicant_id_number": "130902199001011231",
        },
    )
    assert response.status_code in (200, 302)
    assert not Case.objects.exists()


def test_the_lists_and_pages_read_in_fixed_queries(zone, django_assert_max_num_queries, settings):
    settings.ZONEOPS_CACHE_SECONDS = 0  # the computation's queries, not the cache's hit
    _cases(zone, 2)
    client = signed_in(zone["officer"])
    for url in (
        "/admin/approvals/case/",
        "/admin/approvals/case/overdue/",
        "/admin/approvals/case/figures/",
        "/api/v1/approvals/cases/",
    ):
        client.get(url)
        with django_assert_max_num_queries(40) as few:
            assert client.get(url).status_code == 200
        _cases(zone, 4)
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert client.get(url).status_code == 200


def test_the_project_page_shows_its_cases_and_marks_the_late_ones(zone, org):
    _cases(zone, 1)
    principal = make_user(RoleCode.PRINCIPAL, departments=[org["zone"]])
    page = signed_in(principal).get(f"/admin/projects/project/{zone['project'].pk}/change/")
    text = page.content.decode()
    assert page.status_code == 200
    assert 'id="project-cases"' in text and "逾期办件" in text


def test_the_figures_page_and_its_excel(zone):
    _cases(zone, 1)
    client = signed_in(zone["officer"])
    page = client.get("/admin/approvals/case/figures/?year=2019&first_month=1&last_month=10")
    assert page.status_code == 200 and "2019年1-10月政务服务情况统计表" in page.content.decode()
    custom = client.get("/admin/approvals/case/figures/?start=2019-09-01&end=2019-09-30")
    assert "2019年9月1日至2019年9月30日" in custom.content.decode()
    wrong = client.get("/admin/approvals/case/figures/?start=2019-09-30&end=2019-09-01&year=99999")
    assert wrong.status_code == 200
    export = client.get("/admin/approvals/case/figures/export/?year=2019")
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(export.content))
        .get_sheet_by_name("按部门")
        .to_python()
    )
    assert "全区合计" in [row[0] for row in rows]


def test_the_catalogue_exports_and_imports_back(zone, org):
    administrator = make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]])
    register = ServiceItemRegister()
    data = register.export(ServiceItem.objects.all(), user=administrator)
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(data))
        .get_sheet_by_name("政务服务事项")
        .to_python()
    )
    header = rows[0]
    assert header[:3] == ["事项编码", "事项名称", "实施部门"]
    plan = import_preview(register=register, data=data, user=administrator)
    assert plan.errors == [] and plan.counts["unchanged"] == 2
    # A changed promised limit above the statutory one is refused by the service, by row.
    import xlsxwriter

    def book(rows):
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
        sheet = workbook.add_worksheet("政务服务事项")
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                if value not in (None, ""):
                    sheet.write(r, c, value)
        workbook.close()
        return buffer.getvalue()

    changed = [list(row) for row in rows]
    code_row = next(row for row in changed[1:] if row[0] == zone["item"].code)
    code_row[header.index("承诺时限（工作日）")] = 30
    plan = import_preview(register=register, data=book(changed), user=administrator)
    assert [e.column for e in plan.errors] == ["承诺时限（工作日）"]
    new = [None] * len(header)
    for name, value in {
        "事项编码": "SX9999",
        "事项名称": "食品经营许可",
        "实施部门": "行政审批局",
        "事项类型": "行政许可",
        "法定时限（工作日）": 20,
        "承诺时限（工作日）": 10,
        "进驻政务服务中心": "是",
        "纳入目录日期": "2019-01-01",
    }.items():
        new[header.index(name)] = value
    plan = import_preview(register=register, data=book([header, new]), user=administrator)
    assert plan.errors == [], plan.errors
    batch = import_batch_upload(
        register=register, data=book([header, new]), filename="事项.xlsx", by=administrator
    )
    import_batch_confirm(batch=batch, register=register, by=administrator)
    assert ServiceItem.objects.get(code="SX9999").in_centre is True


def test_the_api_lists_steps_and_refuses_bad_input(zone):
    client = signed_in(zone["officer"])
    response = client.post(
        "/api/v1/approvals/cases/",
        json.dumps(
            {"item_id": zone["item"].pk, "applicant_name": "李四", "applicant_phone": "13800138000"}
        ),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    case = response.json()
    assert case["steps"] == ["accept", "refuse"]

    def step(name, **body):
        return client.post(
            f"/api/v1/approvals/cases/{case['id']}/{name}",
            json.dumps(body),
            content_type="application/json",
        )

    assert step("accept").json()["status"] == "accepted"
    assert (
        step("suspend", suspension_kind="materials", reason="补正申请表").json()["clock"]
        == "suspended"
    )
    assert step("nonsense").status_code == 400
    refused = step("decide", decision="granted")
    assert refused.status_code == 400 and "恢复计时" in refused.json()["message"]
    assert step("resume").status_code == 200
    assert step("decide", decision="granted").status_code == 200
    assert step("conclude").json()["clock"] == "concluded"
    assert (
        client.get(f"/api/v1/approvals/cases/{case['id']}").json()["events"][0]["kind"]
        == "received"
    )
    assert client.get("/api/v1/approvals/cases/99999999999999999999").status_code in (400, 404, 422)
    bad = client.post(
        "/api/v1/approvals/cases/",
        json.dumps(
            {
                "item_id": zone["item"].pk,
                "applicant_name": "王\x00五",
                "applicant_phone": "13800138000",
            }
        ),
        content_type="application/json",
    )
    assert bad.status_code in (400, 422) and bad.json()["message"]
    figures = client.get("/api/v1/approvals/figures?start=2019-01-01&end=2019-12-31").json()
    assert figures["total"]["concluded"] == 1
    assert (
        client.get("/api/v1/approvals/figures?start=2019-12-31&end=2019-01-01").status_code == 400
    )
    assert client.get("/api/v1/approvals/items/").json()["count"] == 2


def test_each_role_sees_and_works_the_cases_of_its_scope(zone, org):
    mine = _cases(zone, 1)[0]
    theirs = make_case(zone["works"], enterprise=zone["other"], received_on=date(2019, 9, 2))
    housing = make_user(RoleCode.STAFF, departments=[zone["housing"]])
    inspector = make_user(RoleCode.INSPECTOR, departments=[org["zone"]])
    plant_user = make_user(RoleCode.ENTERPRISE, enterprise=zone["plant"])

    def ids(user):
        return {
            row["id"] for row in signed_in(user).get("/api/v1/approvals/cases/").json()["items"]
        }

    assert ids(zone["officer"]) == {mine.pk}
    assert ids(housing) == {theirs.pk}
    assert ids(inspector) == {mine.pk, theirs.pk}
    assert ids(plant_user) == {mine.pk}
    # Reading is not writing: the inspector and the housing officer cannot take a step.
    for user in (inspector, housing, plant_user):
        response = signed_in(user).post(
            f"/api/v1/approvals/cases/{mine.pk}/review", "{}", content_type="application/json"
        )
        assert response.status_code in (403, 404)


def test_the_enterprise_sees_its_own_cases_on_its_pages(zone):
    mine = _cases(zone, 1)[0]
    theirs = make_case(zone["works"], enterprise=zone["other"], received_on=date(2019, 9, 2))
    client = signed_in(make_user(RoleCode.ENTERPRISE, enterprise=zone["plant"]))
    listing = client.get("/enterprise/cases/")
    assert listing.status_code == 200 and "我的办件" in listing.content.decode()
    assert f"/enterprise/cases/{mine.pk}/" in listing.content.decode()
    detail = client.get(f"/enterprise/cases/{mine.pk}/")
    assert detail.status_code == 200 and "办理过程" in detail.content.decode()
    assert client.get(f"/enterprise/cases/{theirs.pk}/").status_code == 404
    assert "/enterprise/cases/" in client.get("/enterprise/").content.decode()


def test_the_enterprise_list_and_the_catalogue_api_read_in_fixed_queries(
    zone, org, django_assert_max_num_queries
):
    _cases(zone, 2)
    enterprise_client = signed_in(make_user(RoleCode.ENTERPRISE, enterprise=zone["plant"]))
    staff_client = signed_in(zone["officer"])
    pages = ((enterprise_client, "/enterprise/cases/"), (staff_client, "/api/v1/approvals/items/"))
    for client, url in pages:
        client.get(url)
        with django_assert_max_num_queries(40) as few:
            assert client.get(url).status_code == 200
        _cases(zone, 3)
        make_item(org["approvals"])
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert client.get(url).status_code == 200


def test_the_register_filters_late_cases_from_the_others(zone):
    late = _cases(zone, 1)[0]
    fresh = make_case(zone["item"], enterprise=zone["plant"], received_on=TODAY)
    case_accept(case=fresh, by=None, on=TODAY)
    client = signed_in(zone["officer"])

    def listed(value: str) -> set[int]:
        text = client.get("/admin/approvals/case/", {"overdue": value}).content.decode()
        return {
            case.pk for case in (late, fresh) if f"/admin/approvals/case/{case.pk}/change/" in text
        }

    assert listed("yes") == {late.pk}
    assert listed("no") == {fresh.pk}

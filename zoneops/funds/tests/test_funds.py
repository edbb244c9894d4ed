"""Support funds: the steps of an application, the totals of a period, the pages, the API, the
enterprise's own page and each role's scope."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
import xlsxwriter
from django.urls import reverse
from python_calamine import CalamineWorkbook

from zoneops.common.exceptions import ApplicationError
from zoneops.common.importing import import_confirm, import_preview
from zoneops.enterprises.tests.factories import make_enterprise
from zoneops.funds.enums import FundApplicationStatus, FundKind, FundLevel
from zoneops.funds.excel import application_register
from zoneops.funds.models import FundApplication, FundEvent, FundProgramme
from zoneops.funds.selectors import fund_totals
from zoneops.funds.services import (
    application_approve,
    application_file,
    application_pay,
    application_reject,
)
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user, signed_in
from zoneops.projects.tests.factories import make_project
from zoneops.pytest_clock import frozen_on

S = FundApplicationStatus
TODAY = date(2020, 3, 2)
YEAR_2019 = (date(2019, 1, 1), date(2019, 12, 31))


_frozen = frozen_on(TODAY)


@pytest.fixture
def zone(org):
    staff = make_user(RoleCode.STAFF, departments=[org["investment"]])
    other = make_user(RoleCode.STAFF, departments=[org["approvals"]])
    enterprise = make_enterprise("沧州示范企业")
    programme = FundProgramme.objects.create(
        name="河北省重点研发计划",
        level=FundLevel.PROVINCE,
        year=2019,
        kind=FundKind.RND,
        department=org["investment"],
    )
    return {"staff": staff, "other": other, "enterprise": enterprise, "programme": programme, **org}


def _file(zone, amount=100, **kwargs):
    kwargs.setdefault("enterprise", zone["enterprise"])
    return application_file(
        programme=zone["programme"],
        title="研发申报",
        applied_amount=amount,
        applied_on=date(2019, 3, 1),
        by=zone["staff"],
        **kwargs,
    )


def test_application_runs_from_filing_to_payment_in_parts(zone):
    application = _file(zone)
    application_approve(application=application, amount=80, on=date(2019, 6, 1), by=zone["staff"])
    application_pay(application=application, amount=30, on=date(2019, 9, 1), by=zone["staff"])
    application.refresh_from_db()
    assert application.status == S.PART_PAID and application.paid_amount == 30
    application_pay(application=application, amount=50, on=date(2020, 1, 6), by=zone["staff"])
    application.refresh_from_db()
    assert application.status == S.PAID and application.paid_amount == 80
    assert list(FundEvent.objects.values_list("step", flat=True)) == [
        "apply",
        "approve",
        "pay",
        "pay",
    ]
    assert application.history.count() == 4


def test_amounts_are_bounded_and_ordered(zone):
    with pytest.raises(ApplicationError) as error:
        _file(zone, amount=10**12)
    assert error.value.field == "applied_amount"
    application = _file(zone)
    with pytest.raises(ApplicationError, match="不能超过申报金额"):
        application_approve(application=application, amount=101, on=date(2019, 6, 1), by=None)
    with pytest.raises(ApplicationError, match="不能早于"):
        application_approve(application=application, amount=50, on=date(2019, 2, 1), by=None)
    application_approve(application=application, amount=50, on=date(2019, 6, 1), by=None)
    with pytest.raises(ApplicationError, match="尚未拨付的部分"):
        application_pay(application=application, amount=51, on=date(2019, 7, 1), by=None)
    with pytest.raises(ApplicationError, match="不能登记"):
        application_reject(application=application, reason="x", on=date(2019, 7, 1), by=None)
    assert FundApplication.objects.get().status == S.APPROVED


def test_applicant_is_an_enterprise_or_a_project_not_both(zone):
    project = make_project("测试项目")
    with pytest.raises(Exception, match="二者选一"):
        _file(zone, project=project)
    with pytest.raises(Exception, match="二者选一"):
        _file(zone, enterprise=None)


def test_totals_by_level_read_payments_by_their_day(zone, django_assert_max_num_queries):
    city = FundProgramme.objects.create(
        name="沧州市招商引资奖励",
        level=FundLevel.CITY,
        year=2019,
        kind=FundKind.AWARD,
        department=zone["investment"],
    )
    for programme in (zone["programme"], city):
        zone["programme"] = programme
        application = _file(zone)
        application_approve(application=application, amount=100, on=date(2019, 6, 1), by=None)
        application_pay(application=application, amount=60, on=date(2019, 9, 1), by=None)
        application_pay(application=application, amount=40, on=date(2020, 1, 6), by=None)
    with django_assert_max_num_queries(4):
        totals = fund_totals(start=YEAR_2019[0], end=YEAR_2019[1])
    paid = {row.key: row.paid for row in totals.by_level}
    assert paid == {"central": 0, "province": 60, "city": 60, "district": 0}
    assert totals.total.projects_won == 1 and totals.total.won == 2
    assert totals.total.approved == 200


def test_statistics_page_and_export(zone, django_assert_max_num_queries):
    application = _file(zone)
    application_approve(application=application, amount=100, on=date(2019, 6, 1), by=None)
    application_pay(application=application, amount=100, on=date(2019, 9, 1), by=None)
    client = signed_in(zone["staff"])
    url = reverse("admin:funds_fundapplication_statistics")
    with django_assert_max_num_queries(20):
        response = client.get(url, {"year": 2019, "first_month": 1, "last_month": 12})
    assert response.status_code == 200
    assert "争取并拨付各级扶持资金 0.01 亿元" in response.content.decode()
    assert client.get(url, {"year": 99999, "first_month": "x"}).status_code == 200
    export = client.get(
        reverse("admin:funds_fundapplication_statistics_export"),
        {"year": 2019, "first_month": 1, "last_month": 12},
    )
    sheet = CalamineWorkbook.from_filelike(BytesIO(export.content)).get_sheet_by_index(0)
    rows = sheet.to_python()
    assert any(row[0] == "省级" and row[5] == 100 for row in rows)


def test_step_pages_call_the_services(zone):
    application = _file(zone)
    client = signed_in(zone["staff"])
    url = reverse("admin:funds_fundapplication_approve", args=[application.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"on": "2019-06-01", "amount": "200", "edit_version": 1})
    assert "不能超过申报金额" in response.content.decode()
    client.post(url, {"on": "2019-06-01", "amount": "90", "edit_version": 1})
    application.refresh_from_db()
    assert application.status == S.APPROVED
    change = client.get(reverse("admin:funds_fundapplication_change", args=[application.pk]))
    assert change.status_code == 200
    # A colleague's form opened before the approval: sent after it, it says the application
    # was changed meanwhile (not 403), and nothing changes; sent again unchanged, it says why
    # the step is closed.
    stale = client.post(url, {"on": "2019-06-02", "amount": "80", "edit_version": 1})
    assert stale.status_code == 200
    assert "已被他人修改（当前版本 2）" in stale.content.decode()
    again = client.post(url, {"on": "2019-06-02", "amount": "80", "edit_version": 2})
    assert again.status_code == 200 and "不能登记" in again.content.decode()
    application.refresh_from_db()
    assert (application.version, application.approved_amount) == (2, 90)


def test_scope_staff_reads_its_department_enterprise_its_own(zone, django_assert_max_num_queries):
    project = make_project("有投资方的项目", investor_enterprise=zone["enterprise"])
    _file(zone)
    _file(zone, enterprise=None, project=project)
    outsider = make_enterprise("别家企业")
    _file(zone, enterprise=outsider)
    api = "/api/v1/funds/applications"
    assert signed_in(zone["staff"]).get(api).json()["count"] == 3
    assert signed_in(zone["other"]).get(api).json()["count"] == 0
    owner = make_user(RoleCode.ENTERPRISE, enterprise=zone["enterprise"])
    page = signed_in(owner)
    with django_assert_max_num_queries(20):
        response = page.get(reverse("selfservice:fund_applications"))
    assert response.status_code == 200
    assert response.content.decode().count("研发申报") == 2
    # The enterprise reads its applications; it does not write them.
    first = FundApplication.objects.filter(owner_enterprise=zone["enterprise"]).first()
    refused = page.post(
        f"{api}/{first.pk}/approve", {"version": 1, "amount": 1}, content_type="application/json"
    )
    assert refused.status_code == 403
    # The enterprise's and the project's pages show the panel.
    client = signed_in(make_user(RoleCode.ADMINISTRATOR))
    for url in (
        reverse("admin:enterprises_enterprise_change", args=[zone["enterprise"].pk]),
        reverse("admin:projects_project_change", args=[project.pk]),
    ):
        assert "扶持资金申报" in client.get(url).content.decode()


def test_api_files_steps_and_refuses_bad_input(zone, django_assert_max_num_queries):
    client = signed_in(zone["staff"])
    api = "/api/v1/funds/applications"
    body = {
        "programme_id": zone["programme"].pk,
        "title": "API 申报",
        "enterprise_id": zone["enterprise"].pk,
        "applied_amount": 100,
        "applied_on": "2019-03-01",
    }
    created = client.post(api, body, content_type="application/json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    for bad in (
        {**body, "applied_amount": 10**15},
        {**body, "applied_on": "9999-01-01"},
        {**body, "programme_id": 2**70},
        {**body, "title": "a\x00b"},
        {**body, "project_id": make_project().pk},
    ):
        response = client.post(api, bad, content_type="application/json")
        assert 400 <= response.status_code < 500, (bad, response.content)
    approve = client.post(
        f"{api}/{pk}/approve",
        {"version": 1, "amount": 80, "on": "2019-06-01"},
        content_type="application/json",
    )
    assert approve.json()["status"] == "approved"
    stale = client.post(
        f"{api}/{pk}/pay",
        {"version": 1, "amount": 10, "on": "2019-09-01"},
        content_type="application/json",
    )
    assert stale.status_code == 409
    for _ in range(3):
        _file(zone)
    with django_assert_max_num_queries(12):
        listed = client.get(api)
    assert listed.json()["count"] == 4
    totals = client.get("/api/v1/funds/totals", {"year": 2019})
    assert totals.status_code == 200 and Decimal(totals.json()["total"]["approved"]) == 80
    assert (
        client.get(
            "/api/v1/funds/totals", {"year": 2019, "first_month": 5, "last_month": 2}
        ).status_code
        == 400
    )


def _sheet(data: bytes):
    return CalamineWorkbook.from_filelike(BytesIO(data)).get_sheet_by_index(0).to_python()


def test_register_exports_a_template_that_imports_back(zone):
    application = _file(zone)
    register = application_register
    data = register.export(FundApplication.objects.all(), user=zone["staff"])
    rows = _sheet(data)
    header = rows[0]
    assert header[:3] == ["申报编号", "资金项目", "申报内容"] and header[-1] == "版本号"
    assert import_preview(register=register, data=data, user=zone["staff"]).counts["unchanged"] == 1
    # A changed amount and a new row; a row naming both an enterprise and nothing is refused.
    book = BytesIO()
    sheet_book = xlsxwriter.Workbook(book, {"in_memory": True})
    sheet = sheet_book.add_worksheet("扶持资金申报")
    for column, name in enumerate(header):
        sheet.write(0, column, name)
    first = list(rows[1])
    first[header.index("申报金额（万元）")] = 150
    new = ["", "河北省重点研发计划", "新申报", "沧州示范企业", "", 60, "2019-04-01"]
    for index, values in enumerate((first, new), start=1):
        for column, value in enumerate(values):
            if value not in ("", None):
                sheet.write(index, column, value)
    sheet_book.close()
    data = book.getvalue()
    plan = import_preview(register=register, data=data, user=zone["staff"])
    assert plan.errors == [], plan.errors
    assert (plan.counts["new"], plan.counts["updated"]) == (1, 1)
    done = import_confirm(register=register, data=data, user=zone["staff"])
    assert done.errors == [] and done.written == {"created": 1, "updated": 1}
    application.refresh_from_db()
    assert application.applied_amount == 150 and application.version == 2
    assert FundApplication.objects.get(title="新申报").events.get().step == "apply"


def test_lists_do_not_grow_with_rows(zone, django_assert_max_num_queries):
    for _ in range(5):
        _file(zone)
    client = signed_in(zone["staff"])
    with django_assert_max_num_queries(25):
        assert client.get(reverse("admin:funds_fundapplication_changelist")).status_code == 200
    with django_assert_max_num_queries(25):
        export = client.get(reverse("admin:funds_fundapplication_excel_export"))
    assert len(_sheet(export.getvalue())) == 6
    with django_assert_max_num_queries(25):
        assert client.get(reverse("admin:funds_fundprogramme_changelist")).status_code == 200


def test_admin_add_files_through_the_service(zone):
    client = signed_in(zone["staff"])
    url = reverse("admin:funds_fundapplication_add")
    body = {
        "programme": zone["programme"].pk,
        "title": "后台申报",
        "enterprise": zone["enterprise"].pk,
        "applied_amount": "120",
        "applied_on": "2019-05-06",
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
    }
    refused = client.post(url, {**body, "applied_amount": "1e20"})
    assert refused.status_code == 200 and not FundApplication.objects.exists()
    response = client.post(url, body)
    assert response.status_code == 302
    application = FundApplication.objects.get()
    assert application.owner_enterprise == zone["enterprise"]
    assert application.events.get().step == "apply"


def test_only_the_programmes_department_files_its_applications_whichever_edge(zone):
    with pytest.raises(ApplicationError, match="只能为本部门对口的资金项目登记申报") as refused:
        application_file(
            programme=zone["programme"],
            title="研发申报",
            applied_amount=100,
            applied_on=date(2019, 3, 1),
            enterprise=zone["enterprise"],
            by=zone["other"],
        )
    assert refused.value.field == "programme"
    assert not FundApplication.objects.exists()

"""Amounts of projects, annual plans and monthly reports stay within their declared bounds —
in the API, the back office, the importer and the services — and the largest allowed amount
reads back exactly everywhere (SQLite keeps 15 significant digits of a decimal)."""

import io
from datetime import date
from decimal import Decimal

import pytest
import python_calamine
from django.test import Client

from zoneops.common.exceptions import ApplicationError
from zoneops.common.importing import import_preview
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.enums import KeyLevel, Stage
from zoneops.projects.excel import progress_report_register, project_register
from zoneops.projects.models import AnnualPlan, ProgressReport, Project
from zoneops.projects.services import project_set_key_levels
from zoneops.projects.services.scheduling import (
    annual_plan_set,
    progress_report_save,
    progress_report_start,
)
from zoneops.projects.tests.factories import make_project
from zoneops.projects.tests.test_excel_projects import read, write

JSON = "application/json"
# What a refusal of an amount in 万元 adds after the bound (common.amounts).
WAN_HINT = "：请检查是否多填了位数，或误按“元”而不是“万元”填写。"
STARTED = [(Stage.SIGNED, date(2018, 1, 8)), (Stage.STARTED, date(2018, 3, 1))]
TOO_BIG = f"“总投资”不能超过 10,000,000 万元（1000亿元）{WAN_HINT}"
# What a client may send for an amount too large to store: above the bound, the 16 digits that
# SQLite gave back altered (or could not read at all), and what a fuzzer sends.
BEYOND = ["10000000.01", "99999999999999.99", "12345678901234.56", 1e26, 1.2529992268297637e308]


@pytest.fixture
def officer(org):
    return make_user(RoleCode.STAFF, departments=[org["investment"]])


@pytest.fixture
def client(officer):
    client = Client()
    client.force_login(officer)
    return client


@pytest.fixture
def largest(officer, org):
    """A key project whose every amount is the largest its field allows (or a cent below)."""
    project = make_project(
        "千亿级石化基地",
        investment=Decimal("10000000.00"),
        fixed_asset_investment=Decimal("9999999.99"),
        foreign_investment_usd=Decimal("999999.99"),
        expected_output=Decimal("9999999.99"),
        expected_tax=Decimal("9876543.21"),
        moves=STARTED,
        responsible_department=org["investment"],
    )
    project_set_key_levels(project=project, year=2019, levels=[KeyLevel.PROVINCE])
    annual_plan_set(project=project, year=2019, planned_investment="9999999.99", by=officer)
    report = progress_report_start(
        project=project, month=date(2019, 10, 1), by=officer, opening_total="9000000.00"
    )
    progress_report_save(
        report=report,
        invested_month="999999.99",
        progress="主体施工",
        problems="",
        next_steps="",
        by=officer,
        expected_version=report.version,
    )
    return project


def _cells(response, sheet: str) -> list[list]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    return workbook.get_sheet_by_name(sheet).to_python()


def _column(rows: list[list], header: str) -> list[Decimal]:
    index = rows[0].index(header)
    return [Decimal(repr(row[index])) for row in rows[1:]]


def test_the_largest_amounts_read_back_exactly_in_lists_exports_and_the_api(client, largest):
    report = ProgressReport.objects.get(project=largest)

    # The API, from the database.
    project = client.get(f"/api/v1/projects/{largest.pk}").json()
    assert project["total_investment"] == "10000000.00"
    listed = client.get("/api/v1/projects/").json()["items"]
    assert [item["total_investment"] for item in listed] == ["10000000.00"]
    plans = client.get("/api/v1/projects/annual-plans").json()["items"]
    assert [plan["planned_investment"] for plan in plans] == ["9999999.99"]
    reports = client.get("/api/v1/projects/progress-reports").json()["items"]
    assert [(r["invested_month"], r["invested_total"], r["year_plan"]) for r in reports] == [
        ("999999.99", "9999999.99", "9999999.99")
    ]
    summary = client.get("/api/v1/projects/summary?year=2019").json()
    assert summary["total"]["investment_wan"] == "10000000.00"

    # The back-office lists.
    assert "9999999.99万元" in client.get("/admin/projects/annualplan/").content.decode()
    page = client.get("/admin/projects/progressreport/").content.decode()
    assert "999999.99万元" in page and "1000亿元" in page
    assert "1000亿元" in client.get("/admin/projects/project/").content.decode()
    form = client.get(f"/admin/projects/project/{largest.pk}/change/").content.decode()
    assert 'value="9876543.21"' in form and 'value="999999.99"' in form

    # The exports, as Excel reads them.
    rows = _cells(client.get("/admin/projects/project/excel-export/"), "招商项目")
    assert _column(rows, "总投资（万元）") == [Decimal("10000000")]
    assert _column(rows, "固定资产投资（万元）") == [Decimal("9999999.99")]
    assert _column(rows, "利用外资（万美元）") == [Decimal("999999.99")]
    assert _column(rows, "预计年税收（万元）") == [Decimal("9876543.21")]
    rows = _cells(
        client.get("/admin/projects/progressreport/excel-export/?month=2019-10"), "月度调度"
    )
    assert _column(rows, "本月完成投资（万元）") == [report.invested_month]
    assert _column(rows, "开工累计完成投资（万元）") == [Decimal("9999999.99")]


@pytest.mark.parametrize("amount", BEYOND, ids=str)
def test_an_amount_beyond_its_bound_is_refused_by_the_api_and_nothing_is_stored(
    client, org, amount
):
    response = client.post(
        "/api/v1/projects/", {"name": "超大项目", "total_investment": amount}, content_type=JSON
    )

    assert response.status_code == 422, response.content
    assert response.json()["errors"] == [{"field": "total_investment", "message": TOO_BIG}]
    assert not Project.objects.exists()
    assert client.get("/api/v1/projects/").status_code == 200


def test_a_change_beyond_the_bound_is_refused_and_the_project_reads_on(client, largest):
    response = client.patch(
        f"/api/v1/projects/{largest.pk}",
        {"version": largest.version, "fixed_asset_investment": "99999999999999.99"},
        content_type=JSON,
    )

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "fixed_asset_investment",
            "message": f"“固定资产投资”不能超过 10,000,000 万元（1000亿元）{WAN_HINT}",
        }
    ]
    assert client.get(f"/api/v1/projects/{largest.pk}").status_code == 200
    largest.refresh_from_db()
    assert largest.fixed_asset_investment == Decimal("9999999.99")


@pytest.mark.parametrize("amount", [1e26, 1.2529992268297637e308, "1e26"], ids=str)
def test_plans_and_reports_refuse_a_huge_amount_instead_of_failing(
    client, largest, officer, amount
):
    plan = client.post(
        "/api/v1/projects/annual-plans",
        {"project_id": largest.pk, "year": 2020, "planned_investment": amount},
        content_type=JSON,
    )
    assert plan.status_code == 422, plan.content
    assert (
        plan.json()["errors"][0]["message"]
        == f"“年度计划投资”不能超过 10,000,000 万元（1000亿元）{WAN_HINT}"
    )

    report = ProgressReport.objects.get(project=largest)
    saved = client.patch(
        f"/api/v1/projects/progress-reports/{report.pk}",
        {"version": report.version, "invested_month": amount},
        content_type=JSON,
    )
    assert saved.status_code == 422, saved.content
    assert (
        saved.json()["errors"][0]["message"]
        == f"“本月完成投资”不能超过 1,000,000 万元（100亿元）{WAN_HINT}"
    )

    started = client.post(
        "/api/v1/projects/progress-reports",
        {"project_id": largest.pk, "month": "2019-11", "opening_total": amount},
        content_type=JSON,
    )
    assert started.status_code == 422, started.content
    assert (
        started.json()["errors"][0]["message"]
        == f"“期初开工累计”不能超过 10,000,000 万元（1000亿元）{WAN_HINT}"
    )
    assert AnnualPlan.objects.count() == 1 and ProgressReport.objects.count() == 1


@pytest.mark.parametrize("amount", [Decimal("1E+26"), "1e308", Decimal("Infinity")], ids=str)
def test_the_services_refuse_a_huge_amount_on_its_field(largest, officer, amount):
    with pytest.raises(ApplicationError) as refused:
        annual_plan_set(project=largest, year=2020, planned_investment=amount, by=officer)
    assert refused.value.field == "planned_investment"

    report = ProgressReport.objects.get(project=largest)
    with pytest.raises(ApplicationError) as refused:
        progress_report_save(
            report=report,
            invested_month=amount,
            progress="",
            problems="",
            next_steps="",
            by=officer,
            expected_version=None,
        )
    assert refused.value.field == "invested_month"


def test_a_month_that_would_carry_the_cumulative_beyond_its_bound_is_refused(largest, officer):
    october = ProgressReport.objects.get(project=largest)
    november = progress_report_start(project=largest, month=date(2019, 11, 1), by=officer)

    # 开工累计 stands at 9999999.99: one more cent reaches the bound, two pass it.
    progress_report_save(
        report=november,
        invested_month="0.01",
        progress="设备安装",
        problems="",
        next_steps="",
        by=officer,
        expected_version=november.version,
    )
    with pytest.raises(ApplicationError) as refused:
        progress_report_save(
            report=november,
            invested_month="0.02",
            progress="设备安装",
            problems="",
            next_steps="",
            by=officer,
            expected_version=None,
        )
    assert refused.value.field == "invested_month"
    assert refused.value.message == (
        "2019年11月的累计数将超出上限："
        f"“开工累计完成投资”不能超过 10,000,000 万元（1000亿元）{WAN_HINT}"
    )

    # Correcting October upwards would carry November beyond it: refused, nothing changes.
    with pytest.raises(ApplicationError) as refused:
        progress_report_save(
            report=october,
            invested_month="1000000.00",
            progress="主体施工",
            problems="",
            next_steps="",
            by=officer,
            expected_version=None,
        )
    assert "2019年11月的累计数将超出上限" in refused.value.message
    assert ProgressReport.objects.get(pk=october.pk).invested_month == Decimal("999999.99")
    assert ProgressReport.objects.get(month=date(2019, 11, 1)).invested_total == Decimal(
        "10000000.00"
    )


def test_the_back_office_forms_refuse_beyond_the_bound_naming_the_field(client, largest):
    response = client.post(
        "/admin/projects/annualplan/add/",
        {"project": largest.pk, "year": "2021", "planned_investment": "99999999999999.99"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert f"“年度计划投资”不能超过 10,000,000 万元（1000亿元）{WAN_HINT}" in page
    assert 'max="10000000"' in client.get("/admin/projects/annualplan/add/").content.decode()

    department = largest.responsible_department
    other = make_project("新项目", moves=STARTED, responsible_department=department)
    response = client.post(
        "/admin/projects/progressreport/add/",
        {"project": other.pk, "month": "2019-10", "opening_total": "10000000.01"},
    )
    assert (
        f"“期初开工累计”不能超过 10,000,000 万元（1000亿元）{WAN_HINT}" in response.content.decode()
    )
    assert AnnualPlan.objects.count() == 1 and ProgressReport.objects.count() == 1


def test_the_importer_refuses_an_amount_beyond_its_bound_naming_the_field(largest, officer):
    rows = read(project_register.export(Project.objects.all(), user=officer))
    header = rows[0]
    rows[1][header.index("总投资（万元）")] = 10000000.01
    rows[1][header.index("预计年产值（万元）")] = "99999999999999.99"

    plan = import_preview(register=project_register, data=write(rows), user=officer)

    assert {(e.column, e.message) for e in plan.errors} == {
        ("总投资（万元）", TOO_BIG),
        (
            "预计年产值（万元）",
            f"“预计年产值”不能超过 10,000,000 万元（1000亿元）{WAN_HINT}",
        ),
    }

    report = progress_report_register
    rows = [
        ["项目编号", "月份", "本月完成投资（万元）", "期初开工累计（万元）"],
        [largest.code, "2019-09", 1000000.01, 10000000.01],
    ]
    plan = import_preview(register=report, data=write(rows, sheet="月度调度"), user=officer)
    assert {(e.column, e.message) for e in plan.errors} == {
        (
            "本月完成投资（万元）",
            f"“本月完成投资”不能超过 1,000,000 万元（100亿元）{WAN_HINT}",
        ),
        (
            "期初开工累计（万元）",
            f"“期初开工累计”不能超过 10,000,000 万元（1000亿元）{WAN_HINT}",
        ),
    }


def test_the_report_page_refuses_a_month_that_would_pass_the_cumulative_bound(
    client, largest, officer
):
    november = progress_report_start(project=largest, month=date(2019, 11, 1), by=officer)
    url = f"/admin/projects/progressreport/{november.pk}/change/"

    response = client.post(
        url,
        {
            "invested_month": "0.02",
            "progress": "设备安装",
            "problems": "",
            "next_steps": "",
            "edit_version": november.version,
            "photos-TOTAL_FORMS": "0",
            "photos-INITIAL_FORMS": "0",
        },
        follow=True,
    )

    assert response.status_code == 200
    assert (
        f"“开工累计完成投资”不能超过 10,000,000 万元（1000亿元）{WAN_HINT}"
        in response.content.decode()
    )
    november.refresh_from_db()
    assert november.invested_month == 0 and november.version == 1

"""Monthly progress reports (月度调度) in and out of Excel, through the scheduling services."""

from datetime import date
from decimal import Decimal

import pytest

from zoneops.common.importing import import_confirm, import_preview
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.enums import KeyLevel, Stage
from zoneops.projects.excel import progress_report_register
from zoneops.projects.models import KeyDesignation, ProgressReport
from zoneops.projects.services.scheduling import (
    annual_plan_set,
    progress_report_save,
    progress_report_start,
    progress_report_submit,
)
from zoneops.projects.tests.factories import make_project
from zoneops.projects.tests.test_excel_projects import errors, read, write

SEPTEMBER, OCTOBER, NOVEMBER = date(2019, 9, 1), date(2019, 10, 1), date(2019, 11, 1)
HEADER = ["项目编号", "月份", "本月完成投资（万元）", "形象进度", "存在问题", "下步计划", "状态"]


@pytest.fixture
def officer(org):
    return make_user(RoleCode.STAFF, departments=[org["investment"]])


def key_project(name, officer, org, *, plan=None):
    project = make_project(
        name,
        investment=110000,
        owner=officer,
        responsible_department=org["investment"],
        moves=[(Stage.SIGNED, date(2018, 6, 5)), (Stage.STARTED, date(2018, 10, 16))],
    )
    KeyDesignation.objects.create(project=project, year=2019, level=KeyLevel.CITY)
    if plan is not None:
        annual_plan_set(project=project, year=2019, planned_investment=Decimal(plan), by=officer)
    return project


@pytest.fixture
def projects(officer, org):
    return [
        key_project("海纳川汽车零部件产业园", officer, org, plan=24000),
        key_project("北京现代沧州工厂二期", officer, org, plan=12000),
    ]


def report(project, month, amount, by, *, submit=False):
    started = progress_report_start(project=project, month=month, by=by)
    saved = progress_report_save(
        report=started,
        invested_month=Decimal(amount),
        progress="主体施工",
        problems="",
        next_steps="主体封顶",
        by=by,
        expected_version=started.version,
    )
    if submit:
        saved = progress_report_submit(report=saved, by=by)
    return saved


def sheet(data: bytes) -> list[list]:
    return read(data, "月度调度")


def test_the_month_exports_its_reports_and_a_row_for_each_key_project_that_owes_one(
    projects, officer
):
    report(projects[0], SEPTEMBER, 2000, officer, submit=True)
    report(projects[0], OCTOBER, 1500, officer)

    rows = sheet(progress_report_register.export_month(month=OCTOBER, user=officer))

    header = rows[0]
    assert header[:4] == ["项目编号", "项目名称", "月份", "本月完成投资（万元）"]
    by_code = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    reported = by_code[projects[0].code]
    assert reported["月份"] == OCTOBER
    assert reported["本月完成投资（万元）"] == 1500
    assert reported["本年累计完成投资（万元）"] == 3500
    assert reported["状态"] == "草稿"
    owing = by_code[projects[1].code]
    assert owing["本月完成投资（万元）"] == "" and owing["版本号"] == ""
    assert owing["年度计划投资（万元）"] == 12000


def test_the_filled_template_starts_and_saves_the_months_reports(projects, officer):
    data = progress_report_register.export_month(month=OCTOBER, user=officer)
    rows = sheet(data)
    header = rows[0]
    for row in rows[1:]:
        row[header.index("本月完成投资（万元）")] = 1000
        row[header.index("形象进度")] = "钢结构安装"
        row[header.index("期初开工累计（万元）")] = 5000
        row[header.index("期初本年累计（万元）")] = 3000
    filled = write(rows, sheet="月度调度")

    plan = import_preview(register=progress_report_register, data=filled, user=officer)
    assert plan.errors == []
    assert plan.counts["new"] == 2
    assert not ProgressReport.objects.exists()

    done = import_confirm(register=progress_report_register, data=filled, user=officer)

    assert done.errors == [] and done.written == {"created": 2, "updated": 0}
    saved = ProgressReport.objects.get(project=projects[0], month=OCTOBER)
    assert saved.invested_month == Decimal(1000)
    assert saved.invested_year == Decimal(4000)  # computed by the service, never typed
    assert saved.invested_total == Decimal(6000)
    assert saved.year_plan == Decimal(24000)
    assert saved.progress == "钢结构安装"
    assert saved.status == ProgressReport.Status.DRAFT


def test_correcting_a_month_recomputes_the_months_after_it(projects, officer):
    report(projects[0], SEPTEMBER, 2000, officer, submit=True)
    later = report(projects[0], OCTOBER, 1500, officer)
    rows = [
        HEADER,
        [projects[0].code, "2019-09", 2500, "主体施工", "", "主体封顶", "已报送"],
        [projects[0].code, "2019年10月", 1500, "主体施工", "", "主体封顶", "草稿"],
    ]

    plan = import_confirm(register=progress_report_register, data=write(rows), user=officer)

    assert plan.errors == [] and plan.written == {"created": 0, "updated": 1}
    later.refresh_from_db()
    assert later.invested_year == Decimal(4000)
    assert later.version > 1  # recomputed by the service, with a history row
    assert later.history.first().history_change_reason.startswith("随2019年9月")


def test_the_services_refusals_show_in_the_preview_by_row_and_column(projects, officer):
    report(projects[0], SEPTEMBER, 2000, officer, submit=True)
    rows = [
        HEADER,
        [projects[0].code, "2019-09", 2000, "主体施工", "", "主体封顶", "草稿"],  # back to draft
        [projects[1].code, "2099-01", 100, "", "", "", ""],  # a month not yet come
        ["XM20990001", "2019-10", 100, "", "", "", ""],  # no such project
        [projects[1].code, "2019-10", -1, "", "", "", ""],  # negative
    ]

    plan = import_preview(register=progress_report_register, data=write(rows), user=officer)

    assert errors(plan) == {(2, "状态"), (4, "项目编号"), (5, "本月完成投资（万元）")}
    assert not ProgressReport.objects.filter(project=projects[1]).exists()

    fixed = [HEADER, [projects[1].code, "2099-01", 100, "", "", "", ""]]
    refused = import_preview(register=progress_report_register, data=write(fixed), user=officer)
    [error] = refused.errors
    assert (error.row, error.column) == (2, "月份")
    assert "尚未到来" in error.message
    assert not ProgressReport.objects.filter(project=projects[1]).exists()


def test_a_round_trip_of_the_month_changes_nothing(projects, officer):
    report(projects[0], OCTOBER, 1500, officer)
    report(projects[1], OCTOBER, 800, officer, submit=True)
    data = progress_report_register.export_month(month=OCTOBER, user=officer)

    plan = import_preview(register=progress_report_register, data=data, user=officer)

    assert plan.errors == []
    assert plan.counts == {"rows": 2, "new": 0, "updated": 0, "unchanged": 2, "errors": 0}


def test_submitting_through_the_status_column(projects, officer):
    draft = report(projects[0], OCTOBER, 1500, officer)
    data = progress_report_register.export_month(month=OCTOBER, user=officer)
    rows = [row for row in sheet(data) if row[0] != projects[1].code]  # not reported yet
    rows[1][rows[0].index("状态")] = "已报送"

    plan = import_confirm(
        register=progress_report_register, data=write(rows, sheet="月度调度"), user=officer
    )

    assert plan.errors == [] and plan.written == {"created": 0, "updated": 1}
    draft.refresh_from_db()
    assert draft.status == ProgressReport.Status.SUBMITTED
    assert draft.submitted_by == officer

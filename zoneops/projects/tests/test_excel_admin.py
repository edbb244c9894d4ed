"""导出 and 导入 from the back-office lists: the Django test client through the whole flow."""

import io
from datetime import date
from decimal import Decimal

import pytest
import python_calamine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from zoneops.common.models import ImportBatch
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.enums import Stage
from zoneops.projects.models import ProgressReport, Project
from zoneops.projects.tests.factories import make_project
from zoneops.projects.tests.test_excel_projects import edit, write

LIST = "/admin/projects/project/"


@pytest.fixture
def officer(org):
    return make_user(RoleCode.STAFF, departments=[org["investment"]])


@pytest.fixture
def client(officer):
    client = Client()
    client.force_login(officer)
    return client


@pytest.fixture
def projects(org, officer):
    return [
        make_project("氟化锂晶体项目", investment=60000, responsible_department=org["investment"]),
        make_project(
            "钛合金新材料项目",
            investment=12000,
            moves=[(Stage.TALKS, date(2019, 3, 1))],
            responsible_department=org["investment"],
        ),
    ]


def codes(response) -> list:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    return [row[0] for row in workbook.get_sheet_by_name("招商项目").to_python()[1:]]


def upload(client, data: bytes, name: str = "项目.xlsx"):
    return client.post(
        f"{LIST}excel-import/", {"file": SimpleUploadedFile(name, data)}, follow=True
    )


def test_the_list_has_export_and_import_buttons(client, projects):
    page = client.get(LIST).content.decode()
    assert f"{LIST}excel-export/" in page
    assert f"{LIST}excel-import/" in page


def test_export_follows_the_list_filters_and_the_data_scope(client, projects, org):
    other = make_user(RoleCode.STAFF, departments=[org["approvals"]])
    make_project("审批局的项目", responsible_department=org["approvals"], by=other)

    everything = client.get(f"{LIST}excel-export/")
    assert everything["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in everything["Content-Disposition"]
    assert everything.streaming  # sent from a temporary file, not built in memory
    assert sorted(codes(everything)) == sorted(p.code for p in projects)

    filtered = client.get(f"{LIST}excel-export/?stage__exact=talks")
    assert codes(filtered) == [projects[1].code]
    from_list = client.get(
        f"{LIST}excel-export/", HTTP_REFERER=f"http://testserver{LIST}?stage__exact=lead"
    )
    assert codes(from_list) == [projects[0].code]
    wrong = client.get(f"{LIST}excel-export/?no_such_field=1", follow=True)
    assert "列表的筛选条件无效" in wrong.content.decode()


def test_an_upload_shows_a_preview_and_writes_on_confirmation(client, projects, officer):
    exported = client.get(f"{LIST}excel-export/").getvalue()
    data = edit(exported, projects[0].code, "总投资（万元）", 65000)

    preview = upload(client, data)

    page = preview.content.decode()
    assert preview.status_code == 200
    assert "确认导入" in page and "65000" in page
    assert Project.objects.get(pk=projects[0].pk).total_investment == Decimal(60000)
    batch = ImportBatch.objects.get()
    assert batch.summary["counts"] == {
        "rows": 2,
        "new": 0,
        "updated": 1,
        "unchanged": 1,
        "errors": 0,
    }

    done = client.post(f"{LIST}excel-import/{batch.pk}/", follow=True)

    assert "已导入招商项目：新增 0 条，更新 1 条。" in done.content.decode()
    assert Project.objects.get(pk=projects[0].pk).total_investment == Decimal(65000)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTED
    again = client.post(f"{LIST}excel-import/{batch.pk}/", follow=True)
    assert "该文件已经导入过了。" in again.content.decode()
    assert Project.objects.get(pk=projects[0].pk).version == 2


def test_errors_are_listed_by_row_and_column_and_there_is_no_confirm_button(client, projects):
    rows = [
        ["项目编号", "项目名称", "总投资（万元）", "登记日期"],
        ["", "新项目", "一百万", "2019-02-30"],
    ]

    preview = upload(client, write(rows))

    page = preview.content.decode()
    assert 'id="import-errors"' in page
    assert "一百万" in page and "“总投资”应为数字。" in page
    assert "2019-02-30" in page and "不是有效的日期" in page
    assert "确认导入" not in page
    batch = ImportBatch.objects.get()
    assert [error[:2] for error in batch.summary["errors"]] == [
        [2, "总投资（万元）"],
        [2, "登记日期"],
    ]
    refused = client.post(f"{LIST}excel-import/{batch.pk}/", follow=True)
    assert "没有导入" in refused.content.decode()
    assert not Project.objects.filter(name="新项目").exists()


def test_a_file_that_is_not_a_workbook_is_explained_and_not_kept(client, settings):
    garbage = upload(client, b"not a workbook", name="项目.xlsx")
    text = upload(client, b"not a workbook", name="项目.txt")

    assert "无法读取该文件" in garbage.content.decode()
    assert "只能导入 Excel 文件" in text.content.decode()
    assert not ImportBatch.objects.exists()
    assert not any(path.is_file() for path in settings.MEDIA_ROOT.rglob("*"))


def test_someone_elses_upload_cannot_be_seen_or_confirmed(client, projects, org):
    data = write([["项目名称", "总投资（万元）"], ["别人的项目", 1]])
    colleague = make_user(RoleCode.STAFF, departments=[org["investment"]])
    other = Client()
    other.force_login(colleague)
    upload(other, data)
    batch = ImportBatch.objects.get()

    assert client.get(f"{LIST}excel-import/{batch.pk}/").status_code == 404
    assert client.post(f"{LIST}excel-import/{batch.pk}/").status_code == 404
    assert not Project.objects.filter(name="别人的项目").exists()


def test_a_user_who_may_only_read_projects_has_no_import(org, projects):
    reader = make_user(RoleCode.INSPECTOR, departments=[org["zone"]])
    client = Client()
    client.force_login(reader)

    assert f"{LIST}excel-import/" not in client.get(LIST).content.decode()
    assert client.get(f"{LIST}excel-import/").status_code == 403


def test_monthly_reports_go_out_by_the_lists_month_and_come_back_in(client, officer, org):
    from zoneops.projects.tests.test_excel_progress import key_project, sheet

    project = key_project("海纳川汽车零部件产业园", officer, org, plan=24000)
    reports = "/admin/projects/progressreport/"

    exported = client.get(f"{reports}excel-export/?month=2019-10")

    assert "2019%E5%B9%B410%E6%9C%88" in exported["Content-Disposition"]  # 2019年10月
    rows = sheet(exported.content)
    assert [row[0] for row in rows[1:]] == [project.code]
    header = rows[0]
    rows[1][header.index("本月完成投资（万元）")] = 1200
    rows[1][header.index("形象进度")] = "主体施工"
    preview = client.post(
        f"{reports}excel-import/",
        {"file": SimpleUploadedFile("十月.xlsx", write(rows, sheet="月度调度"))},
        follow=True,
    )
    assert "确认导入" in preview.content.decode()
    batch = ImportBatch.objects.get(register="progress-reports")

    done = client.post(f"{reports}excel-import/{batch.pk}/", follow=True)

    assert "已导入月度调度：新增 1 条，更新 0 条。" in done.content.decode()
    assert ProgressReport.objects.get(project=project).invested_month == Decimal(1200)


@pytest.mark.parametrize("month", ["0001-01", "2019-13"])
def test_monthly_reports_for_no_month_of_a_report_go_out_for_this_month(client, month):
    """The list's 月份 read as every edge reads a month (common.inputs.parse_month): year 1
    exported a file for 1年1月 before."""
    from urllib.parse import quote

    from django.utils import timezone

    from zoneops.projects.excel import progress_report_register

    exported = client.get(f"/admin/projects/progressreport/excel-export/?month={month}")

    title = progress_report_register.export_title(timezone.localdate())
    assert quote(title) in exported["Content-Disposition"]

"""A large workbook goes through the background path: upload → bar → preview → confirm →
records written, the worker's loop run here, in the test's process."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from zoneops.common.models import BackgroundJob, ImportBatch
from zoneops.common.tests.jobs import DATABASE_TASKS, run_worker
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.models import Project
from zoneops.projects.tests.factories import make_project
from zoneops.projects.tests.test_excel_projects import read, write

LIST = "/admin/projects/project/"
ROWS = 30


@pytest.fixture
def officer(org):
    return make_user(RoleCode.STAFF, departments=[org["investment"]])


@pytest.fixture
def client(officer):
    client = Client()
    client.force_login(officer)
    return client


@pytest.fixture
def large(settings, org, officer, client):
    """A workbook of ROWS new projects, above a background threshold of 10 rows, read in
    chunks of 7 rows."""
    settings.TASKS = DATABASE_TASKS
    settings.ZONEOPS_IMPORT_BACKGROUND_ROWS = 10
    settings.ZONEOPS_IMPORT_CHUNK_ROWS = 7
    make_project("氟化锂晶体项目", investment=60000, responsible_department=org["investment"])
    rows = read(client.get(f"{LIST}excel-export/").getvalue())
    header, model = rows[0], rows[1]
    name = header.index("项目名称")
    new = []
    for number in range(ROWS):
        row = list(model)
        row[0] = ""
        row[name] = f"批量导入项目{number:03}"
        row[header.index("补登原因")] = "历史项目补录"
        new.append(row)
    return write([header, *new])


def test_a_large_workbook_is_previewed_and_imported_in_the_background(
    client, large, officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        uploaded = client.post(
            f"{LIST}excel-import/", {"file": SimpleUploadedFile("项目.xlsx", large)}
        )
    job = BackgroundJob.objects.get()
    assert uploaded["Location"] == f"{LIST}excel-import/?job={job.pk}"
    assert not ImportBatch.objects.exists()  # nothing checked while the browser waited

    waiting = client.get(uploaded["Location"]).content.decode()
    assert f'id="job-{job.pk}"' in waiting and "hx-trigger" in waiting
    assert "导入招商项目：检查 项目.xlsx" in waiting

    run_worker()

    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.SUCCEEDED, job.message
    assert (job.done, job.total) == (ROWS, ROWS)
    batch = ImportBatch.objects.get()
    assert batch.summary["counts"]["new"] == ROWS
    bar = client.get(f"/admin/jobs/{job.pk}/status/?follow=1", headers={"HX-Request": "true"})
    assert bar["HX-Redirect"] == f"{LIST}excel-import/{batch.pk}/"
    preview = client.get(bar["HX-Redirect"]).content.decode()
    assert "确认导入" in preview, ImportBatch.objects.get().summary
    assert "预览完成" in preview

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(f"{LIST}excel-import/{batch.pk}/")
    confirm = BackgroundJob.objects.exclude(pk=job.pk).get()
    assert confirmed["Location"] == f"{LIST}excel-import/{batch.pk}/?job={confirm.pk}"
    assert Project.objects.count() == 1  # written by the worker, not the request
    page = client.get(confirmed["Location"]).content.decode()
    assert "导入招商项目：写入 项目.xlsx" in page and 'id="import-confirm"' not in page

    run_worker()

    assert Project.objects.filter(name__startswith="批量导入项目").count() == ROWS
    confirm.refresh_from_db()
    assert confirm.status == BackgroundJob.Status.SUCCEEDED
    assert confirm.message == f"已导入招商项目：新增 {ROWS} 条，更新 0 条。"
    bar = client.get(
        f"/admin/jobs/{confirm.pk}/status/?follow=1&next={LIST}excel-import/{batch.pk}/",
        headers={"HX-Request": "true"},
    )
    assert bar["HX-Redirect"] == LIST
    assert confirm.message in client.get(LIST).content.decode()


def test_a_small_workbook_stays_synchronous(client, large, settings):
    settings.ZONEOPS_IMPORT_BACKGROUND_ROWS = 5000
    uploaded = client.post(f"{LIST}excel-import/", {"file": SimpleUploadedFile("项目.xlsx", large)})
    batch = ImportBatch.objects.get()
    assert uploaded["Location"] == f"{LIST}excel-import/{batch.pk}/"
    assert not BackgroundJob.objects.exists()


def test_a_file_that_is_not_a_workbook_is_refused_before_any_job(client, large):
    refused = client.post(f"{LIST}excel-import/", {"file": SimpleUploadedFile("项目.xls", b"x")})
    assert "不能导入 .xls 文件" in refused.content.decode()
    assert not BackgroundJob.objects.exists()


def test_a_large_export_is_written_in_the_background_with_the_list_filters(
    client, org, settings, django_capture_on_commit_callbacks
):
    import io
    from datetime import date

    import python_calamine

    from zoneops.projects.enums import Stage

    settings.TASKS = DATABASE_TASKS
    settings.ZONEOPS_EXPORT_BACKGROUND_ROWS = 1
    lead = (Stage.LEAD, date(2019, 1, 1))
    for number in range(3):
        make_project(
            f"在谈项目{number}",
            moves=[lead, (Stage.TALKS, date(2019, 3, 1))],
            responsible_department=org["investment"],
        )
    make_project("线索项目", responsible_department=org["investment"])

    with django_capture_on_commit_callbacks(execute=True):
        started = client.get(f"{LIST}excel-export/?stage__exact=talks")
    job = BackgroundJob.objects.get()
    assert started["Location"] == f"/admin/jobs/{job.pk}/"
    waiting = client.get(started["Location"]).content.decode()
    assert "导出招商项目" in waiting and "hx-trigger" in waiting

    run_worker()

    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.SUCCEEDED, job.message
    assert job.total == 3 and job.filename.endswith(".xlsx")
    content = b"".join(client.get(f"/admin/jobs/{job.pk}/file/").streaming_content)
    sheet = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    names = {row[1] for row in sheet.get_sheet_by_name("招商项目").to_python()[1:]}
    assert names == {"在谈项目0", "在谈项目1", "在谈项目2"}
    # A small list is still sent at once.
    settings.ZONEOPS_EXPORT_BACKGROUND_ROWS = 5000
    assert client.get(f"{LIST}excel-export/").streaming

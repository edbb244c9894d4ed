"""Uploaded files: every one is served by the protected view, never from MEDIA_ROOT as is;
uploaded workbooks that fail their checks are not kept."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import Resolver404, clear_url_caches, resolve
from django.utils import timezone, translation

from zoneops.common.exceptions import ApplicationError
from zoneops.common.files import ProtectedFileMixin
from zoneops.common.importing import import_batch_confirm, import_batch_upload
from zoneops.common.models import ImportBatch
from zoneops.common.tests.test_importing import register, workbook
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.parks.models import Park

PARKS = [["名称", "类型", "占地面积（亩）"], ["甲园", "园区", 100]]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def administrator(org):
    return make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]])


def stored_files(settings) -> list[str]:
    root = settings.MEDIA_ROOT
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(user, data: bytes, filename: str = "园区 名单.xlsx"):
    return import_batch_upload(register=register, filename=filename, data=data, by=user)


def test_every_uploaded_file_field_is_served_by_the_protected_view():
    plain = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model.__module__.startswith("zoneops.")
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField) and not isinstance(field, ProtectedFileMixin)
    ]

    assert plain == []


def test_media_is_not_served_as_is_even_in_debug(settings):
    from zoneops.config import urls

    settings.DEBUG = True
    try:
        clear_url_caches()
        importlib.reload(urls)
        with pytest.raises(Resolver404):
            resolve(f"/{settings.MEDIA_URL}progress/2019/01/site.png")
    finally:
        settings.DEBUG = False
        importlib.reload(urls)
        clear_url_caches()


@pytest.mark.parametrize(
    "path",
    [
        "/files/orgs.user/1/username",  # not a stored file
        "/files/nothing/1/file",
        "/files/common.importbatch/999/file",
        "/files/common.importbatch/1/filename",
    ],
)
def test_what_is_not_a_stored_file_is_not_found(administrator, path):
    assert client_for(administrator).get(path).status_code == 404


def test_an_uploaded_workbook_is_downloaded_by_its_uploader_only(administrator, org):
    data = workbook(("园区", PARKS))
    batch = upload(administrator, data)
    colleague = make_user(RoleCode.STAFF, departments=[org["zone"]])

    response = client_for(administrator).get(batch.file.url)

    assert batch.file.url == f"/files/common.importbatch/{batch.pk}/file"
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E5%9B%AD%E5%8C%BA%20%E5%90%8D%E5%8D%95.xlsx"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client_for(colleague).get(batch.file.url).status_code == 404


def test_an_upload_is_kept_under_a_random_name(administrator, settings):
    batch = upload(administrator, workbook(("园区", PARKS)))

    assert batch.filename == "园区 名单.xlsx"
    assert "园区" not in batch.file.name and batch.file.name.endswith(".xlsx")
    assert stored_files(settings) == sorted([batch.file.name, f"{batch.file.name}.cells.json"])


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"not a workbook", "园区.xlsx", "无法读取该文件"),
        (None, "园区.csv", r"只能导入 Excel 文件（\.xlsx 或 \.xlsm）。"),
        (None, "园区.xls", r"不能导入 \.xls 文件（Excel 97-2003 格式）：请.*另存为 \.xlsx"),
        (None, "园区", "只能导入 Excel 文件"),
        (workbook(("园区", [["甲", "乙"], [1, 2]])), "园区.xlsx", "文件中没有找到园区表"),
    ],
)
def test_a_file_that_is_not_a_workbook_of_the_register_is_refused_and_not_kept(
    administrator, settings, data, filename, message
):
    with pytest.raises(ApplicationError, match=message) as refused:
        upload(administrator, data or workbook(("园区", PARKS)), filename)

    assert refused.value.field == "file"
    assert not ImportBatch.objects.exists()
    assert stored_files(settings) == []


def test_the_accepted_kinds_read_as_a_list_in_english_too(administrator):
    with translation.override("en"), pytest.raises(ApplicationError) as refused:
        upload(administrator, workbook(("园区", PARKS)), "parks.csv")

    assert refused.value.message == "Only Excel files can be imported (.xlsx or .xlsm)."


def test_the_upload_form_accepts_the_kinds_the_importer_reads():
    from zoneops.common.admin_excel import ImportForm

    assert ImportForm().fields["file"].widget.attrs["accept"] == ".xlsx,.xlsm"


def test_a_file_too_big_is_refused_and_not_kept(administrator, settings):
    settings.ZONEOPS_IMPORT_MAX_BYTES = 100

    with pytest.raises(ApplicationError, match=r"文件过大（0\.1 MB）"):
        upload(administrator, workbook(("园区", PARKS)))

    assert not ImportBatch.objects.exists()
    assert stored_files(settings) == []


def test_a_preview_with_errors_keeps_its_errors_not_the_file(administrator, settings):
    batch = upload(administrator, workbook(("园区", [["名称", "类型"], ["甲园", "不存在的类型"]])))

    assert batch.summary["counts"]["errors"] == 1
    assert not batch.file
    assert stored_files(settings) == []
    with pytest.raises(ApplicationError, match="没有导入，未写入任何数据。第2行“类型”") as refused:
        import_batch_confirm(batch=batch, register=register, by=administrator)
    assert "不存在的类型" in str(refused.value.errors)
    assert not Park.objects.exists()


def test_a_preview_left_unconfirmed_for_a_day_drops_its_file(
    administrator, settings, django_capture_on_commit_callbacks
):
    old = upload(administrator, workbook(("园区", PARKS)))
    recent = upload(administrator, workbook(("园区", [["名称", "类型"], ["乙园", "园区"]])))
    ImportBatch.objects.filter(pk=old.pk).update(uploaded_at=timezone.now() - timedelta(hours=25))

    with django_capture_on_commit_callbacks(execute=True):
        new = upload(administrator, workbook(("园区", [["名称", "类型"], ["丙园", "园区"]])))

    old.refresh_from_db()
    assert not old.file
    kept = {recent.file.name, new.file.name}
    assert stored_files(settings) == sorted(kept | {f"{name}.cells.json" for name in kept})
    assert old.expired and not old.can_confirm and new.can_confirm and not new.expired
    with pytest.raises(ApplicationError, match="预览已过期"):
        import_batch_confirm(batch=old, register=register, by=administrator)
    assert not Park.objects.exists()

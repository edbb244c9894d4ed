"""Confirming an import that has errors is refused, says why, and writes nothing: on every
register's page in the back office and through the API."""

import io

import pytest
import python_calamine
import xlsxwriter
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from zoneops.common.models import ImportBatch
from zoneops.enterprises.models import Enterprise, EnterpriseFigure
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.models import ProgressReport, Project

REGISTERS = [Project, ProgressReport, Enterprise, EnterpriseFigure]


@pytest.fixture
def superuser(org):
    user = make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]])
    user.is_superuser = True
    user.save()
    return user


def _wrong_workbook(model, user) -> bytes:
    """The register's own template with one row whose every cell is wrong."""
    template = admin.site._registry[model].excel_register.export(
        model._default_manager.none(), user=user
    )
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(template))
    name = book.sheet_names[0]
    rows = book.get_sheet_by_name(name).to_python()
    header = next(row for row in rows if any(str(cell).strip() for cell in row))
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer)
    sheet = workbook.add_worksheet(name)
    sheet.write_row(0, 0, header)
    sheet.write_row(1, 0, ["？？"] * len(header))
    workbook.close()
    return buffer.getvalue()


@pytest.mark.parametrize("model", REGISTERS, ids=lambda model: model.__name__)
def test_the_back_office_refuses_to_confirm_a_file_with_errors(superuser, model):
    client = Client()
    client.force_login(superuser)
    meta = model._meta
    base = f"/admin/{meta.app_label}/{meta.model_name}/"
    data = _wrong_workbook(model, superuser)
    client.post(f"{base}excel-import/", {"file": SimpleUploadedFile("错.xlsx", data)})
    batch = ImportBatch.objects.get()
    assert batch.summary["counts"]["errors"] > 0
    before = model._default_manager.count()

    page = client.post(f"{base}excel-import/{batch.pk}/", follow=True)

    said = [str(message) for message in page.context["messages"]]
    assert len(said) == 1 and said[0].startswith("没有导入，未写入任何数据。"), said
    assert "预览之后" not in said[0]  # the file's own errors, not "changed since the preview"
    assert 'id="import-errors"' in page.content.decode()
    assert model._default_manager.count() == before
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED


@pytest.mark.parametrize(
    ("register", "model"), [("enterprises", Enterprise), ("enterprise_figures", EnterpriseFigure)]
)
def test_the_api_refuses_to_confirm_a_file_with_errors_and_lists_them(superuser, register, model):
    client = Client()
    client.force_login(superuser)
    upload = io.BytesIO(_wrong_workbook(model, superuser))
    upload.name = "错.xlsx"
    batch = client.post(f"/api/v1/enterprises/import/{register}", {"file": upload}).json()
    assert batch["summary"]["counts"]["errors"] > 0

    refused = client.post(f"/api/v1/enterprises/import/{register}/{batch['id']}/confirm")

    assert refused.status_code == 400, refused.content
    body = refused.json()
    assert body["message"].startswith("没有导入，未写入任何数据。")
    assert len(body["errors"]) == batch["summary"]["counts"]["errors"]
    first = body["errors"][0]
    assert first["field"] == "file" and first["row"] == 2 and first["column"] and first["message"]
    assert not model._default_manager.exists()
    assert ImportBatch.objects.get().status == ImportBatch.Status.PREVIEWED

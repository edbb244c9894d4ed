"""A workbook that cannot be imported gets a clear preview message and nothing is written: a sheet
of headers and no rows (a 500 before), a sheet with no header row, a file named .xlsx that is not
one, an empty file, a sheet whose cells reach far away (calamine lays out every cell in between:
a stray cell at XFD1048576 asked for 512 GB and ended the process). An upload or a request body
over its limit is refused with 413 (JSON at the API, a page elsewhere)."""

import io
import zipfile

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from zoneops.common.exceptions import ApplicationError
from zoneops.common.importing import MAX_COLUMNS, import_batch_upload, import_preview
from zoneops.common.models import ImportBatch
from zoneops.enterprises.excel import EnterpriseRegister
from zoneops.enterprises.models import Enterprise
from zoneops.enterprises.tests.factories import valid_credit_code
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.parks.models import Park

HEADERS = ["统一社会信用代码", "企业名称", "法定代表人"]


@pytest.fixture
def user(org):
    return make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]])


def workbook(rows: list[list], *, far: tuple[int, int] | None = None) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("企业名录")
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            sheet.write(r, c, value)
    if far:
        sheet.write_string(*far, " ")
    book.close()
    return buffer.getvalue()


def not_a_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "不是 Excel")
    return buffer.getvalue()


def preview(data: bytes, user) -> list[str]:
    plan = import_preview(register=EnterpriseRegister(), data=data, user=user)
    assert plan.rows == []
    return [error.message for error in plan.errors]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (lambda: workbook([HEADERS]), "只有表头，没有要导入的数据行"),
        (lambda: workbook([HEADERS, [], ["", None, ""]]), "只有表头，没有要导入的数据行"),
        (lambda: workbook([["甲", "乙"], ["沧州甲", "张三"]]), "没有找到企业名录表"),
        (lambda: "企业名称,法定代表人\n沧州甲,张三\n".encode(), "无法读取该文件"),
        (not_a_workbook, "无法读取该文件"),
        (lambda: b"", "无法读取该文件"),
        (
            lambda: workbook([HEADERS, [valid_credit_code(), "沧州甲"]], far=(1_048_575, 16_383)),
            "表格范围过大",
        ),
        (
            lambda: workbook([HEADERS, [valid_credit_code(), "沧州甲"]], far=(1, MAX_COLUMNS)),
            "表格范围过大",
        ),
        (
            lambda: workbook([HEADERS, [valid_credit_code(), "沧州甲"]], far=(300_000, 0)),
            "表格范围过大",
        ),
    ],
    ids=[
        "headers and no rows",
        "headers and blank rows",
        "no header row",
        "a text file named .xlsx",
        "a zip that is not a workbook",
        "an empty file",
        "a cell at XFD1048576",
        "a column too many",
        "rows beyond the limit",
    ],
)
def test_a_workbook_that_cannot_be_imported_says_why(user, data, expected):
    messages = preview(data(), user)
    assert len(messages) == 1 and expected in messages[0], messages
    assert not Enterprise.objects.exists()


def test_a_workbook_as_wide_as_the_limit_is_read(user):
    data = workbook(
        [HEADERS, [valid_credit_code(), "沧州甲零部件有限公司"]], far=(1, MAX_COLUMNS - 1)
    )
    plan = import_preview(register=EnterpriseRegister(), data=data, user=user)
    assert (plan.errors, plan.counts["new"]) == ([], 1)


@pytest.fixture
def client(user):
    client = Client()
    client.force_login(user)
    return client


def test_an_upload_over_the_limit_is_413_at_the_api_and_a_form_error_in_the_back_office(
    client, settings
):
    settings.ZONEOPS_IMPORT_MAX_BYTES = 1024
    data = workbook([HEADERS] + [[valid_credit_code(), f"企业{n}", "张三"] for n in range(50)])
    assert len(data) > 1024

    response = client.post(
        "/api/v1/enterprises/import/enterprises", {"file": SimpleUploadedFile("企业.xlsx", data)}
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["field"] == "file"
    assert "文件过大" in response.json()["message"]

    response = client.post(
        "/admin/enterprises/enterprise/excel-import/",
        {"file": SimpleUploadedFile("企业.xlsx", data)},
    )
    assert response.status_code == 200
    assert "文件过大" in str(response.context["form"].errors["file"])
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize(
    ("name", "size"), [("企业.xlsx", 2048), ("企业.txt", 10), ("企业.xlsx", 0)]
)
def test_whoever_may_not_import_is_refused_as_such_whatever_he_sends(org, settings, name, size):
    """Who may import is asked first (the service): a reader's file over the limit, of the
    wrong kind or empty was answered 413 or 400 before, as if he could have imported it."""
    settings.ZONEOPS_IMPORT_MAX_BYTES = 1024
    reader = Client()
    reader.force_login(make_user(RoleCode.INSPECTOR, departments=[org["zone"]]))

    response = reader.post(
        "/api/v1/enterprises/import/enterprises", {"file": SimpleUploadedFile(name, b"x" * size)}
    )

    assert response.status_code == 403, response.content
    assert not ImportBatch.objects.exists()


def test_an_empty_upload_is_refused_naming_the_file(client):
    response = client.post(
        "/api/v1/enterprises/import/enterprises", {"file": SimpleUploadedFile("企业.xlsx", b"")}
    )
    assert response.status_code in (400, 422)
    assert response.json()["errors"][0]["field"] == "file"
    assert not ImportBatch.objects.exists()


def test_the_page_that_says_so_links_back_without_a_script(client, settings):
    """The Content-Security-Policy runs no inline script: the link back is the page the form
    was sent from when it is one of ours (javascript:history.back() did nothing before), else
    the start page."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000
    form = "http://testserver/admin/parks/park/add/?_changelist_filters=kind%3Dpark"
    big = {"name": "新材料产业园", "description": "简介" * 2_000}
    for referer, link in (
        (form, 'href="http://testserver/admin/parks/park/add/?_changelist_filters=kind%3Dpark"'),
        ("https://elsewhere.example/admin/", 'href="/"'),
        (None, 'href="/"'),
    ):
        extra = {"HTTP_REFERER": referer} if referer else {}
        page = client.post("/admin/parks/park/add/", big, **extra).content.decode()
        assert "javascript:" not in page
        assert link in page, referer


def test_a_form_over_the_upload_limit_gets_a_page_that_says_so(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000
    response = client.post(
        "/admin/parks/park/add/", {"name": "新材料产业园", "description": "简介" * 2_000}
    )
    assert response.status_code == 413
    assert "提交的内容过大" in response.content.decode()
    assert not Park.objects.exists()


def test_a_file_name_with_a_control_character_is_refused_saying_to_rename_it(user):
    """The browser's multipart body has such characters stripped by Django; a file handed to
    the service another way (the CLI, a script) is refused in words, not character codes."""
    data = workbook([HEADERS, [valid_credit_code(), "沧州甲零部件有限公司", "张三"]])
    with pytest.raises(ApplicationError) as refused:
        import_batch_upload(
            register=EnterpriseRegister(), filename="企业\x07名录.xlsx", data=data, by=user
        )
    assert refused.value.field == "file"
    assert "请将文件重命名后再上传" in refused.value.message
    assert not ImportBatch.objects.exists()

"""Text fields refuse control characters (a multi-line text keeps its line breaks and tabs), NUL
(which PostgreSQL cannot store: a 500 on any write or search before), lone surrogates, and texts
of nothing but invisible characters — with one rule (`zoneops.common.inputs.text_error`) that the
records, the forms of the back office and the enterprise pages, the API and the Excel importer
all call. The API's own walk is in zoneops/api/tests/test_bad_input.py."""

import io

import pytest
import xlsxwriter
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import NoReverseMatch, reverse

from zoneops.common.importing import import_preview
from zoneops.common.inputs import text_error, texts_plain
from zoneops.common.services import record_save
from zoneops.enterprises.excel import EnterpriseRegister
from zoneops.enterprises.models import Enterprise, EnterpriseRequest
from zoneops.enterprises.tests.factories import make_enterprise, valid_credit_code
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.models import User
from zoneops.orgs.tests.factories import make_user
from zoneops.parks.enums import CarrierKind
from zoneops.parks.models import Park

NUL, BELL, ZERO_WIDTH, BOM = "\x00", "\x07", "\u200b", "\ufeff"


@pytest.mark.parametrize(
    ("text", "multiline", "refused"),
    [
        ("新材料产业园", False, False),
        ("a\x00b", False, True),
        ("a\x00b", True, True),
        ("a\x07b", True, True),
        ("a\x1bb", True, True),
        ("a\x85b", True, True),
        ("一行\n两行", False, True),
        ("一行\t两列", False, True),
        ("一行\r\n两行\t（附注）", True, False),
        ("\u200b\u200b", False, True),
        ("\ufeff", True, True),
        (" \u200b\u3000\u200d ", False, True),
        ("\u3164", False, True),
        ("新材料\u200b产业园", False, False),
        ("   ", False, False),  # blank: for the required-field check to say so
        ("", False, False),
        ("a\ud800b", True, True),
    ],
)
def test_the_rule(text, multiline, refused):
    assert bool(text_error(text, multiline=multiline)) is refused
    # An import's column is looked at as a whole first: a refused text among plain ones sends
    # the column to the text-by-text rule.
    column = ["新材料产业园", text, "生物医药产业园"]
    if refused:
        assert not texts_plain(column)
    assert texts_plain(["新材料产业园", "生物医药产业园", ""])


def test_the_message_says_what_to_do_without_character_codes():
    """A staff member pasting from Word or a chat learns what is wrong and what to do next."""
    assert text_error("a\x07b") == (
        "含有看不见的特殊字符（常见于从 Word、网页或聊天软件复制的文字），请删除后重新输入。"
    )
    assert text_error("一行\n两行") == "只能填写一行：请删除其中的换行符或制表符。"
    assert "U+" not in text_error("a\ud800b", multiline=True)


def test_a_record_refuses_such_a_text_at_its_field_whatever_edge_it_came_from(db):
    for name in (f"新材料{NUL}产业园", ZERO_WIDTH + BOM, "新材料\n产业园"):
        with pytest.raises(ValidationError) as refused:
            record_save(instance=Park(name=name, kind=CarrierKind.PARK), by=None)
        assert set(refused.value.message_dict) == {"name"}
    with pytest.raises(ValidationError) as refused:
        record_save(
            instance=Park(name="新材料产业园", kind=CarrierKind.PARK, description=f"简介{BELL}"),
            by=None,
        )
    assert set(refused.value.message_dict) == {"description"}
    park = record_save(
        instance=Park(name="新材料产业园", kind=CarrierKind.PARK, description="一期\n二期\t待建"),
        by=None,
    )
    assert park.description == "一期\n二期\t待建"
    assert Park.objects.count() == 1


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", "root@example.com", "pass-Word-123")


@pytest.fixture
def client(superuser):
    client = Client()
    client.force_login(superuser)
    return client


def test_every_add_form_of_the_back_office_refuses_it_at_the_field(client, superuser):
    """Walked from the admin site: every text field of every add form gets a NUL (a 500 on
    PostgreSQL before, for the forms whose fields Django does not check)."""
    tried = 0
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        try:
            url = reverse(f"admin:{meta.app_label}_{meta.model_name}_add")
        except NoReverseMatch:
            continue
        request = client.get(url).wsgi_request
        if not model_admin.has_add_permission(request):
            continue
        form = model_admin.get_form(request)()
        names = [
            name
            for name, field in form.fields.items()
            if field.__class__.__name__ in ("CharField", "SlugField", "EmailField")
            and not field.disabled
            and "password" not in name
        ]
        before = model._base_manager.count()
        response = client.post(url, dict.fromkeys(names, f"甲{BELL}乙"))
        assert response.status_code == 200, (url, response.status_code)
        errors = response.context["adminform"].form.errors
        for name in names:
            assert name in errors, (url, name, errors)
            tried += 1
        assert model._base_manager.count() == before
    assert tried > 30


def test_a_list_search_with_nul_finds_nothing_instead_of_failing(client):
    record_save(instance=Park(name="新材料产业园", kind=CarrierKind.PARK), by=None)
    url = reverse("admin:parks_park_changelist")
    assert client.get(url, {"q": f"新材料{NUL}"}).status_code == 200  # Django says why
    response = client.get(url, {"q": f"新材料{BELL}"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []
    response = client.get(
        "/admin/autocomplete/",
        {
            "app_label": "enterprises",
            "model_name": "enterprise",
            "field_name": "park",
            "term": f"新材料{NUL}",
        },
    )
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_the_pages_filters_with_nul_are_ignored(client):
    for url in (
        "/admin/projects/project/board/",
        "/admin/projects/project/summary/",
        "/admin/projects/project/funnel/",
    ):
        response = client.get(url, {"q": f"新材料{NUL}", "as_of": f"2024-01-01{NUL}"})
        assert response.status_code == 200, url


@pytest.fixture
def enterprise_client(db):
    enterprise = make_enterprise("沧州甲零部件有限公司")
    client = Client()
    client.force_login(make_user(RoleCode.ENTERPRISE, enterprise=enterprise))
    return client


def test_the_enterprise_pages_refuse_it_at_the_field(enterprise_client):
    response = enterprise_client.post(
        "/enterprise/requests/new/",
        {
            "title": f"道路未通{NUL}",
            "description": ZERO_WIDTH * 3,
            "kind": "help",
            "category": "bottleneck",
            "topic": "land",
            "contact_person": f"李四{BELL}",
        },
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"title", "description", "contact_person"}
    assert not EnterpriseRequest.objects.exists()


def _workbook(rows: list[list]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet("企业名录")
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            sheet.write_string(r, c, value)
    book.close()
    return buffer.getvalue()


def test_an_excel_cell_is_refused_in_the_preview_naming_row_and_column(org):
    """NUL in a cell previewed fine and failed on PostgreSQL only when confirmed."""
    user = make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]])
    codes = [valid_credit_code() for _row in range(3)]
    data = _workbook(
        [
            ["统一社会信用代码", "企业名称", "法定代表人", "曾用名", "地址"],
            [codes[0], f"沧州甲{NUL}零部件有限公司", "张三", "甲厂\n乙厂", "开发区"],
            [codes[1], "沧州乙物流有限公司", ZERO_WIDTH, "", f"开发区{BELL}"],
            [codes[2], "沧州丙科技有限公司", "王五", "丙厂", "开发区\n东区"],
        ]
    )
    plan = import_preview(register=EnterpriseRegister(), data=data, user=user)
    errors = {(error.row, error.column) for error in plan.errors}
    assert errors == {(2, "企业名称"), (3, "法定代表人"), (3, "地址"), (4, "地址")}
    assert not Enterprise.objects.exists()

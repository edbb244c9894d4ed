"""Enterprise amounts and head counts stay within their declared bounds in the API, the
importer and the services; the largest allowed figures read back exactly, and the zone's total
of many of them is exact to the fen on SQLite as on PostgreSQL."""

import io
from decimal import Decimal

import pytest
from django.test import Client
from python_calamine import CalamineWorkbook

from zoneops.common.importing import import_confirm, import_preview
from zoneops.enterprises.excel import EnterpriseRegister, FigureRegister
from zoneops.enterprises.models import Enterprise, EnterpriseFigure
from zoneops.enterprises.selectors import figures_total
from zoneops.enterprises.services import enterprise_figure_save
from zoneops.enterprises.tests.factories import make_enterprise
from zoneops.enterprises.tests.test_excel import FIGURE_HEADERS, workbook
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user

JSON = "application/json"
LARGEST = {
    "revenue": Decimal("99999999.99"),
    "output_value": Decimal("100000000.00"),
    "tax": Decimal("9999999.99"),
    "employees": 1_000_000,
    "rnd_spending": Decimal("9876543.21"),
    "exports": Decimal("99999999.99"),
}


# What a refusal of an amount in 万元 adds after the bound (common.amounts).
WAN_HINT = "：请检查是否多填了位数，或误按“元”而不是“万元”填写。"


@pytest.fixture
def admin_user(org):
    return make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]])


@pytest.fixture
def client(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def _content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_largest_figures_read_back_exactly_in_the_list_the_export_and_the_api(
    client, admin_user
):
    enterprise = make_enterprise("千亿级整车企业", registered_capital=Decimal("10000000.00"))
    enterprise_figure_save(
        enterprise=enterprise, year=2019, month=None, values=LARGEST, by=admin_user
    )

    listed = client.get("/api/v1/enterprises/figures?year=2019").json()["items"]
    assert listed[0]["values"] == {
        "revenue": "99999999.99",
        "output_value": "100000000.00",
        "tax": "9999999.99",
        "employees": 1_000_000,
        "rnd_spending": "9876543.21",
        "exports": "99999999.99",
    }
    assert client.get(f"/api/v1/enterprises/{enterprise.pk}").json()["registered_capital"] == (
        "10000000.00"
    )
    total = client.get("/api/v1/enterprises/figures/total?year=2019").json()
    assert total["values"]["revenue"] == "99999999.99"

    page = client.get("/admin/enterprises/enterprisefigure/").content.decode()
    assert "99999999.99万元" in page and "9999999.99万元" in page

    exported = _content(client.get("/admin/enterprises/enterprisefigure/export/"))
    rows = CalamineWorkbook.from_filelike(io.BytesIO(exported)).get_sheet_by_name("企业经济数据")
    header, row = rows.to_python()[:2]
    assert Decimal(repr(row[header.index("营业收入（万元）")])) == LARGEST["revenue"]
    assert Decimal(repr(row[header.index("研发费用（万元）")])) == LARGEST["rnd_spending"]
    assert row[header.index("从业人员（人）")] == 1_000_000


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "revenue",
            "100000000.01",
            f"“营业收入”不能超过 100,000,000 万元（10000亿元）{WAN_HINT}",
        ),
        (
            "tax",
            "99999999999999.99",
            f"“税收”不能超过 10,000,000 万元（1000亿元）{WAN_HINT}",
        ),
        (
            "exports",
            1e26,
            f"“出口交货值”不能超过 100,000,000 万元（10000亿元）{WAN_HINT}",
        ),
        ("employees", 3_000_000_000, "“从业人员”不能超过 1,000,000 人。"),
        ("employees", 10**30, "“从业人员”不能超过 1,000,000 人。"),
        ("employees", 1.5, "应为整数"),
        ("revenue", "NaN", "应为数字"),
        ("revenue", "-Infinity", "应为数字"),
    ],
)
def test_a_figure_beyond_its_bound_is_refused_by_the_api_and_nothing_is_stored(
    client, field, value, message
):
    enterprise = make_enterprise()

    response = client.put(
        f"/api/v1/enterprises/{enterprise.pk}/figures",
        {"year": 2019, "month": 3, field: value},
        content_type=JSON,
    )

    assert response.status_code == 422, response.content
    assert response.json()["errors"] == [{"field": field, "message": message}]
    assert not EnterpriseFigure.objects.exists()


def test_registered_capital_beyond_its_bound_is_refused_by_the_api(client):
    response = client.post(
        "/api/v1/enterprises/",
        {"name": "注册资本过大的企业", "registered_capital": "12345678901234.56"},
        content_type=JSON,
    )
    assert response.status_code == 422
    assert (
        response.json()["errors"][0]["message"]
        == f"“注册资本”不能超过 10,000,000 万元（1000亿元）{WAN_HINT}"
    )
    assert not Enterprise.objects.exists()


def test_the_importer_refuses_figures_beyond_their_bound_and_writes_nothing(admin_user):
    enterprise = make_enterprise()
    data = workbook(
        FIGURE_HEADERS,
        (enterprise.credit_code, 2019, "全年", 100000000.01, 3_000_000_000),
        (enterprise.credit_code, 2018, "全年", "99999999999999.99", 1_000_001),
    )

    plan = import_confirm(register=FigureRegister(), data=data, user=admin_user)

    assert {(e.row, e.column, e.message) for e in plan.errors} == {
        (
            2,
            "营业收入（万元）",
            f"“营业收入”不能超过 100,000,000 万元（10000亿元）{WAN_HINT}",
        ),
        (2, "从业人员（人）", "“从业人员”不能超过 1,000,000 人。"),
        (
            3,
            "营业收入（万元）",
            f"“营业收入”不能超过 100,000,000 万元（10000亿元）{WAN_HINT}",
        ),
        (3, "从业人员（人）", "“从业人员”不能超过 1,000,000 人。"),
    }
    assert not EnterpriseFigure.objects.exists()


def test_the_importer_refuses_a_registered_capital_beyond_its_bound(admin_user):
    data = workbook(
        ("统一社会信用代码", "企业名称", "注册资本（万元）"),
        (make_enterprise().credit_code, "某企业", 10000000.01),
    )
    plan = import_preview(register=EnterpriseRegister(), data=data, user=admin_user)
    assert [(e.column, e.message) for e in plan.errors] == [
        (
            "注册资本（万元）",
            f"“注册资本”不能超过 10,000,000 万元（1000亿元）{WAN_HINT}",
        )
    ]


def test_the_figure_service_refuses_beyond_the_bound_on_the_field(admin_user):
    from zoneops.common.exceptions import ApplicationError
    from zoneops.enterprises.services import FigureInput, enterprise_figures_save

    enterprise = make_enterprise()
    with pytest.raises(ApplicationError) as refused:
        enterprise_figures_save(
            rows=[FigureInput(enterprise.pk, 2019, None, {"employees": 3_000_000_000})],
            by=admin_user,
        )
    assert refused.value.field == "employees"
    assert not EnterpriseFigure.objects.exists()


def test_the_zone_total_of_many_large_figures_is_exact_to_the_fen(client):
    """SQLite adds doubles: 3,000 revenues of 99999999.99 came to 299999999969.99."""
    enterprises = Enterprise.objects.bulk_create(
        Enterprise(name=f"规上企业{index:04d}") for index in range(3000)
    )
    EnterpriseFigure.objects.bulk_create(
        EnterpriseFigure(
            enterprise=enterprise,
            year=2019,
            month=None,
            revenue=Decimal("99999999.99"),
            tax=Decimal("0.01"),
            employees=1_000_000,
        )
        for enterprise in enterprises
    )

    total = figures_total(year=2019)

    assert total.values["revenue"] == Decimal("299999999970.00")
    assert total.values["tax"] == Decimal("30.00")
    assert total.values["employees"] == 3_000_000_000
    answered = client.get("/api/v1/enterprises/figures/total?year=2019").json()
    assert answered["values"]["revenue"] == "299999999970.00"

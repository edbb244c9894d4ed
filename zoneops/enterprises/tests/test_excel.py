import io
from decimal import Decimal

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from zoneops.common.importing import import_confirm, import_preview
from zoneops.common.services import record_save
from zoneops.enterprises.excel import EnterpriseRegister, FigureRegister
from zoneops.enterprises.models import Enterprise, EnterpriseFigure
from zoneops.enterprises.services import enterprise_figure_save
from zoneops.enterprises.tests.factories import (
    make_enterprise,
    make_monthly_figures,
    valid_credit_code,
)
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.parks.enums import CarrierKind
from zoneops.parks.models import Park

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(org):
    return make_user(RoleCode.STAFF, departments=[org["investment"]])


@pytest.fixture
def park():
    return record_save(instance=Park(name="中日韩产业园", kind=CarrierKind.PARK), by=None)


def workbook(headers, *rows) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("企业名录")
    for column, header in enumerate(headers):
        sheet.write(0, column, header)
    for index, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if value is not None:
                sheet.write(index, column, value)
    book.close()
    return buffer.getvalue()


def sheet_rows(data: bytes, name: str):
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(name).to_python()


HEADERS = (
    "统一社会信用代码",
    "企业名称",
    "所在园区",
    "规上工业",
    "注册资本（万元）",
    "国民经济行业代码",
)


def test_the_register_exports_with_chinese_headers_and_imports_back_unchanged(officer, park):
    make_enterprise("韩国株山", park=park, country="韩国", is_above_scale_industry=True)
    make_enterprise("=HYPERLINK(1)")  # a name that a spreadsheet would run is neutralised
    register = EnterpriseRegister()

    data = register.export(Enterprise.objects.all(), user=officer)

    rows = sheet_rows(data, "企业名录")
    assert rows[0][:3] == ["统一社会信用代码", "企业名称", "曾用名"]
    assert rows[0][-1] == "版本号"
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name["韩国株山"][rows[0].index("所在园区")] == "中日韩产业园"
    assert by_name["韩国株山"][rows[0].index("规上工业")] == "是"
    assert "'=HYPERLINK(1)" in by_name
    plan = import_preview(register=register, data=data, user=officer)
    assert plan.errors == []
    assert plan.counts == {"rows": 2, "new": 0, "updated": 0, "unchanged": 2, "errors": 0}


def test_an_import_previews_then_writes_only_when_confirmed(officer, park):
    known = make_enterprise("北汽韩一", by=officer)  # registered by him: his to update
    new_code = valid_credit_code()
    data = workbook(
        HEADERS,
        (known.credit_code.lower(), "北汽韩一", "中日韩产业园", "是", 5000, "C3670"),
        (new_code, "龙山汽车配件", "中日韩产业园", "否", None, ""),
    )
    register = EnterpriseRegister()

    plan = import_preview(register=register, data=data, user=officer)

    assert plan.errors == []
    assert (plan.counts["new"], plan.counts["updated"]) == (1, 1)
    assert not Enterprise.objects.filter(name="龙山汽车配件").exists()
    known.refresh_from_db()
    assert known.park is None and known.version == 1

    done = import_confirm(register=register, data=data, user=officer)

    assert done.errors == [] and done.written == {"created": 1, "updated": 1}
    known.refresh_from_db()
    assert (known.park, known.registered_capital, known.industry_code) == (
        park,
        Decimal(5000),
        "C3670",
    )
    assert known.is_above_scale_industry and known.version == 2
    created = Enterprise.objects.get(name="龙山汽车配件")
    assert created.credit_code == new_code and created.created_by == officer
    assert created.history.count() == 1


def test_import_errors_are_given_by_row_and_column_and_nothing_is_written(officer, park):
    taken = make_enterprise("北京现代沧州工厂")
    good = valid_credit_code()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    spaced = " ".join([good[:6], good[6:]])
    data = workbook(
        HEADERS,
        (bad, "校验码错的企业", "中日韩产业园", "是", None, None),
        (good, "第一个", "中日韩产业园", "否", None, None),
        (spaced, "代码重复的企业", "中日韩产业园", "否", None, None),
        (valid_credit_code(), "园区不存在的企业", "月球产业园", "否", None, None),
        (valid_credit_code(), "北京现代沧州工厂", None, "否", None, None),
        (valid_credit_code(), "行业代码错的企业", None, "否", None, "G3670"),
        (None, "没有代码的企业", None, None, None, None),
    )

    plan = import_confirm(register=EnterpriseRegister(), data=data, user=officer)

    errors = {(error.row, error.column): error.message for error in plan.errors}
    assert "校验码不符" in errors[(2, "统一社会信用代码")]
    assert "重复" in errors[(4, "统一社会信用代码")]
    assert "找不到所在园区“月球产业园”" in errors[(5, "所在园区")]
    assert f"已被统一社会信用代码为“{taken.credit_code}”的企业使用" in errors[(6, "企业名称")]
    assert "门类 G" in errors[(7, "国民经济行业代码")]
    assert "必填" in errors[(8, "统一社会信用代码")]
    assert Enterprise.objects.count() == 1


def test_a_wrong_file_is_refused_with_the_reason(officer):
    plan = import_preview(register=EnterpriseRegister(), data=b"not excel", user=officer)
    assert plan.errors and "无法读取" in plan.errors[0].message


# --- Figures ---------------------------------------------------------------------------------

FIGURE_HEADERS = ("统一社会信用代码", "年度", "期间", "营业收入（万元）", "从业人员（人）")


def test_figures_export_and_import_back_unchanged(officer):
    enterprise = make_enterprise("瑞荣汽车", by=officer)
    make_monthly_figures(enterprise, year=2019, monthly_revenue=100, months=3, by=officer)
    enterprise_figure_save(
        enterprise=enterprise, year=2019, month=None, values={"revenue": 1300}, by=officer
    )
    make_monthly_figures(make_enterprise(), year=2019, monthly_revenue=1)  # out of his scope
    register = FigureRegister()

    data = register.export(EnterpriseFigure.objects.visible_to(officer), user=officer)

    rows = sheet_rows(data, "企业经济数据")
    header = rows[0]
    assert header[:4] == ["统一社会信用代码", "企业名称", "年度", "期间"]
    assert [row[header.index("期间")] for row in rows[1:]] == ["全年", "1月", "1-2月", "1-3月"]
    plan = import_preview(register=register, data=data, user=officer)
    assert plan.errors == []
    assert plan.counts["unchanged"] == 4


def test_figures_import_adds_and_replaces_periods_and_refuses_unknown_enterprises(officer):
    enterprise = make_enterprise("泰通机械设备", by=officer)
    make_monthly_figures(enterprise, year=2019, monthly_revenue=100, months=1, by=officer)
    data = workbook(
        FIGURE_HEADERS,
        (enterprise.credit_code, 2019, "1月", 120, 150),
        (enterprise.credit_code, 2019, "1-2月", 250, None),
        (enterprise.credit_code, 2018, "全年", 1000, 140),
        (valid_credit_code(), 2019, 3, 10, None),
        (enterprise.credit_code, 2019, "2月", 1, None),
        (enterprise.credit_code, 2019, 5, -3, None),
    )
    register = FigureRegister()

    refused = import_confirm(register=register, data=data, user=officer)

    errors = {(error.row, error.column): error.message for error in refused.errors}
    assert "请先登记该企业" in errors[(5, "统一社会信用代码")]
    assert "可选" in errors[(6, "期间")]
    assert "负数" in errors[(7, "营业收入（万元）")]
    assert EnterpriseFigure.objects.count() == 1

    done = import_confirm(
        register=register,
        data=workbook(FIGURE_HEADERS, *[row for row in _rows_ok(enterprise)]),
        user=officer,
    )

    assert done.errors == [] and done.written == {"created": 2, "updated": 1}
    january = EnterpriseFigure.objects.get(enterprise=enterprise, year=2019, month=1)
    assert (january.revenue, january.employees) == (Decimal(120), 150)
    year = EnterpriseFigure.objects.get(enterprise=enterprise, year=2018, month=None)
    assert year.revenue == Decimal(1000)


def _rows_ok(enterprise):
    return [
        (enterprise.credit_code, 2019, "1月", 120, 150),
        (enterprise.credit_code, 2019, "1-2月", 250, None),
        (enterprise.credit_code, 2018, "全年", 1000, 140),
    ]


def test_an_import_of_figures_leaves_columns_not_in_the_file_as_they_are(officer):
    enterprise = make_enterprise(by=officer)
    make_monthly_figures(enterprise, year=2019, monthly_revenue=100, months=1, by=officer)
    EnterpriseFigure.objects.filter(enterprise=enterprise).update(tax=7)
    data = workbook(
        ("统一社会信用代码", "年度", "期间", "营业收入（万元）"),
        (enterprise.credit_code, 2019, 1, 130),
    )
    assert import_confirm(register=FigureRegister(), data=data, user=officer).errors == []
    figure = EnterpriseFigure.objects.get(enterprise=enterprise)
    assert (figure.revenue, figure.tax) == (Decimal(130), Decimal(7))

"""The monthly statistics table in and out of Excel: a template that imports back, a month's
figures added and changed in one file, refusals named by row and column."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
import xlsxwriter
from django.urls import reverse
from python_calamine import CalamineWorkbook

from zoneops.common.importing import import_confirm, import_preview
from zoneops.enterprises.enums import Metric
from zoneops.indicators.excel import indicator_value_register
from zoneops.indicators.models import Indicator, IndicatorValue
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user, signed_in
from zoneops.pytest_clock import frozen_on

TODAY = date(2020, 7, 10)


_frozen = frozen_on(TODAY)


@pytest.fixture
def indicators(db):
    fiscal = Indicator.objects.create(code="CZSR", name="全部财政收入", unit="亿元")
    Indicator.objects.create(code="CL", name="整车产量", unit="万台")
    Indicator.objects.create(
        code="ZYYWSR", name="主营业务收入", unit="亿元", enterprise_metric=Metric.REVENUE
    )
    IndicatorValue.objects.create(indicator=fiscal, year=2020, month=5, value=Decimal("8.1"))
    return fiscal


def _rows(data: bytes) -> list[list]:
    book = CalamineWorkbook.from_filelike(BytesIO(data))
    return book.get_sheet_by_name(book.sheet_names[0]).to_python()


def _workbook(header: list[str], rows: list[list]) -> bytes:
    out = BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("指标数值")
    for column, name in enumerate(header):
        sheet.write(0, column, name)
    for index, values in enumerate(rows, start=1):
        for column, value in enumerate(values):
            if value not in ("", None):
                sheet.write(index, column, value)
    book.close()
    return out.getvalue()


def test_the_table_exports_as_a_template_that_imports_back(indicators):
    statistician = make_user(RoleCode.STATISTICIAN)
    client = signed_in(statistician)
    export = client.get(reverse("admin:indicators_indicatorvalue_excel_export"))
    rows = _rows(export.getvalue())
    header = rows[0]
    assert header[:6] == ["指标编码", "指标名称", "计量单位", "年度", "月份", "数值"]
    assert rows[1][:5] == ["CZSR", "全部财政收入", "亿元", 2020, 5]
    # May's figure changed, June's figures added.
    may = list(rows[1])
    may[header.index("数值")] = 8.25
    data = _workbook(
        header,
        [may, ["CZSR", "", "", 2020, 6, 10.4], ["CL", "", "", 2020, 6, 8.1, "上半年"]],
    )
    plan = import_preview(register=indicator_value_register, data=data, user=statistician)
    assert plan.errors == [], plan.errors
    assert (plan.counts["new"], plan.counts["updated"]) == (2, 1)
    done = import_confirm(register=indicator_value_register, data=data, user=statistician)
    assert done.errors == [] and done.written == {"created": 2, "updated": 1}
    assert IndicatorValue.objects.get(indicator=indicators, month=5).value == Decimal("8.25")
    assert IndicatorValue.objects.filter(year=2020, month=6).count() == 2


def test_refusals_name_the_row_and_column_and_write_nothing(indicators):
    statistician = make_user(RoleCode.STATISTICIAN)
    header = ["指标编码", "指标名称", "计量单位", "年度", "月份", "数值", "说明"]
    data = _workbook(
        header,
        [
            ["NOPE", "", "", 2020, 6, 1],
            ["ZYYWSR", "", "", 2020, 6, 1000],
            ["CL", "", "", 2020, 8, 1],  # a month to come
            ["CL", "", "", 2020, 6, "很多"],
        ],
    )
    plan = import_preview(register=indicator_value_register, data=data, user=statistician)
    found = {(error.row, error.column) for error in plan.errors}
    assert (2, "指标编码") in found and (3, "指标编码") in found
    assert (4, "月份") in found and (5, "数值") in found
    messages = " ".join(str(error) for error in plan.errors)
    assert "NOPE" in messages and "由企业经济数据汇总" in messages
    assert "2020年8月还未到" in messages
    done = import_confirm(register=indicator_value_register, data=data, user=statistician)
    assert done.errors and not IndicatorValue.objects.filter(year=2020, month__gte=6).exists()


def test_an_import_writes_only_the_figures_the_user_keeps(indicators, org):
    indicators.department = org["approvals"]
    indicators.save()
    other = make_user(RoleCode.STAFF, departments=[org["investment"]])
    header = ["指标编码", "指标名称", "计量单位", "年度", "月份", "数值", "说明"]
    data = _workbook(header, [["CZSR", "", "", 2020, 6, 1]])
    plan = import_preview(register=indicator_value_register, data=data, user=other)
    assert [(error.row, error.column) for error in plan.errors] == [(2, "指标编码")]
    assert "您无权登记" in plan.errors[0].message
    keeper = make_user(RoleCode.STAFF, departments=[org["approvals"]])
    assert import_preview(register=indicator_value_register, data=data, user=keeper).errors == []

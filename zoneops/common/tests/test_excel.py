"""The Excel writer: report tables and register templates that import back."""

import io
import re
import zipfile
from datetime import date
from decimal import Decimal

import pytest
import python_calamine

from zoneops.common.excel import (
    BOOLEAN,
    DATE,
    DECIMAL,
    MONTH,
    XLSX_CONTENT_TYPE,
    RegisterColumn,
    Sheet,
    neutralise,
    unneutralise,
    write_register_workbook,
    write_workbook,
    xlsx_response,
)


@pytest.mark.parametrize(
    "text",
    ["=1+1", "+86 138", "-", "-5", "@sum", "'=x", "''=x", "'abc", "''abc", "普通文字", "", "'"],
)
def test_neutralised_text_comes_back_as_it_was(text):
    written = neutralise(text)
    assert not written.startswith(("=", "+", "-", "@"))
    assert unneutralise(written) == text


def test_a_register_template_has_frozen_headers_drop_downs_and_typed_cells():
    data = write_register_workbook(
        name="园区",
        columns=[
            RegisterColumn("名称", required=True),
            RegisterColumn("类型", options=["园区", "孵化器"]),
            RegisterColumn("独立选址", kind=BOOLEAN),
            RegisterColumn("面积", kind=DECIMAL),
            RegisterColumn("成立日期", kind=DATE),
            RegisterColumn("月份", kind=MONTH),
            RegisterColumn("版本号", readonly=True, note="请勿修改"),
        ],
        rows=[["=危险", "园区", True, Decimal("12.50"), date(2019, 10, 1), date(2019, 10, 1), 3]],
        guide=["每行一个园区。"],
    )

    workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = workbook.get_sheet_by_name("园区").to_python()
    assert rows == [
        ["名称", "类型", "独立选址", "面积", "成立日期", "月份", "版本号"],
        ["'=危险", "园区", "是", 12.5, date(2019, 10, 1), date(2019, 10, 1), "3"],
    ]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        book = archive.read("xl/workbook.xml").decode()
    lists = re.findall(r'<dataValidation type="list".*?<formula1>(.*?)</formula1>', sheet)
    assert lists == ["'选项'!$A$2:$A$3", "'选项'!$B$2:$B$3"]
    assert 'ySplit="1"' in sheet
    assert re.search(r'<sheet name="选项" sheetId="\d+" state="hidden"', book)
    assert "填写说明" in book


def test_report_tables_still_write_as_before():
    data = write_workbook(
        [Sheet(name="表", title="标题", header_rows=[["甲", "乙"]], rows=[["=x", 1]])]
    )
    workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert workbook.get_sheet_by_name("表").to_python()[-1] == ["'=x", 1]


def test_a_workbook_downloads_with_its_chinese_name_kept():
    response = xlsx_response(b"PK", "企业名录 2019.xlsx")
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == (
        "attachment; filename*=UTF-8''%E4%BC%81%E4%B8%9A%E5%90%8D%E5%BD%95%202019.xlsx"
    )
    assert response.content == b"PK"

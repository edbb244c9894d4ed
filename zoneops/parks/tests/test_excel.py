"""The parks' registers in Excel: exported templates that import back, a bad row named by row
and column, nothing written until the whole file is right."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import xlsxwriter
from python_calamine import CalamineWorkbook

from zoneops.common.importing import import_confirm, import_preview
from zoneops.parks.excel import park_register, unit_register
from zoneops.parks.models import Building, Lease, Park, Unit


def _sheet(data: bytes):
    return CalamineWorkbook.from_filelike(BytesIO(data)).get_sheet_by_index(0).to_python()


def _workbook(name: str, header: list, rows: list[list]) -> bytes:
    book = BytesIO()
    workbook = xlsxwriter.Workbook(book, {"in_memory": True})
    sheet = workbook.add_worksheet(name)
    for column, value in enumerate(header):
        sheet.write(0, column, value)
    for index, values in enumerate(rows, start=1):
        for column, value in enumerate(values):
            if value not in ("", None):
                sheet.write(index, column, value)
    workbook.close()
    return book.getvalue()


def test_units_export_with_tenant_and_import_back_with_a_new_building(zone):
    Lease.objects.create(
        unit=zone["units"]["101"], tenant=zone["tenant"], starts_on=date(2020, 1, 1)
    )
    data = unit_register.export(Unit.objects.all(), user=zone["manager"])
    rows = _sheet(data)
    header = rows[0]
    assert header[:3] == ["园区", "楼宇", "单元"] and header[-1] == "版本号"
    first = dict(zip(header, rows[1], strict=False))
    assert first["当前承租企业"] == "沧州韩泰汽车部件" and first["单元"] == "101"
    assert (
        import_preview(register=unit_register, data=data, user=zone["manager"]).counts["unchanged"]
        == 3
    )
    changed = list(rows[1])
    changed[header.index("面积（平方米）")] = 900
    new = ["中日韩产业园", "3号厂房", "301", "", 500]
    edited = _workbook("楼宇与单元", header, [changed, new])
    plan = import_preview(register=unit_register, data=edited, user=zone["manager"])
    assert plan.errors == [], plan.errors
    done = import_confirm(register=unit_register, data=edited, user=zone["manager"])
    assert done.errors == [] and done.written == {"created": 1, "updated": 1}
    assert Unit.objects.get(name="101").area_m2 == Decimal(900)
    assert Unit.objects.get(name="301").building.name == "3号厂房"


def test_a_bad_unit_row_is_named_and_nothing_is_written(zone):
    header = ["园区", "楼宇", "单元", "用途", "面积（平方米）"]
    rows = [
        ["中日韩产业园", "3号厂房", "301", "", 100],
        ["不存在的园区", "1号楼", "101", "", 100],
        ["中日韩产业园", "3号厂房", "302", "", "很大"],
        ["中日韩产业园", "3号厂房", "303", "", 99999999999999],
    ]
    data = _workbook("楼宇与单元", header, rows)
    done = import_confirm(register=unit_register, data=data, user=zone["manager"])
    errors = {(error.row, error.column) for error in done.errors}
    assert (4, "面积（平方米）") in errors and (5, "面积（平方米）") in errors
    assert not Unit.objects.filter(name__in=["301", "302", "303"]).exists()
    assert not Building.objects.filter(name="3号厂房").exists()
    # The cells right, an unknown park is named at its row; the good row is not written either.
    data = _workbook("楼宇与单元", header, [rows[0], rows[1]])
    done = import_confirm(register=unit_register, data=data, user=zone["manager"])
    assert [(error.row, error.column) for error in done.errors] == [(3, "园区")], done.errors
    assert "不存在的园区" in done.errors[0].message
    assert not Unit.objects.filter(name="301").exists()


def test_another_bureau_cannot_import_units_into_the_park(zone):
    data = _workbook(
        "楼宇与单元",
        ["园区", "楼宇", "单元", "面积（平方米）"],
        [["中日韩产业园", "1号厂房", "109", 10]],
    )
    done = import_confirm(register=unit_register, data=data, user=zone["other"])
    assert done.errors and not Unit.objects.filter(name="109").exists()


def test_parks_export_and_import_back(zone):
    data = park_register.export(Park.objects.all(), user=zone["manager"])
    rows = _sheet(data)
    header = rows[0]
    assert header[:2] == ["名称", "类型"]
    assert (
        import_preview(register=park_register, data=data, user=zone["manager"]).counts["unchanged"]
        == 1
    )
    changed = list(rows[1])
    changed[header.index("运营主体")] = "中日韩产业园运营公司"
    new = ["沧州科创孵化器", "孵化器", 20, "", "电子信息"]
    bad = ["坏类型", "不是类型"]
    edited = _workbook("园区与载体", header, [changed, new, bad])
    plan = import_preview(register=park_register, data=edited, user=zone["manager"])
    assert [(error.row, error.column) for error in plan.errors] == [(4, "类型")], plan.errors
    ok = _workbook("园区与载体", header, [changed, new])
    done = import_confirm(register=park_register, data=ok, user=zone["manager"])
    assert done.errors == [] and done.written == {"created": 1, "updated": 1}
    assert Park.objects.get(name="中日韩产业园").operator == "中日韩产业园运营公司"
    assert Park.objects.get(name="沧州科创孵化器").kind == "incubator"

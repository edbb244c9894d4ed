"""The parks' registers in Excel: exported templates that import back, a bad row named by row
and column, nothing written until the whole file is right."""

from datetime import date
from decimal import Decimal

from zoneops.common.importing import import_confirm, import_preview
from zoneops.common.tests.workbooks import read_first_sheet, write_sheet
from zoneops.parks.excel import park_register, unit_register
from zoneops.parks.models import Building, Lease, Park, Unit


def test_units_export_with_tenant_and_import_back_with_a_new_building(zone):
    Lease.objects.create(
        unit=zone["units"]["101"], tenant=zone["tenant"], starts_on=date(2020, 1, 1)
    )
    data = unit_register.export(Unit.objects.all(), user=zone["manager"])
    rows = read_first_sheet(data)
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
    edited = write_sheet("楼宇与单元", header, [changed, new])
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
    data = write_sheet("楼宇与单元", header, rows)
    done = import_confirm(register=unit_register, data=data, user=zone["manager"])
    errors = {(error.row, error.column) for error in done.errors}
    assert (4, "面积（平方米）") in errors and (5, "面积（平方米）") in errors
    assert not Unit.objects.filter(name__in=["301", "302", "303"]).exists()
    assert not Building.objects.filter(name="3号厂房").exists()
    # The cells right, an unknown park is named at its row; the good row is not written either.
    data = write_sheet("楼宇与单元", header, [rows[0], rows[1]])
    done = import_confirm(register=unit_register, data=data, user=zone["manager"])
    assert [(error.row, error.column) for error in done.errors] == [(3, "园区")], done.errors
    assert "不存在的园区" in done.errors[0].message
    assert not Unit.objects.filter(name="301").exists()


def test_another_bureau_cannot_import_units_into_the_park(zone):
    data = write_sheet(
        "楼宇与单元",
        ["园区", "楼宇", "单元", "面积（平方米）"],
        [["中日韩产业园", "1号厂房", "109", 10]],
    )
    done = import_confirm(register=unit_register, data=data, user=zone["other"])
    assert [error.row for error in done.errors] == [2], done.errors
    assert "只有园区的管理部门或有全区数据权限的人员可以修改" in done.errors[0].message
    assert not Unit.objects.filter(name="109").exists()


def test_parks_export_and_import_back(zone):
    data = park_register.export(Park.objects.all(), user=zone["manager"])
    rows = read_first_sheet(data)
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
    edited = write_sheet("园区与载体", header, [changed, new, bad])
    plan = import_preview(register=park_register, data=edited, user=zone["manager"])
    assert [(error.row, error.column) for error in plan.errors] == [(4, "类型")], plan.errors
    ok = write_sheet("园区与载体", header, [changed, new])
    done = import_confirm(register=park_register, data=ok, user=zone["manager"])
    assert done.errors == [] and done.written == {"created": 1, "updated": 1}
    assert Park.objects.get(name="中日韩产业园").operator == "中日韩产业园运营公司"
    assert Park.objects.get(name="沧州科创孵化器").kind == "incubator"


def test_phases_export_and_import_back(zone):
    from zoneops.parks.excel import phase_register
    from zoneops.parks.models import ParkPhase

    ParkPhase.objects.create(park=zone["park"], name="一期", status="building")
    data = phase_register.export(ParkPhase.objects.all(), user=zone["manager"])
    rows = read_first_sheet(data)
    header = rows[0]
    assert header[:3] == ["园区", "分期", "状态"] and rows[1][2] == "在建"
    changed = list(rows[1])
    changed[header.index("状态")] = "建成"
    new = ["中日韩产业园", "二期", "筹备"]
    done = import_confirm(
        register=phase_register,
        data=write_sheet("园区分期", header, [changed, new]),
        user=zone["manager"],
    )
    assert done.errors == [] and done.written == {"created": 1, "updated": 1}
    assert dict(ParkPhase.objects.values_list("name", "status")) == {
        "一期": "built",
        "二期": "preparing",
    }


def test_leases_import_by_name_or_credit_code_and_refuse_an_overlap_at_its_row(zone):
    from zoneops.parks.excel import lease_register

    Lease.objects.create(
        unit=zone["units"]["101"], tenant=zone["tenant"], starts_on=date(2020, 1, 1)
    )
    data = lease_register.export(Lease.objects.all(), user=zone["manager"])
    rows = read_first_sheet(data)
    header = rows[0]
    assert rows[1][header.index("统一社会信用代码")] == zone["tenant"].credit_code
    assert (
        import_preview(register=lease_register, data=data, user=zone["manager"]).counts["unchanged"]
        == 1
    )
    ended = list(rows[1])
    ended[header.index("退租日期")] = "2020-12-31"
    by_code = ["中日韩产业园", "1号厂房", "101", zone["other_tenant"].credit_code, "", "2021-01-01"]
    by_name = ["中日韩产业园", "2号厂房", "201", "沧州韩泰汽车部件", "", "2021-02-01"]
    done = import_confirm(
        register=lease_register,
        data=write_sheet("租赁", header, [ended, by_code, by_name]),
        user=zone["manager"],
    )
    assert done.errors == [] and done.written == {"created": 2, "updated": 1}
    assert (
        Lease.objects.get(unit__name="101", starts_on=date(2021, 1, 1)).tenant
        == zone["other_tenant"]
    )
    # An overlap, an unknown tenant and an unknown unit are each named at their row.
    overlap = ["中日韩产业园", "1号厂房", "101", "沧州韩泰汽车部件", "", "2021-06-01"]
    unknown = ["中日韩产业园", "1号厂房", "102", "无名公司", "", "2021-06-01"]
    no_unit = ["中日韩产业园", "9号厂房", "901", "沧州韩泰汽车部件", "", "2021-06-01"]
    done = import_confirm(
        register=lease_register,
        data=write_sheet("租赁", header, [overlap, unknown, no_unit]),
        user=zone["manager"],
    )
    errors = {(error.row, error.column) for error in done.errors}
    assert {(3, "承租企业"), (4, "单元")} <= errors, done.errors
    assert Lease.objects.count() == 3
    done = import_confirm(
        register=lease_register,
        data=write_sheet("租赁", header, [overlap]),
        user=zone["manager"],
    )
    assert (
        len(done.errors) == 1
        and done.errors[0].row == 2
        and "租期不能重叠" in done.errors[0].message
    )
    assert Lease.objects.count() == 3

"""The import framework on a small register of its own (parks): reading, checking, writing."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
import xlsxwriter
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from zoneops.common.excel import DECIMAL, TEXT
from zoneops.common.importing import (
    CHOICE,
    LOOKUP,
    Column,
    DepartmentLookup,
    Plan,
    Register,
    bulk_insert,
    bulk_update,
    import_confirm,
    import_preview,
)
from zoneops.common.services import record_save, records_bulk_create
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_department, make_user
from zoneops.parks.enums import CarrierKind
from zoneops.parks.models import Park


class ParkRegister(Register):
    name = "parks"
    title = "园区"
    model = Park
    key = ("名称",)

    def declare_columns(self):
        return (
            Column("名称", "name", required=True),
            Column("类型", "kind", kind=CHOICE, choices=CarrierKind, required=True),
            Column("占地面积（亩）", "area_mu", kind=DECIMAL, header_aliases=("面积",)),
            Column("招商方向", "target_industries", kind=TEXT),
            Column("管理部门", "managing_department", kind=LOOKUP, lookup=DepartmentLookup()),
        )

    def write(self, plan: Plan, *, by, reason: str) -> None:
        bulk_insert(
            model=Park,
            rows=[{**row.values} for row in plan.new_rows],
            by=by,
            reason=reason,
            key=["name"],
        )
        bulk_update(
            model=Park,
            changes=[(row.existing.pk, row.changes) for row in plan.changed_rows if row.existing],
            by=by,
            reason=reason,
        )
        plan.written = {"created": len(plan.new_rows), "updated": len(plan.changed_rows)}


register = ParkRegister()


@pytest.fixture
def administrator(org):
    return make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]])


def workbook(*sheets: tuple[str, list[list]], hidden: str = "") -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets:
        sheet = book.add_worksheet(name)
        if name == hidden:
            sheet.hide()
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                if isinstance(value, date):
                    sheet.write_datetime(r, c, value, day)
                elif value is not None:
                    sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


def cells(plan) -> list[tuple[int, str, str, str]]:
    return [(e.row, e.column, e.value, e.message) for e in plan.errors]


def test_the_header_row_is_found_under_a_title_and_rows_keep_their_excel_numbers(administrator):
    rows = [
        ["2019年园区名单"],
        [],
        ["序号", "名称", "类型", "面积"],
        [1, "新材料产业园", "园区", "1,200.5"],
        [],
        [2, "科技孵化器", "孵化器", "x"],
    ]
    data = workbook(
        ("说明", [["这是说明"]]), ("园区名单", rows), ("旧表", [["名称"]]), hidden="旧表"
    )

    plan = import_preview(register=register, data=data, user=administrator)

    assert (plan.sheet, plan.header_row) == ("园区名单", 3)
    assert plan.ignored == ["序号"]
    assert plan.counts["rows"] == 2  # the blank row 5 is left out
    assert cells(plan) == [(6, "占地面积（亩）", "x", "“占地面积”应为数字。")]
    assert plan.rows[0].values["area_mu"] == Decimal("1200.50")


def test_repeated_texts_read_the_same_beyond_the_texts_a_column_remembers(
    monkeypatch, administrator
):
    # A column keeps each repeated text once, up to a bound; past it, cells are read as typed.
    monkeypatch.setattr("zoneops.common.importing.reading.SHARED_TEXTS", 2)
    directions = ["新材料", "新能源", "新材料", "生物医药", "新能源", "新材料", "生物医药"]
    rows = [["名称", "类型", "招商方向"]] + [
        [f"园{index}", "园区", direction] for index, direction in enumerate(directions)
    ]

    plan = import_confirm(
        register=register, data=workbook(("园区", rows)), user=administrator, reason=""
    )

    assert plan.errors == []
    stored = dict(Park.objects.values_list("name", "target_industries"))
    assert [stored[f"园{index}"] for index in range(len(directions))] == directions


def test_a_workbook_without_the_register_says_which_columns_it_needs(administrator):
    plan = import_preview(
        register=register, data=workbook(("Sheet1", [["甲", "乙"], [1, 2]])), user=administrator
    )
    assert cells(plan) == [(0, "", "", "文件中没有找到园区表：表头应有“名称”等列。")]


def test_a_column_given_twice_is_an_error(administrator):
    rows = [["名称", "类型", "名称"], ["甲园", "园区", "乙园"]]
    plan = import_preview(register=register, data=workbook(("园区", rows)), user=administrator)
    assert cells(plan) == [(1, "名称", "名称", "“名称”列出现了两次。")]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (date(2019, 10, 1), date(2019, 10, 1)),
        (datetime(2019, 10, 1, 0, 0), date(2019, 10, 1)),  # noqa: DTZ001  as calamine reads it
        (43739, date(2019, 10, 1)),  # an Excel day number
        ("2019-10-01", date(2019, 10, 1)),
        ("2019/10/1", date(2019, 10, 1)),
        (" 2019年10月1日 ", date(2019, 10, 1)),
        ("2019.10.01", date(2019, 10, 1)),
        ("20191001", date(2019, 10, 1)),
        ("2019-02-30", None),
        ("十月一日", None),
    ],
)
def test_dates_are_read_as_excel_dates_or_as_chinese_users_write_them(cell, expected):
    from zoneops.common.importing.cells import _date

    assert _date(cell) == expected


@pytest.mark.parametrize(
    ("cell", "value", "message"),
    [
        (1200.5, Decimal("1200.50"), None),
        ("1,234,567.89", Decimal("1234567.89"), None),
        ("1，234", Decimal("1234.00"), None),
        (0.1 + 0.2, Decimal("0.30"), None),  # floating-point noise from a formula
        # The field's bound says what is wrong, in the form's and the API's words.
        (12.345, None, "“占地面积”最多保留 2 位小数。"),
        ("12.345", None, "“占地面积”最多保留 2 位小数。"),
        (-3, None, "“占地面积”不能为负数。"),
        ("NaN", None, "“占地面积”应为数字。"),
        ("1e20", None, "“占地面积”不能超过 9,999,999,999.99 亩。"),
        (-1e20, None, "“占地面积”不能为负数。"),
        ("一百", None, "“占地面积”应为数字。"),
    ],
)
def test_amounts_are_exact_and_checked(cell, value, message, administrator):
    rows = [["名称", "类型", "占地面积（亩）"], ["甲园", "园区", cell]]

    plan = import_preview(register=register, data=workbook(("园区", rows)), user=administrator)

    if message is None:
        assert plan.errors == [] and plan.rows[0].values["area_mu"] == value
    else:
        assert [(e.column, e.message) for e in plan.errors] == [("占地面积（亩）", message)]


def test_choices_are_read_by_label_or_code_and_a_wrong_one_lists_the_labels(administrator):
    rows = [["名称", "类型"], ["甲园", "孵化器"], ["乙园", "incubator"], ["丙园", "工业园"]]

    plan = import_preview(register=register, data=workbook(("园区", rows)), user=administrator)

    assert [row.values["kind"] for row in plan.rows[:2]] == ["incubator", "incubator"]
    [error] = plan.errors
    assert (error.row, error.column, error.value) == (4, "类型", "工业园")
    assert error.message.startswith("“工业园”不是可选的值，可选：园区、孵化器、加速器")


def test_departments_with_the_same_name_are_told_apart_by_their_parent(administrator, org):
    make_department("办公室", parent=org["investment"])
    second = make_department("办公室", parent=org["approvals"])
    rows = [
        ["名称", "类型", "管理部门"],
        ["甲园", "园区", "办公室"],
        ["乙园", "园区", "行政审批局/办公室"],
    ]

    plan = import_preview(register=register, data=workbook(("园区", rows)), user=administrator)

    [error] = plan.errors
    assert (error.row, error.column) == (2, "管理部门")
    assert "招商局/办公室" in error.message and "行政审批局/办公室" in error.message
    assert plan.rows[1].values["managing_department_id"] == second.pk


def test_a_key_given_twice_in_the_file_is_an_error_on_the_second_row(administrator):
    rows = [["名称", "类型"], ["甲园", "园区"], ["乙园", "园区"], ["甲园", "孵化器"]]

    plan = import_preview(register=register, data=workbook(("园区", rows)), user=administrator)

    assert cells(plan) == [(4, "名称", "甲园", "名称“甲园”与第 2 行重复。")]


def test_confirm_writes_records_with_history_and_a_reimport_updates_them(administrator):
    first = [["名称", "类型", "占地面积（亩）"], ["甲园", "园区", 100], ["乙园", "孵化器", None]]
    done = import_confirm(
        register=register, data=workbook(("园区", first)), user=administrator, reason="首次导入"
    )
    assert done.written == {"created": 2, "updated": 0}
    park = Park.objects.get(name="甲园")
    assert (park.version, park.created_by, park.area_mu) == (1, administrator, Decimal(100))
    created = park.history.get()
    assert (created.history_type, created.history_user, created.history_change_reason) == (
        "+",
        administrator,
        "首次导入",
    )

    second = [["名称", "类型", "占地面积（亩）"], ["甲园", "园区", 120], ["乙园", "孵化器", None]]
    plan = import_preview(register=register, data=workbook(("园区", second)), user=administrator)
    assert plan.counts == {"rows": 2, "new": 0, "updated": 1, "unchanged": 1, "errors": 0}
    import_confirm(register=register, data=workbook(("园区", second)), user=administrator)
    park.refresh_from_db()
    assert (park.version, park.area_mu) == (2, Decimal(120))
    latest = park.history.first()
    assert (latest.history_type, latest.area_mu, latest.version) == ("~", Decimal(120), 2)
    assert Park.objects.get(name="乙园").version == 1


def test_bulk_insert_writes_what_records_bulk_create_writes(administrator, org):
    fields = {
        "kind": CarrierKind.PARK,
        "area_mu": Decimal("12.50"),
        "description": "",
        "target_industries": "新材料",
        "managing_department_id": org["zone"].pk,
    }
    records_bulk_create(model=Park, instances=[Park(name="甲园", **fields)], by=administrator)
    bulk_insert(model=Park, rows=[{"name": "乙园", **fields}], by=administrator, key=["name"])

    def stored(name: str) -> tuple[dict, dict]:
        ignored = {"id", "name", "created_at", "updated_at", "history_id", "history_date"}
        record = Park.objects.filter(name=name).values().get()
        history = Park.history.filter(name=name).values().get()
        return (
            {k: v for k, v in record.items() if k not in ignored},
            {k: v for k, v in history.items() if k not in ignored},
        )

    assert stored("乙园") == stored("甲园")
    assert timezone.localdate(Park.objects.get(name="乙园").created_at) == timezone.localdate()


def test_bulk_insert_writes_every_row_in_order_across_statements(monkeypatch, administrator):
    # Several rows per INSERT statement: full statements, then the rest in a shorter one.
    monkeypatch.setattr("zoneops.common.importing.writer.STATEMENT_ROWS", 3)
    rows = [
        {"name": f"园{index}", "kind": CarrierKind.PARK, "area_mu": Decimal(index)}
        for index in range(7)
    ]
    ids = bulk_insert(model=Park, rows=rows, by=administrator, key=["name"])

    stored = Park.objects.in_bulk(ids)
    assert [(stored[pk].name, stored[pk].area_mu) for pk in ids] == [
        (f"园{index}", Decimal(index)) for index in range(7)
    ]
    assert Park.history.filter(id__in=ids, history_type="+").count() == 7


def test_bulk_insert_of_a_taken_unique_value_raises_djangos_integrity_error(administrator):
    """On either database (COPY on PostgreSQL): the callers catch Django's IntegrityError to
    refuse the rows with a message (a project code registered meanwhile)."""
    row = {"name": "甲园", "kind": CarrierKind.PARK}
    bulk_insert(model=Park, rows=[row], by=administrator, key=["name"])

    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_insert(model=Park, rows=[row], by=administrator, key=["name"])

    assert Park.objects.filter(name="甲园").count() == 1


def _audit(park: Park) -> tuple:
    """What the audit trail says of a park: who created and last changed it, its version, and
    its history rows (how, who, why, which version) oldest first."""
    park.refresh_from_db()
    history = park.history.order_by("history_id")
    return (
        park.created_by_id,
        park.updated_by_id,
        park.version,
        [(h.history_type, h.history_user_id, h.history_change_reason, h.version) for h in history],
    )


@pytest.mark.parametrize("by_system", [False, True])
def test_an_import_stamps_who_version_and_history_as_record_save_does(org, by_system):
    creator = None if by_system else make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]])
    editor = None if by_system else make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]])
    saved = record_save(
        instance=Park(name="甲园", kind=CarrierKind.PARK, area_mu=10), by=creator, reason="登记"
    )
    first = [["名称", "类型", "占地面积（亩）"], ["乙园", "园区", 10]]
    import_confirm(register=register, data=workbook(("园区", first)), user=creator, reason="登记")
    imported = Park.objects.get(name="乙园")
    assert _audit(imported) == _audit(saved)

    saved.area_mu = Decimal(20)
    record_save(instance=saved, by=editor, reason="更新")
    second = [["名称", "类型", "占地面积（亩）"], ["乙园", "园区", 20]]
    import_confirm(register=register, data=workbook(("园区", second)), user=editor, reason="更新")

    assert _audit(imported) == _audit(saved)
    who = (None, None) if by_system else (creator.pk, editor.pk)
    assert _audit(saved)[:3] == (*who, 2)
    assert _audit(saved)[3] == [("+", who[0], "登记", 1), ("~", who[1], "更新", 2)]


def test_a_write_without_a_reason_leaves_the_history_reason_empty_whichever_way(administrator):
    saved = record_save(instance=Park(name="甲园", kind=CarrierKind.PARK), by=administrator)
    bulk_insert(
        model=Park,
        rows=[{"name": "乙园", "kind": CarrierKind.PARK}],
        by=administrator,
        key=["name"],
    )
    imported = Park.objects.get(name="乙园")
    record_save(instance=saved, by=administrator)
    bulk_update(model=Park, changes=[(imported.pk, {"area_mu": Decimal(1)})], by=administrator)

    assert _audit(imported) == _audit(saved)
    assert [reason for _how, _who, reason, _version in _audit(saved)[3]] == [None, None]


def test_bulk_update_bumps_the_version_and_keeps_the_full_state_in_history(administrator):
    park = record_save(instance=Park(name="甲园", kind=CarrierKind.PARK, area_mu=10), by=None)

    bulk_update(model=Park, changes=[(park.pk, {"area_mu": Decimal(20)})], by=administrator)

    park.refresh_from_db()
    assert (park.version, park.updated_by, park.area_mu, park.kind) == (
        2,
        administrator,
        Decimal(20),
        CarrierKind.PARK,
    )
    latest = park.history.first()
    assert (latest.history_type, latest.name, latest.area_mu, latest.history_user) == (
        "~",
        "甲园",
        Decimal(20),
        administrator,
    )


def test_a_user_without_the_right_to_add_cannot_import_new_records(org):
    reader = make_user(RoleCode.INSPECTOR, departments=[org["zone"]])
    rows = [["名称", "类型"], ["甲园", "园区"]]

    plan = import_preview(register=register, data=workbook(("园区", rows)), user=reader)

    assert cells(plan) == [(2, "名称", "甲园", "您没有新增园区的权限。")]


def test_an_upload_keeps_the_file_and_its_checked_cells_until_confirmed(administrator):
    from zoneops.common.importing import import_batch_confirm, import_batch_upload

    rows = [["名称", "类型", "占地面积（亩）"], ["甲园", "园区", 100]]
    batch = import_batch_upload(
        register=register, filename="园区.xlsx", data=workbook(("园区", rows)), by=administrator
    )
    cells = f"{batch.file.name}.cells.json"
    assert batch.summary["counts"]["new"] == 1 and not Park.objects.exists()
    assert batch.file.storage.exists(cells)

    plan = import_batch_confirm(batch=batch, register=register, by=administrator)

    assert plan.errors == [] and "load" in plan.timings and "read" not in plan.timings
    assert Park.objects.get().history.get().history_change_reason == "Excel 导入：园区.xlsx"
    assert batch.status == batch.Status.IMPORTED
    assert not batch.file.storage.exists(cells)


def test_a_record_changed_after_the_preview_stops_the_import(administrator):
    from zoneops.common.importing import (
        ImportRefusedError,
        import_batch_confirm,
        import_batch_upload,
    )

    park = record_save(instance=Park(name="甲园", kind=CarrierKind.PARK, area_mu=10), by=None)
    rows = [["名称", "类型", "占地面积（亩）"], ["甲园", "园区", 100]]
    batch = import_batch_upload(
        register=register, filename="园区.xlsx", data=workbook(("园区", rows)), by=administrator
    )
    park.target_industries = "新材料"
    record_save(instance=park, by=None, expected_version=1)

    with pytest.raises(ImportRefusedError) as refused:
        import_batch_confirm(batch=batch, register=register, by=administrator)

    changed = "文件中的部分记录在预览之后被修改过，请重新上传，看过新的预览后再确认。"
    assert [error["message"] for error in refused.value.errors] == [changed]
    assert refused.value.message == f"没有导入，未写入任何数据。{changed}"
    assert batch.summary["errors"][0][3] == changed  # the batch's page tells why
    park.refresh_from_db()
    assert (park.area_mu, park.version) == (Decimal(10), 2)
    assert batch.status == batch.Status.PREVIEWED


def test_kept_cells_of_another_file_are_not_used(administrator):
    import io

    from zoneops.common.importing import cells_load, import_preview

    data = workbook(("园区", [["名称", "类型"], ["甲园", "园区"]]))
    other = workbook(("园区", [["名称", "类型"], ["乙园", "园区"]]))
    output = io.BytesIO()
    import_preview(register=register, data=data, user=administrator, keep_cells=output)
    kept = output.getvalue()

    assert [chunk.values["name"] for chunk in cells_load(register, kept, data).chunks] == [["甲园"]]
    assert cells_load(register, kept, other) is None
    assert cells_load(register, b"not json", data) is None


def test_a_file_with_too_many_rows_is_refused_before_it_is_checked(administrator, settings):
    settings.ZONEOPS_IMPORT_MAX_ROWS = 2
    rows = [["名称", "类型"], ["甲园", "园区"], ["乙园", "园区"], ["丙园", "园区"]]

    plan = import_preview(register=register, data=workbook(("园区", rows)), user=administrator)

    assert [e.message for e in plan.errors] == [
        "文件有 3 行，一次最多导入 2 行，请分成几个文件导入。"
    ]


def test_a_register_that_only_updates_refuses_unknown_keys(administrator):
    class ParkAreas(ParkRegister):
        allow_create = False

    record_save(instance=Park(name="甲园", kind=CarrierKind.PARK), by=None)
    rows = [["名称", "类型", "占地面积（亩）"], ["甲园", "园区", 5], ["乙园", "园区", 6]]

    plan = import_preview(register=ParkAreas(), data=workbook(("园区", rows)), user=administrator)

    assert cells(plan) == [(3, "名称", "乙园", "名称“乙园”在系统中不存在。")]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL writes by COPY")
@pytest.mark.django_db
def test_bulk_insert_writes_rows_whose_every_value_is_a_constant(monkeypatch):
    """A table whose values are all written into the statement binds no parameter: the rows
    after the full statements are counted, not read from the (empty) parameters."""
    from zoneops.common.importing import writer

    monkeypatch.setattr(writer, "STATEMENT_ROWS", 3)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE constants (kind TEXT, size INTEGER)")
        writer._insert("constants", {"kind": writer._Same("园区"), "size": writer._Same(7)}, 7)
        cursor.execute("SELECT kind, size, COUNT(*) FROM constants GROUP BY 1, 2")
        assert cursor.fetchall() == [("园区", 7, 7)]

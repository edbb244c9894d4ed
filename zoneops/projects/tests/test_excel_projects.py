"""The project register in and out of Excel: real .xlsx files written and read back."""

import io
import re
import zipfile
from datetime import date, timedelta
from decimal import Decimal

import pytest
import python_calamine
import xlsxwriter
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zoneops.common.importing import import_confirm, import_preview
from zoneops.common.services import record_save
from zoneops.industry.models import IndustryCategory
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.parks.enums import CarrierKind
from zoneops.parks.models import Park
from zoneops.projects.enums import Stage
from zoneops.projects.excel import project_register
from zoneops.projects.models import Project, StageMove
from zoneops.projects.services import project_create
from zoneops.projects.tests.factories import make_project


@pytest.fixture
def officer(org):
    return make_user(RoleCode.STAFF, departments=[org["investment"]])


@pytest.fixture
def industry(db):
    return record_save(instance=IndustryCategory(name="新材料", code="new-materials"), by=None)


@pytest.fixture
def park(db):
    return record_save(instance=Park(name="新材料产业园", kind=CarrierKind.PARK), by=None)


@pytest.fixture
def projects(officer, org, industry, park):
    common = {"responsible_department": org["investment"], "industry": industry, "park": park}
    return [
        make_project("氟化锂晶体项目", investment=60000, owner=officer, **common),
        make_project(
            "钛合金新材料项目",
            investment=Decimal("12345.67"),
            moves=[(Stage.TALKS, date(2019, 3, 1)), (Stage.SIGNED, date(2019, 6, 1))],
            **common,
        ),
        make_project(
            "石墨烯项目",
            investment=8000,
            liaison_leader=make_user(RoleCode.LEADER, departments=[org["zone"]]),
            **common,
        ),
    ]


def read(data: bytes, sheet: str = "招商项目") -> list[list]:
    workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    return workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def write(rows: list[list], sheet: str = "招商项目") -> bytes:
    """A workbook as a user would make it: XlsxWriter with plain cells."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    worksheet = workbook.add_worksheet(sheet)
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            if isinstance(value, date):
                worksheet.write_datetime(r, c, value, day)
            elif value is not None:
                worksheet.write(r, c, value)
    workbook.close()
    return buffer.getvalue()


def edit(data: bytes, code: str, header: str, value) -> bytes:
    """The exported workbook with one cell changed, as a user would save it."""
    rows = read(data)
    column = rows[0].index(header)
    for row in rows[1:]:
        if row[0] == code:
            row[column] = value
    return write(rows)


def errors(plan) -> set[tuple[int, str]]:
    return {(error.row, error.column) for error in plan.errors}


def export(user) -> bytes:
    return project_register.export(Project.objects.visible_to(user), user=user)


def test_an_exported_register_imports_back_with_every_row_unchanged(projects, officer):
    data = export(officer)
    versions = dict(Project.objects.values_list("pk", "version"))

    plan = import_preview(register=project_register, data=data, user=officer)

    assert plan.errors == []
    assert plan.counts == {"rows": 3, "new": 0, "updated": 0, "unchanged": 3, "errors": 0}
    done = import_confirm(register=project_register, data=data, user=officer)
    assert done.written == {"created": 0, "updated": 0}
    assert dict(Project.objects.values_list("pk", "version")) == versions


def test_a_reimport_with_an_edited_amount_updates_exactly_that_row(projects, officer):
    edited = edit(export(officer), projects[1].code, "总投资（万元）", 23456.78)

    plan = import_preview(register=project_register, data=edited, user=officer)
    assert plan.counts["updated"] == 1 and plan.counts["unchanged"] == 2
    assert Project.objects.get(pk=projects[1].pk).total_investment == Decimal("12345.67")

    done = import_confirm(register=project_register, data=edited, user=officer, reason="月度更新")
    assert done.written == {"created": 0, "updated": 1}
    changed = Project.objects.get(pk=projects[1].pk)
    assert changed.total_investment == Decimal("23456.78")
    assert changed.version == projects[1].version + 1
    assert changed.updated_by == officer
    latest = changed.history.first()
    assert latest.history_type == "~"
    assert latest.history_user == officer
    assert latest.history_change_reason == "月度更新"
    assert latest.total_investment == Decimal("23456.78")
    assert changed.stage == Stage.SIGNED  # untouched columns keep their values
    assert changed.signed_on == date(2019, 6, 1)
    others = Project.objects.exclude(pk=projects[1].pk)
    assert set(others.values_list("version", flat=True)) == {1}  # registered, never changed


def test_cell_errors_are_reported_by_row_and_column_and_nothing_is_written(
    projects, officer, industry
):
    header = ["项目编号", "项目名称", "产业", "总投资（万元）", "登记日期", "补登原因"]
    rows = [
        header,
        ["", "新项目甲", "新材料", 100, "2019-13-45", "历史数据补登"],  # row 2: bad date
        ["", "新项目乙", "新能源汽车", 100, None, None],  # row 3: unknown 产业
        ["", "新项目丙", "新材料", -5, None, None],  # row 4: negative amount
        [projects[0].code, "氟化锂晶体项目", "新材料", 60000, None, None],
        [projects[0].code, "重复的行", "新材料", 1, None, None],  # row 6: duplicate key
    ]
    before = Project.objects.count()

    plan = import_preview(register=project_register, data=write(rows), user=officer)

    assert errors(plan) == {
        (2, "登记日期"),
        (3, "产业"),
        (4, "总投资（万元）"),
        (6, "项目编号"),
    }
    messages = {error.column: error for error in plan.errors}
    assert "新能源汽车" in messages["产业"].message
    assert messages["产业"].value == "新能源汽车"
    assert messages["总投资（万元）"].message == "“总投资”不能为负数。"
    assert "第 5 行" in messages["项目编号"].message
    assert messages["登记日期"].value == "2019-13-45"

    done = import_confirm(register=project_register, data=write(rows), user=officer)
    assert done.errors and done.written == {}
    assert Project.objects.count() == before


def test_a_missing_required_column_is_reported_and_nothing_is_written(officer):
    rows = [["项目编号", "投资方", "总投资（万元）"], ["", "某公司", 100]]

    plan = import_preview(register=project_register, data=write(rows), user=officer)

    assert [(e.row, e.column, e.message) for e in plan.errors] == [
        (1, "项目名称", "缺少必填列“项目名称”。")
    ]
    import_confirm(register=project_register, data=write(rows), user=officer)
    assert not Project.objects.exists()


def test_new_rows_register_projects_at_their_stage_with_the_first_move(
    officer, org, industry, park
):
    rows = [
        [
            "项目名称",
            "阶段",
            "登记日期",
            "补登原因",
            "总投资（万元）",
            "产业",
            "落地园区",
            "责任部门",
        ],
        [
            "新签约项目",
            "签约",
            "2019/10/1",
            "历史数据补登",
            "6,234.5",  # a park's size by the placement rule (a smaller 新材料 one: an incubator)
            "新材料",
            "新材料产业园",
            "招商局",
        ],
        ["今日线索", None, None, None, 50, None, None, "招商局"],
    ]

    plan = import_confirm(register=project_register, data=write(rows), user=officer)

    assert plan.errors == []
    signed = Project.objects.get(name="新签约项目")
    assert signed.code == "XM20190001"
    assert signed.stage == Stage.SIGNED
    assert signed.stage_since == signed.signed_on == date(2019, 10, 1)
    assert signed.started_on is None
    assert signed.total_investment == Decimal("6234.50")
    assert (signed.industry, signed.park) == (industry, park)
    assert signed.responsible_department == org["investment"]
    assert (signed.version, signed.created_by, signed.updated_by) == (1, officer, officer)
    move = StageMove.objects.get(project=signed)
    assert (move.from_stage, move.to_stage, move.moved_on) == ("", Stage.SIGNED, date(2019, 10, 1))
    assert move.backdate_reason == "历史数据补登"
    assert move.by == officer
    created = signed.history.get()
    assert (created.history_type, created.history_user, created.code) == (
        "+",
        officer,
        "XM20190001",
    )
    lead = Project.objects.get(name="今日线索")
    assert lead.stage == Stage.LEAD
    assert lead.stage_since == timezone.localdate()
    assert lead.code == f"XM{timezone.localdate().year}0001"
    assert lead.investor_country == "中国"  # the field's default for a column not in the file


def test_imported_projects_are_written_as_the_services_write_them(officer, org, industry, park):
    # The import writes the stage moves and placements from the projects it has just inserted
    # (INSERT ... SELECT), each row's own values sent as one parameter per column: whatever
    # differs by row (backdate reason, the rule's reason in words) must land on its own row.
    today = timezone.localdate()
    headers = ["项目编号", "项目名称", "投资方", "阶段", "登记日期", "补登原因", "总投资（万元）"]
    headers += ["产业", "落地园区", "责任部门"]
    where = ["新材料", "新材料产业园", "招商局"]
    rows = [
        headers,
        [
            "XM20190101",
            "签约项目",
            "甲公司",
            "签约",
            date(2019, 10, 1),
            "历史数据补登",
            6234.5,
            *where,
        ],
        ["XM20190102", "洽谈项目", "乙公司", "洽谈", None, None, 80000, *where],
    ]
    served = [
        project_create(
            name="签约项目（服务）",
            code="XM20190001",
            by=officer,
            on=date(2019, 10, 1),
            stage=Stage.SIGNED,
            backdate_reason="历史数据补登",
            investor_name="甲公司",
            total_investment=Decimal("6234.50"),
            industry=industry,
            park=park,
            responsible_department=org["investment"],
        ),
        project_create(
            name="洽谈项目（服务）",
            code="XM20190002",
            by=officer,
            stage=Stage.TALKS,
            investor_name="乙公司",
            total_investment=Decimal(80000),
            industry=industry,
            park=park,
            responsible_department=org["investment"],
        ),
    ]

    plan = import_confirm(register=project_register, data=write(rows), user=officer)

    assert plan.errors == [] and plan.written == {"created": 2, "updated": 0}
    imported = [Project.objects.get(code="XM20190101"), Project.objects.get(code="XM20190102")]

    def written(project: Project) -> tuple[dict, ...]:
        def without(values: dict, *names: str) -> dict:
            ignored = {"id", "code", "name", "created_at", "updated_at", *names}
            return {name: value for name, value in values.items() if name not in ignored}

        history = Project.history.filter(id=project.pk)
        return (
            without(Project.objects.filter(pk=project.pk).values().get()),
            without(history.values().get(), "history_id", "history_date", "history_change_reason"),
            without(project.stage_moves.values().get(), "project_id", "recorded_at", "note"),
            # The import places a project on the day of the import, not its registration day.
            without(project.placements.values().get(), "project_id", "recorded_at", "placed_on"),
        )

    for ours, theirs in zip(imported, served, strict=True):
        assert written(ours) == written(theirs)
        history = Project.history.get(id=ours.pk)
        assert (history.history_type, history.history_user, history.history_change_reason) == (
            "+",
            officer,
            "Excel 导入",
        )
        assert history.history_date == ours.created_at
        move = ours.stage_moves.get()
        assert (move.note, move.by) == ("登记项目（Excel 导入）", officer)
        assert ours.placements.get().placed_on == today
    reasons = [p.stage_moves.get().backdate_reason for p in imported]
    assert reasons == ["历史数据补登", ""]
    words = [p.placements.get().suggestion for p in imported]
    assert "6234.5万元" in words[0] and "8亿元" in words[1], words


def test_registration_rules_are_those_of_the_pipeline(officer):
    tomorrow = timezone.localdate() + timedelta(days=1)
    rows = [
        ["项目名称", "阶段", "登记日期", "补登原因", "总投资（万元）"],
        ["补登无原因", "洽谈", "2019年10月1日", None, 1],
        ["未来日期", "洽谈", tomorrow, None, 1],
        ["直接终止", "终止", None, None, 1],
    ]

    plan = import_preview(register=project_register, data=write(rows), user=officer)

    assert errors(plan) == {(2, "补登原因"), (3, "登记日期"), (4, "阶段")}


def test_a_stage_change_in_the_file_is_refused_with_a_pointer_to_the_stage_move(projects, officer):
    edited = edit(export(officer), projects[0].code, "阶段", "签约")

    plan = import_preview(register=project_register, data=edited, user=officer)

    [error] = plan.errors
    assert (error.row, error.column, error.value) == (2, "阶段", "签约")
    assert "推进阶段" in error.message and "线索" in error.message
    assert Project.objects.get(pk=projects[0].pk).stage == Stage.LEAD


def test_an_edit_made_after_the_export_is_not_overwritten(projects, officer):
    data = export(officer)
    project = Project.objects.get(pk=projects[1].pk)
    project.name = "钛合金新材料项目（一期）"
    record_save(instance=project, by=officer, expected_version=project.version)

    plan = import_preview(
        register=project_register,
        data=edit(data, projects[1].code, "总投资（万元）", 1),
        user=officer,
    )

    assert errors(plan) == {(3, "版本号")}
    assert "已被他人修改" in plan.errors[0].message


def test_formula_looking_text_is_neutralised_and_comes_back_unchanged(projects, officer):
    project = Project.objects.get(pk=projects[0].pk)
    project.investor_name = '=HYPERLINK("http://example.com","点击")'
    project.contacts = "-张三 13800000000"
    record_save(instance=project, by=officer)
    data = export(officer)

    cells = {row[0]: row for row in read(data)[1:]}[project.code]
    header = read(data)[0]
    assert cells[header.index("投资方")] == '\'=HYPERLINK("http://example.com","点击")'
    assert cells[header.index("联系人")] == "'-张三 13800000000"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()
    plan = import_preview(register=project_register, data=data, user=officer)
    assert plan.counts["unchanged"] == 3 and plan.errors == []


def test_the_template_has_drop_down_lists_for_coded_columns(projects, officer, industry):
    data = export(officer)

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        workbook = archive.read("xl/workbook.xml").decode()
    header = read(data)[0]
    validations = re.findall(r'<dataValidation type="list"[^>]*sqref="([A-Z]+)2:', sheet)
    listed = {header[_column_index(letter)] for letter in validations}
    assert {
        "项目来源",
        "产业",
        "落地园区",
        "独立选址",
        "招商专员",
        "包联领导",
        "责任部门",
        "阶段",
    } <= listed
    assert "项目编号" not in listed and "总投资（万元）" not in listed
    assert re.search(r'<sheet name="选项" sheetId="\d+" state="hidden"', workbook)
    options = read(data, "选项")
    columns = {
        options[0][c]: [row[c] for row in options[1:] if row[c]] for c in range(len(options[0]))
    }
    assert columns["产业"] == ["新材料"]
    assert columns["阶段"][:3] == ["线索", "洽谈", "深度在谈"]
    assert "<pane" in sheet and 'ySplit="1"' in sheet  # the header row stays in view


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def test_amounts_and_dates_are_numbers_and_dates_in_the_file(projects, officer):
    rows = read(export(officer))
    header = rows[0]
    row = {r[0]: r for r in rows[1:]}[projects[1].code]
    assert row[header.index("总投资（万元）")] == pytest.approx(12345.67)
    assert row[header.index("登记日期")] == date(2019, 3, 1)
    assert row[header.index("阶段")] == "签约"
    assert row[header.index("产业")] == "新材料"


def test_an_export_never_holds_another_departments_projects(projects, officer, org):
    other = make_user(RoleCode.STAFF, departments=[org["approvals"]])
    hidden = make_project("审批局的项目", responsible_department=org["approvals"], by=other)

    codes = [row[0] for row in read(export(officer))[1:]]

    assert hidden.code not in codes
    assert sorted(codes) == sorted(p.code for p in projects)
    assert [row[0] for row in read(export(other))[1:]] == [hidden.code]


def test_a_key_of_a_project_out_of_scope_is_refused(projects, officer, org):
    other = make_user(RoleCode.STAFF, departments=[org["approvals"]])
    hidden = make_project("审批局的项目", responsible_department=org["approvals"], by=other)
    rows = [["项目编号", "项目名称", "总投资（万元）"], [hidden.code, "改名", 1]]

    plan = import_preview(register=project_register, data=write(rows), user=officer)

    assert errors(plan) == {(2, "项目编号")}
    assert "不在您的数据范围内" in plan.errors[0].message


def test_columns_are_found_by_header_in_any_order_with_extra_columns_ignored(projects, officer):
    rows = [
        ["备注", "总投资（万元）", " 项目名称 ", "项目编号"],
        ["随手记的", 60000, "氟化锂晶体项目（改）", projects[0].code],
    ]

    plan = import_preview(register=project_register, data=write(rows, sheet="Sheet1"), user=officer)

    assert plan.errors == []
    assert plan.ignored == ["备注"]
    assert plan.counts == {"rows": 1, "new": 0, "updated": 1, "unchanged": 0, "errors": 0}
    [row] = plan.changed_rows
    assert row.changes == {"name": "氟化锂晶体项目（改）"}


def test_a_person_named_twice_must_be_told_apart(projects, officer, org):
    first = make_user(RoleCode.LEADER, departments=[org["investment"]], username="wangwei1")
    second = make_user(RoleCode.LEADER, departments=[org["investment"]], username="wangwei2")
    for user in (first, second):
        user.display_name = "王伟"
        user.save(update_fields=["display_name"])
    rows = [
        ["项目编号", "项目名称", "总投资（万元）", "包联领导"],
        [projects[0].code, "氟化锂晶体项目", 60000, "王伟"],
        [projects[1].code, "钛合金新材料项目", 12345.67, "王伟（wangwei2）"],
    ]

    plan = import_preview(register=project_register, data=write(rows), user=officer)

    [error] = plan.errors
    assert (error.row, error.column) == (2, "包联领导")
    assert "王伟（wangwei1）" in error.message and "王伟（wangwei2）" in error.message
    assert plan.changed_rows[0].changes == {"liaison_leader_id": second.pk}


def test_lookups_take_one_query_per_column_whatever_the_rows(officer, org, industry, park):
    leader = make_user(RoleCode.LEADER, departments=[org["investment"]])

    def rows(count: int) -> bytes:
        return write(
            [["项目名称", "总投资（万元）", "产业", "落地园区", "责任部门", "包联领导"]]
            + [
                # 5000万元 and more: a park's project by the placement rule
                [f"项目{i}", 5000 + i, "新材料", "新材料产业园", "招商局", leader.username]
                for i in range(count)
            ]
        )

    import_preview(register=project_register, data=rows(1), user=officer)  # the user's scope
    with CaptureQueriesContext(connection) as few:
        import_preview(register=project_register, data=rows(3), user=officer)
    with CaptureQueriesContext(connection) as many:
        plan = import_preview(register=project_register, data=rows(300), user=officer)
    assert plan.errors == [] and plan.counts["new"] == 300
    # 产业, 落地园区, 责任部门, 包联领导; the placement check's industry codes and parks.
    assert len(many) == len(few) == 6


def test_an_export_streamed_to_a_file_in_chunks_reads_back_row_by_row(
    projects, officer, monkeypatch, tmp_path
):
    from zoneops.common.importing import registers

    monkeypatch.setattr(registers, "EXPORT_CHUNK", 2)  # three projects: two chunks
    path = tmp_path / "projects.xlsx"

    with path.open("wb") as output:
        project_register.export_to(Project.objects.all(), user=officer, output=output)

    rows = read(path.read_bytes())
    header, body = rows[0], rows[1:]
    codes = [row[header.index("项目编号")] for row in body]
    assert codes == sorted(project.code for project in projects)
    by_code = {row[header.index("项目编号")]: row for row in body}
    titanium = by_code[projects[1].code]
    assert titanium[header.index("项目名称")] == "钛合金新材料项目"
    assert titanium[header.index("总投资（万元）")] == 12345.67
    assert titanium[header.index("产业")] == "新材料"
    plan = import_preview(register=project_register, data=path.read_bytes(), user=officer)
    assert plan.errors == [] and plan.counts["unchanged"] == 3


# --- A chunk of rows at a time (ZONEOPS_IMPORT_CHUNK_ROWS) ------------------------------------


def outcome(plan) -> tuple:
    return (
        plan.counts,
        sorted((error.row, error.column, error.message) for error in plan.errors),
    )


def test_errors_and_duplicates_that_straddle_chunks_are_those_of_a_single_chunk(
    projects, officer, settings
):
    rows = [
        ["项目编号", "项目名称", "总投资（万元）"],
        [projects[0].code, "氟化锂晶体项目", 60000],  # row 2
        ["", "新项目甲", 100],
        ["", "新项目乙", -1],  # row 4: last of the first chunk, a bad amount
        [projects[0].code, "重复的行", 1],  # row 5: first of the second chunk, a duplicate
        [projects[1].code, "钛合金新材料项目", 2],  # row 6: an update
        ["XM-NEW-1", "新项目丙", 3],
        ["XM-NEW-1", "新项目丁", 4],  # row 8: a duplicate in the third chunk of row 7's
        ["", "", None],  # a blank row: left out, not counted
        ["", "新项目戊", None],  # row 10: 总投资 required
    ]
    settings.ZONEOPS_IMPORT_CHUNK_ROWS = 10_000
    whole = import_preview(register=project_register, data=write(rows), user=officer)
    settings.ZONEOPS_IMPORT_CHUNK_ROWS = 3
    chunked = import_preview(register=project_register, data=write(rows), user=officer)

    assert outcome(chunked) == outcome(whole)
    assert errors(chunked) == {
        (4, "总投资（万元）"),
        (5, "项目编号"),
        (8, "项目编号"),
        (10, "总投资（万元）"),
    }
    assert chunked.counts == {"rows": 8, "new": 6, "updated": 1, "unchanged": 1, "errors": 4}
    duplicate = next(error for error in chunked.errors if error.row == 5)
    assert "第 2 行" in duplicate.message
    before = Project.objects.count()
    done = import_confirm(register=project_register, data=write(rows), user=officer)
    assert outcome(done) == outcome(whole) and done.written == {}
    assert Project.objects.count() == before
    assert Project.objects.get(pk=projects[1].pk).total_investment == Decimal("12345.67")


def test_a_file_of_one_more_row_than_a_chunk_is_written_whole(officer, settings):
    from zoneops.common.importing import import_batch_confirm, import_batch_upload

    settings.ZONEOPS_IMPORT_CHUNK_ROWS = 3
    year = timezone.localdate().year
    rows = [
        ["项目编号", "项目名称", "总投资（万元）"],
        ["", "新项目一", 1],
        ["", "新项目二", 2],
        ["", "新项目三", 3],
        # In the second chunk, a code the first chunk's numbering would otherwise have given.
        [f"XM{year}0002", "新项目四", 4],
    ]

    batch = import_batch_upload(
        register=project_register, filename="projects.xlsx", data=write(rows), by=officer
    )
    assert batch.summary["counts"]["new"] == 4
    plan = import_batch_confirm(batch=batch, register=project_register, by=officer)

    assert plan.written == {"created": 4, "updated": 0}
    codes = dict(Project.objects.values_list("name", "code"))
    assert codes == {
        "新项目一": f"XM{year}0001",
        "新项目二": f"XM{year}0003",
        "新项目三": f"XM{year}0004",
        "新项目四": f"XM{year}0002",
    }
    assert StageMove.objects.filter(from_stage="").count() == 4
    assert Project.history.filter(history_type="+").count() == 4


def test_a_direct_confirmation_of_chunks_numbers_new_projects_around_the_files_codes(
    officer, settings
):
    settings.ZONEOPS_IMPORT_CHUNK_ROWS = 1
    year = timezone.localdate().year
    rows = [
        ["项目编号", "项目名称", "总投资（万元）"],
        ["", "新项目一", 1],
        [f"XM{year}0001", "新项目二", 2],
    ]

    plan = import_confirm(register=project_register, data=write(rows), user=officer)

    assert plan.errors == [] and plan.written == {"created": 2, "updated": 0}
    assert dict(Project.objects.values_list("name", "code")) == {
        "新项目一": f"XM{year}0002",
        "新项目二": f"XM{year}0001",
    }


def test_an_edit_after_the_preview_stops_a_chunked_confirmation_that_had_begun_writing(
    projects, officer, settings
):
    from zoneops.common.importing import (
        ImportRefusedError,
        import_batch_confirm,
        import_batch_upload,
    )

    settings.ZONEOPS_IMPORT_CHUNK_ROWS = 2
    rows = [["项目编号", "项目名称", "总投资（万元）"], ["", "新项目一", 1], ["", "新项目二", 2]]
    rows += [[projects[2].code, "石墨烯项目", 9000]]  # the second chunk: an update
    batch = import_batch_upload(
        register=project_register, filename="projects.xlsx", data=write(rows), by=officer
    )
    graphene = Project.objects.get(pk=projects[2].pk)
    graphene.name = "石墨烯项目（改）"
    record_save(instance=graphene, by=officer, expected_version=graphene.version)
    before = Project.objects.count()

    with pytest.raises(ImportRefusedError) as refused:
        import_batch_confirm(batch=batch, register=project_register, by=officer)

    assert "在预览之后被修改过" in refused.value.message
    assert Project.objects.count() == before  # the first chunk's projects rolled back
    assert Project.objects.get(pk=projects[2].pk).total_investment == 8000


def test_errors_past_those_shown_are_counted_across_chunks(officer, settings, monkeypatch):
    from zoneops.common.importing import registers

    monkeypatch.setattr(registers, "SHOWN_ERRORS", 2)
    settings.ZONEOPS_IMPORT_CHUNK_ROWS = 2
    rows = [["项目名称", "总投资（万元）"]] + [[f"项目{i}", -1] for i in range(7)]

    plan = import_preview(register=project_register, data=write(rows), user=officer)

    assert plan.counts["errors"] == 7
    assert sorted(error.row for error in plan.errors)[:2] == [2, 3]
    assert [error[0] for error in plan.summary()["errors"]] == [2, 3]


def test_a_sheet_that_starts_below_and_right_of_a1_is_read_from_its_header(officer, settings):
    settings.ZONEOPS_IMPORT_CHUNK_ROWS = 2
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("招商项目")
    sheet.write_row(2, 2, ["项目名称", "总投资（万元）"])  # C3
    sheet.write_row(3, 2, ["新项目一", 1])
    sheet.write_row(5, 2, ["新项目二", -2])  # row 6, after a blank row
    sheet.write_row(6, 2, ["新项目三", 3])
    workbook.close()

    plan = import_preview(register=project_register, data=buffer.getvalue(), user=officer)

    assert [(error.row, error.column) for error in plan.errors] == [(6, "总投资（万元）")]
    assert plan.counts["new"] == 3


# --- Read whole or streamed (ZONEOPS_IMPORT_STREAM_ABOVE_MB) ----------------------------------


def shown(plan) -> dict:
    """What a preview shows, less its timings."""
    summary = plan.summary()
    del summary["timings"]
    return summary


@pytest.fixture
def streamed(settings, monkeypatch):
    """Every workbook read by openpyxl row by row, calamine not even opened."""
    from zoneops.common.importing import reading

    def refused(data: bytes):
        raise AssertionError("calamine opened a workbook above the bound")

    settings.ZONEOPS_IMPORT_STREAM_ABOVE_MB = 0
    monkeypatch.setattr(reading, "_CalamineWorkbook", refused)


def test_a_workbook_above_the_streaming_bound_previews_as_one_below_it(
    projects, officer, settings, request
):
    settings.ZONEOPS_IMPORT_CHUNK_ROWS = 3
    rows = [
        ["2019年招商项目"],
        [],
        ["项目编号", "项目名称", "总投资（万元）", "登记日期", "建设内容", "阶段"],
        [projects[1].code, "钛合金新材料项目", 23456.78, None, "厂房\r\n设备", "签约"],
        ["", "新项目甲", 100, date(2019, 10, 1), "", "洽谈"],
        ["", "新项目乙", -1, "2019年10月2日", "", "线索"],
        [projects[1].code, "重复的行", 1, None, "", ""],  # the key of row 4 again
        [],
        ["XM-NEW-1", "新项目丙", "1,200.5", 20191001, "_x000D_", "不知道"],
        ["", "", None, None, "", ""],
        ["", "新项目丁", 3, "2019-13-01", True, 0],
    ]
    data = write(rows)

    parsed = import_preview(register=project_register, data=data, user=officer)
    request.getfixturevalue("streamed")
    streamed = import_preview(register=project_register, data=data, user=officer)

    assert shown(streamed) == shown(parsed)
    assert outcome(streamed) == outcome(parsed)
    assert parsed.counts == {"rows": 6, "new": 5, "updated": 1, "unchanged": 0, "errors": 8}
    assert errors(parsed) == {
        (5, "补登原因"),
        (6, "总投资（万元）"),
        (6, "补登原因"),  # 2019年10月2日, read from text
        (7, "项目编号"),
        (9, "登记日期"),  # 20191001 in a date cell: a number, no day
        (9, "阶段"),
        (11, "登记日期"),
        (11, "阶段"),
    }


def test_an_export_imports_back_streamed_and_an_edit_is_written(projects, officer, streamed):
    assert import_preview(register=project_register, data=export(officer), user=officer).counts == {
        "rows": 3,
        "new": 0,
        "updated": 0,
        "unchanged": 3,
        "errors": 0,
    }
    edited = edit(export(officer), projects[1].code, "总投资（万元）", 23456.78)

    done = import_confirm(register=project_register, data=edited, user=officer, reason="月度更新")

    assert done.errors == [] and done.written == {"created": 0, "updated": 1}
    assert Project.objects.get(pk=projects[1].pk).total_investment == Decimal("23456.78")


def test_a_streamed_workbook_is_held_to_the_same_sheet_checks(officer, settings, streamed):
    settings.ZONEOPS_IMPORT_MAX_ROWS = 2
    header = ["项目名称", "总投资（万元）"]

    too_many = import_preview(
        register=project_register,
        data=write([header, ["甲", 1], ["乙", 2], [], ["丙", 3]]),
        user=officer,
    )
    only_header = import_preview(register=project_register, data=write([header]), user=officer)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.add_worksheet("说明").write_string(0, 0, "见隐藏的表")
    hidden = book.add_worksheet("招商项目")
    hidden.write_row(0, 0, header)
    hidden.write_row(1, 0, ["甲", 1])
    hidden.hide()
    book.close()
    in_hidden_sheet = import_preview(
        register=project_register, data=buffer.getvalue(), user=officer
    )

    assert [error.message for error in too_many.errors] == [
        "文件有 4 行，一次最多导入 2 行，请分成几个文件导入。"
    ]
    assert [error.message for error in only_header.errors] == [
        "“招商项目”表只有表头，没有要导入的数据行：请在表头下方逐行填写后再导入。"
    ]
    assert [error.message for error in in_hidden_sheet.errors] == [
        "文件中没有找到招商项目表：表头应有“项目编号”等列。"
    ]

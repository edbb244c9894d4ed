"""Reading is not writing: the records every colleague reads (the enterprise register, parks,
industry categories, command HQs, the liaison roster) are changed by their owners or zone-wide,
through the admin, the API and imports alike — one mechanism (`common.scope`, `write=True`),
checked here role by role."""

import io
from decimal import Decimal

import pytest
import xlsxwriter
from django.utils import timezone
from python_calamine import CalamineWorkbook

from zoneops.api.services import api_token_create
from zoneops.common.exceptions import PermissionDeniedError
from zoneops.common.importing import import_confirm, import_preview
from zoneops.common.scope import can_see, can_write
from zoneops.common.services import record_save
from zoneops.enterprises.excel import EnterpriseRegister
from zoneops.enterprises.models import Enterprise
from zoneops.enterprises.services import liaison_assign
from zoneops.enterprises.services.plans import measure_add, plan_create
from zoneops.enterprises.tests.factories import make_enterprise, make_monthly_figures
from zoneops.industry.models import IndustryCategory
from zoneops.meetings.tests.factories import make_meeting
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.models import Role
from zoneops.orgs.tests.factories import make_department, make_user, signed_in
from zoneops.parks.enums import CarrierKind
from zoneops.parks.models import Park
from zoneops.parks.services import park_save
from zoneops.projects.excel import ProjectRegister
from zoneops.projects.services.scheduling import command_hq_create
from zoneops.projects.tests.factories import make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def zone(org):
    """Who is who: the investment bureau keeps an enterprise and manages a park; a leader
    commands an HQ; the approvals bureau and the rest only read them."""
    leaders_office = make_department("领导班子", parent=org["zone"])
    people = {
        role: make_user(role, departments=[org["investment"]])
        for role in (RoleCode.STAFF, RoleCode.DEPARTMENT_HEAD)
    }
    people |= {
        "other_staff": make_user(RoleCode.STAFF, departments=[org["approvals"]]),
        "other_head": make_user(RoleCode.DEPARTMENT_HEAD, departments=[org["approvals"]]),
        "commander": make_user(RoleCode.LEADER, departments=[leaders_office]),
        RoleCode.LEADER: make_user(RoleCode.LEADER, departments=[leaders_office]),
        "leader_in_charge": make_user(
            RoleCode.LEADER, departments=[leaders_office], in_charge_of=[org["investment"]]
        ),
        RoleCode.PRINCIPAL: make_user(RoleCode.PRINCIPAL, departments=[leaders_office]),
        RoleCode.ADMINISTRATOR: make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]]),
        RoleCode.INSPECTOR: make_user(RoleCode.INSPECTOR, departments=[org["zone"]]),
        RoleCode.STATISTICIAN: make_user(RoleCode.STATISTICIAN, departments=[org["zone"]]),
    }
    park = record_save(
        instance=Park(
            name="中日韩产业园", kind=CarrierKind.PARK, managing_department=org["investment"]
        ),
        by=None,
    )
    enterprise = make_enterprise("北汽倍摩斯", responsible_department=org["investment"])
    records = {
        "enterprise": enterprise,
        "park": park,
        "category": record_save(instance=IndustryCategory(name="汽车", code="auto"), by=None),
        "hq": command_hq_create(
            name="北汽倍摩斯项目指挥部", commander=people["commander"], by=None
        ),
        "figure": make_monthly_figures(enterprise, year=2019, monthly_revenue=10, months=1)[0],
    }
    people[RoleCode.ENTERPRISE] = make_user(RoleCode.ENTERPRISE, enterprise=enterprise)
    return people, records


# Who may change each record (beside reading it): owners, the zone-wide roles with a change
# permission, and nobody because he merely reads it.
WRITERS = {
    "enterprise": {
        RoleCode.STAFF,
        RoleCode.DEPARTMENT_HEAD,
        "leader_in_charge",
        RoleCode.PRINCIPAL,
        RoleCode.ADMINISTRATOR,
    },
    "park": {
        RoleCode.STAFF,
        RoleCode.DEPARTMENT_HEAD,
        "leader_in_charge",
        RoleCode.PRINCIPAL,
        RoleCode.ADMINISTRATOR,
    },
    # a dictionary administrators keep (granted like 系统管理)
    "category": {RoleCode.ADMINISTRATOR},
    "hq": {"commander", RoleCode.PRINCIPAL, RoleCode.ADMINISTRATOR},
    "figure": {
        RoleCode.STAFF,
        RoleCode.DEPARTMENT_HEAD,
        "leader_in_charge",
        RoleCode.PRINCIPAL,
        RoleCode.ADMINISTRATOR,
    },
}
WHO = [
    RoleCode.STAFF,
    RoleCode.DEPARTMENT_HEAD,
    "other_staff",
    "other_head",
    "commander",
    RoleCode.LEADER,
    "leader_in_charge",
    RoleCode.PRINCIPAL,
    RoleCode.ADMINISTRATOR,
    RoleCode.INSPECTOR,
    RoleCode.STATISTICIAN,
    RoleCode.ENTERPRISE,
]


@pytest.mark.parametrize("record", sorted(WRITERS))
def test_who_may_change_each_record_every_colleague_reads(zone, record):
    people, records = zone
    obj = records[record]
    for who in WHO:
        user = people[who]
        label = obj._meta.model_name
        may_change = user.has_perm(f"{obj._meta.app_label}.change_{label}") and can_write(user, obj)
        assert may_change == (who in WRITERS[record]), (record, who)
        if who != RoleCode.ENTERPRISE and record != "figure":
            assert can_see(user, obj), (record, who)  # every colleague still reads it


def test_another_departments_staff_reads_an_enterprise_but_cannot_change_it(zone):
    people, records = zone
    enterprise = records["enterprise"]
    client = signed_in(people["other_staff"])
    url = f"/api/v1/enterprises/{enterprise.pk}"

    assert client.get(url).status_code == 200
    refused = client.patch(
        url, {"address": "改了", "version": enterprise.version}, content_type="application/json"
    )
    page = client.get(f"/admin/enterprises/enterprise/{enterprise.pk}/change/")
    posted = client.post(f"/admin/enterprises/enterprise/{enterprise.pk}/change/", {})

    assert refused.status_code == 403
    assert page.status_code == 200 and 'name="address"' not in page.content.decode()
    assert posted.status_code == 403
    enterprise.refresh_from_db()
    assert enterprise.address == ""


def test_the_keeping_departments_staff_changes_the_enterprise(zone):
    people, records = zone
    enterprise = records["enterprise"]
    response = signed_in(people[RoleCode.STAFF]).patch(
        f"/api/v1/enterprises/{enterprise.pk}",
        {"address": "沧州经济开发区", "version": enterprise.version},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    enterprise.refresh_from_db()
    assert enterprise.address == "沧州经济开发区"


def test_a_colleague_cannot_change_a_command_hqs_commander(zone):
    people, records = zone
    hq = records["hq"]
    client = signed_in(people[RoleCode.DEPARTMENT_HEAD])
    url = f"/api/v1/projects/command-hqs/{hq.pk}"

    assert client.get(url).status_code == 200
    refused = client.patch(
        url,
        {"commander_id": people[RoleCode.DEPARTMENT_HEAD].pk, "version": hq.version},
        content_type="application/json",
    )

    assert refused.status_code == 403
    hq.refresh_from_db()
    assert hq.commander == people["commander"]
    allowed = signed_in(people["commander"]).patch(
        url, {"duties": "统筹推进", "version": hq.version}, content_type="application/json"
    )
    assert allowed.status_code == 200, allowed.content


def test_another_departments_staff_cannot_change_a_park(zone):
    people, records = zone
    park = records["park"]
    url = f"/api/v1/parks/{park.pk}"
    refused = signed_in(people["other_staff"]).patch(
        url, {"area_mu": "1", "version": park.version}, content_type="application/json"
    )
    assert refused.status_code == 403
    allowed = signed_in(people[RoleCode.STAFF]).patch(
        url, {"area_mu": "395", "version": park.version}, content_type="application/json"
    )
    assert allowed.status_code == 200, allowed.content
    park.refresh_from_db()
    assert park.area_mu == Decimal(395)


def test_an_industry_category_is_changed_zone_wide_only(zone):
    people, records = zone
    category = records["category"]
    url = f"/admin/industry/industrycategory/{category.pk}/change/"
    staff = signed_in(people[RoleCode.DEPARTMENT_HEAD])
    assert staff.get(url).status_code == 200
    assert staff.post(url, {"name": "改名", "code": "auto", "order": 0}).status_code == 403
    category.refresh_from_db()
    assert category.name == "汽车"


def test_figures_of_an_enterprise_are_entered_by_who_may_write_it(zone):
    people, records = zone
    enterprise = records["enterprise"]
    url = f"/api/v1/enterprises/{enterprise.pk}/figures"
    body = {"year": 2020, "month": 1, "revenue": "5"}
    refused = signed_in(people["other_head"]).put(url, body, content_type="application/json")
    allowed = signed_in(people[RoleCode.STAFF]).put(url, body, content_type="application/json")
    assert refused.status_code == 403
    assert allowed.status_code == 200, allowed.content
    assert enterprise.figures.filter(year=2020).count() == 1


def test_a_bulk_delete_of_records_one_may_only_read_is_refused(zone):
    """A department head may delete parks, but only those his department manages: selecting
    another bureau's park in the list and confirming deletes nothing."""
    people, records = zone
    park = records["park"]
    response = signed_in(people["other_head"]).post(
        "/admin/parks/park/",
        {"action": "delete_selected", "_selected_action": [park.pk], "post": "yes"},
    )
    assert response.status_code == 403
    assert Park.objects.filter(pk=park.pk).exists()


def test_the_principal_leaders_role_sees_the_whole_zone():
    role = Role.objects.get(code=RoleCode.PRINCIPAL)
    assert role.data_scope == "all"
    assert role.group.permissions.filter(codename="assign_liaison").exists()


def test_an_import_leaves_what_one_only_reads_unchanged_and_refuses_to_change_it(zone):
    people, records = zone
    enterprise = records["enterprise"]
    register = EnterpriseRegister()
    reader = people["other_staff"]
    exported = register.export(Enterprise.objects.filter(pk=enterprise.pk), user=reader)

    same = import_preview(register=register, data=exported, user=reader)
    assert same.errors == [] and same.counts["unchanged"] == 1

    rows = CalamineWorkbook.from_filelike(io.BytesIO(exported)).get_sheet_by_name("企业名录")
    table = rows.to_python()
    table[1][table[0].index("地址")] = "改了"
    changed = import_confirm(register=register, data=_xlsx(table), user=reader)

    assert [error.message for error in changed.errors] == [
        f"统一社会信用代码“{enterprise.credit_code}”的记录您可以查看但不能修改（不由您或您的部门负责）。"
    ]
    enterprise.refresh_from_db()
    assert enterprise.address == ""


def _xlsx(table: list[list], sheet_name: str = "企业名录") -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(sheet_name)
    for r, row in enumerate(table):
        for c, value in enumerate(row):
            if value not in (None, ""):
                sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


# --- what a reviewer found after the first slice ------------------------------------------------


def liaising(leader, enterprise, people) -> None:
    """From today the leader liaises with the enterprise (assigned by the administrator)."""
    liaison_assign(
        enterprise=enterprise,
        kind="leader",
        person=leader,
        started_on=timezone.localdate(),
        by=people[RoleCode.ADMINISTRATOR],
    )


def test_liaison_does_not_let_one_move_the_enterprise_into_ones_own_park(zone, org):
    people, records = zone
    enterprise = records["enterprise"]
    leader = people[RoleCode.LEADER]
    own_park = record_save(
        instance=Park(name="领导班子的园区", kind=CarrierKind.PARK, managing_department=None),
        by=None,
    )
    own_park.managing_department = leader.departments.get()
    record_save(instance=own_park, by=None)
    liaising(leader, enterprise, people)
    assert can_write(leader, enterprise)  # he keeps its record up to date while he liaises

    refused = signed_in(leader).patch(
        f"/api/v1/enterprises/{enterprise.pk}",
        {"park_id": own_park.pk, "version": enterprise.version},
        content_type="application/json",
    )

    assert refused.status_code == 403 and refused.json()["errors"][0]["field"] == "park"
    register = EnterpriseRegister()
    table = (
        CalamineWorkbook.from_filelike(
            io.BytesIO(register.export(Enterprise.objects.filter(pk=enterprise.pk), user=leader))
        )
        .get_sheet_by_name("企业名录")
        .to_python()
    )
    table[1][table[0].index("所在园区")] = own_park.name
    imported = import_confirm(register=register, data=_xlsx(table), user=leader)
    assert [(error.column, error.value) for error in imported.errors] == [
        ("所在园区", own_park.name)
    ]
    enterprise.refresh_from_db()
    assert enterprise.park is None


def test_who_registered_a_park_does_not_keep_it(zone, org):
    people, _records = zone
    staff = people["other_staff"]
    park = record_save(instance=Park(name="新园区", kind=CarrierKind.PARK), by=staff)
    assert park.created_by == staff
    assert not can_write(staff, park)  # its managing department (or zone-wide) keeps it


def test_a_figure_is_added_in_the_back_office_only_for_an_enterprise_one_may_write(zone, org):
    people, records = zone
    other = make_enterprise("韩国株山", responsible_department=org["approvals"])
    client = signed_in(people[RoleCode.STAFF])
    data = {"year": "2020", "month": "1", "revenue": "5", "note": ""}

    refused = client.post(
        "/admin/enterprises/enterprisefigure/add/", {**data, "enterprise": other.pk}
    )
    allowed = client.post(
        "/admin/enterprises/enterprisefigure/add/",
        {**data, "enterprise": records["enterprise"].pk},
    )

    assert refused.status_code == 200 and not other.figures.exists()
    assert allowed.status_code == 302, allowed.content.decode()[:2000]
    assert records["enterprise"].figures.filter(year=2020).exists()


def test_a_meeting_attendee_reads_it_but_does_not_call_it_off(zone, org):
    people, _records = zone
    host = people[RoleCode.DEPARTMENT_HEAD]
    attendee = people["other_staff"]
    meeting = make_meeting(held_on=timezone.localdate(), host=host, organiser=org["investment"])
    meeting.attendees.add(attendee)
    client = signed_in(attendee)

    assert client.get(f"/api/v1/meetings/{meeting.pk}").status_code == 200
    refused = client.post(
        f"/api/v1/meetings/{meeting.pk}/cancel",
        {"reason": "改期", "version": meeting.version},
        content_type="application/json",
    )

    assert refused.status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == "planned"


def test_a_project_reached_through_liaison_cannot_be_made_ones_own(zone, org):
    people, records = zone
    leader = people[RoleCode.LEADER]
    project = make_project(
        "倍摩斯二期",
        investor_enterprise=records["enterprise"],
        responsible_department=org["approvals"],
    )
    liaising(leader, records["enterprise"], people)
    assert can_write(leader, project)

    refused = signed_in(leader).patch(
        f"/api/v1/projects/{project.pk}",
        {"owner_id": leader.pk, "version": project.version},
        content_type="application/json",
    )

    assert refused.status_code == 403 and refused.json()["errors"][0]["field"] == "owner"
    project.refresh_from_db()
    assert project.owner is None


def test_a_projects_liaison_leader_is_a_leader(zone, org):
    people, _records = zone
    response = signed_in(people[RoleCode.STAFF]).post(
        "/api/v1/projects/",
        {
            "name": "某项目",
            "responsible_department_id": org["investment"].pk,
            "liaison_leader_id": people["other_staff"].pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "liaison_leader"


def test_no_token_is_issued_for_someone_who_may_do_more_than_the_issuer(zone):
    people, _records = zone
    administrator = people[RoleCode.ADMINISTRATOR]
    root = make_user(RoleCode.ADMINISTRATOR, departments=administrator.departments.all())
    root.is_superuser = True
    root.save(update_fields=["is_superuser"])

    with pytest.raises(PermissionDeniedError):
        api_token_create(user=root, name="接口", by=administrator)
    token, _raw = api_token_create(user=people[RoleCode.STAFF], name="接口", by=administrator)
    assert token.user == people[RoleCode.STAFF]


def test_an_import_cannot_make_a_project_reached_through_liaison_ones_own(zone, org):
    people, records = zone
    leader = people[RoleCode.LEADER]
    project = make_project(
        "倍摩斯三期",
        investor_enterprise=records["enterprise"],
        responsible_department=org["approvals"],
    )
    liaising(leader, records["enterprise"], people)
    table = [
        ["项目编号", "项目名称", "总投资（万元）", "招商专员"],
        [project.code, project.name, 10000, leader.username],
    ]

    plan = import_confirm(register=ProjectRegister(), data=_xlsx(table, "招商项目"), user=leader)

    assert [(error.column, error.message) for error in plan.errors] == [
        ("招商专员", "不能把本人或本人所在、分管的部门填为“招商专员”：这会扩大本人的数据范围。")
    ]
    project.refresh_from_db()
    assert project.owner is None


def test_a_parks_managing_department_is_handed_over_zone_wide_only(zone, org):
    people, records = zone
    park = records["park"]
    with pytest.raises(PermissionDeniedError):
        park.managing_department = org["approvals"]
        park_save(park=park, by=people[RoleCode.DEPARTMENT_HEAD])
    park.refresh_from_db()
    assert park.managing_department == org["investment"]
    page = signed_in(people[RoleCode.STAFF]).get(f"/admin/parks/park/{park.pk}/change/")
    assert 'name="managing_department"' not in page.content.decode()  # shown, not offered

    park.managing_department = org["approvals"]
    park_save(park=park, by=people[RoleCode.ADMINISTRATOR])
    park.refresh_from_db()
    assert park.managing_department == org["approvals"]


def test_a_measure_is_added_only_to_a_plan_one_may_change(zone, org):
    people, records = zone
    plan = plan_create(
        enterprise=records["enterprise"],
        title="帮扶方案",
        owner=people[RoleCode.LEADER],
        department=org["investment"],
        starts_on=timezone.localdate(),
        by=None,
    )
    with pytest.raises(PermissionDeniedError):
        measure_add(
            plan=plan,
            content="协调用地",
            department=org["approvals"],
            due_on=timezone.localdate(),
            by=people["other_staff"],
        )
    assert not plan.measures.exists()
    measure_add(
        plan=plan,
        content="协调用地",
        department=org["approvals"],
        due_on=timezone.localdate(),
        by=people[RoleCode.STAFF],
    )
    assert plan.measures.count() == 1


def test_no_token_for_someone_who_reaches_departments_the_issuer_does_not(zone, org):
    people, _records = zone
    issuer = people[RoleCode.DEPARTMENT_HEAD]  # 招商局 and below
    with pytest.raises(PermissionDeniedError):
        api_token_create(user=people["other_staff"], name="接口", by=issuer)  # 审批局
    token, _raw = api_token_create(user=people[RoleCode.STAFF], name="接口", by=issuer)
    assert token.user == people[RoleCode.STAFF]

"""Placing a project by the rule (落地选址): the service, scope, the project page and form,
the yearly table and its export, the API."""

from datetime import date, datetime, time
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from python_calamine import CalamineWorkbook

from zoneops.common.exceptions import ApplicationError, PermissionDeniedError
from zoneops.enterprises.models import Enterprise
from zoneops.industry.models import IndustryCategory
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user, signed_in
from zoneops.parks.enums import CarrierKind
from zoneops.parks.models import Building, Park, Unit
from zoneops.parks.placement import (
    PlacementKind,
    placement_kind,
    placement_kind_case,
    placement_kind_of,
    placement_kind_of_case,
)
from zoneops.projects.enums import Stage
from zoneops.projects.models import Project, ProjectPlacement
from zoneops.projects.selectors.placement import placement_outcomes, placement_overrides
from zoneops.projects.services.placement import project_place
from zoneops.projects.tests.factories import make_project

TODAY = date(2020, 6, 30)
pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _today():
    moment = datetime.combine(TODAY, time(10), tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=False):
        yield


@pytest.fixture
def zone(org):
    auto = IndustryCategory.objects.create(name="汽车", code="auto")
    rnd = IndustryCategory.objects.create(name="高新技术研发", code="rnd")
    park = Park.objects.create(name="汽车产业园", kind=CarrierKind.PARK)
    park.industries.add(auto)
    building = Building.objects.create(park=park, name="1号厂房")
    Unit.objects.create(building=building, name="101", area_m2=Decimal(1200))
    centre = Park.objects.create(name="国家级创业中心", kind=CarrierKind.CENTRE)
    officer = make_user(RoleCode.STAFF, departments=[org["investment"]])
    other = make_user(RoleCode.STAFF, departments=[org["approvals"]])
    return {
        "auto": auto,
        "rnd": rnd,
        "park": park,
        "centre": centre,
        "officer": officer,
        "other": other,
        "org": org,
    }


def _project(zone, name="汽车零部件项目", investment=20000, **fields):
    fields.setdefault("industry", zone["auto"])
    fields.setdefault("responsible_department", zone["org"]["investment"])
    return make_project(name, investment=investment, **fields)


# --- the service ---------------------------------------------------------------------------


def test_placing_by_the_rule_records_the_suggestion_and_sets_the_park(zone):
    project = _project(zone)
    placement = project_place(project=project, by=zone["officer"], park=zone["park"])

    project.refresh_from_db()
    assert project.park == zone["park"] and not project.own_site
    assert placement.suggested_kind == PlacementKind.PARK and placement.followed
    assert placement.placed_on == TODAY and placement.by == zone["officer"]
    assert project.history.first().history_change_reason == "落地选址：汽车产业园"


def test_placing_against_the_rule_needs_a_reason_named_by_its_field(zone):
    project = _project(zone, investment=20000)
    with pytest.raises(ApplicationError) as refused:
        project_place(project=project, by=zone["officer"], own_site=True, reason="  ")
    assert refused.value.field == "reason"
    assert "偏离原因" in refused.value.message and "进产业园" in refused.value.message
    project.refresh_from_db()
    assert not project.own_site and not ProjectPlacement.objects.exists()

    placement = project_place(
        project=project, by=zone["officer"], own_site=True, reason="投资方自有土地"
    )
    assert not placement.followed and placement.reason == "投资方自有土地"


def test_a_park_and_own_site_together_or_neither_are_refused(zone):
    project = _project(zone)
    with pytest.raises(ApplicationError) as both:
        project_place(project=project, by=zone["officer"], park=zone["park"], own_site=True)
    assert both.value.field == "own_site"
    with pytest.raises(ApplicationError) as neither:
        project_place(project=project, by=zone["officer"])
    assert neither.value.field == "park"


def test_a_reason_with_control_characters_or_too_long_is_refused(zone):
    project = _project(zone)
    for reason in ("原因\x00", "长" * 2001):
        with pytest.raises(ApplicationError) as refused:
            project_place(project=project, by=zone["officer"], own_site=True, reason=reason)
        assert refused.value.field == "reason"
    assert not ProjectPlacement.objects.exists()


def test_another_bureau_cannot_place_the_project(zone):
    project = _project(zone)
    with pytest.raises(PermissionDeniedError):
        project_place(project=project, by=zone["other"], park=zone["park"])
    project.refresh_from_db()
    assert project.park is None


def test_a_small_tech_project_follows_by_going_into_a_centre(zone):
    project = _project(zone, "研发团队项目", investment=3000, industry=zone["rnd"])
    placement = project_place(project=project, by=zone["officer"], park=zone["centre"])
    assert placement.suggested_kind == PlacementKind.INCUBATOR and placement.followed


def test_registering_with_a_park_places_through_the_rule(zone):
    with pytest.raises(ApplicationError) as refused:
        _project(zone, "大项目", investment=200000, park=zone["park"])
    assert refused.value.field == "placement_reason"
    assert not Project.objects.filter(name="大项目").exists()

    project = _project(
        zone, "大项目", investment=200000, park=zone["park"], placement_reason="园区内预留地块"
    )
    assert project.park == zone["park"]
    assert project.placements.get().followed is False


# --- the yearly table ------------------------------------------------------------------------


@pytest.fixture
def placed(zone):
    officer = zone["officer"]
    signed_2019 = _project(
        zone,
        "签约项目",
        moves=[(Stage.TALKS, date(2018, 11, 1)), (Stage.SIGNED, date(2019, 3, 1))],
    )
    project_place(project=signed_2019, by=officer, park=zone["park"])
    big = _project(zone, "重大项目", investment=150000, moves=[(Stage.TALKS, date(2019, 5, 1))])
    project_place(project=big, by=officer, park=zone["park"], reason="园区内预留地块")
    _project(zone, "未落位项目", moves=[(Stage.LEAD, date(2020, 2, 1))])
    dropped = _project(
        zone, "终止项目", moves=[(Stage.LEAD, date(2020, 2, 1)), (Stage.TERMINATED, TODAY)]
    )
    assert dropped.stage == Stage.TERMINATED
    _project(
        zone,
        "审批局项目",
        responsible_department=zone["org"]["approvals"],
        moves=[(Stage.LEAD, date(2020, 3, 1))],
    )
    return zone


def test_the_table_counts_by_year_of_signing_else_registration(placed):
    outcomes = placement_outcomes(user=placed["officer"])

    assert outcomes.years == [2019, 2020]
    y2019, y2020 = outcomes.rows
    assert y2019.suggested[PlacementKind.PARK] == 1
    assert y2019.suggested[PlacementKind.OWN_SITE] == 1
    assert (y2019.followed, y2019.overridden, y2019.unplaced) == (1, 1, 0)
    assert (y2020.total, y2020.unplaced) == (1, 1)  # dropped and out-of-scope ones are left out
    assert (outcomes.total.total, outcomes.total.overridden) == (3, 1)
    (park_row,) = outcomes.carriers
    assert park_row.label == "汽车产业园" and park_row.by_year == {2019: (2, 1)}
    assert [p.project.name for p in placement_overrides(user=placed["officer"], year=2019)] == [
        "重大项目"
    ]
    assert not placement_overrides(user=placed["officer"], year=2020).exists()


def test_the_table_query_count_does_not_grow(placed, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        placement_outcomes(user=None)
    for index in range(5):
        project_place(
            project=_project(placed, f"新项目{index}"), by=placed["officer"], park=placed["park"]
        )
    with django_assert_max_num_queries(4):
        placement_outcomes(user=None)


def test_the_table_judges_projects_placed_without_a_record_by_the_rule(placed):
    """A park or own site set by an import (no placement record) counts by the rule as it
    stands: followed when the carrier is of the kind it suggests."""
    zone = placed
    cases = [
        ("园区里的中型项目", {"park": zone["park"]}),  # 进产业园, in a park: followed
        ("中心里的中型项目", {"park": zone["centre"]}),  # 进产业园, in a centre: departed
        ("独立选址的中型项目", {"own_site": True}),  # departed
        ("独立选址的大项目", {"own_site": True, "total_investment": Decimal(200000)}),
        ("中心里的科技项目", {"park": zone["centre"], "total_investment": 0, "is_tech": True}),
    ]
    for name, fields in cases:
        project = _project(zone, name, moves=[(Stage.LEAD, date(2018, 4, 1))])
        Project.objects.filter(pk=project.pk).update(**fields)

    outcomes = placement_outcomes(user=zone["officer"], year_from=2018, year_to=2018)

    (y2018,) = outcomes.rows
    assert y2018.suggested == {
        PlacementKind.OWN_SITE: 1,
        PlacementKind.PARK: 3,
        PlacementKind.INCUBATOR: 1,
    }
    assert (y2018.followed, y2018.overridden, y2018.unplaced) == (3, 2, 0)
    cells = {row.label: row.by_year for row in outcomes.carriers}
    assert cells == {
        "独立选址": {2018: (2, 1)},
        "汽车产业园": {2018: (1, 0)},
        "国家级创业中心": {2018: (2, 1)},
    }


@pytest.mark.parametrize("major", [100000, 0])
def test_the_rule_counted_in_the_database_agrees_with_the_rule(zone, settings, major):
    settings.ZONEOPS_MAJOR_PROJECT_THRESHOLD = major
    commercial = IndustryCategory.objects.create(name="商业综合体", code="commercial")
    values = [
        (Decimal(100000), None, zone["auto"], False),  # major by investment
        (Decimal(99999), Decimal(300), zone["auto"], False),  # major by land
        (Decimal(100), Decimal(299), commercial, False),  # own site by industry
        (Decimal(4999), None, zone["rnd"], False),  # small, tech industry
        (Decimal(4999), None, None, True),  # small, marked tech
        (Decimal(0), None, None, True),
        (Decimal(0), None, None, False),
        (Decimal(5000), None, zone["rnd"], True),  # not small: a park
        (Decimal(4999), None, zone["auto"], False),  # small, not tech: a park
    ]
    expected = {}
    for index, (investment, land, industry, is_tech) in enumerate(values):
        project = _project(zone, f"项目{index}", industry=industry, land_mu=land, is_tech=is_tech)
        Project.objects.filter(pk=project.pk).update(total_investment=investment)
        expected[project.pk] = placement_kind(
            investment=investment,
            land_mu=land,
            industry_code=industry.code if industry else None,
            is_tech=is_tech,
        )[0]

    counted = dict(Project.objects.annotate(kind=placement_kind_case()).values_list("pk", "kind"))

    assert counted == expected


def test_where_a_project_went_counted_in_the_database_agrees_with_the_rule(zone):
    """Every carrier kind, own site, and not placed at all: the SQL gives what
    `placement_kind_of` gives (None for a carrier that takes no projects, as a 研究院)."""
    expected = {}
    for kind in CarrierKind:
        park = Park.objects.create(name=f"{kind.label}载体", kind=kind)
        project = _project(zone, f"{kind.label}项目")
        Project.objects.filter(pk=project.pk).update(park=park)
        expected[project.pk] = placement_kind_of(park_kind=kind, own_site=False)
    own = _project(zone, "独立选址项目")
    Project.objects.filter(pk=own.pk).update(own_site=True)
    expected[own.pk] = placement_kind_of(park_kind=None, own_site=True)
    nowhere = _project(zone, "未落地项目")
    expected[nowhere.pk] = placement_kind_of(park_kind=None, own_site=False)

    counted = dict(
        Project.objects.annotate(kind=placement_kind_of_case()).values_list("pk", "kind")
    )

    assert counted == expected
    assert None in counted.values() and PlacementKind.INCUBATOR in counted.values()


# --- the back office -------------------------------------------------------------------------


def _form_data(response) -> dict:
    """The change form as the browser would post it back."""
    data: dict = {}

    def put(form, name):
        value = form[name].value()
        if value is None or value is False:
            return
        data[form.add_prefix(name)] = "on" if value is True else value

    form = response.context["adminform"].form
    for name in form.fields:
        put(form, name)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = formset.management_form[name].value()
        for sub in formset.forms:
            for name in sub.fields:
                put(sub, name)
    return data


def test_the_project_page_shows_the_suggestion_carriers_and_free_space(placed):
    project = Project.objects.get(name="未落位项目")
    page = signed_in(placed["officer"]).get(f"/admin/projects/project/{project.pk}/change/")
    body = page.content.decode()

    assert page.status_code == 200
    assert "规则建议" in body and "进产业园" in body
    assert "汽车产业园" in body and ">1200<" in body  # its free area
    assert "尚未选址" in body


def test_the_form_departing_from_the_rule_without_reason_names_the_reason_field(placed):
    client = signed_in(placed["officer"])
    project = Project.objects.get(name="未落位项目")
    url = f"/admin/projects/project/{project.pk}/change/"
    data = _form_data(client.get(url))
    data["own_site"] = "on"

    refused = client.post(url, data)
    assert refused.status_code == 200
    errors = refused.context["adminform"].form.errors
    assert "placement_reason" in errors and "偏离原因" in errors["placement_reason"][0]
    project.refresh_from_db()
    assert not project.own_site

    data["placement_reason"] = "投资方自有土地"
    data["name"] = "未落位项目（改名）"
    saved = client.post(url, data)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    project.refresh_from_db()
    assert project.own_site and project.name == "未落位项目（改名）"
    assert project.placements.get().reason == "投资方自有土地"
    history = client.get(url).content.decode()
    assert "placement-history" in history and "投资方自有土地" in history


def test_the_form_following_the_rule_places_without_reason(placed):
    client = signed_in(placed["officer"])
    project = Project.objects.get(name="未落位项目")
    url = f"/admin/projects/project/{project.pk}/change/"
    data = _form_data(client.get(url))
    data["park"] = placed["park"].pk
    assert client.post(url, data).status_code == 302
    assert project.placements.get().followed


def test_the_outcomes_page_links_the_overrides_and_exports_the_table(placed):
    client = signed_in(placed["officer"])
    page = client.get("/admin/projects/projectplacement/outcomes/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "落地选址统计" in body and "2019" in body
    assert "/admin/projects/projectplacement/?followed__exact=0&amp;year=2019" in body

    overrides = client.get("/admin/projects/projectplacement/?followed__exact=0&year=2019")
    assert overrides.status_code == 200
    assert "园区内预留地块" in overrides.content.decode()
    assert (
        client.get("/admin/projects/projectplacement/?year=99999999999999999999").status_code == 200
    )

    export = client.get("/admin/projects/projectplacement/outcomes/export/?year_from=2019")
    assert export.status_code == 200
    book = CalamineWorkbook.from_filelike(BytesIO(export.content))
    rows = book.get_sheet_by_index(0).to_python()
    assert rows[0][0] == "招商项目落地选址统计表"
    header = rows[2]
    assert header[:4] == ["年度", "建议独立选址", "建议进产业园", "建议进孵化器"]
    total, y2019 = rows[3], rows[4]
    assert total[0] == "合计" and y2019[0] == "2019"
    assert [int(v) for v in y2019[1:]] == [1, 1, 0, 2, 1, 1, 0]
    carriers = book.get_sheet_by_index(1).to_python()
    assert carriers[3][0] == "汽车产业园" and int(carriers[3][-2]) == 2

    bad = client.get("/admin/projects/projectplacement/outcomes/?year_from=2020&year_to=2019")
    assert bad.status_code == 200 and "结束年度不能早于开始年度" in bad.content.decode()


def test_an_enterprise_user_sees_nothing_of_the_placements(placed):
    firm = Enterprise.objects.create(name="甲公司")
    user = make_user(RoleCode.ENTERPRISE, enterprise=firm)
    client = signed_in(user)
    assert client.get("/admin/projects/projectplacement/outcomes/").status_code in (302, 403)
    assert client.get("/api/v1/projects/placement-outcomes").status_code == 403


# --- the API ---------------------------------------------------------------------------------


def test_the_api_gives_the_suggestion_and_places_with_a_reason(placed):
    client = signed_in(placed["officer"])
    project = Project.objects.get(name="未落位项目")
    url = f"/api/v1/projects/{project.pk}/placement"

    body = client.get(url).json()
    assert body["kind"] == "park" and not body["placed"]
    assert body["carriers"][0]["name"] == "汽车产业园"
    assert body["carriers"][0]["area_free_m2"] == "1200.00"

    refused = client.post(
        url, {"own_site": True, "version": project.version}, content_type="application/json"
    )
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "reason"

    placed_now = client.post(
        url,
        {"own_site": True, "reason": "自有土地", "version": project.version},
        content_type="application/json",
    )
    assert placed_now.status_code == 201, placed_now.content
    assert placed_now.json()["followed"] is False
    assert client.get(url).json()["follows"] is False


def test_the_api_refuses_bad_input_and_other_bureaus(placed):
    client = signed_in(placed["officer"])
    project = Project.objects.get(name="未落位项目")
    url = f"/api/v1/projects/{project.pk}/placement"
    huge = f"/api/v1/projects/{2**70}/placement"
    assert client.get(huge).status_code in (400, 404, 422)
    missing_park = client.post(
        url, {"park_id": 999999, "version": project.version}, content_type="application/json"
    )
    assert missing_park.status_code == 400
    assert missing_park.json()["errors"][0]["field"] == "park_id"
    too_big = client.post(
        url, {"park_id": 2**70, "version": project.version}, content_type="application/json"
    )
    assert too_big.status_code in (400, 422)
    empty = client.post(url, "", content_type="application/json")
    assert empty.status_code in (400, 422)
    nul = client.post(
        url,
        {"own_site": True, "reason": "a\x00b", "version": project.version},
        content_type="application/json",
    )
    assert nul.status_code in (400, 422)
    assert not ProjectPlacement.objects.filter(project=project).exists()

    other = signed_in(placed["other"])
    assert other.get(url).status_code == 404
    assert (
        other.post(
            url, {"park_id": placed["park"].pk, "version": 1}, content_type="application/json"
        ).status_code
        == 404
    )


def test_the_api_table_and_its_export(placed):
    client = signed_in(placed["officer"])
    body = client.get("/api/v1/projects/placement-outcomes?year_from=2019&year_to=2019").json()
    assert body["years"] == [2019]
    assert body["rows"][0]["suggested"] == {"own_site": 1, "park": 1, "incubator": 0}
    assert body["rows"][0]["overridden"] == 1
    assert body["carriers"][0]["by_year"] == {"2019": [2, 1]}
    bad = client.get("/api/v1/projects/placement-outcomes?year_from=2020&year_to=2019")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "year_to"
    assert client.get("/api/v1/projects/placement-outcomes?year_from=10000").status_code in (
        400,
        422,
    )
    export = client.get("/api/v1/projects/placement-outcomes.xlsx")
    rows = CalamineWorkbook.from_filelike(BytesIO(export.content)).get_sheet_by_index(0)
    assert rows.to_python()[3][0] == "合计"


def test_the_api_update_of_park_goes_through_the_rule(placed):
    client = signed_in(placed["officer"])
    project = Project.objects.get(name="未落位项目")
    url = f"/api/v1/projects/{project.pk}"
    refused = client.patch(
        url,
        {"own_site": True, "name": "改名", "version": project.version},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "placement_reason"
    project.refresh_from_db()
    assert project.name == "未落位项目" and not project.own_site  # nothing changed

    done = client.patch(
        url,
        {"park_id": placed["park"].pk, "version": project.version},
        content_type="application/json",
    )
    assert done.status_code == 200, done.content
    assert done.json()["park_id"] == placed["park"].pk
    assert project.placements.get().followed


# --- the Excel register ----------------------------------------------------------------------


def test_an_import_placing_against_the_rule_needs_the_reason_column(placed):
    from zoneops.common.importing import import_confirm, import_preview
    from zoneops.projects.excel import project_register
    from zoneops.projects.tests.test_excel_projects import edit, export

    officer = placed["officer"]
    project = Project.objects.get(name="未落位项目")
    lab = _project(placed, "研发团队项目", investment=3000, industry=placed["rnd"])
    data = export(officer)

    # A small tech project belongs in an incubator: into a park it needs a reason.
    into_park = edit(data, lab.code, "落地园区", "汽车产业园")
    plan = import_preview(register=project_register, data=into_park, user=officer)
    assert [(e.column, "进孵化器" in e.message) for e in plan.errors] == [("偏离原因", True)]

    moved = edit(data, project.code, "独立选址", "是")

    plan = import_preview(register=project_register, data=moved, user=officer)
    assert [(e.column, "偏离原因" in e.message) for e in plan.errors] == [("偏离原因", True)]
    assert not ProjectPlacement.objects.filter(project=project).exists()

    both = edit(moved, project.code, "落地园区", "汽车产业园")
    plan = import_preview(register=project_register, data=both, user=officer)
    assert [e.column for e in plan.errors] == ["独立选址"], plan.errors

    with_reason = edit(moved, project.code, "偏离原因", "投资方自有土地")
    done = import_confirm(register=project_register, data=with_reason, user=officer)
    assert done.errors == [] and done.written["updated"] == 1
    project.refresh_from_db()
    assert project.own_site
    placement = project.placements.get()
    assert (placement.followed, placement.reason, placement.by) == (
        False,
        "投资方自有土地",
        officer,
    )
    assert placement.suggested_kind == PlacementKind.PARK


def test_an_inspector_reads_the_page_and_table_but_cannot_place(placed, org):
    inspector = make_user(RoleCode.INSPECTOR, departments=[org["zone"]])
    project = Project.objects.get(name="未落位项目")
    client = signed_in(inspector)
    page = client.get(f"/admin/projects/project/{project.pk}/change/")
    assert page.status_code == 200 and "规则建议" in page.content.decode()
    assert client.get("/admin/projects/projectplacement/outcomes/").status_code == 200
    refused = client.post(
        f"/api/v1/projects/{project.pk}/placement",
        {"park_id": placed["park"].pk, "version": project.version},
        content_type="application/json",
    )
    assert refused.status_code in (403, 404)
    with pytest.raises(PermissionDeniedError):
        project_place(project=project, by=inspector, park=placed["park"])
    assert not project.placements.exists()

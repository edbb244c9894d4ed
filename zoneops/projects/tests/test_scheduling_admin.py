import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.utils import timezone
from python_calamine import CalamineWorkbook

from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.admin.scheduling import AnnualPlanInline, MilestoneInline, milestone_state
from zoneops.projects.enums import KeyLevel, Stage
from zoneops.projects.models import AnnualPlan, CommandHQ, Milestone, ProgressReport, Project
from zoneops.projects.services import project_set_key_levels
from zoneops.projects.services.scheduling import (
    annual_plan_set,
    milestone_create,
    progress_report_save,
    progress_report_start,
    progress_report_submit,
)
from zoneops.projects.tests.factories import make_project

STARTED = [(Stage.SIGNED, date(2018, 1, 8)), (Stage.STARTED, date(2018, 3, 1))]
PHOTOS = {"photos-TOTAL_FORMS": "0", "photos-INITIAL_FORMS": "0"}


@pytest.fixture
def officer(org):
    return make_user(RoleCode.STAFF, departments=[org["investment"]])


@pytest.fixture
def client(officer):
    client = Client()
    client.force_login(officer)
    return client


@pytest.fixture
def project(officer, org):
    project = make_project(
        "京津冀整车智能物流中心",
        investment=52000,
        moves=STARTED,
        responsible_department=org["investment"],
    )
    project_set_key_levels(project=project, year=2019, levels=[KeyLevel.CITY])
    annual_plan_set(project=project, year=2019, planned_investment=24000, by=officer)
    return project


def _sent(project, month, amount, by):
    report = progress_report_start(project=project, month=month, by=by)
    report = progress_report_save(
        report=report,
        invested_month=Decimal(amount),
        progress="主体施工",
        problems="",
        next_steps="主体封顶",
        by=by,
        expected_version=report.version,
    )
    return progress_report_submit(report=report, by=by)


def test_a_report_is_started_pre_filled_then_saved_and_submitted(client, project, officer):
    _sent(project, date(2019, 9, 1), 18000, officer)
    assert client.get("/admin/projects/progressreport/add/").status_code == 200

    started = client.post(
        "/admin/projects/progressreport/add/",
        {"project": project.pk, "month": "2019-10", "opening_total": "", "opening_year": ""},
    )

    report = ProgressReport.objects.get(month=date(2019, 10, 1))
    assert started.status_code == 302
    assert started["Location"] == f"/admin/projects/progressreport/{report.pk}/change/"
    page = client.get(started["Location"]).content.decode()
    assert "主体施工" in page  # last month's progress, for editing
    assert "18000万元" in page  # 本年累计 so far
    assert "24000万元" in page  # the year's plan

    saved = client.post(
        started["Location"],
        {
            "invested_month": "2400",
            "progress": "主体封顶",
            "problems": "",
            "next_steps": "设备安装",
            "edit_version": report.version,
            "projects_progressreport_save_and_submit": "1",
            **PHOTOS,
        },
    )

    assert saved.status_code == 302, saved.content.decode()[:2000]
    report.refresh_from_db()
    assert (report.invested_year, report.invested_total) == (Decimal(20400), Decimal(20400))
    assert report.status == ProgressReport.Status.SUBMITTED
    assert report.submitted_by == officer


def test_a_second_report_for_the_month_is_refused_on_the_form(client, project, officer):
    _sent(project, date(2019, 10, 1), 100, officer)

    response = client.post(
        "/admin/projects/progressreport/add/", {"project": project.pk, "month": "2019-10"}
    )

    assert response.status_code == 200
    assert "2019年10月的月度调度已存在。" in response.content.decode()
    assert ProgressReport.objects.count() == 1


def test_a_future_month_is_refused_on_the_form(client, project):
    next_month = timezone.localdate().replace(day=1) + timedelta(days=40)
    response = client.post(
        "/admin/projects/progressreport/add/",
        {"project": project.pk, "month": f"{next_month:%Y-%m}"},
    )
    assert response.status_code == 200
    assert "尚未到来" in response.content.decode()


def test_a_stale_report_form_is_refused(client, project, officer):
    report = progress_report_start(project=project, month=date(2019, 1, 1), by=officer)
    data = {
        "invested_month": "10",
        "progress": "x",
        "problems": "",
        "next_steps": "",
        "edit_version": report.version,
        **PHOTOS,
    }
    url = f"/admin/projects/progressreport/{report.pk}/change/"
    assert client.post(url, data).status_code == 302
    stale = client.post(url, {**data, "invested_month": "99"})
    assert "已被他人修改" in stale.content.decode()
    assert ProgressReport.objects.get().invested_month == 10


def test_the_report_list_filters_by_month_and_shows_the_share(
    client, project, officer, django_assert_max_num_queries
):
    _sent(project, date(2019, 1, 1), 6000, officer)
    _sent(project, date(2019, 2, 1), 6000, officer)

    body = client.get("/admin/projects/progressreport/?month=2019-02").content.decode()

    assert "2019年2月" in body and "12000万元" in body and "50.0%" in body
    assert "2019年1月</a>" not in body
    with django_assert_max_num_queries(30) as few:
        client.get("/admin/projects/progressreport/")
    for index in range(5):
        other = make_project(f"项目{index}", owner=officer, moves=STARTED)
        _sent(other, date(2019, 1, 1), 100, officer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/admin/projects/progressreport/")


def test_the_list_action_submits_the_selected_drafts(client, project, officer):
    draft = progress_report_start(project=project, month=date(2019, 1, 1), by=officer)
    progress_report_save(
        report=draft,
        invested_month=Decimal(1),
        progress="开工",
        problems="",
        next_steps="",
        by=officer,
        expected_version=1,
    )
    response = client.post(
        "/admin/projects/progressreport/",
        {"action": "submit_selected", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert "已报送1份月度调度" in response.content.decode()
    assert ProgressReport.objects.get().status == ProgressReport.Status.SUBMITTED


def test_the_scheduling_page_lists_lights_and_the_projects_not_reported(
    client, project, officer, org, django_assert_max_num_queries
):
    behind = make_project(
        "韩国蔚山机电汽车天窗项目",
        moves=STARTED,
        responsible_department=org["investment"],
        investment=30000,
    )
    project_set_key_levels(project=behind, year=2019, levels=[KeyLevel.PROVINCE, KeyLevel.CITY])
    annual_plan_set(project=behind, year=2019, planned_investment=15000, by=officer)
    milestone_create(project=behind, name="设备安装", planned_on=date(2019, 9, 30), by=officer)
    for month in range(1, 11):
        _sent(project, date(2019, month, 1), 2000, officer)
    _sent(behind, date(2019, 9, 1), 3000, officer)

    with django_assert_max_num_queries(25):
        page = client.get("/admin/projects/progressreport/schedule/?month=2019-10")

    body = page.content.decode()
    assert page.status_code == 200
    assert "2019年10月重点项目调度" in body
    assert "省市双重点" in body
    assert "83.3%" in body  # both the schedule and 20 000 of 24 000
    assert "红灯" in body and "设备安装" in body
    not_reported = body.split('id="not-reported"')[1]
    assert "韩国蔚山机电汽车天窗项目" in not_reported
    assert "京津冀整车智能物流中心" not in not_reported
    assert f"project={behind.pk}&amp;month=2019-10" in not_reported
    default = client.get("/admin/projects/progressreport/schedule/")
    assert default.status_code == 200
    bad = client.get("/admin/projects/progressreport/schedule/?month=2019-13")
    assert "月份格式应为" in bad.content.decode()


def test_a_milestone_completed_in_the_future_is_refused_on_the_field(client, project):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(
        "/admin/projects/milestone/add/",
        {
            "project": project.pk,
            "name": "竣工验收",
            "order": "",
            "planned_on": "2019-12-31",
            "actual_on": tomorrow.isoformat(),
            "responsible_person": "",
            "note": "",
        },
    )
    assert response.status_code == 200
    assert "晚于今天" in response.content.decode()
    assert not Milestone.objects.exists()


def test_milestones_are_added_and_completed_from_the_list(client, project):
    added = client.post(
        "/admin/projects/milestone/add/",
        {
            "project": project.pk,
            "name": "主体封顶",
            "order": "",
            "planned_on": "2019-09-30",
            "actual_on": "",
            "responsible_person": "韩冰",
            "note": "",
        },
    )
    assert added.status_code == 302
    milestone = Milestone.objects.get()
    assert milestone.order == 1
    overdue = client.get("/admin/projects/milestone/?state=overdue").content.decode()
    assert "主体封顶" in overdue and "已逾期" in overdue
    client.post(
        "/admin/projects/milestone/",
        {"action": "complete_today", "_selected_action": [milestone.pk]},
    )
    assert Milestone.objects.get().actual_on == timezone.localdate()


def test_a_dropped_projects_milestone_is_neither_filtered_nor_shown_as_overdue(client, org):
    dropped = make_project(
        "终止项目",
        moves=[(Stage.LEAD, date(2019, 1, 10)), (Stage.TERMINATED, date(2019, 5, 6))],
        responsible_department=org["investment"],
    )
    milestone = milestone_create(
        project=dropped, name="土地摘牌", planned_on=date(2019, 3, 31), by=None
    )

    overdue = client.get("/admin/projects/milestone/?state=overdue").content.decode()
    pending = client.get("/admin/projects/milestone/?state=pending").content.decode()

    assert "土地摘牌" not in overdue
    assert "土地摘牌" in pending
    assert milestone_state(Milestone.objects.select_related("project").get(pk=milestone.pk)) == (
        "pending",
        "未完成",
    )


def test_an_annual_plan_is_added_once_per_year(client, project):
    response = client.post(
        "/admin/projects/annualplan/add/",
        {"project": project.pk, "year": "2019", "planned_investment": "1", "note": ""},
    )
    assert "2019年的年度投资计划已存在" in response.content.decode()
    created = client.post(
        "/admin/projects/annualplan/add/",
        {"project": project.pk, "year": "2020", "planned_investment": "28000", "note": ""},
    )
    assert created.status_code == 302
    listing = client.get("/admin/projects/annualplan/").content.decode()
    assert "28000万元" in listing and "2.8亿元" in listing


def test_a_command_hq_is_set_up_with_members_and_projects(org, project):
    admin_user = make_user(RoleCode.ADMINISTRATOR, departments=[org["zone"]])
    leader = make_user(RoleCode.LEADER, departments=[org["zone"]])
    member = make_user(RoleCode.STAFF, departments=[org["investment"]])
    client = Client()
    client.force_login(admin_user)

    response = client.post(
        "/admin/projects/commandhq/add/",
        {
            "name": "京津冀整车智能物流中心建设指挥部",
            "commander": leader.pk,
            "members": [member.pk],
            "projects": [project.pk],
            "established_on": "2019-03-01",
            "duties": "统筹推进项目建设",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    hq = CommandHQ.objects.get()
    assert list(hq.members.all()) == [member] and list(hq.projects.all()) == [project]
    listing = client.get("/admin/projects/commandhq/").content.decode()
    assert "京津冀整车智能物流中心建设指挥部" in listing


def _inline_formset(inline_class, project, user, data):
    request = RequestFactory().post("/")
    request.user = user
    inline = inline_class(Project, admin.site)
    formset_class = inline.get_formset(request, project)
    return formset_class(data, instance=project, prefix=formset_class.get_default_prefix())


def test_the_milestone_inline_writes_through_the_services(project, officer):
    existing = milestone_create(
        project=project, name="施工许可", planned_on=date(2019, 3, 31), by=officer
    )
    prefix = "milestones"
    data = {
        f"{prefix}-TOTAL_FORMS": "2",
        f"{prefix}-INITIAL_FORMS": "1",
        f"{prefix}-0-id": existing.pk,
        f"{prefix}-0-project": project.pk,
        f"{prefix}-0-order": "1",
        f"{prefix}-0-name": "施工许可",
        f"{prefix}-0-planned_on": "2019-03-31",
        f"{prefix}-0-actual_on": "2019-03-20",
        f"{prefix}-0-responsible_person": "杨帆",
        f"{prefix}-0-edit_version": existing.version,
        f"{prefix}-1-project": project.pk,
        f"{prefix}-1-order": "",
        f"{prefix}-1-name": "主体开工",
        f"{prefix}-1-planned_on": "2019-05-31",
        f"{prefix}-1-actual_on": "",
        f"{prefix}-1-responsible_person": "",
        f"{prefix}-1-edit_version": "",
    }
    formset = _inline_formset(MilestoneInline, project, officer, data)
    assert formset.is_valid(), formset.errors
    formset.save()

    permit, start = Milestone.objects.order_by("order")
    assert permit.actual_on == date(2019, 3, 20) and permit.version == 2
    assert permit.history.first().history_user == officer
    assert (start.name, start.order) == ("主体开工", 2)

    data[f"{prefix}-0-edit_version"] = "1"  # opened before the change above
    stale = _inline_formset(MilestoneInline, project, officer, data)
    assert not stale.is_valid()


def test_the_annual_plan_inline_sets_plans_through_the_service(project, officer):
    prefix = "annual_plans"
    plan = AnnualPlan.objects.get()
    data = {
        f"{prefix}-TOTAL_FORMS": "2",
        f"{prefix}-INITIAL_FORMS": "1",
        f"{prefix}-0-id": plan.pk,
        f"{prefix}-0-project": project.pk,
        f"{prefix}-0-year": "2019",
        f"{prefix}-0-planned_investment": "26000",
        f"{prefix}-0-note": "调整",
        f"{prefix}-0-edit_version": plan.version,
        f"{prefix}-1-project": project.pk,
        f"{prefix}-1-year": "2020",
        f"{prefix}-1-planned_investment": "28000",
        f"{prefix}-1-note": "",
        f"{prefix}-1-edit_version": "",
    }
    formset = _inline_formset(AnnualPlanInline, project, officer, data)
    assert formset.is_valid(), formset.errors
    formset.save()

    plans = dict(AnnualPlan.objects.values_list("year", "planned_investment"))
    assert plans == {2019: Decimal(26000), 2020: Decimal(28000)}
    assert (
        AnnualPlan.objects.get(year=2019)
        .history.first()
        .history_change_reason.startswith("调整年度投资计划")
    )


def test_the_project_page_shows_the_scheduling_inlines(client, project, officer, monkeypatch):
    from zoneops.projects.admin.scheduling import ProgressReportInline

    project_admin = admin.site._registry[Project]
    inlines = [*project_admin.inlines, MilestoneInline, AnnualPlanInline, ProgressReportInline]
    monkeypatch.setattr(project_admin, "inlines", inlines)
    milestone_create(project=project, name="主体封顶", planned_on=date(2019, 9, 30), by=officer)
    _sent(project, date(2019, 1, 1), 2400, officer)

    page = client.get(f"/admin/projects/project/{project.pk}/change/")

    body = page.content.decode()
    assert page.status_code == 200
    assert "节点计划" in body and 'value="主体封顶"' in body
    assert "年度投资计划" in body and 'value="24000.00"' in body
    assert "月度调度" in body and "2019年1月" in body and "10.0%" in body
    add_page = client.get("/admin/projects/project/add/").content.decode()
    assert "milestones-TOTAL_FORMS" not in add_page  # planned once the project is registered


def test_registering_a_project_is_unchanged_by_the_scheduling_inlines(client, org, monkeypatch):
    project_admin = admin.site._registry[Project]
    inlines = [*project_admin.inlines, MilestoneInline, AnnualPlanInline]
    monkeypatch.setattr(project_admin, "inlines", inlines)

    response = client.post(
        "/admin/projects/project/add/",
        {
            "name": "氟化锂晶体项目",
            "initial_stage": "talks",
            "investor_country": "中国",
            "source_channel": "online_hall",
            "total_investment": "25000",
            "responsible_department": org["investment"].pk,
            "key_designations-TOTAL_FORMS": "0",
            "key_designations-INITIAL_FORMS": "0",
            "stage_moves-TOTAL_FORMS": "0",
            "stage_moves-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Project.objects.filter(name="氟化锂晶体项目").exists()


def test_a_site_photo_is_attached_to_the_report(client, project, officer):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    image = BytesIO()
    Image.new("RGB", (4, 3), "grey").save(image, "PNG")
    report = progress_report_start(project=project, month=date(2019, 1, 1), by=officer)

    response = client.post(
        f"/admin/projects/progressreport/{report.pk}/change/",
        {
            "invested_month": "100",
            "progress": "基础施工",
            "problems": "",
            "next_steps": "",
            "edit_version": report.version,
            "photos-TOTAL_FORMS": "1",
            "photos-INITIAL_FORMS": "0",
            "photos-0-image": SimpleUploadedFile("site.png", image.getvalue(), "image/png"),
            "photos-0-caption": " 厂房基础 ",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    photo = ProgressReport.objects.get().photos.get()
    assert photo.caption == "厂房基础"
    assert photo.image.name.startswith("progress/")


def test_the_reports_month_filter_reads_a_month_as_every_edge_does(client, project, officer):
    """One reading of a month (common.inputs.parse_month): 2019年10月 as well as 2019-10; a
    month no report can have (0001-01) or no month at all shows the list unfiltered, saying so
    (0001-01 filtered silently before)."""
    october = _sent(project, date(2019, 10, 1), 1000, officer)
    _sent(project, date(2019, 11, 1), 1000, officer)
    url = "/admin/projects/progressreport/"
    for value in ("2019-10", "2019年10月"):
        response = client.get(url, {"month": value})
        assert [row.pk for row in response.context["cl"].result_list] == [october.pk]
    for value in ("0001-01", "2019-13", "十月"):
        response = client.get(url, {"month": value})
        assert response.status_code == 302, value
        assert response["Location"].endswith("?e=1")


def test_a_month_field_refuses_a_month_no_record_can_have(client):
    response = client.get("/admin/projects/progressreport/schedule/", {"month": "1950-01"})
    assert response.status_code == 200
    assert "month" in response.context["form"].errors


def test_the_scheduling_page_shows_the_key_projects_a_page_at_a_time(
    client, project, officer, org, monkeypatch
):
    """A large zone's thousands of key projects are not drawn at once: the lights count them
    all, the table and the not-reported list show a page; any page number answers."""
    from zoneops.projects.admin.scheduling import KeyProjectScheduleView

    monkeypatch.setattr(KeyProjectScheduleView, "per_page", 1)
    other = make_project(
        "韩国蔚山机电汽车天窗项目",
        moves=STARTED,
        responsible_department=org["investment"],
        investment=30000,
    )
    project_set_key_levels(project=other, year=2019, levels=[KeyLevel.CITY])
    url = "/admin/projects/progressreport/schedule/"

    first = client.get(url, {"month": "2019-10"}).content.decode()
    second = client.get(url, {"month": "2019-10", "page": "2"}).content.decode()

    one, two = (
        body.split('id="key-project-schedule"')[1].split("</table>")[0] for body in (first, second)
    )
    assert (project.name in one) != (other.name in one)
    assert (project.name in one) == (other.name in two)
    assert "第 1 / 2 页，共 2 个重点项目" in first and "month=2019-10&amp;page=2" in first
    assert "仅列出前 1 个" in first  # both owe the month's report
    # The note links to the month's template, which holds every project that owes a report.
    more = first.split('id="not-reported-more"')[1].split("</p>")[0]
    export = more.split('href="')[1].split('"')[0].replace("&amp;", "&")
    assert export == "/admin/projects/progressreport/excel-export/?month=2019-10"
    response = client.get(export)
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    rows = book.get_sheet_by_index(0).to_python()
    names = {cell for row in rows for cell in row}
    assert project.name in names and other.name in names
    for page in ("abc", "0", "99999999999999999999999", "\x00"):
        assert client.get(url, {"month": "2019-10", "page": page}).status_code == 200


def test_the_scheduling_page_takes_the_same_queries_for_more_key_projects(
    client, project, officer, org, django_assert_max_num_queries
):
    def grow(n):
        for index in range(n):
            more = make_project(
                f"增长项目{index}-{Project.objects.count()}",
                moves=STARTED,
                responsible_department=org["investment"],
            )
            project_set_key_levels(project=more, year=2019, levels=[KeyLevel.DISTRICT])
            annual_plan_set(project=more, year=2019, planned_investment=500, by=officer)
            milestone_create(project=more, name="开工", planned_on=date(2019, 3, 1), by=officer)
            _sent(more, date(2019, 9, 1), 100, officer)

    url = "/admin/projects/progressreport/schedule/?month=2019-10"
    grow(2)
    assert client.get(url).status_code == 200
    with django_assert_max_num_queries(25) as few:
        client.get(url)
    few_count = len(few.captured_queries)
    grow(8)
    with django_assert_max_num_queries(few_count):
        body = client.get(url).content.decode()
    counts = body.split('id="light-counts"')[1].split("</div>")[0]
    assert "红灯 11" in counts  # ten overdue starts and a project yet to report


def _inline_table(body: str, prefix: str) -> str:
    start = body.index(f'id="{prefix}-data"')
    return body[start : body.index("</table>", start)]


def test_the_project_page_shows_a_year_of_reports_newest_first_and_pages_the_rest(
    client, project, officer, django_assert_max_num_queries
):
    months = [date(2018 + (2 + n) // 12, (2 + n) % 12 + 1, 1) for n in range(14)]  # 2018-03 on
    url = f"/admin/projects/project/{project.pk}/change/"
    for month in months[:2]:
        _sent(project, month, 100, officer)
    with django_assert_max_num_queries(80) as few:
        assert client.get(url).status_code == 200
    for month in months[2:]:
        _sent(project, month, 100, officer)

    with django_assert_max_num_queries(len(few.captured_queries)):
        first = _inline_table(client.get(url).content.decode(), "progress_reports")
    second = _inline_table(
        client.get(f"{url}?progress_reports-page=2").content.decode(), "progress_reports"
    )

    shown = [f"{month.year}年{month.month}月" for month in months]
    assert [month for month in shown if month in first] == shown[2:]  # the newest twelve
    assert first.index(shown[-1]) < first.index(shown[2])  # newest on top
    assert [month for month in shown if month in second] == shown[:2]


def test_the_project_page_lists_the_latest_stage_move_first(client, officer):
    project = make_project("阶段变更排序项目", owner=officer, moves=STARTED)

    body = client.get(f"/admin/projects/project/{project.pk}/change/").content.decode()

    moves = _inline_table(body, "stage_moves")
    assert moves.index("2018年3月1日") < moves.index("2018年1月8日")

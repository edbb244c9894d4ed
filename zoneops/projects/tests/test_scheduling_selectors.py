from datetime import date
from decimal import Decimal

import pytest

from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.enums import KeyLevel, Stage
from zoneops.projects.models import Milestone
from zoneops.projects.selectors.scheduling import (
    LightColour,
    ReportState,
    key_project_lights,
    key_project_schedule,
    key_projects_not_reported,
    milestones_list,
    milestones_overdue,
    progress_share,
    project_light,
    projects_with_red_light,
    schedule_share,
)
from zoneops.projects.services import project_set_key_levels
from zoneops.projects.services.scheduling import (
    annual_plan_set,
    milestone_create,
    progress_report_save,
    progress_report_start,
    progress_report_submit,
)
from zoneops.projects.tests.factories import make_project

pytestmark = pytest.mark.django_db

STARTED_2018 = [(Stage.SIGNED, date(2018, 1, 8)), (Stage.STARTED, date(2018, 3, 1))]


@pytest.fixture
def officer(org):
    return make_user(RoleCode.STAFF, departments=[org["investment"]])


def key_project(name, *, by=None, moves=None, plan=12000, level=KeyLevel.CITY, **fields):
    project = make_project(name, moves=moves or STARTED_2018, investment=100000, **fields)
    project_set_key_levels(project=project, year=2019, levels=[level])
    if plan is not None:
        annual_plan_set(project=project, year=2019, planned_investment=plan, by=by)
    return project


def report(project, month, amount, *, by=None, submit=True):
    draft = progress_report_start(project=project, month=month, by=by)
    saved = progress_report_save(
        report=draft,
        invested_month=Decimal(amount),
        progress="施工中",
        problems="",
        next_steps="",
        by=by,
        expected_version=draft.version,
    )
    return progress_report_submit(report=saved, by=by) if submit else saved


def months(project, amounts, *, year=2019, first=1):
    for offset, amount in enumerate(amounts):
        report(project, date(year, first + offset, 1), amount)


def test_schedule_is_month_over_twelve_at_a_month_end_and_by_days_otherwise():
    assert schedule_share(as_of=date(2019, 10, 31)) == Decimal("83.3")
    assert schedule_share(as_of=date(2019, 2, 28)) == Decimal("16.7")
    assert schedule_share(as_of=date(2019, 12, 31)) == Decimal(100)
    assert schedule_share(as_of=date(2019, 1, 10)) == Decimal("2.7")  # 10 / 365
    assert schedule_share(as_of=date(2020, 3, 15)) == Decimal(
        "20.5"
    )  # 31 + 29 + 15 = 75 of 366 days
    assert schedule_share(as_of=date(2018, 12, 1), year=2019) == 0


def test_share_of_the_plan_is_computed_not_stored():
    assert progress_share(invested_year=Decimal(4500), year_plan=Decimal(6000)) == Decimal(75)
    assert progress_share(invested_year=Decimal(1), year_plan=None) is None
    assert progress_share(invested_year=Decimal(1), year_plan=Decimal(0)) is None


def test_overdue_milestones_as_of_a_past_date(org):
    project = make_project("项目甲")
    late = milestone_create(project=project, name="主体封顶", planned_on=date(2019, 6, 30), by=None)
    done_late = milestone_create(
        project=project,
        name="施工许可",
        planned_on=date(2019, 3, 31),
        actual_on=date(2019, 5, 10),
        by=None,
    )
    milestone_create(
        project=project,
        name="土地摘牌",
        planned_on=date(2019, 1, 31),
        actual_on=date(2019, 1, 20),
        by=None,
    )

    on_april_30 = list(milestones_overdue(as_of=date(2019, 4, 30)))
    on_july_1 = list(milestones_overdue(as_of=date(2019, 7, 1)))
    on_june_30 = list(milestones_overdue(as_of=date(2019, 6, 30)))

    assert on_april_30 == [done_late]  # completed only on 2019-05-10
    assert on_july_1 == [late]
    assert on_june_30 == []  # due that day, not yet overdue


def test_a_dropped_projects_milestones_are_no_longer_late(org):
    dropped = make_project(
        "终止项目", moves=[(Stage.LEAD, date(2019, 1, 10)), (Stage.TERMINATED, date(2019, 5, 6))]
    )
    milestone = milestone_create(
        project=dropped, name="土地摘牌", planned_on=date(2019, 3, 31), by=None
    )

    assert list(milestones_overdue(as_of=date(2019, 5, 5))) == [milestone]
    assert list(milestones_overdue(as_of=date(2019, 5, 6))) == []
    assert list(milestones_list(overdue_as_of=date(2019, 5, 6))) == []


def test_one_milestone_says_what_the_overdue_list_says(org):
    """`Milestone.is_overdue` (the admin badge, the API's flag) and `Milestone.objects.overdue`
    (lists, lights, the meetings' agenda) are one rule: they agree on every row and day."""
    project = make_project("项目甲")
    dropped = make_project(
        "终止项目", moves=[(Stage.LEAD, date(2019, 1, 10)), (Stage.TERMINATED, date(2019, 6, 3))]
    )
    for on, name, planned, done in (
        (project, "主体封顶", date(2019, 6, 30), None),
        (project, "施工许可", date(2019, 3, 31), date(2019, 5, 10)),
        (dropped, "土地摘牌", date(2019, 4, 30), None),
    ):
        milestone_create(project=on, name=name, planned_on=planned, actual_on=done, by=None)
    rows = list(Milestone.objects.select_related("project"))

    for as_of in (
        date(2019, 3, 31),
        date(2019, 4, 1),
        date(2019, 5, 10),
        date(2019, 5, 11),
        date(2019, 6, 3),
        date(2019, 7, 1),
    ):
        listed = set(Milestone.objects.overdue(as_of=as_of))
        assert {m for m in rows if m.is_overdue(as_of=as_of)} == listed, as_of
    assert {m.name for m in Milestone.objects.overdue(as_of=date(2019, 5, 1))} == {
        "施工许可",
        "土地摘牌",
    }


def test_overdue_milestones_follow_the_data_scope(org, officer):
    mine = make_project("招商局项目", responsible_department=org["investment"])
    theirs = make_project("审批局项目", responsible_department=org["approvals"])
    for project in (mine, theirs):
        milestone_create(project=project, name="施工许可", planned_on=date(2019, 3, 1), by=None)

    visible = milestones_overdue(as_of=date(2019, 4, 1), user=officer)

    assert [m.project for m in visible] == [mine]


def test_not_reported_lists_the_key_projects_under_construction_without_a_sent_report(org):
    sent = key_project("已报送项目")
    draft = key_project("草稿项目")
    missing = key_project("未报项目")
    key_project("未开工项目", moves=[(Stage.SIGNED, date(2019, 1, 8))])
    key_project(
        "已投产项目",
        moves=[
            *STARTED_2018,
            (Stage.COMPLETED, date(2019, 5, 6)),
            (Stage.IN_PRODUCTION, date(2019, 8, 5)),
        ],
    )
    make_project("非重点项目", moves=STARTED_2018)
    report(sent, date(2019, 10, 1), 100)
    report(draft, date(2019, 10, 1), 100, submit=False)

    october = list(key_projects_not_reported(month=date(2019, 10, 1)))
    august = {p.name for p in key_projects_not_reported(month=date(2019, 8, 1))}

    assert october == [draft, missing]
    assert october[0].draft_report_id is not None and october[1].draft_report_id is None
    assert august == {"已报送项目", "草稿项目", "未报项目", "已投产项目"}


def test_light_is_green_yellow_or_red_by_the_points_behind_schedule():
    green = key_project("绿灯项目")
    yellow = key_project("黄灯项目")
    red = key_project("红灯项目")
    # By the end of October the schedule is 83.3%: 10 000 of 12 000 is on it.
    months(green, [1000] * 10)
    months(yellow, [800] * 10)  # 66.7%: 16.6 points behind
    months(red, [500] * 10)  # 41.7%: 41.6 points behind

    lights = key_project_lights(as_of=date(2019, 10, 31))

    assert lights[green.pk].colour == LightColour.GREEN
    assert lights[green.pk].completion == Decimal("83.3")
    assert lights[yellow.pk].colour == LightColour.YELLOW
    assert lights[yellow.pk].behind == Decimal("16.6")
    assert lights[red.pk].colour == LightColour.RED
    assert lights[red.pk].reasons == (
        "2019年1-10月完成投资5000万元，占年度计划的41.7%，落后序时进度（83.3%）41.6个百分点，"
        "超过30个百分点。",
    )
    assert lights[red.pk].report_month == date(2019, 10, 1)


def test_an_overdue_milestone_turns_the_light_red_until_it_is_completed():
    project = key_project("节点逾期项目")
    months(project, [1000] * 6)
    milestone_create(
        project=project,
        name="设备安装",
        planned_on=date(2019, 5, 31),
        actual_on=date(2019, 7, 15),
        by=None,
    )

    in_june = project_light(project=project, as_of=date(2019, 6, 30))
    in_july = project_light(project=project, as_of=date(2019, 7, 31))

    assert in_june.colour == LightColour.RED
    assert [m.name for m in in_june.overdue_milestones] == ["设备安装"]
    assert in_june.reasons[-1] == "节点“设备安装”计划2019年5月31日完成，已逾期30天。"
    assert in_july.colour == LightColour.GREEN


def test_a_past_date_sees_only_the_reports_of_the_months_up_to_it():
    project = key_project("补报项目")
    months(project, [3000, 3000, 3000])

    in_february = project_light(project=project, as_of=date(2019, 2, 28))
    mid_march = project_light(project=project, as_of=date(2019, 3, 15))

    assert (in_february.invested_year, in_february.completion) == (Decimal(6000), Decimal(50))
    assert in_february.report_month == date(2019, 2, 1)
    assert mid_march.invested_year == Decimal(9000)  # the March report describes March


def test_drafts_do_not_count_and_a_project_without_reports_falls_behind():
    project = key_project("未报送项目")
    report(project, date(2019, 1, 1), 6000, submit=False)

    light = project_light(project=project, as_of=date(2019, 6, 30))

    assert light.completion == 0
    assert light.colour == LightColour.RED
    assert light.reasons[0] == "2019年尚未报送月度调度。"


def test_without_a_plan_there_is_no_light_and_before_the_start_milestones_decide():
    no_plan = key_project("无计划项目", plan=None)
    not_started = key_project("待开工项目", moves=[(Stage.SIGNED, date(2019, 1, 8))])

    assert project_light(project=no_plan, as_of=date(2019, 6, 30)).colour == LightColour.NONE
    waiting = project_light(project=not_started, as_of=date(2019, 6, 30))
    assert waiting.colour == LightColour.GREEN and waiting.completion is None
    milestone_create(project=not_started, name="施工许可", planned_on=date(2019, 5, 31), by=None)
    assert project_light(project=not_started, as_of=date(2019, 6, 30)).colour == LightColour.RED


def test_red_lights_worst_first_each_with_its_light(org, officer):
    late = key_project("落后项目", responsible_department=org["investment"])
    later = key_project("更落后项目", responsible_department=org["investment"])
    hidden = key_project("审批局项目", responsible_department=org["approvals"])
    fine = key_project("正常项目", responsible_department=org["investment"])
    months(late, [300] * 6)  # 15% against 50%: 35 points behind
    months(later, [100] * 6)
    months(hidden, [100] * 6)
    months(fine, [1000] * 6)

    red = projects_with_red_light(as_of=date(2019, 6, 30), user=officer)

    assert red == [later, late]
    assert red[0].light.colour == LightColour.RED
    assert red[0].light.behind > red[1].light.behind
    assert set(projects_with_red_light(as_of=date(2019, 6, 30))) == {later, late, hidden}


def test_lights_take_a_fixed_number_of_queries(django_assert_max_num_queries):
    for index in range(3):
        project = key_project(f"项目{index}")
        months(project, [1000, 1000])
        milestone_create(project=project, name="主体封顶", planned_on=date(2019, 1, 31), by=None)
    # (PostgreSQL) the year's designations; the projects with their facts; their overdue
    # milestones.
    with django_assert_max_num_queries(3):
        few = key_project_lights(as_of=date(2019, 2, 28))
    for index in range(12):
        project = key_project(f"更多项目{index}")
        months(project, [1000])
        milestone_create(project=project, name="主体封顶", planned_on=date(2019, 1, 31), by=None)
    with django_assert_max_num_queries(3):
        many = key_project_lights(as_of=date(2019, 2, 28))
    with django_assert_max_num_queries(4):
        schedule = key_project_schedule(month=date(2019, 2, 1))

    assert len(few) == 3 and len(many) == 15
    assert all(light.colour == LightColour.RED for light in many.values())
    assert len(schedule.rows) == 15
    assert len(schedule.not_reported) == 12  # the twelve reported only January


def test_the_schedule_counts_each_light_as_its_row_shows_it():
    """The counts are judged over every key project from bare figures, the rows a page at a
    time with their reasons: both say the same colour."""
    months(key_project("绿"), [1000] * 3)  # 3 000 of 12 000: 25%, on schedule in March
    months(key_project("黄"), [600] * 3)  # 15%: 10 points behind
    late = key_project("红")
    months(late, [1000] * 3)
    milestone_create(project=late, name="主体封顶", planned_on=date(2019, 2, 1), by=None)
    key_project("无计划", plan=None)
    key_project("未开工", moves=[(Stage.SIGNED, date(2018, 1, 8))])

    table = key_project_schedule(month=date(2019, 3, 1))

    colours = {row.project.name: row.light.colour for row in table.rows}
    assert colours == {
        "绿": LightColour.GREEN,
        "黄": LightColour.YELLOW,
        "红": LightColour.RED,
        "无计划": LightColour.NONE,
        "未开工": LightColour.GREEN,
    }
    assert table.counts == {
        LightColour.GREEN: 2,
        LightColour.YELLOW: 1,
        LightColour.RED: 1,
        LightColour.NONE: 1,
    }


def test_a_page_of_the_schedule_is_built_as_the_whole_table_in_fixed_queries(
    django_assert_max_num_queries,
):
    for index in range(6):
        months(key_project(f"项目{index}"), [1000] * (index % 3 + 1))
    table = key_project_schedule(month=date(2019, 3, 1))
    whole = [(row.project.name, row.light, row.report_state) for row in table.rows]

    with django_assert_max_num_queries(3):
        page = table.rows[2:4]

    assert [(row.project.name, row.light, row.report_state) for row in page] == whole[2:4]
    assert len(table.rows) == 6 and table.rows[-1].project.name == whole[-1][0]
    assert len(table.not_reported) == 4  # two reported March
    assert [p.name for p in table.not_reported[1:3]] == ["项目1", "项目3"]


def test_the_months_schedule_table_counts_lights_and_reports():
    reported = key_project("甲", level=KeyLevel.PROVINCE)
    project_set_key_levels(project=reported, year=2019, levels=[KeyLevel.PROVINCE, KeyLevel.CITY])
    late = key_project("乙")
    months(reported, [1000] * 3)
    months(late, [1000] * 2)

    table = key_project_schedule(month=date(2019, 3, 1))

    rows = {row.project.name: row for row in table.rows}
    assert table.month_label == "2019年3月"
    assert table.as_of == date(2019, 3, 31)
    assert rows["甲"].levels == "省市双重点"
    assert rows["甲"].report_state == ReportState.SUBMITTED
    assert rows["乙"].report_state == ReportState.MISSING
    assert rows["乙"].report_state_label == "未填报"
    assert rows["乙"].light.invested_year == Decimal(2000)
    assert table.not_reported == [late]
    assert table.counts[LightColour.GREEN] == 2

from datetime import date
from decimal import Decimal

import pytest

from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.enums import ReportCategory, Stage
from zoneops.projects.selectors import pipeline_summary, projects_with_stage_as_of
from zoneops.projects.services import project_set_key_levels
from zoneops.projects.tests.factories import make_project

pytestmark = pytest.mark.django_db


def _by_category(summary):
    return {row.key: (row.total.count, row.total.investment) for row in summary.rows}


@pytest.fixture
def pipeline():
    return {
        "continuing": make_project(
            "续建项目",
            investment=30000,
            moves=[(Stage.SIGNED, date(2018, 3, 1)), (Stage.STARTED, date(2018, 6, 1))],
        ),
        "new": make_project(
            "新开工项目",
            investment=20000,
            moves=[(Stage.SIGNED, date(2019, 2, 1)), (Stage.STARTED, date(2019, 4, 1))],
        ),
        "completed": make_project(
            "竣工项目",
            investment=15000,
            moves=[
                (Stage.STARTED, date(2018, 5, 1)),
                (Stage.COMPLETED, date(2019, 10, 1)),
                (Stage.IN_PRODUCTION, date(2019, 12, 1)),
            ],
        ),
        "done_before": make_project(
            "早已投产",
            investment=99000,
            moves=[(Stage.STARTED, date(2016, 5, 1)), (Stage.IN_PRODUCTION, date(2018, 1, 1))],
        ),
        "planned": make_project(
            "计划开工项目", investment=8000, moves=[(Stage.SIGNED, date(2019, 11, 1))]
        ),
        "deep": make_project(
            "深度在谈项目", investment=50000, moves=[(Stage.DEEP_TALKS, date(2019, 8, 1))]
        ),
        "dropped": make_project(
            "终止项目",
            investment=7000,
            moves=[(Stage.TALKS, date(2019, 1, 1)), (Stage.TERMINATED, date(2019, 6, 1))],
        ),
        "next_year": make_project(
            "次年线索", investment=1000, moves=[(Stage.LEAD, date(2020, 2, 1))]
        ),
    }


def test_the_yearly_table_classifies_by_the_year_of_start_and_completion(pipeline):
    summary = pipeline_summary(year=2019)
    assert _by_category(summary) == {
        ReportCategory.COMPLETED: (1, Decimal(15000)),
        ReportCategory.CONTINUING: (1, Decimal(30000)),
        ReportCategory.NEWLY_STARTED: (1, Decimal(20000)),
        ReportCategory.PLANNED_START: (1, Decimal(8000)),
        ReportCategory.DEEP_TALKS: (1, Decimal(50000)),
    }
    assert (summary.total.count, summary.total.investment) == (5, Decimal(123000))
    assert [row.key for row in summary.rows][:3] == ["completed", "continuing", "newly_started"]


def test_a_project_started_last_year_was_new_then_and_is_continuing_now(pipeline):
    assert _by_category(pipeline_summary(year=2018))[ReportCategory.NEWLY_STARTED][0] == 2
    assert _by_category(pipeline_summary(year=2019))[ReportCategory.CONTINUING][0] == 1


def test_summary_as_of_a_past_date_reads_the_stage_of_that_day(pipeline):
    summary = pipeline_summary(as_of=date(2019, 3, 1))
    rows = _by_category(summary)
    assert rows[ReportCategory.PLANNED_START] == (1, Decimal(20000))  # signed, not yet started
    assert rows[ReportCategory.TALKS] == (1, Decimal(7000))  # not yet dropped
    assert ReportCategory.DEEP_TALKS not in rows  # not yet registered
    stages = dict(projects_with_stage_as_of(as_of=date(2019, 3, 1)).values_list("name", "stage_at"))
    assert stages["竣工项目"] == Stage.STARTED
    assert stages["次年线索"] is None


def test_a_phased_project_counts_by_its_phases(pipeline):
    parent = make_project(
        "中商高科·沧州产业园", investment=0, moves=[(Stage.SIGNED, date(2019, 1, 5))]
    )
    make_project(
        "中商高科·沧州产业园（一期）",
        investment=40000,
        parent=parent,
        phase="一期",
        moves=[(Stage.SIGNED, date(2019, 1, 5)), (Stage.STARTED, date(2019, 3, 1))],
    )
    rows = _by_category(pipeline_summary(year=2019))
    assert rows[ReportCategory.NEWLY_STARTED] == (2, Decimal(60000))
    assert rows[ReportCategory.PLANNED_START] == (1, Decimal(8000))


def test_summary_by_key_level_shows_dual_key_projects(pipeline):
    project_set_key_levels(project=pipeline["completed"], year=2019, levels=["province", "city"])
    project_set_key_levels(project=pipeline["new"], year=2019, levels=["city"])
    summary = pipeline_summary(year=2019, dimension="key_level")
    labels = {row.label: row.total.count for row in summary.rows}
    assert labels == {"省市双重点": 1, "市重点": 1, "非重点项目": 3}


def test_summary_by_key_level_takes_the_highest_level_of_the_year(
    pipeline, django_assert_num_queries
):
    project_set_key_levels(project=pipeline["completed"], year=2019, levels=["province"])
    project_set_key_levels(project=pipeline["new"], year=2019, levels=["city", "district"])
    project_set_key_levels(project=pipeline["deep"], year=2019, levels=["district"])
    project_set_key_levels(project=pipeline["planned"], year=2018, levels=["province"])
    with django_assert_num_queries(1):
        summary = pipeline_summary(year=2019, dimension="key_level")
    rows = {row.label: (row.total.count, row.total.investment) for row in summary.rows}
    assert rows == {
        "省重点": (1, Decimal(15000)),
        "市重点": (1, Decimal(20000)),
        "区重点": (1, Decimal(50000)),
        "非重点项目": (2, Decimal(38000)),  # 续建 and 计划开工 (a key project of 2018 only)
    }


def test_summary_only_counts_what_the_user_may_see(org, pipeline):
    officer = make_user(RoleCode.STAFF, departments=[org["approvals"]])
    mine = make_project(
        "审批局项目",
        investment=1000,
        responsible_department=org["approvals"],
        moves=[(Stage.DEEP_TALKS, date(2019, 5, 1))],
    )
    summary = pipeline_summary(year=2019, user=officer)
    assert summary.total.count == 1
    assert summary.rows[0].cells[ReportCategory.DEEP_TALKS].investment == mine.total_investment


def test_summary_is_one_query_whatever_the_number_of_projects(pipeline, django_assert_num_queries):
    for index in range(20):
        make_project(f"批量{index}", moves=[(Stage.DEEP_TALKS, date(2019, 5, 1))])
    with django_assert_num_queries(1):
        pipeline_summary(year=2019, dimension="industry")


def test_funnel_counts_how_far_the_years_projects_got_with_skipped_stages_passed(pipeline):
    from zoneops.projects.selectors import pipeline_funnel

    steps = {
        s.stage: s
        for s in pipeline_funnel(registered_from=date(2019, 1, 1), registered_to=date(2019, 12, 31))
    }
    # registered in 2019: 新开工 (signed→started), 计划开工 (signed), 深度在谈, 终止 (talks→dropped)
    assert steps[Stage.LEAD].reached == 4
    assert steps[Stage.TALKS].reached == 4
    assert steps[Stage.DEEP_TALKS].reached == 3
    assert steps[Stage.SIGNED].reached == 2
    assert steps[Stage.STARTED].reached == 1
    assert steps[Stage.SIGNED].conversion == Decimal("66.7")
    assert steps[Stage.LEAD].conversion is None


def test_time_in_stage_is_read_from_the_moves(pipeline):
    from zoneops.projects.selectors import stage_durations

    durations = {d.stage: d for d in stage_durations(as_of=date(2019, 12, 31))}
    signed = durations[Stage.SIGNED]
    # 续建: signed 2018-03-01 → started 2018-06-01 (92 days); 新开工: 2019-02-01 → 04-01 (59 days)
    assert signed.finished == 2
    assert signed.average_days == Decimal("75.5")
    assert signed.ongoing == 1  # 计划开工项目 signed 2019-11-01, still there
    assert signed.ongoing_average_days == Decimal(60)
    assert durations[Stage.STARTED].ongoing == 2


def test_time_in_stage_on_a_past_day_counts_the_stays_open_then_as_waiting(pipeline):
    from zoneops.projects.selectors import stage_durations

    durations = {d.stage: d for d in stage_durations(as_of=date(2019, 3, 1))}
    signed = durations[Stage.SIGNED]
    # 续建: signed 2018-03-01 → started 2018-06-01 (92 days); 新开工: signed 2019-02-01 and
    # started only on 04-01, so on 03-01 it had waited 28 days
    assert (signed.finished, signed.average_days) == (1, Decimal(92))
    assert (signed.ongoing, signed.ongoing_average_days) == (1, Decimal(28))
    started = durations[Stage.STARTED]
    # 早已投产: started 2016-05-01 → in production 2018-01-01 (610 days); 续建 since 2018-06-01
    # (273 days) and 竣工项目 since 2018-05-01 (304 days) still building
    assert (started.finished, started.average_days) == (1, Decimal(610))
    assert (started.ongoing, started.ongoing_average_days) == (2, Decimal("288.5"))
    talks = durations[Stage.TALKS]  # 终止项目 in talks since 2019-01-01, dropped only on 06-01
    assert (talks.finished, talks.ongoing, talks.ongoing_average_days) == (0, 1, Decimal(59))
    production = durations[Stage.IN_PRODUCTION]  # in production is where a project stays
    assert (production.finished, production.ongoing, production.average_days) == (0, 0, None)
    assert durations[Stage.DEEP_TALKS].ongoing_average_days is None  # registered in August


def test_funnel_and_time_in_stage_are_one_query_each_whatever_the_number_of_projects(
    pipeline, django_assert_num_queries
):
    from zoneops.projects.selectors import pipeline_funnel, stage_durations

    for index in range(20):
        make_project(
            f"批量{index}",
            moves=[(Stage.LEAD, date(2019, 3, 1)), (Stage.TALKS, date(2019, 5, 1))],
        )
    with django_assert_num_queries(1):
        durations = {d.stage: d for d in stage_durations(as_of=date(2019, 12, 31))}
    assert (durations[Stage.LEAD].finished, durations[Stage.LEAD].average_days) == (20, 61)
    with django_assert_num_queries(1):
        steps = pipeline_funnel(registered_from=date(2019, 1, 1), registered_to=date(2019, 12, 31))
    assert [step.reached for step in steps][:3] == [24, 24, 3]


def test_summary_by_park_puts_own_sites_in_a_row_of_their_own(pipeline):
    from zoneops.common.services import record_save
    from zoneops.parks.enums import CarrierKind
    from zoneops.parks.models import Park

    park = record_save(instance=Park(name="新材料产业园", kind=CarrierKind.PARK), by=None)
    make_project(
        "园区项目", investment=500, park=park, moves=[(Stage.DEEP_TALKS, date(2019, 5, 1))]
    )
    make_project(
        "独立选址项目",
        investment=900,
        own_site=True,
        placement_reason="投资方自有用地",  # the rule puts so small a project into a park
        moves=[(Stage.DEEP_TALKS, date(2019, 5, 1))],
    )
    rows = {
        row.label: row.total.count for row in pipeline_summary(year=2019, dimension="park").rows
    }
    assert rows["新材料产业园"] == 1
    assert rows["独立选址"] == 1
    assert rows["未填写"] == 5

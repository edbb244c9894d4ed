from datetime import date
from decimal import Decimal

import pytest

from zoneops.common.scope import can_see, scope_queryset
from zoneops.common.services import record_save
from zoneops.enterprises.enums import LiaisonKind, LiaisonLevel
from zoneops.enterprises.models import EnterpriseFigure
from zoneops.enterprises.selectors import (
    COVERAGE_DISTRICT,
    COVERAGE_INSPECTORS,
    COVERAGE_PROJECTS,
    COVERAGE_PROVINCE_CITY,
    enterprise_figure_series,
    enterprises_list,
    figures_total,
    figures_with_previous,
    liaison_coverage,
    liaison_enterprises,
    my_liaison,
    yoy_percent,
)
from zoneops.enterprises.services import FigureInput, enterprise_figures_save, liaison_end
from zoneops.enterprises.tests.factories import make_enterprise, make_liaison, make_monthly_figures
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.enums import Stage
from zoneops.projects.models import Problem, Project
from zoneops.projects.tests.factories import make_project

pytestmark = pytest.mark.django_db

TODAY = date(2019, 11, 15)


def _save(enterprise, year, month, **values):
    enterprise_figures_save(
        rows=[FigureInput(enterprise.pk, year, month, {k: Decimal(v) for k, v in values.items()})],
        by=None,
    )


# --- Figures: the 1-N月 convention and YoY ------------------------------------------------


def test_yoy_is_a_percentage_with_two_decimals_and_none_without_a_base():
    assert yoy_percent(Decimal(130), Decimal(100)) == Decimal("30.00")
    assert yoy_percent(Decimal(2170), Decimal("1666.2")) == Decimal("30.24")
    assert yoy_percent(Decimal(1), None) is None
    assert yoy_percent(Decimal(1), 0) is None
    assert yoy_percent(None, Decimal(1)) is None


def test_series_gives_1_to_n_months_the_months_own_value_and_yoy_like_with_like():
    enterprise = make_enterprise()
    make_monthly_figures(enterprise, year=2018, monthly_revenue=100)
    # 2019: January and February reported together (a row for month 2 only), then March.
    _save(enterprise, 2019, 2, revenue=230)
    _save(enterprise, 2019, 3, revenue=360)

    series = enterprise_figure_series(enterprise=enterprise, year=2019)

    assert [row.period_label for row in series] == ["2019年1-2月", "2019年1-3月"]
    feb, march = series
    assert feb.values["revenue"] == Decimal(230)
    assert feb.previous["revenue"] == Decimal(200)  # 2018年1-2月, not 2018年2月
    assert feb.yoy["revenue"] == Decimal("15.00")
    assert feb.month_values["revenue"] is None  # no January row to take from
    assert march.month_values["revenue"] == Decimal(130)
    assert march.yoy["revenue"] == Decimal("20.00")  # 360 against 1-3月 300


def test_the_year_is_its_own_report_else_decembers_cumulative():
    enterprise = make_enterprise()
    make_monthly_figures(enterprise, year=2018, monthly_revenue=100)  # December: 1200
    make_monthly_figures(enterprise, year=2019, monthly_revenue=110)  # December: 1320
    _save(enterprise, 2019, None, revenue=1350)  # the audited year report differs

    year_row = enterprise_figure_series(enterprise=enterprise, year=2019)[-1]
    assert year_row.period_label == "2019年"
    assert year_row.values["revenue"] == Decimal(1350)
    assert year_row.previous["revenue"] == Decimal(1200)
    assert year_row.yoy["revenue"] == Decimal("12.50")

    annotated = figures_with_previous(
        EnterpriseFigure.objects.filter(enterprise=enterprise, year=2019, month__in=[None, 12])
    )
    assert {f.month: f.previous_revenue for f in annotated} == {12: Decimal(1200)}
    annotated_year = figures_with_previous(
        EnterpriseFigure.objects.filter(enterprise=enterprise, year=2019, month__isnull=True)
    ).get()
    assert annotated_year.previous_revenue == Decimal(1200)


def test_employees_are_the_head_count_at_the_end_of_the_period():
    enterprise = make_enterprise()
    make_monthly_figures(enterprise, year=2018, monthly_revenue=1)  # employees 101..112
    make_monthly_figures(enterprise, year=2019, monthly_revenue=1)
    march = enterprise_figure_series(enterprise=enterprise, year=2019)[2]
    assert march.values["employees"] == 103
    assert "employees" not in march.month_values
    assert march.yoy["employees"] == Decimal("0.00")


def test_zone_total_sums_the_enterprises_and_compares_like_for_like():
    steady, newcomer, gone = make_enterprise(), make_enterprise(), make_enterprise()
    make_monthly_figures(steady, year=2018, monthly_revenue=100)
    make_monthly_figures(steady, year=2019, monthly_revenue=120)
    make_monthly_figures(newcomer, year=2019, monthly_revenue=50)
    make_monthly_figures(gone, year=2018, monthly_revenue=70)

    total = figures_total(year=2019, month=10)

    assert total.period_label == "2019年1-10月"
    assert total.enterprises == 2
    assert total.values["revenue"] == Decimal(1700)
    # YoY over the enterprises that reported both years (同口径): 1200 against 1000.
    assert total.comparable["revenue"] == Decimal(1200)
    assert total.previous["revenue"] == Decimal(1000)
    assert total.yoy["revenue"] == Decimal("20.00")
    assert figures_total(year=2019).values["revenue"] == Decimal(2040)


def test_zone_total_of_a_year_takes_each_enterprises_year_report_or_december():
    with_report, without = make_enterprise(), make_enterprise()
    make_monthly_figures(with_report, year=2019, monthly_revenue=100)
    _save(with_report, 2019, None, revenue=1250)
    make_monthly_figures(without, year=2019, monthly_revenue=10)
    assert figures_total(year=2019).values["revenue"] == Decimal(1370)


def test_series_query_count_is_one(django_assert_num_queries):
    enterprise = make_enterprise()
    make_monthly_figures(enterprise, year=2018, monthly_revenue=1)
    make_monthly_figures(enterprise, year=2019, monthly_revenue=1)
    with django_assert_num_queries(1):
        assert len(enterprise_figure_series(enterprise=enterprise, year=2019)) == 12


# --- Liaison and the scope it gives -------------------------------------------------------


@pytest.fixture
def people(org):
    return {
        "leader": make_user(RoleCode.LEADER, departments=[org["zone"]]),
        "other_leader": make_user(RoleCode.LEADER, departments=[org["zone"]]),
        "member": make_user(RoleCode.STAFF, departments=[org["approvals"]]),
        "outsider": make_user(RoleCode.STAFF, departments=[org["investment"]]),
        "inspector": make_user(RoleCode.INSPECTOR, departments=[org["zone"]]),
    }


def test_liaison_enterprises_are_his_own_and_his_departments_in_force_on_the_day(org, people):
    mine, departments, ended, others = (make_enterprise(f"企业{i}") for i in range(4))
    make_liaison(mine, person=people["leader"], started_on=date(2019, 1, 1))
    make_liaison(
        departments,
        kind=LiaisonKind.DEPARTMENT,
        department=org["approvals"],
        started_on=date(2019, 1, 1),
    )
    old = make_liaison(ended, person=people["leader"], started_on=date(2018, 1, 1))
    liaison_end(assignment=old, on=date(2019, 6, 30), by=None)
    make_liaison(others, person=people["other_leader"])

    assert set(liaison_enterprises(user=people["leader"], on=TODAY)) == {mine}
    assert set(liaison_enterprises(user=people["leader"], on=date(2019, 3, 1))) == {mine, ended}
    assert set(liaison_enterprises(user=people["member"], on=TODAY)) == {departments}
    assert not liaison_enterprises(user=people["outsider"], on=TODAY).exists()


def test_liaison_widens_the_scope_to_the_enterprises_figures_and_projects(org, people):
    liaised, other = make_enterprise("北汽倍摩斯"), make_enterprise("其他企业")
    make_monthly_figures(liaised, year=2019, monthly_revenue=10, months=1)
    make_monthly_figures(other, year=2019, monthly_revenue=10, months=1)
    project = make_project("北汽倍摩斯二期", investor_enterprise=liaised)
    leader = people["leader"]
    assert not can_see(leader, liaised.figures.get())
    assert not can_see(leader, project)

    assignment = make_liaison(liaised, person=leader, started_on=date(2019, 1, 1))

    assert can_see(leader, liaised.figures.get())
    assert not can_see(leader, other.figures.get())
    assert can_see(leader, project)
    visible = scope_queryset(EnterpriseFigure.objects.all(), leader)
    assert list(visible.values_list("enterprise", flat=True)) == [liaised.pk]

    liaison_end(assignment=assignment, on=date(2019, 1, 31), by=None)
    assert not can_see(leader, liaised.figures.get())


def test_a_departments_liaison_reaches_its_members(org, people):
    liaised = make_enterprise()
    make_monthly_figures(liaised, year=2019, monthly_revenue=10, months=1)
    make_liaison(liaised, kind=LiaisonKind.DEPARTMENT, department=org["approvals"])
    assert can_see(people["member"], liaised.figures.get())
    assert not can_see(people["outsider"], liaised.figures.get())


def test_my_liaison_lists_enterprises_projects_and_what_is_open_there(org, people):
    leader = people["leader"]
    liaised = make_enterprise("嘉诚汽车内饰")
    make_liaison(liaised, person=leader, level=LiaisonLevel.PROVINCE_CITY)
    make_monthly_figures(liaised, year=2018, monthly_revenue=100, months=10)
    make_monthly_figures(liaised, year=2019, monthly_revenue=110, months=10)
    led = make_project(
        "嘉诚汽车内饰项目", liaison_leader=leader, responsible_department=org["investment"]
    )
    of_enterprise = make_project("嘉诚二期", investor_enterprise=liaised)
    _problem(led, org, due=date(2019, 11, 1))
    _problem(of_enterprise, org, due=date(2019, 12, 1))
    _problem(make_project("别人的项目"), org, due=date(2019, 11, 1))

    mine = my_liaison(user=leader, on=TODAY)

    assert [row.enterprise for row in mine.enterprises] == [liaised]
    row = mine.enterprises[0]
    assert row.kinds == "领导包联"
    assert row.open_problems == 1 and row.overdue_problems == 0
    assert row.latest.period_label == "2019年1-10月"
    assert row.latest.yoy["revenue"] == Decimal("10.00")
    assert [
        (p.project, p.as_leader, p.open_problems, p.overdue_problems) for p in mine.projects
    ] == [(led, True, 1, 1)]
    assert {p.project for p in mine.problems} == {led, of_enterprise}
    assert mine.overdue == 1


def test_my_liaison_query_count_does_not_grow_with_rows(org, people, django_assert_max_num_queries):
    leader = people["leader"]

    def grow(n):
        for index in range(n):
            enterprise = make_enterprise()
            make_liaison(enterprise, person=leader)
            make_monthly_figures(enterprise, year=2019, monthly_revenue=1, months=2)
            project = make_project(f"项目{index}", liaison_leader=leader)
            _problem(project, org, due=date(2019, 12, 1))

    grow(2)
    with django_assert_max_num_queries(14) as few:
        my_liaison(user=leader, on=TODAY)
    grow(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(my_liaison(user=leader, on=TODAY).enterprises) == 12


def test_my_liaison_gives_a_window_of_enterprises_and_projects_with_their_totals(org, people):
    leader = people["leader"]
    for name in ["丙企业", "甲企业", "乙企业"]:
        enterprise = make_enterprise(name)
        make_liaison(enterprise, person=leader)
        make_liaison(enterprise, kind=LiaisonKind.DEPARTMENT, department=org["investment"])
    projects = [make_project(f"项目{index}", liaison_leader=leader) for index in range(3)]
    everything = my_liaison(user=leader, on=TODAY)

    window = my_liaison(user=leader, on=TODAY, enterprises_offset=1, projects_offset=2, limit=1)

    assert (window.enterprises_total, window.projects_total) == (3, 3)
    assert [row.enterprise.name for row in window.enterprises] == [
        everything.enterprises[1].enterprise.name
    ]
    assert window.enterprises[0].assignments == everything.enterprises[1].assignments
    assert [row.project for row in window.projects] == [projects[0]]  # newest first
    assert (everything.enterprises_total, everything.projects_total) == (3, 3)
    assert len(my_liaison(user=leader, on=TODAY, enterprises_offset=3, limit=2).enterprises) == 0


def test_my_liaison_pages_the_open_problems_and_counts_them_all(org, people):
    """A window of the problems, the most urgent first; the totals, the overdue count and
    each row's counts still cover every open problem, not only the window's."""
    leader = people["leader"]
    enterprise = make_enterprise("嘉诚汽车内饰")
    make_liaison(enterprise, person=leader)
    project = make_project("嘉诚二期", investor_enterprise=enterprise, liaison_leader=leader)
    dues = [date(2019, 10, 1), date(2019, 10, 20), date(2019, 12, 1), date(2019, 12, 20)]
    made = [_problem(project, org, due=due) for due in dues]

    window = my_liaison(user=leader, on=TODAY, problems_offset=1, limit=2)

    assert window.problems == made[1:3]
    assert (window.problems_total, window.overdue) == (4, 2)
    assert (window.enterprises[0].open_problems, window.enterprises[0].overdue_problems) == (4, 2)
    assert (window.projects[0].open_problems, window.projects[0].overdue_problems) == (4, 2)


def test_my_liaison_past_the_end_reads_the_last_window_when_asked(org, people):
    leader = people["leader"]
    for index in range(5):
        make_liaison(make_enterprise(f"企业{index}"), person=leader)

    past = my_liaison(user=leader, on=TODAY, enterprises_offset=40, limit=2)
    last = my_liaison(
        user=leader, on=TODAY, enterprises_offset=40, limit=2, past_end_shows_last=True
    )

    assert (past.enterprises, past.enterprises_offset) == ([], 40)
    assert [row.enterprise.name for row in last.enterprises] == ["企业4"]
    assert (last.enterprises_offset, last.enterprises_total) == (4, 5)


def test_coverage_counts_projects_enterprises_once_and_inspectors(org, people):
    leader, other = people["leader"], people["other_leader"]
    make_project("有包联的项目", liaison_leader=leader, responsible_department=org["investment"])
    make_project("只有领导的项目", liaison_leader=leader)
    dropped = make_project(
        "终止的项目",
        liaison_leader=other,
        responsible_department=org["investment"],
        moves=[(Stage.TALKS, date(2019, 1, 1)), (Stage.TERMINATED, date(2019, 2, 1))],
    )
    assert dropped.stage == Stage.TERMINATED
    a, b, c, d = (make_enterprise() for _ in range(4))
    make_liaison(a, person=leader, level=LiaisonLevel.PROVINCE_CITY)
    make_liaison(
        a,
        kind=LiaisonKind.DEPARTMENT,
        department=org["investment"],
        level=LiaisonLevel.PROVINCE_CITY,
    )
    make_liaison(b, person=other, level=LiaisonLevel.PROVINCE_CITY)
    make_liaison(b, person=leader, level=LiaisonLevel.DISTRICT)  # already on the 省市 list
    make_liaison(c, person=leader, level=LiaisonLevel.DISTRICT)
    make_liaison(d, kind=LiaisonKind.INSPECTOR, person=people["inspector"])
    make_liaison(c, kind=LiaisonKind.INSPECTOR, person=people["inspector"])
    ended = make_liaison(make_enterprise(), person=other, level=LiaisonLevel.DISTRICT)
    liaison_end(assignment=ended, on=date(2019, 5, 1), by=None)

    coverage = liaison_coverage(on=TODAY)

    rows = {row.key: (row.objects, row.persons, row.departments) for row in coverage.rows}
    assert rows == {
        COVERAGE_PROJECTS: (1, 1, 1),
        COVERAGE_PROVINCE_CITY: (2, 2, 1),
        COVERAGE_DISTRICT: (1, 1, 0),
        COVERAGE_INSPECTORS: (2, 1, 0),
    }
    assert coverage.enterprises_total == 4
    by_person = {p.user_id: p for p in coverage.people}
    assert (by_person[leader.pk].projects, by_person[leader.pk].province_city) == (1, 1)
    assert by_person[leader.pk].district == 2  # b (on the list too) and c
    assert by_person[people["inspector"].pk].inspected == 2


def test_coverage_query_count_is_fixed(org, people, django_assert_max_num_queries):
    for _ in range(5):
        make_liaison(make_enterprise(), person=people["leader"])
    with django_assert_max_num_queries(8):
        liaison_coverage(on=TODAY)


def _problem(project: Project, org, *, due: date) -> Problem:
    problem = Problem(
        project=project,
        title=f"{project.name}的问题",
        kind="bottleneck",
        topic="land",
        department=org["approvals"],
        raised_on=date(2019, 10, 1),
        routed_on=date(2019, 10, 1),
        limit_days=5,
        due_on=due,
    )
    return record_save(instance=problem, by=None)


def test_the_register_is_searched_by_name_former_name_and_credit_code_in_either_case(people):
    renamed = make_enterprise("嘉诚汽车内饰", former_names="沧州嘉诚塑料")
    make_enterprise("龙山汽车配件")
    leader = people["leader"]

    def found(text):
        return [e.name for e in enterprises_list(user=leader, search=text)]

    assert found(" 嘉诚塑料 ") == ["嘉诚汽车内饰"]
    assert found(renamed.credit_code.lower()) == ["嘉诚汽车内饰"]
    assert sorted(found("汽车")) == ["嘉诚汽车内饰", "龙山汽车配件"]
    assert len(found("")) == 2

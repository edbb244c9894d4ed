"""The demo zone's key projects carry a year of scheduling: plans, milestones, monthly reports
whose figures fit their stages and totals, mixed lights on 2019-12-31, and six command HQs.

The zone is loaded once for the module and rolled back after it (as test_demo_pipeline does).
"""

from collections import Counter
from datetime import date

import pytest
from django.db import transaction
from django.db.models import Count, Max, Min
from django.utils import timezone

from zoneops.demo import pipeline
from zoneops.demo.loader import load_demo_zone
from zoneops.demo.results import DemoResult
from zoneops.demo.scheduling import HQS, SCHEDULES, load_scheduling
from zoneops.projects.models import AnnualPlan, CommandHQ, Milestone, ProgressReport, Project
from zoneops.projects.selectors.scheduling import (
    LightColour,
    key_project_lights,
    key_projects_not_reported,
    project_light,
    projects_with_red_light,
)

END_2019 = date(2019, 12, 31)
NODE_NAMES = {
    "项目备案",
    "土地摘牌",
    "施工许可",
    "主体开工",
    "主体封顶",
    "设备安装",
    "竣工验收",
    "投产",
}

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        result = load_demo_zone(password="demo-Pass-2020")
        load_scheduling(result=result)
        yield result
        transaction.set_rollback(True)


def _by_code(lights):
    codes = dict(Project.objects.filter(pk__in=lights).values_list("pk", "code"))
    return {codes[pk]: light for pk, light in lights.items()}


def test_the_lights_on_2019_12_31_are_mostly_green_two_yellow_one_red():
    lights = _by_code(key_project_lights(as_of=END_2019))

    assert set(lights) == set(pipeline.KEY_2019_CODES)
    assert Counter(light.colour for light in lights.values()) == {
        LightColour.GREEN: 7,
        LightColour.YELLOW: 2,
        LightColour.RED: 1,
    }
    yellow = {code for code, light in lights.items() if light.colour == LightColour.YELLOW}
    assert yellow == {"DEMO-JJJWL", "DEMO-XJ-02"}
    red = lights["DEMO-XK-02"]
    assert red.colour == LightColour.RED
    assert [m.name for m in red.overdue_milestones] == ["设备安装"]
    assert red.completion == 60
    assert all(light.schedule == 100 for light in lights.values())


def test_the_red_project_heads_the_meeting_agenda_and_its_node_was_late_from_11_29():
    (red,) = projects_with_red_light(as_of=END_2019)
    on_the_day = project_light(project=red, as_of=date(2019, 11, 29))
    day_after = project_light(project=red, as_of=date(2019, 11, 30))
    once_installed = project_light(project=red, as_of=date(2020, 4, 30))

    assert red.code == "DEMO-XK-02"
    assert red.light.reasons[-1] == "节点“设备安装”计划2019年11月29日完成，已逾期32天。"
    assert on_the_day.overdue_milestones == ()
    assert [m.name for m in day_after.overdue_milestones] == ["设备安装"]
    assert once_installed.overdue_milestones == ()


def test_reports_run_from_the_start_month_to_the_production_month():
    spans = {
        row["project__code"]: row
        for row in ProgressReport.objects.values("project__code").annotate(
            first=Min("month"), last=Max("month"), n=Count("pk")
        )
    }
    for project in Project.objects.filter(code__in=pipeline.KEY_2019_CODES):
        span = spans[project.code]
        assert span["first"] == max(project.started_on.replace(day=1), date(2019, 1, 1))
        if project.production_on:
            assert span["last"] == project.production_on.replace(day=1)
        else:
            assert span["last"] == date(2020, 6, 1)
    assert not ProgressReport.objects.exclude(status=ProgressReport.Status.SUBMITTED).exists()


def test_completed_projects_reach_their_total_investment_and_figures_add_up():
    for spec in SCHEDULES:
        reports = list(ProgressReport.objects.filter(project__code=spec.code).order_by("month"))
        project = reports[0].project
        last = reports[-1]
        assert last.invested_total == spec.before_2019 + sum(
            report.invested_month for report in reports
        )
        assert last.invested_total <= project.total_investment
        if project.production_on:
            assert last.invested_total == project.total_investment, project.name
        december = next(r for r in reports if r.month.year == 2019 and r.month.month >= 9)
        assert december.year_plan == dict(spec.plans)[2019]


def test_every_key_project_reported_every_month_it_owed_in_2019():
    for month in range(1, 13):
        assert not key_projects_not_reported(month=date(2019, month, 1)).exists(), month


def test_plans_and_milestones_fit_the_projects():
    plans = Counter(AnnualPlan.objects.values_list("year", flat=True))
    assert plans == {2019: 10, 2020: 7}
    per_project = Counter(
        Milestone.objects.filter(project__code__in=pipeline.KEY_2019_CODES).values_list(
            "project__code", flat=True
        )
    )
    assert set(per_project) == set(pipeline.KEY_2019_CODES)
    assert all(5 <= n <= 8 for n in per_project.values())
    assert set(Milestone.objects.values_list("name", flat=True)) <= NODE_NAMES
    for project in Project.objects.filter(code__in=pipeline.KEY_2019_CODES):
        start = Milestone.objects.get(project=project, name="主体开工")
        assert start.actual_on == project.started_on, project.name
    assert not Milestone.objects.filter(responsible_department__isnull=True).exists()


def test_six_command_hqs_led_by_the_zones_leaders():
    hqs = list(
        CommandHQ.objects.select_related("commander").prefetch_related("members", "projects")
    )

    assert len(hqs) == 6 == len(HQS)
    assert {hq.commander.username for hq in hqs} == {"director", "leader", "leader2", "leader3"}
    assert all(hq.members.all() and hq.projects.all() for hq in hqs)
    led = {p.code for hq in hqs for p in hq.projects.all()}
    assert {"DEMO-ZSHK-1", "DEMO-HNC", "DEMO-LTWT", "DEMO-MBSHF", "DEMO-JJJWL"} <= led


def test_the_project_officer_wrote_it_all_through_the_services():
    creators = set(ProgressReport.objects.values_list("created_by__username", flat=True))
    history = ProgressReport.history.filter(project__code="DEMO-XK-02", month=date(2019, 11, 1))

    assert creators == {"xmb_staff"}
    assert [h.history_change_reason for h in history.order_by("history_id")] == [
        "开始填报（按上月调度和年度计划预填）",
        "填写月度调度",
        "报送月度调度（补登：演示数据：按报道补登）",
    ]
    sent = ProgressReport.objects.get(project__code="DEMO-XK-02", month=date(2019, 11, 1))
    assert timezone.localtime(sent.submitted_at).date() == date(2019, 12, 5)


def test_loading_again_creates_nothing():
    counts = (
        ProgressReport.objects.count(),
        Milestone.objects.count(),
        AnnualPlan.objects.count(),
        CommandHQ.objects.count(),
    )
    again = DemoResult(password="demo-Pass-2020")

    load_scheduling(result=again)

    assert again.created_total == 0
    assert counts == (
        ProgressReport.objects.count(),
        Milestone.objects.count(),
        AnnualPlan.objects.count(),
        CommandHQ.objects.count(),
    )

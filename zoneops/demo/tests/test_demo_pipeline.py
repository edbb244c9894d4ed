"""The demo zone's projects reproduce the article's investment figures from their own records.

The zone is loaded once for the module (about 190 projects with their moves) and rolled back
after it; each test runs in its own savepoint on top of it.
"""

from collections import Counter
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum

from zoneops.common.services import record_save
from zoneops.demo import loader, pipeline
from zoneops.demo.data import HYUNDAI_PLANT, ZSHK_PARK
from zoneops.demo.loader import load_demo_zone
from zoneops.demo.management.commands.demo import PASSWORD_ENV
from zoneops.funds.selectors import fund_totals
from zoneops.industry.models import IndustryCategory
from zoneops.orgs.models import User
from zoneops.parks.enums import CarrierKind
from zoneops.projects.enums import STAGE_ORDER, KeyLevel, ReportCategory, Stage
from zoneops.projects.models import KeyDesignation, Project, StageMove
from zoneops.projects.selectors import (
    pipeline_summary,
    projects_counted,
    projects_with_stage_as_of,
)
from zoneops.targets.selectors import targets_progress, targets_visible

PASSWORD = "demo-Pass-2020"
END_2019 = date(2019, 12, 31)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield load_demo_zone(password=PASSWORD)
        transaction.set_rollback(True)


def _rows(summary):
    return {row.key: (row.total.count, row.total.investment) for row in summary.rows}


def _invested(queryset):
    return queryset.aggregate(total=Sum("total_investment"))["total"]


def test_the_2019_table_gives_the_articles_five_rows_exactly():
    summary = pipeline_summary(year=2019)

    assert _rows(summary) == {
        ReportCategory.COMPLETED: (3, Decimal(230000)),
        ReportCategory.CONTINUING: (21, Decimal(540000)),
        ReportCategory.NEWLY_STARTED: (27, Decimal(610000)),
        ReportCategory.PLANNED_START: (32, Decimal(1000000)),
        ReportCategory.DEEP_TALKS: (28, Decimal(2070000)),
    }
    # The rows add up to 445亿元; the article's "总投资447亿元" is left for the figure check.
    assert (summary.total.count, summary.total.investment) == (111, Decimal(4450000))


def test_no_counted_project_is_a_lead_or_in_talks_at_the_end_of_2019():
    stages = set(
        projects_with_stage_as_of(as_of=END_2019)
        .filter(stage_at__isnull=False)
        .values_list("stage_at", flat=True)
    )

    assert not stages & {Stage.LEAD, Stage.TALKS}


def test_ten_key_projects_of_2019_total_61_16_yi_with_the_three_named_completed_ones():
    key = Project.objects.key_in(2019)
    rows = Counter(
        projects_counted(year=2019, as_of=END_2019)
        .filter(key_designations__year=2019)
        .distinct()
        .values_list("category", flat=True)
    )

    assert key.count() == 10
    assert _invested(key) == Decimal(611600)
    # The article says 竣工投产 2 / 续建 3 / 新开工 5 but names three completed ones.
    assert rows == {
        ReportCategory.COMPLETED: 3,
        ReportCategory.CONTINUING: 3,
        ReportCategory.NEWLY_STARTED: 4,
    }
    completed = set(key.filter(stage=Stage.IN_PRODUCTION).values_list("name", flat=True))
    assert completed == {
        "隆泰万通高端管道装备项目",
        "瑞荣汽车CKD及轮胎组装机项目",
        "海纳川沧州汽车零部件产业园",
    }
    assert key.filter(name="中商高科·沧州产业园（一期）").exists()
    levels = set(
        KeyDesignation.objects.filter(year=2019, project__code="DEMO-LTWT").values_list(
            "level", flat=True
        )
    )
    assert levels == {KeyLevel.PROVINCE, KeyLevel.CITY}
    assert set(KeyDesignation.objects.filter(year=2019).values_list("level", flat=True)) <= {
        KeyLevel.PROVINCE,
        KeyLevel.CITY,
    }


def test_the_three_completed_projects_were_in_production_by_the_end_of_2019():
    for code in ("DEMO-LTWT", "DEMO-RRCKD", "DEMO-HNC"):
        project = Project.objects.get(code=code)
        assert project.production_on <= END_2019
        assert project.completed_on.year == 2019


def test_cloud_signing_on_2020_05_08_signs_56_projects_for_83_yi():
    signed = Project.objects.filter(
        stage_moves__to_stage=Stage.SIGNED, stage_moves__moved_on=date(2020, 5, 8)
    )
    fields = set(signed.values_list("industry__name", flat=True))

    assert signed.count() == 56
    assert _invested(signed) == Decimal(830000)
    assert set(signed.values_list("code", flat=True)) == set(pipeline.CLOUD_SIGNING_CODES)
    assert fields == {
        "汽车及零部件",
        "生物医药",
        "新材料",
        "高新技术研发",
        "商业综合体",
        "产业基金",
    }


def test_spring_2020_start_opens_8_key_projects_for_9_76_yi():
    started = Project.objects.filter(
        stage_moves__to_stage=Stage.STARTED, stage_moves__moved_on=pipeline.SPRING_START_ON
    )

    assert started.count() == 8
    assert _invested(started) == Decimal(97600)
    assert set(started.values_list("code", flat=True)) == set(pipeline.SPRING_START_CODES)
    assert started.key_in(2020).count() == 8
    names = set(started.values_list("name", flat=True))
    for named in (
        "亚超特铝复合材料",
        "国工恒昌新型高强高导铜合金引线框架材料",
        "联之捷国防军工特种焊材及工艺",
    ):
        assert any(name.startswith(named) for name in names), named
    # Each of them was a 计划开工 project of 2019.
    rows = set(
        projects_counted(year=2019, as_of=END_2019)
        .filter(code__in=pipeline.SPRING_START_CODES)
        .values_list("category", flat=True)
    )
    assert rows == {ReportCategory.PLANNED_START}


def test_every_project_the_article_names_is_a_real_record():
    names = list(Project.objects.filter(is_sample=False).values_list("name", flat=True))

    for named in pipeline.ARTICLE_PROJECT_NAMES:
        assert any(name.startswith(named) for name in names), named
    for exact in (
        "隆泰万通高端管道装备项目",
        "瑞荣汽车CKD及轮胎组装机项目",
        "海纳川沧州汽车零部件产业园",
        "中商高科·沧州产业园",
        "北京现代摩比斯后服务配套北方基地",
        "京津冀整车智能物流中心",
        "中兴5G微波陶瓷介电新材料项目",
        "军民两用航天科创产业园",
        "奥特莱斯商业综合体",
        "谷川联行产业园",
        "联合U谷产业园",
    ):
        assert exact in names, exact


def test_every_generated_project_is_marked_as_a_sample():
    samples = Project.objects.filter(is_sample=True)

    assert samples.count() == len([s for s in pipeline.PROJECTS if s.is_sample])
    assert not samples.exclude(name__endswith="（示例）").exists()
    assert not Project.objects.filter(is_sample=False, name__contains="示例").exists()


def test_the_phased_park_counts_by_its_phases():
    parent = Project.objects.get(name="中商高科·沧州产业园")
    phases = {p.phase: p for p in parent.phases.select_related("park")}
    rows = dict(
        projects_counted(year=2019, as_of=END_2019)
        .filter(parent=parent)
        .values_list("phase", "category")
    )

    assert set(phases) == {"一期", "二期", "三期"}
    assert phases["一期"].land_mu == Decimal(395)
    assert phases["一期"].park.name == ZSHK_PARK
    assert rows == {
        "一期": ReportCategory.NEWLY_STARTED,
        "二期": ReportCategory.PLANNED_START,
        "三期": ReportCategory.PLANNED_START,
    }


def test_31_projects_have_a_liaison_leader_and_a_responsible_department():
    with_leader = Project.objects.filter(liaison_leader__isnull=False)

    assert with_leader.count() == 31
    assert not with_leader.filter(responsible_department__isnull=True).exists()
    assert with_leader.key_in(2019).count() == 10
    assert not with_leader.filter(total_investment__lt=10000).exists()
    assert set(with_leader.values_list("liaison_leader__title", flat=True)) == {
        "管委会主任",
        "管委会副主任",
    }
    assert not Project.objects.filter(owner__isnull=True).exists()


def test_leaders_are_in_charge_of_the_departments_of_their_projects():
    for project in Project.objects.filter(liaison_leader__isnull=False).select_related(
        "liaison_leader", "responsible_department"
    ):
        in_charge = set(project.liaison_leader.in_charge_of.values_list("pk", flat=True))
        assert project.responsible_department_id in in_charge, project.name


def test_auto_plant_and_suppliers_add_up_to_more_than_260_yi():
    signed_or_later = [s for s, order in STAGE_ORDER.items() if order >= STAGE_ORDER[Stage.SIGNED]]
    settled = projects_with_stage_as_of(
        as_of=END_2019,
        queryset=Project.objects.filter(industry__code__in=pipeline.AUTO_INDUSTRIES),
    ).filter(stage_at__in=signed_or_later)
    plant = Project.objects.get(code="DEMO-BHCZ")
    suppliers = Project.objects.filter(code__startswith="DEMO-PT-") | Project.objects.filter(
        code__in=["DEMO-MOBIS", "DEMO-BMS", "DEMO-BQHY", "DEMO-HGZS"]
    )

    assert _invested(settled) == pipeline.AUTO_INVESTMENT_END_2019 == Decimal(2650000)
    assert plant.investor_enterprise.name == HYUNDAI_PLANT
    assert suppliers.count() == 25
    assert set(suppliers.values_list("stage", flat=True)) == {Stage.IN_PRODUCTION}
    assert not projects_counted(year=2019, as_of=END_2019).filter(
        pk__in=[plant.pk, *suppliers.values_list("pk", flat=True)]
    )


def test_the_21_planning_projects_of_2020_total_95_yi_with_13_of_5_yi_or_more():
    planned = Project.objects.filter(code__in=pipeline.PLANNED_2020_CODES)
    rows = set(
        projects_counted(year=2019, as_of=END_2019)
        .filter(code__in=pipeline.PLANNED_2020_CODES)
        .values_list("category", flat=True)
    )

    assert planned.count() == 21
    assert _invested(planned) == Decimal(950000)
    assert planned.filter(total_investment__gte=50000).count() == 13
    assert rows == {ReportCategory.DEEP_TALKS}
    for name in ("军民两用航天科创产业园", "奥特莱斯商业综合体", "谷川联行产业园", "联合U谷产业园"):
        assert planned.filter(name=name, total_investment__gte=50000).exists()


def test_projects_are_placed_by_the_zones_rule(settings):
    major = settings.ZONEOPS_MAJOR_PROJECT_THRESHOLD
    small = settings.ZONEOPS_SMALL_PROJECT_THRESHOLD
    samples = Project.objects.filter(is_sample=True).select_related("park", "industry")

    for project in samples:
        if project.industry.code == "fund":
            assert project.park is None and not project.own_site
        elif project.total_investment >= major:
            assert project.own_site and project.park is None, project.name
        elif project.total_investment < small and project.industry.code in pipeline.TECH_CARRIERS:
            assert project.park.kind == CarrierKind.CENTRE, project.name
        elif project.industry.code != "commercial":
            assert project.park.kind == CarrierKind.PARK, project.name


def test_industries_are_the_zones_list_with_sections_and_flags():
    industries = {i.code: i for i in IndustryCategory.objects.all()}

    assert len(industries) == 15
    assert {c for c, i in industries.items() if i.is_lead} == {"auto", "new-materials"}
    assert industries["new-materials"].is_strategic_emerging
    assert not industries["auto"].is_strategic_emerging
    assert industries["aiot"].gb_section == "I"
    assert all(code.isascii() for code in industries)


def test_every_demo_move_is_a_backdated_entry_by_the_investment_officer():
    moves = StageMove.objects.filter(project__code__startswith="DEMO-")

    assert moves.count() == sum(len(spec.moves) for spec in pipeline.PROJECTS)
    assert set(moves.values_list("backdate_reason", flat=True)) == {pipeline.BACKDATE_REASON}
    assert set(moves.values_list("by__username", flat=True)) == {pipeline.OWNER}


def test_loading_again_creates_nothing_and_keeps_a_users_edit():
    project = Project.objects.get(code="DEMO-LTWT")
    project.name = "隆泰万通高端管道装备项目（已改名）"
    record_save(instance=project, by=None)
    counts = (Project.objects.count(), StageMove.objects.count(), KeyDesignation.objects.count())

    second = load_demo_zone(password=PASSWORD)

    assert second.created_total == 0
    assert counts == (
        Project.objects.count(),
        StageMove.objects.count(),
        KeyDesignation.objects.count(),
    )
    assert Project.objects.get(code="DEMO-LTWT").name.endswith("（已改名）")


def test_demo_command_on_a_loaded_zone_creates_nothing(settings, tmp_path, monkeypatch):
    settings.DATA_DIR = tmp_path / "data"
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    # This module's zone is the article's (no `today`); the later years load in
    # test_demo_living, whose own test of this runs the command on the day it was loaded.
    monkeypatch.setattr("zoneops.demo.living.load_living", lambda **kwargs: None)
    monkeypatch.setattr("zoneops.demo.living.new_projects", lambda **kwargs: ())
    monkeypatch.setattr("zoneops.demo.approvals.load_approvals_living", lambda **kwargs: None)
    monkeypatch.setattr("zoneops.demo.supervision._living", lambda **kwargs: None)
    monkeypatch.setattr("zoneops.demo.portal.load_inquiries", lambda **kwargs: None)
    monkeypatch.setattr("zoneops.demo.portal.load_slots", lambda **kwargs: None)
    monkeypatch.setattr("zoneops.demo.loader.load_later_figures", lambda **kwargs: None)
    monkeypatch.setattr("zoneops.demo.loader.load_reminders", lambda **kwargs: None)
    article_indicators = loader.load_indicators
    monkeypatch.setattr(
        "zoneops.demo.loader.load_indicators",
        lambda *, result, today: article_indicators(result=result, today=None),
    )
    out = StringIO()

    call_command("demo", "--no-serve", "--no-input", stdout=out)

    assert "nothing created" in out.getvalue()


def test_generation_is_deterministic():
    assert pipeline.generate_samples() == pipeline.generate_samples()
    assert len({spec.code for spec in pipeline.PROJECTS}) == len(pipeline.PROJECTS)
    assert len({spec.name for spec in pipeline.PROJECTS}) == len(pipeline.PROJECTS)


def test_the_director_reads_the_whole_zones_table_and_a_vice_director_his_share():
    director = User.objects.get(username="director")
    vice = User.objects.get(username="leader")

    whole = pipeline_summary(year=2019, user=director)
    share = pipeline_summary(year=2019, user=vice)

    assert (whole.total.count, whole.total.investment) == (111, Decimal(4450000))
    assert 0 < share.total.count < 111


# --- support funds and the city's target (issue 10) -------------------------------------------


def test_2019_funds_from_four_levels_and_projects_won():
    totals = fund_totals(start=date(2019, 1, 1), end=date(2019, 12, 31))
    assert totals.total.paid == 12300  # 1.23亿元
    assert all(row.paid > 0 for row in totals.by_level)  # 中央、省、市、区
    assert totals.total.projects_won >= 10  # 研发和示范项目10余个


def test_city_target_for_2019_and_2020():
    found = targets_progress(targets=targets_visible(), today=date(2020, 12, 31))
    progress = {p.target.year: p for p in found}
    assert progress[2019].actual == 3 and progress[2019].standing == "done"
    # The article's zone ends mid-2020: the 5亿+ industrial projects signed by then (云签约).
    assert progress[2020].actual == 2, [i.project.name for i in progress[2020].records]

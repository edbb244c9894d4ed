"""The demo zone lives up to the day it is loaded: loaded on a frozen "today", a new user's pages
about this year show a working zone, and 2019 still reads as the article."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum

from zoneops.approvals.models import Case
from zoneops.approvals.selectors import approval_figures
from zoneops.approvals.workbench import CaseSource
from zoneops.demo import pipeline
from zoneops.demo.loader import load_demo_zone
from zoneops.demo.management.commands.demo import PASSWORD_ENV
from zoneops.enterprises.models import EnterpriseRequest
from zoneops.enterprises.models.requests import OPEN_STATUSES
from zoneops.meetings.enums import MeetingKind
from zoneops.meetings.models import Decision, Meeting
from zoneops.orgs.models import User
from zoneops.projects.enums import ReportCategory, SourceChannel, Stage
from zoneops.projects.models import Problem, ProgressReport, Project, StageMove
from zoneops.projects.selectors.pipeline import pipeline_summary
from zoneops.projects.selectors.placement import placement_outcomes, placement_overrides
from zoneops.projects.selectors.scheduling import (
    key_projects,
    key_projects_due,
    key_projects_not_reported,
    key_projects_with_lights,
)
from zoneops.supervision.enums import TaskStatus
from zoneops.supervision.models import SupervisionTask
from zoneops.supervision.selectors import (
    checklist_coverage,
    task_counts,
    tasks_cleared_same_day,
    tasks_overdue,
)
from zoneops.supervision.workbench import TaskSource
from zoneops.workbench.selectors import cleared_same_day_total

PASSWORD = "demo-Pass-2020"
TODAY = date(2026, 12, 6)  # a Sunday
ZONE = ZoneInfo("Asia/Shanghai")

pytestmark = [pytest.mark.django_db, pytest.mark.clock_fixed]


def at(day: date) -> time_machine.travel:
    return time_machine.travel(datetime.combine(day, time(10, 0), tzinfo=ZONE), tick=False)


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), at(TODAY), transaction.atomic():
        yield load_demo_zone(password=PASSWORD, today=TODAY)
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _frozen():
    with at(TODAY):
        yield


def _last_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def _rows(year: int) -> dict[str, tuple[int, Decimal]]:
    return {r.key: (r.total.count, r.total.investment) for r in pipeline_summary(year=year).rows}


def fingerprint() -> tuple[object, ...]:
    return (
        Project.objects.count(),
        StageMove.objects.count(),
        Project.objects.aggregate(total=Sum("total_investment"))["total"],
        EnterpriseRequest.objects.count(),
        sorted(EnterpriseRequest.objects.values_list("status", flat=True)),
        Problem.objects.count(),
        ProgressReport.objects.aggregate(total=Sum("invested_month"))["total"],
        Meeting.objects.count(),
        Decision.objects.filter(done_on__isnull=True).count(),
    )


def check_a_working_zone(today: date) -> None:
    """What a new user sees on the board, the summary, the request list and the lights."""
    rows = _rows(today.year)
    assert rows[ReportCategory.NEWLY_STARTED][0] > 0
    assert sum(count for count, _amount in rows.values()) >= 20
    open_requests = EnterpriseRequest.objects.filter(status__in=OPEN_STATUSES)
    open_problems = Problem.objects.exclude(status=Problem.Status.RESOLVED)
    dues = [r.due_on for r in open_requests if r.due_on] + [p.due_on for p in open_problems]
    assert dues and min(dues) >= today - timedelta(days=60)  # overdue by days, not years
    assert any(today <= due <= today + timedelta(days=7) for due in dues)
    assert any(due < today for due in dues)
    last = _last_month(today)
    assert key_projects_due(month=last).exists()
    assert not key_projects_not_reported(month=last).exists()
    lights = [light.colour for _project, light in key_projects_with_lights(as_of=today)]
    assert len(lights) >= 5
    assert lights.count("green") > len(lights) / 2
    held = Meeting.objects.filter(held_on__gt=today - timedelta(days=31), held_on__lte=today)
    assert {MeetingKind.WEEKLY_DOCKING, MeetingKind.MONTHLY} <= set(
        held.values_list("kind", flat=True)
    )


def test_this_years_board_summary_requests_and_lights_are_a_working_zone():
    check_a_working_zone(TODAY)


def test_2019_still_reads_as_the_article():
    assert _rows(2019) == {
        ReportCategory.COMPLETED: (3, Decimal(230000)),
        ReportCategory.CONTINUING: (21, Decimal(540000)),
        ReportCategory.NEWLY_STARTED: (27, Decimal(610000)),
        ReportCategory.PLANNED_START: (32, Decimal(1000000)),
        ReportCategory.DEEP_TALKS: (28, Decimal(2070000)),
    }


def test_nothing_is_dated_after_today_and_nothing_new_before_mid_2020():
    assert not StageMove.objects.filter(moved_on__gt=TODAY).exists()
    later = StageMove.objects.filter(moved_on__gt=date(2020, 6, 30))
    assert later.exists()
    assert set(later.values_list("backdate_reason", flat=True)) == {
        "演示数据：示例续写（2020年7月以后）"
    }
    assert not EnterpriseRequest.objects.filter(filed_on__gt=TODAY).exists()
    assert not Meeting.objects.filter(held_on__gt=TODAY).exists()


def test_every_generated_record_is_marked_as_a_sample():
    new = Project.objects.filter(
        stage_moves__from_stage="", stage_moves__moved_on__gt=date(2020, 6, 30)
    )
    assert new.exists()
    assert not new.filter(is_sample=False).exists()
    assert all(name.endswith(pipeline.SAMPLE_SUFFIX) for name in new.values_list("name", flat=True))
    later = EnterpriseRequest.objects.filter(filed_on__gt=date(2020, 6, 30))
    assert later.exists()
    for request in later.select_related("enterprise"):
        assert request.enterprise.is_sample or request.title.endswith(pipeline.SAMPLE_SUFFIX)
    problems = Problem.objects.filter(routed_on__gt=date(2020, 6, 30))
    assert problems.exists()
    assert all(t.endswith(pipeline.SAMPLE_SUFFIX) for t in problems.values_list("title", flat=True))


def test_some_projects_were_dropped_with_a_reason():
    dropped = Project.objects.filter(terminated_on__gt=date(2020, 6, 30))

    assert dropped.exists()
    assert not dropped.filter(termination_reason="").exists()


def test_the_demo_command_on_the_same_day_creates_nothing(settings, tmp_path, monkeypatch):
    settings.DATA_DIR = tmp_path / "data"
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    out = StringIO()
    before = fingerprint()

    call_command("demo", "--no-serve", "--no-input", stdout=out)

    assert "nothing created" in out.getvalue()
    assert fingerprint() == before


# --- government services and supervision (issue 10) -------------------------------------------


def test_the_2019_figures_are_the_articles():
    figures = approval_figures(start=date(2019, 1, 1), end=date(2019, 12, 31))
    total = figures.total
    assert total.concluded == 1790
    assert figures.cleared_same_day == 1020
    assert total.promised_ratio == Decimal("50.0")
    assert total.centre_share == Decimal("53.0")
    assert total.taken_over == 88
    assert total.on_time_rate is not None and total.on_time_rate > Decimal("95")
    assert CaseSource().cleared_same_day(start=date(2019, 1, 1), end=date(2019, 12, 31)) == 1020


def test_key_projects_of_2019_have_cases():
    projects = key_projects(year=2019)
    assert Case.objects.filter(project__in=projects, received_on__year=2019).count() >= 10


def test_the_zone_goes_on_working_cases_up_to_today():
    running = Case.objects.running()
    assert Case.objects.filter(received_on=date(2026, 12, 4)).exists()  # Friday
    assert running.filter(suspended_since__isnull=False).exists()  # waiting for 补正
    assert Case.objects.overdue(on=TODAY).exists()  # some late
    assert not Case.objects.filter(received_on__gt=TODAY).exists()
    assert not Case.objects.filter(concluded_on__gt=TODAY).exists()
    officer = User.objects.get(username="spj_staff")
    items = CaseSource().items(user=officer, on=TODAY, until=date(2026, 12, 9), departments=None)
    assert items and any(item.due_on < TODAY for item in items)


def test_2019_has_exactly_7030_tasks_handed_over_and_closed_the_same_day():
    assert tasks_cleared_same_day(start=date(2019, 1, 1), end=date(2019, 12, 31)) == 7030
    assert TaskSource().cleared_same_day(start=date(2019, 1, 1), end=date(2019, 12, 31)) == 7030


def test_12_inspectors_keep_checklists_of_19_enterprises_with_visits_and_follow_ups():
    coverage = checklist_coverage(on=date(2020, 6, 30))
    assert (coverage.inspectors, coverage.enterprises) == (12, 19)
    assert coverage.visits == 38
    assert coverage.follow_ups >= 5


def test_every_done_decision_has_its_task_closed_and_open_ones_run():
    decisions = Decision.objects.filter(meeting__status="held")
    assert decisions.exists()
    for decision in decisions.select_related("supervision_task"):
        task = decision.supervision_task
        assert (task.status == TaskStatus.CLOSED) == (decision.done_on is not None), decision


def test_the_zone_goes_on_to_today_with_late_urged_and_escalated_tasks():
    counts = task_counts(on=TODAY)
    assert counts.open >= 5
    assert counts.overdue >= 2 and counts.urged >= 2 and counts.escalated >= 1
    assert tasks_overdue(on=TODAY).exists()
    later = SupervisionTask.objects.filter(assigned_on__year=2025, title__endswith="（示例）")
    assert later.exists()


def test_2019_clears_8000_and_more_items_the_same_day_across_every_kind():
    """The article's "日清日结8000余件": every kind of work the apps declare, summed."""
    total = cleared_same_day_total(start=date(2019, 1, 1), end=date(2019, 12, 31))
    assert 8000 <= total < 9000


def test_no_task_of_the_articles_zone_is_still_open_years_later():
    still_open = SupervisionTask.objects.filter(assigned_on__lte=date(2020, 6, 30)).exclude(
        status=TaskStatus.CLOSED
    )
    assert not still_open.exists(), list(still_open.values_list("title", flat=True))


def test_the_chains_hold_the_articles_enterprises_and_projects_and_leave_gaps():
    from zoneops.demo import chains
    from zoneops.enterprises.models import Enterprise
    from zoneops.industry.models import ChainNode, IndustryChain
    from zoneops.projects.enums import PIPELINE, STAGE_ORDER, Stage

    assert set(IndustryChain.objects.values_list("name", flat=True)) >= {
        chains.AUTO_CHAIN,
        chains.MATERIALS_CHAIN,
    }
    assert IndustryChain.objects.get(name=chains.AUTO_CHAIN).managing_department.code == "zsj"
    nodes = {(n.chain.name, n.name): n for n in ChainNode.objects.select_related("chain")}
    for name in (
        "整车",
        "新能源汽车",
        "智能网联汽车",
        "关键零部件",
        "研发检测",
        "孵化",
        "汽车后市场",
    ):
        assert (chains.AUTO_CHAIN, name) in nodes, name
    for name in ("物流仓储", "服务贸易", "汽车金融"):
        assert nodes[(chains.AUTO_CHAIN, name)].segment == "support"
    assert nodes[(chains.AUTO_CHAIN, "动力系统")].parent.name == "关键零部件"
    whole = nodes[(chains.AUTO_CHAIN, "整车")]
    assert whole.enterprises.filter(name="北京现代沧州工厂").exists()
    on = {code: node for code, node in Project.objects.values_list("code", "chain_node__name")}
    assert on["DEMO-BHCZ"] == "整车" and on["DEMO-MBSHF"] == "汽车后市场"
    assert on["DEMO-JJJWL"] == "物流仓储" and on["DEMO-ZXWB"] == "5G微波陶瓷介电材料"
    assert on["DEMO-TAHJ"] == "钛合金" and on["DEMO-FHLJT"] == "氟化锂晶体"
    assert on["DEMO-BMZZ"] == "汽车零部件再制造"
    assert Enterprise.objects.filter(is_sample=True, chain_nodes__isnull=False).exists()
    signed_on = [s for s in PIPELINE if STAGE_ORDER[s] >= STAGE_ORDER[Stage.SIGNED]]
    for key in chains.GAPS:
        node = nodes[key]
        assert not node.enterprises.exists(), key
        assert not node.projects.filter(stage__in=signed_on).exists(), key


def test_parks_have_space_tenants_boundaries_and_occupancy_growing_since_2019(demo):
    from zoneops.demo.data import PARKS, ZSHK_PARK
    from zoneops.parks.geojson import boundary_normalise
    from zoneops.parks.models import Lease, Park, ParkPhase
    from zoneops.parks.selectors import park_occupancy_history, parks_occupancy

    parks = Park.objects.filter(name__in=[spec.name for spec in PARKS])
    assert parks.count() == len(PARKS) and not parks.filter(boundary__isnull=True).exists()
    for park in parks:
        assert boundary_normalise(park.boundary) == park.boundary  # valid as an upload would be
    zshk = parks.get(name=ZSHK_PARK)
    phases = {p.name: p.status for p in ParkPhase.objects.filter(park=zshk)}
    assert phases == {"一期": "building", "二期": "preparing", "三期": "preparing"}
    assert zshk.buildings.filter(phase__name="一期").count() == 17
    assert zshk.industries.filter(code="equipment").exists()
    auto = parks.get(name="汽车（新能源、智能网联）产业园")
    assert set(auto.industries.values_list("code", flat=True)) >= {"auto", "nev", "icv"}
    # Tenants: the enterprises registered in the park first.
    registered = set(auto.enterprises.values_list("pk", flat=True))
    tenants = set(Lease.objects.filter(unit__building__park=auto).values_list("tenant", flat=True))
    assert registered and registered <= tenants
    now = parks_occupancy(on=TODAY, parks=[auto.pk])[auto.pk]
    assert 60 <= now.rate <= 100 and now.units_free > 0
    history = {p.day: p.occupancy.rate for p in park_occupancy_history(park=auto, on=TODAY)}
    assert history[date(2019, 12, 31)] < history[date(2021, 12, 31)] < now.rate
    # Every carrier with units has tenants today.
    empty = [pk for pk, o in parks_occupancy(on=TODAY).items() if o.units and not o.units_leased]
    assert not empty, list(Park.objects.filter(pk__in=empty).values_list("name", flat=True))
    # (Loading twice creates nothing new: test_demo's test_loading_twice_creates_nothing_twice.)


def test_the_placement_table_counts_the_rule_and_the_articles_real_placements_as_overrides():
    overrides = placement_overrides()
    assert sorted(o.project.name for o in overrides) == sorted(
        [
            "中商高科·沧州产业园",
            "中商高科·沧州产业园（一期）",
            "中商高科·沧州产业园（二期）",
            "中商高科·沧州产业园（三期）",
            "军民两用航天科创产业园",
            "谷川联行产业园",
            "联合U谷产业园",
        ]
    )
    assert {o.reason for o in overrides} == {pipeline.ARTICLE_PLACEMENT}

    outcomes = placement_outcomes()
    assert outcomes.years[0] <= 2019 and outcomes.years[-1] == TODAY.year
    assert outcomes.total.overridden == overrides.exclude(project__stage=Stage.TERMINATED).count()
    # Every project but the funds (which need no site) and today's leads from the investment
    # hall (no site chosen yet) was placed through the rule.
    funds = Project.objects.filter(industry__code="fund").exclude(stage=Stage.TERMINATED)
    hall = Project.objects.filter(source_channel=SourceChannel.ONLINE_HALL, inquiry__isnull=False)
    assert hall.count() == 2
    assert outcomes.total.unplaced == funds.count() + hall.count()
    assert outcomes.total.followed > 200
    for row in outcomes.rows:
        assert row.followed + row.overridden + row.unplaced == row.total
    own_site = next(row for row in outcomes.carriers if row.key == 0)
    assert (
        own_site.placed
        == Project.objects.filter(own_site=True).exclude(stage=Stage.TERMINATED).count()
    )


def test_the_economy_reads_the_article_for_2019_and_goes_on_to_last_month():
    from zoneops.indicators.selectors import economy_overview

    def rows(year: int, month: int) -> dict:
        overview = economy_overview(year=year, month=month)
        return {row.indicator.code: row for row in overview.rows}

    article = rows(2019, 12)
    fiscal = article["CZSR"].month
    assert fiscal.value == Decimal("21.7") and fiscal.yoy == Decimal("30.24")
    revenue = article["ZYYWSR"]
    assert revenue.month.value > 1000  # 主营业务收入突破1000亿元, the enterprises' sum
    assert revenue.year.target == 1000 and revenue.year.completion() >= 100
    assert article["ZCCL"].month.value == Decimal("16.3")
    assert article["FDJCL"].month.value == Decimal("5.73")
    assert article["FDJCK"].month.value > Decimal("2.2")
    assert Decimal("47.7") < article["ZCLJCL"].month.value < Decimal("47.8")
    assert article["XDLJNS"].month.value > 20 and article["QCLJTZ"].month.value > 260
    # The zone's year goes on to November, the last month over on December 6th, with targets.
    now = rows(TODAY.year, 12)
    for code, row in now.items():
        assert row.month is not None and row.month.month == 11, code
        assert row.month.yoy is not None, code
    assert now["ZYYWSR"].year.target and now["CZSR"].year.target
    assert now["CZSR"].year.schedule(11) == Decimal("91.7")


def test_the_briefing_of_2019_writes_the_articles_pipeline_from_the_records():
    from zoneops.briefings.selectors import briefing_for

    briefing = briefing_for(year=2019, kind="year")
    assert briefing.title == "2019年工作简报"
    sections = {section.key: section for section in briefing.sections}
    assert sections["pipeline"].paragraphs[0].text == (
        "2019年，共洽谈项目111个，总投资445亿元。其中，竣工项目3个，总投资23亿元；"
        "续建项目21个，总投资54亿元；新开工项目27个，总投资61亿元；计划开工项目32个，"
        "总投资100亿元；深度在谈项目28个，总投资207亿元。"
    )
    # The key projects as the records hold them: the three the article names as completed.
    assert sections["pipeline"].paragraphs[1].text == (
        "2019年，省市重点项目10个，总投资61.16亿元，其中竣工投产3个，续建3个，新开工4个。"
    )
    assert "全部财政收入21.7亿元，同比增长30.24%" in sections["economy"].text
    for key in ("service", "approvals", "supervision"):
        assert key in sections
    # Every figure is the one its source gives: the pipeline's total is the summary's.
    count, investment = sections["pipeline"].paragraphs[0].figures[:2]
    summary = pipeline_summary(year=2019)
    assert count.value == summary.total.count == 111
    assert investment.value * 10000 == summary.total.investment
    assert all(figure.source and figure.query and figure.url for figure in briefing.figures)


# The article's passages with the figures a check must catch (seed/000_cab62732b62edae2.txt).
ARTICLE = (
    "在过去的2019年,沧州经济开发区奋发作为锐意进取,平稳推进高质量发展,主营业务收入突破1000亿元;"
    "实现全部财政收入21.7亿元,同比增长30.24%;北京现代沧州工厂作为京津冀协同发展国家战略下体量最大、"
    "质量最高的协同发展项目之一,目前整车产量已突破47.7万辆。\n"
    "2019年,共洽谈项目111个,总投资447亿元。其中,竣工项目3个,总投资23亿元;续建项目21个,"
    "总投资54亿元;新开工项目27个,总投资61亿元;计划开工项目32个,总投资100亿元;深度在谈项目28个,"
    "总投资207亿元,涵盖航空航天、新材料、智能网联汽车、人工智能与物联网、高端装备制造、医药物流等领域。\n"
    "在10个省、市重点项目中,竣工投产项目2个,续建项目3个,新开工项目5个,总投资61.16亿元。"
    "其中,省市双重点隆泰万通高端管道装备项目,以及瑞荣汽车CKD及轮胎组装机项目和海纳川沧州汽车零部件产业园"
    "两个市级项目,于2019年底已竣工投产。"
)


def test_the_figure_check_finds_what_the_article_gets_wrong():
    from zoneops.briefings.selectors import figure_check

    check = figure_check(text=ARTICLE)
    rows = {row.figure.text: row for row in check.rows}
    total = rows["447亿元"]
    assert total.status == "mismatch" and str(total.fact) == "445亿元"
    for text in ("111个", "21.7亿元", "30.24%", "突破1000亿元", "突破47.7万辆", "61.16亿元"):
        assert rows[text].status == "match", text
    assert rows["2个"].status == "mismatch" and str(rows["2个"].fact) == "3个"  # 竣工投产
    messages = [item.message for item in check.inconsistencies]
    assert len(messages) == 2
    assert "447亿元" in messages[0] and "合计应为445亿元" in messages[0]
    assert "竣工投产重点项目有3个" in messages[1] and "多于所述的2个" in messages[1]
    # The zone's own briefing, checked, agrees with itself everywhere.
    from zoneops.briefings.selectors import briefing_for

    own = briefing_for(year=2019, kind="year")
    again = figure_check(text="\n".join(section.text for section in own.sections))
    assert again.mismatching == 0 and again.unchecked == 0 and not again.inconsistencies


def test_the_cockpit_shows_the_living_zone_today():
    from django.urls import reverse

    from zoneops.cockpit.selectors import PANELS
    from zoneops.orgs.tests.factories import signed_in

    client = signed_in(User.objects.get(username="director"))
    for key in PANELS:
        answer = client.get(reverse("cockpit:panel", args=[key]))
        assert answer.status_code == 200, key
        assert "暂无数据" not in answer.content.decode(), key
    economy = client.get(reverse("cockpit:panel", args=["economy"])).content.decode()
    assert "2026年1-11月" in economy and "主营业务收入" in economy
    parks = client.get(reverse("cockpit:panel", args=["parks"])).content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in parks and "出租率" in parks
    # Overdue work by department: the same count as the approvals' own overdue list.
    from zoneops.approvals.selectors import overdue_cases
    from zoneops.cockpit.selectors import overdue_panel

    panel = overdue_panel(user=User.objects.get(username="director"), today=TODAY)
    cases = next(tile for tile in panel.tiles if tile.label == "办件")
    assert int(cases.value) == overdue_cases(on=TODAY).count() > 0


def test_the_bell_rings_in_the_living_zone(demo):
    from zoneops.notifications.enums import NoticeKind
    from zoneops.notifications.models import Notification
    from zoneops.notifications.services import remind

    assert demo.created["notifications"] > 0
    notices = Notification.objects.filter(day=TODAY)
    # Requests and problems keep arriving, some due this week, a few overdue by days.
    assert notices.filter(kind=NoticeKind.OVERDUE).exists()
    assert notices.filter(kind=NoticeKind.DUE_SOON).exists()
    assert notices.filter(recipient__username="qyfwj_staff").exists()
    # The day's reminders are in: `zoneops remind` the same day adds none.
    assert remind(on=TODAY).created == 0


def test_the_hall_shows_the_zones_policies_and_todays_inquiries_are_leads():
    from django.test import Client
    from django.utils import timezone

    from zoneops.portal.models import Inquiry, MeetingSlot

    with at(TODAY):
        home = Client().get("/")
        policies = Client().get("/hall/policies/").content.decode()
    assert home.status_code == 200
    figures = {figure.label: figure.value for figure in home.context["profile"].figures}
    assert int(figures["入驻企业"]) > 0 and int(figures["产业链招商机会"]) > 0
    assert home.context["news"]  # this year's signings and starts
    assert "汽车零部件及新材料企业入驻扶持办法" in policies
    assert "2019年度招商引资奖励办法" not in policies  # expired
    inquiries = list(
        Inquiry.objects.select_related("project__owner", "project__responsible_department")
    )
    assert len(inquiries) == 2
    for inquiry in inquiries:
        assert inquiry.project.source_channel == SourceChannel.ONLINE_HALL
        assert inquiry.project.stage == Stage.LEAD
        assert inquiry.project.responsible_department.code == "zsj"
        assert inquiry.project.owner is not None
        assert inquiry.limit_days == 1 and inquiry.due_on > TODAY  # the first-response clock
    # The 招商专员 offers online meetings on the next three working days, 10:00 and 15:00.
    slots = list(MeetingSlot.objects.order_by("starts_at"))
    assert len(slots) == 6
    assert all(timezone.localdate(slot.starts_at) > TODAY for slot in slots)
    assert {slot.officer.username for slot in slots} == {"zsj_staff"}

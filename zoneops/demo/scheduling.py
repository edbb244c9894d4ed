"""The demo zone's key-project scheduling (重点项目调度): for the 10 key projects of 2019, their
annual investment plans (2019, and 2020 while still building), milestone plans, a year of
monthly reports (2019-01 to 2019-12, and 2020-01 to 2020-06 for those still building), and
the six command headquarters (FACTS.md: "6 independent command headquarters").

The figures fit the projects' stages and totals (`zoneops.demo.pipeline`): a project reports
from the month it started until the month it went into production, and a completed project's
开工累计 reaches its total investment. On 2019-12-31 the lights come out mixed as a zone's
usually are: seven green, two yellow (京津冀整车智能物流中心, 海川数控机床) and one red
(韩国蔚山机电汽车天窗: 60% of its plan and the 设备安装 node overdue since 2019-11-29).

`load_scheduling` writes everything through the scheduling services, backdated to the dates
below; it finds records again by natural keys (project code + year, + node name, + month;
the HQ's name) and creates only what is missing.
"""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

from zoneops.demo import pipeline
from zoneops.demo.results import DemoResult
from zoneops.orgs.models import Department, User
from zoneops.projects.models import AnnualPlan, CommandHQ, Milestone, ProgressReport, Project
from zoneops.projects.services.scheduling import (
    annual_plan_set,
    command_hq_create,
    milestone_create,
    progress_report_save,
    progress_report_start,
    progress_report_submit,
)

OFFICER = "xmb_staff"  # 项目办的项目专员 keeps the plans and collects the monthly reports
HQ_CLERK = "admin"  # 党政办 records the command HQs the committee sets up

# Who answers for a node, by the department that owns it ("" = the project's own department).
PEOPLE = {
    "spj": "杨帆",
    "zrzyj": "高磊",
    "zjj": "韩冰",
    "qyfwj": "冯雪",
    "xmfw-1": "蒋涛",
    "xmfw-2": "沈阳",
    "xmfw-3": "韦东",
    "xmb": "陈静",
}
# The department that owns each kind of node.
NODE_DEPARTMENTS = {
    "项目备案": "spj",
    "土地摘牌": "zrzyj",
    "施工许可": "spj",
    "主体开工": "",
    "主体封顶": "zjj",
    "设备安装": "",
    "竣工验收": "zjj",
    "投产": "qyfwj",
}

# How a year's investment falls across the months: little in the northern winter and the
# Spring Festival; in 2020 almost nothing in February (新冠肺炎疫情), catching up from April.
WEIGHTS = {
    2019: {1: 3, 2: 2, 3: 7, 4: 9, 5: 10, 6: 10, 7: 10, 8: 10, 9: 10, 10: 10, 11: 8, 12: 6},
    2020: {1: 4, 2: 1, 3: 8, 4: 18, 5: 22, 6: 24},
}
AFTER_COMPLETION_WEIGHT = 2  # final payments after 竣工
SUBMITTED_DAY = 5  # 每月5日前报送上月调度
ZONE = ZoneInfo("Asia/Shanghai")

D = Decimal


def _d(text: str) -> date:
    return date.fromisoformat(text)


@dataclass(frozen=True)
class Node:
    name: str
    planned: date
    actual: date | None = None


@dataclass(frozen=True)
class KeySchedule:
    code: str
    before_2019: Decimal  # 开工累计 at the end of 2018 (万元)
    plans: tuple[tuple[int, Decimal], ...]  # (year, 年度计划投资)
    invested: tuple[tuple[int, Decimal], ...]  # (year, investment completed in the reports)
    first_month: date
    last_month: date
    nodes: tuple[Node, ...]
    problems: tuple[tuple[str, str], ...] = ()  # ("YYYY-MM", 存在问题)


def _nodes(*rows: tuple[str, str, str | None]) -> tuple[Node, ...]:
    return tuple(
        Node(name, _d(planned), _d(actual) if actual else None) for name, planned, actual in rows
    )


COVID = "受新冠肺炎疫情影响，外地施工人员返岗不足，部分建材供应延迟。"
COVID_MONTHS = (("2020-02", COVID), ("2020-03", COVID))

SCHEDULES: tuple[KeySchedule, ...] = (
    KeySchedule(
        "DEMO-LTWT",
        D(35000),
        ((2019, D(50000)),),
        ((2019, D(50000)),),
        _d("2019-01-01"),
        _d("2019-12-01"),
        _nodes(
            ("项目备案", "2017-10-31", "2017-10-25"),
            ("土地摘牌", "2017-12-31", "2017-12-20"),
            ("施工许可", "2018-04-10", "2018-04-08"),
            ("主体开工", "2018-04-20", "2018-04-16"),
            ("主体封顶", "2018-12-31", "2018-12-18"),
            ("设备安装", "2019-08-31", "2019-08-28"),
            ("竣工验收", "2019-10-31", "2019-10-28"),
            ("投产", "2019-12-31", "2019-12-16"),
        ),
    ),
    KeySchedule(
        "DEMO-RRCKD",
        D(15000),
        ((2019, D(20000)),),
        ((2019, D(20000)),),
        _d("2019-01-01"),
        _d("2019-10-01"),
        _nodes(
            ("项目备案", "2018-04-30", "2018-04-20"),
            ("土地摘牌", "2018-05-31", "2018-05-25"),
            ("施工许可", "2018-06-15", "2018-06-12"),
            ("主体开工", "2018-06-30", "2018-06-18"),
            ("主体封顶", "2019-03-31", "2019-03-22"),
            ("竣工验收", "2019-08-31", "2019-08-26"),
            ("投产", "2019-10-31", "2019-10-15"),
        ),
    ),
    KeySchedule(
        "DEMO-HNC",
        D(80000),
        ((2019, D(30000)),),
        ((2019, D(30000)),),
        _d("2019-01-01"),
        _d("2019-09-01"),
        _nodes(
            ("项目备案", "2017-07-31", "2017-07-20"),
            ("土地摘牌", "2017-08-31", "2017-08-28"),
            ("施工许可", "2017-10-10", "2017-10-09"),
            ("主体开工", "2017-10-31", "2017-10-16"),
            ("主体封顶", "2018-09-30", "2018-09-21"),
            ("设备安装", "2019-04-30", "2019-04-26"),
            ("竣工验收", "2019-06-30", "2019-06-24"),
            ("投产", "2019-09-30", "2019-09-02"),
        ),
    ),
    KeySchedule(
        "DEMO-ZSHK-1",
        D(0),
        ((2019, D(60000)), (2020, D(65000))),
        ((2019, D(55000)), (2020, D(26000))),
        _d("2019-04-01"),
        _d("2020-06-01"),
        _nodes(
            ("项目备案", "2018-10-31", "2018-10-26"),
            ("土地摘牌", "2018-12-31", "2018-12-21"),
            ("施工许可", "2019-04-15", "2019-04-12"),
            ("主体开工", "2019-04-30", "2019-04-22"),
            ("主体封顶", "2019-12-31", "2019-12-20"),
            ("设备安装", "2020-06-30", "2020-06-24"),
            ("竣工验收", "2020-10-31", None),
            ("投产", "2020-12-31", None),
        ),
        problems=COVID_MONTHS,
    ),
    KeySchedule(
        "DEMO-MBSHF",
        D(12000),
        ((2019, D(30000)), (2020, D(19500))),
        ((2019, D(28500)), (2020, D(8800))),
        _d("2019-01-01"),
        _d("2020-06-01"),
        _nodes(
            ("项目备案", "2018-05-31", "2018-05-18"),
            ("土地摘牌", "2018-07-31", "2018-07-26"),
            ("施工许可", "2018-09-10", "2018-09-07"),
            ("主体开工", "2018-09-30", "2018-09-17"),
            ("主体封顶", "2019-08-31", "2019-08-23"),
            ("设备安装", "2020-05-31", "2020-05-29"),
            ("竣工验收", "2020-09-30", None),
        ),
        problems=COVID_MONTHS,
    ),
    KeySchedule(
        "DEMO-JJJWL",
        D(0),
        ((2019, D(25000)), (2020, D(32500))),
        ((2019, D(19500)), (2020, D(12000))),
        _d("2019-05-01"),
        _d("2020-06-01"),
        _nodes(
            ("项目备案", "2019-02-28", "2019-02-22"),
            ("土地摘牌", "2019-03-31", "2019-03-29"),
            ("施工许可", "2019-05-15", "2019-05-14"),
            ("主体开工", "2019-05-31", "2019-05-20"),
            ("主体封顶", "2019-12-31", "2019-12-27"),
            ("竣工验收", "2020-08-31", None),
        ),
        problems=(
            ("2019-09", "智能分拨设备采购资金未及时到位，投资进度滞后。"),
            ("2019-10", "智能分拨设备采购资金未及时到位，投资进度滞后。"),
            ("2019-11", "企业正在办理项目贷款，设备采购合同尚未签订。"),
            ("2019-12", "企业正在办理项目贷款，设备采购合同尚未签订。"),
            *COVID_MONTHS,
        ),
    ),
    KeySchedule(
        "DEMO-XJ-01",
        D(30000),
        ((2019, D(12000)), (2020, D(3400))),
        ((2019, D(11600)), (2020, D(1800))),
        _d("2019-01-01"),
        _d("2020-06-01"),
        _nodes(
            ("项目备案", "2017-04-30", "2017-04-21"),
            ("土地摘牌", "2017-05-31", "2017-05-26"),
            ("施工许可", "2017-07-20", "2017-07-18"),
            ("主体开工", "2017-07-31", "2017-07-27"),
            ("主体封顶", "2018-06-30", "2018-06-22"),
            ("设备安装", "2019-09-30", "2019-09-20"),
            ("竣工验收", "2020-06-30", None),
        ),
        problems=COVID_MONTHS,
    ),
    KeySchedule(
        "DEMO-XJ-02",
        D(3600),
        ((2019, D(20000)), (2020, D(19800))),
        ((2019, D(15200)), (2020, D(7600))),
        _d("2019-01-01"),
        _d("2020-06-01"),
        _nodes(
            ("项目备案", "2018-09-30", "2018-09-14"),
            ("土地摘牌", "2018-10-31", "2018-10-26"),
            ("施工许可", "2018-11-15", "2018-11-13"),
            ("主体开工", "2018-11-30", "2018-11-19"),
            ("主体封顶", "2019-10-31", "2019-10-30"),
            ("设备安装", "2020-04-30", "2020-05-22"),
            ("竣工验收", "2020-10-31", None),
        ),
        problems=(
            ("2019-01", "冬季施工受限，钢结构构件进场推迟。"),
            ("2019-02", "冬季施工受限，钢结构构件进场推迟。"),
            ("2019-11", "数控机床进口设备订货周期长，设备款支付推迟到2020年。"),
            ("2019-12", "数控机床进口设备订货周期长，设备款支付推迟到2020年。"),
            *COVID_MONTHS,
        ),
    ),
    KeySchedule(
        "DEMO-XK-01",
        D(0),
        ((2019, D(18000)), (2020, D(19200))),
        ((2019, D(16800)), (2020, D(6900))),
        _d("2019-06-01"),
        _d("2020-06-01"),
        _nodes(
            ("项目备案", "2019-03-31", "2019-03-15"),
            ("土地摘牌", "2019-04-30", "2019-04-26"),
            ("施工许可", "2019-06-10", "2019-06-06"),
            ("主体开工", "2019-06-30", "2019-06-17"),
            ("主体封顶", "2019-12-31", "2019-12-18"),
            ("设备安装", "2020-06-30", None),
        ),
        problems=COVID_MONTHS,
    ),
    KeySchedule(
        "DEMO-XK-02",
        D(0),
        ((2019, D(15000)), (2020, D(21000))),
        ((2019, D(9000)), (2020, D(7000))),
        _d("2019-05-01"),
        _d("2020-06-01"),
        _nodes(
            ("项目备案", "2018-12-31", "2018-12-14"),
            ("土地摘牌", "2019-02-28", "2019-02-22"),
            ("施工许可", "2019-04-25", "2019-04-24"),
            ("主体开工", "2019-04-30", "2019-05-01"),
            ("主体封顶", "2019-09-30", "2019-09-27"),
            ("设备安装", "2019-11-29", "2020-04-27"),
            ("竣工验收", "2020-08-31", None),
            ("投产", "2020-10-31", None),
        ),
        problems=(
            ("2019-10", "天窗生产线进口设备在韩国制造商处延期交付。"),
            ("2019-11", "进口设备清关延误，设备安装未能按期完成。"),
            ("2019-12", "进口设备清关延误，设备安装未能按期完成；已提请包联领导协调海关。"),
            *COVID_MONTHS,
        ),
    ),
)


@dataclass(frozen=True)
class HQSpec:
    name: str
    commander: str  # username
    members: tuple[str, ...]
    projects: tuple[str, ...]  # project codes
    established_on: date
    duties: str


HQS: tuple[HQSpec, ...] = (
    HQSpec(
        "中商高科·沧州产业园建设指挥部",
        "director",
        ("leader3", "xmb_staff", "spj_staff"),
        ("DEMO-ZSHK", "DEMO-ZSHK-1", "DEMO-ZSHK-2", "DEMO-ZSHK-3"),
        _d("2019-02-18"),
        "统筹中商高科·沧州产业园一期建设和二、三期前期工作，协调规划、土地、审批和配套。",
    ),
    HQSpec(
        "海纳川汽车零部件产业园建设指挥部",
        "leader",
        ("director", "xmb_staff"),
        ("DEMO-HNC",),
        _d("2018-03-05"),
        "推进海纳川沧州汽车零部件产业园竣工投产，保障配套北京现代沧州工厂。",
    ),
    HQSpec(
        "隆泰万通高端管道装备项目建设指挥部",
        "leader3",
        ("director", "xmb_staff", "spj_staff"),
        ("DEMO-LTWT",),
        _d("2018-03-19"),
        "推进省市双重点隆泰万通高端管道装备项目建设，确保2019年底竣工投产。",
    ),
    HQSpec(
        "北京现代摩比斯后服务配套北方基地建设指挥部",
        "leader",
        ("zsj_head", "xmb_staff"),
        ("DEMO-MBSHF",),
        _d("2018-09-03"),
        "推进北京现代摩比斯后服务配套北方基地建设，延伸汽车后市场服务链条。",
    ),
    HQSpec(
        "京津冀整车智能物流中心建设指挥部",
        "director",
        ("leader", "zsj_staff", "xmb_staff"),
        ("DEMO-JJJWL",),
        _d("2019-04-08"),
        "推进京津冀整车智能物流中心开工建设和设备采购，协调项目融资。",
    ),
    HQSpec(
        "新材料产业园项目建设指挥部",
        "leader2",
        ("zsj_head", "zsj_staff", "xmb_staff"),
        ("DEMO-XK-01", "DEMO-YCTL", "DEMO-GGHC", "DEMO-LZJ"),
        _d("2019-05-06"),
        "推进新材料产业园重点项目落地和建设，打造高端新材料产业集聚区。",
    ),
)


def _months(first: date, last: date) -> list[date]:
    months = []
    month = first
    while month <= last:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def _month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def monthly_amounts(spec: KeySchedule, *, completed_on: date | None) -> dict[date, Decimal]:
    """Each reporting month's 本月完成投资 (whole 万元), the year's total spread by the weights."""
    amounts: dict[date, Decimal] = {}
    invested = dict(spec.invested)
    months = _months(spec.first_month, spec.last_month)
    for year, total in invested.items():
        in_year = [m for m in months if m.year == year]
        weights = [
            AFTER_COMPLETION_WEIGHT
            if completed_on is not None and m > completed_on
            else WEIGHTS.get(year, WEIGHTS[2019])[m.month]
            for m in in_year
        ]
        shares = [(total * w / sum(weights)).quantize(D(1)) for w in weights]
        shares[-1] += total - sum(shares)
        amounts.update(zip(in_year, shares, strict=True))
    return amounts


def report_texts(spec: KeySchedule, month: date) -> tuple[str, str, str]:
    """(形象进度, 存在问题, 下步计划) of a month, told from the milestone plan."""
    end = _month_end(month)
    done_now = [n.name for n in spec.nodes if n.actual and month <= n.actual <= end]
    ahead = [n for n in spec.nodes if n.actual is None or n.actual > end]
    parts = []
    if done_now:
        parts.append(f"本月完成{'、'.join(done_now)}")
    if ahead:
        following = ahead[0]
        parts.append(
            f"正在推进{following.name}（计划{following.planned.year}年{following.planned.month}月"
            f"{following.planned.day}日完成）"
        )
        next_steps = f"加快推进{following.name}，确保按节点计划完成。"
    else:
        parts.append("项目已竣工投产")
        next_steps = "做好投产后的达产达效服务。"
    problems = dict(spec.problems).get(f"{month:%Y-%m}", "")
    return "；".join(parts) + "。", problems, next_steps


@transaction.atomic
def load_scheduling(*, result: DemoResult) -> None:
    """Create whatever of the key projects' scheduling and the command HQs is missing."""
    codes = {spec.code for spec in SCHEDULES} | {c for hq in HQS for c in hq.projects}
    projects = {
        p.code: p
        for p in Project.objects.filter(code__in=codes).select_related("responsible_department")
    }
    usernames = {OFFICER, HQ_CLERK} | {u for hq in HQS for u in (hq.commander, *hq.members)}
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    departments = {d.code: d for d in Department.objects.filter(code__in=PEOPLE)}
    officer = users.get(OFFICER)
    for spec in SCHEDULES:
        project = projects.get(spec.code)
        if project is None:  # someone removed it: nothing to schedule
            continue
        _load_plans(spec, project, officer, result)
        _load_milestones(spec, project, officer, departments, result)
        _load_reports(spec, project, officer, result)
    _load_hqs(projects, users, result)


def _load_plans(spec: KeySchedule, project: Project, by: Any, result: DemoResult) -> None:
    have = set(AnnualPlan.objects.filter(project=project).values_list("year", flat=True))
    for year, amount in spec.plans:
        if year in have:
            continue
        annual_plan_set(
            project=project,
            year=year,
            planned_investment=amount,
            note=_plan_note(spec, year),
            by=by,
        )
        result.created["annual_plans"] += 1


def _plan_note(spec: KeySchedule, year: int) -> str:
    targets = [n.name for n in spec.nodes if n.planned.year == year]
    return f"年内完成{'、'.join(targets)}" if targets else ""


def _load_milestones(
    spec: KeySchedule,
    project: Project,
    by: Any,
    departments: dict[str, Department],
    result: DemoResult,
) -> None:
    have = set(Milestone.objects.filter(project=project).values_list("name", flat=True))
    own = project.responsible_department.code if project.responsible_department else "xmb"
    for order, node in enumerate(spec.nodes, start=1):
        if node.name in have:
            continue
        code = NODE_DEPARTMENTS.get(node.name) or own
        milestone_create(
            project=project,
            name=node.name,
            planned_on=node.planned,
            actual_on=node.actual,
            responsible_department=departments.get(code),
            responsible_person=PEOPLE.get(code, ""),
            order=order,
            by=by,
        )
        result.created["milestones"] += 1


def _load_reports(spec: KeySchedule, project: Project, by: Any, result: DemoResult) -> None:
    have = set(ProgressReport.objects.filter(project=project).values_list("month", flat=True))
    amounts = monthly_amounts(spec, completed_on=project.completed_on)
    for index, month in enumerate(_months(spec.first_month, spec.last_month)):
        if month in have:
            continue
        first_ever = index == 0 and not have
        report = progress_report_start(
            project=project,
            month=month,
            by=by,
            opening_total=spec.before_2019 if first_ever else None,
        )
        progress, problems, next_steps = report_texts(spec, month)
        report = progress_report_save(
            report=report,
            invested_month=amounts[month],
            progress=progress,
            problems=problems,
            next_steps=next_steps,
            by=by,
            expected_version=report.version,
        )
        progress_report_submit(
            report=report,
            by=by,
            at=_submitted_at(month),
            backdate_reason=pipeline.BACKDATE_REASON,
        )
        result.created["progress_reports"] += 1


def _submitted_at(month: date) -> datetime:
    """Reports are due by the 5th of the next month; the project office sends them that day."""
    day = _month_end(month) + timedelta(days=SUBMITTED_DAY)
    return datetime.combine(day, time(16, 30), tzinfo=ZONE)


def _load_hqs(projects: dict[str, Project], users: dict[str, User], result: DemoResult) -> None:
    have = set(
        CommandHQ.objects.filter(name__in=[hq.name for hq in HQS]).values_list("name", flat=True)
    )
    for spec in HQS:
        if spec.name in have or spec.commander not in users:
            continue
        command_hq_create(
            name=spec.name,
            commander=users[spec.commander],
            members=[users[u] for u in spec.members if u in users],
            projects=[projects[c] for c in spec.projects if c in projects],
            established_on=spec.established_on,
            duties=spec.duties,
            by=users.get(HQ_CLERK),
        )
        result.created["command_hqs"] += 1

"""The demo zone goes on from mid-2020 to the day it is loaded (`today`, read once by the
`demo` command and passed down).

The article's zone (`pipeline`, `scheduling`, `problems`, `requests`, `meetings`) stops at
`problems.AS_OF`, 2020-06-30. From the day after, the zone is generated: the projects of 2020
move on and new leads arrive every month; the year's key projects get plans, milestones and
monthly reports up to last month; requests and problems keep arriving; the 周对接, 月例会 and
季观摩 keep their cadence. Nothing here is dated on or before AS_OF, so 2019 and the first half
of 2020 read as before.

Deterministic: each month, project and year draws from its own `random.Random`, seeded by what
it is (`_rng("requests", 2023, 5)`), never by the load date; the load date only says where the
story stops — a step after `today` has not happened yet, which is what leaves the last weeks'
requests and problems open. The same day gives the same zone, and a later day the same past.
A small batch of this week's work (`_current_*`) is drawn from the load date itself, so that
every day there are requests due within the week and a few overdue by days.

Every record is marked as sample the way the article's zone marks them: projects by
`is_sample` and "（示例）" at the end of the name, requests of a named enterprise, problems and
meetings by "（示例）" at the end of the title, stage moves and reports by their backdate reason
and their text. Written through the services, so events, history and clocks are right.
"""

import random
from dataclasses import dataclass, replace
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction

from zoneops.common.periods import month_before
from zoneops.common.workcalendar import add_working_days, calendar_pinned
from zoneops.demo import meetings as demo_meetings
from zoneops.demo import pipeline, problems, requests, scheduling
from zoneops.demo.results import DemoResult
from zoneops.demo.supervision import decision_finish
from zoneops.enterprises.enums import RequestKind, RequestStatus
from zoneops.enterprises.models import EnterpriseRequest, PlanMeasure
from zoneops.enterprises.services.plans import measure_complete
from zoneops.enterprises.services.requests import (
    request_accept,
    request_answer,
    request_rate,
)
from zoneops.meetings.enums import MeetingKind
from zoneops.meetings.models import Decision
from zoneops.orgs.models import User
from zoneops.projects.enums import (
    STAGE_ORDER,
    BlockerKind,
    BlockerTopic,
    KeyLevel,
    SourceChannel,
    Stage,
)
from zoneops.projects.models import Milestone, Problem, Project
from zoneops.projects.services import project_move_stage
from zoneops.projects.services.pipeline import project_set_key_levels
from zoneops.projects.services.problems import problem_resolve
from zoneops.projects.services.scheduling import milestone_complete

AS_OF = problems.AS_OF  # the article's zone ends here
FIRST_DAY = AS_OF + timedelta(days=1)
BACKDATE_REASON = "演示数据：示例续写（2020年7月以后）"
SAMPLE = pipeline.SAMPLE_SUFFIX
SAMPLE_NOTE = "演示用示例项目：2020年下半年以后按开发区常见节奏生成，名称、投资方和金额均为虚构。"

S, T, DT, SG, PS, ST, CP, IP = pipeline.S, pipeline.T, pipeline.DT, pipeline.SG, *pipeline.LATER
X = Stage.TERMINATED
NEXT = {S: T, T: DT, DT: SG, SG: PS, PS: ST, ST: CP, CP: IP}
# Days a project stays in a stage before its next move, and the chance it is dropped there.
STAY = {S: (20, 90), T: (45, 180), DT: (60, 240), SG: (30, 120), PS: (45, 200), ST: (300, 720)}
STAY[CP] = (20, 100)
DROP = {S: 0.3, T: 0.2, DT: 0.12, SG: 0.05, PS: 0.03}
DROP_REASONS = (
    "投资方战略调整，项目暂缓实施",
    "用地指标未落实，企业另行选址",
    "融资未到位，企业放弃投资",
    "受市场变化影响，投资方终止合作",
    "项目环评要求未能满足，不予引进",
)
# The industries new leads come in, as often as they come (the zone's two lead industries most).
INDUSTRY_MIX = (
    ("auto",) * 5
    + ("new-materials",) * 3
    + ("nev", "icv", "aerospace", "aiot", "electronics", "equipment", "equipment")
    + ("biomedicine", "pharma-logistics", "logistics", "rnd")
)
AMOUNTS = (3000, 5000, 8000, 10000, 12000, 15000, 20000, 25000, 30000, 50000, 80000, 120000)
LEADS_PER_MONTH = (1, 3)
KEY_PER_YEAR = 8


def _rng(*parts: object) -> random.Random:
    return random.Random("zoneops-demo-living-" + "-".join(map(str, parts)))  # noqa: S311


def _workday(day: date) -> date:
    return pipeline._weekday(day)


def _months(first: date, last: date) -> list[date]:
    return scheduling._months(date(first.year, first.month, 1), date(last.year, last.month, 1))


# --- Projects -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Story:
    """A project's whole planned life after AS_OF (uncut); the load keeps what has happened."""

    code: str
    name: str
    investment: Decimal
    moves: tuple[tuple[Stage, date], ...]  # every move, including those before AS_OF
    reason: str = ""

    def on(self, stage: Stage) -> date | None:
        return next((day for s, day in self.moves if s == stage), None)

    def stage_on(self, day: date) -> Stage | None:
        reached = [s for s, on in self.moves if on <= day]
        return reached[-1] if reached else None


def _go_on(
    moves: tuple[tuple[Stage, date], ...], rng: random.Random
) -> tuple[tuple[tuple[Stage, date], ...], str]:
    """The moves after the last one given, until production or a drop; none before FIRST_DAY."""
    stage, on = moves[-1]
    added: list[tuple[Stage, date]] = []
    reason = ""
    while stage in NEXT:
        low, high = STAY[stage]
        day = _workday(max(on + timedelta(days=rng.randint(low, high)), FIRST_DAY))
        if rng.random() < DROP.get(stage, 0):
            added.append((X, day))
            reason = rng.choice(DROP_REASONS)
            break
        stage, on = NEXT[stage], day
        if stage == PS and rng.random() < 0.4:  # many go from signing straight to the start
            stage = ST
        added.append((stage, on))
    return tuple(added), reason


def _cut(moves: tuple[tuple[Stage, date], ...], today: date) -> tuple[tuple[Stage, date], ...]:
    return tuple((stage, on) for stage, on in moves if on <= today)


def _new_specs() -> list[tuple[date, pipeline.ProjectSpec, str]]:
    """Every lead of the later years, month by month from FIRST_DAY, whole lives (uncut)."""
    namer = pipeline._Namer()
    namer.used.update(spec.name for spec in pipeline.PROJECTS)
    specs = []
    month = FIRST_DAY
    last = date(2100, 1, 1)
    while month < last:
        rng = _rng("leads", month.year, month.month)
        for index in range(rng.randint(*LEADS_PER_MONTH)):
            industry = rng.choice(INDUSTRY_MIX)
            country = "韩国" if industry == "auto" and rng.random() < 0.2 else "中国"
            name, investor = namer.name(industry, country)
            registered = _workday(month + timedelta(days=rng.randint(0, 24)))
            first = (S if rng.random() < 0.6 else T, registered)
            later, reason = _go_on((first,), rng)
            amount = Decimal(rng.choice(AMOUNTS))
            spec = pipeline.ProjectSpec(
                f"DEMO-{month:%Y%m}-{index + 1:02d}",
                name,
                industry,
                amount,
                (first, *later),
                investor=investor,
                country=country,
                source=rng.choice((*pipeline.SOURCES, SourceChannel.ONLINE_HALL)),
                placed=False,
                description=SAMPLE_NOTE,
                is_sample=True,
                termination_reason=reason,
            )
            if amount >= 20000 and industry not in ("logistics", "pharma-logistics"):
                leader = _leader(industry)
                spec = replace(spec, leader=leader, department=pipeline.LEADER_DEPARTMENTS[leader])
            specs.append((registered, spec, reason))
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        if month > date(2060, 1, 1):
            break
    return specs


def _leader(industry: str) -> str:
    """The liaison leader of a large project, by industry (as `pipeline._with_liaison`)."""
    if industry in ("auto", "icv", "nev", "logistics"):
        return "leader"
    if industry in ("new-materials", "aerospace", "electronics", "aiot", "rnd"):
        return "leader2"
    return "leader3"


_NEW: list[tuple[date, pipeline.ProjectSpec, str]] = []


def _all_new() -> list[tuple[date, pipeline.ProjectSpec, str]]:
    if not _NEW:
        _NEW.extend(_new_specs())
    return _NEW


def new_projects(*, today: date) -> tuple[pipeline.ProjectSpec, ...]:
    """The leads registered after AS_OF up to `today`, each with the moves made by then."""
    return tuple(
        replace(spec, moves=_cut(spec.moves, today))
        for registered, spec, _reason in _all_new()
        if registered <= today
    )


def stories(*, today: date) -> dict[str, Story]:
    """Every project's whole life, by code: the article's projects go on after AS_OF."""
    result = {}
    for spec in pipeline.PROJECTS:
        later, reason = _go_on(spec.moves, _rng("moves", spec.code))
        result[spec.code] = Story(spec.code, spec.name, spec.investment, spec.moves + later, reason)
    for registered, spec, reason in _all_new():
        if registered <= today:
            result[spec.code] = Story(spec.code, spec.name, spec.investment, spec.moves, reason)
    return result


def _move_on(
    stories_by_code: dict[str, Story], *, today: date, by: User, result: DemoResult
) -> None:
    """The article's projects take the moves they made after AS_OF, up to today."""
    codes = [spec.code for spec in pipeline.PROJECTS]
    for project in Project.objects.filter(code__in=codes).order_by("code"):
        story = stories_by_code[project.code]
        for stage, on in _cut(story.moves, today):
            current = Stage(project.stage)
            if on <= AS_OF or on < project.stage_since or current == X:
                continue
            if stage != X and STAGE_ORDER[stage] <= STAGE_ORDER[current]:
                continue
            project_move_stage(
                project=project,
                to_stage=stage,
                on=on,
                by=by,
                backdate_reason=BACKDATE_REASON,
                reason=story.reason if stage == X else "",
            )
            project.stage, project.stage_since = stage, on
            result.created["stage_moves"] += 1


# --- Key projects: plans, milestones and monthly reports -------------------------------------

GREEN, YELLOW, RED = "green", "yellow", "red"
# The lights of the year's key projects, by their rank: mostly green, some yellow, one red.
LIGHTS = (GREEN, GREEN, YELLOW, GREEN, GREEN, RED, GREEN, YELLOW)


def _key_codes(stories_by_code: dict[str, Story], *, year: int, today: date) -> list[str]:
    """The year's key projects: the largest building in it (started by its end, or by today)."""
    end = min(date(year, 12, 31), today)
    first = date(year, 1, 1)
    building = []
    for story in stories_by_code.values():
        started, produced, dropped = story.on(ST), story.on(IP), story.on(X)
        if started is None or started > end or dropped is not None:
            continue
        if (produced is not None and produced < first) or story.investment < 10000:
            continue
        building.append(story)
    building.sort(key=lambda s: (-s.investment, s.code))
    return [s.code for s in building[:KEY_PER_YEAR]]


def _levels(index: int) -> list[str]:
    if index < 2:
        return [KeyLevel.PROVINCE, KeyLevel.CITY]
    return [KeyLevel.CITY] if index < 5 else [KeyLevel.DISTRICT]


def _schedule(
    story: Story, *, year: int, today: date, opening: Decimal, index: int
) -> scheduling.KeySchedule | None:
    """The year's plan, nodes and reports of a key project; the light of this year comes out
    mostly green, some yellow, a few red (a node overdue by some days)."""
    rng = _rng("key", story.code, year)
    started, completed, produced = story.on(ST), story.on(CP), story.on(IP)
    assert started is not None
    plan = (story.investment * Decimal(rng.uniform(0.25, 0.45)) / 100).quantize(Decimal(1)) * 100
    first = max(date(year, 1, 1), started.replace(day=1))
    last = min(date(year, 12, 1), month_before(today))
    if produced is not None:
        last = min(last, produced.replace(day=1))
    light = LIGHTS[index % len(LIGHTS)]
    if year < today.year or not (first <= last):
        invested = plan * Decimal(rng.uniform(0.9, 1.05))
    else:
        # A project in production by last month has spent its plan; the others keep pace.
        share = (
            Decimal(1) if produced is not None and produced < today else Decimal(last.month) / 12
        )
        behind = {GREEN: Decimal(0), YELLOW: Decimal("0.18"), RED: Decimal("0.36")}[light]
        invested = plan * max(share - behind, share / 3)
    nodes = [scheduling.Node("主体开工", started, started)]
    topped = started + timedelta(days=rng.randint(150, 260))
    nodes.append(_node("主体封顶", topped, today, rng))
    if light == RED and year == today.year and last >= first:
        late = today - timedelta(days=rng.randint(8, 40))
        nodes.append(scheduling.Node("设备安装", max(late, started + timedelta(days=30)), None))
    for name, day in (("竣工验收", completed), ("投产", produced)):
        if day is not None:
            nodes.append(_node(name, day, today, rng))
    if not (first <= last):
        return scheduling.KeySchedule(story.code, opening, ((year, plan),), (), first, first, ())
    return scheduling.KeySchedule(
        story.code,
        opening,
        ((year, plan),),
        ((year, invested.quantize(Decimal(1))),),
        first,
        last,
        tuple(nodes),
    )


def _node(name: str, planned: date, today: date, rng: random.Random) -> scheduling.Node:
    """A node reached a few days either side of its plan; one planned after today is ahead."""
    actual = min(planned + timedelta(days=rng.randint(-10, 8)), today - timedelta(days=1))
    return scheduling.Node(name, planned, actual if planned < today else None)


def _load_key_projects(
    stories_by_code: dict[str, Story], *, today: date, result: DemoResult
) -> None:
    officer = User.objects.get(username=scheduling.OFFICER)
    departments = {
        d.code: d for d in scheduling.Department.objects.filter(code__in=scheduling.PEOPLE)
    }
    for year in range(FIRST_DAY.year + 1, today.year + 1):
        codes = _key_codes(stories_by_code, year=year, today=today)
        projects = {
            p.code: p
            for p in Project.objects.filter(code__in=codes).select_related("responsible_department")
        }
        reported = set(
            scheduling.ProgressReport.objects.filter(project__code__in=codes).values_list(
                "project__code", flat=True
            )
        )
        for index, code in enumerate(codes):
            project = projects.get(code)
            if project is None:
                continue
            project_set_key_levels(project=project, year=year, levels=_levels(index))
            story = stories_by_code[code]
            started = story.on(ST)
            assert started is not None
            opening = Decimal(0)
            if code not in reported and started.year < year:
                opening = (story.investment * Decimal("0.3")).quantize(Decimal(1))
            spec = _schedule(story, year=year, today=today, opening=opening, index=index)
            if spec is None:
                continue
            scheduling._load_plans(spec, project, officer, result)
            scheduling._load_milestones(spec, project, officer, departments, result)
            if spec.invested:
                scheduling._load_reports(spec, project, officer, result)
                reported.add(code)


# --- The article's open ends: settled in the second half of 2020 ------------------------------


def _settle_2020(*, today: date, result: DemoResult) -> None:
    """What was still open on AS_OF is done in July–September 2020, so no page shows a request
    or a node overdue by years."""
    desk = User.objects.get(username=requests.DESK)
    officer = User.objects.get(username=problems.OFFICE)
    running = (RequestStatus.ACCEPTED, RequestStatus.IN_PROGRESS)
    desk_department = scheduling.Department.objects.get(code="qyfwj")
    with calendar_pinned():
        for request in EnterpriseRequest.objects.filter(filed_on__lte=AS_OF).exclude(
            status__in=(RequestStatus.RATED, RequestStatus.RETURNED)
        ):
            if request.status == RequestStatus.SUBMITTED:
                request = request_accept(
                    request=request, department=desk_department, by=desk, on=date(2020, 7, 1)
                )
            if request.status in running:
                request = request_answer(
                    request=request,
                    answer="已协调有关部门办结，并向企业当面答复。",
                    by=desk,
                    on=date(2020, 7, 8),
                )
            if request.status == RequestStatus.ANSWERED:
                request_rate(
                    request=request, score=4, comment="问题已解决。", by=desk, on=date(2020, 7, 15)
                )
                result.created["settled"] += 1
        for problem in Problem.objects.filter(routed_on__lte=AS_OF).exclude(
            status=Problem.Status.RESOLVED
        ):
            problem_resolve(
                problem=problem,
                resolution="经包联领导协调，问题已解决，项目按计划推进。",
                on=date(2020, 8, 14),
                by=officer,
            )
            result.created["settled"] += 1
    for milestone in Milestone.objects.filter(
        actual_on__isnull=True, planned_on__lt=date(2021, 1, 1)
    ):
        day = min(milestone.planned_on + timedelta(days=12), today)
        milestone_complete(milestone=milestone, actual_on=max(day, FIRST_DAY), by=officer)
        result.created["settled"] += 1
    for decision in Decision.objects.filter(done_on__isnull=True, due_on__lt=date(2021, 1, 1)):
        decision_finish(
            decision=decision,
            done_on=max(decision.due_on - timedelta(days=3), FIRST_DAY),
            by=officer,
        )
        result.created["settled"] += 1
    for measure in PlanMeasure.objects.filter(done_on__isnull=True, due_on__lt=date(2021, 1, 1)):
        measure_complete(
            measure=measure,
            result="已按一企一策方案落实。",
            by=desk,
            on=max(measure.due_on, FIRST_DAY),
        )
        result.created["settled"] += 1


# --- Requests and problems keep arriving ------------------------------------------------------

REQUESTS_PER_MONTH = (3, 6)
PROBLEMS_PER_MONTH = (0, 2)


def _request_specs(*, today: date) -> tuple[requests.RequestSpec, ...]:
    """Each month's routine requests (the article's templates, filed by firms that fit them),
    answered and rated as the routine ones of 2019-2020 are; plus this week's (`_current`)."""
    pool = requests.routine_pool()
    tagged = [(spec, requests._tags(spec)) for spec in pool]
    specs: list[requests.RequestSpec] = []
    index = 0
    for month in _months(FIRST_DAY, today):
        rng = _rng("requests", month.year, month.month)
        for _ in range(rng.randint(*REQUESTS_PER_MONTH)):
            template = rng.choice(requests.TEMPLATES)
            fits = [spec for spec, tags in tagged if template.who in tags] or list(pool)
            firm = rng.choice(fits)
            day = _workday(month + timedelta(days=rng.randint(0, 26)))
            index += 1
            if requests._first_working_day(day) > today:
                continue
            specs.append(
                requests.RequestSpec(
                    firm.name,
                    _title(template.title, month, sample=not firm.is_sample),
                    template.kind,
                    template.category,
                    template.topic,
                    template.department,
                    day,
                    template.description,
                    channel=rng.choice(requests.CHANNELS),
                    steps=requests._routine_steps(template.kind, index, template),
                    accept_after=0 if index % 5 == 0 else 1,
                )
            )
    return tuple(_unique(specs + list(_current_requests(today=today, pool=tagged))))


def _title(title: str, month: date, *, sample: bool) -> str:
    return f"{title}（{month.year}年{month.month}月）{SAMPLE if sample else ''}"


def _mark(firm: Any) -> str:
    """A named firm's request says it is a sample; a generated firm's name says it already."""
    return "" if firm.is_sample else SAMPLE


def _unique(specs: list[Any]) -> list[Any]:
    seen: set[tuple[str, str]] = set()
    kept = []
    for spec in specs:
        key = (getattr(spec, "enterprise", None) or spec.project, spec.title)
        if key not in seen:
            seen.add(key)
            kept.append(spec)
    return kept


def _current_requests(*, today: date, pool: list[Any]) -> list[requests.RequestSpec]:
    """This week's: drawn from the load date. Two filed a few days ago and due within the
    week, one overdue by some working days, one waiting for acceptance."""
    rng = _rng("current-requests", today.isoformat())
    help_templates = [t for t in requests.TEMPLATES if t.kind == RequestKind.HELP]
    rows = ((3, 40), (4, 40), (16, 40), (1, 0))  # (days ago, the answer's working day)
    specs = []
    for days_ago, answer_day in rows:
        template = rng.choice(help_templates)
        firm = rng.choice([spec for spec, tags in pool if template.who in tags])
        filed = today - timedelta(days=days_ago)
        steps = (
            requests.Step(requests.START, 0),
            requests.Step(requests.ANSWER, answer_day, "已办结。"),
        )
        specs.append(
            requests.RequestSpec(
                firm.name,
                f"{template.title}（{filed.month}月{filed.day}日）{_mark(firm)}",
                template.kind,
                template.category,
                template.topic,
                template.department if answer_day else None,
                filed,
                template.description,
                channel=requests.LIAISON,
                steps=steps if answer_day else (),
                accept_after=1,
            )
        )
    return [s for s in specs if requests._first_working_day(s.filed_on) <= today]


@dataclass(frozen=True)
class ProblemTemplate:
    title: str
    kind: BlockerKind
    topic: BlockerTopic
    department: str
    limit_days: int
    description: str
    note: str
    resolution: str


PROBLEM_TEMPLATES = (
    ProblemTemplate(
        "施工用电增容",
        BlockerKind.BOTTLENECK,
        BlockerTopic.UTILITIES,
        "zjj",
        15,
        "项目进入设备调试阶段，施工临时用电容量不足，需供电公司增容。",
        "已与供电公司现场踏勘，增容方案正在编制。",
        "供电公司完成增容改造，满足设备调试用电。",
    ),
    ProblemTemplate(
        "竣工验收前规划核实",
        BlockerKind.BOTTLENECK,
        BlockerTopic.APPROVALS,
        "zrzyj",
        10,
        "项目主体完工，需办理规划条件核实，企业材料准备不全。",
        "已一次性告知所需材料，企业正在补充测绘报告。",
        "规划条件核实已办结，可进入竣工联合验收。",
    ),
    ProblemTemplate(
        "项目贷款审批进度慢",
        BlockerKind.PAIN_POINT,
        BlockerTopic.FINANCE,
        "czj",
        20,
        "项目固定资产贷款审批进度慢，设备采购资金紧张。",
        "已组织银企对接会，两家银行正在审查。",
        "银行完成授信审批，首笔贷款已发放。",
    ),
    ProblemTemplate(
        "技术工人招聘困难",
        BlockerKind.PAIN_POINT,
        BlockerTopic.LABOUR,
        "qyfwj",
        20,
        "项目投产在即，数控和焊接技术工人缺口较大。",
        "已举办专场招聘会，并对接职业院校订单培养。",
        "专场招聘和校企合作补齐技术工人缺口。",
    ),
    ProblemTemplate(
        "厂区外配套道路未贯通",
        BlockerKind.HARD_PROBLEM,
        BlockerTopic.LAND,
        "zjj",
        30,
        "厂区南侧规划道路未贯通，大型设备运输车辆无法进场。",
        "道路征地已完成，正在施工。",
        "配套道路已贯通，大型设备顺利进场。",
    ),
    ProblemTemplate(
        "施工许可办理",
        BlockerKind.BOTTLENECK,
        BlockerTopic.APPROVALS,
        "spj",
        5,
        "项目计划近期开工，需尽快取得施工许可证。",
        "容缺受理，图审意见同步整改。",
        "全程网办核发施工许可证。",
    ),
)


def _problem_specs(
    stories_by_code: dict[str, Story], *, today: date
) -> tuple[problems.ProblemSpec, ...]:
    """Each month's problems of projects building then, resolved as most are (on time, one in
    eight late); a step after today has not happened. Plus this week's (`_current_problems`)."""
    specs = []
    for month in _months(FIRST_DAY, today):
        rng = _rng("problems", month.year, month.month)
        end = month + timedelta(days=27)
        building = sorted(
            code for code, story in stories_by_code.items() if story.stage_on(end) == ST
        )
        for _ in range(rng.randint(*PROBLEMS_PER_MONTH)):
            if not building:
                break
            code = rng.choice(building)
            template = rng.choice(PROBLEM_TEMPLATES)
            routed = _workday(month + timedelta(days=rng.randint(0, 24)))
            late = rng.random() < 0.125
            done = (
                template.limit_days + rng.randint(1, 6)
                if late
                else rng.randint(1, template.limit_days)
            )
            if routed > today:
                continue
            specs.append(_problem(code, template, routed, month, done))
    specs += _current_problems(stories_by_code, today=today)
    return tuple(_unique(specs))


def _problem(
    code: str, template: ProblemTemplate, routed: date, month: date, done: int
) -> problems.ProblemSpec:
    resolved = add_working_days(routed, done).date
    noted = add_working_days(routed, max(1, done // 2)).date
    return problems.ProblemSpec(
        code,
        f"{template.title}（{month.year}年{month.month}月）{SAMPLE}",
        template.kind,
        template.topic,
        template.department,
        template.limit_days,
        routed,
        template.description,
        (
            problems.Step(problems.NOTE, noted, template.note),
            problems.Step(problems.RESOLVE, resolved, template.resolution),
        ),
    )


def _current_problems(
    stories_by_code: dict[str, Story], *, today: date
) -> list[problems.ProblemSpec]:
    """One routed a few days ago and due within the week, one overdue by some days."""
    rng = _rng("current-problems", today.isoformat())
    building = sorted(c for c, s in stories_by_code.items() if s.stage_on(today) == ST)
    if not building:
        return []
    quick = next(t for t in PROBLEM_TEMPLATES if t.limit_days == 5)
    slow = next(t for t in PROBLEM_TEMPLATES if t.limit_days == 15)
    rows = ((quick, today - timedelta(days=4)), (slow, today - timedelta(days=28)))
    specs = []
    for template, routed in rows:
        routed = _workday(routed) if _workday(routed) <= today else routed - timedelta(days=2)
        spec = _problem(rng.choice(building), template, routed, routed, 60)
        specs.append(replace(spec, title=spec.title.replace("年", "年当周", 1)))
    return specs


# --- Meetings keep their cadence ----------------------------------------------------------------

WEEKLY_WEEKS = 26  # the weekly dockings of the last half year (older ones add nothing to a page)
DECISIONS = (
    ("项目办督促在建重点项目按月报送调度数据，确保序时进度", "xmb"),
    ("自然资源和规划局加快重点项目用地组卷报批", "zrzyj"),
    ("住房和城乡建设局做好重点项目竣工联合验收服务", "zjj"),
    ("招商局梳理在谈项目，推动早签约、早落地", "zsj"),
    ("企业服务局对逾期诉求逐件督办，按期答复企业", "qyfwj"),
)


def _decision(rng: random.Random, held: date, today: date) -> demo_meetings.DecisionSpec:
    text, department = rng.choice(DECISIONS)
    due = held + timedelta(days=rng.randint(7, 21))
    done = due - timedelta(days=rng.randint(0, 4))
    return demo_meetings.DecisionSpec(
        text, department, due, done_on=done if max(done, held) <= today else None
    )


def _meeting_specs(
    stories_by_code: dict[str, Story], *, today: date
) -> tuple[demo_meetings.MeetingSpec, ...]:
    specs = []
    for month in _months(FIRST_DAY, today):
        rng = _rng("meetings", month.year, month.month)
        label = f"{month.year}年{month.month}月"
        held = _workday(month.replace(day=26))
        if held <= today:
            specs.append(
                demo_meetings._monthly(label, held.isoformat(), _decision(rng, held, today))
            )
        if month.month % 3 == 0:
            tour = _workday(month.replace(day=18))
            if tour <= today:
                quarter = ("第一季度", "第二季度", "第三季度", "第四季度")[month.month // 3 - 1]
                codes = _key_codes(stories_by_code, year=month.year, today=tour)
                specs.append(
                    replace(
                        demo_meetings._tour(quarter, tour.isoformat(), _decision(rng, tour, today)),
                        title=f"{month.year}年{quarter}重点项目观摩{SAMPLE}",
                        items=tuple(
                            (f"观摩：{stories_by_code[c].name}", c)
                            for c in codes
                            if stories_by_code[c].stage_on(tour) in (ST, CP, IP)
                        ),
                    )
                )
    monday = today - timedelta(days=today.weekday())
    for week in range(WEEKLY_WEEKS, -1, -1):
        held = monday - timedelta(days=7 * week) + timedelta(days=1)  # Tuesdays
        if held > today:
            continue
        codes = _key_codes(stories_by_code, year=held.year, today=held)
        if not codes:
            continue
        code = codes[held.isocalendar()[1] % len(codes)]
        rng = _rng("weekly", held.isoformat())
        name = stories_by_code[code].name
        specs.append(
            demo_meetings.MeetingSpec(
                kind=MeetingKind.WEEKLY_DOCKING,
                title=f"{name}周对接会（{held.month}月{held.day}日）{SAMPLE}",
                held_on=held,
                organiser="xmb",
                host="leader",
                attendees=("leader", demo_meetings.PREPARED_BY),
                location="项目现场会议室",
                starts_at=time(9, 0),
                duration_minutes=60,
                external_attendees="项目单位负责人",
                items=((f"{name}建设进展及需协调事项", code),),
                decisions=(_decision(rng, held, today),),
                minutes=f"对接{name}建设进展，逐项研究需协调解决的事项。",
            )
        )
    return tuple(specs)


# --- The load ---------------------------------------------------------------------------------


@transaction.atomic
def load_living(*, result: DemoResult, today: date) -> None:
    """Whatever of the later years, up to `today`, is missing (after `new_projects` are
    loaded by the loader, which registers projects)."""
    if today <= AS_OF:
        return
    stories_by_code = stories(today=today)
    by = User.objects.get(username=pipeline.OWNER)
    _move_on(stories_by_code, today=today, by=by, result=result)
    _settle_2020(today=today, result=result)
    _load_key_projects(stories_by_code, today=today, result=result)
    problems.load_problems(
        result=result, specs=_problem_specs(stories_by_code, today=today), until=today
    )
    requests.load_requests(result=result, specs=_request_specs(today=today), until=today)
    demo_meetings.load_meetings(result=result, specs=_meeting_specs(stories_by_code, today=today))

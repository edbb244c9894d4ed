"""The demo zone's problem list (问题清单): a dozen problems of its key and large projects,
2019–2020, raised, routed and worked through the problem services with their real dates.

The demo's "today" is `AS_OF`, 2020-06-30. The records stop in mid-2020 — the last stage
moves are the 2020-05-08 云签约 and the spring starts — and the end of June is when the zone
writes its half-year report (上半年工作总结), so every step here happens on or before it. As of
that day ten problems are resolved (seven by their deadline, three late), two were escalated to
the project's liaison leader (包联领导), and two are still open and overdue: the 中商高科二期
land clearance and the 中兴 gas connection, which the next meeting's agenda picks up through
`overdue_problems(as_of=AS_OF)`. (Seen from the real today, those two are overdue as well.)

Idempotent: a problem is found again by its project's code and its title, and one that exists
is left as it is, steps and all, whatever a user has done to it since.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from zoneops.demo.results import DemoResult
from zoneops.orgs.models import Department, User
from zoneops.projects.enums import BlockerKind, BlockerTopic
from zoneops.projects.models import Problem, Project
from zoneops.projects.services.problems import (
    problem_add_note,
    problem_escalate,
    problem_raise,
    problem_reopen,
    problem_reroute,
    problem_resolve,
)

AS_OF = date(2020, 6, 30)

OFFICE = "xmb_staff"  # 项目办's officer raises the problems and records the steps

NOTE, REROUTE, ESCALATE, RESOLVE, REOPEN = "note", "reroute", "escalate", "resolve", "reopen"


@dataclass(frozen=True)
class Step:
    kind: str
    on: date
    text: str = ""
    department: str | None = None  # reroute: the new department's code
    limit_days: int | None = None  # reroute or reopen: a new limit restarts the clock
    by: str = OFFICE


@dataclass(frozen=True)
class ProblemSpec:
    project: str  # the project's code (zoneops.demo.pipeline)
    title: str
    kind: BlockerKind
    topic: BlockerTopic
    department: str  # the department's code (zoneops.demo.data)
    limit_days: int
    routed_on: date
    description: str
    steps: tuple[Step, ...] = ()
    raised_on: date | None = None


def _d(text: str) -> date:
    return date.fromisoformat(text)


B, P, H = BlockerKind.BOTTLENECK, BlockerKind.PAIN_POINT, BlockerKind.HARD_PROBLEM
T = BlockerTopic

PROBLEMS: tuple[ProblemSpec, ...] = (
    ProblemSpec(
        "DEMO-ZSHK-1",
        "一期地块民房及养殖棚征收拆迁",
        H,
        T.LAND,
        "zrzyj",
        30,
        _d("2019-01-14"),
        "一期智能制造区地块内尚有2户民房和1处养殖棚未完成征收，影响场地平整和4月开工。",
        (
            Step(NOTE, _d("2019-01-28"), "完成地上附着物清点和评估，补偿方案已送达。"),
            Step(NOTE, _d("2019-02-20"), "2户民房对补偿标准有分歧，尚未签订协议。"),
            Step(ESCALATE, _d("2019-02-25"), "补偿标准协商受阻，请包联领导协调。"),
            Step(NOTE, _d("2019-03-08"), "包联领导召开专题协调会，明确按片区统一标准补偿。"),
            Step(
                RESOLVE,
                _d("2019-03-22"),
                "2户民房和1处养殖棚全部签约拆除，一期地块净地交付，满足4月开工条件。",
            ),
        ),
        raised_on=_d("2019-01-11"),
    ),
    ProblemSpec(
        "DEMO-ZSHK-1",
        "一期施工许可证办理",
        B,
        T.APPROVALS,
        "spj",
        5,
        _d("2019-03-25"),
        "一期一标段计划4月下旬开工，施工图审查已通过，需尽快取得施工许可证。",
        (
            Step(
                NOTE, _d("2019-03-26"), "审批局提前介入，容缺受理，材料补齐即办。", by="spj_staff"
            ),
            Step(
                RESOLVE,
                _d("2019-03-29"),
                "核发一期一标段建筑工程施工许可证，“一趟清”办结。",
                by="spj_staff",
            ),
        ),
    ),
    ProblemSpec(
        "DEMO-LTWT",
        "试生产电力增容",
        B,
        T.UTILITIES,
        "jfj",
        20,
        _d("2019-07-08"),
        "竣工试生产需新增用电容量8000千伏安，现有线路无法满足。",
        (
            Step(
                NOTE,
                _d("2019-07-15"),
                "协调供电公司完成现场勘察，确定由开发区110千伏变电站新出一回10千伏专线。",
            ),
            Step(RESOLVE, _d("2019-08-01"), "10千伏专线送电，新增容量8000千伏安，满足试生产用电。"),
        ),
    ),
    ProblemSpec(
        "DEMO-HNC",
        "投产前一线操作工招聘",
        P,
        T.LABOUR,
        "qyfwj",
        20,
        _d("2019-05-13"),
        "竣工投产前需招录一线操作工约300人，企业自行招聘进度较慢。",
        (
            Step(NOTE, _d("2019-05-20"), "组织专场招聘会2场，对接2所职业院校订单培养。"),
            Step(
                RESOLVE,
                _d("2019-06-06"),
                "通过专场招聘和订单培养招录一线操作工260人，满足投产需要。",
            ),
        ),
    ),
    ProblemSpec(
        "DEMO-MBSHF",
        "厂区南侧道路未打通，货车绕行",
        B,
        T.LOGISTICS,
        "zjj",
        30,
        _d("2019-04-15"),
        "厂区南侧规划路未建成，配件运输货车需绕行约5公里，影响北方基地配送时效。",
        (
            Step(
                REROUTE,
                _d("2019-04-22"),
                "道路用地尚未完成征收，先由自然资源和规划局办理用地手续。",
                department="zrzyj",
            ),
            Step(NOTE, _d("2019-05-17"), "道路用地组卷上报，等待批复。"),
            Step(NOTE, _d("2019-06-14"), "用地批复下达，临时道路开始施工。"),
            Step(
                RESOLVE,
                _d("2019-06-28"),
                "临时道路贯通，货车绕行问题解决；正式道路纳入2019年市政道路计划。",
            ),
        ),
    ),
    ProblemSpec(
        "DEMO-JJJWL",
        "项目建设贷款融资担保",
        P,
        T.FINANCE,
        "czj",
        20,
        _d("2019-03-11"),
        "项目一期建设资金缺口约1.2亿元，银行要求提供担保。",
        (
            Step(NOTE, _d("2019-03-20"), "对接区融资担保公司和3家合作银行，完成尽职调查。"),
            Step(RESOLVE, _d("2019-04-03"), "区融资担保公司提供担保，获得银行项目贷款1.2亿元。"),
        ),
    ),
    ProblemSpec(
        "DEMO-JJJWL",
        "铁路专用线接轨审批",
        H,
        T.LOGISTICS,
        "jfj",
        30,
        _d("2019-09-02"),
        "整车铁路发运需建设专用线并接轨，接轨方案须经铁路部门批复。",
        (
            Step(NOTE, _d("2019-09-20"), "接轨方案已报铁路局，等待技术审查。"),
            Step(NOTE, _d("2019-10-25"), "铁路局提出修改意见，设计单位正在调整方案。"),
            Step(RESOLVE, _d("2019-11-15"), "调整后的接轨方案获铁路局批复，专用线进入施工图设计。"),
        ),
    ),
    ProblemSpec(
        "DEMO-GGHC",
        "春季集中开工前施工许可办理",
        B,
        T.APPROVALS,
        "spj",
        5,
        _d("2020-04-07"),
        "项目拟参加沧州市2020年春季项目集中开工，需在4月中旬前取得施工许可证。",
        (
            Step(NOTE, _d("2020-04-08"), "疫情期间“不见面”网上受理，容缺办理。", by="spj_staff"),
            Step(
                RESOLVE,
                _d("2020-04-13"),
                "全程网办核发施工许可证，赶上4月20日春季集中开工。",
                by="spj_staff",
            ),
        ),
    ),
    ProblemSpec(
        "DEMO-LZJ",
        "焊接技工返岗和招聘",
        P,
        T.LABOUR,
        "qyfwj",
        20,
        _d("2020-04-27"),
        "受疫情影响外地焊接技工返岗困难，开工后缺焊接技工约120人。",
        (
            Step(NOTE, _d("2020-05-08"), "举办线上招聘会，安排“点对点”返岗专车。"),
            Step(RESOLVE, _d("2020-05-22"), "返岗和新招焊接技工120人全部到岗。"),
        ),
    ),
    ProblemSpec(
        "DEMO-JCNS",
        "疫情期间流动资金贷款",
        P,
        T.FINANCE,
        "czj",
        20,
        _d("2020-02-17"),
        "受疫情影响订单回款延迟，流动资金缺口约3000万元（一企一策）。",
        (
            Step(
                RESOLVE,
                _d("2020-03-10"),
                "纳入疫情防控重点保障企业名单，获得贴息贷款3000万元。",
            ),
            Step(
                REOPEN,
                _d("2020-03-23"),
                "银行实际放款额度调减至1500万元，企业资金缺口仍在。",
            ),
            Step(NOTE, _d("2020-04-03"), "协调区融资担保公司追加担保。"),
            Step(RESOLVE, _d("2020-04-17"), "区融资担保公司追加担保，补足1500万元流动资金贷款。"),
        ),
    ),
    # Still open and overdue on AS_OF.
    ProblemSpec(
        "DEMO-ZSHK-2",
        "二期地块高压线迁改和民房拆迁",
        H,
        T.LAND,
        "zrzyj",
        30,
        _d("2020-03-16"),
        "二期地块内有一条35千伏高压线需迁改，另有3户民房未完成征收，影响二期开工。",
        (
            Step(NOTE, _d("2020-04-10"), "3户民房完成入户评估；高压线迁改需供电公司出具方案。"),
            Step(NOTE, _d("2020-05-15"), "高压线迁改费用分担未达成一致，1户民房未签约。"),
            Step(ESCALATE, _d("2020-05-18"), "迁改费用分担和民房签约受阻，请包联领导协调。"),
            Step(NOTE, _d("2020-06-12"), "包联领导召开协调会，迁改方案已报供电公司审查。"),
        ),
        raised_on=_d("2020-03-13"),
    ),
    ProblemSpec(
        "DEMO-ZXWB",
        "窑炉用天然气接入",
        B,
        T.UTILITIES,
        "zjj",
        15,
        _d("2020-05-11"),
        "微波陶瓷烧结窑炉需接入中压天然气，燃气管道需穿越铁路。",
        (
            Step(NOTE, _d("2020-05-20"), "燃气公司完成管线设计，日供气量满足窑炉需要。"),
            Step(NOTE, _d("2020-06-15"), "管道穿越铁路段需铁路部门审批，手续正在办理。"),
        ),
    ),
)


def load_problems(
    *,
    result: DemoResult,
    specs: tuple[ProblemSpec, ...] = PROBLEMS,
    until: date | None = None,
) -> dict[tuple[str, str], Problem]:
    """Create the problems that are missing, each through the services with its steps.

    Returns every demo problem by (project code, title). Needs the organisation, the accounts
    and the projects of the demo zone. The later years pass their own `specs` and `until`, the
    day the zone is loaded: a step after it has not happened yet.
    """
    codes = {spec.project for spec in specs}
    projects = {
        p.code: p for p in Project.objects.filter(code__in=codes).select_related("liaison_leader")
    }
    found = {
        (problem.project.code, problem.title): problem
        for problem in Problem.objects.filter(
            project__code__in=codes, title__in=[spec.title for spec in specs]
        ).select_related("project")
    }
    departments = {d.code: d for d in Department.objects.filter(code__in=_department_codes(specs))}
    usernames = {OFFICE} | {step.by for spec in specs for step in spec.steps}
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    missing = (codes - projects.keys()) | (usernames - users.keys())
    if missing:
        raise LookupError(
            "演示问题清单需要先载入演示项目和账号，缺少：" + "、".join(sorted(missing))
        )
    for spec in specs:
        key = (spec.project, spec.title)
        if key in found:
            continue
        found[key] = _load_one(spec, projects[spec.project], departments, users, until=until)
        result.created["problems"] += 1
    return found


def _department_codes(specs: tuple[ProblemSpec, ...]) -> set[str]:
    return {spec.department for spec in specs} | {
        step.department for spec in specs for step in spec.steps if step.department
    }


def _load_one(
    spec: ProblemSpec,
    project: Project,
    departments: dict[str, Department],
    users: dict[str, Any],
    *,
    until: date | None = None,
) -> Problem:
    """Raise the problem and take its steps; with `until`, only those on or before it."""
    problem = problem_raise(
        project=project,
        title=spec.title,
        kind=spec.kind,
        topic=spec.topic,
        department=departments[spec.department],
        limit_days=spec.limit_days,
        description=spec.description,
        raised_on=spec.raised_on,
        routed_on=spec.routed_on,
        by=users[OFFICE],
    )
    for step in spec.steps:
        if until is not None and step.on > until:
            break
        by = users[step.by]
        if step.kind == NOTE:
            problem = problem_add_note(problem=problem, text=step.text, on=step.on, by=by)
        elif step.kind == REROUTE:
            problem = problem_reroute(
                problem=problem,
                to_department=departments[step.department or ""],
                reason=step.text,
                limit_days=step.limit_days,
                on=step.on,
                by=by,
            )
        elif step.kind == ESCALATE:
            problem = problem_escalate(problem=problem, note=step.text, on=step.on, by=by)
        elif step.kind == RESOLVE:
            problem = problem_resolve(problem=problem, resolution=step.text, on=step.on, by=by)
        elif step.kind == REOPEN:
            problem = problem_reopen(
                problem=problem, reason=step.text, limit_days=step.limit_days, on=step.on, by=by
            )
        else:  # pragma: no cover - a typo in the table above
            raise ValueError(step.kind)
    return problem

"""The pipeline of a generated zone: projects with their stage moves (the project's stage is its
latest move, its stage dates are `fill_stage_dates`'), placements by the placement rule at
signing, key designations, annual plans, milestones and monthly progress reports for the years
a project builds, and project problems with their events."""

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, cast

from django.utils import timezone

from zoneops.common.workcalendar import calendar_pinned
from zoneops.demo.generator.base import REASON, Context, next_id
from zoneops.parks.placement import KIND_CARRIERS, PlacementKind, placement_kind
from zoneops.projects.enums import (
    PIPELINE,
    STAGE_ORDER,
    BlockerKind,
    BlockerTopic,
    KeyLevel,
    ProblemStatus,
    ProgressReportStatus,
    SourceChannel,
    Stage,
)
from zoneops.projects.models import (
    AnnualPlan,
    KeyDesignation,
    Milestone,
    Problem,
    ProblemEvent,
    ProgressReport,
    Project,
    ProjectPlacement,
    StageMove,
)
from zoneops.projects.services.pipeline import fill_stage_dates

# Days between one stage and the next (lo, hi), by the stage reached.
GAPS: dict[str, tuple[int, int]] = {
    Stage.TALKS: (15, 120),
    Stage.DEEP_TALKS: (20, 150),
    Stage.SIGNED: (20, 150),
    Stage.PLANNED_START: (15, 120),
    Stage.STARTED: (20, 200),
    Stage.COMPLETED: (365, 1700),
    Stage.IN_PRODUCTION: (20, 180),
}
# A building project of this investment (万元) or more is a key project: about one in five, the
# largest, as in the zone's 2019 (FACTS.md: 10 key projects of the 51 building) and the demo.
KEY_FROM = Decimal(150_000)
ADVANCE = 0.9  # the chance a project goes on to the next stage
DROP = 0.06  # the chance it is dropped instead (before 竣工)
DROP_REASONS = ("投资方资金链紧张，暂缓投资", "项目选址未能落实", "企业战略调整，放弃投资")
OFFICES = {  # responsible department → the leader who liaises with its key projects
    "xmfw-1": "director",
    "xmfw-2": "leader2",
    "xmfw-3": "leader3",
    "xmb": "leader",
    "zsj": "leader",
}
PLACES = ("北京", "天津", "上海", "深圳", "苏州", "韩国", "日本", "德国", "沧州", "石家庄")
WORDS = ("智能", "新能源", "高端", "精密", "绿色", "数字", "先进", "现代")
THINGS = ("零部件", "装备制造", "新材料", "电子", "生物医药", "物流园", "研发中心", "产业园")
MILESTONES = ("土地摘牌", "开工建设", "主体封顶", "设备安装", "竣工验收")
PROBLEMS = (
    ("施工用电增容手续办理缓慢", BlockerTopic.UTILITIES),
    ("土地证办理需协调", BlockerTopic.LAND),
    ("项目融资缺口需银行对接", BlockerTopic.FINANCE),
    ("技术工人招聘困难", BlockerTopic.LABOUR),
    ("施工许可审批材料待补正", BlockerTopic.APPROVALS),
)
PROBLEM_DEPARTMENTS = ("zrzyj", "zjj", "spj", "qyfwj", "czj")


@dataclass
class _Project:
    row: dict[str, Any]
    moves: list[tuple[str, date]] = field(default_factory=list)


def _months(first: date, last: date) -> Iterator[date]:
    """First days of the months from `first`'s through `last`'s."""
    month = first.replace(day=1)
    while month <= last:
        yield month
        month = (month + timedelta(days=32)).replace(day=1)


def _path(ctx: Context, rng: random.Random, registered: date) -> list[tuple[str, date]]:
    """The moves of one project: registered, then forward stage by stage (or dropped) while
    the days have come."""
    stage = Stage.LEAD if rng.random() < 0.7 else Stage.TALKS
    moves: list[tuple[str, date]] = [(stage, registered)]
    on = registered
    while stage != Stage.IN_PRODUCTION:
        if STAGE_ORDER[stage] < STAGE_ORDER[Stage.COMPLETED] and rng.random() < DROP:
            on = on + timedelta(days=rng.randint(30, 240))
            if on <= ctx.today:
                moves.append((Stage.TERMINATED, on))
            return moves
        if rng.random() > ADVANCE:
            return moves
        stage = PIPELINE[STAGE_ORDER[stage] + 1]
        low, high = GAPS[stage]
        on = on + timedelta(days=rng.randint(low, high))
        if on > ctx.today:
            return moves
        moves.append((stage, on))
    return moves


def _projects(ctx: Context) -> list[_Project]:
    assert ctx.org is not None
    org = ctx.org
    rng = ctx.rng("projects")
    registered = sorted(ctx.day(rng) for _index in range(ctx.scale.projects))
    first_id = next_id(Project)
    enterprises: list[int] = ctx.shared.get("enterprise_ids", [])
    industries = sorted(org.industries.items())
    numbers: dict[int, int] = {}
    owner = org.users["zsj_staff"]
    projects = []
    for index, on in enumerate(registered):
        numbers[on.year] = numbers.get(on.year, 0) + 1
        industry_code, industry_id = rng.choice(industries)
        investment = Decimal(round(10 ** rng.uniform(2.5, 5.9)))
        office = rng.choice(tuple(OFFICES))
        moves = _path(ctx, rng, on)
        stage, since = moves[-1]
        investor = rng.choice(enterprises) if enterprises and rng.random() < 0.3 else None
        row: dict[str, Any] = {
            "id": first_id + index,
            "code": f"XM{on.year}{numbers[on.year]:04d}",
            "name": f"{rng.choice(PLACES)}{rng.choice(WORDS)}{rng.choice(THINGS)}项目",
            "investor_name": f"{rng.choice(PLACES)}{rng.choice(WORDS)}科技有限公司",
            "investor_enterprise_id": investor,
            "source_channel": rng.choice(SourceChannel.values),
            "industry_id": industry_id,
            "park_id": None,
            "own_site": False,
            "is_tech": rng.random() < 0.15,
            "total_investment": investment,
            "land_mu": Decimal(max(5, round(investment / 300))),
            "owner_id": owner if rng.random() < 0.25 else None,
            "liaison_leader_id": None,
            "responsible_department_id": org.departments[office],
            "stage": stage,
            "stage_since": since,
            "signed_on": None,
            "started_on": None,
            "completed_on": None,
            "production_on": None,
            "terminated_on": None,
            "termination_reason": "",
            "is_sample": True,
            "_office": office,
            "_industry": industry_code,
        }
        dates = SimpleNamespace(**row)
        for reached, day in moves:
            fill_stage_dates(cast(Project, dates), stage=Stage(reached), on=day)
        for name in ("signed_on", "started_on", "completed_on", "production_on"):
            row[name] = getattr(dates, name)
        if stage == Stage.TERMINATED:
            row["terminated_on"] = since
            row["termination_reason"] = rng.choice(DROP_REASONS)
        if row["started_on"] is not None and investment >= 10_000:
            row["liaison_leader_id"] = org.users[OFFICES[office]]
        projects.append(_Project(row=row, moves=moves))
    return projects


def _place(ctx: Context, rng: random.Random, project: _Project) -> dict[str, Any] | None:
    """Place a signed project by the rule of the day (followed), as `project_place` records it."""
    assert ctx.org is not None
    row = project.row
    if row["signed_on"] is None:
        return None
    kind, reason = placement_kind(
        investment=row["total_investment"],
        land_mu=row["land_mu"],
        industry_code=row["_industry"],
        is_tech=row["is_tech"],
    )
    carriers = [pk for k in KIND_CARRIERS.get(kind, ()) for pk in ctx.org.parks.get(k, [])]
    if kind == PlacementKind.OWN_SITE or not carriers:
        row["own_site"] = kind == PlacementKind.OWN_SITE
    else:
        row["park_id"] = rng.choice(carriers)
    if not row["own_site"] and row["park_id"] is None:
        return None
    return {
        "project_id": row["id"],
        "suggested_kind": kind,
        "suggestion": reason[:300],
        "park_id": row["park_id"],
        "own_site": row["own_site"],
        "followed": True,
        "reason": "",
        "placed_on": row["signed_on"],
        "by_id": row["owner_id"],
    }


def _level(investment: Decimal) -> list[str]:
    if investment >= 500_000:
        return [KeyLevel.PROVINCE, KeyLevel.CITY]
    if investment >= 250_000:
        return [KeyLevel.CITY]
    return [KeyLevel.DISTRICT]


def generate(ctx: Context) -> None:
    assert ctx.org is not None
    projects = _projects(ctx)
    rng = ctx.rng("placements")
    placements = [p for p in (_place(ctx, rng, project) for project in projects) if p]
    ctx.write(Project, ({k: v for k, v in p.row.items() if k[0] != "_"} for p in projects))
    ctx.write(StageMove, _moves(projects))
    ctx.write(ProjectPlacement, placements)
    building = [p.row for p in projects if p.row["started_on"] is not None]
    ctx.shared["projects"] = [
        (p.row["id"], p.row["investor_enterprise_id"], p.row["responsible_department_id"])
        for p in projects
    ]
    ctx.shared["building"] = [(row["id"], row["started_on"]) for row in building]
    ctx.write(KeyDesignation, _designations(ctx, building))
    plans: dict[tuple[int, int], Decimal] = {}
    ctx.write(ProgressReport, _reports(ctx, building, plans))
    ctx.write(
        AnnualPlan,
        (
            {"project_id": pk, "year": year, "planned_investment": amount, "note": ""}
            for (pk, year), amount in plans.items()
        ),
    )
    ctx.write(Milestone, _milestones(ctx, building))


def _moves(projects: list[_Project]) -> Iterator[dict[str, Any]]:
    for project in projects:
        row = project.row
        previous = ""
        left = [on for _stage, on in project.moves[1:]] + [None]
        for (stage, on), left_on in zip(project.moves, left, strict=True):
            yield {
                "project_id": row["id"],
                "from_stage": previous,
                "to_stage": stage,
                "moved_on": on,
                "left_on": left_on,
                "by_id": row["owner_id"],
                "note": "登记项目"
                if not previous
                else (row["termination_reason"] if stage == Stage.TERMINATED else ""),
                "backdate_reason": REASON,
            }
            previous = stage


def _end_of_building(ctx: Context, row: dict[str, Any]) -> date:
    """The last day a building project reports for: its completion, drop or yesterday."""
    end = row["completed_on"] or row["terminated_on"] or ctx.today
    return min(end, ctx.today)


def _designations(ctx: Context, building: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """A large building project (KEY_FROM and up) is a key project of its levels in each year it
    builds; the others are followed by their department alone."""
    for row in building:
        if row["total_investment"] < KEY_FROM:
            continue
        for year in range(row["started_on"].year, _end_of_building(ctx, row).year + 1):
            for level in _level(row["total_investment"]):
                yield {"project_id": row["id"], "year": year, "level": level}


def _reports(
    ctx: Context, building: list[dict[str, Any]], plans: dict[tuple[int, int], Decimal]
) -> Iterator[dict[str, Any]]:
    """The monthly reports (月度调度) of each building project for the months that have passed
    since its start, cumulative in the year and since the start; the year's plan beside them."""
    assert ctx.org is not None
    rng = ctx.rng("reports")
    submitter = ctx.org.users["xmb_staff"]
    this_month = ctx.today.replace(day=1)
    zone = timezone.get_current_timezone()
    for row in building:
        total = Decimal(0)
        year_total = Decimal(0)
        year = None
        last = _end_of_building(ctx, row)
        investment = row["total_investment"]
        for month in _months(row["started_on"], last):
            if month >= this_month:
                break
            if month.year != year:
                year, year_total = month.year, Decimal(0)
                plans[(row["id"], year)] = (investment * Decimal(rng.uniform(0.25, 0.5))).quantize(
                    Decimal(1)
                )
            plan = plans[(row["id"], month.year)]
            done = (plan / 12 * Decimal(rng.uniform(0.4, 1.4))).quantize(Decimal("0.01"))
            total += done
            year_total += done
            submitted = datetime.combine(
                (month + timedelta(days=32)).replace(day=rng.randint(1, 5)), time(10), zone
            )
            yield {
                "project_id": row["id"],
                "month": month,
                "invested_month": done,
                "invested_year": year_total,
                "invested_total": total,
                "year_plan": plan,
                "progress": "按计划推进",
                "problems": "",
                "next_steps": "",
                "status": ProgressReportStatus.SUBMITTED,
                "submitted_at": submitted,
                "submitted_by_id": submitter,
            }


def _milestones(ctx: Context, building: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The plan's nodes from land to acceptance; a node is reached by its day, or late."""
    rng = ctx.rng("milestones")
    for row in building:
        start = row["started_on"]
        span = rng.randint(300, 800)
        for order, name in enumerate(MILESTONES):
            planned = start + timedelta(days=(order - 1) * span // 3)
            actual = planned + timedelta(days=rng.randint(-20, 60))
            if name == "竣工验收" and row["completed_on"] is not None:
                actual = row["completed_on"]
            reached = actual <= ctx.today and (
                name != "竣工验收" or row["completed_on"] is not None
            )
            if row["terminated_on"] is not None and actual > row["terminated_on"]:
                reached = False
            yield {
                "project_id": row["id"],
                "name": name,
                "planned_on": planned,
                "actual_on": actual if reached else None,
                "responsible_department_id": row["responsible_department_id"],
                "responsible_person": "",
                "order": order,
                "note": "",
            }


def generate_problems(ctx: Context) -> None:
    """Problems raised on building projects (about one in four), routed with a limit of working
    days from the day after routing; most are resolved, by their day or late."""
    assert ctx.org is not None
    rng = ctx.rng("problems")
    departments = [ctx.org.departments[code] for code in PROBLEM_DEPARTMENTS]
    first = next_id(Problem)
    problems: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    with calendar_pinned():
        for project_id, started_on in ctx.shared["building"]:
            if rng.random() > 0.25:
                continue
            routed = ctx.day(rng, after=started_on)
            limit = rng.choice((5, 10, 15, 20))
            due = ctx.deadline(routed, limit)
            title, topic = rng.choice(PROBLEMS)
            department = rng.choice(departments)
            resolved = routed + timedelta(days=rng.randint(1, 45))
            done = resolved <= ctx.today and rng.random() < 0.9
            pk = first + len(problems)
            problems.append(
                {
                    "id": pk,
                    "project_id": project_id,
                    "title": title,
                    "description": "",
                    "kind": rng.choice(BlockerKind.values),
                    "topic": topic,
                    "department_id": department,
                    "raised_on": routed,
                    "routed_on": routed,
                    "limit_days": limit,
                    "due_on": due.date,
                    "due_provisional": due.provisional,
                    "status": ProblemStatus.RESOLVED if done else ProblemStatus.ROUTED,
                    "resolved_on": resolved if done else None,
                    "resolution": "已协调解决" if done else "",
                }
            )
            event = {"problem_id": pk, "by_id": None, "from_department_id": None}
            events.append(
                {
                    **event,
                    "kind": ProblemEvent.Kind.RAISED,
                    "on": routed,
                    "to_department_id": department,
                    "note": ctx.deadline_note(limit, due),
                }
            )
            if done:
                events.append(
                    {
                        **event,
                        "kind": ProblemEvent.Kind.RESOLVED,
                        "on": resolved,
                        "to_department_id": None,
                        "note": "已协调解决",
                    }
                )
    ctx.write(Problem, problems)
    ctx.write(ProblemEvent, events)

"""Load the demo zone (`zoneops.demo.data`) into the database. Idempotent.

Every area has its own `load_<area>` function. Each looks its records up by a natural key
(department code, park name, enterprise name, username, industry code, project code) and
creates only what is missing, so a second run creates nothing twice and leaves alone whatever
a user edited since. The one exception is the demo accounts' password: it is set to the
password given, so the password that `zoneops demo` prints always works.
"""

from datetime import date
from typing import TextIO

from django.db import transaction
from django.db.models import Q

from zoneops.common.services import record_save
from zoneops.demo import chains, data, living, pipeline
from zoneops.demo.approvals import load_approvals
from zoneops.demo.enterprises_data import load_enterprise_register, load_later_figures
from zoneops.demo.funds import load_funds
from zoneops.demo.indicators import load_indicators
from zoneops.demo.meetings import load_meetings
from zoneops.demo.parks import load_park_space
from zoneops.demo.portal import load_portal
from zoneops.demo.problems import load_problems
from zoneops.demo.requests import load_enterprise_service
from zoneops.demo.results import DemoAccount, DemoResult
from zoneops.demo.scheduling import load_scheduling
from zoneops.demo.supervision import load_supervision
from zoneops.enterprises.models import Enterprise
from zoneops.industry.models import IndustryCategory
from zoneops.notifications.services import remind
from zoneops.orgs.models import Department, Membership, Role, User
from zoneops.orgs.services import department_create, user_create, user_set_password
from zoneops.parks.models import Park
from zoneops.projects.enums import Stage
from zoneops.projects.models import Project
from zoneops.projects.services import project_create, project_move_stage


@transaction.atomic
def load_demo_zone(
    *, password: str, stdout: TextIO | None = None, today: date | None = None
) -> DemoResult:
    """Create whatever of the demo zone is missing; return the demo accounts.

    Without `today` the zone is the article's, up to mid-2020 (`problems.AS_OF`); with it (the
    `demo` command passes the day it runs) the zone goes on to that day (`demo.living`).
    """
    result = DemoResult(password=password)
    departments = load_organisation(result=result)
    parks = load_parks(result=result)
    enterprises = load_enterprises(result=result)
    users = load_accounts(
        result=result, password=password, departments=departments, enterprises=enterprises
    )
    industries = load_industries(result=result)
    places = {
        "departments": departments,
        "parks": parks,
        "enterprises": enterprises,
        "users": {user.username: user for user in users},
        "industries": industries,
    }
    load_projects(result=result, **places)
    load_enterprise_register(result=result)
    load_park_space(result=result, today=today)  # needs the parks, register and industries
    # Scheduling and problems first: the meetings' agendas are built from them.
    load_scheduling(result=result)
    load_problems(result=result)
    # Requests before meetings: a meeting's agenda picks up the requests overdue by its date.
    load_enterprise_service(result=result)
    load_meetings(result=result)
    if today is not None:
        load_projects(
            result=result,
            **places,
            specs=living.new_projects(today=today),
            backdate_reason=living.BACKDATE_REASON,
        )
        living.load_living(result=result, today=today)
        load_later_figures(result=result, today=today)
    chains.load_chains(result=result)
    load_portal(result=result, today=today)  # the inquiries' leads go to the chains' officers
    load_approvals(result=result, today=today)
    load_supervision(result=result, today=today)
    load_funds(result=result, today=today)
    load_indicators(result=result, today=today)  # a roll-up reads the enterprises' figures
    if today is not None:
        load_reminders(result=result, today=today)
    if stdout is not None:
        _report(result, stdout)
    return result


def load_reminders(*, result: DemoResult, today: date) -> None:
    """The bell shows a working zone: the day's reminders, as `zoneops remind` makes them
    (the demo accounts have no e-mail or phone: nothing leaves the machine)."""
    if made := remind(on=today).created:
        result.created["notifications"] += made


def load_organisation(*, result: DemoResult) -> dict[str, Department]:
    """The department tree: 沧州市 → 管委会 → bureaus → sections. Returns them by code."""
    codes = [spec.code for spec in data.DEPARTMENTS]
    by_code = {d.code: d for d in Department.objects.filter(code__in=codes)}
    for order, spec in enumerate(data.DEPARTMENTS):
        if spec.code in by_code:
            existing = by_code[spec.code]
            if spec.receives_enterprise_requests and not existing.receives_enterprise_requests:
                # A zone loaded before the request desk existed gets it now.
                existing.receives_enterprise_requests = True
                record_save(instance=existing, by=None, reason="企业诉求受理部门")
            continue
        parent = by_code[spec.parent] if spec.parent else None
        # A department whose code someone changed is still found by its place and name.
        existing = Department.objects.filter(parent=parent, name=spec.name).first()
        if existing is None:
            existing = department_create(
                name=spec.name,
                code=spec.code,
                kind=spec.kind,
                parent=parent,
                short_name=spec.short_name,
                order=order,
                receives_enterprise_requests=spec.receives_enterprise_requests,
                by=None,
            )
            result.created["departments"] += 1
        by_code[spec.code] = existing
    return by_code


def load_parks(*, result: DemoResult) -> dict[str, Park]:
    """The six parks, six centres, the other carriers, institutes and the test area."""
    names = [spec.name for spec in data.PARKS]
    by_name = {park.name: park for park in Park.objects.filter(name__in=names)}
    for order, spec in enumerate(data.PARKS):
        if spec.name in by_name:
            continue
        park = Park(
            name=spec.name,
            kind=spec.kind,
            description=spec.description,
            area_mu=spec.area_mu,
            floor_area_m2=spec.floor_area_m2,
            target_industries=spec.target_industries,
            order=order,
        )
        by_name[spec.name] = record_save(instance=park, by=None)
        result.created["parks"] += 1
    return by_name


def load_enterprises(*, result: DemoResult) -> dict[str, Enterprise]:
    """The named enterprises the demo needs (the anchor plant for the enterprise user)."""
    names = [spec.name for spec in data.ENTERPRISES]
    by_name = {e.name: e for e in Enterprise.objects.filter(name__in=names)}
    for spec in data.ENTERPRISES:
        if spec.name in by_name:
            continue
        enterprise = Enterprise(name=spec.name, country=spec.country, is_sample=False)
        by_name[spec.name] = record_save(instance=enterprise, by=None)
        result.created["enterprises"] += 1
    return by_name


def load_accounts(
    *,
    result: DemoResult,
    password: str,
    departments: dict[str, Department],
    enterprises: dict[str, Enterprise],
) -> list[User]:
    """One demo account per role; an existing account only gets the demo password again."""
    usernames = [spec.username for spec in data.ACCOUNTS]
    by_username = {u.username: u for u in User.objects.filter(username__in=usernames)}
    users = []
    for spec in data.ACCOUNTS:
        user = by_username.get(spec.username)
        if user is None:
            user = user_create(
                username=spec.username,
                display_name=spec.display_name,
                title=spec.title,
                password=password,
                roles=[spec.role],
                departments=[departments[code] for code in spec.departments],
                in_charge_of=[departments[code] for code in spec.in_charge_of],
                enterprise=enterprises[spec.enterprise] if spec.enterprise else None,
            )
            result.created["accounts"] += 1
        else:
            user_set_password(user=user, password=password)
        users.append(user)
    result.accounts = _accounts(users)
    return users


def load_industries(*, result: DemoResult) -> dict[str, IndustryCategory]:
    """The zone's industry list with GB/T 4754-2017 sections. Returns them by demo code."""
    codes = [spec.code for spec in data.INDUSTRIES]
    names = [spec.name for spec in data.INDUSTRIES]
    found = IndustryCategory.objects.filter(Q(code__in=codes) | Q(name__in=names))
    by_code = {i.code: i for i in found}
    by_name = {i.name: i for i in found}
    industries = {}
    for order, spec in enumerate(data.INDUSTRIES):
        # A category whose code someone changed is still found by its name.
        industry = by_code.get(spec.code) or by_name.get(spec.name)
        if industry is None:
            industry = IndustryCategory(
                code=spec.code,
                name=spec.name,
                gb_section=spec.gb_section,
                gb_codes=spec.gb_codes,
                sei_category=spec.sei,
                is_lead=spec.lead,
                order=order,
            )
            record_save(instance=industry, by=None)
            result.created["industries"] += 1
        industries[spec.code] = industry
    return industries


def load_projects(
    *,
    result: DemoResult,
    departments: dict[str, Department],
    parks: dict[str, Park],
    enterprises: dict[str, Enterprise],
    users: dict[str, User],
    industries: dict[str, IndustryCategory],
    specs: tuple[pipeline.ProjectSpec, ...] = pipeline.PROJECTS,
    backdate_reason: str = pipeline.BACKDATE_REASON,
) -> dict[str, Project]:
    """The investment projects (`zoneops.demo.pipeline`, or the later years' `specs`),
    registered and moved through the project services with their backdated history. A project
    whose code exists is left as it is, moves and all, whatever a user has done to it since.
    """
    by_code = {p.code: p for p in Project.objects.filter(code__in=[s.code for s in specs])}
    for spec in specs:
        if spec.code in by_code:
            continue
        by = users[pipeline.OWNER]
        park, own_site, placement_reason = pipeline.place(spec)
        (stage, on), *moves = spec.moves
        project = project_create(
            name=spec.name,
            code=spec.code,
            by=by,
            on=on,
            stage=stage,
            backdate_reason=backdate_reason,
            key_levels={year: list(levels) for year, levels in spec.key_levels},
            parent=by_code.get(spec.parent) if spec.parent else None,
            phase=spec.phase,
            investor_name=spec.investor,
            investor_country=spec.country,
            investor_enterprise=enterprises.get(spec.investor_enterprise or ""),
            source_channel=spec.source,
            industry=industries[spec.industry],
            park=parks[park] if park else None,
            own_site=own_site,
            placement_reason=placement_reason,
            total_investment=spec.investment,
            land_mu=pipeline.land_for(spec, park),
            description=spec.description,
            owner=by,
            liaison_leader=users[spec.leader] if spec.leader else None,
            responsible_department=departments[spec.department] if spec.department else None,
            is_sample=spec.is_sample,
        )
        for stage, on in moves:
            project_move_stage(
                project=project,
                to_stage=stage,
                on=on,
                by=by,
                note=_move_note(stage, on),
                backdate_reason=backdate_reason,
                reason=spec.termination_reason if stage == Stage.TERMINATED else "",
            )
        by_code[spec.code] = project
        result.created["projects"] += 1
    return by_code


def _move_note(stage: str, on: date) -> str:
    if stage == pipeline.SG and on == pipeline.CLOUD_SIGNING_ON:
        return "2020年5月8日云签约"
    if stage == pipeline.ST and on == pipeline.SPRING_START_ON:
        return "沧州市2020年春季项目集中开工"
    return ""


def _accounts(users: list[User]) -> list[DemoAccount]:
    """The accounts table, read in three queries whatever the number of accounts."""
    ids = [user.pk for user in users]
    roles: dict[int, list[str]] = {}
    for role in Role.objects.filter(users__in=ids).values("users", "name").order_by("id"):
        roles.setdefault(role["users"], []).append(role["name"])
    primary = {
        m.user_id: m.department.name
        for m in Membership.objects.filter(user__in=ids, is_primary=True).select_related(
            "department"
        )
    }
    enterprises = dict(
        User.objects.filter(pk__in=ids, enterprise__isnull=False).values_list(
            "pk", "enterprise__name"
        )
    )
    return [
        DemoAccount(
            username=user.username,
            display_name=user.display_name,
            role="、".join(roles.get(user.pk, [])),
            department=enterprises.get(user.pk) or primary.get(user.pk, ""),
        )
        for user in users
    ]


def _report(result: DemoResult, stdout: TextIO) -> None:
    if not result.created_total:
        stdout.write("演示数据已存在，未新建记录 / Demo zone already loaded, nothing created.\n")
        return
    labels = {
        "departments": "部门 departments",
        "parks": "园区与载体 parks and carriers",
        "enterprises": "企业 enterprises",
        "accounts": "演示账号 demo accounts",
        "industries": "产业分类 industries",
        "projects": "招商项目 projects",
        "annual_plans": "年度投资计划 annual plans",
        "milestones": "项目节点 milestones",
        "progress_reports": "月度调度 monthly reports",
        "command_hqs": "项目指挥部 command HQs",
        "problems": "问题清单 problems",
        "meetings": "会议与活动 meetings",
        "agenda_items": "议题 agenda items",
        "decisions": "议定事项 decisions",
        "enterprise_figures": "企业经济数据 enterprise figures",
        "liaisons": "企业包联 liaisons",
        "requests": "企业诉求 requests",
        "blockers": "共性堵点 systemic blockers",
        "plans": "一企一策 plans",
        "plan_measures": "帮扶措施 plan measures",
        "stage_moves": "项目阶段变动 stage moves",
        "settled": "2020年遗留事项办结 items of 2020 settled",
        "indicators": "经济指标 indicators",
        "indicator_values": "指标数值 indicator figures",
        "indicator_targets": "指标年度目标 indicator targets",
        "notifications": "提醒 notifications",
    }
    parts = [f"{labels.get(area, area)} {count}" for area, count in result.created.items()]
    stdout.write("新建 / created: " + ", ".join(parts) + "\n")

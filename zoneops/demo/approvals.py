"""The demo zone's government services (政务服务): the catalogue and the cases, from which the
article's 2019 figures come out through the approvals selectors —
1790 cases concluded in 2019, 1,020 of them received and concluded the same day; promised
limits 50% of the statutory ones; 53% of the items in the service centre; 88 items taken over
from the city by the end of 2019 (FACTS "Business environment and services").

The catalogue holds 200 items: the ones the article's work names (企业投资项目备案, 建设工程规划
许可证核发, 施工许可, 食品经营许可 ...) and generated ones marked 示例. Every case is generated
(the article gives only counts) and marked `is_sample`. With `today` the zone goes on working
cases up to that day, deterministic from the date: the open ones running, some late, some
waiting for 补正 materials, so that the day's page shows work.

Idempotent: the catalogue by its codes, the 2019 cases when none of 2019 exists, the later ones
for the days after the newest case.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from zoneops.approvals.enums import CaseStatus, Decision, ItemKind, SuspensionKind
from zoneops.approvals.models import Case, CaseEvent, ServiceItem
from zoneops.common.services import records_bulk_create
from zoneops.common.workcalendar import add_working_days, calendar_pinned, is_working_day
from zoneops.demo.results import DemoResult
from zoneops.enterprises.models import Enterprise
from zoneops.orgs.models import Department, User
from zoneops.projects.selectors.scheduling import key_projects

YEAR = 2019
CASES_2019 = 1790
SAME_DAY_2019 = 1020
ITEMS = 200
IN_CENTRE = 106  # 53% of 200
TAKEN_OVER = 88
REFUSED_2019 = 24
KEY_PROJECT_CASES = 30  # of the 2019 cases, for the key projects of the year
HANDLER = "spj_staff"
LISTED_ON = date(2018, 1, 1)
L, S, F, OT = ItemKind.LICENCE, ItemKind.PUBLIC_SERVICE, ItemKind.FILING, ItemKind.OTHER

# (department code, name, kind, statutory working days): the promised limit is half of it.
NAMED = (
    ("spj", "企业投资项目备案", F, 2),
    ("spj", "企业设立登记", L, 2),
    ("spj", "营业执照变更登记", L, 2),
    ("spj", "企业投资项目核准", L, 20),
    ("spj", "建设工程规划许可证核发", L, 20),
    ("spj", "建设用地规划许可证核发", L, 20),
    ("spj", "建筑工程施工许可证核发", L, 14),
    ("spj", "食品经营许可", L, 20),
    ("spj", "公共场所卫生许可", L, 20),
    ("spj", "药品零售企业许可", L, 30),
    ("spj", "危险化学品经营许可", L, 30),
    ("spj", "城镇污水排入排水管网许可", L, 20),
    ("spj", "城市建筑垃圾处置核准", L, 20),
    ("spj", "道路货物运输经营许可", L, 20),
    ("spj", "人力资源服务许可", L, 20),
    ("spj", "建设项目环境影响报告表审批", L, 60),
    ("zjj", "商品房预售许可", L, 20),
    ("zjj", "建设工程竣工验收备案", F, 14),
)
GENERATED = (
    ("spj", "特种设备使用登记", F, 2),
    ("spj", "户外广告设施设置审批", L, 20),
    ("spj", "临时占用城市道路审批", L, 10),
    ("spj", "城市绿地占用审批", L, 20),
    ("spj", "劳务派遣经营许可", L, 20),
    ("spj", "社会保险参保登记", S, 2),
    ("spj", "民办职业培训学校设立审批", L, 30),
    ("spj", "取水许可", OT, 40),
    ("zjj", "建筑业企业资质核准", L, 20),
    ("zjj", "房屋建筑工程质量监督登记", S, 4),
)
STATUTORY_SAME_DAY = 2  # items whose promised limit is one working day take the same-day cases


@dataclass
class _Plan:
    """One generated case: its dates, its item, its applicant, and how it ends."""

    item: ServiceItem
    received: date
    accepted: date | None = None
    concluded: date | None = None
    refused: date | None = None
    suspended: tuple[date, date] | None = None  # 补正: asked, supplied (None = still waiting)
    waiting_since: date | None = None
    status: str = CaseStatus.CONCLUDED
    project: Any = None


def _rng(*parts: object) -> random.Random:
    return random.Random("zoneops-demo-approvals-" + "-".join(map(str, parts)))  # noqa: S311


def _id_number(rng: random.Random) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    born = date(1960, 1, 1) + timedelta(days=rng.randrange(14000))
    body = f"130902{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


# --- the catalogue ----------------------------------------------------------------------------


def _item_specs() -> list[tuple[str, str, str, str, int, bool]]:
    """(code, department, name, kind, statutory, is_sample) of the 200 items."""
    specs = [
        (f"SP{index + 1:04d}", dept, name, kind, days, False)
        for index, (dept, name, kind, days) in enumerate(NAMED)
    ]
    for number in range(ITEMS - len(NAMED)):
        dept, name, kind, days = GENERATED[number % len(GENERATED)]
        specs.append(
            (
                f"SP{len(specs) + 1:04d}",
                dept,
                f"{name}（示例{number + 1:03d}）",
                kind,
                days,
                True,
            )
        )
    return specs


def load_catalogue(*, result: DemoResult) -> list[ServiceItem]:
    specs = _item_specs()
    existing = {
        item.code: item for item in ServiceItem.objects.filter(code__in=[s[0] for s in specs])
    }
    departments = {d.code: d for d in Department.objects.filter(code__in=("spj", "zjj"))}
    new = []
    for index, (code, dept, name, kind, days, sample) in enumerate(specs):
        if code in existing:
            continue
        taken = index % 9 < 4 and index < 198  # 88 of the 200: 4 of every 9 below 198
        taken_on = date(2018, 3, 1) + timedelta(days=(index * 37) % 640) if taken else None
        new.append(
            ServiceItem(
                code=code,
                name=name,
                department=departments[dept],
                kind=kind,
                statutory_days=days,
                promised_days=days // 2,
                one_visit=index % 3 != 2,
                online=index % 4 == 0,
                in_centre=index < IN_CENTRE,
                taken_over=taken,
                taken_over_on=taken_on,
                taken_over_document=(
                    f"沧政字〔{taken_on.year}〕{index % 40 + 1}号" if taken_on else ""
                ),
                materials="申请表\n营业执照或身份证明\n相关证明材料",
                listed_on=LISTED_ON,
                is_sample=sample,
            )
        )
    if new:
        records_bulk_create(model=ServiceItem, instances=new, by=None)
        result.created["service items"] += len(new)
    codes = [s[0] for s in specs]
    return list(
        ServiceItem.objects.filter(code__in=codes).select_related("department").order_by("code")
    )


# --- the cases ------------------------------------------------------------------------------------


def _working_days(first: date, last: date) -> list[date]:
    days, day = [], first
    while day <= last:
        if is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def _conclusion(rng: random.Random, plan: _Plan, *, late_share: float) -> None:
    """Accepted on the day or the next working day, maybe a 补正 pause within the notice days,
    concluded within the promised limit (a few late)."""
    limit = plan.item.promised_days
    plan.accepted = plan.received if rng.random() < 0.7 else add_working_days(plan.received, 1).date
    pause = 0
    if rng.random() < 0.1:
        asked = add_working_days(plan.accepted, 1).date
        pause = rng.randint(2, 5)
        plan.suspended = (asked, add_working_days(asked, pause).date)
    used = rng.randint(1, limit) if rng.random() >= late_share else limit + rng.randint(1, 3)
    plan.concluded = add_working_days(plan.accepted, used + pause).date


def _plans_2019(rng: random.Random, items: list[ServiceItem], projects: list[Any]) -> list[_Plan]:
    quick = [item for item in items if item.statutory_days == STATUTORY_SAME_DAY]
    others = [item for item in items if item.statutory_days > STATUTORY_SAME_DAY]
    days = _working_days(date(YEAR, 1, 2), date(YEAR, 12, 31))
    plans = [
        _Plan(item=rng.choice(quick), received=days[index * len(days) // SAME_DAY_2019])
        for index in range(SAME_DAY_2019)
    ]
    for plan in plans:
        plan.accepted = plan.concluded = plan.received
    while len(plans) < CASES_2019:
        plan = _Plan(item=rng.choice(others), received=rng.choice(days[:-45]))
        _conclusion(rng, plan, late_share=0.03)
        assert plan.concluded is not None
        if plan.concluded.year != YEAR:
            continue
        plans.append(plan)
    for index, plan in enumerate(plans[SAME_DAY_2019 : SAME_DAY_2019 + KEY_PROJECT_CASES]):
        plan.project = projects[index % len(projects)] if projects else None
    for _number in range(REFUSED_2019):
        refused = _Plan(item=rng.choice(others), received=rng.choice(days))
        refused.status, refused.refused = CaseStatus.REFUSED, refused.received
        plans.append(refused)
    return plans


def _plans_after(
    rng: random.Random,
    items: list[ServiceItem],
    first: date,
    today: date,
    projects: dict[int, list],
) -> list[_Plan]:
    """Cases received from `first` to `today`: those done by today concluded, the rest open."""
    quick = [item for item in items if item.statutory_days == STATUTORY_SAME_DAY]
    others = [item for item in items if item.statutory_days > STATUTORY_SAME_DAY]
    plans = []
    stuck_from, stuck_to = today - timedelta(days=60), today - timedelta(days=30)
    for day in _working_days(first, today):
        for _number in range(rng.randint(0, 1)):
            plan = _Plan(item=rng.choice(quick), received=day)
            plan.accepted = plan.concluded = day
            plans.append(plan)
        if stuck_from <= day <= stuck_to and rng.random() < 0.3:
            # Late: accepted a month or two ago and still under review.
            stuck = _Plan(item=rng.choice(others), received=day, accepted=day)
            stuck.status = CaseStatus.REVIEWING
            plans.append(stuck)
        for _number in range(rng.randint(0, 1)):
            plan = _Plan(item=rng.choice(others), received=day)
            _conclusion(rng, plan, late_share=0.08)
            key = projects.get(day.year) or []
            if key and rng.random() < 0.05:
                plan.project = rng.choice(key)
            if plan.concluded is not None and plan.concluded > today:
                _still_open(rng, plan, today)
            plans.append(plan)
    return plans


def _still_open(rng: random.Random, plan: _Plan, today: date) -> None:
    """A case not done by today: received only, or running (reviewing, decided), or waiting for
    its 补正 materials."""
    plan.concluded = None
    assert plan.accepted is not None
    if plan.accepted > today:
        plan.accepted, plan.suspended, plan.status = None, None, CaseStatus.RECEIVED
        return
    if plan.suspended is not None and plan.suspended[0] <= today < plan.suspended[1]:
        plan.waiting_since, plan.suspended = plan.suspended[0], None
        plan.status = CaseStatus.REVIEWING
        return
    if plan.suspended is not None and plan.suspended[0] > today:
        plan.suspended = None
    if plan.suspended is None and rng.random() < 0.3:
        # Waiting for the materials asked (一次性告知) the working day after acceptance.
        asked = add_working_days(plan.accepted, 1).date
        plan.waiting_since = asked if asked <= today else plan.accepted
        plan.status = CaseStatus.REVIEWING
        return
    plan.status = rng.choice((CaseStatus.ACCEPTED, CaseStatus.REVIEWING, CaseStatus.REVIEWING))


def _write(plans: list[_Plan], *, rng: random.Random, result: DemoResult) -> None:
    enterprises = list(Enterprise.objects.order_by("pk").values_list("pk", flat=True)[:300])
    handler = User.objects.filter(username=HANDLER).first()
    cases = []
    for plan in plans:
        item = plan.item
        case = Case(
            item=item,
            department_id=item.department_id,
            received_on=plan.received,
            status=plan.status,
            handler=handler if handler and item.department.code == "spj" else None,
            project=plan.project,
            is_sample=True,
        )
        investor = getattr(plan.project, "investor_enterprise_id", None)
        if investor or (enterprises and rng.random() < 0.6):
            case.enterprise_id = investor or rng.choice(enterprises)
        else:
            case.applicant_name = rng.choice("王李张刘陈杨赵黄周吴") + rng.choice(
                ("伟", "芳", "强", "静", "磊", "敏")
            )
            case.applicant_id_number = _id_number(rng)
            case.applicant_phone = f"139{rng.randrange(10**8):08d}"
        if plan.status == CaseStatus.REFUSED:
            case.refused_on, case.refusal_reason = (
                plan.refused,
                "申请事项不属于本机关职权范围，已告知向有关机关申请。",
            )
        if plan.accepted is not None:
            paused = 0
            if plan.suspended is not None:
                case.materials_asked_on = plan.suspended[0]
                paused = _between(plan.suspended)
            case.accepted_on = plan.accepted
            case.clock_restart(start=plan.accepted, limit_days=item.promised_days)
            case.suspended_days = paused
            case.deadline_update()
            if plan.waiting_since is not None:
                case.materials_asked_on = case.suspended_since = plan.waiting_since
                case.suspension_kind = SuspensionKind.MATERIALS
        if plan.concluded is not None:
            case.decision, case.decided_on = Decision.GRANTED, plan.concluded
            case.concluded_on = plan.concluded
        cases.append(case)
    # Thousands of generated cases: their events tell their steps; no history row each (the
    # load's time budget), unlike the catalogue.
    Case.objects.bulk_create(cases, batch_size=2000)
    events = []
    for plan, case in zip(plans, cases, strict=True):
        if case.concluded_on == case.received_on:  # 即办: received and concluded at the desk
            note = "当场受理、当场办结（准予许可）"
            events.append(
                CaseEvent(case=case, kind=CaseEvent.Kind.CONCLUDED, on=case.concluded_on, note=note)
            )
            continue
        events.append(CaseEvent(case=case, kind=CaseEvent.Kind.RECEIVED, on=case.received_on))
        if case.refused_on:
            events.append(
                CaseEvent(
                    case=case,
                    kind=CaseEvent.Kind.REFUSED,
                    on=case.refused_on,
                    note=case.refusal_reason,
                )
            )
        if case.accepted_on:
            events.append(CaseEvent(case=case, kind=CaseEvent.Kind.ACCEPTED, on=case.accepted_on))
        if case.status == CaseStatus.REVIEWING:
            events.append(CaseEvent(case=case, kind=CaseEvent.Kind.REVIEWING, on=case.accepted_on))
        if plan.suspended is not None:
            asked, supplied = plan.suspended
            events.append(
                CaseEvent(
                    case=case,
                    kind=CaseEvent.Kind.SUSPENDED,
                    on=asked,
                    note="补正材料：一次性告知需补正的材料",
                )
            )
            events.append(
                CaseEvent(
                    case=case, kind=CaseEvent.Kind.RESUMED, on=supplied, note="申请人已补正材料"
                )
            )
        if plan.waiting_since is not None:
            events.append(
                CaseEvent(
                    case=case,
                    kind=CaseEvent.Kind.SUSPENDED,
                    on=plan.waiting_since,
                    note="补正材料：一次性告知需补正的材料",
                )
            )
        if case.concluded_on:
            events.append(
                CaseEvent(
                    case=case, kind=CaseEvent.Kind.DECIDED, on=case.concluded_on, note="准予许可"
                )
            )
            events.append(CaseEvent(case=case, kind=CaseEvent.Kind.CONCLUDED, on=case.concluded_on))
    CaseEvent.objects.bulk_create(events, batch_size=2000)
    result.created["approval cases"] += len(cases)


def _between(span: tuple[date, date]) -> int:
    from zoneops.common.workcalendar import working_days_between

    return working_days_between(*span).days


def load_approvals(*, result: DemoResult, today: date | None) -> None:
    """The catalogue and the 2019 cases; with `today`, the cases after 2019 up to that day."""
    items = load_catalogue(result=result)
    with calendar_pinned():
        if not Case.objects.filter(received_on__year=YEAR).exists():
            projects = list(key_projects(year=YEAR).order_by("pk"))
            _write(_plans_2019(_rng(YEAR), items, projects), rng=_rng("write", YEAR), result=result)
    if today is not None and today.year > YEAR:
        load_approvals_living(result=result, today=today, items=items)


def load_approvals_living(*, result: DemoResult, today: date, items: list[ServiceItem]) -> None:
    """The cases received after 2019 up to `today` that are missing (after the newest one)."""
    with calendar_pinned():
        newest = Case.objects.filter(received_on__gt=date(YEAR, 12, 31)).order_by("-received_on")
        last = newest.values_list("received_on", flat=True).first()
        first = (last + timedelta(days=1)) if last else date(YEAR + 1, 1, 1)
        if first > today:
            return
        keys = {
            year: list(key_projects(year=year).order_by("pk"))
            for year in range(first.year, today.year + 1)
        }
        plans = _plans_after(_rng(first, today), items, first, today, keys)
        _write(plans, rng=_rng("write", first, today), result=result)

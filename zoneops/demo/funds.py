"""The demo zone's support funds and the target set from above.

The article: "积极帮助项目和企业争取省市研发和示范项目10余个，争取中央、省、市、区四级扶持资金
1.23亿元". 2019's payments from the four levels add up to 12300万元 (中央 2100, 省 4350, 市 3150,
区 2700: the split is illustrative), and twelve R&D and demonstration applications are approved
in 2019. The city's task "每个县区每年至少落地3个5亿元以上工业项目" is a target for 2019, 2020
and each later year, followed from the projects' stage moves (landed = signed, 签约).
Later years (with `today`) get sample programmes and applications, deterministic from the year,
with only the steps on or before `today`.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Max

from zoneops.demo import pipeline
from zoneops.demo.problems import AS_OF
from zoneops.demo.results import DemoResult
from zoneops.enterprises.models import Enterprise
from zoneops.funds.enums import FundKind, FundLevel
from zoneops.funds.models import FundApplication, FundProgramme
from zoneops.funds.services import (
    application_approve,
    application_file,
    application_pay,
    application_reject,
)
from zoneops.orgs.models import Department, User
from zoneops.projects.enums import Stage
from zoneops.projects.models import Project, StageMove
from zoneops.targets.models import Target

C, P, CI, D = FundLevel.CENTRAL, FundLevel.PROVINCE, FundLevel.CITY, FundLevel.DISTRICT
K = FundKind


@dataclass(frozen=True)
class ProgrammeSpec:
    name: str  # without the year
    level: FundLevel
    kind: FundKind
    issuer: str
    department: str  # the zone department's code
    paid_2019: int  # 万元 paid in 2019 on the programme's applications
    won_2019: int  # applications approved (and paid) in 2019


PROGRAMMES: tuple[ProgrammeSpec, ...] = (
    ProgrammeSpec("中央外经贸发展专项资金", C, K.AWARD, "商务部", "zsj", 900, 2),
    ProgrammeSpec("中央工业转型升级资金", C, K.TECH_UPGRADE, "工业和信息化部", "jfj", 1200, 2),
    ProgrammeSpec("河北省重点研发计划", P, K.RND, "河北省科学技术厅", "jfj", 1450, 4),
    ProgrammeSpec(
        "河北省工业转型升级（技改）专项资金",
        P,
        K.TECH_UPGRADE,
        "河北省工业和信息化厅",
        "jfj",
        1900,
        3,
    ),
    ProgrammeSpec(
        "河北省制造业高质量发展示范项目", P, K.DEMONSTRATION, "河北省工业和信息化厅", "jfj", 1000, 2
    ),
    ProgrammeSpec("沧州市科技计划项目", CI, K.RND, "沧州市科学技术局", "jfj", 1050, 4),
    ProgrammeSpec(
        "沧州市智能制造示范项目", CI, K.DEMONSTRATION, "沧州市工业和信息化局", "jfj", 800, 2
    ),
    ProgrammeSpec("沧州市招商引资奖励资金", CI, K.AWARD, "沧州市商务局", "zsj", 1300, 3),
    ProgrammeSpec("开发区企业技术改造补助", D, K.TECH_UPGRADE, "开发区财政局", "qyfwj", 1500, 5),
    ProgrammeSpec("开发区科技创新奖励", D, K.AWARD, "开发区财政局", "qyfwj", 1200, 5),
)
PAID_2019 = sum(spec.paid_2019 for spec in PROGRAMMES)  # 12300 万元 = 1.23亿元
WON_2019 = sum(spec.won_2019 for spec in PROGRAMMES if spec.kind in (K.RND, K.DEMONSTRATION))

TARGET_NAME = "每个县区每年至少落地3个5亿元以上工业项目"
TARGET_FIRST_YEAR = 2019
FILED_BY = "stats"  # the 经发局 statistician files the demo's applications


def _split(total: int, parts: int, rng: random.Random) -> list[Decimal]:
    """`total` 万元 in `parts` whole amounts of uneven size."""
    weights = [rng.randint(6, 14) for _ in range(parts)]
    amounts = [total * w // sum(weights) for w in weights]
    amounts[0] += total - sum(amounts)
    return [Decimal(a) for a in amounts]


def _applicants() -> list[tuple[Enterprise | None, Project | None]]:
    projects = list(Project.objects.filter(code__in=pipeline.KEY_2019_CODES).order_by("code"))
    enterprises = list(Enterprise.objects.order_by("id")[:30])
    pairs: list[tuple[Enterprise | None, Project | None]] = [(None, p) for p in projects]
    pairs += [(e, None) for e in enterprises]
    return pairs


def _day(rng: random.Random, year: int, first_month: int, last_month: int) -> date:
    start = date(year, first_month, 1)
    end = date(year, last_month, 28)
    return start + timedelta(days=rng.randint(0, (end - start).days))


def load_funds(*, result: DemoResult, today: date | None) -> None:
    """The programmes and applications of 2019 (the article's) and, with `today`, the later
    years up to it; the city's target for each year. Whatever exists already is kept."""
    by = User.objects.get(username=FILED_BY)
    departments = {d.code: d for d in Department.objects.filter(code__in={"jfj", "zsj", "qyfwj"})}
    applicants = _applicants()
    until = _lived_until(today)
    for year in range(2019, (until.year if until > AS_OF else 2019) + 1):
        if FundProgramme.objects.filter(year=year).exists():
            continue
        _load_year(year, until, by, departments, applicants, result)
    _load_targets(until, result)


def _lived_until(today: date | None) -> date:
    """The last day the zone's records reach: the article's (mid-2020), or as far as the
    zone has lived (its latest stage move) up to `today`."""
    if today is None:
        return AS_OF
    latest = StageMove.objects.aggregate(last=Max("moved_on"))["last"] or AS_OF
    return min(today, max(latest, AS_OF))


def _load_year(year, until, by, departments, applicants, result) -> None:
    rng = random.Random(f"funds-{year}")  # noqa: S311 (demo data, not secrets)
    sample = year > 2019
    cursor = 0
    # A later year is a sample: every other programme, one application won and one not.
    for spec in PROGRAMMES if not sample else PROGRAMMES[::2]:
        programme = FundProgramme.objects.create(
            name=f"{year}年{spec.name}",
            level=spec.level,
            year=year,
            kind=spec.kind,
            issuer=spec.issuer,
            department=departments[spec.department],
            is_sample=sample,
            created_by=by,
        )
        result.created["fund programmes"] += 1
        won = spec.won_2019 if not sample else 1
        paid_total = spec.paid_2019 if not sample else spec.paid_2019 * rng.randint(8, 13) // 10
        # One application more than those won: it was not approved.
        for paid in [*_split(paid_total, won, rng), None]:
            enterprise, project = applicants[cursor % len(applicants)]
            cursor += 1
            applied_on = _day(rng, year, 2, 5)
            if applied_on > until:
                continue
            title = f"{(project or enterprise).name}{spec.kind.label}申报"
            applied = (paid or Decimal(rng.randint(80, 400))) * Decimal("1.25")
            application = application_file(
                programme=programme,
                title=title[:200],
                applied_amount=applied.quantize(Decimal(1)),
                applied_on=applied_on,
                enterprise=enterprise,
                project=project,
                by=by,
                is_sample=sample,
            )
            result.created["fund applications"] += 1
            decided_on = _day(rng, year, 6, 8)
            if decided_on > until:
                continue
            if paid is None:
                application_reject(
                    application=application, reason="未通过专家评审。", on=decided_on, by=by
                )
                continue
            application_approve(application=application, amount=paid, on=decided_on, by=by)
            paid_on = _day(rng, year, 9, 12)
            if paid_on <= until:
                application_pay(application=application, amount=paid, on=paid_on, by=by)


def _load_targets(until: date, result: DemoResult) -> None:
    last_year = until.year
    existing = set(Target.objects.filter(name=TARGET_NAME).values_list("year", flat=True))
    department = Department.objects.filter(code="zsj").first()
    for year in range(TARGET_FIRST_YEAR, last_year + 1):
        if year in existing:
            continue
        Target.objects.create(
            name=TARGET_NAME,
            kind="project_count",
            year=year,
            required_count=3,
            min_investment=Decimal(50000),
            industrial_only=True,
            landing_stage=Stage.SIGNED,
            issuer="市委市政府",
            document="沧州市县域经济高质量发展考核任务",
            department=department,
            is_sample=year > 2020,
        )
        result.created["targets"] += 1


__all__ = ["PAID_2019", "WON_2019", "FundApplication", "load_funds"]

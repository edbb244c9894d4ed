"""The enterprises of a generated zone: the register (valid credit codes, unique names), their
periodic figures (1-N月 cumulative at each quarter's end that has passed, as enterprises
report them) and who liaises with them (包联)."""

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from zoneops.demo.generator.base import Context, next_id
from zoneops.enterprises.enums import LiaisonKind, LiaisonLevel
from zoneops.enterprises.models import Enterprise, EnterpriseFigure, LiaisonAssignment
from zoneops.enterprises.validators import credit_code_compose
from zoneops.parks.enums import CarrierKind

SYLLABLES = "华宏信达恒泰盛源丰瑞通鑫博远嘉兴科创天成宇航金德隆安凯祥立新永昌润海中合晟越"
TRADES = ("科技", "机械", "新材料", "汽车零部件", "电子", "物流", "精密制造", "生物")
DEPARTMENTS = ("qyfwj", "xmfw-1", "xmfw-2", "xmfw-3")
LEADERS = ("director", "leader", "leader2", "leader3")
REGION = "130971"  # the zone's region code in the generated credit codes


def _name(index: int) -> str:
    """A unique name per index: three syllables and a trade in mixed radix."""
    size = len(SYLLABLES)
    a, rest = index % size, index // size
    b, rest = rest % size, rest // size
    c, rest = rest % size, rest // size
    trade = TRADES[rest % len(TRADES)]
    suffix = f"{rest // len(TRADES) + 1}号" if rest >= len(TRADES) else ""
    return f"沧州{SYLLABLES[a]}{SYLLABLES[b]}{SYLLABLES[c]}{trade}有限公司{suffix}"


def generate(ctx: Context) -> None:
    assert ctx.org is not None
    org = ctx.org
    rng = ctx.rng("enterprises")
    first = next_id(Enterprise)
    parks = org.parks.get(CarrierKind.PARK, []) + org.parks.get(CarrierKind.INCUBATOR, [])
    industries = sorted(org.industries.values())
    rows = []
    for index in range(ctx.scale.enterprises):
        department = rng.choice(DEPARTMENTS)
        rows.append(
            {
                "id": first + index,
                "name": _name(index),
                "credit_code": credit_code_compose(
                    region=REGION, organisation=f"{70_000_000 + index:08d}"
                ),
                "legal_representative": rng.choice("王李张刘陈杨赵黄周吴")
                + rng.choice("伟芳强静磊敏"),
                "registered_capital": Decimal(round(10 ** rng.uniform(2, 5))),
                "established_on": ctx.start - timedelta(days=rng.randint(-3000, 5000)),
                "park_id": rng.choice(parks) if parks and rng.random() < 0.7 else None,
                "responsible_department_id": org.departments[department],
                "industry_id": rng.choice(industries),
                "is_above_scale_industry": rng.random() < 0.2,
                "is_high_tech": rng.random() < 0.1,
                "is_specialized": rng.random() < 0.05,
                "is_tech_sme": rng.random() < 0.15,
                "is_sample": True,
            }
        )
    ctx.write(Enterprise, rows)
    ctx.shared["enterprise_ids"] = [row["id"] for row in rows]
    ctx.shared["enterprise_departments"] = {
        row["id"]: row["responsible_department_id"] for row in rows
    }
    ctx.write(EnterpriseFigure, _figures(ctx, rows))
    ctx.write(LiaisonAssignment, _liaisons(ctx, rows))


def _quarters(ctx: Context) -> list[tuple[int, int]]:
    """The quarter ends of the ten years whose month has passed, oldest first."""
    periods = []
    for year in range(ctx.start.year, ctx.today.year + 1):
        for month in (3, 6, 9, 12):
            end = (date(year, month, 1) + timedelta(days=32)).replace(day=1)
            if end <= ctx.today:
                periods.append((year, month))
    return periods


def _figures(ctx: Context, enterprises: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Each enterprise reports the last k quarters (k averaging the large zone's 12.5 rows per
    enterprise): revenue and the rest cumulative from January, employees at the quarter's end."""
    rng = ctx.rng("figures")
    periods = _quarters(ctx)
    per = ctx.scale.figures / ctx.scale.enterprises
    for row in enterprises:
        count = min(len(periods), max(1, round(rng.uniform(1, 2 * per - 1))))
        revenue = Decimal(10 ** rng.uniform(2, 5.5))
        people = rng.randint(10, 3000)
        for year, month in periods[-count:]:
            share = Decimal(month) / 12 * Decimal(1 + 0.06 * (year - ctx.start.year))
            value = (revenue * share).quantize(Decimal("0.01"))
            yield {
                "enterprise_id": row["id"],
                "year": year,
                "month": month,
                "revenue": value,
                "output_value": (value * Decimal("0.9")).quantize(Decimal("0.01")),
                "tax": (value * Decimal("0.05")).quantize(Decimal("0.01")),
                "employees": people,
                "rnd_spending": (value * Decimal("0.03")).quantize(Decimal("0.01")),
                "exports": None,
                "note": "",
            }


def _liaisons(ctx: Context, enterprises: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Department liaison for two in five, a leader for one in ten, an inspector for one in
    twenty; some ended, all begun within the ten years."""
    assert ctx.org is not None
    rng = ctx.rng("liaisons")
    leaders = [ctx.org.users[name] for name in LEADERS]
    inspector = ctx.org.users["inspector"]

    def row(enterprise: int, kind: str, person: int | None, department: int | None) -> dict:
        started = ctx.day(rng)
        ended = started + timedelta(days=rng.randint(180, 1500)) if rng.random() < 0.2 else None
        return {
            "enterprise_id": enterprise,
            "kind": kind,
            "level": LiaisonLevel.DISTRICT if rng.random() < 0.8 else LiaisonLevel.PROVINCE_CITY,
            "person_id": person,
            "department_id": department,
            "started_on": started,
            "ended_on": ended if ended and ended < ctx.today else None,
            "note": "",
        }

    for enterprise in enterprises:
        pk = enterprise["id"]
        if rng.random() < 0.4:
            yield row(pk, LiaisonKind.DEPARTMENT, None, enterprise["responsible_department_id"])
        if rng.random() < 0.1:
            yield row(pk, LiaisonKind.LEADER, rng.choice(leaders), None)
        if rng.random() < 0.05:
            yield row(pk, LiaisonKind.INSPECTOR, inspector, None)

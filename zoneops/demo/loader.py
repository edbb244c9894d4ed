"""Load the demo zone (`zoneops.demo.data`) into the database. Idempotent.

Every area has its own `load_<area>` function. Each looks its records up by a natural key
(department code, park name, enterprise name, username) and creates only what is missing, so
a second run creates nothing twice and leaves alone whatever a user edited since. The one
exception is the demo accounts' password: it is set to the password given, so the password
that `zoneops demo` prints always works.
"""

from collections import Counter
from dataclasses import dataclass, field
from typing import TextIO

from django.db import transaction

from zoneops.common.services import record_save
from zoneops.demo import data
from zoneops.enterprises.models import Enterprise
from zoneops.orgs.models import Department, Membership, Role, User
from zoneops.orgs.services import department_create, user_create, user_set_password
from zoneops.parks.models import Park


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: str  # the role's name as stored (an administrator may have renamed it)
    department: str  # primary department, or the enterprise for an enterprise user


@dataclass
class DemoResult:
    password: str
    accounts: list[DemoAccount] = field(default_factory=list)
    created: Counter[str] = field(default_factory=Counter)  # area → records created

    @property
    def created_total(self) -> int:
        return sum(self.created.values())


@transaction.atomic
def load_demo_zone(*, password: str, stdout: TextIO | None = None) -> DemoResult:
    """Create whatever of the demo zone is missing; return the demo accounts."""
    result = DemoResult(password=password)
    departments = load_organisation(result=result)
    load_parks(result=result)
    enterprises = load_enterprises(result=result)
    load_accounts(
        result=result, password=password, departments=departments, enterprises=enterprises
    )
    if stdout is not None:
        _report(result, stdout)
    return result


def load_organisation(*, result: DemoResult) -> dict[str, Department]:
    """The department tree: 沧州市 → 管委会 → bureaus → sections. Returns them by code."""
    codes = [spec.code for spec in data.DEPARTMENTS]
    by_code = {d.code: d for d in Department.objects.filter(code__in=codes)}
    for order, spec in enumerate(data.DEPARTMENTS):
        if spec.code in by_code:
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
    }
    parts = [f"{labels.get(area, area)} {count}" for area, count in result.created.items()]
    stdout.write("新建 / created: " + ", ".join(parts) + "\n")

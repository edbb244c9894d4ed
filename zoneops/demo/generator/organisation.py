"""The ground of a generated zone: the demo's organisation, accounts, industries, carriers and
service catalogue, loaded by the demo loader's own functions (so the demo accounts log in and
see the generated zone), read back as plain ids for the other steps."""

from zoneops.demo import loader
from zoneops.demo.approvals import load_catalogue
from zoneops.demo.generator.base import Context, Organisation
from zoneops.demo.results import DemoResult
from zoneops.enterprises.enums import DEFAULT_REQUEST_LIMITS
from zoneops.enterprises.models import RequestKindLimit
from zoneops.parks.models import Park


def generate(ctx: Context) -> None:
    result = DemoResult(password=ctx.shared["password"])
    departments = loader.load_organisation(result=result)
    loader.load_parks(result=result)  # read back by kind below
    enterprises = loader.load_enterprises(result=result)
    users = loader.load_accounts(
        result=result,
        password=ctx.shared["password"],
        departments=departments,
        enterprises=enterprises,
    )
    industries = loader.load_industries(result=result)
    items = load_catalogue(result=result)
    ctx.shared["accounts"] = result.accounts
    by_kind: dict[str, list[int]] = {}
    for park in Park.objects.order_by("pk").values("pk", "kind"):
        by_kind.setdefault(park["kind"], []).append(park["pk"])
    limits = dict(DEFAULT_REQUEST_LIMITS)
    limits.update(RequestKindLimit.objects.values_list("kind", "limit_days"))
    ctx.org = Organisation(
        departments={code: d.pk for code, d in departments.items()},
        users={u.username: u.pk for u in users},
        parks=by_kind,
        industries={code: i.pk for code, i in industries.items()},
        items=[
            (i.pk, i.department_id, i.promised_days, i.listed_on)
            for i in items
            if i.withdrawn_on is None
        ],
        request_limits=limits,
        anchor_enterprise=next(iter(enterprises.values())).pk,
    )
    ctx.counts["base records (demo loader)"] += result.created_total

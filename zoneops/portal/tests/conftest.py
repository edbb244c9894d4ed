"""A small zone for the hall: an automotive chain led by the investment bureau (two officers
in its section, one already busy), a park with free units, a published policy, and projects
signed and started."""

from datetime import date
from decimal import Decimal

import pytest

from zoneops.industry.models import IndustryCategory, IndustryChain
from zoneops.industry.services import chain_save
from zoneops.industry.tests.factories import make_node
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.parks.enums import CarrierKind
from zoneops.parks.models import Building, Park, Unit
from zoneops.portal.models import Policy
from zoneops.portal.services import policy_publish, policy_review, policy_save
from zoneops.projects.enums import Stage
from zoneops.projects.tests.factories import make_project
from zoneops.pytest_clock import frozen_on

TODAY = date(2026, 5, 20)

_frozen = frozen_on(TODAY)


def publish(policy: Policy, *, writer, reviewer) -> Policy:
    policy_save(policy=policy, by=writer)
    policy_review(policy=policy, by=reviewer)
    return policy_publish(policy=policy, by=reviewer)


@pytest.fixture
def hall(org):
    auto = IndustryCategory.objects.create(name="汽车", code="auto", gb_section="C", is_lead=True)
    materials = IndustryCategory.objects.create(name="新材料", code="new-materials")
    chain = chain_save(
        chain=IndustryChain(
            name="汽车产业链", industry=auto, managing_department=org["investment"]
        ),
        by=None,
    )
    make_node(chain, "整车制造")
    make_node(chain, "动力电池")
    park = Park.objects.create(
        name="中日韩产业园", kind=CarrierKind.PARK, target_industries="汽车零部件"
    )
    building = Building.objects.create(park=park, name="1号厂房", order=1)
    Unit.objects.create(building=building, name="101", area_m2=Decimal(1000))
    Unit.objects.create(building=building, name="102", area_m2=Decimal(600))
    busy = make_user(RoleCode.STAFF, departments=[org["investment_section"]], username="busy")
    free = make_user(RoleCode.STAFF, departments=[org["investment_section"]], username="free")
    writer = make_user(RoleCode.STAFF, departments=[org["investment"]], username="writer")
    head = make_user(RoleCode.DEPARTMENT_HEAD, departments=[org["investment"]], username="head")
    other = make_user(RoleCode.STAFF, departments=[org["approvals"]], username="other")
    principal = make_user(RoleCode.PRINCIPAL, departments=[org["zone"]], username="principal")
    make_project("已有线索", owner=busy, industry=auto)
    make_project(
        "沧州韩泰汽车部件项目",
        moves=[(Stage.LEAD, date(2026, 1, 5)), (Stage.SIGNED, date(2026, 3, 2))],
        industry=auto,
        park=park,
        investment=50000,
    )
    make_project(
        "明珠新材料项目",
        moves=[
            (Stage.LEAD, date(2025, 6, 1)),
            (Stage.SIGNED, date(2025, 9, 1)),
            (Stage.STARTED, date(2026, 4, 18)),
        ],
        industry=materials,
        investment=120000,
    )
    policy = publish(
        Policy(
            title="汽车零部件企业入驻扶持办法",
            summary="厂房租金前三年减半。",
            body="一、适用范围……",
            department=org["investment"],
            valid_from=date(2026, 1, 1),
            valid_to=date(2028, 12, 31),
        ),
        writer=writer,
        reviewer=head,
    )
    return {
        **org,
        "auto": auto,
        "materials": materials,
        "chain": chain,
        "park": park,
        "busy": busy,
        "free": free,
        "head": head,
        "writer": writer,
        "other": other,
        "principal": principal,
        "policy": policy,
    }

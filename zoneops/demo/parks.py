"""The demo's carriers in space: boundaries, phases, buildings, units and leases (sample data).

The article gives the phases of 中商高科·沧州产业园 (一期 395亩, about 26万 m², 17 buildings topped
out; 二期 and 三期 in preparation) and nothing else about buildings or tenants: the rest is
generated, deterministically, and marked `is_sample`. Boundaries are plausible polygons in the
沧州经济开发区 (116.80–117.00 E, 38.20–38.40 N), one per grid cell so they never overlap, with an
area close to the carrier's 亩. Tenants are enterprises of the demo register, those registered in
the park first; leases start from 2019 on, so occupancy grows to the day the zone is loaded.

Idempotent: a park that has buildings already is left as it is, a boundary or fitting industries
a user set are kept."""

import math
import random
from datetime import date, timedelta
from decimal import Decimal

from zoneops.common.services import record_save, records_bulk_create
from zoneops.demo import data
from zoneops.demo.problems import AS_OF
from zoneops.demo.results import DemoResult
from zoneops.enterprises.models import Enterprise
from zoneops.industry.models import IndustryCategory
from zoneops.parks.enums import CarrierKind, PhaseStatus, UnitUse
from zoneops.parks.models import Building, Lease, Park, ParkPhase, Unit

M2_PER_MU = Decimal("666.67")
WEST, SOUTH = 116.80, 38.20
CELL = 0.02  # degrees (about 1.7 × 2.2 km): the largest park (1200亩, ~1.2 km across) fits its cell
COLUMNS = 5
M_PER_DEGREE_LAT = 111_000.0
FIRST_LEASE = date(2019, 1, 1)

# Area in 亩 where the article gives none.
DEFAULT_MU = {
    CarrierKind.PARK: Decimal(1200),
    CarrierKind.CENTRE: Decimal(40),
    CarrierKind.INSTITUTE: Decimal(30),
    CarrierKind.INCUBATOR: Decimal(50),
    CarrierKind.ACCELERATOR: Decimal(80),
    CarrierKind.TEST_AREA: Decimal(300),
}
# (buildings, units per building, unit area m²) by kind; a test area has roads, not buildings.
SPACE = {
    CarrierKind.PARK: (8, 4, 2400),
    CarrierKind.CENTRE: (1, 8, 300),
    CarrierKind.INSTITUTE: (1, 6, 400),
    CarrierKind.INCUBATOR: (2, 10, 150),
    CarrierKind.ACCELERATOR: (2, 6, 800),
}
# Words of a carrier's 招商方向 → the demo's industry codes (data.INDUSTRIES).
INDUSTRY_WORDS = (
    ("整车", "auto"),
    ("汽车", "auto"),
    ("零部件", "auto"),
    ("新能源", "nev"),
    ("智能网联", "icv"),
    ("自动驾驶", "icv"),
    ("车路协同", "icv"),
    ("新材料", "new-materials"),
    ("航空航天", "aerospace"),
    ("军民融合", "aerospace"),
    ("电子信息", "electronics"),
    ("高端装备", "equipment"),
    ("高端制造", "equipment"),
    ("生物", "biomedicine"),
    ("商贸物流", "logistics"),
    ("智能化", "aiot"),
    ("研发", "rnd"),
)
ZSHK_PHASES = (
    # name, status, 亩, m², started
    ("一期", PhaseStatus.BUILDING, Decimal(395), Decimal(260000), date(2019, 3, 1)),
    ("二期", PhaseStatus.PREPARING, None, None, None),
    ("三期", PhaseStatus.PREPARING, None, None, None),
)
ZSHK_BUILDINGS = 17  # "17栋建筑已封顶"
ZSHK_OPENS = date(2021, 6, 1)  # generated: the topped-out buildings let from mid-2021


def load_park_space(*, result: DemoResult, today: date | None) -> None:
    """Boundaries, fitting industries, phases, buildings, units and leases of the demo carriers."""
    on = today or AS_OF
    parks = {park.name: park for park in Park.objects.filter(name__in=[s.name for s in data.PARKS])}
    industries = {i.code: i for i in IndustryCategory.objects.all()}
    with_buildings = set(
        Building.objects.filter(park__in=parks.values()).values_list("park_id", flat=True)
    )
    pool = _tenant_pool()
    for index, spec in enumerate(data.PARKS):
        park = parks.get(spec.name)
        if park is None:
            continue
        if park.boundary is None:
            park.boundary = boundary_for(index, park.area_mu or DEFAULT_MU[park.kind], spec.name)
            park.is_sample = True
            record_save(instance=park, by=None, reason="演示：生成的园区边界")
            result.created["park_boundaries"] += 1
        if not park.industries.exists():
            codes = [code for word, code in INDUSTRY_WORDS if word in spec.target_industries]
            fitting = [industries[code] for code in dict.fromkeys(codes) if code in industries]
            if fitting:
                park.industries.set(fitting)
        if park.pk in with_buildings:
            continue
        _load_space(park=park, on=on, pool=pool, result=result)


def boundary_for(index: int, area_mu: Decimal, name: str) -> dict:
    """A closed hexagon-like polygon of about `area_mu` 亩 in the index's grid cell."""
    rng = random.Random(f"boundary:{name}")  # noqa: S311 - deterministic sample data
    column, row = index % COLUMNS, index // COLUMNS
    centre_lon = WEST + (column + 0.5) * CELL
    centre_lat = SOUTH + (row + 0.5) * CELL
    area_m2 = float(area_mu * M2_PER_MU)
    m_per_degree_lon = M_PER_DEGREE_LAT * math.cos(math.radians(centre_lat))
    # A regular hexagon of radius r has area 3√3/2 r²; jitter its corners a little.
    radius = math.sqrt(area_m2 / (3 * math.sqrt(3) / 2))
    ring = []
    for corner in range(6):
        angle = math.radians(corner * 60 + rng.uniform(-8, 8))
        r = radius * rng.uniform(0.92, 1.08)
        ring.append(
            [
                round(centre_lon + r * math.cos(angle) / m_per_degree_lon, 7),
                round(centre_lat + r * math.sin(angle) / M_PER_DEGREE_LAT, 7),
            ]
        )
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


def _tenant_pool() -> dict[int | None, list[Enterprise]]:
    """The register's enterprises by their park (None: in no park), in a stable order."""
    pool: dict[int | None, list[Enterprise]] = {}
    for enterprise in Enterprise.objects.order_by("id").only("id", "park_id", "name"):
        pool.setdefault(enterprise.park_id, []).append(enterprise)
    return pool


def _load_space(
    *, park: Park, on: date, pool: dict[int | None, list[Enterprise]], result: DemoResult
) -> None:
    rng = random.Random(f"space:{park.name}")  # noqa: S311 - deterministic sample data
    phase = None
    opens = FIRST_LEASE
    if park.name == data.ZSHK_PARK:
        phases = [
            ParkPhase(
                park=park,
                name=name,
                status=status,
                area_mu=mu,
                floor_area_m2=m2,
                started_on=started,
                order=order,
            )
            for order, (name, status, mu, m2, started) in enumerate(ZSHK_PHASES)
        ]
        records_bulk_create(model=ParkPhase, instances=phases, by=None)
        result.created["park_phases"] += len(phases)
        phase = ParkPhase.objects.get(park=park, name="一期")
        count, per_building, unit_area = ZSHK_BUILDINGS, 4, 3000
        opens = ZSHK_OPENS
    elif park.kind in SPACE:
        count, per_building, unit_area = SPACE[CarrierKind(park.kind)]
    else:
        return
    buildings = [
        Building(
            park=park,
            phase=phase,
            name=f"{number}号楼" if park.kind != CarrierKind.PARK else f"{number}号厂房",
            floors=rng.choice((1, 2, 3, 4, 5)),
            order=number,
            is_sample=True,
        )
        for number in range(1, count + 1)
    ]
    records_bulk_create(model=Building, instances=buildings, by=None)
    buildings = list(Building.objects.filter(park=park).order_by("order"))
    units = []
    for building in buildings:
        for number in range(1, per_building + 1):
            area = Decimal(unit_area) * Decimal(rng.choice((0.6, 0.8, 1, 1, 1.2, 1.5)))
            units.append(
                Unit(
                    building=building,
                    name=f"{number:02d}",
                    use=UnitUse.FACTORY if park.kind == CarrierKind.PARK else UnitUse.OFFICE,
                    area_m2=area.quantize(Decimal("0.01")),
                    order=number,
                )
            )
    records_bulk_create(model=Unit, instances=units, by=None)
    units = list(Unit.objects.filter(building__park=park).order_by("building__order", "order"))
    result.created["park_buildings"] += len(buildings)
    result.created["park_units"] += len(units)
    if on <= opens:
        return
    # The park's own enterprises first, then a share of the others (in no park first).
    others = [
        *pool.get(None, []),
        *(e for key, es in pool.items() if key not in (None, park.pk) for e in es),
    ]
    tenants = [*pool.get(park.pk, []), *others[park.pk % 7 :: 7]]
    leases = []
    taken = 0
    span = (on - opens).days
    for index, unit in enumerate(units):
        if not tenants or rng.random() > 0.85:
            continue  # about 15% stay free
        starts = opens + timedelta(days=int(span * rng.random() ** 1.3))
        tenant = tenants[taken % len(tenants)]  # the park's own enterprises first
        taken += 1
        if rng.random() < 0.15 and (starts - opens).days > 200:
            # An earlier tenant who moved out before the present one came.
            first_start = opens + timedelta(days=rng.randrange((starts - opens).days - 100))
            leases.append(
                Lease(
                    unit=unit,
                    tenant=tenants[-1 - index % len(tenants)],
                    starts_on=first_start,
                    ends_on=starts - timedelta(days=rng.randrange(20, 90)),
                    note="演示数据",
                )
            )
        leases.append(Lease(unit=unit, tenant=tenant, starts_on=starts, note="演示数据"))
    records_bulk_create(model=Lease, instances=leases, by=None)
    result.created["park_leases"] += len(leases)

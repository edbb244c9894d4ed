"""Reads of the parks and carriers: occupancy as of any day, worked out from the leases."""

from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from zoneops.common.scope import scope_queryset
from zoneops.parks.models import Building, Lease, Park, Unit


def parks_visible(*, user: Any = None) -> QuerySet[Park]:
    queryset = Park.objects.select_related("managing_department")
    return queryset if user is None else scope_queryset(queryset, user)


def leases_on(on: date) -> QuerySet[Lease]:
    """The leases running on a day: started on or before it, not ended before it."""
    return Lease.objects.filter(starts_on__lte=on).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=on)
    )


@dataclass(frozen=True)
class Occupancy:
    """A park's lettable space on one day: units and area, and how much of each is leased."""

    units: int = 0
    units_leased: int = 0
    area_m2: Decimal = Decimal(0)
    area_leased_m2: Decimal = Decimal(0)

    @property
    def units_free(self) -> int:
        return self.units - self.units_leased

    @property
    def area_free_m2(self) -> Decimal:
        return self.area_m2 - self.area_leased_m2

    @property
    def rate(self) -> Decimal | None:
        """Leased area of the total, in per cent (one decimal); None for a park without units."""
        if not self.area_m2:
            return None
        return (self.area_leased_m2 * 100 / self.area_m2).quantize(Decimal("0.1"))


def parks_occupancy(*, on: date, parks: Iterable[int] | None = None) -> dict[int, Occupancy]:
    """Occupancy of each park (by id) on a day, in one query whatever the number of parks. A
    park with no units has an empty Occupancy; a unit counts as leased when any lease of it runs
    on the day."""
    units = Unit.objects.all()
    if parks is not None:
        units = units.filter(building__park_id__in=list(parks))
    leased = Exists(leases_on(on).filter(unit=OuterRef("pk")))
    rows = (
        units.annotate(leased=leased)
        .values("building__park_id", "leased")
        .annotate(count=Count("id"), area=Sum("area_m2"))
    )
    totals: dict[int, dict[str, Any]] = {}
    for row in rows:
        total = totals.setdefault(
            row["building__park_id"],
            {"units": 0, "units_leased": 0, "area_m2": Decimal(0), "area_leased_m2": Decimal(0)},
        )
        total["units"] += row["count"]
        total["area_m2"] += row["area"]
        if row["leased"]:
            total["units_leased"] += row["count"]
            total["area_leased_m2"] += row["area"]
    wanted = totals.keys() if parks is None else parks
    return {park_id: Occupancy(**totals.get(park_id, {})) for park_id in wanted}


def parks_with_occupancy(queryset: QuerySet[Park], *, on: date) -> QuerySet[Park]:
    """Parks annotated with their units' total and leased area on a day (`area_total`,
    `area_leased`), for a list: two subqueries, whatever the number of parks."""
    units = Unit.objects.filter(building__park=OuterRef("pk")).order_by().values("building__park")
    total = units.annotate(s=Sum("area_m2")).values("s")
    leased = (
        units.filter(Exists(leases_on(on).filter(unit=OuterRef("pk"))))
        .annotate(s=Sum("area_m2"))
        .values("s")
    )
    return queryset.annotate(
        area_total=Coalesce(Subquery(total), Value(Decimal(0)), output_field=DecimalField()),
        area_leased=Coalesce(Subquery(leased), Value(Decimal(0)), output_field=DecimalField()),
    )


@dataclass(frozen=True)
class OccupancyPoint:
    """Occupancy on one day of a park's history (a month's or a year's last day)."""

    day: date
    occupancy: Occupancy
    by_year: bool = False


def _month_end(year: int, month: int) -> date:
    return date(year, month, monthrange(year, month)[1])


def park_occupancy_history(*, park: Park, on: date, months: int = 24) -> list[OccupancyPoint]:
    """A park's occupancy at the end of each of the last `months` months up to `on` (the last
    point is `on` itself), and before them at each year's end back to its first lease: two
    queries, the figures worked out from the units and their leases."""
    units = list(Unit.objects.filter(building__park=park).values_list("pk", "area_m2"))
    leases = list(
        Lease.objects.filter(unit__building__park=park).values_list(
            "unit_id", "starts_on", "ends_on"
        )
    )
    days: list[tuple[date, bool]] = []
    year, month = on.year, on.month
    for _step in range(months):
        day = min(_month_end(year, month), on)
        days.append((day, False))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    first_month_day = days[-1][0] if days else on
    if leases:
        first_year = min(starts for _unit, starts, _ends in leases).year
        for year in range(first_month_day.year - 1, first_year - 1, -1):
            days.append((date(year, 12, 31), True))
    return [
        OccupancyPoint(day=day, occupancy=_occupancy_from(units, leases, day), by_year=by_year)
        for day, by_year in reversed(days)
    ]


def _occupancy_from(
    units: list[tuple[int, Decimal]], leases: list[tuple[int, date, date | None]], on: date
) -> Occupancy:
    leased = {
        unit for unit, starts, ends in leases if starts <= on and (ends is None or ends >= on)
    }
    return Occupancy(
        units=len(units),
        units_leased=sum(1 for pk, _area in units if pk in leased),
        area_m2=sum((area for _pk, area in units), Decimal(0)),
        area_leased_m2=sum((area for pk, area in units if pk in leased), Decimal(0)),
    )


@dataclass(frozen=True)
class UnitRow:
    unit: Unit
    lease: Lease | None  # the lease running on the day, if any

    @property
    def is_free(self) -> bool:
        return self.lease is None


@dataclass(frozen=True)
class BuildingRow:
    building: Building
    units: list[UnitRow]

    @property
    def area_m2(self) -> Decimal:
        return sum((row.unit.area_m2 for row in self.units), Decimal(0))

    @property
    def free_units(self) -> list[UnitRow]:
        return [row for row in self.units if row.is_free]

    @property
    def free_area_m2(self) -> Decimal:
        return sum((row.unit.area_m2 for row in self.free_units), Decimal(0))


def park_buildings(*, park: Park, on: date) -> list[BuildingRow]:
    """A park's buildings with their units and each unit's tenant on a day (three queries)."""
    buildings = list(Building.objects.filter(park=park).select_related("phase"))
    units = list(Unit.objects.filter(building__park=park))
    running = {
        lease.unit_id: lease
        for lease in leases_on(on)
        .filter(unit__building__park=park)
        .select_related("tenant")
        .order_by("starts_on")
    }
    by_building: dict[int, list[UnitRow]] = {building.pk: [] for building in buildings}
    for unit in units:
        by_building[unit.building_id].append(UnitRow(unit=unit, lease=running.get(unit.pk)))
    return [BuildingRow(building=b, units=by_building[b.pk]) for b in buildings]


def park_free_space(*, park: Park, on: date) -> list[BuildingRow]:
    """The buildings with free units on a day, each with only its free units."""
    rows = []
    for row in park_buildings(park=park, on=on):
        free = row.free_units
        if free:
            rows.append(BuildingRow(building=row.building, units=free))
    return rows

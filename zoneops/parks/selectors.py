"""Reads of the parks and carriers: occupancy as of any day, worked out from the leases."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from zoneops.common.scope import scope_queryset
from zoneops.parks.models import Lease, Park, Unit


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

"""Writes of the parks and carriers: parks, phases, buildings, units and leases under the rule of
who manages the park, and the park's boundary read from an uploaded GeoJSON file.

Every write goes through `record_save`/`record_delete` (version check, history). Who may write
follows the park: its managing department and the zone-wide roles (`scope_write_parent` chains
Lease → Unit → Building → Park); every staff member reads."""

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from zoneops.common.exceptions import ApplicationError, PermissionDeniedError
from zoneops.common.scope import can_write, scope_for
from zoneops.common.services import acting_user, record_delete, record_save
from zoneops.orgs.models import User
from zoneops.orgs.selectors import sole_department
from zoneops.parks.geojson import boundary_parse
from zoneops.parks.models import Building, Lease, Park, ParkPhase, Unit


def _check_writable(actor: User | None, record: Any) -> None:
    """The park's managing department and the zone-wide roles change a park and what is in it."""
    if actor is not None and not can_write(actor, record):
        raise PermissionDeniedError(
            _("只有园区的管理部门或有全区数据权限的人员可以修改“%(record)s”。") % {"record": record}
        )


@transaction.atomic
def park_save(*, park: Park, by: User | None, expected_version: int | None = None) -> Park:
    """Save a new or edited park. Its managing department keeps it (and the figures of the
    enterprises in it), so who manages an existing park is decided zone-wide. A new park that
    names none is kept by its author's department (when he belongs to exactly one): else
    nobody but the zone-wide roles could complete what he started."""
    actor = acting_user(by)
    if park.pk is None and park.managing_department_id is None and actor is not None:
        park.managing_department = sole_department(user=actor)
    if actor is not None and park.pk is not None and not scope_for(actor).everything:
        stored = (
            Park._base_manager.filter(pk=park.pk)
            .values_list("managing_department_id", flat=True)
            .first()
        )
        if stored != park.managing_department_id:
            raise PermissionDeniedError(
                _("园区的管理部门只能由主要领导或系统管理员变更。"), field="managing_department"
            )
        _check_writable(actor, Park._base_manager.get(pk=park.pk))
    _check_floor_area(park=park)
    return record_save(instance=park, by=by, expected_version=expected_version)


@transaction.atomic
def park_set_boundary(
    *, park: Park, content: bytes, by: User | None, expected_version: int | None = None
) -> Park:
    """Store the boundary read from an uploaded GeoJSON file (checked and normalised by
    `boundary_parse`); a bad file changes nothing."""
    _check_writable(acting_user(by), park)
    park.boundary = boundary_parse(content)
    return record_save(
        instance=park, by=by, expected_version=expected_version, reason=_("上传园区边界")
    )


@transaction.atomic
def park_clear_boundary(
    *, park: Park, by: User | None, expected_version: int | None = None
) -> Park:
    _check_writable(acting_user(by), park)
    park.boundary = None
    return record_save(
        instance=park, by=by, expected_version=expected_version, reason=_("清除园区边界")
    )


@transaction.atomic
def phase_save(
    *, phase: ParkPhase, by: User | None, expected_version: int | None = None
) -> ParkPhase:
    _check_writable(acting_user(by), phase)
    if phase.started_on and phase.completed_on and phase.completed_on < phase.started_on:
        raise ApplicationError(_("建成日期不能早于开工日期。"), field="completed_on")
    return record_save(instance=phase, by=by, expected_version=expected_version)


@transaction.atomic
def phase_delete(*, phase: ParkPhase, by: User | None, expected_version: int | None = None) -> None:
    _check_writable(acting_user(by), phase)
    record_delete(instance=phase, by=by, expected_version=expected_version)


@transaction.atomic
def building_save(
    *, building: Building, by: User | None, expected_version: int | None = None
) -> Building:
    _check_writable(acting_user(by), building)
    phase = building.phase if building.phase_id is not None else None
    if phase is not None and phase.park_id != building.park_id:
        raise ApplicationError(
            _("分期“%(phase)s”不属于园区“%(park)s”。")
            % {"phase": building.phase, "park": building.park},
            field="phase",
        )
    if building.pk is not None:
        stored_park = Building._base_manager.filter(pk=building.pk).values_list(
            "park_id", flat=True
        )[0]
        if stored_park != building.park_id:
            raise ApplicationError(_("楼宇不能移到另一个园区。"), field="park")
    return record_save(instance=building, by=by, expected_version=expected_version)


@transaction.atomic
def building_delete(
    *, building: Building, by: User | None, expected_version: int | None = None
) -> None:
    _check_writable(acting_user(by), building)
    if Lease.objects.filter(unit__building=building).exists():
        raise ApplicationError(
            _("楼宇“%(building)s”的单元有租赁记录，不能删除。") % {"building": building},
            code="protected",
        )
    record_delete(instance=building, by=by, expected_version=expected_version)


@transaction.atomic
def unit_save(*, unit: Unit, by: User | None, expected_version: int | None = None) -> Unit:
    """Save a unit: its area is positive, and the units of a park together are no larger than
    the park's floor area (when it is given)."""
    _check_writable(acting_user(by), unit)
    if unit.area_m2 is None or unit.area_m2 <= 0:
        raise ApplicationError(_("单元面积须大于0平方米。"), field="area_m2")
    if unit.pk is not None:
        stored_building = Unit._base_manager.filter(pk=unit.pk).values_list(
            "building__park_id", flat=True
        )[0]
        if stored_building != unit.building.park_id:
            raise ApplicationError(_("单元不能移到另一个园区的楼宇。"), field="building")
    park = unit.building.park
    if park.floor_area_m2:
        others = (
            Unit.objects.filter(building__park=park).exclude(pk=unit.pk).aggregate(s=Sum("area_m2"))
        )["s"] or Decimal(0)
        if others + unit.area_m2 > park.floor_area_m2:
            raise ApplicationError(
                _(
                    "园区“%(park)s”各单元面积合计（%(total)s平方米）将超过其建筑面积"
                    "（%(floor)s平方米）。"
                )
                % {"park": park, "total": others + unit.area_m2, "floor": park.floor_area_m2},
                field="area_m2",
            )
    return record_save(instance=unit, by=by, expected_version=expected_version)


@transaction.atomic
def unit_delete(*, unit: Unit, by: User | None, expected_version: int | None = None) -> None:
    """A unit with leases (running or past) is kept: its occupancy history reads them."""
    _check_writable(acting_user(by), unit)
    if unit.leases.exists():
        raise ApplicationError(
            _("单元“%(unit)s”有租赁记录，不能删除。") % {"unit": unit}, code="protected"
        )
    record_delete(instance=unit, by=by, expected_version=expected_version)


@transaction.atomic
def lease_save(*, lease: Lease, by: User | None, expected_version: int | None = None) -> Lease:
    """Save a lease: it may not overlap another lease of the same unit."""
    _check_writable(acting_user(by), lease)
    if lease.ends_on is not None and lease.starts_on and lease.ends_on < lease.starts_on:
        raise ApplicationError(_("退租日期不能早于起租日期。"), field="ends_on")
    if lease.pk is not None:
        stored_park = Lease._base_manager.filter(pk=lease.pk).values_list(
            "unit__building__park_id", flat=True
        )[0]
        if stored_park != lease.unit.building.park_id:
            raise ApplicationError(_("租赁不能移到另一个园区的单元。"), field="unit")
    # Two saves of leases of one unit wait for each other: the second sees the first.
    Unit._base_manager.select_for_update().filter(pk=lease.unit_id).first()
    overlapping = lease_overlapping(lease=lease)
    if overlapping is not None:
        raise ApplicationError(
            _("单元“%(unit)s”在该期间已租给“%(tenant)s”（%(start)s起%(end)s），租期不能重叠。")
            % {
                "unit": lease.unit,
                "tenant": overlapping.tenant,
                "start": overlapping.starts_on.isoformat(),
                "end": _("至%s") % overlapping.ends_on.isoformat()
                if overlapping.ends_on
                else _("，仍在租"),
            },
            field="starts_on",
        )
    return record_save(instance=lease, by=by, expected_version=expected_version)


def lease_overlapping(*, lease: Lease) -> Lease | None:
    """Another lease of the lease's unit whose days meet the lease's days."""
    others = Lease.objects.filter(unit_id=lease.unit_id).exclude(pk=lease.pk)
    others = others.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=lease.starts_on))
    if lease.ends_on is not None:
        others = others.filter(starts_on__lte=lease.ends_on)
    return others.select_related("tenant").order_by("starts_on").first()


@transaction.atomic
def lease_delete(*, lease: Lease, by: User | None, expected_version: int | None = None) -> None:
    _check_writable(acting_user(by), lease)
    record_delete(instance=lease, by=by, expected_version=expected_version)


def _check_floor_area(*, park: Park) -> None:
    if park.pk is None or not park.floor_area_m2:
        return
    total = Unit.objects.filter(building__park_id=park.pk).aggregate(s=Sum("area_m2"))["s"]
    if total and total > park.floor_area_m2:
        raise ApplicationError(
            _("建筑面积不能小于园区各单元面积合计（%(total)s平方米）。") % {"total": total},
            field="floor_area_m2",
        )

"""Parks and their space in Excel (zoneops.common.importing): the parks' register keyed by 名称,
and the register of buildings and units (楼宇与单元) keyed by 园区 + 楼宇 + 单元, with each unit's
tenant today for reading. Both export templates that import back through the parks' services."""

from collections.abc import Sequence
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoneops.common.excel import DATE, DECIMAL
from zoneops.common.exceptions import ApplicationError
from zoneops.common.importing import CHOICE, Column, Plan, Register, Row
from zoneops.common.scope import scope_queryset
from zoneops.common.services import record_apply
from zoneops.parks.enums import CarrierKind, PhaseStatus, UnitUse
from zoneops.parks.models import Building, Lease, Park, ParkPhase, Unit
from zoneops.parks.selectors import leases_on
from zoneops.parks.services import building_save, lease_save, park_save, phase_save, unit_save


class ParkRegister(Register):
    """Parks and carriers keyed by their name: a new name adds a park, a known one updates it."""

    name = "parks"
    title = gettext_lazy("园区与载体")
    model = Park
    key = ("名称",)
    guide = (
        gettext_lazy("每行一个园区或载体，按“名称”更新已有园区，新名称登记为新园区。"),
        gettext_lazy(
            "面积单位：占地面积为亩，建筑面积为平方米。管理部门由系统管理员在园区页面设定。"
        ),
    )

    def declare_columns(self) -> Sequence[Column]:
        return (
            Column(_("名称"), "name", required=True, width=30),
            Column(_("类型"), "kind", kind=CHOICE, choices=CarrierKind, required=True, width=10),
            Column(_("占地面积（亩）"), "area_mu", kind=DECIMAL, width=12),
            Column(_("建筑面积（平方米）"), "floor_area_m2", kind=DECIMAL, width=14),
            Column(_("招商方向"), "target_industries", width=30),
            Column(_("运营主体"), "operator", width=24),
            Column(_("简介"), "description", width=40),
            Column(_("管理部门"), readonly=True, source="managing_department__name", width=16),
        )

    def export_queryset(self, queryset: models.QuerySet) -> models.QuerySet:
        return queryset.order_by("order", "id")

    def write(self, plan: Plan, *, by: Any, reason: str) -> None:
        def write_row(row: Row) -> None:
            if row.existing is None:
                park = Park()
                record_apply(
                    instance=park,
                    changes={
                        c.name: row.values[c.name] for c in self.importable if c.name in row.values
                    },
                )
                park_save(park=park, by=by)
                return
            park = Park.objects.get(pk=row.existing.pk)
            record_apply(instance=park, changes=row.changes)
            park_save(park=park, by=by, expected_version=row.existing.version)

        plan.write_each([*plan.new_rows, *plan.changed_rows], write_row)


PARK = "园区"
BUILDING = "楼宇"
UNIT = "单元"


class UnitRegister(Register):
    """Buildings and units keyed by 园区 + 楼宇 + 单元. A new unit in a building not yet
    registered adds the building too. The tenant today is shown for reading: leases are
    registered with their dates on the lease's page or through the API."""

    name = "park-units"
    title = gettext_lazy("楼宇与单元")
    model = Unit
    key = (PARK, BUILDING, UNIT)
    guide = (
        gettext_lazy(
            "每行一个单元，按“园区”“楼宇”“单元”更新已有单元；新单元所在楼宇未登记时一并登记。"
        ),
        gettext_lazy(
            "面积单位为平方米。“当前承租企业”仅供查看，租赁请在租赁页面登记（须填起止日期）。"
        ),
    )

    def declare_columns(self) -> Sequence[Column]:
        return (
            Column(_("园区"), required=True, source="building__park__name", width=28),
            Column(_("楼宇"), required=True, source="building__name", width=16),
            Column(_("单元"), "name", required=True, width=12),
            Column(_("用途"), "use", kind=CHOICE, choices=UnitUse, width=10),
            Column(_("面积（平方米）"), "area_m2", kind=DECIMAL, required=True, width=14),
            Column(_("当前承租企业"), readonly=True, source="current_tenant", width=30),
        )

    def annotate(self, queryset: models.QuerySet) -> models.QuerySet:
        running = leases_on(timezone.localdate()).filter(unit=OuterRef("pk")).order_by("-starts_on")
        return queryset.annotate(current_tenant=Subquery(running.values("tenant__name")[:1]))

    def export_queryset(self, queryset: models.QuerySet) -> models.QuerySet:
        return queryset.order_by(
            "building__park__order",
            "building__park_id",
            "building__order",
            "building_id",
            "order",
            "id",
        )

    def write(self, plan: Plan, *, by: Any, reason: str) -> None:
        parks = (
            {park.name: park for park in scope_queryset(Park.objects.all(), by)}
            if by
            else {park.name: park for park in Park.objects.all()}
        )
        buildings: dict[tuple[int, str], Building] = {
            (b.park_id, b.name): b for b in Building.objects.filter(park__in=parks.values())
        }

        def write_row(row: Row) -> None:
            if row.existing is None:
                park = parks.get(row.values[PARK])
                if park is None:
                    raise ApplicationError(
                        _("园区“%(park)s”在系统中不存在。") % {"park": row.values[PARK]},
                        field="building__park__name",
                    )
                building = buildings.get((park.pk, row.values[BUILDING]))
                if building is None:
                    building = building_save(
                        building=Building(park=park, name=row.values[BUILDING]), by=by
                    )
                    buildings[(park.pk, building.name)] = building
                unit = Unit(building=building, name=row.values["name"])
                record_apply(
                    instance=unit,
                    changes={
                        name: row.values[name]
                        for name in ("use", "area_m2")
                        if row.values.get(name) is not None
                    },
                )
                unit_save(unit=unit, by=by)
                return
            unit = Unit.objects.select_related("building__park").get(pk=row.existing.pk)
            record_apply(instance=unit, changes=row.changes)
            unit_save(unit=unit, by=by, expected_version=row.existing.version)

        plan.write_each([*plan.new_rows, *plan.changed_rows], write_row)


class PhaseRegister(Register):
    """A park's phases keyed by 园区 + 分期."""

    name = "park-phases"
    title = gettext_lazy("园区分期")
    model = ParkPhase
    key = (PARK, "分期")
    guide = (gettext_lazy("每行一个园区的一个分期，按“园区”“分期”更新已有分期，新分期一并登记。"),)

    def declare_columns(self) -> Sequence[Column]:
        return (
            Column(_("园区"), required=True, source="park__name", width=28),
            Column(_("分期"), "name", required=True, width=10),
            Column(_("状态"), "status", kind=CHOICE, choices=PhaseStatus, required=True, width=10),
            Column(_("占地面积（亩）"), "area_mu", kind=DECIMAL, width=12),
            Column(_("建筑面积（平方米）"), "floor_area_m2", kind=DECIMAL, width=14),
            Column(_("开工日期"), "started_on", kind=DATE, width=12),
            Column(_("建成日期"), "completed_on", kind=DATE, width=12),
        )

    def export_queryset(self, queryset: models.QuerySet) -> models.QuerySet:
        return queryset.order_by("park__order", "park_id", "order", "id")

    def check(self, plan: Plan, *, user: Any) -> None:
        _check_parks(plan, user=user, rows=plan.new_rows)

    def write(self, plan: Plan, *, by: Any, reason: str) -> None:
        parks = _parks(by)

        def write_row(row: Row) -> None:
            if row.existing is None:
                phase = ParkPhase(park=parks[row.values[PARK]])
                record_apply(instance=phase, changes=_importable(self, row))
                phase_save(phase=phase, by=by)
                return
            phase = ParkPhase.objects.select_related("park").get(pk=row.existing.pk)
            record_apply(instance=phase, changes=row.changes)
            phase_save(phase=phase, by=by, expected_version=row.existing.version)

        plan.write_each([*plan.new_rows, *plan.changed_rows], write_row)


TENANT = "承租企业"


class LeaseRegister(Register):
    """Leases keyed by 园区 + 楼宇 + 单元 + 起租日期; the tenant named by its name or its
    统一社会信用代码. A lease overlapping another of its unit is refused at its row."""

    name = "park-leases"
    title = gettext_lazy("租赁")
    model = Lease
    key = (PARK, BUILDING, UNIT, "起租日期")
    guide = (
        gettext_lazy("每行一项租赁，按“园区”“楼宇”“单元”“起租日期”更新已有租赁。"),
        gettext_lazy("“承租企业”填企业名称或统一社会信用代码；退租日期留空表示仍在租。"),
    )

    def declare_columns(self) -> Sequence[Column]:
        return (
            Column(_("园区"), required=True, source="unit__building__park__name", width=28),
            Column(_("楼宇"), required=True, source="unit__building__name", width=16),
            Column(_("单元"), required=True, source="unit__name", width=10),
            Column(_("承租企业"), required=True, source="tenant__name", width=30),
            Column(_("统一社会信用代码"), readonly=True, source="tenant__credit_code", width=22),
            Column(_("起租日期"), "starts_on", kind=DATE, required=True, width=12),
            Column(_("退租日期"), "ends_on", kind=DATE, width=12),
            Column(_("备注"), "note", width=30),
        )

    def export_queryset(self, queryset: models.QuerySet) -> models.QuerySet:
        return queryset.order_by(
            "unit__building__park_id", "unit__building__order", "unit__order", "starts_on"
        )

    def check(self, plan: Plan, *, user: Any) -> None:
        """The unit a new row names exists in a park the user sees; the tenant is one
        enterprise of the register, by name or credit code."""
        rows = [row for row in plan.rows if row.existing is None or TENANT in row.changes]
        enterprise = apps.get_model("enterprises", "Enterprise")
        texts = {row.values.get(TENANT) for row in rows} - {None, ""}
        found: dict[str, set[int]] = {}
        for pk, name, code in enterprise._default_manager.filter(
            models.Q(name__in=texts) | models.Q(credit_code__in=texts)
        ).values_list("pk", "name", "credit_code"):
            found.setdefault(name, set()).add(pk)
            if code:
                found.setdefault(code, set()).add(pk)
        units = _units(user)
        for row in rows:
            text = row.values.get(TENANT)
            matches = found.get(text or "", set())
            if len(matches) != 1:
                message = (
                    _("企业“%(name)s”在企业名录中不存在。")
                    if not matches
                    else _("企业名称“%(name)s”对应多家企业，请填统一社会信用代码。")
                )
                plan.error(row.number, TENANT, text, message % {"name": text})
            else:
                row.values["tenant_id"] = next(iter(matches))
            if row.existing is None:
                key = (row.values.get(PARK), row.values.get(BUILDING), row.values.get(UNIT))
                if key not in units:
                    plan.error(
                        row.number,
                        UNIT,
                        " ".join(str(part) for part in key),
                        _("单元“%(unit)s”在系统中不存在，请先登记楼宇与单元。")
                        % {"unit": " ".join(str(part) for part in key)},
                    )
                else:
                    row.values["unit_id"] = units[key]

    def write(self, plan: Plan, *, by: Any, reason: str) -> None:
        def write_row(row: Row) -> None:
            changes = {
                name: value
                for name, value in (row.changes if row.existing else row.values).items()
                if name in ("starts_on", "ends_on", "note")
            }
            if "tenant_id" in row.values and (row.existing is None or TENANT in row.changes):
                changes["tenant_id"] = row.values["tenant_id"]
            if row.existing is None:
                lease = Lease(
                    unit=Unit.objects.select_related("building__park").get(pk=row.values["unit_id"])
                )
                record_apply(instance=lease, changes=changes)
                lease_save(lease=lease, by=by)
                return
            lease = Lease.objects.select_related("unit__building__park").get(pk=row.existing.pk)
            record_apply(instance=lease, changes=changes)
            lease_save(lease=lease, by=by, expected_version=row.existing.version)

        # A lease ended in the file frees its unit for the new lease of the same file.
        plan.write_each([*plan.changed_rows, *plan.new_rows], write_row)


def _importable(register: Register, row: Row) -> dict[str, Any]:
    return {
        c.name: row.values[c.name] for c in register.importable if c.field and c.name in row.values
    }


def _check_parks(plan: Plan, *, user: Any, rows: list[Row]) -> None:
    known = set(_parks(user))
    for row in rows:
        name = row.values.get(PARK)
        if name and name not in known:
            plan.error(row.number, PARK, name, _("园区“%(park)s”在系统中不存在。") % {"park": name})


def _units(user: Any) -> dict[tuple[str, str, str], int]:
    parks = _parks(user)
    rows = Unit.objects.filter(building__park__in=parks.values()).values_list(
        "pk", "building__park__name", "building__name", "name"
    )
    return {(park, building, unit): pk for pk, park, building, unit in rows}


def _parks(user: Any) -> dict[str, Park]:
    queryset = Park.objects.all()
    return {park.name: park for park in (scope_queryset(queryset, user) if user else queryset)}


park_register = ParkRegister()
unit_register = UnitRegister()
phase_register = PhaseRegister()
lease_register = LeaseRegister()

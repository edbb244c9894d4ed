"""Parks and their space in Excel (zoneops.common.importing): the parks' register keyed by 名称,
and the register of buildings and units (楼宇与单元) keyed by 园区 + 楼宇 + 单元, with each unit's
tenant today for reading. Both export templates that import back through the parks' services."""

from collections.abc import Sequence
from functools import partial
from typing import Any

from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoneops.common.excel import DECIMAL
from zoneops.common.exceptions import ApplicationError
from zoneops.common.importing import CHOICE, Column, Plan, Register, Row
from zoneops.common.scope import scope_queryset
from zoneops.common.services import record_apply
from zoneops.parks.enums import CarrierKind, UnitUse
from zoneops.parks.models import Building, Park, Unit
from zoneops.parks.selectors import leases_on
from zoneops.parks.services import building_save, park_save, unit_save


def _count_rows(plan: Plan, rows: list[Row], write_row: Any) -> None:
    created = updated = 0
    for row in rows:
        before = len(plan.errors)
        plan.attempt(row, partial(write_row, row))
        if len(plan.errors) == before:
            if row.existing is None:
                created += 1
            else:
                updated += 1
    plan.written = {"created": created, "updated": updated}


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
            Column("名称", "name", required=True, width=30),
            Column("类型", "kind", kind=CHOICE, choices=CarrierKind, required=True, width=10),
            Column("占地面积（亩）", "area_mu", kind=DECIMAL, width=12),
            Column("建筑面积（平方米）", "floor_area_m2", kind=DECIMAL, width=14),
            Column("招商方向", "target_industries", width=30),
            Column("运营主体", "operator", width=24),
            Column("简介", "description", width=40),
            Column("管理部门", readonly=True, source="managing_department__name", width=16),
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

        _count_rows(plan, [*plan.new_rows, *plan.changed_rows], write_row)


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
            Column(PARK, required=True, source="building__park__name", width=28),
            Column(BUILDING, required=True, source="building__name", width=16),
            Column(UNIT, "name", required=True, width=12),
            Column("用途", "use", kind=CHOICE, choices=UnitUse, width=10),
            Column("面积（平方米）", "area_m2", kind=DECIMAL, required=True, width=14),
            Column("当前承租企业", readonly=True, source="current_tenant", width=30),
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

        _count_rows(plan, [*plan.new_rows, *plan.changed_rows], write_row)


def _parks(user: Any) -> dict[str, Park]:
    queryset = Park.objects.all()
    return {park.name: park for park in (scope_queryset(queryset, user) if user else queryset)}


park_register = ParkRegister()
unit_register = UnitRegister()

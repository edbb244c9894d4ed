"""The indicators' monthly figures in and out of Excel: the statistics table of a month, a
template that imports back (zoneops.common.importing), keyed by 指标编码, 年度 and 月份.

A row is one indicator's figure of one month, as statistics publish it: 1-N月 for a flow, the
month's end for a stock. 同比, 当月 and the like are never imported: they are worked out from
the figures. An indicator summed from the enterprises' figures takes no row.
"""

from collections.abc import Sequence
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoneops.common.excel import DECIMAL, INTEGER
from zoneops.common.importing import Column, Plan, Register, Row
from zoneops.common.scope import can_write
from zoneops.common.services import record_apply
from zoneops.indicators.models import Indicator, IndicatorValue
from zoneops.indicators.services import indicator_value_save, month_problem

CODE = "指标编码"


class IndicatorValueRegister(Register):
    name = "indicator_values"
    title = gettext_lazy("指标数值")
    model = IndicatorValue
    key = (CODE, "年度", "月份")
    guide = (
        gettext_lazy("每行为一个指标一个月的数值，按指标编码、年度和月份新增或更新。"),
        gettext_lazy("流量指标填1月至该月的累计数（12月即全年），存量指标填月末数。"),
        gettext_lazy("同比、当月数等由系统计算，不必填写；由企业经济数据汇总的指标不能导入。"),
    )

    def declare_columns(self) -> Sequence[Column]:
        return (
            Column(
                CODE,
                source="indicator__code",
                required=True,
                width=14,
                note=gettext_lazy("指标的编码，须已在经济指标中登记。"),
            ),
            Column("指标名称", source="indicator__name", readonly=True, width=28),
            Column("计量单位", source="indicator__unit", readonly=True, width=10),
            Column("年度", "year", kind=INTEGER, required=True, width=8),
            Column("月份", "month", kind=INTEGER, required=True, width=8),
            Column("数值", "value", kind=DECIMAL, required=True, width=16),
            Column("说明", "note", width=24),
        )

    def export_queryset(self, queryset: models.QuerySet) -> models.QuerySet:
        return queryset.order_by("indicator__position", "indicator__code", "year", "month")

    def _indicators(self, plan: Plan) -> dict[str, Indicator]:
        codes = {str(row.key[0]).strip() for row in plan.rows if row.key}
        found = Indicator.objects.filter(code__in=codes).select_related("department")
        return {indicator.code: indicator for indicator in found}

    def check(self, plan: Plan, *, user: Any) -> None:
        indicators = self._indicators(plan)
        column = self.column(CODE)
        for row in plan.rows:
            if not row.key:
                continue
            code = str(row.key[0]).strip()
            indicator = indicators.get(code)
            if indicator is None:
                message = _("经济指标中没有编码为“%(code)s”的指标，请先登记该指标。")
                plan.error(row.number, column.header, code, message % {"code": code})
            elif indicator.is_rolled_up:
                message = _("“%(name)s”由企业经济数据汇总，不能导入数值。")
                plan.error(row.number, column.header, code, message % {"name": indicator.name})
            elif user is not None and not can_write(user, IndicatorValue(indicator=indicator)):
                # Reading is not writing: the figures are kept by the source department.
                message = _("您无权登记“%(name)s”的数值（由%(department)s登记）。")
                department = indicator.department or _("统计部门")
                plan.error(
                    row.number,
                    column.header,
                    code,
                    message % {"name": indicator.name, "department": department},
                )
            year, month = row.key[1], row.key[2]
            problem = month_problem(
                year=year if isinstance(year, int) else None,
                month=month if isinstance(month, int) else None,
            )
            if problem:
                plan.error(row.number, "月份", month, problem)

    def write(self, plan: Plan, *, by: Any, reason: str) -> None:
        """Row by row through the service (its checks, version and history)."""
        indicators = self._indicators(plan)

        def write_row(row: Row) -> None:
            if row.existing is None:
                values = row.values
                indicator_value_save(
                    value=IndicatorValue(
                        indicator=indicators[str(row.key[0]).strip()],
                        year=values["year"],
                        month=values["month"],
                        value=values["value"],
                        note=values.get("note") or "",
                    ),
                    by=by,
                )
                return
            value = IndicatorValue.objects.get(pk=row.existing.pk)
            record_apply(instance=value, changes=row.changes)
            indicator_value_save(value=value, by=by, expected_version=row.existing.version)

        plan.write_each([*plan.new_rows, *plan.changed_rows], write_row)


indicator_value_register = IndicatorValueRegister()

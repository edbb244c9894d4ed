"""The catalogue of service items in and out of Excel (a template that imports back, keyed by
事项编码), and the figures of a period as a report workbook."""

from collections.abc import Sequence
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoneops.approvals.enums import ItemKind
from zoneops.approvals.models import ServiceItem
from zoneops.approvals.selectors import FigureRow, Figures
from zoneops.approvals.services import service_item_save
from zoneops.common.excel import BOOLEAN, DATE, INTEGER, Sheet, write_workbook
from zoneops.common.importing import CHOICE, LOOKUP, Column, DepartmentLookup, Plan, Register, Row
from zoneops.common.periods import format_day
from zoneops.orgs.models import Department


class ServiceItemRegister(Register):
    """政务服务事项目录: one row per item, found again by its code; every row is written
    through `service_item_save`, so the import refuses what the form refuses."""

    name = "service-items"
    title = gettext_lazy("政务服务事项")
    model = ServiceItem
    key = ("事项编码",)
    dry_run = True
    guide = (
        gettext_lazy("政务服务事项目录导入模板：每行一个事项，按“事项编码”新增或更新。"),
        gettext_lazy("时限单位为工作日，承诺时限不超过法定时限；是否类列填“是”或“否”。"),
        gettext_lazy("承接市级下放的事项须填写承接日期和承接文件文号；申请材料每行一项。"),
    )

    def declare_columns(self) -> Sequence[Column]:
        flag = {"kind": BOOLEAN, "width": 10}
        return (
            Column("事项编码", "code", required=True, width=16),
            Column("事项名称", "name", required=True, width=32),
            Column(
                "实施部门",
                "department",
                kind=LOOKUP,
                lookup=DepartmentLookup(is_active=True),
                required=True,
                width=18,
            ),
            Column("事项类型", "kind", kind=CHOICE, choices=ItemKind, required=True, width=10),
            Column("法定时限（工作日）", "statutory_days", kind=INTEGER, required=True, width=12),
            Column("承诺时限（工作日）", "promised_days", kind=INTEGER, required=True, width=12),
            Column("一趟清", "one_visit", **flag),
            Column("不见面审批", "online", **flag),
            Column("进驻政务服务中心", "in_centre", **flag),
            Column("承接市级下放", "taken_over", **flag),
            Column("承接日期", "taken_over_on", kind=DATE, width=12),
            Column("承接文件文号", "taken_over_document", width=20),
            Column("申请材料", "materials", width=40, note=gettext_lazy("每行一项。")),
            Column("收费标准", "fee", width=16, note=gettext_lazy("留空表示不收费。")),
            Column("纳入目录日期", "listed_on", kind=DATE, required=True, width=12),
            Column("取消日期", "withdrawn_on", kind=DATE, width=12),
        )

    def export_queryset(self, queryset: models.QuerySet) -> models.QuerySet:
        return queryset.order_by("code")

    def write(self, plan: Plan, *, by: Any, reason: str) -> None:
        rows = [row for row in plan.rows if row.existing is None or row.changes]
        wanted = {
            row.values.get("department_id") for row in rows if row.values.get("department_id")
        }
        departments = Department.objects.in_bulk(wanted)
        items = ServiceItem.objects.in_bulk(
            [row.existing.pk for row in rows if row.existing is not None]
        )

        def write_row(row: Row) -> None:
            given = row.values if row.existing is None else row.changes
            values = {name.removesuffix("_id"): value for name, value in given.items()}
            values.pop("version", None)
            values.pop("__version__", None)
            if "department" in values:
                values["department"] = departments.get(values["department"])
            item = items.get(row.existing.pk) if row.existing is not None else None
            service_item_save(
                item=item,
                values=values,
                by=by,
                expected_version=row.existing.version if row.existing is not None else None,
                reason=reason,
            )

        plan.write_each(rows, write_row)


service_item_register = ServiceItemRegister()


# --- the figures ------------------------------------------------------------------------------


def _figure_cells(row: FigureRow, *, catalogue: bool = True) -> list[Any]:
    cells: list[Any] = [
        row.label,
        row.concluded,
        row.on_time,
        row.on_time_rate,
        row.average_days,
    ]
    if catalogue:
        cells += [
            row.items,
            row.promised_ratio,
            row.in_centre,
            row.centre_share,
            row.taken_over,
        ]
    return cells


def figures_workbook(*, figures: Figures, title: str) -> bytes:
    """The period's figures: the zone and each department on one sheet, each item on another."""
    headers = [
        _("名称"),
        _("办结（件）"),
        _("按时办结（件）"),
        _("按时办结率（%）"),
        _("平均用时（工作日）"),
        _("目录事项（项）"),
        _("承诺时限占法定时限（%）"),
        _("进驻中心事项（项）"),
        _("进驻率（%）"),
        _("承接市级下放（项）"),
    ]
    subtitle = _("统计期间：%(start)s至%(end)s（按办结日期）；事项按期末目录") % {
        "start": format_day(figures.start),
        "end": format_day(figures.end),
    }
    total = _figure_cells(figures.total)
    total[0] = _("全区合计")
    departments = Sheet(
        name=_("按部门"),
        title=title,
        subtitle=subtitle,
        header_rows=[headers],
        rows=[total, *(_figure_cells(row) for row in figures.departments)],
        total_rows={0},
        column_widths=[28, 10, 12, 12, 14, 12, 16, 14, 10, 14],
        number_format="#,##0.0",
    )
    items = Sheet(
        name=_("按事项"),
        title=title,
        subtitle=subtitle,
        header_rows=[headers],
        rows=[_figure_cells(row) for row in figures.items],
        column_widths=[40, 10, 12, 12, 14, 12, 16, 14, 10, 14],
        number_format="#,##0.0",
    )
    return write_workbook([departments, items])

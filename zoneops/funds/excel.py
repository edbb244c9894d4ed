"""Support funds in Excel: the statistics of a period (扶持资金争取情况表), and the
applications' register, a template that imports back (zoneops.common.importing)."""

from collections.abc import Sequence
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoneops.common.amounts import wan_to_yi
from zoneops.common.excel import DATE, DECIMAL, INTEGER, Sheet, write_workbook
from zoneops.common.importing import CHOICE, LOOKUP, Column, Lookup, Plan, Register, Row
from zoneops.common.periods import format_day
from zoneops.common.services import record_apply
from zoneops.enterprises.models import Enterprise
from zoneops.funds.enums import FundApplicationStatus
from zoneops.funds.models import FundApplication, FundProgramme
from zoneops.funds.selectors import FundRow, FundTotals
from zoneops.funds.services import application_file, application_update
from zoneops.projects.models import Project

HEADERS = [
    gettext_lazy("申报（个）"),
    gettext_lazy("申报金额（万元）"),
    gettext_lazy("获批（个）"),
    gettext_lazy("获批金额（万元）"),
    gettext_lazy("拨付金额（万元）"),
    gettext_lazy("拨付金额（亿元）"),
    gettext_lazy("争取研发和示范项目（个）"),
]


def _row(label: str, row: FundRow) -> list[object]:
    return [
        label,
        row.applications,
        row.applied,
        row.won,
        row.approved,
        row.paid,
        wan_to_yi(row.paid),
        row.projects_won,
    ]


def fund_totals_workbook(*, totals: FundTotals, title: str) -> bytes:
    """The period's table by level, by zone department and by programme, the total first."""
    subtitle = _(
        "统计期间：%(start)s至%(end)s（申报按申报日期、获批按获批日期、拨付按拨付日期）"
    ) % {
        "start": format_day(totals.start),
        "end": format_day(totals.end),
    }
    sheets = []
    for name, header, rows in (
        (_("按资金级别"), _("资金级别"), totals.by_level),
        (_("按区内部门"), _("区内对口部门"), totals.by_department),
        (_("按资金项目"), _("资金项目"), totals.by_programme),
    ):
        sheets.append(
            Sheet(
                name=name,
                title=title,
                subtitle=subtitle,
                header_rows=[[header, *[str(h) for h in HEADERS]]],
                rows=[_row(_("合计"), totals.total)] + [_row(r.label, r) for r in rows],
                total_rows={0},
                column_widths=[30, 10, 14, 10, 14, 14, 14, 14],
                number_format="#,##0.00",
            )
        )
    return write_workbook(sheets)


# --- the applications' register -----------------------------------------------------------------

NUMBER = "申报编号"


class ApplicationRegister(Register):
    """Fund applications in and out of Excel, keyed by 申报编号 (blank: a new application).

    A new row files an application (申报) as `application_file` does; a known 申报编号 updates
    its own fields (资金项目, 申报内容, 申报主体, 申报金额). Approvals and payments are steps with
    their day and amount, registered on the application's page or through the API: their
    columns are exported for reading.
    """

    name = "fund_applications"
    title = gettext_lazy("扶持资金申报")
    model = FundApplication
    key = (NUMBER,)
    blank_key_creates = True
    guide = (
        gettext_lazy("每行一项申报。已有申报按“申报编号”更新；“申报编号”留空的行登记为新申报。"),
        gettext_lazy("“申报企业”与“申报项目”二者填一；金额单位为万元。"),
        gettext_lazy("获批、拨付请在申报页面登记（须填日期和金额），导入不修改这些列。"),
    )

    def declare_columns(self) -> Sequence[Column]:
        return (
            Column(NUMBER, "id", kind=INTEGER, width=10, note=gettext_lazy("留空为新申报。")),
            Column(
                "资金项目",
                "programme",
                kind=LOOKUP,
                lookup=Lookup("funds.FundProgramme"),
                required=True,
                width=32,
            ),
            Column("申报内容", "title", required=True, width=32),
            Column(
                "申报企业",
                "enterprise",
                kind=LOOKUP,
                lookup=Lookup("enterprises.Enterprise"),
                width=28,
            ),
            Column("申报项目", "project", kind=LOOKUP, lookup=Lookup("projects.Project"), width=28),
            Column("申报金额（万元）", "applied_amount", kind=DECIMAL, required=True, width=14),
            Column("申报日期", "applied_on", kind=DATE, required=True, create_only=True, width=12),
            Column(
                "状态",
                "status",
                kind=CHOICE,
                choices=FundApplicationStatus,
                readonly=True,
                width=10,
            ),
            Column("获批金额（万元）", "approved_amount", kind=DECIMAL, readonly=True, width=14),
            Column("获批日期", "approved_on", kind=DATE, readonly=True, width=12),
            Column("已拨付金额（万元）", "paid_amount", kind=DECIMAL, readonly=True, width=14),
        )

    def export_queryset(self, queryset: models.QuerySet) -> models.QuerySet:
        return queryset.order_by("applied_on", "id")

    def write(self, plan: Plan, *, by: Any, reason: str) -> None:
        """Row by row through the services (each a step with its event and history)."""
        programmes = FundProgramme.objects.in_bulk(
            {row.values["programme_id"] for row in plan.rows if row.values.get("programme_id")}
        )

        def write_row(row: Row) -> None:
            values = row.values
            if row.existing is None:
                application_file(
                    programme=programmes[values["programme_id"]],
                    title=values["title"],
                    applied_amount=values["applied_amount"],
                    applied_on=values["applied_on"],
                    enterprise=_pk(Enterprise, values.get("enterprise_id")),
                    project=_pk(Project, values.get("project_id")),
                    by=by,
                )
                return
            application = FundApplication.objects.get(pk=row.existing.pk)
            record_apply(instance=application, changes=row.changes)
            application_update(
                application=application, by=by, expected_version=row.existing.version
            )

        plan.write_each([*plan.new_rows, *plan.changed_rows], write_row)


def _pk(model: type[models.Model], pk: int | None) -> Any:
    return None if pk is None else model._default_manager.get(pk=pk)


application_register = ApplicationRegister()

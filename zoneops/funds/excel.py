"""Support funds in Excel: the statistics of a period (扶持资金争取情况表)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zoneops.common.amounts import wan_to_yi
from zoneops.common.excel import Sheet, write_workbook
from zoneops.common.periods import format_day
from zoneops.funds.selectors import FundRow, FundTotals

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


__all__ = ["fund_totals_workbook"]

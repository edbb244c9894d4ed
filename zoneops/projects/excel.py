"""The pipeline tables as .xlsx, laid out like the zone's reports upward."""

from django.utils.translation import gettext as _

from zoneops.common.amounts import wan_to_yi
from zoneops.common.excel import Sheet, write_workbook
from zoneops.common.periods import format_as_of
from zoneops.projects.enums import SummaryDimension
from zoneops.projects.selectors import PipelineSummary


def pipeline_summary_title(summary: PipelineSummary) -> str:
    return _("%(period)s招商项目情况表") % {
        "period": format_as_of(year=summary.year, as_of=summary.as_of)
    }


def pipeline_summary_sheet(summary: PipelineSummary) -> Sheet:
    unit = _("单位：个、亿元")
    if summary.dimension == "stage":
        rows = [[_("合计"), summary.total.count, wan_to_yi(summary.total.investment)]]
        rows += [
            [row.label, row.total.count, wan_to_yi(row.total.investment)] for row in summary.rows
        ]
        return Sheet(
            name=_("招商项目"),
            title=pipeline_summary_title(summary),
            subtitle=unit,
            header_rows=[[_("项目类别"), _("项目数（个）"), _("总投资（亿元）")]],
            rows=rows,
            total_rows={0},
            column_widths=[18, 14, 16],
        )
    categories = [
        (key, label) for key, label in summary.categories if key in summary.category_totals
    ]
    first = [str(SummaryDimension(summary.dimension).label), _("合计"), None]
    second: list[str | None] = [None, _("项目数"), _("总投资")]
    merges = [(0, 0, 1, 0, first[0]), (0, 1, 0, 2, _("合计"))]
    for index, (_key, label) in enumerate(categories):
        column = 3 + index * 2
        first += [label, None]
        second += [_("项目数"), _("总投资")]
        merges.append((0, column, 0, column + 1, label))
    rows = []
    totals: list = [_("合计"), summary.total.count, wan_to_yi(summary.total.investment)]
    for key, _label in categories:
        cell = summary.category_totals[key]
        totals += [cell.count, wan_to_yi(cell.investment)]
    rows.append(totals)
    for row in summary.rows:
        values: list = [row.label, row.total.count, wan_to_yi(row.total.investment)]
        for key, _label in categories:
            cell = row.cells.get(key)
            values += [cell.count, wan_to_yi(cell.investment)] if cell else [None, None]
        rows.append(values)
    return Sheet(
        name=_("招商项目"),
        title=pipeline_summary_title(summary),
        subtitle=unit,
        header_rows=[first, second],
        merges=merges,
        rows=rows,
        total_rows={0},
        column_widths=[22] + [10] * (len(first) - 1),
    )


def pipeline_summary_xlsx(summary: PipelineSummary) -> bytes:
    return write_workbook([pipeline_summary_sheet(summary)])

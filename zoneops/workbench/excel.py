"""The same-day count (日清日结统计表) as an .xlsx report: a line per department, a column per kind.

A report of counts, not a register: there is no record per row to import back."""

from django.utils.translation import gettext as _

from zoneops.common.excel import Sheet, write_workbook
from zoneops.common.periods import format_day
from zoneops.workbench.selectors import ClearedCounts, ClearedLine


def _line(line: ClearedLine) -> list[object]:
    return [line.name, *line.counts, line.total]


def cleared_counts_workbook(*, counts: ClearedCounts, title: str) -> bytes:
    headers: list[str | None] = [_("部门"), *counts.kinds, _("合计")]
    sheet = Sheet(
        name=_("日清日结"),
        title=title,
        subtitle=_("统计期间：%(start)s至%(end)s　单位：件（收到当日办结）")
        % {"start": format_day(counts.period.start), "end": format_day(counts.period.end)},
        header_rows=[headers],
        rows=[_line(counts.total)] + [_line(line) for line in counts.lines],
        total_rows={0},
        column_widths=[24, *([14] * len(counts.kinds)), 12],
        number_format="#,##0",
    )
    return write_workbook([sheet])

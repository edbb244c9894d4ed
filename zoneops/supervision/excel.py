"""The supervised tasks as an Excel table (督办事项台账): one row per task with its clock."""

from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.casework.selectors import records_with_clock
from zoneops.common.excel import Sheet, write_workbook
from zoneops.common.periods import format_day
from zoneops.supervision.models import SupervisionTask

# Rows written per query: the export reads its rows in pages, never one query per row.
CHUNK = 2000


def tasks_workbook(tasks: Iterable[SupervisionTask] | Any) -> bytes:
    """The tasks (a queryset in the user's scope) as a workbook."""
    today = timezone.localdate()
    queryset = tasks.select_related("department", "owner", "supervisor", "escalated_to").order_by(
        "assigned_on", "pk"
    )
    rows: list[list[Any]] = []
    for task in records_with_clock(queryset.iterator(chunk_size=CHUNK), on=today):
        clock = task.clock if isinstance(task, SupervisionTask) else None
        rows.append(
            [
                task.pk,
                task.get_source_display(),
                task.title,
                str(task.department),
                str(task.owner or ""),
                str(task.supervisor),
                task.assigned_on,
                task.limit_days,
                task.due_on,
                task.get_status_display(),
                str(clock.label) if clock else "",
                task.closed_on,
                task.urge_count,
                str(task.escalated_to or ""),
            ]
        )
    sheet = Sheet(
        name=_("督办事项"),
        title=_("督办事项台账"),
        subtitle=_("导出日期：%(day)s") % {"day": format_day(today)},
        header_rows=[
            [
                _("编号"),
                _("督办来源"),
                _("督办事项"),
                _("责任部门"),
                _("责任人"),
                _("督办人"),
                _("交办日期"),
                _("办理时限（工作日）"),
                _("办结期限"),
                _("状态"),
                _("预警"),
                _("销号日期"),
                _("催办次数"),
                _("提级至"),
            ]
        ],
        rows=rows,
        column_widths=[8, 12, 40, 18, 10, 10, 12, 10, 12, 10, 12, 12, 8, 10],
        number_format="0",
    )
    return write_workbook([sheet])

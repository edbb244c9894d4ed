"""Enterprise requests (企业诉求) in Excel: the register of requests and the statistics table,
laid out like the zone's report tables (zoneops.common.excel: Chinese headers, dates as dates,
text neutralised). The back office and the API (/api/v1/enterprises/requests/export.xlsx and
/requests/statistics.xlsx) both write them here; the caller decides which requests the user
may see.
"""

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from zoneops.common.excel import Sheet, write_workbook
from zoneops.common.periods import format_day
from zoneops.common.workcalendar import calendar_pinned
from zoneops.enterprises.models import EnterpriseRequest
from zoneops.enterprises.selectors.requests import (
    STATISTICS_BY,
    RequestStatistics,
    RequestStatisticsRow,
    request_working_days_used,
    requests_with_clock,
)

# Rows read and given their clock at a time: a large register never sits in memory at once.
CHUNK = 2000


def _register_headers() -> list[str | None]:
    return [
        _("序号"),
        _("企业"),
        _("统一社会信用代码"),
        _("诉求"),
        _("诉求内容"),
        _("类型"),
        _("类别"),
        _("领域"),
        _("渠道"),
        _("相关项目"),
        _("提交日期"),
        _("承办部门"),
        _("受理日期"),
        _("办理时限（工作日）"),
        _("批准延期（工作日）"),
        _("暂停计时（工作日）"),
        _("办结期限"),
        _("状态"),
        _("预警"),
        _("答复日期"),
        _("用时（工作日）"),
        _("答复内容"),
        _("评价"),
        _("评价意见"),
        _("重办次数"),
        _("退回理由"),
    ]


REGISTER_WIDTHS = [6, 28, 22, 28, 40, 8, 8, 10, 12, 24, 12, 16, 12, 10, 10, 10, 12, 10, 24, 12]
REGISTER_WIDTHS += [10]
REGISTER_WIDTHS += [40, 8, 30, 8, 30]


def _chunks(requests: Iterable[EnterpriseRequest]) -> Iterator[list[EnterpriseRequest]]:
    if isinstance(requests, QuerySet):
        requests = requests.select_related("enterprise", "department", "project").iterator(
            chunk_size=CHUNK
        )
    rows = iter(requests)
    while chunk := list(islice(rows, CHUNK)):
        yield chunk


def _working_days_used(item: EnterpriseRequest) -> int | None:
    """Working days from the start of the request's clock (受理, or the last reopening) to its
    answer, less the days it stood, as the statistics count them."""
    if item.clock_from is None or item.answered_on is None:
        return None
    return request_working_days_used(
        clock_from=item.clock_from,
        answered_on=item.answered_on,
        suspended_days=item.suspended_days,
    )


def _clock_text(clock: Any) -> str:
    """The warning, and that the deadline is provisional when a year it counts on has not been
    entered (DESIGN: flagged wherever a deadline depends on it)."""
    if clock is None:
        return ""
    if clock.provisional:
        return _("%(clock)s（期限待定：节假日未录入）") % {"clock": clock.label}
    return str(clock.label)


def _register_row(number: int, item: EnterpriseRequest) -> list[Any]:
    clock = vars(item).get("clock")
    return [
        number,
        item.enterprise.name,
        item.enterprise.credit_code,
        item.title,
        item.description,
        item.get_kind_display(),
        item.get_category_display(),
        item.get_topic_display(),
        item.get_channel_display(),
        item.project.name if item.project is not None else "",
        item.filed_on,
        item.department.name if item.department is not None else "",
        item.accepted_on,
        item.limit_days,
        item.extension_days or None,
        item.suspended_days or None,  # a suspension still running shows in 预警
        item.due_on,
        item.get_status_display(),
        _clock_text(clock),
        item.answered_on,
        _working_days_used(item),
        item.answer,
        item.rating,
        item.rating_comment,
        item.reopen_count,
        item.return_reason,
    ]


def requests_workbook(*, requests: Iterable[EnterpriseRequest]) -> bytes:
    """The register of requests (企业诉求登记表) as an .xlsx: one row per request, in the order
    given, with its clock as of today."""
    today = timezone.localdate()
    rows: list[list[Any]] = []
    with calendar_pinned():
        for chunk in _chunks(requests):
            for item in requests_with_clock(chunk, on=today):
                rows.append(_register_row(len(rows) + 1, item))
    sheet = Sheet(
        name=_("企业诉求"),
        title=_("企业诉求登记表"),
        subtitle=_("导出日期：%(day)s　共%(count)s件")
        % {"day": format_day(today), "count": len(rows)},
        header_rows=[_register_headers()],
        rows=rows,
        column_widths=REGISTER_WIDTHS,
    )
    return write_workbook([sheet])


def _percent(value: Any) -> Any:
    return value if value is not None else "—"


def _statistics_row(row: RequestStatisticsRow) -> list[Any]:
    return [
        row.label,
        row.filed,
        row.answered,
        row.open,
        row.overdue,
        _percent(row.on_time_rate),
        _percent(row.average_working_days),
        _percent(row.average_score),
        row.ratings,
        _percent(row.satisfaction_rate),
        row.reopened,
        _percent(row.reopen_rate),
    ]


def request_statistics_workbook(*, statistics: RequestStatistics, title: str) -> bytes:
    """The statistics table (诉求办理情况统计表) as an .xlsx: a row per group, the total first as
    Chinese report tables put it; rates in per cent with one decimal."""
    headers: list[str | None] = [
        str(STATISTICS_BY.get(statistics.by, "")),
        _("提交（件）"),
        _("已答复（件）"),
        _("未办结（件）"),
        _("逾期未办结（件）"),
        _("按期答复率（%）"),
        _("平均用时（工作日）"),
        _("平均评分"),
        _("评价（次）"),
        _("满意率（%）"),
        _("重办（件）"),
        _("重办率（%）"),
    ]
    rows = [_statistics_row(statistics.total)] + [_statistics_row(r) for r in statistics.rows]
    sheet = Sheet(
        name=_("诉求统计"),
        title=title,
        subtitle=_("统计期间：%(start)s至%(end)s（按提交日期）　状态截至%(on)s")
        % {
            "start": format_day(statistics.start),
            "end": format_day(statistics.end),
            "on": format_day(statistics.on),
        },
        header_rows=[headers],
        rows=rows,
        total_rows={0},
        column_widths=[24, 10, 10, 10, 12, 12, 12, 10, 10, 10, 10, 10],
        number_format="0.0",
    )
    return write_workbook([sheet])


__all__ = ["request_statistics_workbook", "requests_workbook"]

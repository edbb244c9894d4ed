"""Excel from the back-office lists of the projects and the monthly reports.

An admin class takes a mixin (`ProjectExcelMixin`, `ProgressReportExcelMixin`) and its list gets
the 导出 and 导入 buttons of zoneops.common.admin_excel; the rules are in the registers of
zoneops.projects.excel.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone

from zoneops.common.admin_excel import ExcelAdminMixin
from zoneops.common.inputs import parse_month
from zoneops.projects.excel import progress_report_register, project_register


class ProjectExcelMixin(ExcelAdminMixin):
    excel_register = project_register


class ProgressReportExcelMixin(ExcelAdminMixin):
    """The monthly reports go out by month: the list's 月份 filter, else this month; the file
    has a row to fill for every key project that owes the month's report."""

    excel_register = progress_report_register

    def excel_export_file(self, request: HttpRequest) -> tuple[bytes, str]:
        month = _month(self.excel_list_request(request).GET.get("month")) or timezone.localdate()
        content = progress_report_register.export_month(month=month, user=request.user)
        return content, f"{progress_report_register.export_title(month)}.xlsx"


def _month(value: str | None) -> date | None:
    """The list's 月份 filter; none, or no month of a report, is this month."""
    try:
        return parse_month(value or "")
    except ValidationError:
        return None

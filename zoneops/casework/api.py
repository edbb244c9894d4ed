"""The API's side of the kernel: one pagination for every list of clocked records."""

from typing import Any

from zoneops.api.pagination import Pagination
from zoneops.casework.selectors import records_with_clock


class ClockPagination(Pagination):
    """The page's rows get their clock (`ClockedRecord.clock`, as `clock_of` reads it back)
    from one reading of the work calendar: a list's query count does not grow with its rows."""

    def paginate_queryset(self, queryset: Any, pagination: Any, request: Any, **params: Any):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page["items"] = records_with_clock(page["items"])
        return page

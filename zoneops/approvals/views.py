"""The enterprise's own cases (我的办件) in its pages: the list and one case with its clock and
steps; another enterprise's case is a 404 (the data scope)."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from zoneops.approvals.selectors import case_detail_queryset, cases_visible, cases_with_clock
from zoneops.enterprises.views import enterprise_page

PER_PAGE = 20


@enterprise_page("approvals.view_case")
def case_list(request: HttpRequest) -> HttpResponse:
    queryset = cases_visible(user=request.user).order_by("-received_on", "-id")
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    rows = cases_with_clock(page.object_list)
    return render(
        request, "approvals/self/cases.html", {"page": page, "rows": rows, "section": "cases"}
    )


@enterprise_page("approvals.view_case")
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(case_detail_queryset(user=request.user), pk=pk)
    case = cases_with_clock([case])[0]
    return render(
        request,
        "approvals/self/case.html",
        {
            "record": case,
            "clock": case.clock,
            "events": list(case.events.all()),
            "section": "cases",
        },
    )

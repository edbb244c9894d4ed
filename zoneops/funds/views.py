"""The enterprise's own pages for support funds (企业服务大厅 → 扶持资金)."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zoneops.enterprises.views import enterprise_page
from zoneops.funds.selectors import applications_visible

PER_PAGE = 20


@enterprise_page("funds.view_fundapplication")
def fund_applications(request: HttpRequest) -> HttpResponse:
    """扶持资金: the enterprise's applications (its own and its projects'), newest first."""
    queryset = applications_visible(user=request.user)
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "funds/self/applications.html", {"page": page, "section": "funds"})

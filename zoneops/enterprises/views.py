"""The enterprise's own pages (企业服务大厅), outside the back office.

An enterprise user (角色“企业用户”, never staff) signs in at /enterprise/login/ and reaches
only its own enterprise: every record is looked up through the data scope, so another
enterprise's request is a 404 and no form offers another enterprise's project. Writes (filing,
rating, supplying the materials a suspended request waits for) go through the request
services; their refusals are shown on the form at the field they name.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import LoginView, LogoutView, redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zoneops.common.exceptions import ApplicationError
from zoneops.common.forms import add_service_error
from zoneops.common.scope import scope_for
from zoneops.enterprises.enums import SATISFIED_SCORE, RequestKind, RequestStatus
from zoneops.enterprises.forms import RequestFileForm, RequestMaterialsForm, RequestRateForm
from zoneops.enterprises.models import Enterprise, EnterpriseRequest, LiaisonAssignment
from zoneops.enterprises.models.requests import OPEN_STATUSES
from zoneops.enterprises.selectors.requests import (
    request_available_actions,
    request_clock,
    request_events_for,
    request_suspended_q,
    request_suspension_ask,
    requests_awaiting_materials,
    requests_visible,
    requests_with_clock,
)
from zoneops.enterprises.services.requests import (
    request_file,
    request_limit_days,
    request_rate,
    request_resume,
)
from zoneops.notifications.models import Notification
from zoneops.notifications.selectors import notifications_of
from zoneops.notifications.services import notification_mark_read, notifications_mark_all_read
from zoneops.projects.models import Project
from zoneops.projects.selectors import BoardFilters, projects_filtered
from zoneops.projects.selectors.scheduling import (
    projects_with_key_level,
    projects_with_latest_report,
)

TEMPLATES = "enterprises/self/"
PER_PAGE = 20
HOME_ROWS = 8

# The request list's filter: name → (label, condition).
STATUS_FILTERS: dict[str, tuple[Any, Q]] = {
    "open": (gettext_lazy("未办结"), Q(status__in=OPEN_STATUSES)),
    "materials": (gettext_lazy("待补充材料"), request_suspended_q()),
    "answered": (gettext_lazy("待评价"), Q(status=RequestStatus.ANSWERED)),
    "closed": (
        gettext_lazy("已办结"),
        Q(status__in=(RequestStatus.RATED, RequestStatus.RETURNED)),
    ),
}

View = Callable[..., HttpResponse]


def enterprise_page(permission: str) -> Callable[[View], View]:
    """Only for a signed-in enterprise user holding `permission`: an anonymous visitor goes to
    the enterprise login, a staff member gets a page that sends him to the back office."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("selfservice:login"))
            if not scope_for(user).is_enterprise_user:
                return render(request, TEMPLATES + "staff_only.html", status=403)
            if not user.has_perm(permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _enterprise(request: HttpRequest) -> Enterprise:
    """The signed-in user's enterprise, read through the data scope."""
    queryset = Enterprise.objects.visible_to(request.user).select_related("park", "industry")
    return get_object_or_404(queryset, pk=request.user.enterprise_id)  # type: ignore[union-attr]


def _liaisons(request: HttpRequest, enterprise: Enterprise) -> list[LiaisonAssignment]:
    """Who liaises with the enterprise today (包联): the leaders, inspectors and departments."""
    return list(
        LiaisonAssignment.objects.visible_to(request.user)
        .active(on=timezone.localdate())
        .filter(enterprise=enterprise)
        .select_related("person", "department")
        .order_by("kind", "started_on", "id")
    )


# --- signing in and out ------------------------------------------------------------------------


class EnterpriseLoginView(LoginView):
    template_name = TEMPLATES + "login.html"
    redirect_authenticated_user = True
    next_page = reverse_lazy("selfservice:home")


class EnterpriseLogoutView(LogoutView):
    next_page = reverse_lazy("selfservice:login")


def lockout(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """django-axes's lockout page (for AXES_LOCKOUT_CALLABLE): the enterprise login's own page
    under /enterprise/, the back office's (AXES_LOCKOUT_TEMPLATE) everywhere else."""
    own = request.path.startswith(reverse("selfservice:home"))
    template = TEMPLATES + "lockout.html" if own else settings.AXES_LOCKOUT_TEMPLATE
    minutes = round(float(settings.AXES_COOLOFF_TIME or 0) * 60)
    return render(
        request,
        template,
        {"minutes": minutes},
        status=getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429),
    )


# --- pages -------------------------------------------------------------------------------------


@enterprise_page("enterprises.view_enterprise")
def notices(request: HttpRequest) -> HttpResponse:
    """消息: the enterprise user's own notices (zoneops.notifications), newest first."""
    only_unread = request.GET.get("status") == "unread"
    queryset = notifications_of(user=request.user)
    if only_unread:
        queryset = queryset.filter(read_at__isnull=True)
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        TEMPLATES + "notices.html",
        {
            "page": page,
            "rows": page.object_list,
            "status": "unread" if only_unread else "",
            "section": "notices",
        },
    )


@require_POST
@enterprise_page("enterprises.view_enterprise")
def notice_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one of one's notices read (and open its record with `open`); another's: 404."""
    try:
        notice = notification_mark_read(user=request.user, notification_id=pk)  # type: ignore[arg-type]
    except Notification.DoesNotExist as error:
        raise Http404 from error
    if request.POST.get("open") and notice.link.startswith("/"):
        return redirect(notice.link)
    return redirect("selfservice:notices")


@require_POST
@enterprise_page("enterprises.view_enterprise")
def notices_read_all(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_all_read(user=request.user)  # type: ignore[arg-type]
    messages.success(request, _("已将 %(count)s 条消息标为已读。") % {"count": count})
    return redirect("selfservice:notices")


@enterprise_page("enterprises.view_enterprise")
def home(request: HttpRequest) -> HttpResponse:
    """首页: the enterprise, the requests waiting for its materials (待补充材料), its open
    requests with their clock, answers waiting for a rating and its projects."""
    enterprise = _enterprise(request)
    can_read_requests = request.user.has_perm("enterprises.view_enterpriserequest")
    open_requests: list[EnterpriseRequest] = []
    to_rate: list[EnterpriseRequest] = []
    to_supply: list[EnterpriseRequest] = []
    counts = {"open": 0, "answered": 0, "materials": 0, "projects": 0}
    if can_read_requests:
        visible = requests_visible(user=request.user)
        open_list = visible.filter(status__in=OPEN_STATUSES).order_by(
            F("due_on").asc(nulls_last=True), "-filed_on", "-id"
        )
        answered = visible.filter(status=RequestStatus.ANSWERED).order_by("-answered_on", "-id")
        open_requests = requests_with_clock(open_list[:HOME_ROWS])
        to_rate = requests_with_clock(answered[:HOME_ROWS])
        materials = requests_awaiting_materials(user=request.user)
        to_supply = list(materials[:HOME_ROWS])
        counts["open"] = open_list.count()
        counts["answered"] = answered.count()
        counts["materials"] = materials.count()
    projects: list[Project] = []
    if request.user.has_perm("projects.view_project"):
        project_list = projects_with_latest_report(user=request.user)
        projects = projects_with_key_level(project_list[:HOME_ROWS])
        counts["projects"] = project_list.count()
    return render(
        request,
        TEMPLATES + "home.html",
        {
            "enterprise": enterprise,
            "liaisons": _liaisons(request, enterprise),
            "open_requests": open_requests,
            "to_rate": to_rate,
            "to_supply": to_supply,
            "projects": projects,
            "counts": counts,
            "can_read_requests": can_read_requests,
            "can_file": request.user.has_perm("enterprises.add_enterpriserequest"),
            "section": "home",
        },
    )


@enterprise_page("enterprises.view_enterprise")
def profile(request: HttpRequest) -> HttpResponse:
    """企业信息: the register's data and who liaises with the enterprise (names only)."""
    enterprise = _enterprise(request)
    flags = [
        str(Enterprise._meta.get_field(name).verbose_name)  # type: ignore[union-attr]
        for name in (
            "is_above_scale_industry",
            "is_above_quota_trade",
            "is_high_tech",
            "is_specialized",
            "is_tech_sme",
        )
        if getattr(enterprise, name)
    ]
    return render(
        request,
        TEMPLATES + "profile.html",
        {
            "enterprise": enterprise,
            "flags": flags,
            "liaisons": _liaisons(request, enterprise),
            "section": "profile",
        },
    )


@enterprise_page("enterprises.view_enterpriserequest")
def request_list(request: HttpRequest) -> HttpResponse:
    """我的诉求: every request of the enterprise with its status and clock, newest first."""
    status = request.GET.get("status", "")
    queryset = requests_visible(user=request.user).order_by("-filed_on", "-id")
    if status in STATUS_FILTERS:
        queryset = queryset.filter(STATUS_FILTERS[status][1])
    else:
        status = ""
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    rows = requests_with_clock(page.object_list)
    filters = [("", _("全部")), *((key, label) for key, (label, _s) in STATUS_FILTERS.items())]
    return render(
        request,
        TEMPLATES + "requests.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "filters": filters,
            "can_file": request.user.has_perm("enterprises.add_enterpriserequest"),
            "section": "requests",
        },
    )


def _request_page(
    request: HttpRequest,
    record: EnterpriseRequest,
    rate_form: RequestRateForm | None = None,
    materials_form: RequestMaterialsForm | None = None,
) -> HttpResponse:
    actions = request_available_actions(request=record, user=request.user)
    if rate_form is None and "rate" in actions:
        rate_form = RequestRateForm(initial={"edit_version": record.version})
    if materials_form is None and "resume" in actions:
        materials_form = RequestMaterialsForm(initial={"edit_version": record.version})
    return render(
        request,
        TEMPLATES + "request_detail.html",
        {
            "record": record,
            "clock": request_clock(record),
            "events": request_events_for(request=record, user=request.user),
            "suspension": request_suspension_ask(request=record),
            "rate_form": rate_form,
            "materials_form": materials_form,
            "satisfied_score": SATISFIED_SCORE,
            "section": "requests",
        },
    )


def _visible_request(request: HttpRequest, pk: int) -> EnterpriseRequest:
    return get_object_or_404(requests_visible(user=request.user), pk=pk)


@enterprise_page("enterprises.view_enterpriserequest")
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One request: its content, the public timeline, the answer, and the rating form."""
    return _request_page(request, _visible_request(request, pk))


@require_POST
@enterprise_page("enterprises.view_enterpriserequest")
def request_rate_view(request: HttpRequest, pk: int) -> HttpResponse:
    """评价: the service rates the answer; a low score reopens the request."""
    record = _visible_request(request, pk)
    form = RequestRateForm(request.POST)
    if not form.is_valid():
        return _request_page(request, record, form)
    score = form.cleaned_data["score"]
    try:
        record = request_rate(
            request=record,
            score=score,
            comment=form.cleaned_data["comment"],
            by=request.user,
            expected_version=form.cleaned_data["edit_version"],
        )
    except (ApplicationError, ValidationError) as error:
        add_service_error(form, error)
        return _request_page(request, _visible_request(request, pk), form)
    if score < SATISFIED_SCORE:
        messages.warning(request, _("评价已提交。诉求已退回承办部门重新办理，办理时限重新计算。"))
    else:
        messages.success(request, _("感谢您的评价。"))
    return HttpResponseRedirect(reverse("selfservice:request", args=[pk]))


@require_POST
@enterprise_page("enterprises.view_enterpriserequest")
def request_materials_view(request: HttpRequest, pk: int) -> HttpResponse:
    """提交补充材料: the service records what the enterprise supplies and runs the clock again."""
    record = _visible_request(request, pk)
    form = RequestMaterialsForm(request.POST)
    if not form.is_valid():
        return _request_page(request, record, materials_form=form)
    try:
        request_resume(
            request=record,
            note=form.cleaned_data["note"],
            by=request.user,
            expected_version=form.cleaned_data["edit_version"],
        )
    except (ApplicationError, ValidationError) as error:
        add_service_error(form, error)
        return _request_page(request, _visible_request(request, pk), materials_form=form)
    messages.success(request, _("补充材料已提交，承办部门恢复办理，办结期限相应顺延。"))
    return HttpResponseRedirect(reverse("selfservice:request", args=[pk]))


@enterprise_page("enterprises.add_enterpriserequest")
def request_new(request: HttpRequest) -> HttpResponse:
    """提交诉求: the service files it for the user's own enterprise (企业自助提交)."""
    enterprise = _enterprise(request)
    projects = projects_filtered(user=request.user, filters=BoardFilters()).order_by("name")
    limits = {kind: request_limit_days(kind=kind) for kind in RequestKind.values}
    if request.method == "POST":
        form = RequestFileForm(request.POST, projects=projects, limits=limits)
        if form.is_valid():
            data = form.cleaned_data
            try:
                record = request_file(
                    enterprise=enterprise,
                    title=data["title"],
                    description=data["description"],
                    kind=data["kind"],
                    category=data["category"],
                    topic=data["topic"],
                    project=data["project"],
                    contact_person=data["contact_person"],
                    contact_phone=data["contact_phone"],
                    by=request.user,
                )
            except (ApplicationError, ValidationError) as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request, _("诉求已提交，管委会受理后将按时限办理，请留意办理进度。")
                )
                return HttpResponseRedirect(reverse("selfservice:request", args=[record.pk]))
    else:
        form = RequestFileForm(
            projects=projects,
            limits=limits,
            initial={
                "contact_person": enterprise.contact_person,
                "contact_phone": enterprise.contact_phone,
            },
        )
    return render(
        request,
        TEMPLATES + "request_form.html",
        {"form": form, "enterprise": enterprise, "section": "new"},
    )


@enterprise_page("projects.view_project")
def project_list(request: HttpRequest) -> HttpResponse:
    """我的项目: the projects the enterprise invests in, with stage, key level, latest report."""
    queryset = projects_with_latest_report(user=request.user)
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        TEMPLATES + "projects.html",
        {
            "page": page,
            "rows": projects_with_key_level(page.object_list),
            "section": "projects",
        },
    )

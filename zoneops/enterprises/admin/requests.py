"""Back office of enterprise requests (企业诉求): the register with each request's clock, the
add form for staff filing on an enterprise's behalf (代报), the change page with the events, one
small page per step (受理交办, 改派, 开始办理, 办理记录, 延期申请与审批, 暂停计时（请企业补充材料）,
恢复计时, 答复, 回访评价, 退回), the statistics (诉求统计), the overdue list for inspectors, Excel
out, and the limits per kind.

Every write goes through `zoneops.enterprises.services.requests`; every page reads through
`zoneops.enterprises.selectors.requests`; no rule lives here.
"""

from datetime import date
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import RangeDateFilter
from unfold.decorators import action
from unfold.views import ChangeList, UnfoldModelAdminViewMixin

from zoneops.casework.admin import (
    ClockedStepView,
    StepButtonsMixin,
    StepForm,
    clock_badge,
    clock_colours,
)
from zoneops.casework.clocks import SUSPENDED_KEY
from zoneops.casework.selectors import clock_of
from zoneops.common.admin_base import (
    BusinessAdmin,
    InputRulesAdminMixin,
    ServiceErrorsMixin,
    VersionedForm,
    label_html,
)
from zoneops.common.excel import xlsx_response
from zoneops.common.exceptions import ApplicationError
from zoneops.common.forms import Form
from zoneops.common.inputs import FIRST_YEAR, LAST_YEAR
from zoneops.common.periods import MONTH_CHOICES, Period, format_day
from zoneops.enterprises.enums import SATISFIED_SCORE, RequestChannel, RequestStatus
from zoneops.enterprises.models import EnterpriseRequest, RequestExtension, RequestKindLimit
from zoneops.enterprises.permissions import APPROVE_EXTENSION
from zoneops.enterprises.request_excel import request_statistics_workbook, requests_workbook
from zoneops.enterprises.selectors.requests import (
    STATISTICS_BY,
    RequestClock,
    overdue_requests,
    request_available_actions,
    request_events_for,
    request_pending_extension,
    request_suspended_q,
    request_suspension_ask,
    requests_at_clock_level,
    requests_latest_filed_on,
    requests_statistics,
    requests_visible,
    requests_with_clock,
)
from zoneops.enterprises.services.requests import (
    request_accept,
    request_add_note,
    request_answer,
    request_ask_extension,
    request_decide_extension,
    request_file,
    request_limit_days,
    request_limit_set,
    request_rate,
    request_reroute,
    request_resume,
    request_return,
    request_start,
    request_suspend,
)
from zoneops.orgs.models import Department

# RequestClock.key → unfold label colour, as on the problem list (every key listed: unfold
# prints an unknown key as is).
CLOCK_COLOURS: dict[str, str] = clock_colours(RequestClock)
STATUS_COLOURS: dict[str, str] = {
    RequestStatus.SUBMITTED: "warning",
    RequestStatus.ACCEPTED: "info",
    RequestStatus.IN_PROGRESS: "info",
    RequestStatus.ANSWERED: "success",
    RequestStatus.RATED: "success",
    RequestStatus.RETURNED: "default",
}

# The steps `request_available_actions` names, in the order the change page offers them.
STEPS = (
    "accept",
    "start",
    "note",
    "extend",
    "decide_extension",
    "suspend",
    "resume",
    "answer",
    "rate",
    "reroute",
    "return",
)
# The admin method of each step ("return" is a keyword in Python).
STEP_METHODS = {step: "return_request" if step == "return" else step for step in STEPS}


def _clock_of(item: EnterpriseRequest) -> RequestClock | None:
    """The clock `requests_with_clock` set on the request, or worked out now."""
    clock: RequestClock | None = clock_of(item)
    return clock


def _clock_badge(clock: RequestClock | None) -> str:
    return clock_badge(clock, CLOCK_COLOURS)


def _status_badge(item: EnterpriseRequest) -> str:
    return label_html(item.get_status_display(), STATUS_COLOURS.get(item.status))


def _due_text(item: EnterpriseRequest) -> str:
    if item.due_on is None:
        return "—"
    text = format_day(item.due_on)
    if item.due_provisional:
        text += gettext("（期限待定）")
    return text


def _nowrap(text: str) -> str:
    return format_html('<span class="whitespace-nowrap">{}</span>', text)


def _active_departments():
    return Department.objects.filter(is_active=True).order_by("order", "pk")


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"})


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


# --- list filters --------------------------------------------------------------------------------


class OverdueFilter(admin.SimpleListFilter):
    """逾期: open past the deadline today (the inspectors' list)."""

    title = _("逾期")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("已逾期")), ("no", _("未逾期"))]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() not in ("yes", "no"):
            return queryset
        overdue = overdue_requests(user=request.user, on=timezone.localdate()).values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=overdue)
        return queryset.exclude(pk__in=overdue)


class ClockLevelFilter(admin.SimpleListFilter):
    """预警: the warning level of the running clock today (正常/临期/逾期), or the clock
    suspended while the enterprise supplies materials (暂停计时).

    The levels are read by `requests_at_clock_level`."""

    title = _("预警")
    parameter_name = "clock"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("normal", _("正常")),
            ("yellow", _("临期")),
            ("red", _("逾期")),
            (SUSPENDED_KEY, _("暂停计时（待企业补充材料）")),
        ]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        level = self.value()
        if level == SUSPENDED_KEY:
            return queryset.filter(request_suspended_q())
        if level not in ("normal", "yellow", "red"):
            return queryset
        return requests_at_clock_level(queryset, level=level, on=timezone.localdate())


class RequestChangeList(ChangeList):
    """The register's page of rows gets each request's clock from one reading of the calendar."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        requests_with_clock(self.result_list)


# --- the add form --------------------------------------------------------------------------------


class RequestFileForm(VersionedForm):
    """Filing on an enterprise's behalf (代报). The service decides: the form calls
    `request_file` once it is otherwise valid, so a refusal shows at its field with what was
    typed kept; the admin's transaction around the page keeps it all or nothing."""

    # Not named after the model's fields: those are not editable, so a ModelForm may not name them.
    filing_channel = forms.ChoiceField(
        label=_("来源渠道"),
        choices=[
            (value, label)
            for value, label in RequestChannel.choices
            if value != RequestChannel.SELF_SERVICE
        ],
        initial=RequestChannel.LIAISON,
    )
    filing_date = forms.DateField(
        label=_("提交日期"),
        required=False,
        widget=_date_input(),
        help_text=_("默认今天；补录此前收到的诉求时填写收到的日期。"),
    )

    # Set by the admin for the user filing (see EnterpriseRequestAdmin.get_form).
    filed_by: Any = None

    class Meta:
        model = EnterpriseRequest
        fields = [
            "enterprise",
            "project",
            "title",
            "description",
            "kind",
            "category",
            "topic",
            "contact_person",
            "contact_phone",
        ]

    filed: EnterpriseRequest | None = None

    def _post_clean(self) -> None:
        """Once everything else is clean (the model's checks too), file through the service;
        its refusal becomes the form's error and nothing was written."""
        super()._post_clean()
        if self.errors:
            return
        data = self.cleaned_data
        try:
            self.filed = request_file(
                enterprise=data["enterprise"],
                project=data.get("project"),
                title=data.get("title", ""),
                description=data.get("description", ""),
                kind=data["kind"],
                category=data["category"],
                topic=data["topic"],
                channel=data["filing_channel"],
                contact_person=data.get("contact_person", ""),
                contact_phone=data.get("contact_phone", ""),
                filed_on=data.get("filing_date"),
                by=self.filed_by,
            )
        except ApplicationError as error:
            field = FILING_FIELDS.get(error.field or "", error.field)
            self.add_error(field if field in self.fields else None, error.message)


# The service's names of the add form's own fields.
FILING_FIELDS = {"channel": "filing_channel", "filed_on": "filing_date"}


# --- the register --------------------------------------------------------------------------------

EDITABLE_ON_CHANGE = ("category", "topic", "contact_person", "contact_phone")


@admin.register(EnterpriseRequest)
class EnterpriseRequestAdmin(StepButtonsMixin, BusinessAdmin):
    list_display = [
        "title",
        "enterprise",
        "kind",
        "show_classification",
        "department",
        "show_status",
        "show_filed",
        "show_due",
        "show_clock",
    ]
    list_display_links = ["title"]
    list_filter = [
        "status",
        "kind",
        "category",
        "topic",
        "department",
        ClockLevelFilter,
        OverdueFilter,
        ("filed_on", RangeDateFilter),
    ]
    list_filter_submit = True
    search_fields = ["title", "enterprise__name", "enterprise__credit_code"]
    list_select_related = ["enterprise", "department", "project"]
    autocomplete_fields = ["enterprise", "project"]
    list_before_template = "enterprises/requests/list_links.html"
    change_form_outer_after_template = "enterprises/requests/timeline.html"
    actions_detail = [STEP_METHODS[step] for step in STEPS]
    nav_order = 40

    def get_changelist(self, request: HttpRequest, **kwargs: Any):
        return RequestChangeList

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        if obj is None:
            kwargs["form"] = RequestFileForm
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            form = type("RequestFileForm", (form,), {"filed_by": request.user})
        return form

    def get_fieldsets(self, request: HttpRequest, obj: Any = None):
        hidden = (None, {"fields": ["edit_version"], "classes": ["hidden"]})
        if obj is None:
            return [
                (
                    None,
                    {
                        "fields": [
                            "enterprise",
                            "project",
                            "title",
                            "description",
                            ("kind", "category", "topic"),
                        ]
                    },
                ),
                (
                    _("来源与联系人"),
                    {
                        "fields": [
                            ("filing_channel", "filing_date"),
                            ("contact_person", "contact_phone"),
                        ]
                    },
                ),
                hidden,
            ]
        fieldsets: list = [
            (
                None,
                {
                    "fields": [
                        ("enterprise", "project"),
                        "title",
                        "description",
                        ("kind", "category", "topic"),
                        ("channel", "filed_on"),
                        ("contact_person", "contact_phone"),
                    ]
                },
            ),
            (
                _("受理与时限"),
                {
                    "fields": [
                        ("department", "status_badge"),
                        ("accepted_on", "clock_from"),
                        ("limit_days", "extension_days"),
                        ("suspended_since", "suspended_days"),
                        ("show_due", "clock_badge"),
                    ]
                },
            ),
            (
                _("答复与评价"),
                {
                    "fields": [
                        "answered_on",
                        "answer",
                        ("rating", "rated_on"),
                        "rating_comment",
                        ("reopen_count", "blocker"),
                    ]
                },
            ),
        ]
        if obj.status == RequestStatus.RETURNED:
            fieldsets.append((_("退回"), {"fields": ["returned_on", "return_reason"]}))
        return [*fieldsets, hidden]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):
        if obj is None:
            return []
        names = [
            name
            for fieldset in self.get_fieldsets(request, obj)
            for name in _flat(fieldset[1]["fields"])
        ]
        return [name for name in names if name not in (*EDITABLE_ON_CHANGE, "edit_version")]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # An enterprise's request is the record of what it asked and how the committee handled
        # it (its events cascade with it, the statistics would lose it): one not handled is
        # returned (退回) with the reason, never deleted — not even by the department it names.
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        filed = form.filed  # filed through the service when the form was validated
        obj.pk = filed.pk
        obj._state.adding = False

    def response_add(self, request: HttpRequest, obj: Any, post_url_continue: Any = None):
        """After filing, the request's page: where it is accepted and routed."""
        if "_addanother" in request.POST or "_popup" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        messages.success(request, _("已代企业提交诉求“%(title)s”。") % {"title": obj.title})
        return HttpResponseRedirect(
            reverse("admin:enterprises_enterpriserequest_change", args=[obj.pk])
        )

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ):
        item = self.get_object(request, unquote(object_id))
        context = dict(extra_context or {})
        if item is not None:
            context["timeline"] = request_events_for(request=item, user=request.user)
            context["extensions"] = list(
                item.extensions.select_related("asked_by", "decided_by").order_by("asked_on", "id")
            )
        return super().change_view(request, object_id, form_url, context)

    # --- the columns and badges ---

    @admin.display(description=_("类别·领域"), ordering="category")
    def show_classification(self, obj: EnterpriseRequest) -> str:
        return f"{obj.get_category_display()}·{obj.get_topic_display()}"

    @admin.display(description=_("状态"), ordering="status")
    def show_status(self, obj: EnterpriseRequest) -> str:
        return _status_badge(obj)

    @admin.display(description=_("提交日期"), ordering="filed_on")
    def show_filed(self, obj: EnterpriseRequest) -> str:
        return _nowrap(format_day(obj.filed_on))

    @admin.display(description=_("办结期限"), ordering="due_on")
    def show_due(self, obj: EnterpriseRequest) -> str:
        return _nowrap(_due_text(obj))

    @admin.display(description=_("预警"))
    def show_clock(self, obj: EnterpriseRequest) -> str:
        return _clock_badge(_clock_of(obj))

    @admin.display(description=_("状态"))
    def status_badge(self, obj: EnterpriseRequest) -> str:
        return _status_badge(obj)

    @admin.display(description=_("预警"))
    def clock_badge(self, obj: EnterpriseRequest) -> str:
        return _clock_badge(_clock_of(obj))

    # --- the steps: a page each; the change page offers those the user may take now ---

    step_methods = STEP_METHODS

    def record_steps(self, request: HttpRequest, obj: Any) -> Any:
        return request_available_actions(request=obj, user=request.user)

    def has_approve_extension_permission(self, request: HttpRequest, object_id: Any = None):
        return request.user.has_perm(APPROVE_EXTENSION)

    @action(description=_("受理交办"), url_path="accept", permissions=["change"])
    def accept(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        return RequestAcceptView.as_view(model_admin=self)(request, object_id=object_id)

    @action(description=_("开始办理"), url_path="start", permissions=["change"])
    def start(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        return RequestStartView.as_view(model_admin=self)(request, object_id=object_id)

    @action(description=_("办理记录"), url_path="note", permissions=["change"])
    def note(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        return RequestNoteView.as_view(model_admin=self)(request, object_id=object_id)

    @action(description=_("申请延期"), url_path="extend", permissions=["change"])
    def extend(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        return RequestExtendView.as_view(model_admin=self)(request, object_id=object_id)

    @action(
        description=_("审批延期"),
        url_path="decide-extension",
        permissions=["change", "approve_extension"],
    )
    def decide_extension(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        return RequestDecideExtensionView.as_view(model_admin=self)(request, object_id=object_id)

    @action(description=_("暂停计时（请企业补充材料）"), url_path="suspend", permissions=["change"])
    def suspend(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        return RequestSuspendView.as_view(model_admin=self)(request, object_id=object_id)

    @action(description=_("恢复计时"), url_path="resume", permissions=["change"])
    def resume(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        return RequestResumeView.as_view(model_admin=self)(request, object_id=object_id)

    @action(description=_("答复"), url_path="answer", permissions=["change"])
    def answer(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        return RequestAnswerView.as_view(model_admin=self)(request, object_id=object_id)

    @action(description=_("登记回访评价"), url_path="rate", permissions=["change"])
    def rate(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        return RequestRateView.as_view(model_admin=self)(request, object_id=object_id)

    @action(description=_("改派"), url_path="reroute", permissions=["change"])
    def reroute(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        return RequestRerouteView.as_view(model_admin=self)(request, object_id=object_id)

    @action(description=_("退回"), url_path="return", permissions=["change"])
    def return_request(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        return RequestReturnView.as_view(model_admin=self)(request, object_id=object_id)

    # --- pages besides the register ---

    def get_urls(self):
        site = self.admin_site
        statistics = site.admin_view(RequestStatisticsView.as_view(model_admin=self))
        overdue = site.admin_view(OverdueRequestsView.as_view(model_admin=self))
        return [
            path("statistics/", statistics, name="enterprises_enterpriserequest_statistics"),
            path(
                "statistics/export/",
                site.admin_view(self.statistics_export),
                name="enterprises_enterpriserequest_statistics_export",
            ),
            path("overdue/", overdue, name="enterprises_enterpriserequest_overdue"),
            path(
                "export/",
                site.admin_view(self.export_view),
                name="enterprises_enterpriserequest_export",
            ),
            *super().get_urls(),
        ]

    def export_view(self, request: HttpRequest) -> HttpResponse:
        """The register as it is filtered and searched on the list, as an .xlsx."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            messages.error(request, gettext("列表的筛选条件无效，未能导出。"))
            return HttpResponseRedirect(reverse("admin:enterprises_enterpriserequest_changelist"))
        workbook = requests_workbook(requests=changelist.queryset)
        return _xlsx_response(workbook, gettext("企业诉求登记表"))

    def statistics_export(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        # The same period as the page the link is on: opened without a query, the page shows
        # the newest year with requests, and so does its export.
        form = StatisticsForm(
            request.GET or None, latest=requests_latest_filed_on(user=request.user)
        )
        period = form.period()
        statistics = requests_statistics(
            user=request.user, start=period.start, end=period.end, by=period.by
        )
        workbook = request_statistics_workbook(statistics=statistics, title=period.title)
        return _xlsx_response(workbook, period.title)


def _flat(fields: Any) -> list[str]:
    names: list[str] = []
    for entry in fields:
        names.extend(_flat(entry) if isinstance(entry, list | tuple) else [entry])
    return names


def _xlsx_response(workbook: bytes, title: str) -> HttpResponse:
    return xlsx_response(workbook, f"{title}.xlsx")


# --- the step pages -------------------------------------------------------------------------------


# What the enterprise reads in its timeline: said on every field whose text it sees.
SEEN_BY_ENTERPRISE = _(
    "企业可在企业服务大厅看到此内容；只给内部看的请用“办理记录”并勾选“仅内部可见”。"
)


class RequestStepForm(StepForm):
    # A request's step page has always accepted a post without the version (no check then).
    edit_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AcceptForm(RequestStepForm):
    department = forms.ModelChoiceField(label=_("承办部门"), queryset=_active_departments())
    limit_days = forms.IntegerField(
        label=_("办理时限（工作日）"),
        help_text=_("按诉求类型预填；自受理次日起按工作日计算办结期限。"),
    )
    note = forms.CharField(
        label=_("交办意见"), required=False, widget=_textarea(), help_text=SEEN_BY_ENTERPRISE
    )
    field_order = ["department", "limit_days", "note", "on"]


class RerouteForm(RequestStepForm):
    to_department = forms.ModelChoiceField(label=_("改派至"), queryset=_active_departments())
    reason = forms.CharField(label=_("改派原因"), widget=_textarea(), help_text=SEEN_BY_ENTERPRISE)
    field_order = ["to_department", "reason", "on"]


class StartForm(RequestStepForm):
    note = forms.CharField(
        label=_("说明"), required=False, widget=_textarea(), help_text=SEEN_BY_ENTERPRISE
    )
    field_order = ["note", "on"]


class NoteForm(RequestStepForm):
    note = forms.CharField(label=_("办理记录"), widget=_textarea(4))
    internal = forms.BooleanField(
        label=_("仅内部可见"), required=False, help_text=_("内部记录不向企业展示。")
    )
    field_order = ["note", "internal", "on"]


class ExtendForm(RequestStepForm):
    days = forms.IntegerField(label=_("延期（工作日）"))
    reason = forms.CharField(label=_("延期理由"), widget=_textarea(), help_text=SEEN_BY_ENTERPRISE)
    field_order = ["days", "reason", "on"]


class DecideExtensionForm(RequestStepForm):
    decision = forms.ChoiceField(
        label=_("审批结果"),
        choices=[("approve", _("批准延期")), ("refuse", _("不批准"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("审批意见"),
        required=False,
        widget=_textarea(),
        help_text=_("不批准时必填。"),
    )
    field_order = ["decision", "note", "on"]


class SuspendForm(RequestStepForm):
    reason = forms.CharField(
        label=_("需企业补充的材料"),
        widget=_textarea(4),
        help_text=_(
            "写明需要企业补充的材料和要求，企业将在企业服务大厅看到这一说明；"
            "自此日起暂停计时，企业补充材料后恢复计时，暂停的工作日不计入办理时限。"
        ),
    )
    field_order = ["reason", "on"]


class ResumeForm(RequestStepForm):
    note = forms.CharField(
        label=_("说明"),
        required=False,
        widget=_textarea(),
        help_text=_("如“已收到企业邮寄的材料”。暂停的工作日顺延办结期限。"),
    )
    field_order = ["note", "on"]


class AnswerForm(RequestStepForm):
    answer = forms.CharField(label=_("答复内容"), widget=_textarea(5))
    field_order = ["answer", "on"]


class RateForm(RequestStepForm):
    score = forms.TypedChoiceField(
        label=_("评分"),
        coerce=int,
        choices=[(score, score) for score in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("评价意见"), required=False, widget=_textarea())
    field_order = ["score", "comment", "on"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["score"].help_text = _(
            "回访时企业给出的评分（1–5分）；低于%(score)s分为不满意，诉求将重新办理，"
            "须在评价意见中写明未解决的问题。"
        ) % {"score": SATISFIED_SCORE}


class ReturnForm(RequestStepForm):
    reason = forms.CharField(label=_("退回理由"), widget=_textarea())
    field_order = ["reason", "on"]


class RequestStepView(ClockedStepView):
    """One step on a request: the kernel's step page with the request's header, the events
    the user may read, and the status badge."""

    model = EnterpriseRequest
    context_name = "item"
    record_argument = "request"
    permission_required: tuple[str, ...] = ("enterprises.change_enterpriserequest",)
    template_name = "enterprises/requests/step.html"

    @property
    def item(self) -> EnterpriseRequest:
        return self.record

    def get_queryset(self) -> Any:
        return requests_visible(user=self.request.user)

    def available_steps(self) -> set[str]:
        return set(request_available_actions(request=self.item, user=self.request.user))

    def closed_notice(self) -> str:
        return str(
            _("诉求当前为“%(status)s”，您现在不能进行此操作。")
            % {"status": self.item.get_status_display()}
        )

    def events(self) -> list[Any]:
        return request_events_for(request=self.item, user=self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(status_colours=STATUS_COLOURS, **kwargs)


class RequestAcceptView(RequestStepView):
    title = _("受理交办")
    step = "accept"
    form_class = AcceptForm
    submit_label = _("受理并交办")
    done_message = _("“%(item)s”已受理并交办。")
    service = staticmethod(request_accept)

    def get_initial(self) -> dict[str, Any]:
        return {**super().get_initial(), "limit_days": request_limit_days(kind=self.item.kind)}


class RequestRerouteView(RequestStepView):
    title = _("改派")
    step = "reroute"
    form_class = RerouteForm
    submit_label = _("确认改派")
    done_message = _("“%(item)s”已改派。")
    service = staticmethod(request_reroute)

    def get_form(self, form_class: Any = None) -> forms.Form:
        form = super().get_form(form_class)
        field = form.fields["to_department"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = _active_departments().exclude(pk=self.item.department_id)
        return form


class RequestStartView(RequestStepView):
    title = _("开始办理")
    step = "start"
    form_class = StartForm
    submit_label = _("开始办理")
    done_message = _("“%(item)s”已开始办理。")
    service = staticmethod(request_start)


class RequestNoteView(RequestStepView):
    title = _("登记办理记录")
    step = "note"
    form_class = NoteForm
    submit_label = _("保存记录")
    done_message = _("已登记“%(item)s”的办理记录。")

    def perform(self, data: dict[str, Any]) -> Any:
        return request_add_note(
            request=self.item,
            note=data["note"],
            internal=data.get("internal", False),
            on=data.get("on"),
            by=self.request.user,
        )


class RequestExtendView(RequestStepView):
    title = _("申请延期")
    step = "extend"
    form_class = ExtendForm
    submit_label = _("提交延期申请")
    done_message = _("已提交“%(item)s”的延期申请，待负责人审批。")

    def notice(self) -> str:
        notice = super().notice()
        if notice and self.item.is_open and self.item.suspended_since is not None:
            return str(_("该诉求已暂停计时，等待企业补充材料；恢复计时后如仍需延期再申请。"))
        return notice

    def perform(self, data: dict[str, Any]) -> Any:
        return request_ask_extension(
            request=self.item,
            days=data["days"],
            reason=data["reason"],
            on=data.get("on"),
            by=self.request.user,
        )


class RequestDecideExtensionView(RequestStepView):
    title = _("审批延期")
    step = "decide_extension"
    form_class = DecideExtensionForm
    permission_required = ("enterprises.change_enterpriserequest", APPROVE_EXTENSION)
    submit_label = _("提交审批")
    done_message = _("已审批“%(item)s”的延期申请。")

    def pending(self) -> RequestExtension | None:
        if not hasattr(self, "_pending"):
            self._pending = request_pending_extension(request=self.item)
        return self._pending

    def notice(self) -> str:
        notice = super().notice()
        if notice and self.pending() is None:
            return str(_("该诉求没有待审批的延期申请。"))
        return notice

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(pending=self.pending(), **kwargs)

    def perform(self, data: dict[str, Any]) -> Any:
        pending = self.pending()
        if pending is None:
            raise ApplicationError(gettext("该诉求没有待审批的延期申请。"))
        return request_decide_extension(
            extension=pending,
            approve=data["decision"] == "approve",
            note=data.get("note", ""),
            on=data.get("on"),
            by=self.request.user,
        )


class RequestSuspendView(RequestStepView):
    title = _("暂停计时（请企业补充材料）")
    step = "suspend"
    form_class = SuspendForm
    submit_label = _("暂停计时")
    done_message = _("“%(item)s”已暂停计时，等待企业补充材料。")
    service = staticmethod(request_suspend)

    def notice(self) -> str:
        notice = super().notice()
        if notice and self.item.suspended_since is not None:
            return str(_("该诉求已暂停计时，正在等待企业补充材料。"))
        if notice and self.item.due_on is not None and self.item.is_open:
            return str(_("办结期限已过，不能再暂停计时；请尽快答复企业。"))
        return notice


class RequestResumeView(RequestStepView):
    title = _("恢复计时")
    step = "resume"
    form_class = ResumeForm
    submit_label = _("恢复计时")
    done_message = _("“%(item)s”已恢复计时，办结期限已顺延。")
    service = staticmethod(request_resume)

    def notice(self) -> str:
        notice = super().notice()
        if notice and self.item.is_open and self.item.suspended_since is None:
            return str(_("该诉求未暂停计时，无需恢复。"))
        return notice

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            suspension=request_suspension_ask(request=self.item), **kwargs
        )


class RequestAnswerView(RequestStepView):
    title = _("答复企业")
    step = "answer"
    form_class = AnswerForm
    submit_label = _("确认答复")
    done_message = _("“%(item)s”已答复。")
    service = staticmethod(request_answer)


class RequestRateView(RequestStepView):
    title = _("登记回访评价")
    step = "rate"
    form_class = RateForm
    submit_label = _("保存评价")
    done_message = _("已登记“%(item)s”的回访评价。")
    service = staticmethod(request_rate)


class RequestReturnView(RequestStepView):
    title = _("退回诉求")
    step = "return"
    form_class = ReturnForm
    submit_label = _("确认退回")
    done_message = _("“%(item)s”已退回。")
    service = staticmethod(request_return)


# --- statistics -----------------------------------------------------------------------------------

GROUPINGS = [
    ("topic", _("按领域")),
    ("department", _("按承办部门")),
    ("category", _("按类别（堵点/痛点/难点）")),
    ("kind", _("按诉求类型")),
    ("enterprise", _("按企业")),
]


class StatisticsPeriod:
    def __init__(self, *, year: int, first: int, last: int, by: str, today: date) -> None:
        self.year, self.first, self.last, self.by = year, first, last, by
        months = Period(year, first, last)
        self.start, self.end, self.label = months.start, months.end, months.label_on(today)
        self.group_header = str(STATISTICS_BY[by])
        self.title = gettext("%(period)s企业诉求办理情况统计表（%(by)s）") % {
            "period": self.label,
            "by": self.group_header,
        }


class StatisticsForm(Form):
    year = forms.IntegerField(label=_("年度"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    first_month = forms.TypedChoiceField(label=_("起始月份"), coerce=int, choices=MONTH_CHOICES)
    last_month = forms.TypedChoiceField(label=_("截止月份"), coerce=int, choices=MONTH_CHOICES)
    by = forms.ChoiceField(label=_("统计口径"), choices=GROUPINGS)

    def __init__(self, data: Any = None, *, latest: date | None = None, **kwargs: Any) -> None:
        # This year so far; the year of the newest request when none was filed this year.
        self.today = today = timezone.localdate()
        year, last = today.year, today.month
        if latest is not None and latest.year < today.year:
            year, last = latest.year, 12
        self.defaults: dict[str, Any] = {
            "year": year,
            "first_month": 1,
            "last_month": last,
            "by": "topic",
        }
        super().__init__(data, initial=self.defaults, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("first_month"), cleaned.get("last_month")
        if first is not None and last is not None and first > last:
            raise ValidationError({"last_month": _("截止月份不能早于起始月份。")})
        return cleaned

    def period(self) -> StatisticsPeriod:
        """The period asked for, or the default one when the form is empty or wrong."""
        values = dict(self.defaults)
        if self.is_bound and self.is_valid():
            values.update(self.cleaned_data)
        return StatisticsPeriod(
            year=values["year"],
            first=values["first_month"],
            last=values["last_month"],
            by=values["by"],
            today=self.today,
        )


class RequestStatisticsView(UnfoldModelAdminViewMixin, TemplateView):
    """诉求统计: requests filed in a period by topic, department, category, kind or enterprise —
    filed, answered, open, overdue, on-time rate, working days used, satisfaction, reopening."""

    title = _("诉求统计")
    permission_required = ("enterprises.view_enterpriserequest",)
    template_name = "enterprises/requests/statistics.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = StatisticsForm(
            self.request.GET or None, latest=requests_latest_filed_on(user=self.request.user)
        )
        period = form.period()
        statistics = requests_statistics(
            user=self.request.user, start=period.start, end=period.end, by=period.by
        )
        return super().get_context_data(
            form=form,
            period=period,
            statistics=statistics,
            satisfied_score=SATISFIED_SCORE,
            query=self.request.GET.urlencode(),
            **kwargs,
        )


# --- the overdue list -----------------------------------------------------------------------------


class OverdueRequestsView(UnfoldModelAdminViewMixin, TemplateView):
    """逾期诉求: every open request past its deadline within the user's scope (zone-wide for an
    inspector), the longest overdue first."""

    title = _("逾期诉求")
    permission_required = ("enterprises.view_enterpriserequest",)
    template_name = "enterprises/requests/overdue.html"
    per_page = 50

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        today = timezone.localdate()
        queryset = overdue_requests(user=self.request.user, on=today)
        page = Paginator(queryset, self.per_page).get_page(self.request.GET.get("page"))
        requests_with_clock(page.object_list, on=today)
        return super().get_context_data(
            page=page,
            today=today,
            colours=CLOCK_COLOURS,
            export=reverse("admin:enterprises_enterpriserequest_export") + "?overdue=yes",
            **kwargs,
        )


# --- the limits per kind --------------------------------------------------------------------------


@admin.register(RequestKindLimit)
class RequestKindLimitAdmin(InputRulesAdminMixin, ServiceErrorsMixin, ModelAdmin):
    """The working-day limit of each kind (咨询 1, 求助 5, 投诉 10 by default): the three kinds
    are fixed, administrators change their limits; a change applies to requests accepted after
    it (a running clock keeps its limit)."""

    list_display = ["kind", "limit_days"]
    list_editable: list[str] = []
    fields = ["kind", "limit_days"]
    readonly_fields = ["kind"]
    nav_order = 90

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        request_limit_set(
            kind=obj.kind,
            limit_days=obj.limit_days,
            by=request.user,
            expected_limit=form.initial.get("limit_days"),
        )

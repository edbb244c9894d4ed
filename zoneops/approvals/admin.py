"""Back office of government services: the catalogue (with Excel in and out), the cases with
their clock and one page per step, the overdue list and the figures of any period."""

from datetime import date
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from unfold.decorators import action, display
from unfold.views import UnfoldModelAdminViewMixin

from zoneops.approvals.enums import CaseStatus, Decision, SuspensionKind
from zoneops.approvals.excel import figures_workbook, service_item_register
from zoneops.approvals.models import Case, CaseClock, CaseEvent, ServiceItem
from zoneops.approvals.selectors import (
    approval_figures,
    case_available_steps,
    case_detail_queryset,
    cases_with_clock,
    clock_of,
    overdue_cases,
)
from zoneops.approvals.services import (
    Applicant,
    case_accept,
    case_conclude,
    case_decide,
    case_receive,
    case_refuse,
    case_resume,
    case_review,
    case_suspend,
    service_item_check,
    service_item_save,
)
from zoneops.casework.admin import (
    ClockedChangeList,
    ClockedStepView,
    OverdueFilter,
    StepButtonsMixin,
    StepForm,
    clock_badge,
    clock_colours,
)
from zoneops.common.admin_base import BusinessAdmin, TabularInline, VersionedForm, label_html
from zoneops.common.admin_excel import ExcelAdminMixin
from zoneops.common.excel import xlsx_response
from zoneops.common.exceptions import ApplicationError
from zoneops.common.forms import Form
from zoneops.common.inputs import FIRST_YEAR, LAST_YEAR
from zoneops.common.periods import MONTH_CHOICES, Period, format_day

CLOCK_COLOURS: dict[str, str] = clock_colours(CaseClock)
STATUS_COLOURS: dict[str, str] = {
    CaseStatus.RECEIVED: "default",
    CaseStatus.ACCEPTED: "info",
    CaseStatus.REVIEWING: "info",
    CaseStatus.DECIDED: "primary",
    CaseStatus.CONCLUDED: "success",
    CaseStatus.REFUSED: "danger",
}


def _as_validation_error(error: ApplicationError, fields: Any) -> ValidationError:
    field = error.field if error.field in fields else "__all__"
    return ValidationError({field: error.message})


# --- the catalogue ---------------------------------------------


class ServiceItemForm(VersionedForm):
    class Meta:
        model = ServiceItem
        fields = "__all__"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.errors:
            try:
                service_item_check(cleaned)
            except ApplicationError as error:
                raise _as_validation_error(error, self.fields) from error
        return cleaned


@admin.register(ServiceItem)
class ServiceItemAdmin(ExcelAdminMixin, BusinessAdmin):
    form = ServiceItemForm
    excel_register = service_item_register
    list_display = [
        "code",
        "name",
        "department",
        "kind",
        "statutory_days",
        "promised_days",
        "one_visit",
        "online",
        "in_centre",
        "taken_over",
    ]
    list_display_links = ["code", "name"]
    list_filter = ["kind", "department", "in_centre", "taken_over", "one_visit", "online"]
    search_fields = ["code", "name"]
    list_select_related = ["department"]
    autocomplete_fields = ["department"]
    nav_order = 10
    fieldsets = [
        (None, {"fields": [("code", "name"), ("department", "kind")]}),
        (_("时限"), {"fields": [("statutory_days", "promised_days")]}),
        (_("服务方式"), {"fields": [("one_visit", "online", "in_centre")]}),
        (
            _("承接市级下放"),
            {"fields": [("taken_over", "taken_over_on", "taken_over_document")]},
        ),
        (None, {"fields": ["materials", "fee", ("listed_on", "withdrawn_on")]}),
    ]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        from zoneops.approvals.services import ITEM_FIELDS

        values = {
            name: form.cleaned_data[name] for name in ITEM_FIELDS if name in form.cleaned_data
        }
        saved = service_item_save(
            item=obj if change else None,
            values=values,
            by=request.user,
            expected_version=form.cleaned_data.get("edit_version") if change else None,
        )
        obj.pk, obj.version = saved.pk, saved.version
        obj._state.adding = False


# --- cases ---------------------------------------------


class CaseEventInline(TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    fields = ["on", "kind", "note", "by", "at"]
    readonly_fields = fields
    verbose_name_plural = _("办理记录")
    hide_title = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("by")


class CaseAddForm(VersionedForm):
    """Receiving an application (收件): the service checks the applicant and the item."""

    # Not the model's name: a non-editable model field cannot be a ModelForm's field.
    received = forms.DateField(
        label=_("收件日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("默认今天。"),
    )

    class Meta:
        model = Case
        fields = [
            "item",
            "enterprise",
            "applicant_name",
            "applicant_id_number",
            "applicant_phone",
            "project",
            "handler",
        ]
        help_texts = {
            "enterprise": _("企业申请时选择；个人申请时留空并填写姓名和身份证号或电话。"),
        }


READONLY_ON_CHANGE = [
    "item",
    "department",
    "enterprise",
    "applicant_name",
    "applicant_id_number",
    "applicant_phone",
    "project",
    "handler",
    "status_badge",
    "received_on",
    "accepted_on",
    "limit_days",
    "due_text",
    "clock_badge_field",
    "suspension_text",
    "materials_asked_on",
    "refused_on",
    "refusal_reason",
    "decision",
    "decision_reason",
    "decided_on",
    "concluded_on",
]


@admin.register(Case)
class CaseAdmin(StepButtonsMixin, BusinessAdmin):
    list_display = [
        "show_case",
        "department",
        "received_on",
        "show_status",
        "due_on",
        "show_clock",
    ]
    list_filter = ["status", OverdueFilter, "department", "item__kind", "item__in_centre"]
    search_fields = ["item__name", "item__code", "enterprise__name", "applicant_name"]
    list_select_related = ["item", "department", "enterprise", "project", "handler"]
    autocomplete_fields = ["item", "enterprise", "project", "handler"]
    date_hierarchy = "received_on"
    actions_detail = ["accept", "refuse", "review", "suspend", "resume", "decide", "conclude"]
    nav_order = 20

    def get_changelist(self, request: HttpRequest, **kwargs: Any):
        return ClockedChangeList

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        if obj is None:
            kwargs["form"] = CaseAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None):
        if obj is None:
            return [
                (None, {"fields": ["item", "enterprise"]}),
                (
                    _("个人申请人"),
                    {"fields": [("applicant_name", "applicant_id_number", "applicant_phone")]},
                ),
                (None, {"fields": ["project", "handler", "received"]}),
                (None, {"fields": ["edit_version"], "classes": ["hidden"]}),
            ]
        return [
            (None, {"fields": ["item", ("department", "handler"), "project"]}),
            (
                _("申请人"),
                {
                    "fields": [
                        "enterprise",
                        ("applicant_name", "applicant_id_number", "applicant_phone"),
                    ]
                },
            ),
            (
                _("办理与时限"),
                {
                    "fields": [
                        ("status_badge", "clock_badge_field"),
                        ("received_on", "accepted_on"),
                        ("limit_days", "due_text"),
                        ("suspension_text", "materials_asked_on"),
                    ]
                },
            ),
            (_("不予受理"), {"fields": [("refused_on", "refusal_reason")]}),
            (
                _("决定与办结"),
                {"fields": [("decision", "decided_on"), "decision_reason", "concluded_on"]},
            ),
            (None, {"fields": ["edit_version"], "classes": ["hidden"]}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):
        return READONLY_ON_CHANGE if obj is not None else []

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict,
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ):
        if obj is not None:
            # A case changes through its steps only: no save buttons on its page.
            context.update(
                show_save=False, show_save_and_continue=False, show_save_and_add_another=False
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_inlines(self, request: HttpRequest, obj: Any = None):
        return [CaseEventInline] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Case, form: Any, change: bool) -> None:
        if change:
            return  # a case changes through its steps only
        data = form.cleaned_data
        case = case_receive(
            item=data["item"],
            applicant=Applicant(
                enterprise=data.get("enterprise"),
                name=data.get("applicant_name", ""),
                id_number=data.get("applicant_id_number", ""),
                phone=data.get("applicant_phone", ""),
            ),
            project=data.get("project"),
            handler=data.get("handler"),
            received_on=data.get("received"),
            by=request.user,
        )
        obj.pk = case.pk
        obj._state.adding = False

    @display(description=_("办件"), ordering="received_on")
    def show_case(self, obj: Case) -> str:
        return str(obj)

    @display(description=_("状态"), label=STATUS_COLOURS, ordering="status")
    def show_status(self, obj: Case) -> tuple[str, str]:
        return obj.status, obj.get_status_display()

    @admin.display(description=_("时限"))
    def show_clock(self, obj: Case) -> str:
        return clock_badge(clock_of(obj), CLOCK_COLOURS)

    @admin.display(description=_("状态"))
    def status_badge(self, obj: Case) -> str:
        return label_html(obj.get_status_display(), STATUS_COLOURS.get(obj.status))

    @admin.display(description=_("时限"))
    def clock_badge_field(self, obj: Case) -> str:
        return clock_badge(clock_of(obj), CLOCK_COLOURS)

    @admin.display(description=_("承诺期限"))
    def due_text(self, obj: Case) -> str:
        if obj.due_on is None:
            return "—"
        text = format_day(obj.due_on)
        return text + gettext("（期限待定）") if obj.due_provisional else text

    @admin.display(description=_("暂停计时"))
    def suspension_text(self, obj: Case) -> str:
        text = gettext("累计暂停 %(days)s 个工作日") % {"days": obj.suspended_days}
        if obj.suspended_since is not None:
            text = (
                gettext("自%(since)s起暂停（%(kind)s）；")
                % {
                    "since": format_day(obj.suspended_since),
                    "kind": obj.get_suspension_kind_display(),
                }
                + text
            )
        return text

    # The steps: one page each; the change page offers those the case's state allows.

    def record_steps(self, request: HttpRequest, obj: Any) -> Any:
        return case_available_steps(case=obj)

    @action(description=_("受理"), url_path="accept", permissions=["change"])
    def accept(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        return CaseAcceptView.as_view(model_admin=self)(request, object_id=object_id)

    @action(description=_("不予受理"), url_path="refuse", permissions=["change"])
    def refuse(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        return CaseRefuseView.as_view(model_admin=self)(request, object_id=object_id)

    @action(description=_("审查"), url_path="review", permissions=["change"])
    def review(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        return CaseReviewView.as_view(model_admin=self)(request, object_id=object_id)

    @action(description=_("暂停计时"), url_path="suspend", permissions=["change"])
    def suspend(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        return CaseSuspendView.as_view(model_admin=self)(request, object_id=object_id)

    @action(description=_("恢复计时"), url_path="resume", permissions=["change"])
    def resume(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        return CaseResumeView.as_view(model_admin=self)(request, object_id=object_id)

    @action(description=_("决定"), url_path="decide", permissions=["change"])
    def decide(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        return CaseDecideView.as_view(model_admin=self)(request, object_id=object_id)

    @action(description=_("办结"), url_path="conclude", permissions=["change"])
    def conclude(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        return CaseConcludeView.as_view(model_admin=self)(request, object_id=object_id)

    def get_urls(self):
        site = self.admin_site
        return [
            path(
                "figures/",
                site.admin_view(FiguresView.as_view(model_admin=self)),
                name="approvals_case_figures",
            ),
            path(
                "figures/export/",
                site.admin_view(self.figures_export),
                name="approvals_case_figures_export",
            ),
            path(
                "overdue/",
                site.admin_view(OverdueCasesView.as_view(model_admin=self)),
                name="approvals_case_overdue",
            ),
            *super().get_urls(),
        ]

    def figures_export(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        chosen = FiguresForm(request.GET or None).chosen()
        figures = approval_figures(start=chosen.start, end=chosen.end, user=request.user)
        return xlsx_response(
            figures_workbook(figures=figures, title=chosen.title), f"{chosen.title}.xlsx"
        )


# --- the step pages ---------------------------------------------


def _text_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class NoteForm(StepForm):
    note = _text_field(_("说明"), required=False)
    field_order = ["note", "on"]


class RefuseForm(StepForm):
    reason = _text_field(_("不予受理理由"))
    field_order = ["reason", "on"]


class SuspendForm(StepForm):
    kind = forms.ChoiceField(label=_("暂停计时事由"), choices=SuspensionKind.choices)
    reason = _text_field(
        _("说明"), help_text=_("补正时一次性写明需补正的全部材料；补正只能要求一次。")
    )
    field_order = ["kind", "reason", "on"]


class DecideForm(StepForm):
    decision = forms.ChoiceField(label=_("决定"), choices=Decision.choices)
    reason = _text_field(_("理由"), required=False, help_text=_("不予许可须写明理由。"))
    field_order = ["decision", "reason", "on"]


class CaseStepView(ClockedStepView):
    model = Case
    context_name = "case"
    record_argument = "case"
    permission_required = ("approvals.change_case",)
    template_name = "approvals/step.html"

    def get_queryset(self) -> Any:
        return case_detail_queryset(user=self.request.user)

    def available_steps(self) -> set[str]:
        return set(case_available_steps(case=self.record))

    def closed_notice(self) -> str:
        return str(
            _("办件当前为“%(status)s”，不能办理这一步。")
            % {"status": self.record.get_status_display()}
        )


class CaseAcceptView(CaseStepView):
    title = _("受理")
    step = "accept"
    form_class = NoteForm
    submit_label = _("确认受理")
    done_message = _("“%(case)s”已受理，开始计时。")
    service = staticmethod(case_accept)


class CaseRefuseView(CaseStepView):
    title = _("不予受理")
    step = "refuse"
    form_class = RefuseForm
    submit_label = _("确认不予受理")
    done_message = _("“%(case)s”不予受理。")
    service = staticmethod(case_refuse)


class CaseReviewView(CaseStepView):
    title = _("审查")
    step = "review"
    form_class = NoteForm
    submit_label = _("开始审查")
    done_message = _("“%(case)s”进入审查。")
    service = staticmethod(case_review)


class CaseSuspendView(CaseStepView):
    title = _("暂停计时")
    step = "suspend"
    form_class = SuspendForm
    submit_label = _("确认暂停计时")
    done_message = _("“%(case)s”已暂停计时。")
    service = staticmethod(case_suspend)


class CaseResumeView(CaseStepView):
    title = _("恢复计时")
    step = "resume"
    form_class = NoteForm
    submit_label = _("恢复计时")
    done_message = _("“%(case)s”已恢复计时，承诺期限已顺延。")
    service = staticmethod(case_resume)


class CaseDecideView(CaseStepView):
    title = _("决定")
    step = "decide"
    form_class = DecideForm
    submit_label = _("确认决定")
    done_message = _("“%(case)s”已作出决定。")
    service = staticmethod(case_decide)


class CaseConcludeView(CaseStepView):
    title = _("办结")
    step = "conclude"
    form_class = NoteForm
    submit_label = _("确认办结")
    done_message = _("“%(case)s”已办结。")
    service = staticmethod(case_conclude)


# --- overdue and figures ---------------------------------------------


class OverdueCasesView(UnfoldModelAdminViewMixin, TemplateView):
    """逾期办件: running cases past their promised deadline, the longest overdue first."""

    title = _("逾期办件")
    permission_required = ("approvals.view_case",)
    template_name = "approvals/overdue.html"
    per_page = 50

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        today = timezone.localdate()
        queryset = overdue_cases(on=today, user=self.request.user)
        page = Paginator(queryset, self.per_page).get_page(self.request.GET.get("page"))
        cases_with_clock(page.object_list, on=today)
        return super().get_context_data(page=page, today=today, colours=CLOCK_COLOURS, **kwargs)


class ChosenPeriod:
    def __init__(self, start: date, end: date, label: str) -> None:
        self.start, self.end, self.label = start, end, label
        self.title = gettext("%(period)s政务服务情况统计表") % {"period": label}


class FiguresForm(Form):
    """A year's months (1-N月 or any span), or any days from `start` to `end`."""

    year = forms.IntegerField(
        label=_("年度"), min_value=FIRST_YEAR, max_value=LAST_YEAR, required=False
    )
    first_month = forms.TypedChoiceField(
        label=_("起始月份"), coerce=int, choices=MONTH_CHOICES, required=False
    )
    last_month = forms.TypedChoiceField(
        label=_("截止月份"), coerce=int, choices=MONTH_CHOICES, required=False
    )
    start = forms.DateField(
        label=_("自定义起始日"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("自定义截止日"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        self.today = today = timezone.localdate()
        self.defaults = {"year": today.year, "first_month": 1, "last_month": today.month}
        super().__init__(data, initial=self.defaults, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("first_month"), cleaned.get("last_month")
        if first and last and first > last:
            raise ValidationError({"last_month": _("截止月份不能早于起始月份。")})
        start, end = cleaned.get("start"), cleaned.get("end")
        if (start is None) != (end is None):
            raise ValidationError({"end": _("自定义期间须同时填写起始日和截止日。")})
        if start and end and start > end:
            raise ValidationError({"end": _("截止日不能早于起始日。")})
        return cleaned

    def chosen(self) -> ChosenPeriod:
        values: dict[str, Any] = dict(self.defaults)
        if self.is_bound and self.is_valid():
            values.update({k: v for k, v in self.cleaned_data.items() if v not in (None, "")})
        if values.get("start") and values.get("end"):
            start, end = values["start"], values["end"]
            return ChosenPeriod(start, end, f"{format_day(start)}至{format_day(end)}")
        period = Period(values["year"], values["first_month"], values["last_month"])
        return ChosenPeriod(period.start, period.end, period.label_on(self.today))


class FiguresView(UnfoldModelAdminViewMixin, TemplateView):
    """政务服务统计: the article's figures for any period, per department and per item."""

    title = _("政务服务统计")
    permission_required = ("approvals.view_case",)
    template_name = "approvals/figures.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = FiguresForm(self.request.GET or None)
        chosen = form.chosen()
        figures = approval_figures(start=chosen.start, end=chosen.end, user=self.request.user)
        return super().get_context_data(
            form=form,
            chosen=chosen,
            figures=figures,
            query=self.request.GET.urlencode(),
            **kwargs,
        )

"""Back office of support funds: the programme catalogue, the applications with their steps
(获批, 未获批, 拨付), and the statistics page (扶持资金统计) with its Excel export."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from unfold.decorators import action
from unfold.views import UnfoldModelAdminViewMixin

from zoneops.common.admin_base import BusinessAdmin, RecordStepView, TabularInline
from zoneops.common.admin_excel import ExcelAdminMixin
from zoneops.common.excel import xlsx_response
from zoneops.common.forms import Form
from zoneops.common.inputs import FIRST_YEAR, LAST_YEAR
from zoneops.common.periods import MONTH_CHOICES, Period
from zoneops.funds.enums import FundApplicationStatus, FundStep
from zoneops.funds.excel import application_register, fund_totals_workbook
from zoneops.funds.models import FundApplication, FundEvent, FundProgramme
from zoneops.funds.selectors import application_events, fund_totals
from zoneops.funds.services import (
    PAYABLE,
    application_approve,
    application_delete,
    application_file,
    application_pay,
    application_reject,
    application_update,
    programme_delete,
    programme_save,
)

S = FundApplicationStatus


@admin.register(FundProgramme)
class FundProgrammeAdmin(BusinessAdmin):
    list_display = ["name", "year", "level", "kind", "issuer", "department"]
    list_filter = ["year", "level", "kind"]
    search_fields = ["name", "issuer"]
    fields = ["name", "year", "level", "kind", "issuer", "department", "note"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        expected = form.cleaned_data.get("edit_version") if change else None
        programme_save(programme=obj, by=request.user, expected_version=expected)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        programme_delete(programme=obj, by=request.user)


class FundEventInline(TabularInline):
    model = FundEvent
    extra = 0
    can_delete = False
    fields = ["step", "on", "amount", "note", "by"]
    readonly_fields = fields
    verbose_name_plural = _("申报环节")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(FundApplication)
class FundApplicationAdmin(ExcelAdminMixin, BusinessAdmin):
    excel_register = application_register

    list_display = [
        "title",
        "programme",
        "enterprise",
        "project",
        "status",
        "applied_amount",
        "approved_amount",
        "paid_amount",
        "applied_on",
    ]
    list_filter = ["status", "programme__level", "programme__kind", "programme__year"]
    search_fields = ["title", "enterprise__name", "project__name", "programme__name"]
    list_select_related = ["programme", "enterprise", "project"]
    autocomplete_fields: list[str] = []
    raw_id_fields = ["enterprise", "project"]
    inlines = [FundEventInline]
    actions_detail = ["approve", "reject", "pay"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = ["programme", "title", "enterprise", "project", "applied_amount", "applied_on"]
        if obj is not None:
            fields += ["status", "approved_amount", "approved_on", "paid_amount", "paid_on"]
        return fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        readonly = ["status", "approved_amount", "approved_on", "paid_amount", "paid_on"]
        return [*readonly, "applied_on"] if obj is not None else readonly

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            application_update(
                application=obj,
                by=request.user,
                expected_version=form.cleaned_data.get("edit_version"),
            )
            return
        saved = application_file(
            programme=obj.programme,
            title=obj.title,
            applied_amount=obj.applied_amount,
            applied_on=obj.applied_on,
            enterprise=obj.enterprise,
            project=obj.project,
            by=request.user,
        )
        obj.pk, obj.version = saved.pk, saved.version

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        application_delete(application=obj, by=request.user)

    def available_steps(self, request: HttpRequest, obj: Any) -> Any:
        if obj.status == S.APPLIED:
            return ["approve", "reject"]
        return ["pay"] if obj.status in PAYABLE else []

    @action(description=_("登记获批"), url_path="approve", permissions=["change"])
    def approve(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return ApproveView.as_view(model_admin=self)(request, object_id=object_id)

    @action(description=_("登记未获批"), url_path="reject", permissions=["change"])
    def reject(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return RejectView.as_view(model_admin=self)(request, object_id=object_id)

    @action(description=_("登记拨付"), url_path="pay", permissions=["change"])
    def pay(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return PayView.as_view(model_admin=self)(request, object_id=object_id)

    def get_urls(self):
        site = self.admin_site
        return [
            path(
                "statistics/",
                site.admin_view(FundStatisticsView.as_view(model_admin=self)),
                name="funds_fundapplication_statistics",
            ),
            path(
                "statistics/export/",
                site.admin_view(self.statistics_export),
                name="funds_fundapplication_statistics_export",
            ),
            *super().get_urls(),
        ]

    def statistics_export(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        period = PeriodForm(request.GET or None).period()
        totals = fund_totals(start=period.start, end=period.end, user=request.user)
        title = statistics_title(period)
        return xlsx_response(fund_totals_workbook(totals=totals, title=title), f"{title}.xlsx")


# --- steps ------------------------------------------------------------------------------------


class StepForm(Form):
    on = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    edit_version = forms.IntegerField(widget=forms.HiddenInput)


class AmountStepForm(StepForm):
    amount = forms.DecimalField(label=_("金额（万元）"))
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RejectForm(StepForm):
    reason = forms.CharField(label=_("未获批原因"), widget=forms.Textarea(attrs={"rows": 3}))


class FundStepView(RecordStepView):
    model = FundApplication
    context_name = "application"
    permission_required = ("funds.change_fundapplication",)
    template_name = "funds/step.html"
    allowed: frozenset[str] = frozenset()

    def get_initial(self) -> dict[str, Any]:
        return {**super().get_initial(), "on": timezone.localdate()}

    def notice(self) -> str:
        if self.record.status in self.allowed:
            return ""
        return gettext("申报状态为“%(status)s”，不能登记“%(step)s”。") % {
            "status": self.record.get_status_display(),
            "step": FundStep(self.step).label,
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            events=application_events(application=self.record), **kwargs
        )


class ApproveView(FundStepView):
    title = _("登记获批")
    step = FundStep.APPROVE
    allowed = frozenset({S.APPLIED})
    form_class = AmountStepForm
    done_message = _("“%(application)s”已登记获批。")

    def perform(self, data: dict[str, Any]) -> Any:
        return application_approve(
            application=self.record,
            amount=data["amount"],
            on=data["on"],
            note=data.get("note", ""),
            by=self.request.user,
            expected_version=data["edit_version"],
        )


class RejectView(FundStepView):
    title = _("登记未获批")
    step = FundStep.REJECT
    allowed = frozenset({S.APPLIED})
    form_class = RejectForm
    done_message = _("“%(application)s”已登记未获批。")

    def perform(self, data: dict[str, Any]) -> Any:
        return application_reject(
            application=self.record,
            reason=data["reason"],
            on=data["on"],
            by=self.request.user,
            expected_version=data["edit_version"],
        )


class PayView(FundStepView):
    title = _("登记拨付")
    step = FundStep.PAY
    allowed = PAYABLE
    form_class = AmountStepForm
    done_message = _("“%(application)s”已登记拨付。")

    def perform(self, data: dict[str, Any]) -> Any:
        return application_pay(
            application=self.record,
            amount=data["amount"],
            on=data["on"],
            note=data.get("note", ""),
            by=self.request.user,
            expected_version=data["edit_version"],
        )


# --- statistics -------------------------------------------------------------------------------


class PeriodForm(Form):
    year = forms.IntegerField(label=_("年度"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    first_month = forms.TypedChoiceField(label=_("起始月份"), coerce=int, choices=MONTH_CHOICES)
    last_month = forms.TypedChoiceField(label=_("截止月份"), coerce=int, choices=MONTH_CHOICES)

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        today = timezone.localdate()
        self.defaults = {"year": today.year, "first_month": 1, "last_month": today.month}
        super().__init__(data, initial=self.defaults, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("first_month"), cleaned.get("last_month")
        if first is not None and last is not None and first > last:
            raise ValidationError({"last_month": _("截止月份不能早于起始月份。")})
        return cleaned

    def period(self) -> Period:
        """The period asked for, or this year so far when the form is empty or wrong."""
        values = dict(self.defaults)
        if self.is_bound and self.is_valid():
            values.update(self.cleaned_data)
        return Period(values["year"], values["first_month"], values["last_month"])


def statistics_title(period: Period) -> str:
    return gettext("%(period)s扶持资金争取情况") % {"period": period.label_on(timezone.localdate())}


class FundStatisticsView(UnfoldModelAdminViewMixin, TemplateView):
    """扶持资金统计: a period's applications, approvals and payments by level, department and
    programme, and the R&D and demonstration projects won."""

    title = _("扶持资金统计")
    permission_required = ("funds.view_fundapplication",)
    template_name = "funds/statistics.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = PeriodForm(self.request.GET or None)
        period = form.period()
        totals = fund_totals(start=period.start, end=period.end, user=self.request.user)
        return super().get_context_data(
            form=form,
            period=period,
            heading=statistics_title(period),
            totals=totals,
            tables=[
                (_("按资金级别"), _("资金级别"), totals.by_level),
                (_("按区内部门"), _("区内对口部门"), totals.by_department),
                (_("按资金项目"), _("资金项目"), totals.by_programme),
            ],
            query=self.request.GET.urlencode(),
            **kwargs,
        )

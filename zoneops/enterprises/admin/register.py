"""Back office of the enterprise register: enterprises with their figures and liaison, the
figures with YoY, the liaison roster, "我的包联", the coverage table, and Excel in and out.
Every write goes through `zoneops.enterprises.services`; every page reads through selectors."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.paginator import Paginator
from django.core.validators import MaxLengthValidator
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from unfold.contrib.filters.admin import AutocompleteSelectFilter
from unfold.decorators import action, display
from unfold.views import UnfoldModelAdminViewMixin

from zoneops.common.admin_base import BusinessAdmin, TabularInline, VersionedForm, record_or_404
from zoneops.common.admin_excel import ExcelAdminMixin
from zoneops.common.amounts import format_wan
from zoneops.common.exceptions import ApplicationError
from zoneops.common.forms import Form, add_service_error
from zoneops.common.scope import scope_queryset
from zoneops.common.services import record_delete, record_save
from zoneops.enterprises.enums import LiaisonKind
from zoneops.enterprises.excel import EnterpriseRegister, FigureRegister
from zoneops.enterprises.models import Enterprise, EnterpriseFigure, LiaisonAssignment
from zoneops.enterprises.permissions import ASSIGN_LIAISON
from zoneops.enterprises.selectors import (
    active_liaisons_prefetch,
    figures_with_previous,
    liaison_coverage,
    liaison_may_arrange,
    my_liaison,
    yoy_percent,
)
from zoneops.enterprises.services import (
    enterprise_save,
    liaison_check_arrangement,
    liaison_delete,
    liaison_end,
    liaison_save,
)
from zoneops.enterprises.services.chains import enterprises_put_on_node
from zoneops.enterprises.validators import normalise_credit_code
from zoneops.industry.gb4754 import normalise_industry_code
from zoneops.industry.models import ChainNode

KIND_COLOURS = {
    LiaisonKind.LEADER: "primary",
    LiaisonKind.DEPARTMENT: "info",
    LiaisonKind.INSPECTOR: "warning",
}


class ScopedInline(TabularInline):
    """An inline that shows only the rows in the user's scope and saves through services."""

    extra = 0

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return scope_queryset(super().get_queryset(request), request.user)


class LiaisonFormSet(BaseInlineFormSet):
    """Each new or edited row is asked of the liaison rules before anything is saved, so a
    refusal stands at its row and nothing the user typed is lost."""

    user: Any = None

    def clean(self) -> None:
        super().clean()
        for form in self.forms:
            if not form.has_changed() or not hasattr(form, "cleaned_data"):
                continue
            if form.cleaned_data.get("DELETE") or form.errors:
                continue
            assignment = form.instance
            assignment.enterprise = self.instance
            try:
                liaison_check_arrangement(assignment=assignment, by=self.user)
            except ApplicationError as error:
                add_service_error(form, error)


class LiaisonInline(ScopedInline):
    model = LiaisonAssignment
    formset = LiaisonFormSet
    fields = ["kind", "level", "person", "department", "started_on", "ended_on", "note"]

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        formset.user = request.user
        return formset

    autocomplete_fields = ["person", "department"]
    verbose_name_plural = _("包联")
    ordering = ["kind", "-started_on"]

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return super().get_queryset(request).select_related("person", "department")

    # The enterprise's liaison is arranged by those who may arrange it, whoever edits the rest;
    # a row on record stays as it is here (it is ended on its own page, with its reason).
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _may_arrange(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _may_arrange(request: HttpRequest, enterprise: Enterprise | None) -> bool:
    if enterprise is None:  # the add page: the rows are checked against the new enterprise
        return request.user.has_perm(ASSIGN_LIAISON)
    return liaison_may_arrange(user=request.user, enterprise=enterprise)


class FigureInline(ScopedInline):
    model = EnterpriseFigure
    fields = [
        "year",
        "month",
        "revenue",
        "output_value",
        "tax",
        "employees",
        "rnd_spending",
        "exports",
        "note",
    ]
    verbose_name_plural = _("经济数据（月份为1至该月累计数）")
    per_page = 24


class EnterpriseForm(VersionedForm):
    """The codes as typed (spaces, small letters) are taken in their stored form."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        code = self.fields.get("credit_code")
        if code is not None:  # "9113 0971 …" is longer than 18 until the spaces are gone
            code.max_length = None  # type: ignore[attr-defined]
            code.validators = [v for v in code.validators if not isinstance(v, MaxLengthValidator)]
            code.widget.attrs.pop("maxlength", None)

    def clean_credit_code(self) -> str | None:
        return normalise_credit_code(self.cleaned_data.get("credit_code") or "") or None

    def clean_industry_code(self) -> str:
        return normalise_industry_code(self.cleaned_data.get("industry_code") or "")


class ChainNodeChoiceForm(Form):
    node = forms.ModelChoiceField(
        label=_("产业链环节"),
        queryset=ChainNode.objects.select_related("chain").order_by(
            "chain__order", "chain_id", "segment", "order", "id"
        ),
    )


class PostRendersPage:
    """A page rendered by an admin view after it handled a POST (a form with its errors)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.get(request, *args, **kwargs)  # type: ignore[attr-defined]


@admin.register(Enterprise)
class EnterpriseAdmin(ExcelAdminMixin, BusinessAdmin):
    form = EnterpriseForm
    excel_register = EnterpriseRegister()
    excel_short_urls = True
    list_display = [
        "name",
        "credit_code",
        "park",
        "industry",
        "country",
        "is_above_scale_industry",
        "is_above_quota_trade",
        "is_high_tech",
        "is_specialized",
        "is_tech_sme",
        "show_liaison",
    ]
    list_filter = [
        "is_above_scale_industry",
        "is_above_quota_trade",
        "is_high_tech",
        "is_specialized",
        "is_tech_sme",
        "park",
        "industry",
        "country",
        # The chain map's node links to its enterprises filter by it.
        ("chain_nodes", AutocompleteSelectFilter),
        "is_sample",
    ]
    search_fields = ["name", "credit_code", "former_names"]
    list_select_related = ["park", "industry"]
    autocomplete_fields = ["park", "industry", "responsible_department", "chain_nodes"]
    inlines = [LiaisonInline, FigureInline]
    actions = ["put_on_chain_node"]
    nav_order = 10
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("name", "credit_code"),
                    "former_names",
                    ("legal_representative", "registered_capital"),
                    ("established_on", "country"),
                ]
            },
        ),
        (
            _("园区与产业"),
            {
                "fields": [
                    ("park", "park_unit"),
                    "address",
                    ("industry", "industry_code"),
                    "chain_nodes",
                    "responsible_department",
                ]
            },
        ),
        (
            _("企业类型"),
            {
                "fields": [
                    ("is_above_scale_industry", "is_above_quota_trade"),
                    ("is_high_tech", "is_specialized", "is_tech_sme"),
                ]
            },
        ),
        (_("联系"), {"fields": [("contact_person", "contact_phone"), "note"]}),
        (_("其他"), {"fields": ["is_sample"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return (
            super()
            .get_queryset(request)
            .prefetch_related(active_liaisons_prefetch(on=timezone.localdate()))
        )

    @admin.display(description=_("包联"))
    def show_liaison(self, obj: Enterprise) -> str:
        liaisons = getattr(obj, "active_liaisons", [])
        return "、".join(str(a.person or a.department) for a in liaisons) or "—"

    def save_model(self, request: HttpRequest, obj: Enterprise, form: Any, change: bool) -> None:
        expected = form.cleaned_data.get("edit_version") if change else None
        enterprise_save(enterprise=obj, by=request.user, expected_version=expected)

    @admin.action(description=_("归入产业链环节"), permissions=["change"])
    def put_on_chain_node(self, request: HttpRequest, queryset: models.QuerySet) -> Any:
        """The selected enterprises onto one node, chosen on an intermediate page."""
        form = ChainNodeChoiceForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            try:
                added = enterprises_put_on_node(
                    enterprises=queryset, node=form.cleaned_data["node"], by=request.user
                )
            except ApplicationError as error:
                self.message_user(request, error.message, messages.ERROR)
                return None
            self.message_user(
                request,
                _("已将 %(n)d 家企业归入“%(node)s”。")
                % {"n": added, "node": form.cleaned_data["node"]},
            )
            return None
        return TemplateResponse(
            request,
            "enterprises/put_on_chain_node.html",
            {
                **self.admin_site.each_context(request),
                "title": _("归入产业链环节"),
                "form": form,
                "enterprises": queryset,
                "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
                "opts": self.model._meta,
            },
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):
        readonly = list(super().get_readonly_fields(request, obj))
        # Handed over only by those who may arrange the enterprise's liaison (the service's rule).
        if obj is not None and not liaison_may_arrange(user=request.user, enterprise=obj):
            readonly.append("responsible_department")
        return readonly

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Inline rows are business records too: each saved with its version and history,
        liaison under the liaison rules."""
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            if isinstance(obj, LiaisonAssignment):
                liaison_delete(assignment=obj, by=request.user)
            else:
                record_delete(instance=obj, by=request.user)
        for instance in instances:
            if isinstance(instance, LiaisonAssignment):
                liaison_save(assignment=instance, by=request.user)
            else:
                record_save(instance=instance, by=request.user)
        formset.save_m2m()


class FigureYearFilter(admin.SimpleListFilter):
    """The years from the first figures' to the last's, each end read from an index (a
    DISTINCT over a million figures was most of the list's time); the old links still work."""

    title = _("年度")
    parameter_name = "year__exact"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        years = with_index_dates_years(model_admin.get_queryset(request), "year")
        return [(str(year), str(year)) for year in reversed(years)]

    def queryset(self, request: HttpRequest, queryset: models.QuerySet) -> models.QuerySet:
        value = self.value()
        return queryset.filter(year=int(value)) if value and value.isdigit() else queryset


class FigureMonthFilter(admin.SimpleListFilter):
    """The twelve months and the yearly figures (no month): a fixed list, no query."""

    title = _("月份")
    parameter_name = "month__exact"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        months = [(str(month), gettext("%(month)s月") % {"month": month}) for month in range(13)]
        return [*months[1:], ("annual", gettext("全年"))]

    def queryset(self, request: HttpRequest, queryset: models.QuerySet) -> models.QuerySet:
        value = self.value()
        if value == "annual":
            return queryset.filter(month__isnull=True)
        return queryset.filter(month=int(value)) if value and value.isdigit() else queryset


def with_index_dates_years(queryset: models.QuerySet, field_name: str) -> list[int]:
    """The whole numbers from a column's smallest value to its largest, each read from an index."""
    rows = queryset.filter(**{f"{field_name}__isnull": False}).values_list(field_name, flat=True)
    first = rows.order_by(field_name).first()
    last = rows.order_by(f"-{field_name}").first()
    return [] if first is None or last is None else list(range(first, last + 1))


@admin.register(EnterpriseFigure)
class EnterpriseFigureAdmin(ExcelAdminMixin, BusinessAdmin):
    excel_register = FigureRegister()
    excel_short_urls = True
    list_display = [
        "enterprise",
        "show_period",
        "show_revenue",
        "show_revenue_yoy",
        "show_output",
        "show_tax",
        "show_tax_yoy",
        "employees",
    ]
    list_filter = [FigureYearFilter, FigureMonthFilter, "enterprise__park"]
    # The latest year first, the latest entered first: an index's order. The model's order (by
    # enterprise name) would sort the whole register, a million rows on a large zone.
    ordering = ["-year", "-id"]
    search_fields = ["enterprise__name", "enterprise__credit_code"]
    autocomplete_fields = ["enterprise"]
    nav_order = 20
    fieldsets = [
        (None, {"fields": ["enterprise", ("year", "month")]}),
        (
            _("1-N月累计数（金额单位：万元）"),
            {
                "fields": [
                    ("revenue", "output_value"),
                    ("tax", "employees"),
                    ("rnd_spending", "exports"),
                    "note",
                ]
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return figures_with_previous(super().get_queryset(request))

    @admin.display(description=_("期间"), ordering="year")
    def show_period(self, obj: EnterpriseFigure) -> str:
        return obj.period_label

    @admin.display(description=_("营业收入"), ordering="revenue")
    def show_revenue(self, obj: EnterpriseFigure) -> str:
        return "" if obj.revenue is None else format_wan(obj.revenue)

    @admin.display(description=_("营业收入同比"))
    def show_revenue_yoy(self, obj: EnterpriseFigure) -> str:
        return _percent(yoy_percent(obj.revenue, getattr(obj, "previous_revenue", None)))

    @admin.display(description=_("工业总产值"), ordering="output_value")
    def show_output(self, obj: EnterpriseFigure) -> str:
        return "" if obj.output_value is None else format_wan(obj.output_value)

    @admin.display(description=_("税收"), ordering="tax")
    def show_tax(self, obj: EnterpriseFigure) -> str:
        return "" if obj.tax is None else format_wan(obj.tax)

    @admin.display(description=_("税收同比"))
    def show_tax_yoy(self, obj: EnterpriseFigure) -> str:
        return _percent(yoy_percent(obj.tax, getattr(obj, "previous_tax", None)))


def _percent(value: Any) -> str:
    return "—" if value is None else f"{value:+.2f}%"


class LiaisonEndForm(Form):
    on = forms.DateField(label=_("结束日期"))
    reason = forms.CharField(label=_("原因"), required=False, max_length=200)


@admin.register(LiaisonAssignment)
class LiaisonAssignmentAdmin(BusinessAdmin):
    list_display = [
        "enterprise",
        "show_kind",
        "level",
        "person",
        "department",
        "started_on",
        "ended_on",
    ]
    list_filter = [
        "kind",
        "level",
        "person",
        "department",
        ("ended_on", admin.EmptyFieldListFilter),
    ]
    search_fields = ["enterprise__name", "enterprise__credit_code", "person__display_name"]
    list_select_related = ["enterprise", "person", "department"]
    autocomplete_fields = ["enterprise", "person", "department"]
    actions_detail = ["end_liaison"]
    nav_order = 30
    fields = [
        "enterprise",
        ("kind", "level"),
        ("person", "department"),
        ("started_on", "ended_on"),
        "note",
    ]

    @display(description=_("包联类型"), label=KIND_COLOURS, ordering="kind")
    def show_kind(self, obj: LiaisonAssignment) -> tuple[str, str]:
        return obj.kind, obj.get_kind_display()

    # Arranging liaison is a permission of its own (ASSIGN_LIAISON), beside the model's.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(ASSIGN_LIAISON) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and request.user.has_perm(ASSIGN_LIAISON)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Who liaised when stays on record: an assignment is ended, not deleted.
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            # Who liaised with whom stays on record: end this one and assign anew instead.
            readonly += ["enterprise", "kind", "person", "department"]
        return readonly

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        expected = form.cleaned_data.get("edit_version") if change else None
        liaison_save(assignment=obj, by=request.user, expected_version=expected)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        liaison_delete(assignment=obj, by=request.user)

    @action(description=_("结束包联"), url_path="end", permissions=["change"])
    def end_liaison(self, request: HttpRequest, object_id: str) -> HttpResponse:
        assignment = record_or_404(self.get_queryset(request), object_id)
        form = LiaisonEndForm(request.POST or None, initial={"on": timezone.localdate()})
        if request.method == "POST" and form.is_valid():
            try:
                liaison_end(
                    assignment=assignment,
                    on=form.cleaned_data["on"],
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            except ApplicationError as error:
                form.add_error("on", error.message)
            else:
                messages.success(request, _("已结束包联：%(a)s") % {"a": assignment})
                return HttpResponseRedirect(
                    reverse("admin:enterprises_liaisonassignment_change", args=[assignment.pk])
                )
        view = LiaisonEndView.as_view(
            model_admin=self, extra_context={"form": form, "assignment": assignment}
        )
        return view(request)

    def get_urls(self):
        mine = self.admin_site.admin_view(MyLiaisonView.as_view(model_admin=self))
        coverage = self.admin_site.admin_view(CoverageView.as_view(model_admin=self))
        return [
            path("mine/", mine, name="enterprises_liaisonassignment_mine"),
            path("coverage/", coverage, name="enterprises_liaisonassignment_coverage"),
            *super().get_urls(),
        ]


class LiaisonEndView(PostRendersPage, UnfoldModelAdminViewMixin, TemplateView):
    title = _("结束包联")
    permission_required = ("enterprises.change_liaisonassignment",)
    template_name = "enterprises/end_liaison.html"


class MyLiaisonView(UnfoldModelAdminViewMixin, TemplateView):
    """我的包联: the enterprises, the projects and the open problems, 50 to a page each."""

    title = _("我的包联")
    permission_required = ("enterprises.view_liaisonassignment",)
    template_name = "enterprises/my_liaison.html"
    per_page = 50

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        asked = [_page_number(self.request.GET.get(name)) for name in MY_LIAISON_PAGES]
        offsets = [(number - 1) * self.per_page for number in asked]
        mine = my_liaison(
            user=self.request.user,
            enterprises_offset=offsets[0],
            projects_offset=offsets[1],
            problems_offset=offsets[2],
            limit=self.per_page,
            past_end_shows_last=True,  # a page past the last one shows the last one
        )
        pages = [
            Paginator(range(total), self.per_page).get_page(offset // self.per_page + 1)
            for total, offset in (
                (mine.enterprises_total, mine.enterprises_offset),
                (mine.projects_total, mine.projects_offset),
                (mine.problems_total, mine.problems_offset),
            )
        ]
        return super().get_context_data(
            mine=mine,
            enterprises_page=pages[0],
            projects_page=pages[1],
            problems_page=pages[2],
            **kwargs,
        )


MY_LIAISON_PAGES = ("enterprises_page", "projects_page", "problems_page")


def _page_number(value: str | None) -> int:
    """A page asked for in the address: 1 when it is not a number; within what an offset
    can hold (the last page is shown for one past it)."""
    try:
        return min(max(1, int(value or 1)), 2**31 // MyLiaisonView.per_page)
    except ValueError:
        return 1


class CoverageView(UnfoldModelAdminViewMixin, TemplateView):
    title = _("包联情况表")
    permission_required = ("enterprises.view_liaisonassignment",)
    template_name = "enterprises/coverage.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(coverage=liaison_coverage(user=self.request.user), **kwargs)

"""Back office of key-project scheduling: milestone plans, annual plans, monthly reports (月度调度)
with their computed cumulative figures, command HQs, and the page 重点项目调度.

The admin only wires: forms show a service's refusal on the field it names, saves and actions
call the services in `zoneops.projects.services.scheduling`, pages read the selectors.
"""

from datetime import date
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from unfold.decorators import action, display
from unfold.views import UnfoldModelAdminViewMixin
from unfold.widgets import INPUT_CLASSES, UnfoldAdminDecimalFieldWidget

from zoneops.common.admin_base import (
    BusinessAdmin,
    TabularInline,
    VersionedForm,
    with_index_dates,
)
from zoneops.common.amounts import format_wan, format_yi
from zoneops.common.exceptions import ApplicationError
from zoneops.common.files import image_check
from zoneops.common.forms import Form, ModelForm, add_service_error
from zoneops.common.inputs import parse_month
from zoneops.common.selectors import related_count
from zoneops.projects.admin.excel import ProgressReportExcelMixin
from zoneops.projects.models import AnnualPlan, CommandHQ, Milestone, ProgressPhoto, ProgressReport
from zoneops.projects.selectors.scheduling import (
    LightColour,
    ReportState,
    key_project_schedule,
    progress_share,
)
from zoneops.projects.services.scheduling import (
    MILESTONE_FIELDS,
    OPENING_TOTAL_BOUND,
    OPENING_YEAR_BOUND,
    annual_plan_check,
    annual_plan_check_new,
    annual_plan_delete,
    annual_plan_set,
    command_hq_create,
    command_hq_update,
    format_month,
    milestone_check,
    milestone_complete,
    milestone_create,
    milestone_delete,
    milestone_update,
    progress_photo_add,
    progress_photo_delete,
    progress_photo_update,
    progress_report_check_start,
    progress_report_delete,
    progress_report_save,
    progress_report_start,
    progress_report_submit,
)

LIGHT_LABELS = {
    LightColour.GREEN: "success",
    LightColour.YELLOW: "warning",
    LightColour.RED: "danger",
    LightColour.NONE: "info",
}
LIGHT_CLASSES = {
    LightColour.GREEN: "bg-green-100 text-green-700",
    LightColour.YELLOW: "bg-orange-100 text-orange-700",
    LightColour.RED: "bg-red-100 text-red-700",
    LightColour.NONE: "bg-base-100 text-base-500",
}
REPORT_STATUS_LABELS = {
    ProgressReport.Status.DRAFT: "warning",
    ProgressReport.Status.SUBMITTED: "success",
}


class MonthInput(forms.DateInput):
    """The browser's month picker, in the back office's input style."""

    input_type = "month"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"class": " ".join(INPUT_CLASSES), **(attrs or {})}, format="%Y-%m")


class MonthField(forms.DateField):
    """A month typed as YYYY-MM (the browser's month picker); the month's first day, read and
    held to a record's range by `parse_month`."""

    widget = MonthInput

    def to_python(self, value: Any) -> date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, date):
            return value.replace(day=1)
        return parse_month(str(value))


# --- Milestones ---------------------------------------------------------------------------------


class MilestoneForm(VersionedForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "order" in self.fields:
            self.fields["order"].required = False
            self.fields["order"].help_text = _("留空则排在最后。")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.has_error("planned_on"):
            try:
                milestone_check(
                    name=cleaned.get("name") or "", planned_on=cleaned.get("planned_on")
                )
            except ApplicationError as error:
                add_service_error(self, error)
        return cleaned


class MilestoneStateFilter(admin.SimpleListFilter):
    title = _("完成情况")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("overdue", _("已逾期")), ("pending", _("未完成")), ("done", _("已完成"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.overdue(as_of=today)
        if self.value() == "pending":
            return queryset.filter(actual_on__isnull=True)
        if self.value() == "done":
            return queryset.filter(actual_on__isnull=False)
        return queryset


MILESTONE_STATES = {"done": "success", "overdue": "danger", "pending": "info"}


def milestone_state(obj: Milestone) -> tuple[str, Any]:
    if obj.actual_on is not None:
        return "done", _("已完成")
    if obj.is_overdue(as_of=timezone.localdate()):
        return "overdue", _("已逾期")
    return "pending", _("未完成")


@admin.register(Milestone)
class MilestoneAdmin(BusinessAdmin):
    form = MilestoneForm
    list_display = [
        "name",
        "project",
        "planned_on",
        "actual_on",
        "show_state",
        "responsible_department",
        "responsible_person",
    ]
    list_filter = [MilestoneStateFilter, "responsible_department"]
    search_fields = ["name", "project__name", "project__code", "responsible_person"]
    list_select_related = ["project", "responsible_department"]
    autocomplete_fields = ["project", "responsible_department"]
    ordering = ["planned_on", "id"]
    actions = ["complete_today"]
    nav_order = 20
    fields = [
        "project",
        ("name", "order"),
        ("planned_on", "actual_on"),
        ("responsible_department", "responsible_person"),
        "note",
    ]

    @display(description=_("状态"), label=MILESTONE_STATES)
    def show_state(self, obj: Milestone) -> tuple[str, Any]:
        return milestone_state(obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["project"] if obj else []

    def save_model(self, request: HttpRequest, obj: Milestone, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            milestone_update(
                milestone=obj,
                by=request.user,
                expected_version=data.get("edit_version"),
                **{name: data[name] for name in form.changed_data if name in MILESTONE_FIELDS},
            )
            return
        created = milestone_create(
            project=data["project"],
            name=data["name"],
            planned_on=data["planned_on"],
            actual_on=data.get("actual_on"),
            responsible_department=data.get("responsible_department"),
            responsible_person=data.get("responsible_person") or "",
            order=data.get("order") or None,
            note=data.get("note") or "",
            by=request.user,
        )
        obj.pk, obj.order, obj._state.adding = created.pk, created.order, False

    def delete_model(self, request: HttpRequest, obj: Milestone) -> None:
        milestone_delete(milestone=obj, by=request.user)

    @admin.action(description=_("标记为今天完成"), permissions=["change"])
    def complete_today(self, request: HttpRequest, queryset: QuerySet) -> None:
        done, refused = 0, []
        for milestone in queryset.filter(actual_on__isnull=True):
            try:
                milestone_complete(
                    milestone=milestone, actual_on=timezone.localdate(), by=request.user
                )
                done += 1
            except ApplicationError as error:
                refused.append(error.message)
        if done:
            self.message_user(request, _("已将%(n)d个节点标记为今天完成。") % {"n": done})
        for message in refused:
            self.message_user(request, message, messages.ERROR)


# --- Annual plans -------------------------------------------------------------------------------


class AnnualPlanForm(VersionedForm):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.has_error("planned_investment") or self.has_error("year"):
            return cleaned
        try:
            annual_plan_check(
                year=cleaned.get("year"), planned_investment=cleaned.get("planned_investment")
            )
        except ApplicationError as error:
            add_service_error(self, error)
            return cleaned
        project = cleaned.get("project")
        if self.instance.pk is None and project is not None:
            try:
                annual_plan_check_new(project=project, year=cleaned["year"])
            except ApplicationError as error:
                add_service_error(self, error)
        return cleaned

    def validate_unique(self) -> None:
        """One plan per project and year is checked in clean() with the zone's wording."""


@admin.register(AnnualPlan)
class AnnualPlanAdmin(BusinessAdmin):
    form = AnnualPlanForm
    list_display = ["project", "year", "show_planned", "show_planned_yi", "note"]
    list_filter = ["year"]
    search_fields = ["project__name", "project__code"]
    list_select_related = ["project"]
    autocomplete_fields = ["project"]
    fields = ["project", "year", "planned_investment", "note"]
    nav_order = 21

    @admin.display(description=_("年度计划投资（万元）"), ordering="planned_investment")
    def show_planned(self, obj: AnnualPlan) -> str:
        return format_wan(obj.planned_investment)

    @admin.display(description=_("亿元"))
    def show_planned_yi(self, obj: AnnualPlan) -> str:
        return format_yi(obj.planned_investment)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["project", "year"] if obj else []

    def save_model(self, request: HttpRequest, obj: AnnualPlan, form: Any, change: bool) -> None:
        plan = annual_plan_set(
            project=obj.project,
            year=obj.year,
            planned_investment=obj.planned_investment,
            note=obj.note,
            by=request.user,
            expected_version=form.cleaned_data.get("edit_version") if change else None,
        )
        obj.pk, obj._state.adding = plan.pk, False

    def delete_model(self, request: HttpRequest, obj: AnnualPlan) -> None:
        annual_plan_delete(plan=obj, by=request.user)


# --- Monthly reports ------------------------------------------------------------------------------


class ProgressReportStartForm(VersionedForm):
    """Adding a report only picks the project and the month: the service then starts it
    pre-filled and the officer completes it on its page."""

    month = MonthField(label=_("月份"), help_text=_("如 2019-10；不能填报未来的月份。"))
    opening_total = OPENING_TOTAL_BOUND.formfield(
        label=_("期初开工累计（万元）"),
        required=False,
        widget=UnfoldAdminDecimalFieldWidget,
        help_text=_("仅该项目首次填报时填写：开工以来至上月末已完成的投资。"),
    )
    opening_year = OPENING_YEAR_BOUND.formfield(
        label=_("期初本年累计（万元）"),
        required=False,
        widget=UnfoldAdminDecimalFieldWidget,
        help_text=_("仅首次填报且不是1月时填写：本年1月至上月末已完成的投资。"),
    )

    class Meta:
        model = ProgressReport
        fields = ["project", "month"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        project, month = cleaned.get("project"), cleaned.get("month")
        if project is not None and month is not None:
            try:
                progress_report_check_start(project=project, month=month)
            except ApplicationError as error:
                add_service_error(self, error)
        return cleaned

    def validate_unique(self) -> None:
        """One report per project and month is checked in clean() with the month's name."""


class ProgressReportForm(VersionedForm):
    class Meta:
        model = ProgressReport
        fields = ["invested_month", "progress", "problems", "next_steps"]


class MonthFilter(admin.SimpleListFilter):
    title = _("月份")
    parameter_name = "month"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        # The 36 months up to the latest report's, read at the ends of an index (a DISTINCT of
        # every report's month took seconds on a large zone).
        reports = with_index_dates(model_admin.get_queryset(request))
        months = reports.dates("month", "month", order="DESC")[:36]
        return [(f"{month:%Y-%m}", format_month(month)) for month in months]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value:
            return queryset
        try:
            month = parse_month(value)
        except ValidationError as error:
            # No month of a report: the list shows itself unfiltered, saying so (ERROR_FLAG).
            raise IncorrectLookupParameters(value) from error
        return queryset.filter(month=month)


class ProgressPhotoForm(ModelForm):
    class Meta:
        model = ProgressPhoto
        fields = ["image", "caption"]

    def clean_image(self) -> Any:
        image = self.cleaned_data.get("image")
        if image is not None and not self.instance.pk:
            try:
                image_check(image, field="image")
            except ValidationError as error:
                raise ValidationError(error.message_dict["image"]) from error
        return image


class ProgressPhotoFormSet(BaseInlineFormSet):
    by: Any = None

    def save_new(self, form: Any, commit: bool = True) -> ProgressPhoto:
        return progress_photo_add(
            report=self.instance,
            image=form.cleaned_data["image"],
            caption=form.cleaned_data.get("caption") or "",
            by=self.by,
        )

    def save_existing(self, form: Any, obj: ProgressPhoto, commit: bool = True) -> ProgressPhoto:
        return progress_photo_update(
            photo=obj, caption=form.cleaned_data.get("caption") or "", by=self.by
        )

    def delete_existing(self, obj: ProgressPhoto, commit: bool = True) -> None:
        progress_photo_delete(photo=obj, by=self.by)


class ProgressPhotoInline(TabularInline):
    model = ProgressPhoto
    form = ProgressPhotoForm
    formset = ProgressPhotoFormSet
    extra = 0
    fields = ["image", "filename", "caption"]
    readonly_fields = ["filename"]

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"by": request.user})


def _month(obj: ProgressReport) -> str:
    return format_month(obj.month)


def _share(obj: ProgressReport) -> str:
    share = progress_share(invested_year=obj.invested_year, year_plan=obj.year_plan)
    return "-" if share is None else f"{share}%"


@admin.register(ProgressReport)
class ProgressReportAdmin(ProgressReportExcelMixin, BusinessAdmin):
    form = ProgressReportForm
    list_display = [
        "project",
        "show_month",
        "show_invested_month",
        "show_invested_year",
        "show_year_plan",
        "show_share",
        "show_invested_total",
        "show_status",
    ]
    list_display_links = ["project", "show_month"]
    list_filter = [MonthFilter, "status"]
    search_fields = ["project__name", "project__code"]
    list_select_related = ["project"]
    autocomplete_fields = ["project"]
    actions = ["submit_selected"]
    actions_submit_line = ["save_and_submit"]
    nav_order = 22
    add_fieldsets = [
        (None, {"fields": ["project", "month"]}),
        (_("期初数（仅首次填报）"), {"fields": ["opening_total", "opening_year"]}),
    ]
    change_fieldsets = [
        (None, {"fields": ["project", "show_month", "show_status_text"]}),
        (
            _("投资完成情况"),
            {
                "fields": [
                    "invested_month",
                    ("show_year_plan", "show_invested_year", "show_share"),
                    "show_invested_total",
                ],
                "description": _("本年累计、开工累计由系统按各月数字计算，无需填写。"),
            },
        ),
        (_("进展"), {"fields": ["progress", "problems", "next_steps"]}),
        (_("报送"), {"fields": [("submitted_at", "submitted_by")]}),
    ]
    change_readonly_fields = [
        "project",
        "show_month",
        "show_status_text",
        "show_year_plan",
        "show_invested_year",
        "show_share",
        "show_invested_total",
        "submitted_at",
        "submitted_by",
    ]

    @admin.display(description=_("月份"), ordering="month")
    def show_month(self, obj: ProgressReport) -> str:
        return _month(obj)

    @admin.display(description=_("本月完成（万元）"), ordering="invested_month")
    def show_invested_month(self, obj: ProgressReport) -> str:
        return format_wan(obj.invested_month)

    @admin.display(description=_("本年累计（万元）"), ordering="invested_year")
    def show_invested_year(self, obj: ProgressReport) -> str:
        return format_wan(obj.invested_year)

    @admin.display(description=_("年度计划（万元）"))
    def show_year_plan(self, obj: ProgressReport) -> str:
        return "-" if obj.year_plan is None else format_wan(obj.year_plan)

    @admin.display(description=_("占年度计划"))
    def show_share(self, obj: ProgressReport) -> str:
        return _share(obj)

    @admin.display(description=_("开工累计"), ordering="invested_total")
    def show_invested_total(self, obj: ProgressReport) -> str:
        return format_yi(obj.invested_total)

    @display(description=_("状态"), label=REPORT_STATUS_LABELS, ordering="status")
    def show_status(self, obj: ProgressReport) -> tuple[str, str]:
        return obj.status, obj.get_status_display()

    @admin.display(description=_("状态"))
    def show_status_text(self, obj: ProgressReport) -> str:
        if obj.status == ProgressReport.Status.SUBMITTED:
            return str(_("已报送；修改数字即为更正，以后各月的累计数随之重算。"))
        return str(_("草稿，保存后请报送。"))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        sent = obj is not None and obj.status == ProgressReport.Status.SUBMITTED
        return not sent and super().has_delete_permission(request, obj)

    def get_actions_submit_line(self, request: HttpRequest, object_id: Any) -> list[Any]:
        report = self.get_object(request, str(object_id)) if object_id else None
        if report is not None and report.status == ProgressReport.Status.SUBMITTED:
            return []
        return super().get_actions_submit_line(request, object_id)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = self.change_fieldsets if obj else self.add_fieldsets
        return [*fieldsets, (None, {"fields": ["edit_version"], "classes": ["hidden"]})]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return self.change_readonly_fields if obj else []

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        if obj is None:
            kwargs["form"] = ProgressReportStartForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        return [ProgressPhotoInline] if obj else []

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # a report is deleted one at a time, by the service
        return actions

    def save_model(
        self, request: HttpRequest, obj: ProgressReport, form: Any, change: bool
    ) -> None:
        data = form.cleaned_data
        if not change:
            report = progress_report_start(
                project=data["project"],
                month=data["month"],
                by=request.user,
                opening_total=data.get("opening_total"),
                opening_year=data.get("opening_year"),
            )
            obj.pk, obj.month, obj._state.adding = report.pk, report.month, False
            return
        progress_report_save(
            report=obj,
            invested_month=data["invested_month"],
            progress=data.get("progress") or "",
            problems=data.get("problems") or "",
            next_steps=data.get("next_steps") or "",
            by=request.user,
            expected_version=data.get("edit_version"),
        )
        for line_action in self.get_actions_submit_line(request, obj.pk):
            if line_action.action_name in request.POST:
                line_action.method(request, obj)

    def response_add(
        self, request: HttpRequest, obj: ProgressReport, post_url_continue: Any = None
    ):
        self.message_user(
            request,
            _("已按上月调度和年度计划预填“%(report)s”，请填写本月完成投资和进展，保存后报送。")
            % {"report": obj},
        )
        return HttpResponseRedirect(reverse("admin:projects_progressreport_change", args=[obj.pk]))

    def delete_model(self, request: HttpRequest, obj: ProgressReport) -> None:
        progress_report_delete(report=obj, by=request.user)

    def _submit(self, request: HttpRequest, report: ProgressReport) -> bool:
        try:
            progress_report_submit(report=report, by=request.user)
        except ApplicationError as error:
            self.message_user(request, f"{report}：{error.message}", messages.ERROR)
            return False
        return True

    @action(description=_("保存并报送"), permissions=["change"])
    def save_and_submit(self, request: HttpRequest, obj: ProgressReport) -> None:
        if self._submit(request, obj):
            self.message_user(request, _("“%(report)s”已报送。") % {"report": obj})

    @admin.action(description=_("报送所选月度调度"), permissions=["change"])
    def submit_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        drafts = queryset.filter(status=ProgressReport.Status.DRAFT).select_related("project")
        sent = sum(1 for report in drafts if self._submit(request, report))
        if sent:
            self.message_user(request, _("已报送%(n)d份月度调度。") % {"n": sent})

    def get_urls(self):
        schedule = self.admin_site.admin_view(KeyProjectScheduleView.as_view(model_admin=self))
        return [
            path("schedule/", schedule, name="projects_progressreport_schedule"),
            *super().get_urls(),
        ]


class ScheduleForm(Form):
    month = MonthField(label=_("月份"), required=False)


class KeyProjectScheduleView(UnfoldModelAdminViewMixin, TemplateView):
    title = _("重点项目调度")
    permission_required = ("projects.view_progressreport",)
    template_name = "projects/scheduling/schedule.html"
    # Rows a page shows (the lights are counted over all of them): a large zone's thousands of
    # key projects are not drawn at once; the not-reported list shows as many, the month's
    # template (导出) holds them all.
    per_page = 100

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = ScheduleForm(self.request.GET or None)
        month = form.cleaned_data.get("month") if form.is_valid() else None
        table = key_project_schedule(month=month, user=self.request.user)
        if not form.is_bound:
            form = ScheduleForm(initial={"month": table.month})
        colours = [
            (colour, label, table.counts.get(colour, 0)) for colour, label in LightColour.choices
        ]
        page = Paginator(table.rows, self.per_page).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            form=form,
            table=table,
            page=page,
            not_reported=table.not_reported[: self.per_page],
            colours=colours,
            light_classes={str(colour): classes for colour, classes in LIGHT_CLASSES.items()},
            missing_state=ReportState.MISSING,
            draft_state=ReportState.DRAFT,
            month_param=f"{table.month:%Y-%m}",
            **kwargs,
        )


# --- Command HQs ---------------------------------------------------------------------------


@admin.register(CommandHQ)
class CommandHQAdmin(BusinessAdmin):
    list_display = ["name", "commander", "show_members", "show_projects", "established_on"]
    search_fields = ["name", "commander__display_name", "commander__username"]
    list_select_related = ["commander"]
    autocomplete_fields = ["commander", "members", "projects"]
    fields = ["name", "commander", "members", "projects", "established_on", "duties"]
    nav_order = 23

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .annotate(
                member_count=related_count(CommandHQ, "members"),
                project_count=related_count(CommandHQ, "projects"),
            )
        )

    @admin.display(description=_("成员数"), ordering="member_count")
    def show_members(self, obj: Any) -> int:
        return obj.member_count

    @admin.display(description=_("项目数"), ordering="project_count")
    def show_projects(self, obj: Any) -> int:
        return obj.project_count

    def save_model(self, request: HttpRequest, obj: CommandHQ, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            command_hq_update(
                hq=obj,
                by=request.user,
                expected_version=data.get("edit_version"),
                members=data.get("members", []),
                projects=data.get("projects", []),
            )
            return
        created = command_hq_create(
            name=data["name"],
            commander=data["commander"],
            members=data.get("members", []),
            projects=data.get("projects", []),
            established_on=data.get("established_on"),
            duties=data.get("duties") or "",
            by=request.user,
        )
        obj.pk, obj._state.adding = created.pk, False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Members and projects were set by the service, which records who joined and left.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


# --- Inlines for the project's page (ProjectAdmin.inlines) ----------------------------------------


class _ServiceFormSet(BaseInlineFormSet):
    """An inline whose rows are written by the services, as the user who saves the page."""

    by: Any = None


class MilestoneFormSet(_ServiceFormSet):
    def save_new(self, form: Any, commit: bool = True) -> Milestone:
        data = form.cleaned_data
        return milestone_create(
            project=self.instance,
            name=data["name"],
            planned_on=data["planned_on"],
            actual_on=data.get("actual_on"),
            responsible_department=data.get("responsible_department"),
            responsible_person=data.get("responsible_person") or "",
            order=data.get("order") or None,
            by=self.by,
        )

    def save_existing(self, form: Any, obj: Milestone, commit: bool = True) -> Milestone:
        data = form.cleaned_data
        return milestone_update(
            milestone=obj,
            by=self.by,
            expected_version=data.get("edit_version"),
            **{name: data[name] for name in form.changed_data if name in MILESTONE_FIELDS},
        )

    def delete_existing(self, obj: Milestone, commit: bool = True) -> None:
        milestone_delete(milestone=obj, by=self.by)


def _on_add_page(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    return bool(match and (match.url_name or "").endswith("_add"))


class _SavedProjectInline(TabularInline):
    """Shown on a registered project's page only: there is nothing to plan before that (and
    the add page keeps its form as it is). Django also asks these without the project (for the
    inline's queryset), so only the add page is told no."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _on_add_page(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _on_add_page(request) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _on_add_page(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _on_add_page(request) and super().has_delete_permission(request, obj)


class _ServiceInline(_SavedProjectInline):
    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"by": request.user})


class MilestoneInline(_ServiceInline):
    """The project's milestone plan, edited in place on the project's page."""

    model = Milestone
    form = MilestoneForm
    formset = MilestoneFormSet
    extra = 0
    fields = [
        "name",
        "planned_on",
        "actual_on",
        "responsible_department",
        "responsible_person",
        "order",
        "edit_version",
    ]
    autocomplete_fields = ["responsible_department"]
    ordering = ["order", "planned_on", "id"]
    verbose_name_plural = _("节点计划")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("responsible_department")


class AnnualPlanInlineForm(VersionedForm):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.instance.pk and "year" in self.changed_data:
            self.add_error("year", _("年度不能修改；请删除该年度计划后新增。"))
        elif not self.has_error("year") and not self.has_error("planned_investment"):
            try:
                annual_plan_check(
                    year=cleaned.get("year"), planned_investment=cleaned.get("planned_investment")
                )
            except ApplicationError as error:
                add_service_error(self, error)
        return cleaned


class AnnualPlanFormSet(_ServiceFormSet):
    def save_new(self, form: Any, commit: bool = True) -> AnnualPlan:
        data = form.cleaned_data
        return annual_plan_set(
            project=self.instance,
            year=data["year"],
            planned_investment=data["planned_investment"],
            note=data.get("note") or "",
            by=self.by,
        )

    def save_existing(self, form: Any, obj: AnnualPlan, commit: bool = True) -> AnnualPlan:
        data = form.cleaned_data
        return annual_plan_set(
            project=self.instance,
            year=obj.year,
            planned_investment=data["planned_investment"],
            note=data.get("note") or "",
            by=self.by,
            expected_version=data.get("edit_version"),
        )

    def delete_existing(self, obj: AnnualPlan, commit: bool = True) -> None:
        annual_plan_delete(plan=obj, by=self.by)


class AnnualPlanInline(_ServiceInline):
    """The project's investment plan by year."""

    model = AnnualPlan
    form = AnnualPlanInlineForm
    formset = AnnualPlanFormSet
    extra = 0
    fields = ["year", "planned_investment", "note", "edit_version"]
    ordering = ["-year"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Each row's title names its project: read with the rows, not once per row.
        return super().get_queryset(request).select_related("project")


class ProgressReportInline(_SavedProjectInline):
    """The project's monthly reports, newest first, read-only (each opens on its own page)."""

    model = ProgressReport
    extra = 0
    can_delete = False
    show_change_link = True
    fields = [
        "show_month",
        "show_invested_month",
        "show_invested_year",
        "show_share",
        "show_invested_total",
        "status",
    ]
    readonly_fields = fields
    ordering = ["-month"]
    # A year of reports a page, the newest first: a ten-year project has 120, and drawing each as
    # a form row made them most of its page's time.
    per_page = 12
    verbose_name_plural = _("月度调度")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Each row's title names its project: read with the rows, not once per row.
        return super().get_queryset(request).select_related("project")

    @admin.display(description=_("月份"))
    def show_month(self, obj: ProgressReport) -> str:
        return _month(obj)

    @admin.display(description=_("本月完成"))
    def show_invested_month(self, obj: ProgressReport) -> str:
        return format_wan(obj.invested_month)

    @admin.display(description=_("本年累计"))
    def show_invested_year(self, obj: ProgressReport) -> str:
        return format_wan(obj.invested_year)

    @admin.display(description=_("占年度计划"))
    def show_share(self, obj: ProgressReport) -> str:
        return _share(obj)

    @admin.display(description=_("开工累计"))
    def show_invested_total(self, obj: ProgressReport) -> str:
        return format_yi(obj.invested_total)


__all__ = [
    "AnnualPlanAdmin",
    "AnnualPlanInline",
    "CommandHQAdmin",
    "MilestoneAdmin",
    "MilestoneInline",
    "ProgressReportAdmin",
    "ProgressReportInline",
]

"""Back office of one-enterprise-one-policy plans (一企一策): the plans with their measures counted
(done, open, overdue), each plan's measures edited in place through the services, the measures'
register with the overdue ones, and the steps 完成措施 and 完成方案."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.decorators import action, display

from zoneops.common.admin_base import (
    BusinessAdmin,
    RecordStepView,
    TabularInline,
    VersionedForm,
    add_service_error,
    label_html,
)
from zoneops.common.exceptions import ApplicationError
from zoneops.common.forms import Form
from zoneops.common.scope import can_see, writable_queryset
from zoneops.enterprises.enums import MeasureStatus, PlanStatus
from zoneops.enterprises.models import EnterprisePlan, PlanMeasure
from zoneops.enterprises.selectors.plans import (
    measure_available_actions,
    measure_overdue_q,
    measure_state,
    measures_visible,
    measures_with_overdue,
    plan_available_actions,
    plan_measures,
    plans_visible,
    plans_with_counts,
)
from zoneops.enterprises.services.plans import (
    MEASURE_FIELDS,
    PLAN_FIELDS,
    measure_add,
    measure_check,
    measure_complete,
    measure_delete,
    measure_update,
    plan_check,
    plan_complete,
    plan_create,
    plan_update,
)

STATUS_COLOURS: dict[str, str] = {
    PlanStatus.ACTIVE: "info",
    PlanStatus.COMPLETED: "success",
}
MEASURE_COLOURS: dict[str, str] = {"open": "info", "overdue": "danger", "done": "success"}
OVERDUE_COLOURS: dict[str, str] = {"overdue": "danger", "none": "default"}


# --- list filters --------------------------------------------------------------------------------


class PlanOverdueFilter(admin.SimpleListFilter):
    title = _("逾期措施")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("有逾期措施")), ("no", _("无逾期措施"))]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() == "yes":
            return queryset.filter(overdue_measure_count__gt=0)
        if self.value() == "no":
            return queryset.filter(overdue_measure_count=0)
        return queryset


class MeasureStateFilter(admin.SimpleListFilter):
    title = _("完成情况")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("overdue", _("已逾期")), ("open", _("推进中")), ("done", _("已完成"))]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() == "overdue":
            return queryset.filter(measure_overdue_q(on=timezone.localdate()))
        if self.value() == "open":
            return queryset.filter(status=MeasureStatus.OPEN)
        if self.value() == "done":
            return queryset.filter(status=MeasureStatus.DONE)
        return queryset


# --- the measures on a plan's page ---------------------------------------------------------------


class MeasureForm(VersionedForm):
    """A measure's fields, checked by the service's rule before anything is saved."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        plan = self._plan()
        if plan is not None and not self.errors and self.has_changed():
            try:
                measure_check(
                    plan=plan,
                    content=cleaned.get("content") or "",
                    department=cleaned.get("department"),
                    due_on=cleaned.get("due_on"),
                )
            except ApplicationError as error:
                add_service_error(self, error)
        return cleaned

    def _plan(self) -> EnterprisePlan | None:
        plan = self.cleaned_data.get("plan")
        if plan is None and self.instance.plan_id:
            plan = self.instance.plan
        return plan


class MeasureFormSet(BaseInlineFormSet):
    """The plan's measures, written by the services as the user who saves the page."""

    by: Any = None

    def save_new(self, form: Any, commit: bool = True) -> PlanMeasure:
        data = form.cleaned_data
        return measure_add(
            plan=self.instance,
            content=data["content"],
            department=data["department"],
            owner=data.get("owner"),
            due_on=data["due_on"],
            by=self.by,
        )

    def save_existing(self, form: Any, obj: PlanMeasure, commit: bool = True) -> PlanMeasure:
        data = form.cleaned_data
        return measure_update(
            measure=obj,
            by=self.by,
            expected_version=data.get("edit_version"),
            **{name: data[name] for name in form.changed_data if name in MEASURE_FIELDS},
        )

    def delete_existing(self, obj: PlanMeasure, commit: bool = True) -> None:
        measure_delete(measure=obj, by=self.by)


class PlanMeasureInline(TabularInline):
    """The plan's measures, by due date; open ones are edited here, each is completed on its own
    page (落实情况). A completed plan's measures are read-only."""

    model = PlanMeasure
    form = MeasureForm
    formset = MeasureFormSet
    extra = 0
    fields = [
        "content",
        "department",
        "owner",
        "due_on",
        "show_state",
        "show_result",
        "complete_link",
        "edit_version",
    ]
    readonly_fields = ["show_state", "show_result", "complete_link"]
    autocomplete_fields = ["department", "owner"]
    verbose_name_plural = _("帮扶措施")

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"by": request.user})

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        if not self.has_view_or_change_permission(request):
            return PlanMeasure.objects.none()
        return measures_with_overdue(PlanMeasure.objects.select_related("department", "owner"))

    def _editable(self, obj: Any) -> bool:
        return not isinstance(obj, EnterprisePlan) or obj.status == PlanStatus.ACTIVE

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)

    @admin.display(description=_("状态"))
    def show_state(self, obj: PlanMeasure) -> str:
        if obj.pk is None:
            return "—"
        key, label = measure_state(obj)
        return label_html(label, MEASURE_COLOURS[key])

    @admin.display(description=_("落实情况"))
    def show_result(self, obj: PlanMeasure) -> str:
        if obj.status != MeasureStatus.DONE:
            return "—"
        return f"{obj.done_on:%Y-%m-%d} {obj.result}"

    @admin.display(description=_("操作"))
    def complete_link(self, obj: PlanMeasure) -> str:
        if obj.pk is None or obj.status != MeasureStatus.OPEN:
            return ""
        url = reverse("admin:enterprises_planmeasure_complete", args=[obj.pk])
        return format_html('<a class="text-primary-600" href="{}">{}</a>', url, _("完成"))


# --- the plans -----------------------------------------------------------------------------------


class PlanForm(VersionedForm):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if "title" in self.fields and not self.errors:
            try:
                plan_check(
                    title=cleaned.get("title") or "",
                    owner=cleaned.get("owner"),
                    department=cleaned.get("department"),
                    starts_on=cleaned.get("starts_on"),
                    ends_on=cleaned.get("ends_on"),
                )
            except ApplicationError as error:
                add_service_error(self, error)
        return cleaned


@admin.register(EnterprisePlan)
class EnterprisePlanAdmin(BusinessAdmin):
    form = PlanForm
    list_display = [
        "title",
        "enterprise",
        "owner",
        "department",
        "show_status",
        "starts_on",
        "ends_on",
        "show_measures",
        "show_overdue",
    ]
    list_display_links = ["title"]
    list_filter = ["status", PlanOverdueFilter, "department"]
    search_fields = ["title", "enterprise__name", "enterprise__credit_code"]
    list_select_related = ["enterprise", "owner", "department"]
    autocomplete_fields = ["enterprise", "owner", "department"]
    date_hierarchy = "starts_on"
    actions_detail = ["complete"]
    nav_order = 60

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return plans_with_counts(super().get_queryset(request))

    def get_fieldsets(self, request: HttpRequest, obj: Any = None):
        fieldsets: list[Any] = [
            (None, {"fields": ["enterprise", "title", "background", "goal"]}),
            (_("牵头与进度"), {"fields": [("owner", "department"), ("starts_on", "ends_on")]}),
        ]
        if obj is not None:
            fieldsets.append(
                (
                    _("完成情况"),
                    {"fields": [("status_badge", "show_counts"), "completed_on", "summary"]},
                )
            )
        return [*fieldsets, (None, {"fields": ["edit_version"], "classes": ["hidden"]})]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):
        if obj is None:
            return []
        # a plan is drawn up for one enterprise
        return ["enterprise", "status_badge", "show_counts", "completed_on", "summary"]

    def get_inlines(self, request: HttpRequest, obj: Any = None):
        return [PlanMeasureInline] if obj is not None else []

    # A completed plan is the record of what was done: read-only. (Unfold asks about a detail
    # action with the object's id, not the object.)
    @staticmethod
    def _completed(obj: Any) -> bool:
        return isinstance(obj, EnterprisePlan) and obj.status == PlanStatus.COMPLETED

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._completed(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._completed(obj) and super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: EnterprisePlan, form: Any, change: bool):
        data = form.cleaned_data
        if change:
            plan_update(
                plan=obj,
                by=request.user,
                expected_version=data.get("edit_version"),
                **{name: data[name] for name in form.changed_data if name in PLAN_FIELDS},
            )
            return
        created = plan_create(
            enterprise=data["enterprise"],
            title=data["title"],
            background=data.get("background") or "",
            goal=data.get("goal") or "",
            starts_on=data["starts_on"],
            ends_on=data.get("ends_on"),
            owner=data["owner"],
            department=data["department"],
            by=request.user,
        )
        obj.pk, obj._state.adding = created.pk, False

    def response_add(self, request: HttpRequest, obj: Any, post_url_continue: Any = None):
        self.message_user(
            request, _("已制定“%(plan)s”，请逐项填写帮扶措施、责任部门和完成时限。") % {"plan": obj}
        )
        return HttpResponseRedirect(
            reverse("admin:enterprises_enterpriseplan_change", args=[obj.pk])
        )

    @display(description=_("状态"), label=STATUS_COLOURS, ordering="status")
    def show_status(self, obj: EnterprisePlan) -> tuple[str, str]:
        return obj.status, obj.get_status_display()

    @admin.display(description=_("措施完成"), ordering="measure_count")
    def show_measures(self, obj: Any) -> str:
        return f"{obj.done_measure_count}/{obj.measure_count}"

    @display(description=_("逾期措施"), label=OVERDUE_COLOURS, ordering="overdue_measure_count")
    def show_overdue(self, obj: Any) -> tuple[str, Any]:
        return ("overdue" if obj.overdue_measure_count else "none"), obj.overdue_measure_count

    @admin.display(description=_("状态"))
    def status_badge(self, obj: EnterprisePlan) -> str:
        return label_html(obj.get_status_display(), STATUS_COLOURS.get(obj.status, ""))

    @admin.display(description=_("措施"))
    def show_counts(self, obj: Any) -> str:
        return str(
            _("共%(total)s项，已完成%(done)s项，推进中%(open)s项，逾期%(overdue)s项")
            % {
                "total": getattr(obj, "measure_count", 0),
                "done": getattr(obj, "done_measure_count", 0),
                "open": getattr(obj, "open_measure_count", 0),
                "overdue": getattr(obj, "overdue_measure_count", 0),
            }
        )

    def available_steps(self, request: HttpRequest, obj: Any) -> Any:
        return plan_available_actions(plan=obj)

    @action(description=_("完成方案"), url_path="complete", permissions=["change"])
    def complete(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        return PlanCompleteView.as_view(model_admin=self)(request, object_id=object_id)


# --- the measures' register ----------------------------------------------------------------------


class MeasureAddForm(MeasureForm):
    class Meta:
        model = PlanMeasure
        fields = ["plan", "content", "department", "owner", "due_on"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plan = self.fields.get("plan")
        if isinstance(plan, forms.ModelChoiceField):
            plan.queryset = plan.queryset.filter(status=PlanStatus.ACTIVE)


@admin.register(PlanMeasure)
class PlanMeasureAdmin(BusinessAdmin):
    form = MeasureForm

    def get_field_queryset(self, db: Any, db_field: Any, request: HttpRequest) -> Any:
        queryset = super().get_field_queryset(db, db_field, request)
        if db_field.name == "plan":  # a measure is added to a plan one may change (measure_add)
            return writable_queryset(queryset, request.user)
        return queryset

    list_display = [
        "show_content",
        "plan",
        "show_enterprise",
        "department",
        "owner",
        "due_on",
        "show_state",
        "done_on",
    ]
    list_display_links = ["show_content"]
    list_filter = [MeasureStateFilter, "department"]
    search_fields = ["content", "plan__title", "plan__enterprise__name"]
    list_select_related = ["plan", "plan__enterprise", "department", "owner"]
    autocomplete_fields = ["plan", "department", "owner"]
    ordering = ["due_on", "id"]
    actions_detail = ["complete"]
    nav_order = 61

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return measures_with_overdue(super().get_queryset(request))

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        if obj is None:
            kwargs["form"] = MeasureAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None):
        fieldsets: list[Any] = [
            (None, {"fields": ["plan", "content", ("department", "owner"), "due_on"]}),
        ]
        if obj is not None:
            fieldsets.append((_("落实情况"), {"fields": ["state_badge", "done_on", "result"]}))
        return [*fieldsets, (None, {"fields": ["edit_version"], "classes": ["hidden"]})]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):
        if obj is None:
            return []
        return ["plan", "state_badge", "done_on", "result"]

    # A completed measure, or any measure of a completed plan, is the record: read-only.
    def _closed(self, obj: Any) -> bool:
        return isinstance(obj, PlanMeasure) and (
            obj.status == MeasureStatus.DONE or obj.plan.status == PlanStatus.COMPLETED
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._closed(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._closed(obj) and super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request: HttpRequest, obj: PlanMeasure, form: Any, change: bool):
        data = form.cleaned_data
        if change:
            measure_update(
                measure=obj,
                by=request.user,
                expected_version=data.get("edit_version"),
                **{name: data[name] for name in form.changed_data if name in MEASURE_FIELDS},
            )
            return
        created = measure_add(
            plan=data["plan"],
            content=data["content"],
            department=data["department"],
            owner=data.get("owner"),
            due_on=data["due_on"],
            by=request.user,
        )
        obj.pk, obj._state.adding = created.pk, False

    def delete_model(self, request: HttpRequest, obj: PlanMeasure) -> None:
        measure_delete(measure=obj, by=request.user)

    @admin.display(description=_("帮扶措施"), ordering="content")
    def show_content(self, obj: PlanMeasure) -> str:
        return str(obj)

    @admin.display(description=_("企业"), ordering="plan__enterprise__name")
    def show_enterprise(self, obj: PlanMeasure) -> str:
        return obj.plan.enterprise.name

    @display(description=_("状态"), label=MEASURE_COLOURS)
    def show_state(self, obj: PlanMeasure) -> tuple[str, Any]:
        return measure_state(obj)

    @admin.display(description=_("状态"))
    def state_badge(self, obj: PlanMeasure) -> str:
        key, label = measure_state(obj)
        return label_html(label, MEASURE_COLOURS[key])

    def available_steps(self, request: HttpRequest, obj: Any) -> Any:
        return measure_available_actions(measure=obj)

    @action(description=_("完成措施"), url_path="complete", permissions=["change"])
    def complete(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        return MeasureCompleteView.as_view(model_admin=self)(request, object_id=object_id)


# --- the step pages -------------------------------------------------------------------------------


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("默认今天。"),
    )


class MeasureCompleteForm(Form):
    result = forms.CharField(label=_("落实情况"), widget=forms.Textarea(attrs={"rows": 4}))
    on = _date_field(_("完成日期"))
    edit_version = forms.IntegerField(widget=forms.HiddenInput)


class PlanCompleteForm(Form):
    summary = forms.CharField(label=_("实施成效"), widget=forms.Textarea(attrs={"rows": 5}))
    on = _date_field(_("完成日期"))
    edit_version = forms.IntegerField(widget=forms.HiddenInput)


class PlanCompleteView(RecordStepView):
    model = EnterprisePlan
    context_name = "plan"
    permission_required = ("enterprises.change_enterpriseplan",)
    template_name = "enterprises/plans/step.html"
    title = _("完成方案")
    step = "complete"
    form_class = PlanCompleteForm
    submit_label = _("确认完成")
    done_message = _("“%(plan)s”已完成。")

    def get_queryset(self) -> Any:
        return plans_with_counts(plans_visible(user=self.request.user))

    def notice(self) -> str:
        plan = self.record
        if plan.status == PlanStatus.COMPLETED:
            return str(_("方案已完成。"))
        if not plan.measure_count:
            return str(_("方案尚无帮扶措施，请先增加措施。"))
        if plan.open_measure_count:
            return str(
                _("方案还有%(n)d项措施未完成，请先逐项完成。") % {"n": plan.open_measure_count}
            )
        return ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        measures = list(plan_measures(plan=self.record))
        rows = [(measure, *measure_state(measure)) for measure in measures]
        return super().get_context_data(
            measures=rows, colours=MEASURE_COLOURS, step=self.step, **kwargs
        )

    def perform(self, data: dict[str, Any]) -> EnterprisePlan:
        return plan_complete(
            plan=self.record,
            summary=data["summary"],
            on=data.get("on"),
            by=self.request.user,
            expected_version=data["edit_version"],
        )


class MeasureCompleteView(RecordStepView):
    model = PlanMeasure
    context_name = "measure"
    permission_required = ("enterprises.change_planmeasure",)
    template_name = "enterprises/plans/step.html"
    title = _("完成措施")
    step = "complete_measure"
    form_class = MeasureCompleteForm
    submit_label = _("确认完成")
    done_message = _("措施“%(measure)s”已完成。")

    def get_queryset(self) -> Any:
        return measures_visible(user=self.request.user)

    def notice(self) -> str:
        if measure_available_actions(measure=self.record):
            return ""
        if self.record.status == MeasureStatus.DONE:
            return str(_("措施已完成。"))
        return str(_("方案已完成，不能再变更措施。"))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        state = measure_state(self.record)
        return super().get_context_data(
            plan=self.record.plan, state=state, colours=MEASURE_COLOURS, step=self.step, **kwargs
        )

    def success_url(self, result: Any) -> str:
        """Back to the plan when the user reaches it, else to the measure."""
        if can_see(self.request.user, self.record.plan):
            return reverse("admin:enterprises_enterpriseplan_change", args=[self.record.plan_id])
        return super().success_url(result)

    def perform(self, data: dict[str, Any]) -> PlanMeasure:
        return measure_complete(
            measure=self.record,
            result=data["result"],
            on=data.get("on"),
            by=self.request.user,
            expected_version=data["edit_version"],
        )

"""Back office of the problem list (问题清单): the register with each problem's warning, the add
form that raises through `problem_raise`, one small page per step (reroute, progress note,
escalation, resolution, reopening), the events, a department's list, and the summary inline
that the project page shows."""

from datetime import date
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from unfold.decorators import action, display
from unfold.views import UnfoldModelAdminViewMixin

from zoneops.casework.admin import (
    ClockedChangeList,
    ClockedStepView,
    OverdueFilter,
    StepButtonsMixin,
    StepForm,
    clock_badge,
    clock_colours,
)
from zoneops.common.admin_base import (
    BusinessAdmin,
    ScopedAdminMixin,
    TabularInline,
    VersionedForm,
    label_html,
)
from zoneops.common.exceptions import ApplicationError
from zoneops.common.forms import Form
from zoneops.orgs.models import Department
from zoneops.projects.models import Problem, ProblemEvent
from zoneops.projects.models.problems import ProblemClock
from zoneops.projects.selectors.problems import (
    clock_of,
    department_problem_counts,
    department_problem_list,
    problem_available_actions,
    problem_detail_queryset,
    problem_escalation_target,
    problem_list_default_departments,
    problems_in_work_order,
    problems_with_clock,
)
from zoneops.projects.services.problems import (
    problem_add_note,
    problem_escalate,
    problem_raise,
    problem_raise_check,
    problem_reopen,
    problem_reroute,
    problem_resolve,
)

# ProblemClock.key → unfold label colour (every key listed: unfold prints an unknown key as is).
WARNING_COLOURS: dict[str, str] = clock_colours(ProblemClock)
STATUS_COLOURS: dict[str, str] = {
    Problem.Status.ROUTED: "default",
    Problem.Status.IN_PROGRESS: "info",
    Problem.Status.RESOLVED: "success",
}


def _warning_label(clock: ProblemClock) -> str:
    return clock_badge(clock, WARNING_COLOURS)


def _date_cn(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "—"


# --- list filters --------------------------------------------------------------------------------


class EscalatedFilter(admin.SimpleListFilter):
    title = _("提级")
    parameter_name = "escalated"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("已提级")), ("no", _("未提级"))]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() in ("yes", "no"):
            return queryset.filter(escalated_to__isnull=self.value() == "no")
        return queryset


# --- inlines -------------------------------------------------------------------------------------


class ProblemEventInline(TabularInline):
    model = ProblemEvent
    extra = 0
    can_delete = False
    fields = ["on", "kind", "from_department", "to_department", "note", "by", "at"]
    readonly_fields = fields
    ordering = ["on", "id"]
    verbose_name_plural = _("办理记录")
    hide_title = True  # the rows speak for themselves, not the event's id

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest):
        return (
            super().get_queryset(request).select_related("by", "from_department", "to_department")
        )


class _ClockedFormSet(BaseInlineFormSet):
    """Sets every row's clock from one reading of the work calendar."""

    def get_queryset(self):
        if not hasattr(self, "_clocked"):
            queryset = super().get_queryset()
            problems_with_clock(queryset)  # fills the queryset's cache; the forms reuse its rows
            self._clocked = queryset
        return self._clocked


class ProblemInline(ScopedAdminMixin, TabularInline):
    """A project's problems, read-only, open ones first with the overdue on top; each links to
    its page, where the steps are taken. For `ProjectAdmin.inlines`."""

    model = Problem
    formset = _ClockedFormSet
    fk_name = "project"
    extra = 0
    can_delete = False
    fields = ["title_link", "kind", "department", "show_due", "show_status", "show_warning"]
    readonly_fields = fields
    verbose_name_plural = _("问题清单")
    hide_title = True

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Not on the project's add page: nothing to show there, and its form stays as it is.
        # (Django also asks without the project for the inline's rows: only the page decides.)
        match = getattr(request, "resolver_match", None)
        on_add_page = bool(match and (match.url_name or "").endswith("_add"))
        return not on_add_page and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest):
        queryset = super().get_queryset(request).select_related("department", "project")
        return problems_in_work_order(queryset, today=timezone.localdate())

    @admin.display(description=_("问题"))
    def title_link(self, obj: Problem) -> str:
        url = reverse("admin:projects_problem_change", args=[obj.pk])
        return format_html('<a class="text-primary-600" href="{}">{}</a>', url, obj.title)

    @admin.display(description=_("办结期限"))
    def show_due(self, obj: Problem) -> str:
        return _due_text(obj)

    @admin.display(description=_("状态"))
    def show_status(self, obj: Problem) -> str:
        return label_html(obj.get_status_display(), STATUS_COLOURS.get(obj.status))

    @admin.display(description=_("预警"))
    def show_warning(self, obj: Problem) -> str:
        return _warning_label(clock_of(obj))


def _due_text(problem: Problem) -> str:
    text = _date_cn(problem.due_on)
    if problem.due_provisional:
        text += str(_("（期限待定）"))
    return text


# --- the add form ---------------------------------------------------------------------------------


class ProblemAddForm(VersionedForm):
    """Raising a problem: the service checks it and works out the deadline."""

    class Meta:
        model = Problem
        fields = [
            "project",
            "title",
            "description",
            "kind",
            "topic",
            "department",
            "limit_days",
            "raised_on",
            "routed_on",
        ]
        help_texts = {
            "routed_on": _("默认今天；自交办次日起按工作日计算办结期限。"),
            "raised_on": _("默认与交办日期相同。"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["routed_on"].required = False
        self.fields["raised_on"].required = False
        department = self.fields["department"]
        assert isinstance(department, forms.ModelChoiceField)
        department.queryset = Department.objects.filter(is_active=True)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        needed = ("project", "title", "department", "limit_days")
        if all(cleaned.get(name) is not None for name in needed):
            try:
                problem_raise_check(
                    project=cleaned["project"],
                    title=cleaned["title"],
                    department=cleaned["department"],
                    limit_days=cleaned["limit_days"],
                    raised_on=cleaned.get("raised_on"),
                    routed_on=cleaned.get("routed_on"),
                )
            except ApplicationError as error:
                field = error.field if error.field in self.fields else None
                raise ValidationError({field or "__all__": error.message}) from error
        return cleaned


# --- the register --------------------------------------------------------------------------------


@admin.register(Problem)
class ProblemAdmin(StepButtonsMixin, BusinessAdmin):
    list_display = [
        "title",
        "project",
        "kind",
        "department",
        "show_status",
        "due_on",
        "show_warning",
        "escalated_to",
    ]
    list_display_links = ["title"]
    list_filter = [
        "status",
        OverdueFilter,
        EscalatedFilter,
        "department",
        "kind",
        "topic",
    ]
    search_fields = ["title", "project__name", "project__code"]
    list_select_related = ["project", "department", "escalated_to"]
    autocomplete_fields = ["project", "department"]
    date_hierarchy = "raised_on"
    actions_detail = ["reroute", "note", "escalate", "resolve", "reopen"]
    nav_order = 40
    readonly_on_change = [
        "project",
        "department",
        "raised_on",
        "routed_on",
        "limit_days",
        "show_due",
        "warning_badge",
        "status_badge",
        "escalated_to",
        "escalated_on",
        "resolved_on",
        "resolution",
        "blocker",
    ]

    def get_changelist(self, request: HttpRequest, **kwargs: Any):
        return ClockedChangeList

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        if obj is None:
            kwargs["form"] = ProblemAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None):
        if obj is None:
            return [
                (None, {"fields": ["project", "title", "description", ("kind", "topic")]}),
                (_("交办"), {"fields": ["department", "limit_days", ("raised_on", "routed_on")]}),
                (None, {"fields": ["edit_version"], "classes": ["hidden"]}),
            ]
        return [
            (None, {"fields": ["project", "title", "description", ("kind", "topic")]}),
            (
                _("交办与时限"),
                {
                    "fields": [
                        ("department", "status_badge"),
                        ("raised_on", "routed_on"),
                        ("limit_days", "show_due"),
                        "warning_badge",
                    ]
                },
            ),
            (_("提级"), {"fields": [("escalated_to", "escalated_on")]}),
            (_("解决"), {"fields": ["resolved_on", "resolution", "blocker"]}),
            (None, {"fields": ["edit_version"], "classes": ["hidden"]}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):
        return self.readonly_on_change if obj is not None else []

    def get_inlines(self, request: HttpRequest, obj: Any = None):
        return [ProblemEventInline] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Problem, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        raised = problem_raise(
            project=data["project"],
            title=data["title"],
            description=data.get("description", ""),
            kind=data["kind"],
            topic=data["topic"],
            department=data["department"],
            limit_days=data["limit_days"],
            raised_on=data.get("raised_on"),
            routed_on=data.get("routed_on"),
            by=request.user,
        )
        obj.pk = raised.pk
        obj._state.adding = False

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None):
        try:
            return super().add_view(request, form_url, extra_context)
        except ApplicationError as error:  # refused between the form's check and the save
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    @display(description=_("状态"), label=STATUS_COLOURS, ordering="status")
    def show_status(self, obj: Problem) -> tuple[str, str]:
        return obj.status, obj.get_status_display()

    @display(description=_("预警"), label=WARNING_COLOURS)
    def show_warning(self, obj: Problem) -> tuple[str, str]:
        clock = clock_of(obj)
        return clock.key, clock.label

    @admin.display(description=_("办结期限"))
    def show_due(self, obj: Problem) -> str:
        return _due_text(obj)

    # The change page's read-only fields do not render unfold's list labels: the same badges.
    @admin.display(description=_("状态"))
    def status_badge(self, obj: Problem) -> str:
        return label_html(obj.get_status_display(), STATUS_COLOURS.get(obj.status))

    @admin.display(description=_("预警"))
    def warning_badge(self, obj: Problem) -> str:
        return _warning_label(clock_of(obj))

    # The steps: one page each; the change page offers those that fit the problem's state.

    def record_steps(self, request: HttpRequest, obj: Any) -> Any:
        return problem_available_actions(problem=obj)

    @action(description=_("改派"), url_path="reroute", permissions=["change"])
    def reroute(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        return ProblemRerouteView.as_view(model_admin=self)(request, object_id=object_id)

    @action(description=_("登记进展"), url_path="note", permissions=["change"])
    def note(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        return ProblemNoteView.as_view(model_admin=self)(request, object_id=object_id)

    @action(description=_("提级"), url_path="escalate", permissions=["change"])
    def escalate(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        return ProblemEscalateView.as_view(model_admin=self)(request, object_id=object_id)

    @action(description=_("办结"), url_path="resolve", permissions=["change"])
    def resolve(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        return ProblemResolveView.as_view(model_admin=self)(request, object_id=object_id)

    @action(description=_("重新办理"), url_path="reopen", permissions=["change"])
    def reopen(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        return ProblemReopenView.as_view(model_admin=self)(request, object_id=object_id)

    def get_urls(self):
        department = self.admin_site.admin_view(DepartmentProblemsView.as_view(model_admin=self))
        return [
            path("department/", department, name="projects_problem_department"),
            *super().get_urls(),
        ]


# --- the step pages -------------------------------------------------------------------------------


class ProblemStepForm(StepForm):
    pass


def _active_departments():
    return Department.objects.filter(is_active=True).order_by("order", "pk")


class RerouteForm(ProblemStepForm):
    to_department = forms.ModelChoiceField(label=_("改派至"), queryset=_active_departments())
    reason = forms.CharField(label=_("改派原因"), widget=forms.Textarea(attrs={"rows": 3}))
    limit_days = forms.IntegerField(
        label=_("新的办理时限（工作日）"),
        required=False,
        help_text=_("留空则保持原办结期限；填写则自改派之日起重新计时。"),
    )
    field_order = ["to_department", "reason", "limit_days", "on"]


class NoteForm(ProblemStepForm):
    text = forms.CharField(label=_("办理进展"), widget=forms.Textarea(attrs={"rows": 4}))
    field_order = ["text", "on"]


class EscalateForm(ProblemStepForm):
    note = forms.CharField(
        label=_("说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("请包联领导协调的事项；可留空。"),
    )
    field_order = ["note", "on"]


class ResolveForm(ProblemStepForm):
    resolution = forms.CharField(label=_("解决情况"), widget=forms.Textarea(attrs={"rows": 4}))
    field_order = ["resolution", "on"]


class ReopenForm(ProblemStepForm):
    reason = forms.CharField(label=_("重新办理原因"), widget=forms.Textarea(attrs={"rows": 3}))
    limit_days = forms.IntegerField(
        label=_("办理时限（工作日）"),
        required=False,
        help_text=_("留空则沿用原时限；自重新办理之日起重新计时。"),
    )
    field_order = ["reason", "limit_days", "on"]


class ProblemStepView(ClockedStepView):
    """One step on a problem: the kernel's step page with the problem's header."""

    model = Problem
    context_name = "problem"
    record_argument = "problem"
    permission_required = ("projects.change_problem",)
    template_name = "projects/problems/step.html"

    @property
    def problem(self) -> Problem:
        return self.record

    def get_queryset(self) -> Any:
        return problem_detail_queryset(user=self.request.user)

    def available_steps(self) -> set[str]:
        return set(problem_available_actions(problem=self.problem))

    def closed_notice(self) -> str:
        if self.problem.status == Problem.Status.RESOLVED:
            return str(_("问题已解决。如需继续办理，请先“重新办理”。"))
        return str(_("问题尚未解决，无需重新办理。"))


class ProblemRerouteView(ProblemStepView):
    title = _("改派")
    step = "reroute"
    form_class = RerouteForm
    submit_label = _("确认改派")
    done_message = _("“%(problem)s”已改派。")
    service = staticmethod(problem_reroute)

    def get_form(self, form_class: Any = None) -> forms.Form:
        form = super().get_form(form_class)
        others = _active_departments().exclude(pk=self.problem.department_id)
        field = form.fields["to_department"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = others
        return form


class ProblemNoteView(ProblemStepView):
    title = _("登记进展")
    step = "note"
    form_class = NoteForm
    submit_label = _("保存进展")
    done_message = _("已登记“%(problem)s”的办理进展。")
    service = staticmethod(problem_add_note)


class ProblemEscalateView(ProblemStepView):
    title = _("提级至包联领导")
    step = "escalate"
    form_class = EscalateForm
    submit_label = _("确认提级")
    done_message = _("“%(problem)s”已提级至包联领导。")
    service = staticmethod(problem_escalate)

    def notice(self) -> str:
        notice = super().notice()
        if notice:
            return notice
        if problem_escalation_target(problem=self.problem) is None:
            return str(
                _("项目“%(project)s”未确定包联领导，无法提级；请先在项目中指定包联领导。")
                % {"project": self.problem.project}
            )
        return ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        leader = problem_escalation_target(problem=self.problem)
        return super().get_context_data(leader=leader, **kwargs)


class ProblemResolveView(ProblemStepView):
    title = _("办结")
    step = "resolve"
    form_class = ResolveForm
    submit_label = _("确认办结")
    done_message = _("“%(problem)s”已办结。")
    service = staticmethod(problem_resolve)


class ProblemReopenView(ProblemStepView):
    title = _("重新办理")
    step = "reopen"
    form_class = ReopenForm
    submit_label = _("确认重新办理")
    done_message = _("“%(problem)s”已重新办理。")
    service = staticmethod(problem_reopen)


# --- a department's list --------------------------------------------------------------------------


class DepartmentChoiceForm(Form):
    department = forms.ModelChoiceField(
        label=_("部门"), queryset=_active_departments(), required=False
    )


class DepartmentProblemsView(UnfoldModelAdminViewMixin, TemplateView):
    """部门问题清单: the problems routed to a department (the user's own by default), open ones
    first with the overdue on top, the latest resolved ones, and the department's counts."""

    title = _("部门问题清单")
    permission_required = ("projects.view_problem",)
    template_name = "projects/problems/department.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        form = DepartmentChoiceForm(self.request.GET or None)
        chosen = form.cleaned_data.get("department") if form.is_valid() else None
        if chosen is not None:
            department_ids = [chosen.pk]
        else:
            department_ids = problem_list_default_departments(user=user)
        today = timezone.localdate()
        listing = (
            department_problem_list(department_ids=department_ids, user=user, today=today)
            if department_ids
            else None
        )
        departments = Department.objects.filter(pk__in=department_ids).order_by("order", "pk")
        return super().get_context_data(
            form=form,
            departments=list(departments),
            listing=listing,
            all_counts=(
                department_problem_counts(user=user, today=today) if not department_ids else []
            ),
            today=today,
            changelist=reverse("admin:projects_problem_changelist"),
            colours=WARNING_COLOURS,
            **kwargs,
        )

"""Back office of supervision: the task register with each task's clock, the add form that
hands a task over through `task_assign`, one page per step, 转督办 from a decision, a problem
or a request, the Excel export, and the inspectors' checklists and visits."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
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
from zoneops.casework.selectors import clock_of
from zoneops.common.admin_base import (
    BusinessAdmin,
    TabularInline,
    VersionedForm,
    add_service_error,
    label_html,
)
from zoneops.common.exceptions import ApplicationError
from zoneops.common.forms import Form
from zoneops.common.inputs import parse_id
from zoneops.common.scope import can_see
from zoneops.enterprises.models import EnterpriseRequest
from zoneops.meetings.models import Decision
from zoneops.orgs.models import Department
from zoneops.projects.models import Problem
from zoneops.supervision.excel import tasks_workbook
from zoneops.supervision.models import (
    Checklist,
    ChecklistItem,
    ChecklistVisit,
    SupervisionTask,
    TaskClock,
    TaskEvent,
)
from zoneops.supervision.selectors import (
    task_available_steps,
    task_detail_queryset,
    task_escalation_target,
)
from zoneops.supervision.services import (
    checklist_create,
    checklist_follow_up,
    checklist_visit_record,
    task_assign,
    task_close,
    task_escalate,
    task_from_decision,
    task_from_problem,
    task_from_request,
    task_progress,
    task_report,
    task_return,
    task_review,
    task_sign,
    task_urge,
)

WARNING_COLOURS = clock_colours(TaskClock)
S = SupervisionTask.Status
STATUS_COLOURS = {
    S.ASSIGNED: "default",
    S.SIGNED: "info",
    S.IN_PROGRESS: "info",
    S.REPORTED: "warning",
    S.REVIEWED: "warning",
    S.CLOSED: "success",
}


def _active_departments():
    return Department.objects.filter(is_active=True).order_by("order", "pk")


class EscalatedFilter(admin.SimpleListFilter):
    title = _("提级")
    parameter_name = "escalated"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("已提级")), ("no", _("未提级"))]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() in ("yes", "no"):
            return queryset.filter(escalated_to__isnull=self.value() == "no")
        return queryset


class TaskEventInline(TabularInline):
    model = TaskEvent
    extra = 0
    can_delete = False
    fields = ["on", "kind", "to_department", "note", "show_evidence", "by", "at"]
    readonly_fields = fields
    ordering = ["on", "id"]
    verbose_name_plural = _("办理记录")
    hide_title = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .select_related("by", "to_department")
            .prefetch_related("evidence")
        )

    @admin.display(description=_("佐证材料"))
    def show_evidence(self, obj: TaskEvent) -> str:
        from django.utils.html import format_html_join

        return (
            format_html_join(
                "、",
                '<a class="text-primary-600" href="{}">{}</a>',
                ((item.file.url, item.filename) for item in obj.evidence.all()),
            )
            or "—"
        )


class TaskAddForm(VersionedForm):
    class Meta:
        model = SupervisionTask
        fields = [
            "source",
            "title",
            "content",
            "department",
            "owner",
            "co_departments",
            "supervisor",
            "assigned_on",
            "limit_days",
            "due_on",
        ]
        help_texts = {
            "assigned_on": _("默认今天；自交办次日起按工作日计算。"),
            "limit_days": _("办理时限与办结期限填写其一。"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("assigned_on", "limit_days", "due_on"):
            self.fields[name].required = False
        field = self.fields["department"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = _active_departments()


@admin.register(SupervisionTask)
class SupervisionTaskAdmin(StepButtonsMixin, BusinessAdmin):
    list_display = [
        "title",
        "source",
        "department",
        "owner",
        "show_status",
        "due_on",
        "show_warning",
        "urge_count",
        "show_escalated",
        "supervisor",
    ]
    list_display_links = ["title"]
    list_filter = ["status", OverdueFilter, EscalatedFilter, "source", "department"]
    search_fields = ["title", "content"]
    list_select_related = ["department", "owner", "supervisor", "escalated_to"]
    autocomplete_fields = ["department", "owner", "supervisor"]
    date_hierarchy = "assigned_on"
    actions_list = ["export"]
    actions_detail = [
        "sign",
        "progress",
        "report",
        "review",
        "return_",
        "close",
        "urge",
        "escalate",
    ]
    step_methods = {"return": "return_"}
    readonly_on_change = [
        "source",
        "title",
        "content",
        "department",
        "owner",
        "co_departments",
        "supervisor",
        "assigned_on",
        "limit_days",
        "due_on",
        "warning_badge",
        "status_badge",
        "signed_on",
        "reported_on",
        "feedback",
        "reviewed_on",
        "closed_on",
        "urge_count",
        "escalated_to",
        "escalated_on",
        "decision",
        "problem",
        "request",
        "visit",
    ]

    def get_changelist(self, request: HttpRequest, **kwargs: Any):
        return ClockedChangeList

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related(*self.list_select_related)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        if obj is None:
            kwargs["form"] = TaskAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None):
        if obj is None:
            return [
                (None, {"fields": ["source", "title", "content"]}),
                (
                    _("交办"),
                    {
                        "fields": [
                            ("department", "owner"),
                            "co_departments",
                            "supervisor",
                            ("assigned_on", "limit_days", "due_on"),
                        ]
                    },
                ),
                (None, {"fields": ["edit_version"], "classes": ["hidden"]}),
            ]
        return [
            (None, {"fields": ["source", "title", "content"]}),
            (
                _("交办与时限"),
                {
                    "fields": [
                        ("department", "owner", "status_badge"),
                        "co_departments",
                        ("supervisor", "assigned_on"),
                        ("limit_days", "due_on", "warning_badge"),
                    ]
                },
            ),
            (
                _("办理"),
                {
                    "fields": [
                        ("signed_on", "reported_on", "reviewed_on", "closed_on"),
                        "feedback",
                        ("urge_count", "escalated_to", "escalated_on"),
                    ]
                },
            ),
            (_("来源记录"), {"fields": [("decision", "problem", "request", "visit")]}),
            (None, {"fields": ["edit_version"], "classes": ["hidden"]}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):
        return self.readonly_on_change if obj is not None else []

    def get_inlines(self, request: HttpRequest, obj: Any = None):
        return [TaskEventInline] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a supervised task is closed (销号), never deleted

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            return  # every change is a step
        data = form.cleaned_data
        task = task_assign(
            source=data["source"],
            title=data["title"],
            content=data.get("content") or "",
            department=data["department"],
            owner=data.get("owner"),
            co_departments=list(data.get("co_departments") or ()),
            supervisor=data["supervisor"],
            assigned_on=data.get("assigned_on"),
            limit_days=data.get("limit_days"),
            due_on=data.get("due_on"),
            by=request.user,
        )
        obj.pk = task.pk
        obj._state.adding = False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass  # co-departments are set by the service

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None):
        try:
            return super().add_view(request, form_url, extra_context)
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    @display(description=_("状态"), label=STATUS_COLOURS, ordering="status")
    def show_status(self, obj: SupervisionTask) -> tuple[str, str]:
        return obj.status, obj.get_status_display()

    @display(description=_("预警"), label=WARNING_COLOURS)
    def show_warning(self, obj: SupervisionTask) -> Any:
        clock = clock_of(obj)
        return (clock.key, clock.label) if clock else ("", "—")

    @admin.display(description=_("提级至"))
    def show_escalated(self, obj: SupervisionTask) -> str:
        # The leader it went to; a dash, not a red cross, for the (most) tasks not escalated.
        return str(obj.escalated_to) if obj.escalated_to_id is not None else "—"

    @admin.display(description=_("状态"))
    def status_badge(self, obj: SupervisionTask) -> str:
        return label_html(obj.get_status_display(), STATUS_COLOURS.get(obj.status))

    @admin.display(description=_("预警"))
    def warning_badge(self, obj: SupervisionTask) -> str:
        return clock_badge(clock_of(obj), WARNING_COLOURS)

    # --- steps ---

    def record_steps(self, request: HttpRequest, obj: Any) -> Any:
        return task_available_steps(task=obj, user=request.user)

    def _step(self, view: Any, request: HttpRequest, object_id: str) -> HttpResponseBase:
        return view.as_view(model_admin=self)(request, object_id=object_id)

    @action(description=_("签收"), url_path="sign", permissions=["change"])
    def sign(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        return self._step(TaskSignView, request, object_id)

    @action(description=_("登记办理进展"), url_path="progress", permissions=["change"])
    def progress(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        return self._step(TaskProgressView, request, object_id)

    @action(description=_("反馈"), url_path="report", permissions=["change"])
    def report(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        return self._step(TaskReportView, request, object_id)

    @action(description=_("复核"), url_path="review", permissions=["change"])
    def review(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        return self._step(TaskReviewView, request, object_id)

    @action(description=_("退回"), url_path="return", permissions=["change"])
    def return_(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        return self._step(TaskReturnView, request, object_id)

    @action(description=_("销号"), url_path="close", permissions=["change"])
    def close(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        return self._step(TaskCloseView, request, object_id)

    @action(description=_("催办"), url_path="urge", permissions=["change"])
    def urge(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        return self._step(TaskUrgeView, request, object_id)

    @action(description=_("提级"), url_path="escalate", permissions=["change"])
    def escalate(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        return self._step(TaskEscalateView, request, object_id)

    @action(description=_("导出Excel"), url_path="export", permissions=["view"])
    def export(self, request: HttpRequest) -> HttpResponse:
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            messages.error(request, _("列表的筛选条件无效，未能导出。"))
            return HttpResponseRedirect(reverse("admin:supervision_supervisiontask_changelist"))
        rows = changelist.get_queryset(request)
        response = HttpResponse(
            tasks_workbook(rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = "attachment; filename*=UTF-8''supervision-tasks.xlsx"
        return response

    def get_urls(self):
        convert = self.admin_site.admin_view(TaskConvertView.as_view(model_admin=self))
        return [
            path(
                "from/<str:kind>/<str:pk>/",
                convert,
                name="supervision_supervisiontask_convert",
            ),
            *super().get_urls(),
        ]


# --- the step pages -----------------------------------------------------------------------------


class NoteForm(StepForm):
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    field_order = ["note", "on"]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class ProgressForm(StepForm):
    text = forms.CharField(label=_("办理进展"), widget=forms.Textarea(attrs={"rows": 4}))
    files = MultipleFileField(
        label=_("佐证材料"),
        required=False,
        help_text=_("可多选：照片、PDF、Word、Excel。"),
    )
    field_order = ["text", "files", "on"]


class ReportForm(StepForm):
    feedback = forms.CharField(label=_("办理结果"), widget=forms.Textarea(attrs={"rows": 4}))
    field_order = ["feedback", "on"]


class ReturnForm(StepForm):
    reason = forms.CharField(label=_("退回原因"), widget=forms.Textarea(attrs={"rows": 3}))
    field_order = ["reason", "on"]


class TaskStepView(ClockedStepView):
    model = SupervisionTask
    context_name = "task"
    record_argument = "task"
    permission_required = ("supervision.change_supervisiontask",)
    template_name = "supervision/step.html"
    form_class = NoteForm

    def get_queryset(self) -> Any:
        from zoneops.common.scope import writable_queryset

        return writable_queryset(task_detail_queryset(), self.request.user)

    def available_steps(self) -> set[str]:
        return task_available_steps(task=self.record, user=self.request.user)

    def closed_notice(self) -> str:
        return str(
            _("督办事项当前为“%(status)s”，您不能进行此项办理。")
            % {"status": self.record.get_status_display()}
        )


class TaskSignView(TaskStepView):
    title = _("签收")
    step = "sign"
    submit_label = _("确认签收")
    done_message = _("已签收“%(task)s”。")
    service = staticmethod(task_sign)


class TaskProgressView(TaskStepView):
    title = _("登记办理进展")
    step = "progress"
    form_class = ProgressForm
    submit_label = _("保存进展")
    done_message = _("已登记“%(task)s”的办理进展。")
    service = staticmethod(task_progress)


class TaskReportView(TaskStepView):
    title = _("反馈办理结果")
    step = "report"
    form_class = ReportForm
    submit_label = _("确认反馈")
    done_message = _("“%(task)s”已反馈。")
    service = staticmethod(task_report)


class TaskReviewView(TaskStepView):
    title = _("复核")
    step = "review"
    submit_label = _("复核通过")
    done_message = _("“%(task)s”已复核。")
    service = staticmethod(task_review)


class TaskReturnView(TaskStepView):
    title = _("退回")
    step = "return"
    form_class = ReturnForm
    submit_label = _("确认退回")
    done_message = _("“%(task)s”已退回重办。")
    service = staticmethod(task_return)


class TaskCloseView(TaskStepView):
    title = _("销号")
    step = "close"
    submit_label = _("确认销号")
    done_message = _("“%(task)s”已销号。")
    service = staticmethod(task_close)


class TaskUrgeView(TaskStepView):
    title = _("催办")
    step = "urge"
    submit_label = _("确认催办")
    done_message = _("已催办“%(task)s”。")
    service = staticmethod(task_urge)


class TaskEscalateView(TaskStepView):
    title = _("提级至分管领导")
    step = "escalate"
    submit_label = _("确认提级")
    done_message = _("“%(task)s”已提级至分管领导。")
    service = staticmethod(task_escalate)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        leader = task_escalation_target(task=self.record)
        return super().get_context_data(leader=leader, **kwargs)


# --- 转督办 ---------------------------------------------------------------------------------

SOURCES: dict[str, tuple[Any, Any, str]] = {
    "decision": (Decision, task_from_decision, "decision"),
    "problem": (Problem, task_from_problem, "problem"),
    "request": (EnterpriseRequest, task_from_request, "request"),
}


class ConvertForm(Form):
    confirm = forms.BooleanField(label=_("确认转为督办事项，由我督办"), required=True)


class TaskConvertView(UnfoldModelAdminViewMixin, FormView):
    """转督办: a decision, a problem or a request becomes a supervised task in one step (the
    one it already has, when it has one)."""

    title = _("转督办")
    permission_required = ("supervision.add_supervisiontask",)
    template_name = "supervision/convert.html"
    form_class = ConvertForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not self.has_permission():
            return self.handle_no_permission()
        if kwargs["kind"] not in SOURCES:
            raise Http404
        model, self.service, self.argument = SOURCES[kwargs["kind"]]
        pk = parse_id(kwargs["pk"])
        record = model._default_manager.filter(pk=pk).first() if pk is not None else None
        if record is None or not can_see(request.user, record):
            raise Http404
        self.source = record
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        meta = self.source._meta
        return super().get_context_data(
            source=self.source,
            source_label=meta.verbose_name,
            back_url=reverse(
                f"admin:{meta.app_label}_{meta.model_name}_change", args=[self.source.pk]
            ),
            **kwargs,
        )

    def form_valid(self, form: forms.Form) -> HttpResponse:
        try:
            task = self.service(**{self.argument: self.source}, by=self.request.user)
        except ApplicationError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("已转为督办事项“%(task)s”。") % {"task": task})
        return HttpResponseRedirect(
            reverse("admin:supervision_supervisiontask_change", args=[task.pk])
        )


# --- checklists ---------------------------------------------------------------------------------


class ChecklistItemInline(TabularInline):
    model = ChecklistItem
    extra = 0
    can_delete = False
    fields = ["order", "text", "closed_on"]
    readonly_fields = fields
    verbose_name_plural = _("清单事项")
    hide_title = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ChecklistAddForm(VersionedForm):
    items = forms.CharField(
        label=_("督查事项"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一项。"),
    )

    class Meta:
        model = Checklist
        fields = ["enterprise", "inspector", "started_on", "note"]


@admin.register(Checklist)
class ChecklistAdmin(BusinessAdmin):
    list_display = ["enterprise", "inspector", "started_on", "item_count", "visit_count"]
    list_select_related = ["enterprise", "inspector"]
    search_fields = ["enterprise__name"]
    autocomplete_fields = ["enterprise", "inspector"]
    inlines = [ChecklistItemInline]

    def get_queryset(self, request: HttpRequest):
        from django.db.models import Count

        return (
            super()
            .get_queryset(request)
            .annotate(
                visit_total=Count("visits", distinct=True),
                item_total=Count("items", distinct=True),
            )
        )

    @admin.display(description=_("事项数"))
    def item_count(self, obj: Any) -> int:
        return obj.item_total

    @admin.display(description=_("走访次数"))
    def visit_count(self, obj: Any) -> int:
        return obj.visit_total

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        if obj is None:
            kwargs["form"] = ChecklistAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):
        return ["enterprise", "inspector", "started_on"] if obj is not None else []

    def get_fieldsets(self, request: HttpRequest, obj: Any = None):
        fields = ["enterprise", "inspector", "started_on", "note"]
        if obj is None:
            fields.append("items")
        return [
            (None, {"fields": fields}),
            (None, {"fields": ["edit_version"], "classes": ["hidden"]}),
        ]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        items = [line for line in (data.get("items") or "").splitlines() if line.strip()]
        checklist = checklist_create(
            enterprise=data["enterprise"],
            inspector=data["inspector"],
            started_on=data.get("started_on"),
            note=data.get("note") or "",
            items=items,
            by=request.user,
        )
        obj.pk = checklist.pk
        obj._state.adding = False

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None):
        try:
            return super().add_view(request, form_url, extra_context)
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class FollowUpInline(TabularInline):
    model = SupervisionTask
    fk_name = "visit"
    extra = 0
    can_delete = False
    fields = ["title", "department", "status", "due_on"]
    readonly_fields = fields
    verbose_name_plural = _("整改督办")
    hide_title = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ChecklistVisit)
class ChecklistVisitAdmin(BusinessAdmin):
    list_display = ["checklist", "visited_on", "inspector"]
    list_select_related = ["checklist__enterprise", "inspector"]
    autocomplete_fields = ["checklist"]
    fields = ["checklist", "visited_on", "findings"]
    actions_detail = ["follow_up"]
    inlines = [FollowUpInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):
        return ["checklist", "visited_on", "findings"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        visit = checklist_visit_record(
            checklist=data["checklist"],
            findings=data["findings"],
            visited_on=data.get("visited_on"),
            by=request.user,
        )
        obj.pk = visit.pk
        obj._state.adding = False

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None):
        try:
            return super().add_view(request, form_url, extra_context)
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    @action(description=_("转整改督办"), url_path="follow-up", permissions=["change"])
    def follow_up(self, request: HttpRequest, object_id: str) -> HttpResponseBase:
        return FollowUpView.as_view(model_admin=self)(request, object_id=object_id)


class FollowUpForm(Form):
    title = forms.CharField(label=_("整改事项"), max_length=200)
    department = forms.ModelChoiceField(label=_("责任部门"), queryset=_active_departments())
    limit_days = forms.IntegerField(label=_("办理时限（工作日）"), initial=10)


class FollowUpView(UnfoldModelAdminViewMixin, FormView):
    title = _("转整改督办")
    permission_required = ("supervision.add_supervisiontask",)
    template_name = "supervision/convert.html"
    form_class = FollowUpForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not self.has_permission():
            return self.handle_no_permission()
        pk = parse_id(kwargs["object_id"])
        visit = ChecklistVisit.objects.select_related("checklist__enterprise").filter(pk=pk).first()
        if visit is None or not can_see(request.user, visit):
            raise Http404
        if request.user.pk != visit.checklist.inspector_id:
            raise PermissionDenied
        self.source = visit
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            source=self.source,
            source_label=ChecklistVisit._meta.verbose_name,
            back_url=reverse("admin:supervision_checklistvisit_change", args=[self.source.pk]),
            **kwargs,
        )

    def form_valid(self, form: forms.Form) -> HttpResponse:
        data = form.cleaned_data
        try:
            task = checklist_follow_up(
                visit=self.source,
                title=data["title"],
                department=data["department"],
                limit_days=data["limit_days"],
                by=self.request.user,
            )
        except ApplicationError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("已转为督办事项“%(task)s”。") % {"task": task})
        return HttpResponseRedirect(
            reverse("admin:supervision_supervisiontask_change", args=[task.pk])
        )

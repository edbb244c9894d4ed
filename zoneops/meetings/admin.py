"""Back office of meetings and ceremonies: the register with its agenda and decisions inline, the
agenda built from the records (a preview, then the build), the hold and cancel pages, the
ceremonies' totals line, and the decisions' register (议定事项台账) with "标记完成"."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import RangeDateFilter
from unfold.decorators import action, display

from zoneops.common.admin_base import (
    BusinessAdmin,
    RecordStepView,
    TabularInline,
    VersionedForm,
    add_service_error,
)
from zoneops.common.exceptions import ApplicationError
from zoneops.common.forms import Form, ModelForm
from zoneops.common.periods import format_day
from zoneops.meetings.enums import CEREMONIES, AgendaSource, MeetingKind, MeetingStatus
from zoneops.meetings.models import AgendaItem, Decision, Meeting
from zoneops.meetings.selectors import (
    DecisionState,
    agenda_missing,
    ceremony_line,
    ceremony_totals,
    decision_available_actions,
    decision_overdue_q,
    meeting_available_actions,
    meeting_detail_queryset,
    meetings_with_counts,
)
from zoneops.meetings.services import (
    AGENDA_EDITABLE_FIELDS,
    DECISION_EDITABLE_FIELDS,
    MEETING_EDITABLE_FIELDS,
    ONLINE_KINDS,
    agenda_item_add,
    agenda_item_remove,
    agenda_item_update,
    ceremony_attach_projects,
    ceremony_check_projects,
    ceremony_detach_projects,
    decision_check,
    decision_create,
    decision_done,
    decision_remove,
    decision_update,
    meeting_build_agenda,
    meeting_cancel,
    meeting_check,
    meeting_hold,
    meeting_schedule,
    meeting_update,
)

STATUS_COLOURS = {
    MeetingStatus.PLANNED: "info",
    MeetingStatus.HELD: "success",
    MeetingStatus.CANCELLED: "danger",
}
KIND_COLOURS = {
    MeetingKind.WEEKLY_DOCKING: "info",
    MeetingKind.MONTHLY: "primary",
    MeetingKind.QUARTERLY_TOUR: "primary",
    MeetingKind.ONLINE_TALKS: "info",
    MeetingKind.SIGNING: "warning",
    MeetingKind.CLOUD_SIGNING: "warning",
    MeetingKind.GROUNDBREAKING: "success",
}
DECISION_COLOURS = {
    DecisionState.OPEN: "info",
    DecisionState.OVERDUE: "danger",
    DecisionState.DONE: "success",
}


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"})


# --- the meeting's form and inlines -------------------------------------------------------------


class MeetingForm(VersionedForm):
    """The meeting's fields, checked by the services' rules before anything is saved."""

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.errors:
            return
        meeting = self.instance
        if meeting.kind in ONLINE_KINDS:
            meeting.online = True  # the service's rule: these kinds are held online
        try:
            meeting_check(meeting=meeting)
            projects = self.cleaned_data.get("projects")
            if projects is not None and (meeting.kind in CEREMONIES or projects.exists()):
                ceremony_check_projects(
                    kind=meeting.kind, on=meeting.held_on, projects=list(projects)
                )
        except ApplicationError as error:
            add_service_error(self, error)


class AgendaItemInline(TabularInline):
    model = AgendaItem
    extra = 0
    fields = ["order", "title", "project", "source", "problem", "milestone", "show_request", "note"]
    readonly_fields = ["source", "problem", "milestone", "show_request"]
    autocomplete_fields = ["project"]
    ordering = ["order", "id"]
    verbose_name_plural = _("议题")

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .select_related("project", "problem", "milestone", "request")
        )

    @admin.display(description=_("企业诉求"))
    def show_request(self, obj: AgendaItem) -> str:
        if obj.request_id is None:
            return "—"
        url = reverse("admin:enterprises_enterpriserequest_change", args=[obj.request_id])
        return format_html('<a class="text-primary-600" href="{}">{}</a>', url, obj.request)

    def _open(self, obj: Any) -> bool:
        return obj is None or obj.status == MeetingStatus.PLANNED

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._open(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._open(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._open(obj) and super().has_delete_permission(request, obj)


class DecisionInlineForm(ModelForm):
    def __init__(self, *args: Any, meeting: Meeting, agenda_choices: list, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        if "agenda_item" in self.fields:
            field: Any = self.fields["agenda_item"]
            field.queryset = AgendaItem.objects.filter(meeting_id=meeting.pk)
            field.choices = agenda_choices  # read once for the whole formset

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.errors or not self.has_changed():
            return
        decision = self.instance
        try:
            if decision.pk and decision.done_on is not None:
                raise ApplicationError(_("议定事项已完成，不能再修改。"))
            decision_check(
                meeting=self.meeting,
                text=decision.text,
                due_on=decision.due_on,
                owner_department=decision.owner_department,
                agenda_item=decision.agenda_item,
            )
        except ApplicationError as error:
            add_service_error(self, error)


class DecisionFormSet(BaseInlineFormSet):
    def get_form_kwargs(self, index: Any) -> dict[str, Any]:
        if not hasattr(self, "_agenda_choices"):
            items = AgendaItem.objects.filter(meeting_id=self.instance.pk).order_by("order", "id")
            self._agenda_choices = [("", "---------")] + [(i.pk, str(i)) for i in items]
        return {
            **super().get_form_kwargs(index),
            "meeting": self.instance,
            "agenda_choices": self._agenda_choices,
        }


class DecisionInline(TabularInline):
    model = Decision
    form = DecisionInlineForm
    formset = DecisionFormSet
    extra = 0
    fields = ["text", "agenda_item", "owner_department", "owner", "due_on", "done_on"]
    readonly_fields = ["done_on"]
    autocomplete_fields = ["owner", "owner_department"]
    verbose_name_plural = _("议定事项")

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("owner", "owner_department")

    def _open(self, obj: Any) -> bool:
        return obj is None or obj.status != MeetingStatus.CANCELLED

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._open(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._open(obj) and super().has_change_permission(request, obj)


# --- the register -------------------------------------------------------------------------------


@admin.register(Meeting)
class MeetingAdmin(BusinessAdmin):
    form = MeetingForm
    list_display = [
        "title",
        "show_kind",
        "held_on",
        "show_status",
        "organiser",
        "host",
        "show_overview",
    ]
    list_display_links = ["title"]
    list_filter = ["kind", "status", ("held_on", RangeDateFilter), "organiser"]
    list_filter_submit = True
    search_fields = ["title", "location", "external_attendees"]
    date_hierarchy = "held_on"
    autocomplete_fields = ["host", "organiser", "attendees", "projects"]
    readonly_fields = ["status", "show_totals"]
    actions_detail = ["build_agenda", "hold", "cancel"]
    nav_order = 60

    def get_queryset(self, request: HttpRequest):
        return meetings_with_counts(super().get_queryset(request))

    def get_fieldsets(self, request: HttpRequest, obj: Any = None):
        when = ("held_on", "starts_at", "duration_minutes")
        people = ["host", "organiser", "attendees", "external_attendees"]
        if obj is None:
            return [
                (None, {"fields": ["kind", "title", when, ("location", "online")]}),
                (_("参会"), {"fields": people}),
                (
                    _("签约/开工项目（仅仪式）"),
                    {"fields": ["projects"], "classes": ["collapse"]},
                ),
                (None, {"fields": ["edit_version"], "classes": ["hidden"]}),
            ]
        first = ["kind", "title", "status", when, ("location", "online")]
        fieldsets: list = [(None, {"fields": first}), (_("参会"), {"fields": people})]
        if obj.kind in CEREMONIES:
            fieldsets.append((_("签约/开工项目"), {"fields": ["show_totals", "projects"]}))
        fieldsets += [
            (_("会议纪要"), {"fields": ["minutes"]}),
            (None, {"fields": ["edit_version"], "classes": ["hidden"]}),
        ]
        return fieldsets

    def get_inlines(self, request: HttpRequest, obj: Any = None):
        if obj is None or obj.kind in CEREMONIES:
            return []
        return [AgendaItemInline, DecisionInline]

    @display(description=_("类型"), label=KIND_COLOURS, ordering="kind")
    def show_kind(self, obj: Meeting) -> tuple[str, str]:
        return obj.kind, obj.get_kind_display()

    @display(description=_("状态"), label=STATUS_COLOURS, ordering="status")
    def show_status(self, obj: Meeting) -> tuple[str, str]:
        return obj.status, obj.get_status_display()

    @admin.display(description=_("概况"))
    def show_overview(self, obj: Any) -> str:
        if obj.kind in CEREMONIES:
            return ceremony_line(
                kind=obj.kind,
                count=obj.project_count,
                investment_wan=obj.project_investment,
                duration_minutes=obj.duration_minutes,
            )
        text = _("议题%(agenda)d项，议定事项%(decisions)d项") % {
            "agenda": obj.agenda_count,
            "decisions": obj.decision_count,
        }
        if obj.overdue_decision_count:
            text += _("（逾期%(n)d项）") % {"n": obj.overdue_decision_count}
        return text

    @admin.display(description=_("签约/开工统计"))
    def show_totals(self, obj: Meeting) -> str:
        if obj.pk is None or obj.kind not in CEREMONIES:
            return "—"
        return ceremony_totals(obj).line

    # --- saving through the services

    def save_model(self, request: HttpRequest, obj: Meeting, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            changes = {name: getattr(obj, name) for name in MEETING_EDITABLE_FIELDS if name in data}
            meeting_update(
                meeting=obj, by=request.user, expected_version=data.get("edit_version"), **changes
            )
            return
        created = meeting_schedule(
            kind=obj.kind,
            title=obj.title,
            held_on=obj.held_on,
            starts_at=obj.starts_at,
            duration_minutes=obj.duration_minutes,
            location=obj.location,
            online=obj.online,
            host=obj.host,
            organiser=obj.organiser,
            external_attendees=obj.external_attendees,
            attendees=data.get("attendees") or [],
            projects=data.get("projects") or [],
            by=request.user,
        )
        obj.pk, obj.version, obj.organiser = created.pk, created.version, created.organiser
        obj._state.adding = False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        meeting = form.instance
        wanted = form.cleaned_data.pop("projects", None)
        form.save_m2m()  # the attendees; the projects go through the ceremony services
        if wanted is not None and meeting.kind in CEREMONIES:
            current = set(meeting.projects.all())
            ceremony_detach_projects(
                meeting=meeting, projects=current - set(wanted), by=request.user
            )
            ceremony_attach_projects(
                meeting=meeting, projects=set(wanted) - current, by=request.user
            )
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        formset.save(commit=False)
        if formset.model is Decision:
            self._save_decisions(request, form.instance, formset)
        elif formset.model is AgendaItem:
            self._save_agenda(request, form.instance, formset)

    def _save_decisions(self, request: HttpRequest, meeting: Meeting, formset: Any) -> None:
        for decision in formset.deleted_objects:
            decision_remove(decision=decision, by=request.user)
        for decision, changed in formset.changed_objects:
            changes = {n: getattr(decision, n) for n in changed if n in DECISION_EDITABLE_FIELDS}
            decision_update(decision=decision, by=request.user, **changes)
        for decision in formset.new_objects:
            decision_create(
                meeting=meeting,
                text=decision.text,
                due_on=decision.due_on,
                owner=decision.owner,
                owner_department=decision.owner_department,
                agenda_item=decision.agenda_item,
                by=request.user,
            )

    def _save_agenda(self, request: HttpRequest, meeting: Meeting, formset: Any) -> None:
        for item in formset.deleted_objects:
            agenda_item_remove(item=item, by=request.user)
        for item, changed in formset.changed_objects:
            changes = {n: getattr(item, n) for n in changed if n in AGENDA_EDITABLE_FIELDS}
            agenda_item_update(item=item, by=request.user, **changes)
        for item in formset.new_objects:
            agenda_item_add(
                meeting=meeting,
                title=item.title,
                project=item.project,
                note=item.note,
                order=item.order,
                by=request.user,
            )

    def changeform_view(
        self, request: HttpRequest, object_id: Any = None, form_url: str = "", extra_context=None
    ):
        # A refusal only the service sees (a race, an inline that no longer fits the meeting):
        # the admin's transaction is rolled back and the page says why.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    # --- the steps: a page each; the change page offers those that fit the meeting's state

    def available_steps(self, request: HttpRequest, obj: Any) -> Any:
        return meeting_available_actions(meeting=obj)

    @action(description=_("按记录生成议题"), url_path="build-agenda", permissions=["change"])
    def build_agenda(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return AgendaBuildView.as_view(model_admin=self)(request, object_id=object_id)

    @action(description=_("登记召开"), url_path="hold", permissions=["change"])
    def hold(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return MeetingHoldView.as_view(model_admin=self)(request, object_id=object_id)

    @action(description=_("取消会议"), url_path="cancel", permissions=["change"])
    def cancel(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return MeetingCancelView.as_view(model_admin=self)(request, object_id=object_id)


# --- the step pages -----------------------------------------------------------------------------


class MeetingStepView(RecordStepView):
    """One step on a meeting: the form, the service call, the refusal shown on the form."""

    model = Meeting
    context_name = "meeting"
    permission_required = ("meetings.change_meeting",)
    template_name = "meetings/step.html"

    @property
    def meeting(self) -> Meeting:
        return self.record

    def get_queryset(self) -> Any:
        return meeting_detail_queryset(user=self.request.user)

    def notice(self) -> str:
        if self.step in meeting_available_actions(meeting=self.meeting):
            return ""
        return str(
            _("会议状态为“%(status)s”，不能进行此操作。")
            % {"status": self.meeting.get_status_display()}
        )

    def message_values(self, result: Any) -> dict[str, Any]:
        return {"meeting": self.meeting}


class HoldForm(Form):
    minutes = forms.CharField(
        label=_("会议纪要"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("会议必填；仪式可不填。"),
    )
    duration_minutes = forms.IntegerField(label=_("时长（分钟）"), required=False, min_value=1)
    edit_version = forms.IntegerField(widget=forms.HiddenInput)


class MeetingHoldView(MeetingStepView):
    title = _("登记召开")
    step = "hold"
    form_class = HoldForm
    submit_label = _("确认已召开")
    done_message = _("“%(meeting)s”已登记召开。")

    def get_initial(self) -> dict[str, Any]:
        return {
            **super().get_initial(),
            "minutes": self.meeting.minutes,
            "duration_minutes": self.meeting.duration_minutes,
        }

    def perform(self, data: dict[str, Any]) -> Meeting:
        return meeting_hold(
            meeting=self.meeting,
            minutes=data.get("minutes", ""),
            duration_minutes=data.get("duration_minutes"),
            by=self.request.user,
            expected_version=data["edit_version"],
        )


class CancelForm(Form):
    reason = forms.CharField(label=_("取消原因"), widget=forms.Textarea(attrs={"rows": 3}))
    edit_version = forms.IntegerField(widget=forms.HiddenInput)


class MeetingCancelView(MeetingStepView):
    title = _("取消会议")
    step = "cancel"
    form_class = CancelForm
    submit_label = _("确认取消")
    done_message = _("“%(meeting)s”已取消。")

    def perform(self, data: dict[str, Any]) -> Meeting:
        return meeting_cancel(
            meeting=self.meeting,
            reason=data["reason"],
            by=self.request.user,
            expected_version=data["edit_version"],
        )


class AgendaBuildForm(Form):
    """Nothing to fill in: the page shows what the records would add and asks to confirm."""


class AgendaBuildView(MeetingStepView):
    title = _("按记录生成议题")
    step = "build_agenda"
    form_class = AgendaBuildForm
    template_name = "meetings/build_agenda.html"
    submit_label = _("生成议题")
    done_message = _("已按记录生成议题%(count)d项。")

    def get_initial(self) -> dict[str, Any]:
        return {}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if not context["notice"]:
            try:
                context["candidates"] = agenda_missing(meeting=self.meeting)
            except ApplicationError as error:
                context["notice"] = error.message
        context["sources"] = dict(AgendaSource.choices)
        context["existing"] = list(self.meeting.agenda_items.all())
        return context

    def perform(self, data: dict[str, Any]) -> list[AgendaItem]:
        return meeting_build_agenda(meeting=self.meeting, by=self.request.user)

    def message_values(self, result: Any) -> dict[str, Any]:
        return {"count": len(result)}


# --- decisions ----------------------------------------------------------------------------------


class DecisionStateFilter(admin.SimpleListFilter):
    title = _("办理情况")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any):
        return [
            (DecisionState.OPEN, _("未完成")),
            (DecisionState.OVERDUE, _("已逾期")),
            (DecisionState.DONE, _("已完成")),
        ]

    def queryset(self, request: HttpRequest, queryset: Any):
        today = timezone.localdate()
        if self.value() == DecisionState.OPEN:
            return queryset.filter(done_on__isnull=True)
        if self.value() == DecisionState.OVERDUE:
            return queryset.filter(decision_overdue_q(as_of=today))
        if self.value() == DecisionState.DONE:
            return queryset.filter(done_on__isnull=False)
        return queryset


class DecisionForm(VersionedForm):
    def _post_clean(self) -> None:
        super()._post_clean()
        if self.errors or self.instance.pk is None:
            return
        decision = self.instance
        try:
            if decision.done_on is not None and self.has_changed():
                raise ApplicationError(_("议定事项已完成，不能再修改。"))
            decision_check(
                meeting=decision.meeting,
                text=decision.text,
                due_on=decision.due_on,
                owner_department=decision.owner_department,
                agenda_item=decision.agenda_item,
            )
        except ApplicationError as error:
            add_service_error(self, error)


@admin.register(Decision)
class DecisionAdmin(BusinessAdmin):
    form = DecisionForm
    list_display = [
        "show_text",
        "meeting",
        "owner_department",
        "owner",
        "due_on",
        "done_on",
        "show_state",
    ]
    list_display_links = ["show_text"]
    list_filter = [DecisionStateFilter, "owner_department", ("due_on", RangeDateFilter)]
    list_filter_submit = True
    search_fields = ["text", "meeting__title"]
    list_select_related = ["meeting", "owner", "owner_department"]
    autocomplete_fields = ["owner", "owner_department"]
    fields = ["meeting", "text", "owner_department", "owner", "due_on", "done_on"]
    readonly_fields = ["meeting", "done_on"]
    actions = ["mark_done"]
    actions_detail = ["done"]
    nav_order = 61

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a decision is recorded on its meeting

    @admin.display(description=_("议定事项"))
    def show_text(self, obj: Decision) -> str:
        return str(obj)

    @display(description=_("办理情况"), label=DECISION_COLOURS)
    def show_state(self, obj: Decision) -> tuple[str, str]:
        if obj.done_on is not None:
            return DecisionState.DONE, str(_("已完成"))
        if obj.due_on < timezone.localdate() and obj.meeting.status == MeetingStatus.HELD:
            return DecisionState.OVERDUE, str(_("已逾期"))
        return DecisionState.OPEN, str(_("未完成"))

    def save_model(self, request: HttpRequest, obj: Decision, form: Any, change: bool) -> None:
        data = form.cleaned_data
        changes = {name: getattr(obj, name) for name in DECISION_EDITABLE_FIELDS if name in data}
        decision_update(
            decision=obj, by=request.user, expected_version=data.get("edit_version"), **changes
        )

    def delete_model(self, request: HttpRequest, obj: Decision) -> None:
        decision_remove(decision=obj, by=request.user)

    @admin.action(description=_("标记完成（今天）"), permissions=["change"])
    def mark_done(self, request: HttpRequest, queryset: Any) -> None:
        done, refused = 0, []
        for decision in queryset:
            try:
                decision_done(decision=decision, by=request.user)
                done += 1
            except ApplicationError as error:
                refused.append(f"{decision}：{error.message}")
        if done:
            self.message_user(request, _("已标记完成%(n)d项。") % {"n": done}, messages.SUCCESS)
        for message in refused:
            self.message_user(request, message, messages.WARNING)

    def available_steps(self, request: HttpRequest, obj: Any) -> Any:
        return decision_available_actions(decision=obj)

    @action(description=_("标记完成"), url_path="done", permissions=["change"])
    def done(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return DecisionDoneView.as_view(model_admin=self)(request, object_id=object_id)


class DecisionDoneForm(Form):
    done_on = forms.DateField(
        label=_("完成日期"), required=False, widget=_date_input(), help_text=_("默认今天。")
    )
    edit_version = forms.IntegerField(widget=forms.HiddenInput)


class DecisionDoneView(RecordStepView):
    model = Decision
    context_name = "decision"
    title = _("标记完成")
    step = "done"
    permission_required = ("meetings.change_decision",)
    template_name = "meetings/decision_done.html"
    form_class = DecisionDoneForm
    done_message = _("“%(decision)s”已标记完成。")

    def get_queryset(self) -> Any:
        return Decision.objects.visible_to(self.request.user).select_related(
            "meeting", "owner_department"
        )

    def notice(self) -> str:
        decision = self.record
        if self.step in decision_available_actions(decision=decision):
            return ""
        if decision.done_on is not None:
            return str(_("该议定事项已于%(on)s完成。") % {"on": format_day(decision.done_on)})
        return str(_("会议尚未召开，议定事项不能办结。"))

    def perform(self, data: dict[str, Any]) -> Any:
        return decision_done(
            decision=self.record,
            done_on=data.get("done_on"),
            by=self.request.user,
            expected_version=data["edit_version"],
        )

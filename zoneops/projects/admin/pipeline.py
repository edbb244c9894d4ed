"""Back office of the pipeline: the project register, stage moves and the yearly table."""

from datetime import date
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from unfold.decorators import action, display
from unfold.views import UnfoldModelAdminViewMixin

from zoneops.common.admin_base import BusinessAdmin, TabularInline, label_html, once_per_record
from zoneops.common.amounts import format_yi
from zoneops.common.excel import xlsx_response
from zoneops.common.exceptions import ApplicationError
from zoneops.common.forms import add_service_error
from zoneops.common.scope import can_see
from zoneops.common.selectors import saved_views_for
from zoneops.common.services import saved_view_delete, saved_view_save
from zoneops.projects.admin.excel import ProjectExcelMixin
from zoneops.projects.admin.placement import (
    REASON_FIELD,
    ProjectForm,
    placement_panel,
)
from zoneops.projects.admin.problems import ProblemInline
from zoneops.projects.admin.scheduling import (
    AnnualPlanInline,
    MilestoneInline,
    ProgressReportInline,
)
from zoneops.projects.enums import SourceChannel, Stage, SummaryDimension
from zoneops.projects.excel import pipeline_summary_title, pipeline_summary_xlsx
from zoneops.projects.forms import (
    BoardFilterForm,
    FunnelForm,
    SavedViewForm,
    StageMoveForm,
    SummaryForm,
)
from zoneops.projects.models import KeyDesignation, Project, StageMove
from zoneops.projects.selectors import (
    channel_conversion,
    pipeline_board,
    pipeline_funnel,
    pipeline_summary,
    stage_durations,
)
from zoneops.projects.selectors.scheduling import project_light
from zoneops.projects.services import project_create, project_move_stage
from zoneops.projects.services.placement import project_place

LIGHT_COLOURS = {"green": "success", "yellow": "warning", "red": "danger", "none": "info"}

STAGE_COLOURS = {
    Stage.LEAD: "info",
    Stage.TALKS: "info",
    Stage.DEEP_TALKS: "info",
    Stage.SIGNED: "warning",
    Stage.PLANNED_START: "warning",
    Stage.STARTED: "primary",
    Stage.COMPLETED: "success",
    Stage.IN_PRODUCTION: "success",
    Stage.TERMINATED: "danger",
}


class StageMoveInline(TabularInline):
    model = StageMove
    extra = 0
    can_delete = False
    fields = ["moved_on", "from_stage", "to_stage", "note", "backdate_reason", "by", "recorded_at"]
    readonly_fields = fields
    # The newest moves first, a page at a time (unfold's inline pages): a project's page draws
    # each row as a whole form, and the latest moves are the ones read.
    ordering = ["-moved_on", "-id"]
    per_page = 10
    verbose_name_plural = _("阶段变更记录")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("by")


class KeyDesignationInline(TabularInline):
    model = KeyDesignation
    extra = 0
    fields = ["year", "level"]


class ProjectAddForm(ProjectForm):
    """Registering a project: the stage it enters at and when (a past date needs a reason)."""

    initial_stage = forms.ChoiceField(
        label=_("登记阶段"),
        choices=[(s.value, s.label) for s in Stage if s != Stage.TERMINATED],
        initial=Stage.LEAD,
    )
    registered_on = forms.DateField(
        label=_("登记日期"), required=False, help_text=_("默认今天；早于今天须填写补登原因。")
    )
    backdate_reason = forms.CharField(label=_("补登原因"), required=False)


@admin.register(Project)
class ProjectAdmin(ProjectExcelMixin, BusinessAdmin):
    list_display = [
        "code",
        "name",
        "show_stage",
        "industry",
        "park",
        "show_investment",
        "liaison_leader",
        "responsible_department",
        "stage_since",
    ]
    list_display_links = ["code", "name"]
    list_filter = [
        "stage",
        "industry",
        "park",
        "responsible_department",
        "liaison_leader",
        "source_channel",
        "is_sample",
    ]
    search_fields = ["code", "name", "investor_name"]
    list_select_related = ["industry", "park", "liaison_leader", "responsible_department"]
    autocomplete_fields = [
        "parent",
        "investor_enterprise",
        "industry",
        "chain_node",
        "park",
        "owner",
        "liaison_leader",
        "responsible_department",
    ]
    readonly_fields = [
        "show_light",
        "show_placement",
        "code",
        "stage",
        "stage_since",
        "signed_on",
        "started_on",
        "completed_on",
        "production_on",
        "terminated_on",
        "termination_reason",
    ]
    inlines = [
        KeyDesignationInline,
        StageMoveInline,
        MilestoneInline,
        AnnualPlanInline,
        ProgressReportInline,
        ProblemInline,
    ]
    actions_detail = ["move_stage", "raise_problem"]
    nav_order = 10
    fieldsets = [
        (None, {"fields": ["show_light", "code", "name", ("parent", "phase"), "description"]}),
        (
            _("投资方"),
            {
                "fields": [
                    ("investor_name", "investor_country"),
                    "investor_enterprise",
                    "source_channel",
                    "contacts",
                ]
            },
        ),
        (
            _("产业与落地"),
            {
                "fields": [
                    ("industry", "chain_node"),
                    "is_tech",
                    "land_mu",
                    "show_placement",
                    ("park", "own_site"),
                    REASON_FIELD,
                ]
            },
        ),
        (
            _("投资与效益（万元）"),
            {
                "fields": [
                    ("total_investment", "fixed_asset_investment"),
                    "foreign_investment_usd",
                    ("expected_output", "expected_tax"),
                ]
            },
        ),
        (_("责任"), {"fields": ["owner", "liaison_leader", "responsible_department"]}),
        (
            _("阶段"),
            {
                "fields": [
                    ("stage", "stage_since"),
                    ("signed_on", "started_on"),
                    ("completed_on", "production_on"),
                    ("terminated_on", "termination_reason"),
                ]
            },
        ),
        (_("其他"), {"fields": ["is_sample"]}),
    ]

    @display(description=_("阶段"), label=STAGE_COLOURS, ordering="stage")
    def show_stage(self, obj: Project) -> tuple[str, str]:
        return obj.stage, obj.get_stage_display()

    # The change page's read-only fields do not render unfold's list labels: a badge of its own.
    @admin.display(description=_("红黄绿灯（今日）"))
    @once_per_record
    def show_light(self, obj: Project) -> str:
        if obj.pk is None:
            return "-"
        light = project_light(project=obj, as_of=timezone.localdate())
        reasons = "；".join(light.reasons)
        return label_html(
            f"{light.label}{'：' + reasons if reasons else ''}", LIGHT_COLOURS.get(light.colour)
        )

    @admin.display(description=_("落地选址建议"))
    @once_per_record
    def show_placement(self, obj: Project) -> str:
        return placement_panel(obj)

    @admin.display(description=_("总投资"), ordering="total_investment")
    def show_investment(self, obj: Project) -> str:
        return format_yi(obj.total_investment)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            registration = (
                _("登记"),
                {"fields": ["initial_stage", "registered_on", "backdate_reason"]},
            )
            fieldsets = [fs for fs in fieldsets if fs[0] != _("阶段")]
            fieldsets = [
                (title, {**options, "fields": _without_placement_panel(options["fields"])})
                for title, options in fieldsets
            ]
            fieldsets = [fieldsets[0], registration, *fieldsets[1:]]
        return fieldsets

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        kwargs["form"] = ProjectAddForm if obj is None else ProjectForm
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request: HttpRequest, obj: Project, form: Any, change: bool) -> None:
        if change:
            if not form.placement_changed():
                super().save_model(request, obj, form, change)
                return
            # The placement goes through its service (rule, reason, record), the rest as usual.
            park, own_site = obj.park, obj.own_site
            stored = Project.objects.values("park_id", "own_site").get(pk=obj.pk)
            obj.park_id, obj.own_site = stored["park_id"], stored["own_site"]
            super().save_model(request, obj, form, change)
            project_place(
                project=obj,
                by=request.user,
                park=park,
                own_site=own_site,
                reason=form.cleaned_data.get(REASON_FIELD, ""),
            )
            obj.refresh_from_db()
            return
        data = form.cleaned_data
        fields = {
            name: value
            for name, value in data.items()
            if name in {f.name for f in Project._meta.get_fields()} and name not in ("name", "code")
        }
        fields["placement_reason"] = data.get(REASON_FIELD, "")
        try:
            created = project_create(
                name=data["name"],
                by=request.user,
                on=data.get("registered_on"),
                stage=data["initial_stage"],
                backdate_reason=data.get("backdate_reason", ""),
                **fields,
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
            raise
        obj.pk = created.pk
        obj._state.adding = False

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None):
        try:
            return super().add_view(request, form_url, extra_context)
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    @action(description=_("推进阶段"), url_path="move-stage", permissions=["change"])
    def move_stage(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:projects_project_move", args=[object_id]))

    @action(description=_("提出问题"), url_path="raise-problem", permissions=["add_problem"])
    def raise_problem(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return HttpResponseRedirect(f"{reverse('admin:projects_problem_add')}?project={object_id}")

    def has_add_problem_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        return request.user.has_perm("projects.add_problem")

    def get_urls(self):
        move = self.admin_site.admin_view(StageMoveView.as_view(model_admin=self))
        table = self.admin_site.admin_view(PipelineSummaryView.as_view(model_admin=self))
        export = self.admin_site.admin_view(self.summary_export)
        board = self.admin_site.admin_view(PipelineBoardView.as_view(model_admin=self))
        funnel = self.admin_site.admin_view(PipelineFunnelView.as_view(model_admin=self))
        save_view = self.admin_site.admin_view(self.board_save_view)
        return [
            path("board/", board, name="projects_project_board"),
            path("board/views/", save_view, name="projects_project_board_save_view"),
            path("funnel/", funnel, name="projects_project_funnel"),
            path("<id:object_id>/move/", move, name="projects_project_move"),
            path("summary/", table, name="projects_project_summary"),
            path("summary/export/", export, name="projects_project_summary_export"),
            *super().get_urls(),
        ]

    def board_save_view(self, request: HttpRequest) -> HttpResponse:
        """Save the board's current filters under a name, or delete a saved view."""
        if request.method != "POST" or not self.has_view_permission(request):
            raise PermissionDenied
        board = reverse("admin:projects_project_board")
        if "delete" in request.POST:
            try:
                saved_view_delete(user=request.user, view_id=int(request.POST["delete"]))
            except (ApplicationError, ValueError):
                self.message_user(request, _("只能删除自己保存的视图。"), messages.ERROR)
            return HttpResponseRedirect(board)
        form = SavedViewForm(request.POST)
        if not form.is_valid():
            self.message_user(request, _("请填写视图名称。"), messages.ERROR)
            return HttpResponseRedirect(board)
        view = saved_view_save(
            user=request.user,
            page=BOARD_PAGE,
            name=form.cleaned_data["name"],
            query=form.cleaned_data["query"],
            shared=form.cleaned_data["shared"],
        )
        self.message_user(request, _("已保存视图“%(name)s”。") % {"name": view.name})
        return HttpResponseRedirect(f"{board}?{view.query}")

    def summary_export(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = SummaryForm(request.GET or None)
        data = form.cleaned_data if form.is_valid() else {}
        summary = pipeline_summary(
            year=data.get("year"),
            as_of=data.get("as_of"),
            dimension=data.get("dimension") or "stage",
            user=request.user,
        )
        return xlsx_response(
            pipeline_summary_xlsx(summary), f"{pipeline_summary_title(summary)}.xlsx"
        )


def _without_placement_panel(fields: Any) -> list[Any]:
    """A project not yet registered has no suggestion to show."""
    return [name for name in fields if name != "show_placement"]


class StageMoveView(UnfoldModelAdminViewMixin, FormView):
    title = _("推进阶段")
    permission_required = ("projects.change_project",)
    template_name = "projects/move_stage.html"
    form_class = StageMoveForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any):
        self.project = get_object_or_404(
            Project.objects.visible_to(request.user), pk=kwargs["object_id"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "project": self.project}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(project=self.project, next=self.next_url(), **kwargs)

    def form_valid(self, form: StageMoveForm) -> HttpResponse:
        data = form.cleaned_data
        if not can_see(self.request.user, self.project):
            raise PermissionDenied
        try:
            move = project_move_stage(
                project=self.project,
                to_stage=data["to_stage"],
                on=data["on"],
                by=self.request.user,
                note=data["note"],
                backdate_reason=data["backdate_reason"],
                reason=data["reason"],
                expected_version=data["edit_version"],
            )
        except ApplicationError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("“%(project)s”已推进到“%(stage)s”。")
            % {"project": self.project, "stage": move.get_to_stage_display()},
        )
        return HttpResponseRedirect(self.next_url())

    def next_url(self) -> str:
        """Back where the move was asked from (the board), else the project's page."""
        target = self.request.POST.get("next") or self.request.GET.get("next") or ""
        if url_has_allowed_host_and_scheme(target, allowed_hosts={self.request.get_host()}):
            return target
        return reverse("admin:projects_project_change", args=[self.project.pk])


BOARD_PAGE = "projects.board"


class PipelineBoardView(UnfoldModelAdminViewMixin, TemplateView):
    title = _("招商项目看板")
    permission_required = ("projects.view_project",)
    template_name = "projects/board.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        form = BoardFilterForm(self.request.GET or None, user=user)
        columns = pipeline_board(user=user, filters=form.filters())
        today = timezone.localdate()
        return super().get_context_data(
            form=form,
            columns=columns,
            today=today,
            query=self.request.GET.urlencode(),
            saved_views=saved_views_for(user=user, page=BOARD_PAGE),
            save_form=SavedViewForm(initial={"query": self.request.GET.urlencode()}),
            can_move=user.has_perm("projects.change_project"),
            **kwargs,
        )


class PipelineFunnelView(UnfoldModelAdminViewMixin, TemplateView):
    title = _("招商漏斗与阶段停留")
    permission_required = ("projects.view_project",)
    template_name = "projects/funnel.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        today = timezone.localdate()
        form = FunnelForm(self.request.GET or None)
        data = form.cleaned_data if form.is_valid() else {}
        start = data.get("registered_from") or date(today.year, 1, 1)
        end = data.get("registered_to") or today
        as_of = data.get("as_of") or min(end, today)
        channel = data.get("source_channel") or None
        steps = pipeline_funnel(
            registered_from=start,
            registered_to=end,
            as_of=as_of,
            source_channel=channel,
            user=self.request.user,
        )
        widest = max((step.reached for step in steps), default=0) or 1
        return super().get_context_data(
            form=form,
            steps=[(step, round(step.reached * 100 / widest)) for step in steps],
            channel_label=SourceChannel(channel).label if channel else "",
            hall_row=channel_conversion(
                source_channel=SourceChannel.ONLINE_HALL,
                registered_from=start,
                registered_to=end,
                as_of=as_of,
                user=self.request.user,
            ),
            durations=stage_durations(as_of=as_of, user=self.request.user),
            period={"start": start, "end": end, "as_of": as_of},
            **kwargs,
        )


class PipelineSummaryView(UnfoldModelAdminViewMixin, TemplateView):
    title = _("招商项目情况表")
    permission_required = ("projects.view_project",)
    template_name = "projects/summary.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = SummaryForm(self.request.GET or None)
        data = form.cleaned_data if form.is_valid() else {}
        summary = pipeline_summary(
            year=data.get("year"),
            as_of=data.get("as_of"),
            dimension=data.get("dimension") or "stage",
            user=self.request.user,
        )
        categories = [
            (key, label) for key, label in summary.categories if key in summary.category_totals
        ]
        return super().get_context_data(
            form=form,
            summary=summary,
            table_title=pipeline_summary_title(summary),
            dimension_label=SummaryDimension(summary.dimension).label,
            categories=categories,
            query=self.request.GET.urlencode(),
            **kwargs,
        )

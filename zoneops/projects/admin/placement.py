"""Back office of the placement rule: the suggestion on a project's page, the placement
history, the list of departures with their reasons and the yearly table (落地选址统计)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from unfold.admin import ModelAdmin
from unfold.views import UnfoldModelAdminViewMixin

from zoneops.common.admin_base import InputRulesAdminMixin, VersionedForm
from zoneops.common.excel import xlsx_response
from zoneops.common.exceptions import ApplicationError
from zoneops.common.forms import Form
from zoneops.common.inputs import FIRST_YEAR, LAST_YEAR
from zoneops.common.scope import scope_queryset
from zoneops.parks.placement import PlacementKind, placement_suggest
from zoneops.projects.excel_placement import placement_outcomes_title, placement_outcomes_xlsx
from zoneops.projects.models import Project, ProjectPlacement
from zoneops.projects.selectors.placement import (
    PlacementOutcomes,
    counted_on_expression,
    placement_outcomes,
    project_placement_state,
)
from zoneops.projects.services.placement import placement_check

REASON_FIELD = "placement_reason"


class ProjectForm(VersionedForm):
    """The project's form: a park or own site given or changed is placed by `project_place`,
    so a departure from the rule needs the reason typed here (checked before anything is
    saved, by the same check the service makes)."""

    placement_reason = forms.CharField(
        label=_("偏离原因"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("落地园区或独立选址不符合选址规则的建议时必填。"),
    )

    def placement_changed(self) -> bool:
        return bool({"park", "own_site"} & set(self.changed_data))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.placement_changed() or self.errors:
            return cleaned
        industry = cleaned.get("industry", self.instance.industry)
        suggestion = placement_suggest(
            investment=cleaned.get("total_investment", self.instance.total_investment),
            land_mu=cleaned.get("land_mu", self.instance.land_mu),
            industry_id=getattr(industry, "pk", None),
            is_tech=cleaned.get("is_tech", self.instance.is_tech),
            on=timezone.localdate(),
        )
        try:
            placement_check(
                suggestion=suggestion,
                park=cleaned.get("park", self.instance.park),
                own_site=cleaned.get("own_site", self.instance.own_site),
                reason=cleaned.get(REASON_FIELD, ""),
            )
        except ApplicationError as error:
            field = REASON_FIELD if error.field == "reason" else error.field
            self.add_error(field if field in self.fields else None, error.message)
        return cleaned


def placement_panel(project: Project) -> SafeString:
    """The rule's suggestion on the project's page, with the carriers and free space."""
    if project.pk is None:
        return SafeString("-")
    state = project_placement_state(project=project, on=timezone.localdate())
    # The template escapes what it shows, and its rendering is already safe.
    return render_to_string(
        "projects/placement/_suggestion.html",
        {"state": state, "project": project, "own_site": PlacementKind.OWN_SITE},
    )


class CountedYearFilter(admin.SimpleListFilter):
    """The year a placement's project counts in (signed, else registered), as in the table."""

    title = _("统计年度")
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        this_year = timezone.localdate().year
        return [(str(year), str(year)) for year in range(this_year, this_year - 10, -1)]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value:
            return queryset
        try:
            year = int(value)
        except ValueError:
            return queryset.none()
        if not FIRST_YEAR <= year <= LAST_YEAR:
            return queryset.none()
        return queryset.filter(counted_on__year=year)


@admin.register(ProjectPlacement)
class ProjectPlacementAdmin(InputRulesAdminMixin, ModelAdmin):
    """Placement records are written by `project_place` only: this is their list to read."""

    list_display = [
        "project",
        "placed_on",
        "suggested_kind",
        "show_where",
        "followed",
        "reason",
        "by",
    ]
    list_filter = ["followed", "suggested_kind", CountedYearFilter, "park"]
    search_fields = ["project__name", "project__code", "reason"]
    list_select_related = ["project", "park", "by"]
    show_full_result_count = False
    nav_order = 15

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        projects = scope_queryset(Project.objects.all(), request.user)
        return (
            super()
            .get_queryset(request)
            .filter(project__in=projects)
            .annotate(counted_on=counted_on_expression("project__"))
        )

    @admin.display(description=_("落地"))
    def show_where(self, obj: ProjectPlacement) -> str:
        return str(obj.park) if obj.park_id else str(_("独立选址"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self):
        table = self.admin_site.admin_view(PlacementOutcomesView.as_view(model_admin=self))
        export = self.admin_site.admin_view(self.outcomes_export)
        return [
            path("outcomes/", table, name="projects_projectplacement_outcomes"),
            path("outcomes/export/", export, name="projects_projectplacement_outcomes_export"),
            *super().get_urls(),
        ]

    def outcomes_export(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = OutcomesForm(request.GET or None)
        data = form.cleaned_data if form.is_valid() else {}
        outcomes = placement_outcomes(
            user=request.user, year_from=data.get("year_from"), year_to=data.get("year_to")
        )
        return xlsx_response(
            placement_outcomes_xlsx(outcomes), f"{placement_outcomes_title()}.xlsx"
        )


class OutcomesForm(Form):
    year_from = forms.IntegerField(
        label=_("年度自"), required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR
    )
    year_to = forms.IntegerField(
        label=_("至"), required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("year_from"), cleaned.get("year_to")
        if start and end and end < start:
            self.add_error("year_to", _("结束年度不能早于开始年度。"))
        return cleaned


def outcome_table(outcomes: PlacementOutcomes) -> list[dict[str, Any]]:
    """The rows as the page and the export show them, the total first."""
    overrides = reverse("admin:projects_projectplacement_changelist")
    rows = []
    for row in [outcomes.total, *outcomes.rows]:
        query = f"?followed__exact=0&year={row.year}" if row.year else "?followed__exact=0"
        rows.append(
            {
                "label": str(row.year) if row.year else str(_("合计")),
                "suggested": [row.suggested[kind] for kind in PlacementKind],
                "total": row.total,
                "followed": row.followed,
                "overridden": row.overridden,
                "unplaced": row.unplaced,
                "overrides_link": f"{overrides}{query}",
            }
        )
    return rows


class PlacementOutcomesView(UnfoldModelAdminViewMixin, TemplateView):
    title = _("落地选址统计")
    permission_required = ("projects.view_projectplacement",)
    template_name = "projects/placement/outcomes.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = OutcomesForm(self.request.GET or None)
        data = form.cleaned_data if form.is_valid() else {}
        outcomes = placement_outcomes(
            user=self.request.user, year_from=data.get("year_from"), year_to=data.get("year_to")
        )
        return super().get_context_data(
            form=form,
            outcomes=outcomes,
            rows=outcome_table(outcomes),
            kinds=[kind.label for kind in PlacementKind],
            carriers=[
                {
                    "label": carrier.label,
                    "kind_label": carrier.kind_label,
                    "cells": [carrier.by_year.get(year, (0, 0)) for year in outcomes.years],
                    "placed": carrier.placed,
                    "overridden": carrier.overridden,
                }
                for carrier in outcomes.carriers
            ],
            table_title=placement_outcomes_title(),
            query=self.request.GET.urlencode(),
            **kwargs,
        )

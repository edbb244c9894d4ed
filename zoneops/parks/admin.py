"""The parks and carriers in the back office: the park's page (its form, and under it the panels
of phases, buildings and tenants, free space, occupancy and its history, boundary), the
registers of phases, buildings, units and leases, and the boundary's upload and download.

Every save and delete calls parks.services; the page's figures come from parks.selectors."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zoneops.common.admin_base import BusinessAdmin, RecordStepView, record_or_404
from zoneops.common.admin_excel import ExcelAdminMixin
from zoneops.common.exceptions import ApplicationError
from zoneops.common.forms import Form
from zoneops.common.scope import scope_for, scope_queryset
from zoneops.parks.excel import lease_register, park_register, phase_register, unit_register
from zoneops.parks.geojson import boundary_dumps, boundary_size_check
from zoneops.parks.map import ParkMapView
from zoneops.parks.models import Building, Lease, Park, ParkPhase, Unit
from zoneops.parks.selectors import parks_with_occupancy
from zoneops.parks.services import (
    building_delete,
    building_save,
    lease_delete,
    lease_save,
    park_save,
    park_set_boundary,
    phase_delete,
    phase_save,
    unit_delete,
    unit_save,
)


@admin.register(Park)
class ParkAdmin(ExcelAdminMixin, BusinessAdmin):
    excel_register = park_register
    list_display = [
        "name",
        "kind",
        "area_mu",
        "floor_area_m2",
        "occupancy_rate",
        "free_area",
        "managing_department",
    ]
    list_filter = ["kind"]
    search_fields = ["name", "target_industries", "operator"]
    list_select_related = ["managing_department"]
    autocomplete_fields = ["managing_department"]
    filter_horizontal = ["industries"]
    exclude = ["boundary"]  # uploaded from a file on its own page (boundary_view)

    def get_queryset(self, request: HttpRequest) -> Any:
        queryset = super().get_queryset(request)
        if getattr(request.resolver_match, "url_name", None) == "parks_park_changelist":
            queryset = parks_with_occupancy(queryset, on=timezone.localdate())
        return queryset

    @admin.display(description=_("出租率"))
    def occupancy_rate(self, obj: Park) -> str:
        total = getattr(obj, "area_total", None)
        if not total:
            return "—"
        return f"{obj.area_leased * 100 / total:.1f}%"

    @admin.display(description=_("空置面积（平方米）"))
    def free_area(self, obj: Park) -> str:
        total = getattr(obj, "area_total", None)
        if not total:
            return "—"
        return f"{total - obj.area_leased:,.2f}"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and not scope_for(request.user).everything:
            readonly.append("managing_department")  # decided zone-wide (parks.services)
        return readonly

    def save_model(self, request: HttpRequest, obj: Park, form: Any, change: bool) -> None:
        expected = form.cleaned_data.get("edit_version") if change else None
        park_save(park=obj, by=request.user, expected_version=expected)

    def get_urls(self):
        site = self.admin_site
        park_map = site.admin_view(ParkMapView.as_view(model_admin=self))
        return [
            path("map/", park_map, name="parks_park_map"),
            path(
                "<path:object_id>/boundary/",
                site.admin_view(BoundaryUploadView.as_view(model_admin=self)),
                name="parks_park_boundary",
            ),
            path(
                "<path:object_id>/boundary.geojson",
                site.admin_view(self.boundary_download),
                name="parks_park_boundary_download",
            ),
            *super().get_urls(),
        ]

    def boundary_download(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        park = record_or_404(scope_queryset(Park.objects.all(), request.user), object_id)
        if not park.boundary:
            raise Http404
        response = HttpResponse(
            boundary_dumps(park.boundary, name=park.name), content_type="application/geo+json"
        )
        response["Content-Disposition"] = f'attachment; filename="park-{park.pk}.geojson"'
        return response


class BoundaryForm(Form):
    boundary = forms.FileField(
        label=_("边界文件（GeoJSON）"),
        help_text=_(
            "WGS 84 经纬度的 Polygon 或 MultiPolygon（或仅含其一的 Feature/FeatureCollection），"
            ".geojson 或 .json 文件，不超过 1 MB、5000 个坐标点。"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".geojson,.json"}),
    )
    edit_version = forms.IntegerField(widget=forms.HiddenInput)

    def clean_boundary(self) -> Any:
        upload = self.cleaned_data["boundary"]
        if not upload.name.lower().endswith((".geojson", ".json")):
            raise forms.ValidationError(_("请上传 .geojson 或 .json 文件。"))
        try:
            boundary_size_check(upload.size)  # before the file is read
        except ApplicationError as error:
            raise forms.ValidationError(error.message) from error
        return upload


class BoundaryUploadView(RecordStepView):
    model = Park
    context_name = "park"
    title = _("上传园区边界")
    permission_required = ("parks.change_park",)
    template_name = "parks/boundary.html"
    form_class = BoundaryForm
    submit_label = _("上传")
    done_message = _("“%(park)s”的边界已更新。")

    def perform(self, data: dict[str, Any]) -> Any:
        return park_set_boundary(
            park=self.record,
            content=data["boundary"].read(),
            by=self.request.user,
            expected_version=data["edit_version"],
        )


class _ServiceAdmin(BusinessAdmin):
    """A register whose saves and deletes go through its service (`save`, `delete`)."""

    service_save: Any = None
    service_delete: Any = None
    record_name = ""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        expected = form.cleaned_data.get("edit_version") if change else None
        type(self).service_save(
            **{self.record_name: obj}, by=request.user, expected_version=expected
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        type(self).service_delete(**{self.record_name: obj}, by=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(ParkPhase)
class ParkPhaseAdmin(ExcelAdminMixin, _ServiceAdmin):
    service_save, service_delete, record_name = phase_save, phase_delete, "phase"
    excel_register = phase_register
    list_display = ["name", "park", "status", "area_mu", "floor_area_m2", "started_on"]
    list_filter = ["status", "park"]
    search_fields = ["name", "park__name"]
    list_select_related = ["park"]
    autocomplete_fields = ["park"]


@admin.register(Building)
class BuildingAdmin(_ServiceAdmin):
    service_save, service_delete, record_name = building_save, building_delete, "building"
    list_display = ["name", "park", "phase", "floors"]
    list_filter = ["park"]
    search_fields = ["name", "park__name"]
    list_select_related = ["park", "phase__park"]  # a phase reads as "园区 分期"
    autocomplete_fields = ["park", "phase"]


@admin.register(Unit)
class UnitAdmin(ExcelAdminMixin, _ServiceAdmin):
    service_save, service_delete, record_name = unit_save, unit_delete, "unit"
    excel_register = unit_register
    list_display = ["name", "building", "use", "area_m2"]
    list_filter = ["use", "building__park"]
    search_fields = ["name", "building__name", "building__park__name"]
    list_select_related = ["building__park"]
    autocomplete_fields = ["building"]


@admin.register(Lease)
class LeaseAdmin(ExcelAdminMixin, _ServiceAdmin):
    service_save, service_delete, record_name = lease_save, lease_delete, "lease"
    excel_register = lease_register
    list_display = ["unit", "tenant", "starts_on", "ends_on"]
    list_filter = ["unit__building__park"]
    search_fields = ["unit__name", "unit__building__name", "tenant__name"]
    list_select_related = ["unit__building__park", "tenant"]
    autocomplete_fields = ["unit", "tenant"]
    date_hierarchy = "starts_on"

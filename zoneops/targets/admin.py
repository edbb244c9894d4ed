"""Back office of targets from above: the register and the progress page (上级任务完成情况)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from unfold.views import UnfoldModelAdminViewMixin

from zoneops.common.admin_base import BusinessAdmin
from zoneops.common.inputs import parse_id
from zoneops.targets.models import Target
from zoneops.targets.selectors import targets_progress, targets_visible
from zoneops.targets.services import target_delete, target_save


@admin.register(Target)
class TargetAdmin(BusinessAdmin):
    list_display = ["name", "year", "kind", "required_count", "landing_stage", "issuer"]
    list_filter = ["year", "kind"]
    search_fields = ["name", "issuer", "document"]
    fields = [
        "name",
        "kind",
        "year",
        "required_count",
        "min_investment",
        "industrial_only",
        "landing_stage",
        "issuer",
        "document",
        "department",
        "note",
    ]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        expected = form.cleaned_data.get("edit_version") if change else None
        target_save(target=obj, by=request.user, expected_version=expected)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        target_delete(target=obj, by=request.user)

    def get_urls(self):
        view = self.admin_site.admin_view(TargetProgressView.as_view(model_admin=self))
        return [path("progress/", view, name="targets_target_progress"), *super().get_urls()]


class TargetProgressView(UnfoldModelAdminViewMixin, TemplateView):
    """上级任务完成情况: each target with its count, the gap and its standing; a target chosen
    (?target=<id>) lists the records that count."""

    title = _("上级任务完成情况")
    permission_required = ("targets.view_target",)
    template_name = "targets/progress.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        today = timezone.localdate()
        targets = targets_visible(user=self.request.user)
        progress = targets_progress(targets=targets, today=today)
        chosen_id = parse_id(self.request.GET.get("target", ""))
        chosen = next((p for p in progress if p.target.pk == chosen_id), None)
        return super().get_context_data(progress=progress, chosen=chosen, today=today, **kwargs)

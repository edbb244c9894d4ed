"""Back office of the hall: policies with their steps (审核, 发布, 撤回) and the hall inquiries,
read-only, each with the lead it started."""

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.decorators import action

from zoneops.common.admin_base import BusinessAdmin, record_or_404
from zoneops.common.exceptions import ApplicationError
from zoneops.common.scope import writable_queryset
from zoneops.portal.enums import PolicyStatus
from zoneops.portal.models import Inquiry, Policy
from zoneops.portal.services import (
    policy_publish,
    policy_review,
    policy_save,
    policy_withdraw,
)


@admin.register(Policy)
class PolicyAdmin(BusinessAdmin):
    list_display = ["title", "department", "status", "valid_from", "valid_to", "reviewed_by"]
    list_filter = ["status", "department"]
    search_fields = ["title", "summary"]
    list_select_related = ["department", "reviewed_by"]
    fields = ["title", "summary", "body", "department", "valid_from", "valid_to"]
    readonly_fields: list[str] = []
    actions_detail = ["review", "publish", "withdraw"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(self.fields)
        if obj is not None:
            fields += ["status", "reviewed_by", "reviewed_at", "published_at"]
        return fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["status", "reviewed_by", "reviewed_at", "published_at"] if obj else []

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        expected = form.cleaned_data.get("edit_version") if change else None
        policy_save(policy=obj, by=request.user, expected_version=expected)

    def available_steps(self, request: HttpRequest, obj: Any) -> Any:
        return {
            PolicyStatus.DRAFT: ["review"],
            PolicyStatus.REVIEWED: ["publish"],
            PolicyStatus.PUBLISHED: ["withdraw"],
        }.get(obj.status, [])

    def _step(
        self, request: HttpRequest, object_id: str, step: Callable[..., Policy], done: str
    ) -> HttpResponse:
        policy = record_or_404(writable_queryset(Policy.objects.all(), request.user), object_id)
        try:
            step(policy=policy, by=request.user)
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.message_user(request, done % {"policy": policy}, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:portal_policy_change", args=[policy.pk]))

    @action(description=_("审核通过"), url_path="review", permissions=["review"])
    def review(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._step(request, object_id, policy_review, gettext("政策“%(policy)s”已审核。"))

    @action(description=_("发布"), url_path="publish", permissions=["publish"])
    def publish(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._step(
            request, object_id, policy_publish, gettext("政策“%(policy)s”已发布到线上会客厅。")
        )

    @action(description=_("撤回"), url_path="withdraw", permissions=["publish"])
    def withdraw(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._step(request, object_id, policy_withdraw, gettext("政策“%(policy)s”已撤回。"))

    def has_review_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        return request.user.has_perm("portal.review_policy")

    def has_publish_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        return request.user.has_perm("portal.publish_policy")


@admin.register(Inquiry)
class InquiryAdmin(BusinessAdmin):
    """The hall's inquiries, as sent: read by whoever may read their lead."""

    list_display = ["reference", "company", "industry", "planned_investment", "lead", "created_at"]
    list_filter = ["industry"]
    search_fields = ["reference", "company"]
    list_select_related = ["industry", "project"]
    fields = [
        "reference",
        "created_at",
        "company",
        "contact_name",
        "mobile",
        "industry",
        "planned_investment",
        "needs_display",
        "message",
        "lead",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("需求"))
    def needs_display(self, obj: Inquiry) -> str:
        return "、".join(obj.need_labels) or "—"

    @admin.display(description=_("招商线索"))
    def lead(self, obj: Inquiry) -> str:
        url = reverse("admin:projects_project_change", args=[obj.project_id])
        return format_html('<a href="{}">{}</a>', url, obj.project)

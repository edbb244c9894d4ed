"""Back office of the hall: policies with their steps (审核, 发布, 撤回) and the hall inquiries,
read-only, each with the lead it started."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.decorators import action

from zoneops.common.admin_base import BusinessAdmin, RecordStepView
from zoneops.common.forms import Form
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

    @action(description=_("审核通过"), url_path="review", permissions=["review"])
    def review(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return ReviewView.as_view(model_admin=self)(request, object_id=object_id)

    @action(description=_("发布"), url_path="publish", permissions=["publish"])
    def publish(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return PublishView.as_view(model_admin=self)(request, object_id=object_id)

    @action(description=_("撤回"), url_path="withdraw", permissions=["publish"])
    def withdraw(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return WithdrawView.as_view(model_admin=self)(request, object_id=object_id)

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


# --- a policy's steps: a page that asks to confirm, the service on the post ----------------------


class ConfirmForm(Form):
    edit_version = forms.IntegerField(widget=forms.HiddenInput)


class PolicyStepView(RecordStepView):
    model = Policy
    context_name = "policy"
    form_class = ConfirmForm
    template_name = "portal/policy_step.html"
    from_status: PolicyStatus = PolicyStatus.DRAFT
    service: Callable[..., Policy]

    def notice(self) -> str:
        if self.record.status == self.from_status:
            return ""
        return gettext("该政策%(status)s，不能%(step)s。") % {
            "status": self.record.get_status_display(),
            "step": self.title,
        }

    def perform(self, data: dict[str, Any]) -> Any:
        return type(self).service(
            policy=self.record, by=self.request.user, expected_version=data["edit_version"]
        )


class ReviewView(PolicyStepView):
    title = _("审核通过")
    permission_required = ("portal.review_policy",)
    from_status = PolicyStatus.DRAFT
    service = policy_review
    submit_label = _("审核通过")
    done_message = _("政策“%(policy)s”已审核。")


class PublishView(PolicyStepView):
    title = _("发布")
    permission_required = ("portal.publish_policy",)
    from_status = PolicyStatus.REVIEWED
    service = policy_publish
    submit_label = _("发布到线上会客厅")
    done_message = _("政策“%(policy)s”已发布到线上会客厅。")


class WithdrawView(PolicyStepView):
    title = _("撤回")
    permission_required = ("portal.publish_policy",)
    from_status = PolicyStatus.PUBLISHED
    service = policy_withdraw
    submit_label = _("从线上会客厅撤回")
    done_message = _("政策“%(policy)s”已撤回。")

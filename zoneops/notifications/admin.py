"""The back office: each person's own notices (我的提醒, the bell's page), and for
administrators the departments' group robots, every notice and every send (failed ones flagged,
sent again on request)."""

from typing import Any

from django.contrib import admin, messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from unfold.admin import ModelAdmin
from unfold.decorators import action, display
from unfold.views import UnfoldModelAdminViewMixin

from zoneops.common.admin_base import InputRulesAdminMixin, label_html
from zoneops.common.exceptions import ApplicationError
from zoneops.common.inputs import parse_id
from zoneops.notifications.enums import DeliveryStatus
from zoneops.notifications.models import Delivery, Notification, RobotChannel
from zoneops.notifications.selectors import PAGE_SIZE, notifications_of
from zoneops.notifications.services import (
    deliveries_retry_now,
    notification_mark_read,
    notifications_mark_all_read,
)
from zoneops.orgs.models import User

STATUS_COLOURS: dict[str, str] = {
    DeliveryStatus.PENDING: "info",
    DeliveryStatus.RETRYING: "warning",
    DeliveryStatus.SENT: "success",
    DeliveryStatus.FAILED: "danger",
}


class MyNotificationsView(UnfoldModelAdminViewMixin, TemplateView):
    """我的提醒: the signed-in person's notices, unread first marked, each linking to its record.
    Everyone in the back office has it (his own notices need no model permission)."""

    title = _("我的提醒")
    permission_required = ()
    template_name = "notifications/mine.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        only_unread = self.request.GET.get("unread") == "1"
        notices = notifications_of(user=self.request.user).select_related("department")
        if only_unread:
            notices = notices.filter(read_at__isnull=True)
        page = Paginator(notices, PAGE_SIZE).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            page=page, only_unread=only_unread, notices=page.object_list, **kwargs
        )


def _user(request: HttpRequest) -> User:
    """The signed-in person (admin_view lets no one else through)."""
    assert isinstance(request.user, User)
    return request.user


def _back(request: HttpRequest) -> str:
    """Where a mark-read goes back to: the page it came from (on this site), else the list."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:notifications_notification_mine")


@admin.register(Notification)
class NotificationAdmin(InputRulesAdminMixin, ModelAdmin):
    """Every notice, read only (administrators: who was told what, when, and read it)."""

    list_display = ["title", "recipient", "kind", "day", "due_on", "department", "read_at"]
    list_filter = ["kind", "day", "source"]
    list_select_related = ["recipient", "department"]
    search_fields = ["title", "recipient__username", "recipient__display_name"]
    date_hierarchy = "day"
    readonly_fields = [
        "recipient",
        "kind",
        "source",
        "object_id",
        "title",
        "text",
        "link",
        "due_on",
        "department",
        "day",
        "dedup_key",
        "created_at",
        "read_at",
        "digest",
        "department_digest",
    ]
    fields = readonly_fields
    nav_order = 70

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list:
        site = self.admin_site
        return [
            path(
                "mine/",
                site.admin_view(MyNotificationsView.as_view(model_admin=self)),
                name="notifications_notification_mine",
            ),
            path(
                "mine/read-all/",
                site.admin_view(require_POST(self.read_all_view)),
                name="notifications_notification_read_all",
            ),
            path(
                "mine/<str:notification_id>/read/",
                site.admin_view(require_POST(self.read_view)),
                name="notifications_notification_read",
            ),
            *super().get_urls(),
        ]

    def read_view(self, request: HttpRequest, notification_id: str) -> HttpResponse:
        pk = parse_id(notification_id)
        if pk is None:
            raise Http404
        try:
            notice = notification_mark_read(user=_user(request), notification_id=pk)
        except Notification.DoesNotExist as error:
            raise Http404 from error
        if request.POST.get("open") and notice.link.startswith("/"):
            return HttpResponseRedirect(notice.link)
        return HttpResponseRedirect(_back(request))

    def read_all_view(self, request: HttpRequest) -> HttpResponse:
        count = notifications_mark_all_read(user=_user(request))
        messages.success(request, gettext("已将 %(count)s 条提醒标为已读。") % {"count": count})
        return HttpResponseRedirect(_back(request))


@admin.register(RobotChannel)
class RobotChannelAdmin(InputRulesAdminMixin, ModelAdmin):
    """The departments' group robots (企业微信, 钉钉, 飞书), set up by administrators."""

    list_display = ["name", "department", "kind", "enabled", "updated_at"]
    list_filter = ["kind", "enabled"]
    list_select_related = ["department"]
    search_fields = ["name", "department__name"]
    autocomplete_fields = ["department"]
    fields = ["department", "kind", "name", "webhook_url", "secret", "enabled"]
    nav_order = 71

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "webhook_url":
            kwargs["assume_scheme"] = "https"  # an address typed without one is https
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(Delivery)
class DeliveryAdmin(InputRulesAdminMixin, ModelAdmin):
    """Every send with its status, tries and last error; failed ones flagged and sent again
    on request (never dropped)."""

    list_display = [
        "digest",
        "channel",
        "address",
        "status_label",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "short_error",
    ]
    list_filter = ["status", "channel"]
    list_select_related = ["digest"]
    search_fields = ["address", "digest__subject", "last_error"]
    readonly_fields = [
        "digest",
        "digest_text",
        "channel",
        "robot",
        "address",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "sent_at",
        "created_at",
    ]
    fields = readonly_fields
    actions = ["retry_now"]
    nav_order = 72

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @display(description=_("状态"), ordering="status")
    def status_label(self, obj: Delivery) -> Any:
        return label_html(obj.get_status_display(), STATUS_COLOURS.get(obj.status))

    @display(description=_("最近一次错误"))
    def short_error(self, obj: Delivery) -> str:
        return obj.last_error[:80]

    @display(description=_("汇总内容"))
    def digest_text(self, obj: Delivery) -> str:
        return obj.digest.text

    @action(description=_("重新发送"), permissions=["change"])
    def retry_now(self, request: HttpRequest, queryset: Any) -> None:
        try:
            count = deliveries_retry_now(deliveries=list(queryset), by=_user(request))
        except ApplicationError as error:
            messages.error(request, error.message)
            return
        messages.success(
            request,
            gettext("%(count)s 条将在下次运行 zoneops remind 时重新发送。") % {"count": count},
        )

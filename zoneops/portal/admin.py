"""Back office of the hall: policies with their steps (审核, 发布, 撤回); the hall inquiries, as
sent, each with the lead it started, its first-response clock and the step 回复; the meeting
slots staff offer (云洽谈时段) and the investors' bookings with the steps 确认 (with the video
link), 婉拒 and 登记洽谈结果; and the hall's setting (the first-response limit)."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import action

from zoneops.casework.admin import ClockedChangeList, OverdueFilter, clock_badge, clock_colours
from zoneops.casework.selectors import clock_of
from zoneops.common.admin_base import (
    BusinessAdmin,
    InputRulesAdminMixin,
    RecordStepView,
    ServiceErrorsMixin,
    VersionedForm,
    label_html,
)
from zoneops.common.exceptions import ApplicationError
from zoneops.common.forms import Form, add_service_error
from zoneops.portal.enums import ACTIVE_BOOKINGS, BookingStatus, PolicyStatus
from zoneops.portal.models import (
    HallSettings,
    Inquiry,
    MeetingBooking,
    MeetingSlot,
    Policy,
    ResponseClock,
)
from zoneops.portal.services import (
    booking_confirm,
    booking_decline,
    booking_record_outcome,
    hall_settings_set,
    inquiry_respond,
    meeting_slot_check,
    meeting_slot_save,
    policy_publish,
    policy_review,
    policy_save,
    policy_withdraw,
)

CLOCK_COLOURS = clock_colours(ResponseClock)
BOOKING_COLOURS = {
    BookingStatus.PENDING: "warning",
    BookingStatus.CONFIRMED: "success",
    BookingStatus.DECLINED: "default",
}


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
    """The hall's inquiries, as sent: read by whoever may read their lead, who answers them
    (回复); the first-response clock shows in the list and on the page."""

    list_display = [
        "reference",
        "company",
        "industry",
        "planned_investment",
        "lead",
        "created_at",
        "status",
        "response_clock",
    ]
    list_filter = ["status", OverdueFilter, "industry"]
    search_fields = ["reference", "company"]
    list_select_related = ["industry", "project"]
    fields = [
        "reference",
        "origin",
        "created_at",
        "company",
        "contact_name",
        "mobile",
        "industry",
        "planned_investment",
        "needs_display",
        "message",
        "lead",
        "status",
        "response_clock",
        "due_on",
        "reply",
        "replied_at",
        "replied_by",
        "bookings_display",
    ]
    readonly_fields = fields
    actions_detail = ["respond"]

    def get_changelist(self, request: HttpRequest, **kwargs: Any):
        return ClockedChangeList

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_respond_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        return request.user.has_perm("portal.change_inquiry")

    @action(description=_("回复客商"), url_path="respond", permissions=["respond"])
    def respond(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return RespondView.as_view(model_admin=self)(request, object_id=object_id)

    @admin.display(description=_("来源"))
    def origin(self, obj: Inquiry) -> str:
        return gettext("线上会客厅 · %(reference)s") % {"reference": obj.reference}

    @admin.display(description=_("需求"))
    def needs_display(self, obj: Inquiry) -> str:
        return "、".join(obj.need_labels) or "—"

    @admin.display(description=_("招商线索"))
    def lead(self, obj: Inquiry) -> str:
        url = reverse("admin:projects_project_change", args=[obj.project_id])
        return format_html('<a href="{}">{}</a>', url, obj.project)

    @admin.display(description=_("首次回复"))
    def response_clock(self, obj: Inquiry) -> str:
        return clock_badge(clock_of(obj), CLOCK_COLOURS)

    @admin.display(description=_("云洽谈"))
    def bookings_display(self, obj: Inquiry) -> str:
        rows = [
            format_html(
                '<a href="{}">{}</a> {}',
                reverse("admin:portal_meetingbooking_change", args=[booking.pk]),
                booking.slot,
                label_html(booking.get_status_display(), BOOKING_COLOURS.get(booking.status)),
            )
            for booking in obj.bookings.select_related("slot").order_by("-id")
        ]
        return format_html("<br>".join(["{}"] * len(rows)), *rows) if rows else "—"


class RespondForm(Form):
    reply = forms.CharField(
        label=_("回复内容"),
        error_messages={"required": _("请填写回复内容。")},
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=2000,
        help_text=_("客商凭咨询编号和手机号后四位在“进度查询”中看到此回复。"),
    )
    edit_version = forms.IntegerField(widget=forms.HiddenInput)


class RespondView(RecordStepView):
    model = Inquiry
    context_name = "record"
    form_class = RespondForm
    template_name = "portal/step.html"
    title = _("回复客商")
    permission_required = ("portal.change_inquiry",)
    submit_label = _("发送回复")
    done_message = _("已回复咨询 %(record)s。")

    def get_initial(self) -> dict[str, Any]:
        return {**super().get_initial(), "reply": self.record.reply}

    def perform(self, data: dict[str, Any]) -> Any:
        return inquiry_respond(
            inquiry=self.record,
            reply=data["reply"],
            by=self.request.user,
            expected_version=data["edit_version"],
        )


# --- online meetings: the slots staff offer and the investors' bookings --------------------------


class MeetingSlotForm(VersionedForm):
    """The slot's fields, checked by the service's rules before anything is saved."""

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.errors:
            return
        try:
            meeting_slot_check(slot=self.instance)
        except ApplicationError as error:
            add_service_error(self, error)


@admin.register(MeetingSlot)
class MeetingSlotAdmin(BusinessAdmin):
    """云洽谈时段: the times staff offer; an investor books one on the hall."""

    form = MeetingSlotForm

    list_display = ["__str__", "officer", "department", "booked"]
    list_filter = ["department"]
    list_select_related = ["officer", "department"]
    fields = ["starts_at", "duration_minutes", "officer", "department"]
    autocomplete_fields: list[str] = []

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        expected = form.cleaned_data.get("edit_version") if change else None
        meeting_slot_save(slot=obj, by=request.user, expected_version=expected)

    @admin.display(description=_("预约"))
    def booked(self, obj: MeetingSlot) -> str:
        active = [b for b in obj.bookings.all() if b.status in ACTIVE_BOOKINGS]
        if not active:
            return gettext("可预约")
        booking = active[0]
        return label_html(booking.get_status_display(), BOOKING_COLOURS.get(booking.status))

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("bookings")


@admin.register(MeetingBooking)
class MeetingBookingAdmin(BusinessAdmin):
    """云洽谈预约: read by whoever may read the inquiry's lead, who confirms it with the video
    link (a 线上洽谈 in 会议与活动), declines it with a reason, or records its outcome."""

    list_display = ["inquiry", "slot", "status_badge", "link", "meeting_display"]
    list_filter = ["status"]
    search_fields = ["inquiry__reference", "inquiry__company"]
    list_select_related = ["inquiry", "slot", "meeting"]
    fields = [
        "inquiry_display",
        "slot",
        "status_badge",
        "link",
        "decline_reason",
        "meeting_display",
        "outcome",
        "decided_by",
        "decided_at",
    ]
    readonly_fields = fields
    actions_detail = ["confirm", "decline", "record_outcome"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_handle_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        return request.user.has_perm("portal.change_inquiry")

    def available_steps(self, request: HttpRequest, obj: Any) -> Any:
        return obj.steps_allowed()

    @action(description=_("确认并发送链接"), url_path="confirm", permissions=["handle"])
    def confirm(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return ConfirmBookingView.as_view(model_admin=self)(request, object_id=object_id)

    @action(description=_("婉拒"), url_path="decline", permissions=["handle"])
    def decline(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return DeclineBookingView.as_view(model_admin=self)(request, object_id=object_id)

    @action(description=_("登记洽谈结果"), url_path="outcome", permissions=["handle"])
    def record_outcome(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return OutcomeView.as_view(model_admin=self)(request, object_id=object_id)

    @admin.display(description=_("线上咨询"))
    def inquiry_display(self, obj: MeetingBooking) -> str:
        url = reverse("admin:portal_inquiry_change", args=[obj.inquiry_id])
        return format_html('<a href="{}">{}</a>', url, obj.inquiry)

    @admin.display(description=_("状态"))
    def status_badge(self, obj: MeetingBooking) -> str:
        return label_html(obj.get_status_display(), BOOKING_COLOURS.get(obj.status))

    @admin.display(description=_("会议"))
    def meeting_display(self, obj: MeetingBooking) -> str:
        if obj.meeting is None:
            return "—"
        url = reverse("admin:meetings_meeting_change", args=[obj.meeting_id])
        return format_html(
            '<a href="{}">{}</a>（{}）', url, obj.meeting, obj.meeting.get_status_display()
        )

    @admin.display(description=_("洽谈结果"))
    def outcome(self, obj: MeetingBooking) -> str:
        if obj.meeting is None or obj.meeting.status != "held":
            return "—"
        return obj.meeting.minutes or "—"


class BookingStepView(RecordStepView):
    model = MeetingBooking
    context_name = "record"
    template_name = "portal/step.html"
    permission_required = ("portal.change_inquiry",)
    from_statuses: tuple[str, ...] = (BookingStatus.PENDING,)

    def notice(self) -> str:
        if self.record.status in self.from_statuses:
            return ""
        return gettext("该预约%(status)s，不能%(step)s。") % {
            "status": self.record.get_status_display(),
            "step": self.title,
        }


class ConfirmBookingForm(Form):
    link = forms.CharField(
        label=_("视频会议链接"),
        error_messages={"required": _("请填写视频会议链接。")},
        max_length=200,
        help_text=_("以 http:// 或 https:// 开头；客商在“进度查询”中看到此链接。"),
    )
    edit_version = forms.IntegerField(widget=forms.HiddenInput)


class ConfirmBookingView(BookingStepView):
    form_class = ConfirmBookingForm
    title = _("确认云洽谈")
    submit_label = _("确认并发送链接")
    done_message = _("云洽谈已确认：%(record)s。")
    from_statuses = (BookingStatus.PENDING, BookingStatus.CONFIRMED)

    def get_initial(self) -> dict[str, Any]:
        return {**super().get_initial(), "link": self.record.link}

    def perform(self, data: dict[str, Any]) -> Any:
        return booking_confirm(
            booking=self.record,
            link=data["link"],
            by=self.request.user,
            expected_version=data["edit_version"],
        )


class DeclineBookingForm(Form):
    reason = forms.CharField(
        label=_("婉拒原因"),
        error_messages={"required": _("请填写婉拒原因。")},
        max_length=300,
        help_text=_("客商在“进度查询”中看到此原因。"),
    )
    edit_version = forms.IntegerField(widget=forms.HiddenInput)


class DeclineBookingView(BookingStepView):
    form_class = DeclineBookingForm
    title = _("婉拒云洽谈")
    submit_label = _("婉拒")
    done_message = _("已婉拒云洽谈预约：%(record)s。")
    from_statuses = (BookingStatus.PENDING, BookingStatus.CONFIRMED)

    def perform(self, data: dict[str, Any]) -> Any:
        return booking_decline(
            booking=self.record,
            reason=data["reason"],
            by=self.request.user,
            expected_version=data["edit_version"],
        )


class OutcomeForm(Form):
    minutes = forms.CharField(
        label=_("洽谈结果"),
        error_messages={"required": _("请填写洽谈结果。")},
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text=_("记入线上洽谈会议的纪要，并显示在招商线索上。"),
    )
    edit_version = forms.IntegerField(widget=forms.HiddenInput)


class OutcomeView(BookingStepView):
    form_class = OutcomeForm
    title = _("登记洽谈结果")
    submit_label = _("登记")
    done_message = _("已登记洽谈结果：%(record)s。")
    from_statuses = (BookingStatus.CONFIRMED,)

    def perform(self, data: dict[str, Any]) -> Any:
        return booking_record_outcome(
            booking=self.record,
            minutes=data["minutes"],
            by=self.request.user,
            expected_version=data["edit_version"],
        )


# --- the hall's setting -------------------------------------------------------------------------


@admin.register(HallSettings)
class HallSettingsAdmin(InputRulesAdminMixin, ServiceErrorsMixin, ModelAdmin):
    """The first-response limit (working days): one row, kept by administrators; a change
    applies to inquiries sent after it (a running clock keeps its limit)."""

    list_display = ["__str__", "first_response_days"]
    fields = ["first_response_days"]
    nav_order = 95

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not HallSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        row = hall_settings_set(
            first_response_days=obj.first_response_days,
            by=request.user,
            expected_days=form.initial.get("first_response_days") if change else None,
        )
        obj.pk = row.pk


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

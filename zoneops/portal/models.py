"""The online investment hall's own records: the policies staff publish for investors, the
inquiries investors send (each one a lead in the pipeline, with a first-response clock), the
meeting slots staff offer (云洽谈时段) and the investors' bookings of them, and the posts and
status look-ups counted against floods."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zoneops.casework.clocks import DeadlineClock
from zoneops.casework.models import ClockedQuerySet, ClockedRecord, StepEvent
from zoneops.common.amounts import AmountField
from zoneops.common.models import BusinessModel
from zoneops.common.scope import ScopedQuerySet
from zoneops.meetings.enums import MeetingStatus
from zoneops.orgs.people import STAFF_ONLY, STAFF_ONLY_MESSAGES
from zoneops.portal.enums import (
    ACTIVE_BOOKINGS,
    BookingStatus,
    InquiryEventKind,
    InquiryStatus,
    InvestorNeed,
    PolicyStatus,
)


class PolicyQuerySet(ScopedQuerySet):
    def in_force(self, *, on: date) -> "PolicyQuerySet":
        """Published and valid on the day: started, and not ended before it."""
        return self.filter(status=PolicyStatus.PUBLISHED, valid_from__lte=on).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=on)
        )


class Policy(BusinessModel):
    """A policy for investors (招商政策), written by staff of the issuing department, reviewed
    by another colleague and published on the hall while it is valid."""

    title = models.CharField(_("政策名称"), max_length=200)
    summary = models.CharField(
        _("摘要"), max_length=300, blank=True, help_text=_("列表和分享卡片上显示的一两句话。")
    )
    body = models.TextField(_("政策内容"))
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("发布部门"),
        on_delete=models.PROTECT,
        related_name="policies",
    )
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(
        _("失效日期"), null=True, blank=True, help_text=_("留空表示长期有效。")
    )
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=PolicyStatus.choices,
        default=PolicyStatus.DRAFT,
        editable=False,
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True, editable=False)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, editable=False)

    objects = PolicyQuerySet.as_manager()

    # Every colleague reads the policies (they are public once published); the issuing
    # department and the writer change them.
    scope_public = True
    scope_department_fields = ("department",)
    scope_owner_fields = ("created_by",)

    class Meta:
        verbose_name = _("招商政策")
        verbose_name_plural = _("招商政策")
        ordering = ["-valid_from", "-id"]
        permissions = [
            ("review_policy", _("审核招商政策")),
            ("publish_policy", _("发布或撤回招商政策")),
        ]
        indexes = [
            models.Index(fields=["status", "valid_from"], name="portal_policy_status_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.valid_to is not None and self.valid_from and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("失效日期不能早于生效日期。")})

    def expired_on(self, day: date) -> bool:
        return self.valid_to is not None and self.valid_to < day


class HallSettings(models.Model):
    """The hall's settings administrators keep (one row): the limit of the first response to
    an inquiry, in working days counted from the day after it was sent (受理次日起算)."""

    first_response_days = models.PositiveSmallIntegerField(
        _("首次回复时限（工作日）"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(250)],
        help_text=_("客商提交咨询后，工作人员须在此期限内首次回复（提交次日起算）。"),
    )

    history = HistoricalRecords()

    # A setting administrators keep: granted to roles like 系统管理, not like business records.
    system_setting = True

    class Meta:
        verbose_name = _("会客厅设置")
        verbose_name_plural = _("会客厅设置")

    def __str__(self) -> str:
        return str(_("会客厅设置"))


class ResponseClock(DeadlineClock):
    """Where an inquiry stands against its first-response limit: the warning until staff first
    answer it, then whether that was in time."""

    done_key = "replied"
    done_on_time_label = _("按期回复")
    done_late_label = _("逾期回复")


class InquiryQuerySet(ClockedQuerySet):
    pass


class Inquiry(ClockedRecord):
    """An investor's inquiry from the hall (线上会客厅咨询): the company, the contact, what it
    plans and needs. It started a lead (`project`, source 线上会客厅) and is read by whoever
    may read that lead: the contact's name and mobile are for them only. Its clock (the
    kernel's) runs from the day it was sent until staff first answer it."""

    reference = models.CharField(_("咨询编号"), max_length=20, unique=True, editable=False)
    company = models.CharField(_("企业名称"), max_length=100)
    contact_name = models.CharField(_("联系人"), max_length=30)
    mobile = models.CharField(_("手机号"), max_length=11)
    industry = models.ForeignKey(
        "industry.IndustryCategory",
        verbose_name=_("意向产业"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # At most what a project may hold (100 000 000万元 would be 1万亿元).
    planned_investment = AmountField(_("计划投资（万元）"), default=0, maximum=10_000_000)
    needs = models.JSONField(_("需求"), default=list, blank=True)
    message = models.TextField(_("留言"), blank=True)
    project = models.OneToOneField(
        "projects.Project",
        verbose_name=_("招商线索"),
        on_delete=models.PROTECT,
        related_name="inquiry",
        editable=False,
    )
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=InquiryStatus.choices,
        default=InquiryStatus.SUBMITTED,
        editable=False,
    )
    reply = models.TextField(_("回复内容"), blank=True, editable=False)
    replied_on = models.DateField(_("首次回复日期"), null=True, blank=True, editable=False)
    replied_at = models.DateTimeField(_("首次回复时间"), null=True, blank=True, editable=False)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("首次回复人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    # The first-response clock: no extension, no suspension.
    extension_days = 0
    suspended_days = 0
    suspended_since = None
    running_statuses = (InquiryStatus.SUBMITTED,)
    done_statuses = (InquiryStatus.REPLIED,)
    done_on_field = "replied_on"
    clock_class = ResponseClock
    arrived_on_field = "clock_from"
    step_too_early = _("日期 %(on)s 早于该咨询上一次办理记录（%(after)s）。")

    objects = InquiryQuerySet.as_manager()

    # Read (and changed) by whoever may read the lead it started.
    scope_department_fields = ("project__responsible_department",)
    scope_owner_fields = ("project__owner", "project__liaison_leader", "project__created_by")

    class Meta:
        verbose_name = _("线上咨询")
        verbose_name_plural = _("线上咨询")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.reference} {self.company}"

    @property
    def need_labels(self) -> list[str]:
        labels = dict(InvestorNeed.choices)
        return [str(labels[need]) for need in self.needs if need in labels]


class InquiryEvent(StepEvent):
    """One step on an inquiry: a reply, a meeting booked, confirmed or declined."""

    inquiry = models.ForeignKey(
        Inquiry, verbose_name=_("线上咨询"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("类型"), max_length=12, choices=InquiryEventKind.choices)

    class Meta(StepEvent.Meta):
        verbose_name = _("咨询办理记录")
        verbose_name_plural = _("咨询办理记录")

    def __str__(self) -> str:
        return f"{self.inquiry_id} {self.get_kind_display()} {self.on}"


class MeetingSlot(BusinessModel):
    """A time staff offer for an online meeting with investors (云洽谈时段): its start, how
    long, and optionally the officer or department who will hold it. An investor books it
    once; a declined booking frees it again."""

    starts_at = models.DateTimeField(_("开始时间"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("时长（分钟）"),
        default=60,
        validators=[MinValueValidator(15), MaxValueValidator(480)],
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接待人员"),
        limit_choices_to=STAFF_ONLY,
        error_messages=STAFF_ONLY_MESSAGES,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("接待部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    # Every colleague sees the offered times; whoever offered them, its officer and its
    # department change them.
    scope_public = True
    scope_department_fields = ("department",)
    scope_owner_fields = ("created_by", "officer")

    class Meta:
        verbose_name = _("云洽谈时段")
        verbose_name_plural = _("云洽谈时段")
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        start = timezone.localtime(self.starts_at)
        return f"{start:%Y-%m-%d %H:%M}（{self.duration_minutes}分钟）"


class MeetingBooking(BusinessModel):
    """An investor's booking of a slot for an inquiry: 洽谈待确认 until staff confirm it with
    the video-meeting link (a 线上洽谈 meeting in the meetings app) or decline it with a
    reason. A slot holds one active booking, an inquiry one too (the constraints)."""

    inquiry = models.ForeignKey(
        Inquiry, verbose_name=_("线上咨询"), on_delete=models.PROTECT, related_name="bookings"
    )
    slot = models.ForeignKey(
        MeetingSlot, verbose_name=_("云洽谈时段"), on_delete=models.PROTECT, related_name="bookings"
    )
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=BookingStatus.choices,
        default=BookingStatus.PENDING,
        editable=False,
    )
    link = models.URLField(_("视频会议链接"), max_length=200, blank=True, editable=False)
    decline_reason = models.CharField(_("婉拒原因"), max_length=300, blank=True, editable=False)
    meeting = models.OneToOneField(
        "meetings.Meeting",
        verbose_name=_("会议"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="hall_booking",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True, editable=False)

    # Read and changed by whoever may read the inquiry's lead.
    scope_department_fields = ("inquiry__project__responsible_department",)
    scope_owner_fields = (
        "inquiry__project__owner",
        "inquiry__project__liaison_leader",
        "inquiry__project__created_by",
    )

    class Meta:
        verbose_name = _("云洽谈预约")
        verbose_name_plural = _("云洽谈预约")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot"],
                condition=Q(status__in=ACTIVE_BOOKINGS),
                name="portal_booking_one_per_slot",
                violation_error_message=_("该时段已被预约，请选择其他时段。"),
            ),
            models.UniqueConstraint(
                fields=["inquiry"],
                condition=Q(status__in=ACTIVE_BOOKINGS),
                name="portal_booking_one_per_inquiry",
                violation_error_message=_("该咨询已预约云洽谈，请等待工作人员确认。"),
            ),
        ]

    def steps_allowed(self) -> list[str]:
        """The staff steps the booking's state allows (the admin offers these; the services
        refuse the others): a pending one is confirmed or declined; a confirmed one whose
        meeting is still planned takes a new link, a decline or its outcome."""
        if self.status == BookingStatus.PENDING:
            return ["confirm", "decline"]
        planned = self.meeting is not None and self.meeting.status == MeetingStatus.PLANNED
        if self.status == BookingStatus.CONFIRMED and planned:
            return ["confirm", "decline", "record_outcome"]
        return []

    def __str__(self) -> str:
        return f"{self.inquiry.reference} {self.slot}"


class HallPost(models.Model):
    """One post of the inquiry form, kept a day to count floods by address and by contact in
    every process (a table, not the per-process cache)."""

    address = models.GenericIPAddressField(_("来源地址"), unpack_ipv4=True)
    mobile = models.CharField(_("手机号"), max_length=11, blank=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    accepted = models.BooleanField(_("已受理"), default=False)

    class Meta:
        verbose_name = _("咨询提交记录")
        verbose_name_plural = _("咨询提交记录")
        indexes = [
            models.Index(fields=["address", "at"], name="portal_post_address_idx"),
            models.Index(fields=["mobile", "at"], name="portal_post_mobile_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.address} @ {self.at:%Y-%m-%d %H:%M}"


class HallLookup(models.Model):
    """One look-up of an inquiry's status (reference and mobile's last four digits), kept a
    day to lock an address, or a reference, after repeated failed tries in every process."""

    address = models.GenericIPAddressField(_("来源地址"), unpack_ipv4=True)
    reference = models.CharField(_("咨询编号"), max_length=20, blank=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    succeeded = models.BooleanField(_("查询成功"), default=False)

    class Meta:
        verbose_name = _("进度查询记录")
        verbose_name_plural = _("进度查询记录")
        indexes = [
            models.Index(fields=["address", "at"], name="portal_lookup_address_idx"),
            models.Index(fields=["reference", "at"], name="portal_lookup_reference_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.address} {self.reference} @ {self.at:%Y-%m-%d %H:%M}"

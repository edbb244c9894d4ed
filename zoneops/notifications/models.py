"""Notices (提醒), the day's digests, the departments' group robots and every delivery."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from zoneops.notifications.enums import DeliveryChannel, DeliveryStatus, NoticeKind, RobotKind

URL_MAX = 500


class NotificationQuerySet(models.QuerySet):
    def of(self, user: object) -> "NotificationQuerySet":
        """The user's own notices: nobody reads another's."""
        return self.filter(recipient=user)

    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One notice to one person about one record (in-app: the bell and the list)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("类型"), max_length=20, choices=NoticeKind.choices)
    # The record it is about: its work source (casework.workbench) and its id.
    source = models.CharField(_("事项类别"), max_length=30)
    object_id = models.PositiveBigIntegerField(_("事项编号"))
    title = models.CharField(_("标题"), max_length=300)
    text = models.CharField(_("内容"), max_length=1000, blank=True)
    link = models.CharField(_("链接"), max_length=URL_MAX, blank=True)
    due_on = models.DateField(_("期限"), null=True, blank=True)
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("责任部门"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    day = models.DateField(_("提醒日期"), db_index=True)
    # What makes the notice once: `zoneops remind` run twice writes it once.
    dedup_key = models.CharField(_("去重键"), max_length=200)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    # The day's digest that carried it to the person, and to his department's group robots.
    digest = models.ForeignKey(
        "Digest",
        verbose_name=_("每日汇总"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )
    department_digest = models.ForeignKey(
        "Digest",
        verbose_name=_("部门每日汇总"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="department_notifications",
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedup_key"], name="notifications_notice_once"
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notifications_unread"),
        ]

    def __str__(self) -> str:
        return self.title


class Digest(models.Model):
    """The day's summary of a person's new notices, or of a department's (its group robots)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("部门"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    day = models.DateField(_("日期"))
    subject = models.CharField(_("标题"), max_length=300)
    text = models.TextField(_("内容"))
    # The short plain text for an SMS (enterprise users).
    short_text = models.CharField(_("短信文本"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("每日汇总")
        verbose_name_plural = _("每日汇总")
        ordering = ["-day", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "day"],
                condition=models.Q(recipient__isnull=False),
                name="notifications_digest_once_per_person",
            ),
            models.UniqueConstraint(
                fields=["department", "day"],
                condition=models.Q(department__isnull=False),
                name="notifications_digest_once_per_department",
            ),
            models.CheckConstraint(
                condition=models.Q(recipient__isnull=True) ^ models.Q(department__isnull=True),
                name="notifications_digest_person_or_department",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class RobotChannel(models.Model):
    """A department's group robot (群机器人): where its day's reminders are posted."""

    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("部门"),
        on_delete=models.CASCADE,
        related_name="robot_channels",
    )
    kind = models.CharField(_("类型"), max_length=20, choices=RobotKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    webhook_url = models.URLField(
        _("Webhook 地址"),
        max_length=URL_MAX,
        validators=[URLValidator(schemes=["https", "http"])],
        help_text=_("群机器人的 Webhook 地址（企业微信的地址含 key）。"),
    )
    secret = models.CharField(
        _("签名密钥"),
        max_length=200,
        blank=True,
        help_text=_("钉钉“加签”的 SEC 开头的密钥，或飞书“签名校验”的密钥；企业微信不签名，留空。"),
    )
    enabled = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("群机器人")
        verbose_name_plural = _("群机器人")
        ordering = ["department", "kind", "id"]

    def __str__(self) -> str:
        return f"{self.department} · {self.name}"

    def clean(self) -> None:
        super().clean()
        if self.kind == RobotKind.WECOM and self.secret:
            raise ValidationError(
                {"secret": _("企业微信群机器人不使用签名密钥：密钥已在 Webhook 地址的 key 中。")}
            )


class Delivery(models.Model):
    """One send of a digest over one channel: tried, retried with backoff, never dropped."""

    digest = models.ForeignKey(
        Digest, verbose_name=_("每日汇总"), on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("渠道"), max_length=20, choices=DeliveryChannel.choices)
    robot = models.ForeignKey(
        RobotChannel,
        verbose_name=_("群机器人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    # Where it goes, as it was when made: an e-mail address, a phone number, a robot's name.
    address = models.CharField(_("发送地址"), max_length=URL_MAX)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), null=True, blank=True)
    last_error = models.TextField(_("最近一次错误"), blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notifications_due_sends"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.address}"

"""Meetings (周对接、月例会、季观摩、线上洽谈) and ceremonies (签约仪式、云签约、集中开工):
their agenda built from the records, minutes, and the decisions that become supervised tasks."""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zoneops.common.models import BusinessModel
from zoneops.meetings.enums import AgendaSource, MeetingKind, MeetingStatus
from zoneops.orgs.people import STAFF_ONLY, STAFF_ONLY_MESSAGES


class Meeting(BusinessModel):
    kind = models.CharField(_("类型"), max_length=20, choices=MeetingKind.choices)
    title = models.CharField(_("会议名称"), max_length=200)
    held_on = models.DateField(_("日期"))
    starts_at = models.TimeField(_("开始时间"), null=True, blank=True)
    duration_minutes = models.PositiveIntegerField(_("时长（分钟）"), null=True, blank=True)
    location = models.CharField(_("地点"), max_length=200, blank=True)
    online = models.BooleanField(_("线上举行"), default=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("主持人"),
        limit_choices_to=STAFF_ONLY,
        error_messages=STAFF_ONLY_MESSAGES,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_meetings",
    )
    organiser = models.ForeignKey(
        "orgs.Department",
        verbose_name=pgettext_lazy("meeting", "承办部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("参会人员"), related_name="meetings", blank=True
    )
    external_attendees = models.TextField(_("外部参会方"), blank=True, help_text=_("客商、企业等"))
    projects = models.ManyToManyField(
        "projects.Project",
        verbose_name=_("签约/开工项目"),
        related_name="ceremonies",
        blank=True,
        help_text=_("仪式上签约或开工的项目。"),
    )
    minutes = models.TextField(_("会议纪要"), blank=True)

    scope_department_fields = ("organiser",)
    scope_owner_fields = ("created_by", "host", "attendees")
    # Attendees read the meeting; its organiser, host and whoever set it up change it.
    scope_write_owner_fields = ("created_by", "host")

    class Meta:
        verbose_name = _("会议与活动")
        verbose_name_plural = _("会议与活动")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["kind", "held_on"], name="meetings_kind_date_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def start(self) -> datetime | None:
        """The moment it starts: its day at its time, on the zone's clock (TIME_ZONE)."""
        if self.starts_at is None:
            return None
        return timezone.make_aware(
            datetime.combine(self.held_on, self.starts_at), timezone.get_default_timezone()
        )


class AgendaItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="agenda_items"
    )
    order = models.PositiveIntegerField(_("顺序"), default=0)
    source = models.CharField(
        _("来源"), max_length=20, choices=AgendaSource.choices, default=AgendaSource.MANUAL
    )
    title = models.CharField(_("议题"), max_length=300)
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("项目"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
    )
    problem = models.ForeignKey(
        "projects.Problem",
        verbose_name=_("问题"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
    )
    milestone = models.ForeignKey(
        "projects.Milestone",
        verbose_name=_("节点"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
    )
    request = models.ForeignKey(
        "enterprises.EnterpriseRequest",
        verbose_name=_("企业诉求"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
    )
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("议题")
        verbose_name_plural = _("议题")
        ordering = ["meeting", "order", "id"]

    def __str__(self) -> str:
        return self.title


class Decision(BusinessModel):
    """A decision in the minutes (会议议定事项), with an owner and a deadline."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="decisions"
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("议题"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
    )
    text = models.TextField(_("议定事项"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        limit_choices_to=STAFF_ONLY,
        error_messages=STAFF_ONLY_MESSAGES,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_decisions",
    )
    owner_department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("责任部门"),
        on_delete=models.PROTECT,
        related_name="meeting_decisions",
    )
    due_on = models.DateField(_("完成时限"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)

    scope_department_fields = ("owner_department", "meeting__organiser")
    scope_owner_fields = ("created_by", "owner", "meeting__host")

    class Meta:
        verbose_name = _("议定事项")
        verbose_name_plural = _("议定事项")
        ordering = ["meeting", "due_on", "id"]

    def __str__(self) -> str:
        return self.text[:50]

"""Enterprise requests (诉求) with their working-day clock; the same blocker reported by several
enterprises is grouped in a systemic blocker (zoneops.blockers).

A request runs 待受理 → 已受理 → 办理中 → 已答复 → 已评价, or is 退回 with a reason. Its clock
starts when it is accepted (受理次日起算) with the limit of its kind; a reopening restarts it;
only an approved extension (RequestExtension) lengthens it. Every step writes a RequestEvent;
notes marked internal are never shown to the enterprise.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zoneops.casework.clocks import DeadlineClock
from zoneops.casework.models import ClockedQuerySet, ClockedRecord, StepEvent
from zoneops.enterprises.enums import RequestChannel, RequestKind, RequestStatus
from zoneops.projects.enums import BlockerKind, BlockerTopic

OPEN_STATUSES = (RequestStatus.SUBMITTED, RequestStatus.ACCEPTED, RequestStatus.IN_PROGRESS)
CLOCK_STATUSES = (RequestStatus.ACCEPTED, RequestStatus.IN_PROGRESS)
ANSWERED_STATUSES = (RequestStatus.ANSWERED, RequestStatus.RATED)


class RequestClock(DeadlineClock):
    """Where a request stands against its deadline: the warning while the clock runs (accepted
    or in progress), that it stands since `suspended_since` while the enterprise supplies
    materials (no level; `days_left` are the working days that were left when it stopped), and
    once answered whether that was by the deadline."""

    done_key = "answered"
    done_on_time_label = _("按期答复")
    done_late_label = _("逾期答复")
    suspended_label = _("暂停计时（自%(since)s起，待企业补充材料）")


class RequestKindLimit(models.Model):
    """The working-day limit of each kind of request (咨询 1, 求助 5, 投诉 10 by default)."""

    kind = models.CharField(_("诉求类型"), max_length=20, choices=RequestKind.choices, unique=True)
    limit_days = models.PositiveSmallIntegerField(
        _("办理时限（工作日）"), validators=[MinValueValidator(1), MaxValueValidator(250)]
    )

    history = HistoricalRecords()

    # A dictionary administrators keep: granted to roles like 系统管理, not like business records.
    system_setting = True

    class Meta:
        verbose_name = _("诉求办理时限")
        verbose_name_plural = _("诉求办理时限")
        ordering = ["limit_days", "kind"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.limit_days}"


class EnterpriseRequestQuerySet(ClockedQuerySet):
    def open(self) -> "EnterpriseRequestQuerySet":
        return self.filter(status__in=OPEN_STATUSES)


class EnterpriseRequest(ClockedRecord):
    """A request on the clocked-record kernel: the clock (clock_from, limit_days,
    extension_days, suspended_since, suspended_days, due_on, due_provisional) is
    ClockedRecord's; it runs while accepted or in progress and is done once answered."""

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.PROTECT,
        related_name="requests",
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("相关项目"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enterprise_requests",
    )
    title = models.CharField(_("诉求"), max_length=200)
    description = models.TextField(_("诉求内容"))
    kind = models.CharField(_("诉求类型"), max_length=20, choices=RequestKind.choices)
    category = models.CharField(_("类别"), max_length=20, choices=BlockerKind.choices)
    topic = models.CharField(_("领域"), max_length=20, choices=BlockerTopic.choices)
    channel = models.CharField(
        _("来源渠道"), max_length=20, choices=RequestChannel.choices, editable=False
    )
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    filed_on = models.DateField(_("提交日期"), editable=False)

    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=RequestStatus.choices,
        default=RequestStatus.SUBMITTED,
        editable=False,
    )
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("承办部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enterprise_requests",
        editable=False,
    )
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True, editable=False)
    answered_on = models.DateField(_("答复日期"), null=True, blank=True, editable=False)
    answer = models.TextField(_("答复内容"), blank=True, editable=False)
    rating = models.PositiveSmallIntegerField(
        _("评价"),
        null=True,
        blank=True,
        editable=False,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    rating_comment = models.TextField(_("评价意见"), blank=True, editable=False)
    rated_on = models.DateField(_("评价日期"), null=True, blank=True, editable=False)
    returned_on = models.DateField(_("退回日期"), null=True, blank=True, editable=False)
    return_reason = models.TextField(_("退回理由"), blank=True, editable=False)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0, editable=False)
    blocker = models.ForeignKey(
        "blockers.SystemicBlocker",
        verbose_name=_("共性堵点"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
        editable=False,
    )

    objects = EnterpriseRequestQuerySet.as_manager()

    running_statuses = CLOCK_STATUSES
    done_statuses = ANSWERED_STATUSES
    done_on_field = "answered_on"
    clock_class = RequestClock
    arrived_on_field = "filed_on"
    step_too_early = _("日期 %(on)s 早于该诉求上一次办理记录（%(after)s）。")

    scope_department_fields = ("department",)
    scope_owner_fields = ("created_by",)
    scope_enterprise_field = "enterprise"

    class Meta:
        verbose_name = _("企业诉求")
        verbose_name_plural = _("企业诉求")
        ordering = ["-filed_on", "-id"]
        permissions = [("approve_extension", _("可批准诉求延期"))]
        indexes = [
            models.Index(fields=["status", "due_on"], name="enterprises_request_due_idx"),
            # The list's order (-filed_on, -id), read backwards; it serves a filter by date too.
            models.Index(fields=["filed_on", "id"], name="enterprises_request_list_idx"),
            # The statistics read the answered requests of a period, not every answered one.
            models.Index(fields=["status", "filed_on"], name="enterprises_request_status_idx"),
            # The day's answered requests (今日事项) and those answered on acceptance (日清日结).
            models.Index(fields=["status", "answered_on"], name="enterprises_request_answer_idx"),
            models.Index(fields=["status", "accepted_on"], name="enterprises_request_accept_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="enterprises_request_rating_1_5",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class RequestEvent(StepEvent):
    """One step in a request's life: who, when, what, from which department to which."""

    class Kind(models.TextChoices):
        FILED = "filed", _("提交")
        ACCEPTED = "accepted", _("受理并交办")
        REROUTED = "rerouted", _("改派")
        STARTED = "started", _("开始办理")
        NOTE = "note", _("办理记录")
        EXTENSION_ASKED = "extension_asked", _("申请延期")
        EXTENSION_APPROVED = "extension_approved", _("批准延期")
        EXTENSION_REFUSED = "extension_refused", _("不批准延期")
        SUSPENDED = "suspended", _("暂停计时（请企业补充材料）")
        RESUMED = "resumed", _("恢复计时")
        ANSWERED = "answered", _("答复")
        RATED = "rated", _("评价")
        REOPENED = "reopened", _("不满意重办")
        RETURNED = "returned", _("退回")
        GROUPED = "grouped", _("归入共性堵点")

    request = models.ForeignKey(
        EnterpriseRequest, verbose_name=_("诉求"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    internal = models.BooleanField(
        _("仅内部可见"), default=False, help_text=_("内部记录不向企业展示。")
    )
    score = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)

    class Meta:
        verbose_name = _("诉求办理记录")
        verbose_name_plural = _("诉求办理记录")
        ordering = ["on", "id"]
        indexes = [
            # The statistics read each request's ratings, not all its steps.
            models.Index(fields=["request", "kind"], name="enterprises_reqevent_kind_idx"),
            # 诉求统计's ratings: the rated steps of the period's requests, read from the index
            # alone on PostgreSQL (a year's 20,000 requests among a million steps).
            models.Index(
                fields=["request"],
                include=["id", "score"],
                condition=models.Q(kind="rated"),
                name="enterprises_reqevent_rated_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind} {self.on}"


class RequestExtension(models.Model):
    """A department's ask for more working days; it counts only once a supervisor approves it."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REFUSED = "refused", _("不批准")

    request = models.ForeignKey(
        EnterpriseRequest,
        verbose_name=_("诉求"),
        on_delete=models.CASCADE,
        related_name="extensions",
    )
    days = models.PositiveSmallIntegerField(
        _("延期（工作日）"), validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    reason = models.TextField(_("延期理由"))
    asked_on = models.DateField(_("申请日期"))
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision = models.CharField(
        _("审批结果"), max_length=12, choices=Decision.choices, default=Decision.PENDING
    )
    decided_on = models.DateField(_("审批日期"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("诉求延期申请")
        verbose_name_plural = _("诉求延期申请")
        ordering = ["asked_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request"],
                condition=models.Q(decision="pending"),
                name="enterprises_one_pending_extension",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} +{self.days}"

"""Government services (政务服务): the catalogue of service items (事项) and the cases (办件)
worked against a working-day clock on the casework kernel.

A case runs 已收件 → 已受理 (the clock starts with the item's promised limit) → 审查中 → 已决定
(准予 / 不予许可) → 已办结, or is 不予受理 with a reason. 补正 (the applicant supplies
materials, asked at most once) and the other statutory suspensions (专家评审, 听证, 公示, 检验)
stop the clock: the kernel's `suspended_since` and `suspended_days`.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from zoneops.approvals.enums import CaseStatus, Decision, ItemKind, SuspensionKind
from zoneops.casework.clocks import DeadlineClock
from zoneops.casework.models import ClockedQuerySet, ClockedRecord, StepEvent
from zoneops.casework.services import MAX_LIMIT_DAYS
from zoneops.common.models import BusinessModel
from zoneops.common.scope import ScopedQuerySet

OPEN_STATUSES = (
    CaseStatus.RECEIVED,
    CaseStatus.ACCEPTED,
    CaseStatus.REVIEWING,
    CaseStatus.DECIDED,
)
RUNNING_STATUSES = (CaseStatus.ACCEPTED, CaseStatus.REVIEWING, CaseStatus.DECIDED)
DONE_STATUSES = (CaseStatus.CONCLUDED,)

LIMIT_VALIDATORS = [MinValueValidator(1), MaxValueValidator(MAX_LIMIT_DAYS)]


class ServiceItemQuerySet(ScopedQuerySet):
    def in_force(self, *, on: "object") -> "ServiceItemQuerySet":
        """In the catalogue on the day `on`: listed by then and not withdrawn by then."""
        return self.filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on), listed_on__lte=on)


class ServiceItem(BusinessModel):
    """One item of the zone's catalogue of government services (政务服务事项)."""

    code = models.CharField(_("事项编码"), max_length=40, unique=True)
    name = models.CharField(_("事项名称"), max_length=200)
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("实施部门"),
        on_delete=models.PROTECT,
        related_name="service_items",
    )
    kind = models.CharField(_("事项类型"), max_length=20, choices=ItemKind.choices)
    statutory_days = models.PositiveSmallIntegerField(
        _("法定办结时限（工作日）"), validators=LIMIT_VALIDATORS
    )
    promised_days = models.PositiveSmallIntegerField(
        _("承诺办结时限（工作日）"),
        validators=LIMIT_VALIDATORS,
        help_text=_("不超过法定时限；受理后按承诺时限计时。"),
    )
    one_visit = models.BooleanField(_("一趟清"), default=False, help_text=_("申请人最多跑一次。"))
    online = models.BooleanField(_("不见面审批（全程网办）"), default=False)
    in_centre = models.BooleanField(_("进驻政务服务中心"), default=False)
    taken_over = models.BooleanField(_("承接市级下放"), default=False)
    taken_over_on = models.DateField(_("承接日期"), null=True, blank=True)
    taken_over_document = models.CharField(_("承接文件文号"), max_length=100, blank=True)
    materials = models.TextField(_("申请材料"), blank=True, help_text=_("每行一项。"))
    fee = models.CharField(
        _("收费标准"), max_length=200, blank=True, help_text=_("留空表示不收费。")
    )
    listed_on = models.DateField(_("纳入目录日期"))
    withdrawn_on = models.DateField(_("取消日期"), null=True, blank=True)
    is_sample = models.BooleanField(_("示例数据"), default=False, editable=False)

    objects = ServiceItemQuerySet.as_manager()

    # The catalogue is read by every member of staff; its department keeps it.
    scope_public = True
    scope_department_fields = ("department",)
    scope_write_department_fields = ("department",)
    scope_owner_fields = ("created_by",)

    class Meta:
        verbose_name = _("政务服务事项")
        verbose_name_plural = _("政务服务事项")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(promised_days__lte=F("statutory_days")),
                name="approvals_item_promised_within_statutory",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def material_list(self) -> list[str]:
        return [line.strip() for line in self.materials.splitlines() if line.strip()]


class CaseClock(DeadlineClock):
    """Where a case stands against its promised deadline."""

    done_key = "concluded"
    done_on_time_label = _("按时办结")
    done_late_label = _("超时办结")
    suspended_label = _("暂停计时（自%(since)s起）")


class CaseQuerySet(ClockedQuerySet):
    def open(self) -> "CaseQuerySet":
        return self.filter(status__in=OPEN_STATUSES)


class Case(ClockedRecord):
    """A case (办件) on the clocked-record kernel: the clock starts on acceptance with the
    item's promised limit, stands while suspended, and is done once the case is concluded."""

    Status = CaseStatus

    item = models.ForeignKey(
        ServiceItem, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="cases"
    )
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("承办部门"),
        on_delete=models.PROTECT,
        related_name="approval_cases",
        editable=False,
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("申请企业"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approval_cases",
    )
    applicant_name = models.CharField(_("申请人"), max_length=100, blank=True)
    applicant_id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    applicant_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("关联项目"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="approval_cases",
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=CaseStatus.choices,
        default=CaseStatus.RECEIVED,
        editable=False,
    )
    received_on = models.DateField(_("收件日期"), editable=False)
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True, editable=False)
    refused_on = models.DateField(_("不予受理日期"), null=True, blank=True, editable=False)
    refusal_reason = models.TextField(_("不予受理理由"), blank=True, editable=False)
    materials_asked_on = models.DateField(_("补正告知日期"), null=True, blank=True, editable=False)
    suspension_kind = models.CharField(
        _("暂停计时事由"),
        max_length=20,
        choices=SuspensionKind.choices,
        blank=True,
        editable=False,
    )
    decision = models.CharField(
        _("决定"), max_length=10, choices=Decision.choices, blank=True, editable=False
    )
    decision_reason = models.TextField(_("决定理由"), blank=True, editable=False)
    decided_on = models.DateField(_("决定日期"), null=True, blank=True, editable=False)
    concluded_on = models.DateField(_("办结日期"), null=True, blank=True, editable=False)
    is_sample = models.BooleanField(_("示例数据"), default=False, editable=False)

    objects = CaseQuerySet.as_manager()

    # No extension: the promised limit is kept, or the case is late.
    extension_days = 0

    running_statuses = RUNNING_STATUSES
    done_statuses = DONE_STATUSES
    done_on_field = "concluded_on"
    clock_class = CaseClock
    arrived_on_field = "received_on"
    step_too_early = _("日期 %(on)s 早于该办件上一次办理记录（%(after)s）。")

    scope_department_fields = ("department",)
    scope_owner_fields = ("handler", "created_by")
    scope_enterprise_field = "enterprise"
    scope_write_enterprise_field = None

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["status", "due_on"], name="approvals_case_due_idx"),
            models.Index(fields=["concluded_on"], name="approvals_case_concluded_idx"),
            # The figures and the same-day count read the concluded cases of a period from it.
            models.Index(
                fields=["status", "concluded_on", "received_on", "department_id"],
                name="approvals_case_done_idx",
            ),
            # The cases refused on a day (今日事项's finished list).
            models.Index(fields=["status", "refused_on"], name="approvals_case_refused_idx"),
            # The list's order (-received_on, -id), read backwards; it serves a filter by date too.
            models.Index(fields=["received_on", "id"], name="approvals_case_list_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(enterprise__isnull=False) | ~Q(applicant_name=""),
                name="approvals_case_has_applicant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.name}（{self.applicant}）" if self.item_id else str(self.pk)

    @property
    def applicant(self) -> str:
        if self.enterprise_id:
            return str(self.enterprise)
        return self.applicant_name

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CaseEvent(StepEvent):
    """One step in a case's life."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("收件")
        ACCEPTED = "accepted", _("受理")
        REFUSED = "refused", _("不予受理")
        REVIEWING = "reviewing", _("审查")
        SUSPENDED = "suspended", _("暂停计时")
        RESUMED = "resumed", _("恢复计时")
        DECIDED = "decided", _("决定")
        CONCLUDED = "concluded", _("办结")

    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)

    class Meta:
        verbose_name = _("办件办理记录")
        verbose_name_plural = _("办件办理记录")
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.on}"

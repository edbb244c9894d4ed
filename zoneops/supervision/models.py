"""Supervision (督查督办): supervised tasks on the clocked-record kernel, their progress with
evidence files, and the inspectors' checklists of the enterprises they liaise with (动态清单)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zoneops.casework.clocks import DeadlineClock
from zoneops.casework.models import ClockedQuerySet, ClockedRecord, StepEvent
from zoneops.common.files import ProtectedFileField, RandomName
from zoneops.common.models import BusinessModel
from zoneops.orgs.people import STAFF_ONLY, STAFF_ONLY_MESSAGES
from zoneops.supervision.enums import RUNNING, TaskSource, TaskStatus


class TaskClock(DeadlineClock):
    done_key = "closed"
    done_on_time_label = _("按期销号")
    done_late_label = _("逾期销号")


# Every status but closed, named: an index on status finds them, where "not closed" reads all.
OPEN_STATUSES = tuple(status for status in TaskStatus if status != TaskStatus.CLOSED)


class TaskQuerySet(ClockedQuerySet):
    def open(self) -> "TaskQuerySet":
        return self.filter(status__in=OPEN_STATUSES)


class SupervisionTask(ClockedRecord):
    """A supervised task (督办事项): handed to a department (交办) with a deadline counted in
    working days from the day after, worked and reported by that department, reviewed and
    closed (销号) by its supervisor. No extension and no suspension: a task sent back (退回)
    keeps its clock."""

    Status = TaskStatus
    Source = TaskSource

    source = models.CharField(_("督办来源"), max_length=12, choices=TaskSource.choices)
    title = models.CharField(_("督办事项"), max_length=200)
    content = models.TextField(_("督办内容"), blank=True)
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("责任部门"),
        on_delete=models.PROTECT,
        related_name="supervision_tasks",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        limit_choices_to=STAFF_ONLY,
        error_messages=STAFF_ONLY_MESSAGES,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_supervision_tasks",
    )
    co_departments = models.ManyToManyField(
        "orgs.Department",
        verbose_name=_("协办部门"),
        related_name="assisted_supervision_tasks",
        blank=True,
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("督办人"),
        limit_choices_to=STAFF_ONLY,
        error_messages=STAFF_ONLY_MESSAGES,
        on_delete=models.PROTECT,
        related_name="supervised_tasks",
        help_text=_("负责复核、退回和销号的人。"),
    )
    assigned_on = models.DateField(_("交办日期"))
    limit_days = models.PositiveSmallIntegerField(_("办理时限（工作日）"))
    due_on = models.DateField(_("办结期限"))
    due_provisional = models.BooleanField(
        _("期限待定"),
        default=False,
        editable=False,
        help_text=_("期限所在年度的节假日尚未录入，暂按周末计算。"),
    )
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=TaskStatus.choices,
        default=TaskStatus.ASSIGNED,
        editable=False,
    )
    signed_on = models.DateField(_("签收日期"), null=True, blank=True, editable=False)
    reported_on = models.DateField(_("反馈日期"), null=True, blank=True, editable=False)
    feedback = models.TextField(_("办理结果"), blank=True, editable=False)
    reviewed_on = models.DateField(_("复核日期"), null=True, blank=True, editable=False)
    closed_on = models.DateField(_("销号日期"), null=True, blank=True, editable=False)
    urge_count = models.PositiveSmallIntegerField(_("催办次数"), default=0, editable=False)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提级至"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escalated_supervision_tasks",
        editable=False,
    )
    escalated_on = models.DateField(_("提级日期"), null=True, blank=True, editable=False)
    # The record it came from: one task per record (转督办 is idempotent).
    decision = models.OneToOneField(
        "meetings.Decision",
        verbose_name=_("会议议定事项"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervision_task",
        editable=False,
    )
    problem = models.OneToOneField(
        "projects.Problem",
        verbose_name=_("项目问题"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervision_task",
        editable=False,
    )
    request = models.OneToOneField(
        "enterprises.EnterpriseRequest",
        verbose_name=_("企业诉求"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervision_task",
        editable=False,
    )
    visit = models.ForeignKey(
        "supervision.ChecklistVisit",
        verbose_name=_("督查走访"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
        editable=False,
    )

    # The kernel's clock counts from `assigned_on`, without extension or suspension.
    clock_from = None
    extension_days = 0
    suspended_since = None
    suspended_days = 0

    objects = TaskQuerySet.as_manager()

    running_statuses = RUNNING
    done_statuses = (TaskStatus.CLOSED,)
    done_on_field = "closed_on"
    clock_class = TaskClock
    clock_start_field = "assigned_on"
    arrived_on_field = "assigned_on"
    step_too_early = _("日期 %(on)s 早于该督办事项上一次办理记录（%(after)s）。")

    # The owner department works it; co-departments, the supervisor and the leader it was
    # escalated to read it; inspectors read everything by their role's scope.
    scope_department_fields = ("department", "co_departments")
    scope_owner_fields = ("created_by", "owner", "supervisor", "escalated_to")
    scope_write_department_fields = ("department",)
    scope_write_owner_fields = ("created_by", "owner", "supervisor")

    class Meta:
        verbose_name = _("督办事项")
        verbose_name_plural = _("督办事项")
        ordering = ["-assigned_on", "-id"]
        indexes = [
            models.Index(fields=["status", "due_on"], name="supervision_task_due_idx"),
            models.Index(fields=["assigned_on", "closed_on"], name="supervision_task_days_idx"),
            models.Index(fields=["assigned_on", "id"], name="supervision_task_list_idx"),
            # The API's order (due_on, id), and the tasks closed on a day or the day assigned.
            models.Index(fields=["due_on", "id"], name="supervision_task_due_on_idx"),
            models.Index(
                fields=["status", "closed_on", "assigned_on", "department_id"],
                name="supervision_task_closed_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class TaskEvent(StepEvent):
    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("交办")
        SIGNED = "signed", _("签收")
        PROGRESS = "progress", _("办理进展")
        REPORTED = "reported", _("反馈")
        REVIEWED = "reviewed", _("复核")
        RETURNED = "returned", _("退回")
        CLOSED = "closed", _("销号")
        URGED = "urged", _("催办")
        ESCALATED = "escalated", _("提级")

    task = models.ForeignKey(
        SupervisionTask, verbose_name=_("督办事项"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)

    class Meta:
        verbose_name = _("督办记录")
        verbose_name_plural = _("督办记录")
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.task_id} {self.kind} {self.on}"


class TaskEvidence(models.Model):
    """A file proving progress (佐证材料), attached to a progress update."""

    event = models.ForeignKey(
        TaskEvent, verbose_name=_("办理记录"), on_delete=models.CASCADE, related_name="evidence"
    )
    # Served only to whoever may read the task (zoneops.common.files), under a random name.
    file = ProtectedFileField(
        _("佐证材料"),
        upload_to=RandomName("supervision/%Y/%m/"),
        owner="event__task",
        name_field="filename",
    )
    filename = models.CharField(_("文件名"), max_length=200, blank=True, editable=False)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename or self.file.name


class Checklist(BusinessModel):
    """The dynamic checklist (动态清单) an inspector keeps on an enterprise he liaises with
    (纪检包联): what to watch, his visits and what they found."""

    enterprise = models.OneToOneField(
        "enterprises.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.PROTECT,
        related_name="supervision_checklist",
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("纪检监察干部"),
        limit_choices_to=STAFF_ONLY,
        error_messages=STAFF_ONLY_MESSAGES,
        on_delete=models.PROTECT,
        related_name="supervision_checklists",
    )
    started_on = models.DateField(_("建立日期"))
    note = models.TextField(_("说明"), blank=True)

    scope_department_fields = ("enterprise__responsible_department",)
    scope_owner_fields = ("created_by", "inspector")
    scope_write_department_fields = ()
    scope_write_owner_fields = ("created_by", "inspector")

    class Meta:
        verbose_name = _("动态清单")
        verbose_name_plural = _("动态清单")
        ordering = ["enterprise", "id"]

    def __str__(self) -> str:
        return str(self.enterprise)


class ChecklistItem(models.Model):
    checklist = models.ForeignKey(
        Checklist, verbose_name=_("动态清单"), on_delete=models.CASCADE, related_name="items"
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    text = models.CharField(_("督查事项"), max_length=200)
    closed_on = models.DateField(_("完成日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("清单事项")
        verbose_name_plural = _("清单事项")
        ordering = ["checklist", "order", "id"]

    def __str__(self) -> str:
        return self.text


class ChecklistVisit(BusinessModel):
    checklist = models.ForeignKey(
        Checklist, verbose_name=_("动态清单"), on_delete=models.CASCADE, related_name="visits"
    )
    visited_on = models.DateField(_("走访日期"))
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("纪检监察干部"),
        limit_choices_to=STAFF_ONLY,
        error_messages=STAFF_ONLY_MESSAGES,
        on_delete=models.PROTECT,
        related_name="supervision_visits",
    )
    findings = models.TextField(_("发现问题"))

    scope_department_fields = ("checklist__enterprise__responsible_department",)
    scope_owner_fields = ("created_by", "inspector", "checklist__inspector")
    scope_write_department_fields = ()
    scope_write_owner_fields = ("created_by", "inspector", "checklist__inspector")

    class Meta:
        verbose_name = _("督查走访")
        verbose_name_plural = _("督查走访")
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.checklist} {self.visited_on}"

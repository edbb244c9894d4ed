"""Problems (问题清单) raised on a project, routed to a department with a working-day limit."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zoneops.casework.clocks import DeadlineClock
from zoneops.casework.models import ClockedQuerySet, ClockedRecord, StepEvent
from zoneops.orgs.people import STAFF_ONLY, STAFF_ONLY_MESSAGES
from zoneops.projects.enums import BlockerKind, BlockerTopic, ProblemStatus


class ProblemClock(DeadlineClock):
    """Where a problem stands against its deadline on a day (the common clock; `level` None
    once it is resolved, `on_time` then says whether it was resolved by its deadline)."""

    done_key = "resolved"
    done_on_time_label = _("按期解决")
    done_late_label = _("逾期解决")


class ProblemQuerySet(ClockedQuerySet):
    def open(self) -> "ProblemQuerySet":
        return self.exclude(status=Problem.Status.RESOLVED)


class Problem(ClockedRecord):
    """A problem on the clocked-record kernel: its clock counts from `routed_on` (no column
    `clock_from`), with no extension and no suspension; it runs until the problem is resolved,
    and a reroute with a new limit or a reopening starts a new round."""

    Status = ProblemStatus

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("项目"),
        on_delete=models.CASCADE,
        related_name="problems",
    )
    title = models.CharField(_("问题"), max_length=200)
    description = models.TextField(_("问题描述"), blank=True)
    kind = models.CharField(_("类别"), max_length=20, choices=BlockerKind.choices)
    topic = models.CharField(_("领域"), max_length=20, choices=BlockerTopic.choices)
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("责任部门"),
        on_delete=models.PROTECT,
        related_name="project_problems",
    )
    raised_on = models.DateField(_("提出日期"))
    routed_on = models.DateField(_("交办日期"))
    limit_days = models.PositiveSmallIntegerField(_("办理时限（工作日）"))
    due_on = models.DateField(_("办结期限"), editable=False)
    due_provisional = models.BooleanField(
        _("期限待定"),
        default=False,
        editable=False,
        help_text=_("期限所在年度的节假日尚未录入，暂按周末计算。"),
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.ROUTED, editable=False
    )
    resolved_on = models.DateField(_("解决日期"), null=True, blank=True, editable=False)
    resolution = models.TextField(_("解决情况"), blank=True, editable=False)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提级至"),
        limit_choices_to=STAFF_ONLY,
        error_messages=STAFF_ONLY_MESSAGES,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escalated_problems",
        editable=False,
    )
    escalated_on = models.DateField(_("提级日期"), null=True, blank=True, editable=False)
    blocker = models.ForeignKey(
        "blockers.SystemicBlocker",
        verbose_name=_("共性堵点"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="problems",
        editable=False,
    )

    # The kernel's clock without its extension and suspension columns.
    clock_from = None
    extension_days = 0
    suspended_since = None
    suspended_days = 0

    objects = ProblemQuerySet.as_manager()

    running_statuses = (ProblemStatus.ROUTED, ProblemStatus.IN_PROGRESS)
    done_statuses = (ProblemStatus.RESOLVED,)
    done_on_field = "resolved_on"
    clock_class = ProblemClock
    clock_start_field = "routed_on"
    arrived_on_field = "raised_on"
    step_too_early = _("日期 %(on)s 早于该问题上一次办理记录（%(after)s）。")

    scope_department_fields = ("department", "project__responsible_department")
    scope_owner_fields = (
        "created_by",
        "project__owner",
        "project__liaison_leader",
        "escalated_to",
    )
    scope_enterprise_field = "project__investor_enterprise"

    class Meta:
        verbose_name = _("项目问题")
        verbose_name_plural = _("问题清单")
        ordering = ["-raised_on", "-id"]
        indexes = [
            models.Index(fields=["status", "due_on"], name="projects_problem_due_idx"),
            models.Index(fields=["raised_on", "id"], name="projects_problem_list_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class ProblemEvent(StepEvent):
    """One step in a problem's life: raised, routed, rerouted, a progress note, escalated,
    resolved — who, when, from which department to which."""

    class Kind(models.TextChoices):
        RAISED = "raised", _("提出并交办")
        REROUTED = "rerouted", _("改派")
        NOTE = "note", _("进展")
        ESCALATED = "escalated", _("提级")
        RESOLVED = "resolved", _("解决")
        REOPENED = "reopened", _("重新办理")

    problem = models.ForeignKey(
        Problem, verbose_name=_("问题"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)

    class Meta:
        verbose_name = _("问题办理记录")
        verbose_name_plural = _("问题办理记录")
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.problem_id} {self.kind} {self.on}"

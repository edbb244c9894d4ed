"""Key-project scheduling (重点项目调度): milestone plans, annual investment plans, monthly
progress reports (月度调度) and the command headquarters (项目指挥部)."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zoneops.common.amounts import AmountField
from zoneops.common.files import ProtectedImageField, RandomName
from zoneops.common.inputs import DateKind
from zoneops.common.models import BusinessModel
from zoneops.common.scope import ScopedQuerySet
from zoneops.orgs.people import STAFF_ONLY, STAFF_ONLY_MESSAGES
from zoneops.projects.enums import ProgressReportStatus


class MilestoneQuerySet(ScopedQuerySet):
    def overdue(self, *, as_of: date) -> "MilestoneQuerySet":
        """The zone's one rule for a late milestone (滞后节点): planned before `as_of`, not
        reached by then, of a project not dropped by then. `Milestone.is_overdue` says the
        same of one row."""
        return (
            self.filter(planned_on__lt=as_of)
            .filter(Q(actual_on__isnull=True) | Q(actual_on__gt=as_of))
            .exclude(project__terminated_on__lte=as_of)
        )


class Milestone(BusinessModel):
    """A node of a project's plan (e.g. 土地摘牌, 主体封顶, 设备安装, 竣工验收)."""

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("项目"),
        on_delete=models.CASCADE,
        related_name="milestones",
    )
    name = models.CharField(_("节点"), max_length=100)
    planned_on = models.DateField(_("计划完成日期"))
    actual_on = models.DateField(_("实际完成日期"), null=True, blank=True)
    responsible_department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("责任部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="milestones",
    )
    responsible_person = models.CharField(_("责任人"), max_length=50, blank=True)
    order = models.PositiveIntegerField(_("排序"), default=0)
    note = models.TextField(_("说明"), blank=True)

    scope_department_fields = ("responsible_department", "project__responsible_department")
    scope_owner_fields = ("created_by", "project__owner", "project__liaison_leader")
    scope_enterprise_field = "project__investor_enterprise"
    date_kinds = {"actual_on": DateKind.PAST}  # a node is reached today or earlier

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目节点")
        verbose_name_plural = _("项目节点")
        ordering = ["project", "order", "planned_on", "id"]
        indexes = [
            models.Index(fields=["planned_on", "actual_on"], name="projects_milestone_due_idx"),
            # The day's page: the open milestones due by a day, the ones reached on a day (not
            # every milestone planned before it).
            models.Index(fields=["actual_on", "planned_on"], name="projects_milestone_open_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def is_overdue(self, *, as_of: date) -> bool:
        """`MilestoneQuerySet.overdue` for this row (reads its project's 终止 date)."""
        if self.planned_on >= as_of:
            return False
        if self.actual_on is not None and self.actual_on <= as_of:
            return False
        terminated_on = self.project.terminated_on
        return terminated_on is None or terminated_on > as_of


class AnnualPlan(BusinessModel):
    """The investment a project plans to complete in a year (年度计划投资)."""

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("项目"),
        on_delete=models.CASCADE,
        related_name="annual_plans",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    planned_investment = AmountField(_("年度计划投资（万元）"), maximum=10_000_000)
    note = models.CharField(_("年度建设目标"), max_length=300, blank=True)

    scope_department_fields = ("project__responsible_department",)
    scope_owner_fields = ("created_by", "project__owner", "project__liaison_leader")
    scope_enterprise_field = "project__investor_enterprise"

    class Meta:
        verbose_name = _("年度投资计划")
        verbose_name_plural = _("年度投资计划")
        ordering = ["-year", "project"]
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="projects_annual_plan_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.year}"


class ProgressReport(BusinessModel):
    """A key project's monthly report (月度调度): one per project per month."""

    Status = ProgressReportStatus

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("项目"),
        on_delete=models.CASCADE,
        related_name="progress_reports",
    )
    month = models.DateField(_("月份"), help_text=_("该月的第一天，如 2019-10-01 表示 2019年10月"))
    # At most 100亿元 in a month, 1000亿元 in a year or since the start (a project's bound).
    invested_month = AmountField(_("本月完成投资（万元）"), default=0, maximum=1_000_000)
    invested_year = AmountField(_("本年累计完成投资（万元）"), default=0, maximum=10_000_000)
    invested_total = AmountField(_("开工累计完成投资（万元）"), default=0, maximum=10_000_000)
    year_plan = AmountField(_("年度计划投资（万元）"), null=True, blank=True, maximum=10_000_000)
    progress = models.TextField(_("形象进度"), blank=True)
    problems = models.TextField(_("存在问题"), blank=True)
    next_steps = models.TextField(_("下步计划"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    scope_department_fields = ("project__responsible_department",)
    scope_owner_fields = ("created_by", "project__owner", "project__liaison_leader")
    scope_enterprise_field = "project__investor_enterprise"

    class Meta:
        verbose_name = _("月度调度")
        verbose_name_plural = _("月度调度")
        # The project's id, not the project: the same order (a project sorts by -id) read from
        # this table's index instead of a join.
        ordering = ["-month", "-project_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "month"], name="projects_progress_report_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["month", "status"], name="projects_report_month_idx"),
            # The list's order (-month, -project), read backwards.
            models.Index(fields=["month", "project", "id"], name="projects_report_list_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.month:%Y-%m}"


class ProgressPhoto(models.Model):
    report = models.ForeignKey(
        ProgressReport, verbose_name=_("月度调度"), on_delete=models.CASCADE, related_name="photos"
    )
    # Served only to whoever may read the report (zoneops.common.files), under a random name.
    image = ProtectedImageField(
        _("现场照片"),
        upload_to=RandomName("progress/%Y/%m/"),
        owner="report",
        name_field="filename",
    )
    filename = models.CharField(_("文件名"), max_length=200, blank=True, editable=False)
    caption = models.CharField(_("说明"), max_length=100, blank=True)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("现场照片")
        verbose_name_plural = _("现场照片")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.caption or self.filename or self.image.name


class CommandHQ(BusinessModel):
    """A project command headquarters (项目指挥部) for the largest projects."""

    name = models.CharField(_("指挥部名称"), max_length=100, unique=True)
    commander = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("指挥长"),
        limit_choices_to=STAFF_ONLY,
        error_messages=STAFF_ONLY_MESSAGES,
        on_delete=models.PROTECT,
        related_name="commanded_hqs",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("成员"),
        related_name="hq_memberships",
        blank=True,
        limit_choices_to=STAFF_ONLY,
    )
    projects = models.ManyToManyField(
        "projects.Project", verbose_name=_("项目"), related_name="command_hqs", blank=True
    )
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    duties = models.TextField(_("职责"), blank=True)

    # Every colleague reads the command HQs; the commander and whoever set it up change it.
    scope_public = True
    scope_write_owner_fields = ("created_by", "commander")
    date_kinds = {"established_on": DateKind.FOUNDED}

    class Meta:
        verbose_name = _("项目指挥部")
        verbose_name_plural = _("项目指挥部")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

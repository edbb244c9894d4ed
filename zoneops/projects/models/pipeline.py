"""Investment projects, their stage moves and key-project designations."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from zoneops.common.amounts import AmountField
from zoneops.common.models import BusinessModel
from zoneops.common.scope import ScopedQuerySet
from zoneops.orgs.people import STAFF_ONLY, STAFF_ONLY_MESSAGES
from zoneops.orgs.roles import LEADER_ROLES
from zoneops.projects.enums import KeyLevel, SourceChannel, Stage


class ProjectQuerySet(ScopedQuerySet):
    def in_stage(self, *stages: str) -> "ProjectQuerySet":
        return self.filter(stage__in=stages)

    def key_in(self, year: int) -> "ProjectQuerySet":
        return self.filter(key_designations__year=year).distinct()


class Project(BusinessModel):
    code = models.CharField(_("项目编号"), max_length=20, unique=True)
    name = models.CharField(_("项目名称"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("所属项目"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="phases",
        help_text=_("分期建设时，一期、二期、三期各为一个子项目，各有自己的阶段。"),
    )
    phase = models.CharField(_("分期"), max_length=20, blank=True, help_text=_("如 一期"))
    investor_name = models.CharField(_("投资方"), max_length=200, blank=True)
    investor_country = models.CharField(_("投资方国家或地区"), max_length=50, default="中国")
    investor_enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("投资方企业（已注册）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
    )
    source_channel = models.CharField(
        _("项目来源"), max_length=20, choices=SourceChannel.choices, default=SourceChannel.VISIT
    )
    industry = models.ForeignKey(
        "industry.IndustryCategory",
        verbose_name=_("产业"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
    )
    park = models.ForeignKey(
        "parks.Park",
        verbose_name=_("落地园区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
    )
    chain_node = models.ForeignKey(
        "industry.ChainNode",
        verbose_name=_("产业链环节"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        help_text=_("项目落在或补上的产业链环节。"),
    )
    own_site = models.BooleanField(_("独立选址"), default=False)
    is_tech = models.BooleanField(
        _("科技型项目"),
        default=False,
        help_text=_("科技型中小企业、研发类项目等：投资额低于小型项目标准时按规则进孵化器。"),
    )
    # Bounds a zone would recognise for one project: 1000亿元, or 100亿美元 of foreign capital.
    total_investment = AmountField(_("总投资（万元）"), default=0, maximum=10_000_000)
    fixed_asset_investment = AmountField(
        _("固定资产投资（万元）"), null=True, blank=True, maximum=10_000_000
    )
    foreign_investment_usd = AmountField(
        _("利用外资（万美元）"), null=True, blank=True, maximum=1_000_000
    )
    land_mu = models.DecimalField(
        _("用地（亩）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    expected_output = AmountField(
        _("预计年产值（万元）"), null=True, blank=True, maximum=10_000_000
    )
    expected_tax = AmountField(_("预计年税收（万元）"), null=True, blank=True, maximum=10_000_000)
    contacts = models.TextField(_("联系人"), blank=True)
    description = models.TextField(_("建设内容"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("招商专员"),
        limit_choices_to=STAFF_ONLY,
        error_messages=STAFF_ONLY_MESSAGES,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_projects",
    )
    liaison_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("包联领导"),
        limit_choices_to=STAFF_ONLY,
        error_messages=STAFF_ONLY_MESSAGES,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="liaison_projects",
    )
    responsible_department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("责任部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
    )
    # The current stage and the dates that follow from the moves (kept by project_move_stage).
    stage = models.CharField(
        _("当前阶段"), max_length=20, choices=Stage.choices, default=Stage.LEAD, editable=False
    )
    stage_since = models.DateField(_("进入当前阶段日期"), null=True, editable=False)
    signed_on = models.DateField(_("签约日期"), null=True, blank=True, editable=False)
    started_on = models.DateField(_("开工日期"), null=True, blank=True, editable=False)
    completed_on = models.DateField(_("竣工日期"), null=True, blank=True, editable=False)
    production_on = models.DateField(_("投产日期"), null=True, blank=True, editable=False)
    terminated_on = models.DateField(_("终止日期"), null=True, blank=True, editable=False)
    termination_reason = models.TextField(_("终止原因"), blank=True, editable=False)
    is_sample = models.BooleanField(
        _("示例数据"), default=False, help_text=_("演示用的生成记录，并非真实项目。")
    )

    objects = ProjectQuerySet.as_manager()

    scope_department_fields = ("responsible_department",)
    scope_owner_fields = ("created_by", "owner", "liaison_leader")
    scope_enterprise_field = "investor_enterprise"

    class Meta:
        verbose_name = _("招商项目")
        verbose_name_plural = _("招商项目")
        ordering = ["-id"]
        indexes = [
            # By stage, largest first: the board's cards (the first 30 of each stage) and its
            # totals by stage read from the index alone, without sorting every project.
            models.Index(fields=["stage", "-total_investment", "id"], name="projects_stage_idx"),
            # The chain map counts each node's projects by stage from the index alone.
            models.Index(fields=["chain_node", "stage"], name="projects_node_stage_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        leader = self.liaison_leader if self.liaison_leader_id else None
        if leader is not None and not leader.role_codes & LEADER_ROLES:
            raise ValidationError(
                {"liaison_leader": _("包联领导须为管委会领导（%(who)s 不是）。") % {"who": leader}}
            )


class StageMoveQuerySet(models.QuerySet):
    def registrations(self) -> "StageMoveQuerySet":
        """The moves that registered a project: from no stage, one per project and its first
        (every later move is on or after it: `check_move_date`)."""
        return self.filter(from_stage="")


class StageMove(models.Model):
    """One move of a project along the pipeline: the event every summary as of a date reads."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="stage_moves"
    )
    from_stage = models.CharField(
        _("原阶段"), max_length=20, choices=Stage.choices, blank=True, default=""
    )
    to_stage = models.CharField(_("新阶段"), max_length=20, choices=Stage.choices)
    moved_on = models.DateField(_("发生日期"))
    # The day the project moved on from this stage (the next move's day; moves only go forward
    # in time), empty while it is still here: time in stage is then one plain sum per stage.
    left_on = models.DateField(_("离开本阶段日期"), null=True, blank=True, editable=False)
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("说明"), blank=True)
    backdate_reason = models.CharField(_("补登原因"), max_length=200, blank=True)

    objects = StageMoveQuerySet.as_manager()

    class Meta:
        verbose_name = _("阶段变更")
        verbose_name_plural = _("阶段变更")
        ordering = ["moved_on", "id"]
        indexes = [
            models.Index(fields=["project", "moved_on", "id"], name="projects_move_project_idx"),
            models.Index(fields=["to_stage", "moved_on"], name="projects_move_stage_idx"),
            # The registrations of a period (the moves from no stage): the funnel's projects.
            models.Index(
                fields=["moved_on", "project"],
                condition=models.Q(from_stage=""),
                name="projects_move_registered_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.from_stage or '-'} → {self.to_stage} @ {self.moved_on}"


class KeyDesignation(models.Model):
    """A project listed as a key project of a level in a year (省/市/区重点)."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="key_designations"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    level = models.CharField(_("级别"), max_length=10, choices=KeyLevel.choices)

    class Meta:
        verbose_name = _("重点项目认定")
        verbose_name_plural = _("重点项目认定")
        ordering = ["-year", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "year", "level"], name="projects_key_designation_unique"
            ),
        ]
        # A year's key projects are read by the year (the lights, the scheduling page).
        indexes = [models.Index(fields=["year", "project"], name="projects_key_year_idx")]

    def __str__(self) -> str:
        return f"{self.year} {self.get_level_display()}"

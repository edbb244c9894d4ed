"""Targets set from above (上级任务): a rule over the records, followed automatically."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from zoneops.common.amounts import AmountField
from zoneops.common.models import BusinessModel
from zoneops.projects.enums import Stage
from zoneops.targets.kinds import target_kind_choices

LANDING_CHOICES = [
    (stage.value, stage.label)
    for stage in (
        Stage.SIGNED,
        Stage.PLANNED_START,
        Stage.STARTED,
        Stage.COMPLETED,
        Stage.IN_PRODUCTION,
    )
]


class Target(BusinessModel):
    """E.g. 每个县区每年至少落地3个5亿元以上工业项目 (市委市政府), one per year."""

    name = models.CharField(_("任务名称"), max_length=200)
    kind = models.CharField(_("任务类型"), max_length=30, choices=target_kind_choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    required_count = models.PositiveIntegerField(_("目标个数"))
    min_investment = AmountField(
        _("投资额下限（万元）"),
        default=0,
        maximum=10_000_000,
        help_text=_("总投资达到此数的项目才计入，如 5亿元 填 50000。"),
    )
    industrial_only = models.BooleanField(
        _("仅工业项目"), default=True, help_text=_("产业属于采矿业、制造业或电力热力燃气及水。")
    )
    landing_stage = models.CharField(
        _("落地标准"),
        max_length=20,
        choices=LANDING_CHOICES,
        default=Stage.SIGNED,
        help_text=_("项目当年首次达到此阶段（或更后的阶段）即计为落地。"),
    )
    issuer = models.CharField(
        _("下达单位"), max_length=100, blank=True, help_text=_("如 市委市政府")
    )
    document = models.CharField(_("依据文件"), max_length=200, blank=True)
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("牵头部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="targets",
    )
    note = models.TextField(_("说明"), blank=True)
    is_sample = models.BooleanField(_("示例数据"), default=False)

    # Every colleague reads the targets; the lead department and whoever set one keep it.
    scope_public = True
    scope_department_fields = ("department",)

    class Meta:
        verbose_name = _("上级任务")
        verbose_name_plural = _("上级任务")
        ordering = ["-year", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "year"], name="targets_name_year_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"

    def clean(self) -> None:
        super().clean()
        if self.required_count is not None and self.required_count < 1:
            raise ValidationError({"required_count": _("“目标个数”至少为 1。")})

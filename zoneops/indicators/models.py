"""The zone's economic indicators (经济运行): what each measures, its monthly figures as
statistics report them (1-N月 cumulative, or the month's end) and its yearly targets.

Growth (同比, 环比), the single month (当月) and the share of the target are never stored:
the selectors work them out from the figures.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from zoneops.common.inputs import FIRST_YEAR, LAST_YEAR
from zoneops.common.models import BusinessModel
from zoneops.common.scope import ScopedQuerySet
from zoneops.enterprises.enums import STOCK_METRICS, Metric
from zoneops.indicators.enums import ROLL_UP_UNITS, IndicatorKind

# A zone's largest figure: 1万亿元 of revenue is 10^8 万元; any unit's value stays within 10^12
# with four places (16 digits would not come back exactly from SQLite).
VALUE_LIMIT = Decimal(10) ** 10
VALUE_PLACES = 4


def _value_field(verbose_name: object, **kwargs: object) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=10 + VALUE_PLACES,
        decimal_places=VALUE_PLACES,
        validators=[MinValueValidator(-VALUE_LIMIT + 1), MaxValueValidator(VALUE_LIMIT - 1)],
        **kwargs,  # type: ignore[arg-type]
    )


class IndicatorQuerySet(ScopedQuerySet):
    def typed(self) -> "IndicatorQuerySet":
        """The indicators whose figures are entered (not summed from the enterprises')."""
        return self.filter(enterprise_metric="")

    def rolled_up(self) -> "IndicatorQuerySet":
        return self.exclude(enterprise_metric="")


class Indicator(BusinessModel):
    """E.g. 全部财政收入 (亿元, a flow kept by 财政局), 整车产量 (万台)."""

    code = models.CharField(
        _("指标编码"),
        max_length=30,
        unique=True,
        validators=[
            RegexValidator(r"^[A-Za-z0-9_.-]+$", _("“指标编码”只能由字母、数字和 _ . - 组成。"))
        ],
        error_messages={"unique": _("这个指标编码已被使用。")},
    )
    name = models.CharField(
        _("指标名称"),
        max_length=100,
        unique=True,
        error_messages={"unique": _("已有同名指标。")},
    )
    unit = models.CharField(_("计量单位"), max_length=20, help_text=_("如 亿元、万元、万台、%"))
    kind = models.CharField(
        _("指标类型"), max_length=10, choices=IndicatorKind.choices, default=IndicatorKind.FLOW
    )
    higher_is_better = models.BooleanField(
        _("越大越好"), default=True, help_text=_("能耗等越小越好的指标取消勾选。")
    )
    places = models.PositiveSmallIntegerField(
        _("小数位数"), default=2, validators=[MaxValueValidator(VALUE_PLACES)]
    )
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("数据来源部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
    )
    enterprise_metric = models.CharField(
        _("由企业经济数据汇总"),
        max_length=20,
        choices=Metric.choices,
        blank=True,
        help_text=_(
            "选择后，该指标每月的数值为各企业该项1-N月数据之和（单位为万元、亿元、人或万人），"
            "不再录入。"
        ),
    )
    position = models.PositiveSmallIntegerField(_("排序"), default=100)
    note = models.TextField(_("说明"), blank=True)
    is_sample = models.BooleanField(_("示例数据"), default=False)

    objects = IndicatorQuerySet.as_manager()

    # Every colleague reads the zone's figures; the source department and whoever added an
    # indicator keep it (the statistician, zone-wide, keeps all).
    scope_public = True
    scope_department_fields = ("department",)

    class Meta:
        verbose_name = _("经济指标")
        verbose_name_plural = _("经济指标")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"

    @property
    def is_flow(self) -> bool:
        return self.kind == IndicatorKind.FLOW

    @property
    def is_rolled_up(self) -> bool:
        return bool(self.enterprise_metric)

    def roll_up_scale(self) -> int:
        """How many of the enterprises' figures (万元, 人) make one of this unit."""
        family = "people" if self.enterprise_metric in STOCK_METRICS else "amount"
        return ROLL_UP_UNITS[family][self.unit]

    def clean(self) -> None:
        super().clean()
        if not self.enterprise_metric:
            return
        family = "people" if self.enterprise_metric in STOCK_METRICS else "amount"
        units = ROLL_UP_UNITS[family]
        errors = {}
        if self.unit not in units:
            errors["unit"] = _("由企业“%(metric)s”汇总的指标，单位应为 %(units)s。") % {
                "metric": Metric(self.enterprise_metric).label,
                "units": "、".join(units),
            }
        kind = IndicatorKind.STOCK if family == "people" else IndicatorKind.FLOW
        if self.kind != kind:
            errors["kind"] = _("由企业“%(metric)s”汇总的指标，类型应为“%(kind)s”。") % {
                "metric": Metric(self.enterprise_metric).label,
                "kind": kind.label,
            }
        if errors:
            raise ValidationError(errors)


class IndicatorValue(BusinessModel):
    """One month of an indicator: 1-N月 cumulative for a flow, the month's end for a stock."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="values"
    )
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
    )
    month = models.PositiveSmallIntegerField(
        _("月份"),
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("流量指标填1月至该月的累计数（12月即全年），存量指标填月末数。"),
    )
    value = _value_field(_("数值"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    is_sample = models.BooleanField(_("示例数据"), default=False)

    scope_public = True
    scope_department_fields = ("indicator__department",)
    scope_write_parent = "indicator"

    class Meta:
        verbose_name = _("指标数值")
        verbose_name_plural = _("指标数值")
        ordering = ["indicator", "-year", "-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "month"],
                name="indicators_value_unique_month",
                violation_error_message=_("该指标这个月的数值已登记，请修改原记录。"),
            ),
        ]
        indexes = [models.Index(fields=["year", "month"], name="indicators_value_period_idx")]

    def __str__(self) -> str:
        return f"{self.indicator.name} {self.year}-{self.month:02d}"


class IndicatorTarget(BusinessModel):
    """A year's target of an indicator: the whole year's 1-12月 for a flow, the year's end for
    a stock (e.g. 主营业务收入 1000亿元 in 2019, the 千亿级开发区)."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="targets"
    )
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
    )
    value = _value_field(_("目标值"))
    note = models.CharField(_("依据"), max_length=200, blank=True, help_text=_("如 年度工作报告"))
    is_sample = models.BooleanField(_("示例数据"), default=False)

    scope_public = True
    scope_department_fields = ("indicator__department",)
    scope_write_parent = "indicator"

    class Meta:
        verbose_name = _("指标年度目标")
        verbose_name_plural = _("指标年度目标")
        ordering = ["indicator", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year"],
                name="indicators_target_unique_year",
                violation_error_message=_("该指标这一年的目标已登记，请修改原记录。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.name} {self.year}"

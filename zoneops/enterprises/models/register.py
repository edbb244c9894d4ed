"""Enterprises of the zone, their periodic figures and who liaises with them (包联).

Periodic figures follow Chinese statistics: a monthly row holds the year-to-date cumulative
("1-N月累计") as enterprises report it, not the month's own value. So a January–February
report is simply a row for month 2, the 1-N月 figure is read as stored, the month's own value
is the difference of two cumulatives, and the year-on-year change compares 1-N月 with 1-N月 of
the year before. Employees are a stock: the row holds the head count at the end of the period.
A row without a month is the year's own report (年报); where it is missing, December's
cumulative stands for the year.
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zoneops.common.amounts import AmountField
from zoneops.common.inputs import FIRST_YEAR, LAST_YEAR, DateKind
from zoneops.common.models import BusinessModel
from zoneops.common.periods import Period
from zoneops.common.scope import ScopedQuerySet
from zoneops.enterprises.enums import LiaisonKind, LiaisonLevel
from zoneops.enterprises.validators import validate_credit_code, validate_industry_code
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.people import STAFF_ONLY, STAFF_ONLY_MESSAGES
from zoneops.orgs.roles import LEADER_ROLES


class Enterprise(BusinessModel):
    name = models.CharField(_("企业名称"), max_length=200, unique=True)
    former_names = models.TextField(_("曾用名"), blank=True, help_text=_("每行一个。"))
    credit_code = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_credit_code],
        help_text=_("18位，按 GB 32100-2015 校验第18位校验码；筹建中尚未登记的企业可暂缺。"),
    )
    legal_representative = models.CharField(_("法定代表人"), max_length=50, blank=True)
    registered_capital = AmountField(  # up to 1000亿元
        _("注册资本（万元）"), null=True, blank=True, maximum=10_000_000
    )
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    park = models.ForeignKey(
        "parks.Park",
        verbose_name=_("所在园区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enterprises",
    )
    park_unit = models.CharField(
        _("园区内位置"), max_length=50, blank=True, help_text=_("楼栋、厂房或地块，如 A3栋")
    )
    responsible_department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("服务责任部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("负责服务该企业、维护其名录信息并安排包联的部门（如企业服务局）。"),
    )
    industry = models.ForeignKey(
        "industry.IndustryCategory",
        verbose_name=_("产业"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enterprises",
    )
    industry_code = models.CharField(
        _("国民经济行业代码"),
        max_length=5,
        blank=True,
        validators=[validate_industry_code],
        help_text=_("GB/T 4754-2017，如 C3670 汽车零部件及配件制造。"),
    )
    chain_nodes = models.ManyToManyField(
        "industry.ChainNode",
        verbose_name=_("产业链环节"),
        related_name="enterprises",
        blank=True,
        help_text=_("企业在本区产业链上所处的环节（可多选）。"),
    )
    country = models.CharField(_("来源国家或地区"), max_length=50, default="中国")
    is_above_scale_industry = models.BooleanField(_("规上工业"), default=False)
    is_above_quota_trade = models.BooleanField(_("限上"), default=False)
    is_high_tech = models.BooleanField(_("高新技术企业"), default=False)
    is_specialized = models.BooleanField(_("专精特新"), default=False)
    is_tech_sme = models.BooleanField(_("科技型中小企业"), default=False)
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    note = models.TextField(_("备注"), blank=True)
    is_sample = models.BooleanField(
        _("示例数据"), default=False, help_text=_("演示用的生成记录，并非真实企业。")
    )

    # One register for the whole committee; an enterprise user reaches only his own. It is
    # kept by the enterprise's responsible department, the department managing its park, whoever
    # registered it and those who liaise with it (a scope provider), not by every reader.
    scope_public = True
    scope_enterprise_field = "id"
    scope_write_department_fields = ("responsible_department", "park__managing_department")

    # The history that BusinessModel gives every record also keeps its chain nodes.
    _history_m2m_fields = ["chain_nodes"]
    date_kinds = {"established_on": DateKind.FOUNDED}

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["name"]
        indexes = [
            # The 规上 ones (about one in five), read whole by the chain map's counts.
            models.Index(
                fields=["id"],
                condition=models.Q(is_above_scale_industry=True),
                name="enterprises_above_scale_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def former_name_list(self) -> list[str]:
        return [line.strip() for line in self.former_names.splitlines() if line.strip()]


def period_label(year: int, month: int | None) -> str:
    """2019, 10 → "2019年1-10月" (a cumulative); 2019, None → "2019年"."""
    return Period.reported(year, month).label


class EnterpriseFigureQuerySet(ScopedQuerySet):
    def of_period(self, year: int, month: int | None) -> "EnterpriseFigureQuerySet":
        """The rows that stand for a period: 1-N月 is month N's row; a year is its own report,
        else December's cumulative for the enterprises that have no year report."""
        if month is not None:
            return self.filter(year=year, month=month)
        own_report = EnterpriseFigure.objects.filter(
            enterprise=models.OuterRef("enterprise"), year=year, month__isnull=True
        )
        return self.filter(year=year).filter(
            Q(month__isnull=True) | (Q(month=12) & ~models.Exists(own_report))
        )


class EnterpriseFigure(BusinessModel):
    """An enterprise's figures for a period: 1-N月 cumulative for a month, or the year."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="figures"
    )
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
    )
    month = models.PositiveSmallIntegerField(
        _("月份"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("填月份时各项为1月至该月的累计数（从业人员为月末人数）；空为全年。"),
    )
    # A year of one enterprise: at most 1万亿元 of revenue, output or exports, 1000亿元 of tax
    # or R&D, a million people.
    revenue = AmountField(_("营业收入（万元）"), null=True, blank=True, maximum=100_000_000)
    output_value = AmountField(_("工业总产值（万元）"), null=True, blank=True, maximum=100_000_000)
    tax = AmountField(_("税收（万元）"), null=True, blank=True, maximum=10_000_000)
    employees = models.PositiveIntegerField(
        _("从业人员（人）"), null=True, blank=True, validators=[MaxValueValidator(1_000_000)]
    )
    rnd_spending = AmountField(_("研发费用（万元）"), null=True, blank=True, maximum=10_000_000)
    exports = AmountField(_("出口交货值（万元）"), null=True, blank=True, maximum=100_000_000)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = EnterpriseFigureQuerySet.as_manager()

    # Figures are the enterprise's business: those who liaise with it (a registered scope
    # provider), its responsible department and the one that manages its park, whoever entered
    # them, the enterprise. They are written by those who may write the enterprise.
    scope_department_fields = (
        "enterprise__responsible_department",
        "enterprise__park__managing_department",
    )
    scope_enterprise_field = "enterprise"
    scope_write_parent = "enterprise"

    class Meta:
        verbose_name = _("企业经济数据")
        verbose_name_plural = _("企业经济数据")
        ordering = ["enterprise", "-year", models.F("month").desc(nulls_first=True)]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "year", "month"],
                name="enterprises_figure_unique_month",
                violation_error_message=_("该企业这一期的数据已登记，请修改原记录。"),
            ),
            models.UniqueConstraint(
                fields=["enterprise", "year"],
                condition=Q(month__isnull=True),
                name="enterprises_figure_unique_year",
                violation_error_message=_("该企业这一年的全年数据已登记，请修改原记录。"),
            ),
        ]
        indexes = [
            models.Index(fields=["year", "month"], name="enterprises_figure_period_idx"),
            # The back-office list's order (-year, -id): a million rows are not sorted by name.
            models.Index(fields=["year", "id"], name="enterprises_figure_list_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.period_label}"

    @property
    def period_label(self) -> str:
        return period_label(self.year, self.month)


class LiaisonQuerySet(ScopedQuerySet):
    def active(self, *, on: date) -> "LiaisonQuerySet":
        """Assignments in force on the day: begun, and not ended before it."""
        return self.filter(started_on__lte=on).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=on)
        )


class LiaisonAssignment(BusinessModel):
    """A leader, a department or an inspector assigned to liaise with an enterprise (包联).

    An assignment that ends keeps its row with the day it ended: who liaised when stays on
    record. A project's liaison is the project's own 包联领导 and 责任部门 (not kept here).
    """

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.CASCADE, related_name="liaisons"
    )
    kind = models.CharField(_("包联类型"), max_length=12, choices=LiaisonKind.choices)
    level = models.CharField(
        _("包联层级"),
        max_length=16,
        choices=LiaisonLevel.choices,
        default=LiaisonLevel.DISTRICT,
        help_text=_("省市确定的包联企业名单，或区里自行纳入包联的企业。"),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("包联人"),
        limit_choices_to=STAFF_ONLY,
        error_messages=STAFF_ONLY_MESSAGES,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="liaison_assignments",
        help_text=_("领导包联填包联领导，纪检包联填纪检监察干部；部门包联不填。"),
    )
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("包联部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="liaison_assignments",
        help_text=_("部门包联必填；领导包联可填配合的责任部门。"),
    )
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = LiaisonQuerySet.as_manager()

    # Who liaises with whom is the committee's roster: every staff member reads it (to know
    # whom to call about an enterprise); an enterprise user sees his enterprise's liaisons.
    # Liaison widens the liaising person's scope, so it is arranged by a holder of
    # ASSIGN_LIAISON in the enterprise's responsible department (or zone-wide), never by the
    # people it names nor through liaison itself (services.liaison_assign).
    scope_public = True
    scope_enterprise_field = "enterprise"
    scope_write_department_fields = ("enterprise__responsible_department",)
    scope_write_owner_fields = ()
    scope_write_enterprise_field = None

    class Meta:
        verbose_name = _("包联")
        verbose_name_plural = _("企业包联")
        permissions = [("assign_liaison", _("可安排和结束包联"))]
        ordering = ["enterprise", "kind", "-started_on", "id"]
        indexes = [
            models.Index(fields=["person", "ended_on"], name="enterprises_liaison_person_idx"),
            models.Index(fields=["department", "ended_on"], name="enterprises_liaison_dept_idx"),
        ]

    def __str__(self) -> str:
        who = self.person or self.department
        return f"{self.enterprise} · {self.get_kind_display()} · {who}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.kind == LiaisonKind.DEPARTMENT:
            if self.department_id is None:
                errors["department"] = str(_("部门包联须填写包联部门。"))
            if self.person_id is not None:
                errors["person"] = str(_("部门包联不填包联人，请改为领导包联或纪检包联。"))
        elif self.kind in (LiaisonKind.LEADER, LiaisonKind.INSPECTOR) and self.person_id is None:
            errors["person"] = str(_("%(kind)s须填写包联人。") % {"kind": self.get_kind_display()})
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            errors["ended_on"] = str(_("结束日期不能早于开始日期。"))
        if errors:
            raise ValidationError(errors)
        self._clean_person()
        self._clean_overlap()

    def _clean_person(self) -> None:
        person = self.person if self.person_id else None
        if person is None:
            return
        if person.enterprise_id is not None or not person.is_active:
            raise ValidationError({"person": _("包联人须为在职的管委会工作人员，不能是企业用户。")})
        if self.kind == LiaisonKind.LEADER and not person.role_codes & LEADER_ROLES:
            raise ValidationError(
                {"person": _("领导包联的包联人须为管委会领导（%(who)s 不是）。") % {"who": person}}
            )
        if self.kind == LiaisonKind.INSPECTOR and not person.has_role(RoleCode.INSPECTOR):
            raise ValidationError(
                {
                    "person": _("纪检包联的包联人须为纪检监察干部（%(who)s 不是）。")
                    % {"who": person}
                }
            )

    def _clean_overlap(self) -> None:
        """The same person or department liaises with an enterprise once at a time per kind."""
        if self.enterprise_id is None or not self.started_on:
            return
        who = (
            Q(department_id=self.department_id)
            if self.kind == LiaisonKind.DEPARTMENT
            else Q(person_id=self.person_id)
        )
        same = LiaisonAssignment._base_manager.filter(
            who, enterprise_id=self.enterprise_id, kind=self.kind
        ).exclude(pk=self.pk)
        if self.ended_on is not None:
            same = same.filter(started_on__lte=self.ended_on)
        same = same.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=self.started_on))
        if same.exists():
            raise ValidationError(
                _("%(who)s在这段时间已是“%(enterprise)s”的%(kind)s，不能重复安排。")
                % {
                    "who": self.person or self.department,
                    "enterprise": self.enterprise,
                    "kind": self.get_kind_display(),
                }
            )

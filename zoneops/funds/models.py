"""Support funds from above (扶持资金): programmes by level and year, the applications an
enterprise or a project makes to them, and each step of an application (申报, 获批 or 未获批,
each payment)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from zoneops.common.amounts import AmountField
from zoneops.common.models import BusinessModel
from zoneops.common.scope import ScopedQuerySet
from zoneops.funds.enums import FundApplicationStatus, FundKind, FundLevel, FundStep

# The largest a zone would recognise for one application: 10亿元.
MAX_AMOUNT = 100_000


class FundProgramme(BusinessModel):
    """A support-fund programme of a level in a year (e.g. 2019年省级工业转型升级专项资金)."""

    name = models.CharField(_("资金项目名称"), max_length=200)
    level = models.CharField(_("资金级别"), max_length=10, choices=FundLevel.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("资金类别"), max_length=20, choices=FundKind.choices)
    issuer = models.CharField(
        _("主管部门"), max_length=100, blank=True, help_text=_("如 河北省科学技术厅")
    )
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("区内对口部门"),
        on_delete=models.PROTECT,
        related_name="fund_programmes",
    )
    note = models.TextField(_("说明"), blank=True)
    is_sample = models.BooleanField(
        _("示例数据"), default=False, help_text=_("演示用的生成记录，并非真实资金项目。")
    )

    # Every colleague reads the catalogue; the department that handles it keeps it.
    scope_public = True
    scope_department_fields = ("department",)

    class Meta:
        verbose_name = _("扶持资金项目")
        verbose_name_plural = _("扶持资金项目")
        ordering = ["-year", "level", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "year", "level"], name="funds_programme_unique"
            ),
        ]

    def __str__(self) -> str:
        # Programmes are usually named with their year (2019年省级…); one that is not gets it.
        return self.name if str(self.year) in self.name else f"{self.year}年 {self.name}"


class FundApplicationQuerySet(ScopedQuerySet):
    pass


class FundApplication(BusinessModel):
    """An application by an enterprise or a project to a programme, followed to its payment."""

    programme = models.ForeignKey(
        FundProgramme,
        verbose_name=_("资金项目"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    title = models.CharField(_("申报内容"), max_length=200)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("申报企业"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fund_applications",
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("申报项目"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fund_applications",
    )
    # The enterprise the application belongs to (the applicant, or the project's investor):
    # kept by the services, it is what the enterprise's own pages read through.
    owner_enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("所属企业"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    applied_amount = AmountField(_("申报金额（万元）"), maximum=MAX_AMOUNT)
    applied_on = models.DateField(_("申报日期"))
    approved_amount = AmountField(
        _("获批金额（万元）"), null=True, blank=True, editable=False, maximum=MAX_AMOUNT
    )
    approved_on = models.DateField(_("获批日期"), null=True, blank=True, editable=False)
    paid_amount = AmountField(
        _("已拨付金额（万元）"), default=0, editable=False, maximum=MAX_AMOUNT
    )
    paid_on = models.DateField(_("最近拨付日期"), null=True, blank=True, editable=False)
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=FundApplicationStatus.choices,
        default=FundApplicationStatus.APPLIED,
        editable=False,
    )
    is_sample = models.BooleanField(_("示例数据"), default=False)

    objects = FundApplicationQuerySet.as_manager()

    scope_department_fields = ("programme__department",)
    scope_owner_fields = ("created_by",)
    scope_enterprise_field = "owner_enterprise"
    # An enterprise reads its applications on its pages; the department files and follows them.
    scope_write_enterprise_field = None

    class Meta:
        verbose_name = _("扶持资金申报")
        verbose_name_plural = _("扶持资金申报")
        ordering = ["-applied_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(enterprise__isnull=False, project__isnull=True)
                    | models.Q(enterprise__isnull=True, project__isnull=False)
                ),
                name="funds_application_one_applicant",
            ),
            models.CheckConstraint(
                condition=models.Q(approved_amount__isnull=True)
                | models.Q(approved_amount__lte=models.F("applied_amount")),
                name="funds_approved_within_applied",
            ),
            models.CheckConstraint(
                condition=models.Q(paid_amount=0)
                | models.Q(paid_amount__lte=models.F("approved_amount")),
                name="funds_paid_within_approved",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "approved_on"], name="funds_app_status_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def applicant(self) -> object:
        return self.enterprise if self.enterprise_id else self.project

    def clean(self) -> None:
        super().clean()
        if bool(self.enterprise_id) == bool(self.project_id):
            raise ValidationError({"enterprise": _("申报主体须为一家企业或一个项目（二者选一）。")})


class FundEvent(models.Model):
    """One step of an application: who, when, the amount (approved or paid) and a note. The
    totals of a period read the payments here."""

    application = models.ForeignKey(
        FundApplication,
        verbose_name=_("扶持资金申报"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    step = models.CharField(_("环节"), max_length=10, choices=FundStep.choices)
    on = models.DateField(_("发生日期"))
    amount = AmountField(_("金额（万元）"), null=True, blank=True, maximum=MAX_AMOUNT)
    note = models.TextField(_("说明"), blank=True)
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("申报环节")
        verbose_name_plural = _("申报环节")
        ordering = ["on", "id"]
        indexes = [models.Index(fields=["step", "on"], name="funds_event_step_on_idx")]

    def __str__(self) -> str:
        return f"{self.get_step_display()} {self.on}"

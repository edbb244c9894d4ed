"""One-enterprise-one-policy plans (一企一策): the measures the committee takes for one
enterprise, each with an owner and a due date."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zoneops.common.models import BusinessModel
from zoneops.common.scope import ScopedQuerySet
from zoneops.enterprises.enums import MeasureStatus, PlanStatus
from zoneops.orgs.people import STAFF_ONLY, STAFF_ONLY_MESSAGES


class EnterprisePlan(BusinessModel):
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.PROTECT,
        related_name="plans",
    )
    title = models.CharField(_("方案名称"), max_length=200)
    background = models.TextField(_("企业困难与需求"), blank=True)
    goal = models.TextField(_("帮扶目标"), blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("计划完成日期"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("牵头领导"),
        limit_choices_to=STAFF_ONLY,
        error_messages=STAFF_ONLY_MESSAGES,
        on_delete=models.PROTECT,
        related_name="owned_plans",
    )
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("牵头部门"),
        on_delete=models.PROTECT,
        related_name="enterprise_plans",
    )
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=PlanStatus.choices,
        default=PlanStatus.ACTIVE,
        editable=False,
    )
    completed_on = models.DateField(_("完成日期"), null=True, blank=True, editable=False)
    summary = models.TextField(_("实施成效"), blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()

    scope_department_fields = ("department",)
    scope_owner_fields = ("created_by", "owner")
    scope_enterprise_field = "enterprise"

    class Meta:
        verbose_name = _("一企一策")
        verbose_name_plural = _("一企一策")
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.title


class PlanMeasure(BusinessModel):
    plan = models.ForeignKey(
        EnterprisePlan, verbose_name=_("方案"), on_delete=models.CASCADE, related_name="measures"
    )
    content = models.TextField(_("帮扶措施"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        limit_choices_to=STAFF_ONLY,
        error_messages=STAFF_ONLY_MESSAGES,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_measures",
    )
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("责任部门"),
        on_delete=models.PROTECT,
        related_name="plan_measures",
    )
    due_on = models.DateField(_("完成时限"))
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=MeasureStatus.choices,
        default=MeasureStatus.OPEN,
        editable=False,
    )
    done_on = models.DateField(_("完成日期"), null=True, blank=True, editable=False)
    result = models.TextField(_("落实情况"), blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()

    scope_department_fields = ("department", "plan__department")
    scope_owner_fields = ("created_by", "owner", "plan__owner")
    scope_enterprise_field = "plan__enterprise"

    class Meta:
        verbose_name = _("帮扶措施")
        verbose_name_plural = _("帮扶措施")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.content[:40]

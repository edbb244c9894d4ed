"""The online investment hall's own records: the policies staff publish for investors, the
inquiries investors send (each one a lead in the pipeline) and the posts counted against
floods."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zoneops.common.amounts import AmountField
from zoneops.common.models import BusinessModel
from zoneops.common.scope import ScopedQuerySet
from zoneops.portal.enums import InvestorNeed, PolicyStatus


class PolicyQuerySet(ScopedQuerySet):
    def in_force(self, *, on: date) -> "PolicyQuerySet":
        """Published and valid on the day: started, and not ended before it."""
        return self.filter(status=PolicyStatus.PUBLISHED, valid_from__lte=on).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=on)
        )


class Policy(BusinessModel):
    """A policy for investors (招商政策), written by staff of the issuing department, reviewed
    by another colleague and published on the hall while it is valid."""

    title = models.CharField(_("政策名称"), max_length=200)
    summary = models.CharField(
        _("摘要"), max_length=300, blank=True, help_text=_("列表和分享卡片上显示的一两句话。")
    )
    body = models.TextField(_("政策内容"))
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("发布部门"),
        on_delete=models.PROTECT,
        related_name="policies",
    )
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(
        _("失效日期"), null=True, blank=True, help_text=_("留空表示长期有效。")
    )
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=PolicyStatus.choices,
        default=PolicyStatus.DRAFT,
        editable=False,
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True, editable=False)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, editable=False)

    objects = PolicyQuerySet.as_manager()

    # Every colleague reads the policies (they are public once published); the issuing
    # department and the writer change them.
    scope_public = True
    scope_department_fields = ("department",)
    scope_owner_fields = ("created_by",)

    class Meta:
        verbose_name = _("招商政策")
        verbose_name_plural = _("招商政策")
        ordering = ["-valid_from", "-id"]
        permissions = [
            ("review_policy", _("审核招商政策")),
            ("publish_policy", _("发布或撤回招商政策")),
        ]
        indexes = [
            models.Index(fields=["status", "valid_from"], name="portal_policy_status_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.valid_to is not None and self.valid_from and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("失效日期不能早于生效日期。")})

    def expired_on(self, day: date) -> bool:
        return self.valid_to is not None and self.valid_to < day


class InquiryQuerySet(ScopedQuerySet):
    pass


class Inquiry(BusinessModel):
    """An investor's inquiry from the hall (线上会客厅咨询): the company, the contact, what it
    plans and needs. It started a lead (`project`, source 线上会客厅) and is read by whoever
    may read that lead: the contact's name and mobile are for them only."""

    reference = models.CharField(_("咨询编号"), max_length=20, unique=True, editable=False)
    company = models.CharField(_("企业名称"), max_length=100)
    contact_name = models.CharField(_("联系人"), max_length=30)
    mobile = models.CharField(_("手机号"), max_length=11)
    industry = models.ForeignKey(
        "industry.IndustryCategory",
        verbose_name=_("意向产业"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # At most what a project may hold (100 000 000万元 would be 1万亿元).
    planned_investment = AmountField(_("计划投资（万元）"), default=0, maximum=10_000_000)
    needs = models.JSONField(_("需求"), default=list, blank=True)
    message = models.TextField(_("留言"), blank=True)
    project = models.OneToOneField(
        "projects.Project",
        verbose_name=_("招商线索"),
        on_delete=models.PROTECT,
        related_name="inquiry",
        editable=False,
    )

    objects = InquiryQuerySet.as_manager()

    # Read (and changed) by whoever may read the lead it started.
    scope_department_fields = ("project__responsible_department",)
    scope_owner_fields = ("project__owner", "project__liaison_leader", "project__created_by")

    class Meta:
        verbose_name = _("线上咨询")
        verbose_name_plural = _("线上咨询")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.reference} {self.company}"

    @property
    def need_labels(self) -> list[str]:
        labels = dict(InvestorNeed.choices)
        return [str(labels[need]) for need in self.needs if need in labels]


class HallPost(models.Model):
    """One post of the inquiry form, kept a day to count floods by address and by contact in
    every process (a table, not the per-process cache)."""

    address = models.GenericIPAddressField(_("来源地址"), unpack_ipv4=True)
    mobile = models.CharField(_("手机号"), max_length=11, blank=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    accepted = models.BooleanField(_("已受理"), default=False)

    class Meta:
        verbose_name = _("咨询提交记录")
        verbose_name_plural = _("咨询提交记录")
        indexes = [
            models.Index(fields=["address", "at"], name="portal_post_address_idx"),
            models.Index(fields=["mobile", "at"], name="portal_post_mobile_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.address} @ {self.at:%Y-%m-%d %H:%M}"

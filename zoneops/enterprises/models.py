"""Enterprises of the zone. The enterprise-service issue grows this register; the foundation
needs the record itself, because an enterprise user is bound to one enterprise."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from zoneops.common.models import BusinessModel


class Enterprise(BusinessModel):
    name = models.CharField(_("企业名称"), max_length=200, unique=True)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, null=True, blank=True
    )
    park = models.ForeignKey(
        "parks.Park",
        verbose_name=_("所在园区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enterprises",
    )
    country = models.CharField(_("来源国家或地区"), max_length=50, default="中国")
    is_sample = models.BooleanField(
        _("示例数据"), default=False, help_text=_("演示用的生成记录，并非真实企业。")
    )

    # One register for the whole committee; an enterprise user reaches only his own.
    scope_public = True
    scope_enterprise_field = "id"

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

"""The zone's own list of industries. The industry-chain issue adds chains, segments and nodes."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from zoneops.common.models import BusinessModel


class IndustryCategory(BusinessModel):
    name = models.CharField(_("产业名称"), max_length=50, unique=True)
    code = models.SlugField(_("产业编码"), max_length=30, unique=True)
    gb_section = models.CharField(
        _("国民经济行业门类"),
        max_length=1,
        blank=True,
        help_text=_("GB/T 4754-2017 门类字母，如 C 制造业。"),
    )
    is_strategic_emerging = models.BooleanField(_("战略性新兴产业"), default=False)
    is_lead = models.BooleanField(_("主攻方向"), default=False, help_text=_("如 汽车、新材料"))
    order = models.PositiveIntegerField(_("排序"), default=0)

    # A dictionary every colleague reads and administrators keep (granted like 系统管理).
    scope_public = True
    scope_write_owner_fields = ()
    system_setting = True

    class Meta:
        verbose_name = _("产业分类")
        verbose_name_plural = _("产业分类")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name

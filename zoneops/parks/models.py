"""Parks and carriers (园区与载体) of the zone."""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from zoneops.common.models import BusinessModel
from zoneops.parks.enums import CarrierKind


class Park(BusinessModel):
    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=CarrierKind.choices)
    description = models.TextField(_("简介"), blank=True)
    area_mu = models.DecimalField(
        _("占地面积（亩）"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    floor_area_m2 = models.DecimalField(
        _("建筑面积（平方米）"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    target_industries = models.CharField(_("招商方向"), max_length=300, blank=True)
    managing_department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("管理部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parks",
    )
    order = models.PositiveIntegerField(_("排序"), default=0)

    # Parks are shown to the public in the online hall: every staff member reads them; the
    # managing department changes them (who manages it is decided zone-wide: parks.services).
    scope_public = True
    scope_write_department_fields = ("managing_department",)
    scope_write_owner_fields = ()

    class Meta:
        verbose_name = _("园区与载体")
        verbose_name_plural = _("园区与载体")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name

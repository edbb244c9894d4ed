"""Parks and carriers (园区与载体) of the zone."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from zoneops.common.models import BusinessModel
from zoneops.parks.enums import CarrierKind, PhaseStatus, UnitUse


def _area(label: str | Promise, *, max_digits: int) -> models.DecimalField:
    """An optional area of a park or a phase: in 亩 or m², two decimals, not negative."""
    return models.DecimalField(
        label,
        max_digits=max_digits,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )


class Park(BusinessModel):
    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=CarrierKind.choices)
    description = models.TextField(_("简介"), blank=True)
    area_mu = _area(_("占地面积（亩）"), max_digits=12)
    floor_area_m2 = _area(_("建筑面积（平方米）"), max_digits=14)
    target_industries = models.CharField(_("招商方向"), max_length=300, blank=True)
    industries = models.ManyToManyField(
        "industry.IndustryCategory",
        verbose_name=_("适配产业"),
        related_name="parks",
        blank=True,
        help_text=_("入园项目应属的产业，落地选址建议据此匹配。"),
    )
    operator = models.CharField(_("运营主体"), max_length=200, blank=True)
    # A GeoJSON Polygon or MultiPolygon in WGS 84 (longitude, latitude), checked on upload.
    boundary = models.JSONField(_("边界（GeoJSON）"), null=True, blank=True)
    is_sample = models.BooleanField(
        _("示例数据"), default=False, help_text=_("演示用的生成数据（如边界、楼宇），并非实测。")
    )
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

    # The history that BusinessModel gives every record also keeps the fitting industries.
    _history_m2m_fields = ["industries"]

    class Meta:
        verbose_name = _("园区与载体")
        verbose_name_plural = _("园区与载体")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class ParkPhase(BusinessModel):
    """A phase of a park (一期, 二期…) with its own status."""

    park = models.ForeignKey(
        Park, verbose_name=_("园区"), on_delete=models.CASCADE, related_name="phases"
    )
    name = models.CharField(_("分期"), max_length=50, help_text=_("如 一期"))
    status = models.CharField(
        _("状态"), max_length=16, choices=PhaseStatus.choices, default=PhaseStatus.PLANNED
    )
    area_mu = _area(_("占地面积（亩）"), max_digits=12)
    floor_area_m2 = _area(_("建筑面积（平方米）"), max_digits=14)
    started_on = models.DateField(_("开工日期"), null=True, blank=True)
    completed_on = models.DateField(_("建成日期"), null=True, blank=True)
    order = models.PositiveIntegerField(_("排序"), default=0)

    scope_public = True
    scope_write_parent = "park"

    class Meta:
        verbose_name = _("园区分期")
        verbose_name_plural = _("园区分期")
        ordering = ["park", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["park", "name"], name="parks_phase_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.park} {self.name}"


class Building(BusinessModel):
    """A building (楼宇/厂房) of a park, in one of its phases."""

    park = models.ForeignKey(
        Park, verbose_name=_("园区"), on_delete=models.CASCADE, related_name="buildings"
    )
    phase = models.ForeignKey(
        ParkPhase,
        verbose_name=_("分期"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="buildings",
    )
    name = models.CharField(_("楼宇名称"), max_length=100, help_text=_("如 3号厂房"))
    floors = models.PositiveSmallIntegerField(_("层数"), null=True, blank=True)
    order = models.PositiveIntegerField(_("排序"), default=0)
    is_sample = models.BooleanField(_("示例数据"), default=False)

    scope_public = True
    scope_write_parent = "park"

    class Meta:
        verbose_name = _("楼宇")
        verbose_name_plural = _("楼宇")
        ordering = ["park", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["park", "name"], name="parks_building_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.park} {self.name}"


class Unit(BusinessModel):
    """A lettable unit of a building: its area; who leases it is in its leases."""

    building = models.ForeignKey(
        Building, verbose_name=_("楼宇"), on_delete=models.CASCADE, related_name="units"
    )
    name = models.CharField(_("单元"), max_length=50, help_text=_("如 301 或 整栋"))
    use = models.CharField(
        _("用途"), max_length=16, choices=UnitUse.choices, default=UnitUse.FACTORY
    )
    area_m2 = models.DecimalField(
        _("面积（平方米）"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    order = models.PositiveIntegerField(_("排序"), default=0)

    scope_public = True
    scope_write_parent = "building"

    class Meta:
        verbose_name = _("单元")
        verbose_name_plural = _("单元")
        ordering = ["building", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["building", "name"], name="parks_unit_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.building} {self.name}"


class Lease(BusinessModel):
    """A unit let to an enterprise of the register from one day (to another). Occupancy on any
    day follows from the leases (parks.selectors), so its history is never stored apart.

    The tenant is named by the register's model label only: parks imports nothing from the
    enterprises app (which sits a floor above and names the park an enterprise is in)."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("单元"), on_delete=models.CASCADE, related_name="leases"
    )
    tenant = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("承租企业"),
        on_delete=models.PROTECT,
        related_name="leases",
    )
    starts_on = models.DateField(_("起租日期"))
    ends_on = models.DateField(_("退租日期"), null=True, blank=True, help_text=_("空表示仍在租。"))
    note = models.CharField(_("备注"), max_length=200, blank=True)

    scope_public = True
    scope_write_parent = "unit"

    class Meta:
        verbose_name = _("租赁")
        verbose_name_plural = _("租赁")
        ordering = ["unit", "-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="parks_lease_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.tenant}"

from django.db import models
from django.utils.translation import gettext_lazy as _


class CarrierKind(models.TextChoices):
    PARK = "park", _("园区")
    INCUBATOR = "incubator", _("孵化器")
    ACCELERATOR = "accelerator", _("加速器")
    CENTRE = "centre", _("中心")
    INSTITUTE = "institute", _("研究院")
    TEST_AREA = "test_area", _("测试区")


class PhaseStatus(models.TextChoices):
    PLANNED = "planned", _("规划")
    PREPARING = "preparing", _("筹备")
    BUILDING = "building", _("在建")
    BUILT = "built", _("建成")
    OPERATING = "operating", _("运营")


class UnitUse(models.TextChoices):
    FACTORY = "factory", _("厂房")
    OFFICE = "office", _("办公")
    LAB = "lab", _("研发")
    WAREHOUSE = "warehouse", _("仓储")
    COMMERCIAL = "commercial", _("商业")
    OTHER = "other", _("其他")

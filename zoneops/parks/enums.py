from django.db import models
from django.utils.translation import gettext_lazy as _


class CarrierKind(models.TextChoices):
    PARK = "park", _("园区")
    INCUBATOR = "incubator", _("孵化器")
    ACCELERATOR = "accelerator", _("加速器")
    CENTRE = "centre", _("中心")
    INSTITUTE = "institute", _("研究院")
    TEST_AREA = "test_area", _("测试区")

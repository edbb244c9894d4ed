from django.db import models
from django.utils.translation import gettext_lazy as _


class Segment(models.TextChoices):
    """Where a node sits on its chain; 配套 holds the services around it (物流仓储, 汽车金融…)."""

    UPSTREAM = "up", _("上游")
    MIDSTREAM = "mid", _("中游")
    DOWNSTREAM = "down", _("下游")
    SUPPORT = "support", _("配套服务")


class StrategicEmergingCategory(models.TextChoices):
    """The nine first-level categories of 战略性新兴产业分类（2018）(国家统计局令第23号)."""

    IT = "1", _("新一代信息技术产业")
    EQUIPMENT = "2", _("高端装备制造产业")
    MATERIALS = "3", _("新材料产业")
    BIO = "4", _("生物产业")
    NEV = "5", _("新能源汽车产业")
    ENERGY = "6", _("新能源产业")
    GREEN = "7", _("节能环保产业")
    DIGITAL_CREATIVE = "8", _("数字创意产业")
    SERVICES = "9", _("相关服务业")

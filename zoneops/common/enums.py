"""Vocabulary shared by several apps."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BlockerKind(models.TextChoices):
    """堵点/痛点/难点: how the zone classifies a problem or an enterprise's request."""

    BOTTLENECK = "bottleneck", _("堵点")
    PAIN_POINT = "pain_point", _("痛点")
    HARD_PROBLEM = "hard_problem", _("难点")


class BlockerTopic(models.TextChoices):
    LAND = "land", _("用地")
    FINANCE = "finance", _("融资")
    LABOUR = "labour", _("用工")
    APPROVALS = "approvals", _("审批手续")
    UTILITIES = "utilities", _("水电气暖")
    LOGISTICS = "logistics", _("物流")
    POLICY = "policy", _("政策")
    OTHER = "other", _("其他")

from django.db import models
from django.utils.translation import gettext_lazy as _


class PolicyStatus(models.TextChoices):
    """起草 → 已审核 → 已发布; a published policy may be withdrawn (撤回), a withdrawn or
    reviewed one goes back to draft when it is edited."""

    DRAFT = "draft", _("草稿")
    REVIEWED = "reviewed", _("已审核")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤回")


class InvestorNeed(models.TextChoices):
    """What an investor asks the zone for (the inquiry's needs)."""

    LAND = "land", _("土地")
    BUILDING = "building", _("厂房/楼宇")
    FINANCE = "finance", _("融资")
    TALENT = "talent", _("人才")

from django.db import models
from django.utils.translation import gettext_lazy as _


class FundLevel(models.TextChoices):
    """The four levels a support fund comes from (中央、省、市、区), highest first."""

    CENTRAL = "central", _("中央")
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    DISTRICT = "district", _("区级")


class FundKind(models.TextChoices):
    RND = "rnd", _("研发项目")
    DEMONSTRATION = "demonstration", _("示范项目")
    TECH_UPGRADE = "tech_upgrade", _("技术改造")
    AWARD = "award", _("奖励补助")
    PLATFORM = "platform", _("平台建设")
    OTHER = "other", _("其他")


# The kinds the zone counts as "projects won" (争取省市研发和示范项目).
PROJECT_KINDS = frozenset({FundKind.RND, FundKind.DEMONSTRATION})


class FundApplicationStatus(models.TextChoices):
    """申报 → 获批 / 未获批 → 拨付中 (part paid) → 已拨付 (paid in full)."""

    APPLIED = "applied", _("已申报")
    APPROVED = "approved", _("已获批")
    REJECTED = "rejected", _("未获批")
    PART_PAID = "part_paid", _("部分拨付")
    PAID = "paid", _("已拨付")


WON_STATUSES = frozenset(
    {FundApplicationStatus.APPROVED, FundApplicationStatus.PART_PAID, FundApplicationStatus.PAID}
)


class FundStep(models.TextChoices):
    APPLY = "apply", _("申报")
    APPROVE = "approve", _("获批")
    REJECT = "reject", _("未获批")
    PAY = "pay", _("拨付")

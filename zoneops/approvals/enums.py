from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemKind(models.TextChoices):
    LICENCE = "licence", _("行政许可")
    PUBLIC_SERVICE = "public_service", _("公共服务")
    FILING = "filing", _("备案")
    OTHER = "other", _("其他权力")


class CaseStatus(models.TextChoices):
    RECEIVED = "received", _("已收件")
    ACCEPTED = "accepted", _("已受理")
    REVIEWING = "reviewing", _("审查中")
    DECIDED = "decided", _("已决定")
    CONCLUDED = "concluded", _("已办结")
    REFUSED = "refused", _("不予受理")


class Decision(models.TextChoices):
    GRANTED = "granted", _("准予许可")
    DENIED = "denied", _("不予许可")


class SuspensionKind(models.TextChoices):
    """Why the clock stands (行政许可法 第45条: 听证, 招标, 拍卖, 检验, 检测, 检疫, 鉴定, 专家评审
    and the like do not count; nor does the applicant's 补正)."""

    MATERIALS = "materials", _("补正材料")
    EXPERT_REVIEW = "expert_review", _("专家评审")
    HEARING = "hearing", _("听证")
    PUBLIC_NOTICE = "public_notice", _("公示")
    INSPECTION = "inspection", _("检验检测鉴定")

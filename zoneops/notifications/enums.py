from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    DUE_SOON = "due_soon", _("即将到期")
    OVERDUE = "overdue", _("已逾期")
    OTHER = "other", _("提醒")


class RobotKind(models.TextChoices):
    WECOM = "wecom", _("企业微信群机器人")
    DINGTALK = "dingtalk", _("钉钉群机器人")
    FEISHU = "feishu", _("飞书群机器人")


class DeliveryChannel(models.TextChoices):
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")
    ROBOT = "robot", _("群机器人")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    RETRYING = "retrying", _("发送失败，待重试")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")

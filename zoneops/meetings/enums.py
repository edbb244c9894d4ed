from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingKind(models.TextChoices):
    WEEKLY_DOCKING = "weekly_docking", _("周对接")
    MONTHLY = "monthly", _("月例会")
    QUARTERLY_TOUR = "quarterly_tour", _("季观摩")
    ONLINE_TALKS = "online_talks", _("线上洽谈")
    SIGNING = "signing", _("签约仪式")
    CLOUD_SIGNING = "cloud_signing", _("云签约")
    GROUNDBREAKING = "groundbreaking", _("集中开工")


CEREMONIES = frozenset({MeetingKind.SIGNING, MeetingKind.CLOUD_SIGNING, MeetingKind.GROUNDBREAKING})


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("筹备中")
    HELD = "held", _("已召开")
    CANCELLED = "cancelled", _("已取消")


class AgendaSource(models.TextChoices):
    """Why an item is on the agenda: built from the records, or added by hand."""

    RED_LIGHT = "red_light", _("红灯项目")
    OVERDUE_PROBLEM = "overdue_problem", _("逾期问题")
    LATE_MILESTONE = "late_milestone", _("滞后节点")
    OVERDUE_REQUEST = "overdue_request", _("逾期企业诉求")
    MANUAL = "manual", _("人工添加")

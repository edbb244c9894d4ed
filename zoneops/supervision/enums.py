from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskSource(models.TextChoices):
    """Where a supervised task comes from (督办来源)."""

    INSTRUCTION = "instruction", _("领导批示")
    MEETING = "meeting", _("会议议定事项")
    ASSIGNED = "assigned", _("上级交办")
    ROUTINE = "routine", _("日常督办")
    PROBLEM = "problem", _("项目问题")
    REQUEST = "request", _("企业诉求")
    CHECKLIST = "checklist", _("动态清单")


class TaskStatus(models.TextChoices):
    """交办 → 签收 → 办理 → 反馈 → 复核 → 销号."""

    ASSIGNED = "assigned", _("已交办")
    SIGNED = "signed", _("已签收")
    IN_PROGRESS = "in_progress", _("办理中")
    REPORTED = "reported", _("已反馈")
    REVIEWED = "reviewed", _("已复核")
    CLOSED = "closed", _("已销号")


RUNNING = (
    TaskStatus.ASSIGNED,
    TaskStatus.SIGNED,
    TaskStatus.IN_PROGRESS,
    TaskStatus.REPORTED,
    TaskStatus.REVIEWED,
)

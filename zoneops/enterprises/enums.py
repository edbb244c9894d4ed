from django.db import models
from django.utils.translation import gettext_lazy as _


class LiaisonKind(models.TextChoices):
    """Who stands for the committee towards an enterprise (包联)."""

    LEADER = "leader", _("领导包联")
    DEPARTMENT = "department", _("部门包联")
    INSPECTOR = "inspector", _("纪检包联")


class LiaisonLevel(models.TextChoices):
    """Whose list put the enterprise under liaison: the province's and city's, or the zone's."""

    PROVINCE_CITY = "province_city", _("省市确定")
    DISTRICT = "district", _("区级")


class Metric(models.TextChoices):
    """The periodic figures of an enterprise; `FLOW` ones add up over months, `STOCK` ones
    (employees) are the value at the end of the period."""

    REVENUE = "revenue", _("营业收入")
    OUTPUT_VALUE = "output_value", _("工业总产值")
    TAX = "tax", _("税收")
    EMPLOYEES = "employees", _("从业人员")
    RND_SPENDING = "rnd_spending", _("研发费用")
    EXPORTS = "exports", _("出口交货值")


FLOW_METRICS: tuple[str, ...] = (
    Metric.REVENUE,
    Metric.OUTPUT_VALUE,
    Metric.TAX,
    Metric.RND_SPENDING,
    Metric.EXPORTS,
)
STOCK_METRICS: tuple[str, ...] = (Metric.EMPLOYEES,)
METRICS: tuple[str, ...] = tuple(Metric.values)


class RequestKind(models.TextChoices):
    """What an enterprise asks for; each kind has its own working-day limit (RequestKindLimit)."""

    CONSULTATION = "consultation", _("咨询")
    HELP = "help", _("求助")
    COMPLAINT = "complaint", _("投诉")


# The limits a zone starts with, in working days; administrators change them in the back office.
DEFAULT_REQUEST_LIMITS: dict[str, int] = {
    RequestKind.CONSULTATION: 1,
    RequestKind.HELP: 5,
    RequestKind.COMPLAINT: 10,
}


class RequestChannel(models.TextChoices):
    """How a request reached the committee."""

    SELF_SERVICE = "self_service", _("企业自助提交")
    LIAISON = "liaison", _("包联人员代报")
    HOTLINE = "hotline", _("电话热线")
    MEETING = "meeting", _("座谈会议")
    VISIT = "visit", _("走访")


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待受理")
    ACCEPTED = "accepted", _("已受理")
    IN_PROGRESS = "in_progress", _("办理中")
    ANSWERED = "answered", _("已答复")
    RATED = "rated", _("已评价")
    RETURNED = "returned", _("已退回")


# A rating of this score or more means the enterprise is satisfied; below it the request reopens.
SATISFIED_SCORE = 3


class MeasureStatus(models.TextChoices):
    OPEN = "open", _("推进中")
    DONE = "done", _("已完成")


class PlanStatus(models.TextChoices):
    ACTIVE = "active", _("实施中")
    COMPLETED = "completed", _("已完成")
